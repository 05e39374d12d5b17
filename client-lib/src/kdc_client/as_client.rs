//! The AS exchange (RFC 4120 section 3.1): a first request without
//! pre-authentication (as MIT's kinit does), then PA-ENC-TIMESTAMP with the
//! salt and parameters from PA-ETYPE-INFO2 when the KDC asks for it.

use tessera_proto::crypto::{CryptoError, EncType, Key, Password, usage};
use tessera_proto::msg::time::kerberos_time;
use tessera_proto::msg::{
    AsRep, AsReq, EncKdcRepPart, ErrorCode, EtypeInfo, EtypeInfo2, KdcOptions, KdcRep, KdcReq,
    KdcReqBody, KrbError, MessageType, PVNO, PaData, PaDataType, Principal, decode,
    decode_pa_value, encode, encrypted_data, find_pa_data, krb_error_method_data, pa_data,
    pa_data_der, pa_enc_ts_enc,
};

use super::reply::{self, Expect, creds_from_reply, decrypt_rep_part, kdc_error};
use super::{Creds, KdcClientError, KdcTransport, S2kLimits, TicketOptions};
use crate::convert::principal_to_kt;
use crate::keytab::Keytab;

/// How the client proves its identity in the AS exchange.
#[derive(Debug, Clone)]
pub enum InitialSecret {
    /// A password; keys are derived with the KDC's salt and parameters.
    Password(Password),
    /// Long-term keys from a keytab (`name` is its path, for messages).
    Keytab {
        /// The keytab's contents.
        keytab: Keytab,
        /// Where it was read from.
        name: String,
    },
}

/// Salt and string-to-key parameters for one enctype.
#[derive(Debug, Clone, Default)]
struct SaltInfo {
    etype: Option<EncType>,
    salt: Option<Vec<u8>>,
    s2kparams: Option<Vec<u8>>,
}

/// The default salt: the realm followed by the name components.
pub fn default_salt(p: &Principal) -> Vec<u8> {
    let mut s = p.realm.as_bytes().to_vec();
    for c in &p.components {
        s.extend_from_slice(c.as_bytes());
    }
    s
}

/// The first entry of PA-ETYPE-INFO2 (or PA-ETYPE-INFO) in `padata` whose
/// enctype is one of `offered`.
fn salt_info(padata: &[PaData], offered: &[EncType]) -> Option<SaltInfo> {
    if let Some(pa) = find_pa_data(padata, PaDataType::EtypeInfo2)
        && let Ok(info) = decode_pa_value::<EtypeInfo2>(pa)
    {
        for e in info {
            if let Some(et) = EncType::from_i32(e.etype).filter(|t| offered.contains(t)) {
                return Some(SaltInfo {
                    etype: Some(et),
                    salt: e.salt.map(|s| s.as_bytes().to_vec()),
                    s2kparams: e.s2kparams.map(|p| p.to_vec()),
                });
            }
        }
    }
    if let Some(pa) = find_pa_data(padata, PaDataType::EtypeInfo)
        && let Ok(info) = decode_pa_value::<EtypeInfo>(pa)
    {
        for e in info {
            if let Some(et) = EncType::from_i32(e.etype).filter(|t| offered.contains(t)) {
                return Some(SaltInfo {
                    etype: Some(et),
                    salt: e.salt.map(|s| s.to_vec()),
                    s2kparams: None,
                });
            }
        }
    }
    None
}

/// The key for `etype`: from the password with the KDC's salt and
/// parameters (which must lie within `limits`, checked before any work),
/// or from the keytab.
fn derive_key(
    secret: &InitialSecret,
    client: &Principal,
    etype: EncType,
    info: &SaltInfo,
    limits: &S2kLimits,
) -> Result<Key, KdcClientError> {
    match secret {
        InitialSecret::Password(pw) => {
            limits
                .check(etype, info.s2kparams.as_deref())
                .map_err(|refused| KdcClientError::S2kParamsRefused {
                    principal: client.to_string(),
                    refused,
                })?;
            let salt = info.salt.clone().unwrap_or_else(|| default_salt(client));
            Ok(Key::from_password(
                etype,
                pw,
                &salt,
                info.s2kparams.as_deref(),
            )?)
        }
        InitialSecret::Keytab { keytab, name } => {
            let kp = principal_to_kt(client);
            let e = keytab
                .find(&kp, None, Some(etype.as_i32()))
                .ok_or_else(|| KdcClientError::NoKeytabKey {
                    keytab: name.clone(),
                    principal: client.to_string(),
                    kvno: None,
                    enctypes: etype.name().to_owned(),
                })?;
            Ok(Key::from_bytes(etype, &e.key)?)
        }
    }
}

