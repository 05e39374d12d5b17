//! Conversions between this crate's file-format structs (keytab and ccache
//! principals, cached credentials, keytab entries) and `tessera-proto`'s
//! typed [`Principal`] and [`Key`].

use tessera_proto::crypto::{CryptoError, EncType, Key};
use tessera_proto::msg::{NameType, Principal, Ticket, TicketFlags, decode};

use crate::ccache::Credential;
use crate::kdc_client::{Creds, KdcClientError};
use crate::keytab::{KeytabEntry, KtPrincipal};

/// A keytab/ccache principal as a typed proto [`Principal`].
pub fn kt_to_principal(p: &KtPrincipal) -> Principal {
    Principal::new(
        NameType::from_i32(p.name_type),
        p.components.clone(),
        p.realm.clone(),
    )
}

/// A typed proto [`Principal`] as a keytab/ccache principal.
pub fn principal_to_kt(p: &Principal) -> KtPrincipal {
    KtPrincipal {
        name_type: p.name_type.as_i32(),
        components: p.components.clone(),
        realm: p.realm.clone(),
    }
}

/// The key of a keytab entry (fails for enctypes Tessera does not implement).
pub fn keytab_entry_key(e: &KeytabEntry) -> Result<Key, CryptoError> {
    let etype = EncType::try_from(e.enctype)?;
    Key::from_bytes(etype, &e.key)
}

fn clamp_u32(t: i64) -> u32 {
    u32::try_from(t.max(0)).unwrap_or(u32::MAX)
}

impl Creds {
    /// The credential as stored in a credential cache.
    pub fn to_ccache_credential(&self) -> Credential {
        Credential {
            client: principal_to_kt(&self.client),
            server: principal_to_kt(&self.server),
            key_enctype: self.session_key.etype().as_i32(),
            key: zeroize::Zeroizing::new(self.session_key.as_bytes().to_vec()),
            authtime: clamp_u32(self.authtime),
            starttime: self.starttime.map_or(0, clamp_u32),
            endtime: clamp_u32(self.endtime),
            renew_till: self.renew_till.map_or(0, clamp_u32),
            is_skey: false,
            ticket_flags: self.flags.bits(),
            addresses: Vec::new(),
            authdata: Vec::new(),
            ticket: self.ticket_der.clone(),
            second_ticket: Vec::new(),
        }
    }

    /// A cached credential as [`Creds`] (decodes the ticket, checks the key).
    pub fn from_ccache_credential(c: &Credential) -> Result<Creds, KdcClientError> {
        let ticket: Ticket = decode(&c.ticket)?;
        let etype = EncType::try_from(c.key_enctype)?;
        let session_key = Key::from_bytes(etype, &c.key)?;
        Ok(Creds {
            client: kt_to_principal(&c.client),
            server: kt_to_principal(&c.server),
            session_key,
            ticket_etype: ticket.enc_part.etype,
            ticket_kvno: ticket.enc_part.kvno,
            ticket,
            ticket_der: c.ticket.clone(),
            flags: TicketFlags(c.ticket_flags),
            authtime: i64::from(c.authtime),
            starttime: (c.starttime != 0).then_some(i64::from(c.starttime)),
            endtime: i64::from(c.endtime),
            renew_till: (c.renew_till != 0).then_some(i64::from(c.renew_till)),
        })
    }
}
