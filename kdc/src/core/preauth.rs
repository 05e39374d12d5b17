//! AS pre-authentication: PA-ENC-TIMESTAMP and the METHOD-DATA hint
//! (PA-ETYPE-INFO2 + PA-ENC-TIMESTAMP) sent with KDC_ERR_PREAUTH_REQUIRED.
//!
//! FAST is not implemented, so it is not advertised.

use tessera_proto::crypto::{EncType, usage};
use tessera_proto::msg::time::join_unix_micros;
use tessera_proto::msg::{
    EncryptedData, EtypeInfo2Entry, KdcReq, PaData, PaDataType, PaEncTsEnc, decode,
    decode_pa_value, find_pa_data, pa_data, pa_etype_info2,
};

use super::error::KdcError;
use super::ticket_rules::key_of;
use super::{Exchange, Kdc};
use crate::db::{KeyData, PrincipalEntry, PrincipalFlags};

/// The ETYPE-INFO2 entry describing how `kd` derives from a password.
///
/// s2kparams equal to an RFC enctype's default (PBKDF2 4096 iterations for
/// 17/18, 32768 for 19/20) are left out, as MIT does: RFC 3962 and 8009
/// fix those defaults, and the reply to an unauthenticated AS-REQ stays
/// small. The native enctype's are always sent: its default may change
/// between Tessera versions, and a client must derive what the KDC stored.
pub(super) fn etype_info2_entry(etype: EncType, kd: &KeyData) -> EtypeInfo2Entry {
    let (salt, params) = match &kd.salt {
        Some(s) => (
            Some(String::from_utf8_lossy(&s.salt).into_owned()),
            s.s2kparams.clone(),
        ),
        None => (None, None),
    };
    let default = etype.default_s2kparams();
    let params = params.unwrap_or_else(|| default.clone());
    let implied = etype != EncType::Aes256GcmArgon2id && params == default;
    EtypeInfo2Entry {
        etype: etype.as_i32(),
        salt: salt.and_then(|s| tessera_proto::msg::name::kerberos_string(&s, "salt").ok()),
        s2kparams: (!implied).then(|| params.into()),
    }
}

/// The METHOD-DATA sent with KDC_ERR_PREAUTH_REQUIRED.
fn method_data(usable: &[(EncType, &KeyData)]) -> Result<Vec<PaData>, KdcError> {
    let entries = usable
        .iter()
        .map(|&(e, kd)| etype_info2_entry(e, kd))
        .collect();
    let info = pa_etype_info2(entries).map_err(|_| KdcError::Internal("encoding failed"))?;
    Ok(vec![info, pa_data(PaDataType::EncTimestamp, Vec::new())])
}

/// Checks the AS-REQ's pre-authentication. Returns the key (of the
/// client's current kvno) that decrypted PA-ENC-TIMESTAMP, the one the
/// reply must be sealed in, or `None` when the client sent none and needs
/// none.
pub(super) fn verify<'a>(
    kdc: &Kdc,
    req: &KdcReq,
    client: &'a PrincipalEntry,
    usable: &[(EncType, &KeyData)],
    ex: &Exchange,
) -> Result<Option<(EncType, &'a KeyData)>, KdcError> {
    let padata = req.padata.as_deref().unwrap_or(&[]);
    let Some(pa) = find_pa_data(padata, PaDataType::EncTimestamp) else {
        if client.flags.contains(PrincipalFlags::REQUIRES_PREAUTH) {
            return Err(KdcError::PreauthRequired(method_data(usable)?));
        }
        return Ok(None);
    };
    check_timestamp(kdc, pa, client, usable, ex).map(Some)
}

/// Decrypts PA-ENC-TIMESTAMP with the client's current key of its enctype
/// and checks the time. Only the current kvno proves the client: a
/// timestamp made with a retired key (an old password) fails like a wrong
/// password, whatever kvno it names. The enctype must be one the client
/// listed in the request (`usable`: its list, the realm's and its keys'),
/// since the reply is sealed in the key that decrypted it, which is
/// returned.
fn check_timestamp<'a>(
    kdc: &Kdc,
    pa: &PaData,
    client: &'a PrincipalEntry,
    usable: &[(EncType, &KeyData)],
    ex: &Exchange,
) -> Result<(EncType, &'a KeyData), KdcError> {
    let enc: EncryptedData = decode_pa_value(pa).map_err(|_| KdcError::PreauthFailed)?;
    let etype = EncType::from_i32(enc.etype)
        .filter(|&e| kdc.policy.allows(e) && usable.iter().any(|(u, _)| *u == e))
        .ok_or(KdcError::PreauthFailed)?;
    // Every current key of that enctype (there may be several salts).
    let kvno = client.current_kvno();
    let (kd, plain) = client
        .keys
        .iter()
        .filter(|k| k.kvno == kvno && k.enctype == enc.etype)
        .find_map(|kd| {
            let plain = key_of(kd)
                .ok()?
                .decrypt(usage::AS_REQ_PA_ENC_TIMESTAMP, &enc.cipher)
                .ok()?;
            Some((kd, zeroize::Zeroizing::new(plain)))
        })
        .ok_or(KdcError::PreauthFailed)?;
    let ts: PaEncTsEnc = decode(&plain).map_err(|_| KdcError::PreauthFailed)?;
    // Only now, with the password proven, may the answer reveal skew.
    let usec = ts.pausec.unwrap_or_default();
    let micros = join_unix_micros(&ts.patimestamp, &usec).map_err(|_| KdcError::PreauthFailed)?;
    let skew_micros = kdc.policy.clock_skew.saturating_mul(1_000_000);
    if micros.abs_diff(ex.now_micros()) > skew_micros.unsigned_abs() {
        return Err(KdcError::Skew);
    }
    Ok((etype, kd))
}