/// The key to answer PREAUTH_REQUIRED with: the first PA-ETYPE-INFO2 (or
/// PA-ETYPE-INFO) entry in an enctype we offered (else our first enctype),
/// its salt and parameters checked against `limits` before deriving.
pub(crate) fn preauth_key(
    secret: &InitialSecret,
    client: &Principal,
    offered: &[EncType],
    limits: &S2kLimits,
    methods: &[PaData],
) -> Result<Key, KdcClientError> {
    let info = salt_info(methods, offered).unwrap_or_default();
    let Some(etype) = info.etype.or_else(|| offered.first().copied()) else {
        return Err(KdcClientError::NoCommonEnctype {
            principal: client.to_string(),
            offered: names(offered),
        });
    };
    derive_key(secret, client, etype, &info, limits)
}

/// `etype` (a number from the reply) if it is one of `offered`, else
/// [`KdcClientError::UnofferedEnctype`] (as MIT's kinit, which refuses a
/// reply or session key in an enctype it did not ask for).
pub(crate) fn offered_etype(
    client: &Principal,
    offered: &[EncType],
    what: &'static str,
    etype: i32,
) -> Result<EncType, KdcClientError> {
    EncType::from_i32(etype)
        .filter(|e| offered.contains(e))
        .ok_or_else(|| KdcClientError::UnofferedEnctype {
            principal: client.to_string(),
            what,
            etype,
            offered: names(offered),
        })
}

