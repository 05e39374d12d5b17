//! Pre-built, pairwise distinct AS-REQs (with PA-ENC-TIMESTAMP) and
//! TGS-REQs (each with a fresh authenticator and subkey), and the checks
//! their replies must pass.
//!
//! Every request has its own nonce and its own timestamp (the microseconds
//! field counts up), so neither KDC's lookaside (reply) cache nor replay
//! cache can answer from memory.

use std::time::{SystemTime, UNIX_EPOCH};

use tessera_client::kdc_client::Creds;
use tessera_proto::crypto::{EncType, Key, usage};
use tessera_proto::msg::time::{kerberos_time, microseconds};
use tessera_proto::msg::{
    ApOptions, ApReq, AsReq, Authenticator, Checksum, EncAsRepPart, EncKdcRepPart, EncTgsRepPart,
    EncryptionKey, KdcOptions, KdcReq, KdcReqBody, MessageType, PVNO, PaDataType, Principal,
    TgsReq, TicketFlags, decode, encode, encrypted_data, pa_data_der, pa_enc_ts_enc,
};

use crate::error::LoadError;

/// Requested ticket lifetime (below both KDCs' maximum).
const LIFETIME_SECS: i64 = 8 * 3600;

/// One request ready to send and what its reply must show.
#[derive(Debug)]
pub struct Prepared {
    /// The DER request.
    pub der: Vec<u8>,
    /// The nonce the reply's encrypted part must carry.
    pub nonce: u32,
    /// The TGS-REQ's authenticator subkey (None for AS-REQs).
    pub subkey: Option<Key>,
}

/// Seconds and microseconds since the epoch.
pub fn now() -> (i64, u32) {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => (
            i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2),
            d.subsec_micros(),
        ),
        Err(_) => (0, 0),
    }
}

/// The i-th distinct (seconds, microseconds) after `start`: one microsecond
/// apart, so requests never share a timestamp.
fn nth_time(start: (i64, u32), i: usize) -> (i64, u32) {
    let micros = u64::from(start.1) + i as u64;
    let secs = start.0 + i64::try_from(micros / 1_000_000).unwrap_or(0);
    (secs, (micros % 1_000_000) as u32)
}

/// The i-th nonce: distinct 31-bit values from a per-run seed.
fn nth_nonce(seed: u32, i: usize) -> u32 {
    seed.wrapping_add(i as u32) & 0x7fff_ffff
}

/// A nonce seed that differs between runs.
pub fn nonce_seed() -> Result<u32, LoadError> {
    let k = Key::random(EncType::Aes128CtsHmacSha196)?;
    let b = k.as_bytes();
    Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// `count` AS-REQs for `client` to `krbtgt/REALM`, each carrying
/// PA-ENC-TIMESTAMP encrypted in `key` and offering only `key`'s enctype.
pub fn as_requests(
    client: &Principal,
    key: &Key,
    count: usize,
    seed: u32,
) -> Result<Vec<Prepared>, LoadError> {
    let tgs = Principal::krbtgt(&client.realm);
    let start = now();
    let till = kerberos_time(start.0 + LIFETIME_SECS)?;
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let nonce = nth_nonce(seed, i);
        let (secs, usec) = nth_time(start, i);
        let body = KdcReqBody {
            kdc_options: KdcOptions::FORWARDABLE.to_asn1(),
            cname: Some(client.to_principal_name()?),
            realm: client.to_realm()?,
            sname: Some(tgs.to_principal_name()?),
            from: None,
            till: till.clone(),
            rtime: None,
            nonce,
            etype: vec![key.etype().as_i32()],
            addresses: None,
            enc_authorization_data: None,
            additional_tickets: None,
        };
        let ts = encode(&pa_enc_ts_enc(secs, Some(usec))?)?;
        let cipher = key.encrypt(usage::AS_REQ_PA_ENC_TIMESTAMP, &ts)?;
        let enc = encrypted_data(key.etype().as_i32(), None, cipher);
        let req = AsReq(KdcReq {
            pvno: PVNO.into(),
            msg_type: MessageType::AsReq.as_i32().into(),
            padata: Some(vec![pa_data_der(PaDataType::EncTimestamp, &enc)?]),
            req_body: body,
        });
        out.push(Prepared {
            der: encode(&req)?,
            nonce,
            subkey: None,
        });
    }
    Ok(out)
}

