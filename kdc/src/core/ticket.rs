//! Pieces shared by the AS and TGS replies: times, keys, sealing.

use tessera_proto::crypto::{EncType, Key};
use tessera_proto::msg::asn1::{EncKdcRepPart, TransitedEncoding};
use tessera_proto::msg::time::{MAX_UNIX, MIN_UNIX};
use tessera_proto::msg::{
    EncryptedData, EncryptionKey, KerberosTime, KerberosTimeExt, LastReq, LastReqValue, Principal,
    PrincipalName, Realm,
};
use zeroize::Zeroizing;

use super::error::KdcError;

/// Protocol version number.
pub(crate) const PVNO: i32 = 5;

/// A whole-second KerberosTime, clamped to the representable range.
pub(crate) fn kt(secs: i64) -> Result<KerberosTime, KdcError> {
    KerberosTime::from_unix(secs.clamp(MIN_UNIX, MAX_UNIX))
        .map_err(|_| KdcError::Internal("time out of range"))
}

/// The wire EncryptionKey of a protocol key.
pub(crate) fn encryption_key(k: &Key) -> EncryptionKey {
    EncryptionKey {
        r#type: k.etype().as_i32(),
        value: k.as_bytes().to_vec().into(),
    }
}

/// A protocol key from a wire EncryptionKey (peer or ticket data).
pub(crate) fn key_from_wire(k: &EncryptionKey) -> Option<Key> {
    let etype = EncType::from_i32(k.r#type)?;
    Key::from_bytes(etype, &k.value).ok()
}

/// DER-encoded plaintext held in memory that is wiped on drop.
pub(crate) fn der(
    r: Result<Vec<u8>, tessera_proto::msg::EncodeError>,
) -> Result<Zeroizing<Vec<u8>>, KdcError> {
    r.map(Zeroizing::new)
        .map_err(|_| KdcError::Internal("encoding failed"))
}

/// Encrypts DER plaintext into an EncryptedData.
pub(crate) fn seal(
    plain: &[u8],
    key: &Key,
    usage: u32,
    kvno: Option<u32>,
) -> Result<EncryptedData, KdcError> {
    let cipher = key
        .encrypt(usage, plain)
        .map_err(|_| KdcError::Internal("encryption failed"))?;
    Ok(EncryptedData {
        etype: key.etype().as_i32(),
        kvno,
        cipher: cipher.into(),
    })
}

/// The wire name and realm of a principal.
pub(crate) fn wire_name(p: &Principal) -> Result<(PrincipalName, Realm), KdcError> {
    p.to_asn1()
        .map_err(|_| KdcError::Internal("name cannot be encoded"))
}

/// An empty transited encoding (single-realm tickets).
pub(crate) fn no_transit() -> TransitedEncoding {
    TransitedEncoding {
        r#type: 1,
        contents: Vec::new().into(),
    }
}

/// The LastReq MIT sends when it has nothing to say (type 0, time 0),
/// plus the password expiration (type 6) when known.
pub(crate) fn last_req(pw_expiration: Option<i64>) -> Result<LastReq, KdcError> {
    let mut out = vec![LastReqValue {
        r#type: 0,
        value: kt(0)?,
    }];
    if let Some(t) = pw_expiration {
        out.push(LastReqValue {
            r#type: 6,
            value: kt(t)?,
        });
    }
    Ok(out)
}

/// The times and flags of an issued ticket, shared by the ticket and the
/// reply's encrypted part.
#[derive(Debug, Clone)]
pub(crate) struct Issued {
    /// Ticket flags.
    pub flags: tessera_proto::msg::TicketFlags,
    /// Auth time.
    pub authtime: i64,
    /// Start time.
    pub start: i64,
    /// End time.
    pub end: i64,
    /// Renew-till.
    pub renew_till: Option<i64>,
}

/// The reply's encrypted part (EncKDCRepPart) for a ticket.
#[allow(clippy::too_many_arguments)]
pub(crate) fn enc_rep_part(
    session: &Key,
    last_req: LastReq,
    nonce: u32,
    key_expiration: Option<i64>,
    issued: &Issued,
    server: &(PrincipalName, Realm),
    caddr: Option<tessera_proto::msg::HostAddresses>,
) -> Result<EncKdcRepPart, KdcError> {
    Ok(EncKdcRepPart {
        key: encryption_key(session),
        last_req,
        nonce,
        key_expiration: key_expiration.map(kt).transpose()?,
        flags: issued.flags.to_asn1(),
        auth_time: kt(issued.authtime)?,
        start_time: Some(kt(issued.start)?),
        end_time: kt(issued.end)?,
        renew_till: issued.renew_till.map(kt).transpose()?,
        srealm: server.1.clone(),
        sname: server.0.clone(),
        caddr,
        encrypted_pa_data: None,
    })
}
