//! Valid Kerberos messages under keys the fuzzer knows: tickets sealed in
//! a service key, authenticators and AP-REQs sealed in a session key, with
//! every field a fuzz input may choose. The structure-aware targets build
//! on these so that their inputs reach past decryption.

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use tessera_proto::crypto::{EncType, Key};
use tessera_proto::msg::asn1::TransitedEncoding;
use tessera_proto::msg::{
    ApOptions, ApReq, Authenticator, AuthorizationData, AuthorizationDataValue, Checksum,
    EncTicketPart, EncryptedData, EncryptionKey, HostAddress, KerberosTime, KerberosTimeExt,
    Principal, Ticket, TicketFlags, encode, encrypted_data,
};

use crate::mutate::{bytes, delta, pick, rare};

/// The base time of every structure-aware target (2027-01-15).
pub const NOW: i64 = 1_800_000_000;

/// A KerberosTime for `secs`, clamped into what KerberosTime can hold.
pub fn kt(secs: i64) -> KerberosTime {
    KerberosTime::from_unix(secs)
        .or_else(|_| KerberosTime::from_unix(secs.clamp(0, 253_402_300_799)))
        .unwrap_or_else(|e| panic!("KerberosTime: {e}"))
}

/// The wire form of a key.
pub fn wire_key(k: &Key) -> EncryptionKey {
    EncryptionKey {
        r#type: k.etype().as_i32(),
        value: k.as_bytes().to_vec().into(),
    }
}

/// A fixed, input-independent key of `etype` (`seed` tells keys apart).
pub fn fixed_key(etype: EncType, seed: u8) -> Key {
    let bytes: Vec<u8> = (0..etype.key_len())
        .map(|i| (i as u8).wrapping_mul(37).wrapping_add(seed))
        .collect();
    Key::from_bytes(etype, &bytes).unwrap_or_else(|e| panic!("{e}"))
}

/// A session key of an enctype chosen by `u` (bytes chosen by `u` too).
pub fn session_key(u: &mut Unstructured<'_>) -> Result<Key> {
    let etype = *pick(u, &EncType::ALL)?;
    let seed: u8 = u.arbitrary()?;
    Ok(fixed_key(etype, seed))
}

/// Everything inside a ticket.
#[derive(Debug, Clone)]
pub struct TicketSpec {
    pub client: Principal,
    pub server: Principal,
    pub flags: TicketFlags,
    pub session: Key,
    pub authtime: i64,
    pub start: Option<i64>,
    pub end: i64,
    pub renew_till: Option<i64>,
    pub caddr: Option<Vec<HostAddress>>,
    pub authz: Option<AuthorizationData>,
    pub transited: Vec<u8>,
}

impl TicketSpec {
    /// A plain valid ticket: initial, pre-authenticated, forwardable and
    /// renewable, from `now - 60` for ten hours (renewable for a week).
    pub fn valid(client: Principal, server: Principal, session: Key, now: i64) -> Self {
        TicketSpec {
            client,
            server,
            flags: TicketFlags::INITIAL
                .with(TicketFlags::PRE_AUTHENT)
                .with(TicketFlags::FORWARDABLE)
                .with(TicketFlags::RENEWABLE),
            session,
            authtime: now - 60,
            start: Some(now - 60),
            end: now + 10 * 3600,
            renew_till: Some(now + 7 * 86400),
            caddr: None,
            authz: None,
            transited: Vec::new(),
        }
    }

    /// Lets `u` change the fields of a valid spec: flags, times, session
    /// key, addresses, authorization data, transited realms. Each with
    /// small probability, so most specs stay close to valid.
    pub fn vary(mut self, u: &mut Unstructured<'_>) -> Result<Self> {
        if rare(u, 6)? {
            self.flags = TicketFlags(u.arbitrary()?);
        }
        if rare(u, 6)? {
            self.authtime += delta(u, 10 * 86400)?;
        }
        if rare(u, 6)? {
            self.start = if u.arbitrary()? {
                Some(self.authtime + delta(u, 10 * 86400)?)
            } else {
                None
            };
        }
        if rare(u, 6)? {
            self.end += delta(u, 30 * 86400)?;
        }
        if rare(u, 6)? {
            self.renew_till = if u.arbitrary()? {
                Some(self.end + delta(u, 30 * 86400)?)
            } else {
                None
            };
        }
        if rare(u, 6)? {
            self.session = session_key(u)?;
        }
        if rare(u, 6)? {
            self.caddr = Some(vec![HostAddress {
                addr_type: u.arbitrary()?,
                address: bytes(u, 16)?.into(),
            }]);
        }
        if rare(u, 6)? {
            self.authz = Some(authz(u)?);
        }
        if rare(u, 6)? {
            self.transited = bytes(u, 32)?;
        }
        Ok(self)
    }