/// `count` TGS-REQs for `service` with `tgt`, each with its own nonce,
/// authenticator time and random subkey.
pub fn tgs_requests(
    tgt: &Creds,
    service: &Principal,
    count: usize,
    seed: u32,
) -> Result<Vec<Prepared>, LoadError> {
    let skey = &tgt.session_key;
    let etype = skey.etype();
    // Options follow the TGT's flags, as MIT's library does.
    let mut kdc_opts = KdcOptions::EMPTY;
    kdc_opts.set(
        KdcOptions::FORWARDABLE,
        tgt.flags.contains(TicketFlags::FORWARDABLE),
    );
    let till = kerberos_time(tgt.endtime)?;
    let start = now();
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let nonce = nth_nonce(seed, i);
        let (secs, usec) = nth_time(start, i);
        let body = KdcReqBody {
            kdc_options: kdc_opts.to_asn1(),
            cname: None,
            realm: service.to_realm()?,
            sname: Some(service.to_principal_name()?),
            from: None,
            till: till.clone(),
            rtime: None,
            nonce,
            etype: vec![etype.as_i32()],
            addresses: None,
            enc_authorization_data: None,
            additional_tickets: None,
        };
        let cksum = skey.checksum(usage::TGS_REQ_AUTH_CKSUM, &encode(&body)?)?;
        let subkey = Key::random(etype)?;
        let auth = Authenticator {
            authenticator_vno: PVNO.into(),
            crealm: tgt.client.to_realm()?,
            cname: tgt.client.to_principal_name()?,
            cksum: Some(Checksum {
                r#type: cksum.cksumtype.as_i32(),
                checksum: cksum.value.into(),
            }),
            cusec: microseconds(usec)?,
            ctime: kerberos_time(secs)?,
            subkey: Some(EncryptionKey {
                r#type: etype.as_i32(),
                value: subkey.as_bytes().to_vec().into(),
            }),
            seq_number: None,
            authorization_data: None,
        };
        let auth_der = zeroize::Zeroizing::new(encode(&auth)?);
        let ap_req = ApReq {
            pvno: PVNO.into(),
            msg_type: MessageType::ApReq.as_i32().into(),
            ap_options: ApOptions::EMPTY.to_asn1(),
            ticket: tgt.ticket.clone(),
            authenticator: encrypted_data(
                etype.as_i32(),
                None,
                skey.encrypt(usage::TGS_REQ_AUTH, &auth_der)?,
            ),
        };
        let req = TgsReq(KdcReq {
            pvno: PVNO.into(),
            msg_type: MessageType::TgsReq.as_i32().into(),
            padata: Some(vec![pa_data_der(PaDataType::TgsReq, &ap_req)?]),
            req_body: body,
        });
        out.push(Prepared {
            der: encode(&req)?,
            nonce,
            subkey: Some(subkey),
        });
    }
    Ok(out)
}

/// Why a reply does not count as a successful exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bad {
    /// A KRB-ERROR with this code.
    KrbError(i32),
    /// Not the expected message, or it does not decode.
    Malformed,
    /// The encrypted part does not decrypt with the expected key.
    Decrypt,
    /// The encrypted part carries another nonce.
    Nonce,
}

/// Checks an AS-REP (`as_key` given) or TGS-REP (`as_key` None: the
/// request's subkey, or else `session_key`) against `req`.
pub fn check_reply(
    req: &Prepared,
    reply: &[u8],
    as_key: Option<&Key>,
    session_key: Option<&Key>,
) -> Result<(), Bad> {
    if reply.first() == Some(&0x7e) {
        let err: tessera_proto::msg::KrbError = decode(reply).map_err(|_| Bad::Malformed)?;
        return Err(Bad::KrbError(err.error_code));
    }
    let (rep, attempts): (tessera_proto::msg::KdcRep, Vec<(&Key, u32)>) = match as_key {
        Some(k) => {
            let r: tessera_proto::msg::AsRep = decode(reply).map_err(|_| Bad::Malformed)?;
            (r.0, vec![(k, usage::AS_REP_ENC_PART)])
        }
        None => {
            let r: tessera_proto::msg::TgsRep = decode(reply).map_err(|_| Bad::Malformed)?;
            let mut keys = Vec::new();
            if let Some(s) = &req.subkey {
                keys.push((s, usage::TGS_REP_ENC_PART_SUBKEY));
            }
            if let Some(s) = session_key {
                keys.push((s, usage::TGS_REP_ENC_PART_SESSION_KEY));
            }
            (r.0, keys)
        }
    };
    let part = attempts
        .iter()
        .find_map(|(k, u)| k.decrypt(*u, &rep.enc_part.cipher).ok())
        .map(zeroize::Zeroizing::new)
        .ok_or(Bad::Decrypt)?;
    let enc: EncKdcRepPart = match decode::<EncAsRepPart>(&part) {
        Ok(p) => p.0,
        Err(_) => {
            decode::<EncTgsRepPart>(&part)
                .map_err(|_| Bad::Malformed)?
                .0
        }
    };
    if enc.nonce != req.nonce {
        return Err(Bad::Nonce);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_nonces_are_distinct() {
        let start = (1_700_000_000, 999_998);
        assert_eq!(nth_time(start, 0), (1_700_000_000, 999_998));
        assert_eq!(nth_time(start, 2), (1_700_000_001, 0));
        assert_eq!(nth_nonce(0x7fff_ffff, 1), 0);
        let mut n: Vec<u32> = (0..1000).map(|i| nth_nonce(12345, i)).collect();
        n.sort_unstable();
        n.dedup();
        assert_eq!(n.len(), 1000);
    }

    #[test]
    fn as_requests_differ_and_decode() -> Result<(), LoadError> {
        let client = Principal::parse("user@EXAMPLE.TEST")?;
        let key = Key::random(EncType::Aes256CtsHmacSha196)?;
        let reqs = as_requests(&client, &key, 3, 7)?;
        assert_eq!(reqs.len(), 3);
        assert_ne!(reqs[0].der, reqs[1].der);
        let r: AsReq = decode(&reqs[2].der).map_err(|_| LoadError::Enctype(0))?;
        assert_eq!(r.0.req_body.nonce, 9);
        assert_eq!(r.0.req_body.etype, vec![18]);
        Ok(())
    }

    #[test]
    fn krb_error_reply_is_reported() {
        let req = Prepared {
            der: Vec::new(),
            nonce: 1,
            subkey: None,
        };
        assert_eq!(
            check_reply(&req, &[0x7e, 0x00], None, None),
            Err(Bad::Malformed)
        );
        assert_eq!(
            check_reply(&req, &[0x6d, 0x00], None, None),
            Err(Bad::Malformed)
        );
    }
}
