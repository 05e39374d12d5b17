//! Pieces shared by the AS and TGS exchanges: the clock, nonces, KRB-ERROR
//! mapping, and decrypting and checking a KDC-REP.

use std::time::{SystemTime, UNIX_EPOCH};

use tessera_proto::crypto::{EncType, Key};
use tessera_proto::msg::time::join_unix_micros;
use tessera_proto::msg::{
    EncAsRepPart, EncKdcRepPart, EncTgsRepPart, EncryptedData, ErrorCode, KdcRep, KerberosTimeExt,
    KrbError, Principal, TicketFlags, decode, encode, error_code_text,
};

use super::{Creds, KdcClientError};

/// The local time as (Unix seconds, microseconds).
pub(crate) fn now() -> (i64, u32) {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => (
            i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            d.subsec_micros(),
        ),
        Err(_) => (0, 0),
    }
}

/// A random 31-bit nonce (MIT masks the top bit for old KDCs).
pub(crate) fn nonce() -> Result<u32, KdcClientError> {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).map_err(|_| KdcClientError::Random)?;
    Ok(u32::from_be_bytes(b) & 0x7fff_ffff)
}

/// KDC time minus local time, in seconds, from a KRB-ERROR.
pub(crate) fn skew_offset(err: &KrbError, local_now: i64) -> i64 {
    let stime = join_unix_micros(&err.stime, &err.susec)
        .map(|m| m.div_euclid(1_000_000))
        .unwrap_or_else(|_| err.stime.to_unix());
    stime - local_now
}

fn e_text(err: &KrbError) -> Option<String> {
    err.e_text
        .as_ref()
        .map(|t| String::from_utf8_lossy(t.as_bytes()).into_owned())
        .filter(|t| !t.is_empty())
}

/// Maps a KRB-ERROR to a typed error. `client` is the principal asking,
/// `server` the one asked for.
pub(crate) fn kdc_error(err: &KrbError, client: &Principal, server: &Principal) -> KdcClientError {
    let principal = client.to_string();
    match ErrorCode::from_i32(err.error_code) {
        Some(ErrorCode::PreauthFailed | ErrorCode::ApErrBadIntegrity) => {
            KdcClientError::PasswordIncorrect { principal }
        }
        Some(ErrorCode::KeyExpired) => KdcClientError::PasswordExpired { principal },
        Some(ErrorCode::ApErrSkew) => KdcClientError::ClockSkew {
            principal,
            offset_secs: skew_offset(err, now().0),
        },
        Some(ErrorCode::CPrincipalUnknown) => KdcClientError::ClientUnknown { principal },
        Some(ErrorCode::SPrincipalUnknown) => KdcClientError::ServerUnknown {
            principal: server.to_string(),
        },
        _ => {
            let mut text = error_code_text(err.error_code);
            if let Some(t) = e_text(err) {
                text = format!("{text}: {t}");
            }
            KdcClientError::Kdc {
                principal,
                code: err.error_code,
                text,
            }
        }
    }
}

/// Decrypts a KDC-REP's enc-part with `key` under `usage`, accepting
/// either EncASRepPart or EncTGSRepPart (RFC 4120 5.4.2 notes some KDCs
/// send the latter in AS-REPs).
pub(crate) fn decrypt_rep_part(
    key: &Key,
    usage: u32,
    enc: &EncryptedData,
) -> Result<EncKdcRepPart, tessera_proto::crypto::CryptoError> {
    let plain = zeroize::Zeroizing::new(key.decrypt(usage, &enc.cipher)?);
    if let Ok(p) = decode::<EncAsRepPart>(&plain) {
        return Ok(p.0);
    }
    match decode::<EncTgsRepPart>(&plain) {
        Ok(p) => Ok(p.0),
        Err(_) => Err(tessera_proto::crypto::CryptoError::IntegrityFailure),
    }
}

/// Builds [`Creds`] from a KDC-REP and its decrypted part after checking
/// nonce, names and times.
pub(crate) fn creds_from_reply(
    rep: &KdcRep,
    part: &EncKdcRepPart,
    expect: &Expect<'_>,
) -> Result<Creds, KdcClientError> {
    let bad = |reason| KdcClientError::BadReply {
        principal: expect.client.to_string(),
        reason,
    };
    if part.nonce != expect.nonce {
        return Err(bad("nonce does not match the request"));
    }
    let client = Principal::from_asn1(&rep.cname, &rep.crealm)?;
    let server = Principal::from_asn1(&part.sname, &part.srealm)?;
    let tkt_server = Principal::from_asn1(&rep.ticket.sname, &rep.ticket.realm)?;
    if !tkt_server.same_name(&server) {
        return Err(bad("ticket's server differs from the encrypted part's"));
    }
    if !expect.canonicalize {
        if !client.same_name(expect.client) {
            return Err(bad("client name differs from the request"));
        }
        if !server.same_name(expect.server) {
            return Err(bad("server name differs from the request"));
        }
    } else if expect.server.is_krbtgt() != server.is_krbtgt() {
        return Err(bad("server name differs from the request"));
    }
    let etype = EncType::from_i32(part.key.r#type).ok_or(
        tessera_proto::crypto::CryptoError::UnsupportedEnctype(part.key.r#type),
    )?;
    let session_key = Key::from_bytes(etype, &part.key.value)?;
    let authtime = part.auth_time.to_unix();
    let starttime = part.start_time.as_ref().map(KerberosTimeExt::to_unix);
    let endtime = part.end_time.to_unix();
    let renew_till = part.renew_till.as_ref().map(KerberosTimeExt::to_unix);
    let (local, _) = now();
    let start = starttime.unwrap_or(authtime);
    if endtime <= start {
        return Err(bad("ticket ends before it starts"));
    }
    if endtime <= local - expect.clockskew {
        return Err(bad("ticket already expired"));
    }
    if expect.till > 0 && endtime > expect.till + expect.clockskew {
        return Err(bad("ticket ends later than requested"));
    }
    if expect.check_skew && (start - local).abs() > expect.clockskew {
        return Err(KdcClientError::ClockSkew {
            principal: expect.client.to_string(),
            offset_secs: start - local,
        });
    }
    Ok(Creds {
        client,
        server,
        session_key,
        ticket_der: encode(&rep.ticket)?,
        ticket: rep.ticket.clone(),
        ticket_etype: rep.ticket.enc_part.etype,
        ticket_kvno: rep.ticket.enc_part.kvno,
        flags: TicketFlags::from_asn1(&part.flags),
        authtime,
        starttime,
        endtime,
        renew_till,
    })
}

/// What a reply must match.
pub(crate) struct Expect<'a> {
    pub client: &'a Principal,
    pub server: &'a Principal,
    pub nonce: u32,
    pub canonicalize: bool,
    /// Requested end time (0: no check).
    pub till: i64,
    pub clockskew: i64,
    /// Check that the ticket starts within the skew of our clock.
    pub check_skew: bool,
}