/// Decrypts an AS-REP's enc-part with the reply key: the one the
/// pre-authentication used if the enctype matches, else one derived from
/// the AS-REP's own PA-ETYPE-INFO2 (within `limits`). The reply's enctype
/// and its session key's must be ones we offered.
pub(crate) fn open_as_rep(
    secret: &InitialSecret,
    client: &Principal,
    offered: &[EncType],
    limits: &S2kLimits,
    preauth_key: Option<Key>,
    rep: &KdcRep,
) -> Result<EncKdcRepPart, KdcClientError> {
    let rep_etype = offered_etype(client, offered, "reply", rep.enc_part.etype)?;
    let k = match preauth_key {
        Some(k) if k.etype() == rep_etype => k,
        _ => {
            let padata = rep.padata.clone().unwrap_or_default();
            let mut info = salt_info(&padata, &[rep_etype]).unwrap_or_default();
            info.etype = Some(rep_etype);
            derive_key(secret, client, rep_etype, &info, limits)?
        }
    };
    let part =
        decrypt_rep_part(&k, usage::AS_REP_ENC_PART, &rep.enc_part).map_err(|e| match e {
            CryptoError::IntegrityFailure => KdcClientError::PasswordIncorrect {
                principal: client.to_string(),
            },
            other => KdcClientError::Crypto(other),
        })?;
    offered_etype(client, offered, "session key", part.key.r#type)?;
    Ok(part)
}

/// The enctypes to offer: with a keytab, only those it has keys for.
fn offered_enctypes(
    secret: &InitialSecret,
    client: &Principal,
    wanted: &[EncType],
) -> Result<Vec<EncType>, KdcClientError> {
    match secret {
        InitialSecret::Password(_) => Ok(wanted.to_vec()),
        InitialSecret::Keytab { keytab, name } => {
            let kp = principal_to_kt(client);
            let have: Vec<EncType> = wanted
                .iter()
                .copied()
                .filter(|e| keytab.find(&kp, None, Some(e.as_i32())).is_some())
                .collect();
            if have.is_empty() {
                return Err(KdcClientError::NoKeytabKey {
                    keytab: name.clone(),
                    principal: client.to_string(),
                    kvno: None,
                    enctypes: names(wanted),
                });
            }
            Ok(have)
        }
    }
}

fn names(e: &[EncType]) -> String {
    e.iter().map(|t| t.name()).collect::<Vec<_>>().join(", ")
}

/// Builds the KDC-REQ-BODY of an AS-REQ.
fn as_body(
    client: &Principal,
    service: &Principal,
    opts: &TicketOptions,
    etypes: &[EncType],
    nonce: u32,
    now: i64,
) -> Result<(KdcReqBody, i64), KdcClientError> {
    let mut kdc_opts = KdcOptions::EMPTY;
    kdc_opts.set(KdcOptions::FORWARDABLE, opts.forwardable);
    kdc_opts.set(KdcOptions::PROXIABLE, opts.proxiable);
    kdc_opts.set(KdcOptions::CANONICALIZE, opts.canonicalize);
    let lifetime = i64::try_from(opts.lifetime.as_secs()).unwrap_or(i64::MAX / 4);
    let till = now.saturating_add(lifetime);
    let rtime = match opts.renew_lifetime {
        Some(r) if !r.is_zero() => {
            kdc_opts.insert(KdcOptions::RENEWABLE);
            let r = i64::try_from(r.as_secs()).unwrap_or(i64::MAX / 4);
            Some(kerberos_time(now.saturating_add(r))?)
        }
        _ => None,
    };
    Ok((
        KdcReqBody {
            kdc_options: kdc_opts.to_asn1(),
            cname: Some(client.to_principal_name()?),
            realm: client.to_realm()?,
            sname: Some(service.to_principal_name()?),
            from: None,
            till: kerberos_time(till)?,
            rtime,
            nonce,
            etype: etypes.iter().map(|e| e.as_i32()).collect(),
            addresses: None,
            enc_authorization_data: None,
            additional_tickets: None,
        },
        till,
    ))
}

/// Gets an initial ticket for `client` to `service` (usually
/// `krbtgt/REALM@REALM`) from the KDCs behind `transport`.
pub async fn get_initial_creds(
    transport: &KdcTransport,
    client: &Principal,
    service: &Principal,
    secret: &InitialSecret,
    opts: &TicketOptions,
    clockskew: i64,
) -> Result<Creds, KdcClientError> {
    let offered = offered_enctypes(secret, client, &opts.enctypes)?;
    let mut padata: Vec<PaData> = Vec::new();
    let mut key: Option<Key> = None;
    let mut preauth_sent = false;
    for _round in 0..3 {
        let nonce = reply::nonce()?;
        let (now, usec) = reply::now();
        let (body, till) = as_body(client, service, opts, &offered, nonce, now)?;
        let req = AsReq(KdcReq {
            pvno: PVNO.into(),
            msg_type: MessageType::AsReq.as_i32().into(),
            padata: (!padata.is_empty()).then(|| padata.clone()),
            req_body: body,
        });
        let reply = transport.send(&encode(&req)?).await?;
        if reply.first() == Some(&0x7e) {
            let err: KrbError = decode(&reply)?;
            let code = ErrorCode::from_i32(err.error_code);
            if code == Some(ErrorCode::PreauthRequired) && !preauth_sent {
                let methods = krb_error_method_data(&err)?.unwrap_or_default();
                let k = preauth_key(secret, client, &offered, &opts.s2k_limits, &methods)?;
                padata = preauth_padata(&k, &methods, now, usec)?;
                key = Some(k);
                preauth_sent = true;
                continue;
            }
            if code == Some(ErrorCode::EtypeNosupp) {
                return Err(KdcClientError::NoCommonEnctype {
                    principal: client.to_string(),
                    offered: names(&offered),
                });
            }
            return Err(kdc_error(&err, client, service));
        }
        let rep: AsRep = decode(&reply)?;
        let rep = rep.0;
        let part = open_as_rep(secret, client, &offered, &opts.s2k_limits, key.take(), &rep)?;
        return creds_from_reply(
            &rep,
            &part,
            &Expect {
                client,
                server: service,
                nonce,
                canonicalize: opts.canonicalize,
                till,
                clockskew,
                check_skew: true,
            },
        );
    }
    Err(KdcClientError::BadReply {
        principal: client.to_string(),
        reason: "the KDC kept asking for pre-authentication",
    })
}

/// PA-FX-COOKIE (echoed, if the KDC sent one) and PA-ENC-TIMESTAMP.
fn preauth_padata(
    key: &Key,
    methods: &[PaData],
    now: i64,
    usec: u32,
) -> Result<Vec<PaData>, KdcClientError> {
    let mut out = Vec::new();
    if let Some(cookie) = find_pa_data(methods, PaDataType::FxCookie) {
        out.push(pa_data(PaDataType::FxCookie, cookie.value.to_vec()));
    }
    let ts = encode(&pa_enc_ts_enc(now, Some(usec))?)?;
    let cipher = key.encrypt(usage::AS_REQ_PA_ENC_TIMESTAMP, &ts)?;
    let enc = encrypted_data(key.etype().as_i32(), None, cipher);
    out.push(pa_data_der(PaDataType::EncTimestamp, &enc)?);
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests_support {
    use super::{EncType, PaData};

    /// (enctype, salt, s2kparams) from PA-ETYPE-INFO2 / PA-ETYPE-INFO.
    #[allow(clippy::type_complexity)]
    pub(crate) fn salt_info(
        padata: &[PaData],
        offered: &[EncType],
    ) -> Option<(Option<EncType>, Option<Vec<u8>>, Option<Vec<u8>>)> {
        super::salt_info(padata, offered).map(|i| (i.etype, i.salt, i.s2kparams))
    }
}