    /// The ticket, sealed in `key` (with `kvno` on the wire).
    pub fn seal(&self, key: &Key, kvno: Option<u32>) -> Ticket {
        let (cname, crealm) = self.client.to_asn1().unwrap_or_else(|e| panic!("{e}"));
        let (sname, srealm) = self.server.to_asn1().unwrap_or_else(|e| panic!("{e}"));
        let part = EncTicketPart {
            flags: self.flags.to_asn1(),
            key: wire_key(&self.session),
            crealm,
            cname,
            transited: TransitedEncoding {
                r#type: 1,
                contents: self.transited.clone().into(),
            },
            auth_time: kt(self.authtime),
            start_time: self.start.map(kt),
            end_time: kt(self.end),
            renew_till: self.renew_till.map(kt),
            caddr: self.caddr.clone(),
            authorization_data: self.authz.clone(),
        };
        let der = encode(&part).unwrap_or_else(|e| panic!("EncTicketPart: {e}"));
        let cipher = key
            .encrypt(tessera_proto::crypto::usage::KDC_REP_TICKET, &der)
            .unwrap_or_else(|e| panic!("{e}"));
        Ticket {
            tkt_vno: 5.into(),
            realm: srealm,
            sname,
            enc_part: encrypted_data(key.etype().as_i32(), kvno, cipher),
        }
    }
}

/// Authorization data of one or two elements chosen by `u` (AD-IF-RELEVANT
/// wrapping arbitrary bytes, or an arbitrary type).
pub fn authz(u: &mut Unstructured<'_>) -> Result<AuthorizationData> {
    let mut out = Vec::new();
    for _ in 0..u.int_in_range(1..=2)? {
        let r#type: i32 = *pick(u, &[1, 128, 4, -138, 141, 142, 0])?;
        let data = bytes(u, 48)?;
        out.push(AuthorizationDataValue {
            r#type,
            data: data.into(),
        });
    }
    Ok(out)
}

/// Everything inside an authenticator.
#[derive(Debug, Clone)]
pub struct AuthSpec {
    pub client: Principal,
    pub ctime: i64,
    pub cusec: u32,
    pub subkey: Option<Key>,
    pub seq: Option<u32>,
    pub cksum: Option<Checksum>,
    pub authz: Option<AuthorizationData>,
}

impl AuthSpec {
    /// An authenticator of `client` at `now` with no checksum or subkey.
    pub fn valid(client: Principal, now: i64) -> Self {
        AuthSpec {
            client,
            ctime: now,
            cusec: 0,
            subkey: None,
            seq: Some(1),
            cksum: None,
            authz: None,
        }
    }

    /// Lets `u` change ctime, cusec, subkey, sequence number and
    /// authorization data (not the checksum: callers choose that).
    pub fn vary(mut self, u: &mut Unstructured<'_>) -> Result<Self> {
        if rare(u, 6)? {
            self.ctime += delta(u, 86400)?;
        }
        if rare(u, 6)? {
            self.cusec = u.int_in_range(0..=1_000_001)?;
        }
        if rare(u, 6)? {
            self.subkey = Some(session_key(u)?);
        }
        if rare(u, 6)? {
            self.seq = u.arbitrary()?;
        }
        if rare(u, 6)? {
            self.authz = Some(authz(u)?);
        }
        Ok(self)
    }

    /// The authenticator sealed in `session` with key usage `usage`.
    pub fn seal(&self, session: &Key, usage: u32) -> EncryptedData {
        let (cname, crealm) = self.client.to_asn1().unwrap_or_else(|e| panic!("{e}"));
        let auth = Authenticator {
            authenticator_vno: 5.into(),
            crealm,
            cname,
            cksum: self.cksum.clone(),
            cusec: self.cusec.into(),
            ctime: kt(self.ctime),
            subkey: self.subkey.as_ref().map(wire_key),
            seq_number: self.seq,
            authorization_data: self.authz.clone(),
        };
        let der = encode(&auth).unwrap_or_else(|e| panic!("Authenticator: {e}"));
        let cipher = session
            .encrypt(usage, &der)
            .unwrap_or_else(|e| panic!("{e}"));
        encrypted_data(session.etype().as_i32(), None, cipher)
    }
}

/// An AP-REQ of `ticket` with the sealed authenticator `auth`.
pub fn ap_req(ticket: Ticket, auth: EncryptedData, options: ApOptions) -> ApReq {
    ApReq {
        pvno: 5.into(),
        msg_type: 14.into(),
        ap_options: options.to_asn1(),
        ticket,
        authenticator: auth,
    }
}

/// Parses a principal name the fuzz fixtures spell correctly.
pub fn name(s: &str) -> Principal {
    Principal::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}
