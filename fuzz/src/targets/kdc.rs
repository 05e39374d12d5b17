//! `kdc_handle`: the KDC's whole `Kdc::handle`, structure-aware (feature
//! `kdc`). An input is a short session of operations against a fresh
//! [`Kdc`] over the fuzz realm ([`crate::realm`]): AS-REQs with or without
//! a valid PA-ENC-TIMESTAMP, TGS-REQs with a valid TGT (the fixed one, or
//! one an earlier AS-REP of the same input issued) or a forged ticket of
//! chosen flags and times sealed in the krbtgt key, clock steps and
//! retransmits, each encoded and then possibly mutated. Every reply must
//! decode as AS-REP, TGS-REP or KRB-ERROR.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use tessera_kdc::core::{Kdc, Lockout, LockoutOptions};
use tessera_kdc::net::Transport;
use tessera_proto::crypto::{EncType, Key, usage};
use tessera_proto::msg::asn1::{EncAsRepPart, KdcReq};
use tessera_proto::msg::{
    ApOptions, AsRep, AsReq, Checksum, KdcOptions, KdcReqBody, KrbError, MessageType, NameType,
    PaData, PaDataType, Principal, TgsRep, TgsReq, Ticket, decode, encode, encrypted_data, pa_data,
    pa_data_der, pa_data_raw, pa_enc_ts_enc,
};

use crate::forge::{AuthSpec, NOW, TicketSpec, fixed_key, kt, name, session_key};
use crate::mutate::{bytes, delta, mutate, often, pick, rare, raw};
use crate::realm::{ALICE, BOB, CHANGEPW, FuzzRealm, KRBTGT, REALM, SERVICE, realm};

pub(crate) fn t(secs: i64) -> SystemTime {
    if secs >= 0 {
        UNIX_EPOCH + Duration::from_secs(secs.unsigned_abs())
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
    }
}

pub(crate) fn peer() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 50_000))
}

/// A TGT (or any ticket) with its session key.
struct Tgt {
    ticket: Ticket,
    session: Key,
    client: Principal,
}

/// Enctype numbers a request may list: ours, old ones, unknown ones.
const ETYPES: &[i32] = &[18, 17, 20, 19, -32341, 23, 16, 3, 1, 0, -1, 25, 26];

fn etypes(u: &mut Unstructured<'_>) -> Result<Vec<i32>> {
    // Mostly a list a real client sends; sometimes anything.
    if often(u, 3)? {
        return Ok(pick(
            u,
            &[
                &[18, 17][..],
                &[20, 19, 18, 17],
                &[18],
                &[17],
                &[-32341, 20, 18],
            ],
        )?
        .to_vec());
    }
    if rare(u, 8)? {
        return Ok(Vec::new());
    }
    let n = u.int_in_range(1..=6)?;
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        v.push(if rare(u, 10)? {
            u.arbitrary()?
        } else {
            *pick(u, ETYPES)?
        });
    }
    Ok(v)
}

/// Mostly the options of a plain request (none, or forwardable and
/// canonicalize); sometimes up to three of `usual`; rarely any bits.
fn kdc_options(u: &mut Unstructured<'_>, usual: &[KdcOptions]) -> Result<KdcOptions> {
    if often(u, 2)? {
        return Ok(*pick(
            u,
            &[
                KdcOptions::EMPTY,
                KdcOptions::FORWARDABLE.with(KdcOptions::CANONICALIZE),
                KdcOptions::FORWARDABLE
                    .with(KdcOptions::RENEWABLE)
                    .with(KdcOptions::RENEWABLE_OK),
            ],
        )?);
    }
    if rare(u, 6)? {
        Ok(KdcOptions(u.arbitrary()?))
    } else {
        let mut o = KdcOptions::EMPTY;
        for _ in 0..u.int_in_range(1..=3)? {
            o = o.with(*pick(u, usual)?);
        }
        Ok(o)
    }
}

const AS_OPTIONS: &[KdcOptions] = &[
    KdcOptions::FORWARDABLE,
    KdcOptions::PROXIABLE,
    KdcOptions::RENEWABLE,
    KdcOptions::RENEWABLE_OK,
    KdcOptions::CANONICALIZE,
    KdcOptions::ALLOW_POSTDATE,
    KdcOptions::POSTDATED,
    KdcOptions::REQUEST_ANONYMOUS,
];

const TGS_OPTIONS: &[KdcOptions] = &[
    KdcOptions::FORWARDABLE,
    KdcOptions::FORWARDED,
    KdcOptions::PROXIABLE,
    KdcOptions::PROXY,
    KdcOptions::RENEWABLE,
    KdcOptions::RENEW,
    KdcOptions::VALIDATE,
    KdcOptions::RENEWABLE_OK,
    KdcOptions::CANONICALIZE,
    KdcOptions::ENC_TKT_IN_SKEY,
    KdcOptions::CNAME_IN_ADDL_TKT,
    KdcOptions::POSTDATED,
];

fn client_name(u: &mut Unstructured<'_>) -> Result<Principal> {
    Ok(match u.int_in_range(0u8..=7)? {
        0..=2 => name(ALICE),
        3 => name(BOB),
        4 => name(SERVICE),
        5 => name("nobody@FUZZ.TEST"),
        6 => Principal::new(NameType::Enterprise, vec![ALICE.to_owned()], REALM),
        _ => name("alice@OTHER.REALM"),
    })
}

fn server_name(u: &mut Unstructured<'_>) -> Result<Principal> {
    Ok(match u.int_in_range(0u8..=7)? {
        0..=2 => name(SERVICE),
        3 => name(KRBTGT),
        4 => name(CHANGEPW),
        5 => name("krbtgt/OTHER.REALM@FUZZ.TEST"),
        6 => name(ALICE),
        _ => Principal::new(
            NameType::SrvHst,
            vec!["host".into(), "server.fuzz".into()],
            "",
        ),
    })
}

/// A request body with times around `now` and names chosen by `u`.
fn body(
    u: &mut Unstructured<'_>,
    cname: Option<&Principal>,
    server: &Principal,
    opts: KdcOptions,
    now: i64,
) -> Result<KdcReqBody> {
    let (sname, srealm) = server.to_asn1().unwrap_or_else(|e| panic!("{e}"));
    let realm = if srealm.as_bytes().is_empty() {
        // The referral realm on the wire is spelled in the body realm.
        REALM.to_owned().try_into().unwrap_or(srealm)
    } else {
        srealm
    };
    Ok(KdcReqBody {
        kdc_options: opts.to_asn1(),
        cname: cname.map(|c| c.to_principal_name().unwrap_or_else(|e| panic!("{e}"))),
        realm,
        sname: if rare(u, 20)? { None } else { Some(sname) },
        from: if rare(u, 6)? {
            Some(kt(now + delta(u, 7 * 86400)?))
        } else {
            None
        },
        till: kt(match u.int_in_range(0u8..=9)? {
            0 => 0,
            1 => now + delta(u, 3 * 86400)?,
            _ => now + u.int_in_range(1..=3 * 86400)?,
        }),
        rtime: if rare(u, 4)? {
            Some(kt(now + delta(u, 30 * 86400)?))
        } else {
            None
        },
        nonce: u.arbitrary()?,
        etype: etypes(u)?,
        addresses: if rare(u, 8)? {
            Some(vec![tessera_proto::msg::HostAddress {
                addr_type: *pick(u, &[2, 24, 20, 0])?,
                address: bytes(u, 16)?.into(),
            }])
        } else {
            None
        },
        enc_authorization_data: None,
        additional_tickets: None,
    })
}

fn extra_padata(u: &mut Unstructured<'_>) -> Result<PaData> {
    Ok(match u.int_in_range(0u8..=3)? {
        0 => tessera_proto::msg::pa_pac_request(u.arbitrary()?).unwrap_or_else(|e| panic!("{e}")),
        1 => pa_data(PaDataType::FxFast, bytes(u, 64)?),
        2 => pa_data(PaDataType::ForUser, bytes(u, 64)?),
        _ => pa_data_raw(u.arbitrary()?, bytes(u, 32)?),
    })
}

fn as_req(u: &mut Unstructured<'_>, r: &FuzzRealm, now: i64) -> Result<Vec<u8>> {
    let client = client_name(u)?;
    let server = if often(u, 4)? {
        name(KRBTGT)
    } else {
        server_name(u)?
    };
    let opts = kdc_options(u, AS_OPTIONS)?;
    let req_body = body(u, Some(&client), &server, opts, now)?;
    let mut padata = Vec::new();
    if often(u, 4)? {
        // PA-ENC-TIMESTAMP: usually in a listed enctype under the client's
        // real key, sometimes in any key or enctype.
        let cname = client.to_string();
        let usable = req_body
            .etype
            .iter()
            .filter_map(|&e| EncType::from_i32(e))
            .find(|&e| r.key(&cname, e).is_some());
        let etype = match usable {
            Some(e) if often(u, 5)? => e,
            _ => *pick(u, &EncType::ALL)?,
        };
        let key = match r.key(&cname, etype) {
            Some((k, _)) if often(u, 8)? => k,
            _ => fixed_key(etype, u.arbitrary()?),
        };
        let at = now
            + if often(u, 4)? {
                delta(u, 60)?
            } else {
                delta(u, 86400)?
            };
        let usec = if u.arbitrary()? {
            Some(u.int_in_range(0..=1_000_001)?)
        } else {
            None
        };
        let ts = pa_enc_ts_enc(at, usec).ok().and_then(|ts| encode(&ts).ok());
        if let Some(ts) = ts {
            let cipher = key
                .encrypt(usage::AS_REQ_PA_ENC_TIMESTAMP, &ts)
                .unwrap_or_else(|e| panic!("{e}"));
            let kvno = if rare(u, 4)? {
                Some(u.arbitrary()?)
            } else {
                None
            };
            let enc = encrypted_data(key.etype().as_i32(), kvno, cipher);
            padata.push(
                pa_data_der(PaDataType::EncTimestamp, &enc).unwrap_or_else(|e| panic!("{e}")),
            );
        }
    }
    if rare(u, 4)? {
        for _ in 0..u.int_in_range(1..=2)? {
            padata.push(extra_padata(u)?);
        }
    }
    let req = AsReq(KdcReq {
        pvno: 5.into(),
        msg_type: 10.into(),
        padata: (!padata.is_empty()).then_some(padata),
        req_body,
    });
    Ok(encode(&req).unwrap_or_else(|e| panic!("AS-REQ: {e}")))
}

/// A TGS-REQ with `tgt`. `n` tells the requests of one input apart (it
/// is the authenticator's cusec, so they are not replays of each other).
fn tgs_req(u: &mut Unstructured<'_>, tgt: &Tgt, now: i64, n: u32) -> Result<Vec<u8>> {
    let server = server_name(u)?;
    let opts = kdc_options(u, TGS_OPTIONS)?;
    let cname = if rare(u, 10)? {
        Some(client_name(u)?)
    } else {
        None
    };
    let mut req_body = body(u, cname.as_ref(), &server, opts, now)?;
    if opts.contains(KdcOptions::ENC_TKT_IN_SKEY)
        || opts.contains(KdcOptions::CNAME_IN_ADDL_TKT)
        || rare(u, 10)?
    {
        req_body.additional_tickets = Some(vec![tgt.ticket.clone()]);
    }
    let mut auth = AuthSpec::valid(tgt.client.clone(), now);
    auth.cusec = n;
    let mut auth = auth.vary(u)?;
    if rare(u, 8)? {
        let ad = crate::forge::authz(u)?;
        let ad_der = encode(&ad).unwrap_or_else(|e| panic!("{e}"));
        let (key, use_) = match &auth.subkey {
            Some(k) if u.arbitrary()? => (k.clone(), usage::TGS_REQ_AD_SUBKEY),
            _ => (tgt.session.clone(), usage::TGS_REQ_AD_SESSION_KEY),
        };
        let cipher = key.encrypt(use_, &ad_der).unwrap_or_else(|e| panic!("{e}"));
        req_body.enc_authorization_data = Some(encrypted_data(key.etype().as_i32(), None, cipher));
    }
    let body_der = encode(&req_body).unwrap_or_else(|e| panic!("{e}"));
    auth.cksum = match u.int_in_range(0u8..=9)? {
        0 => None,
        1 => Some(Checksum {
            r#type: u.arbitrary()?,
            checksum: bytes(u, 48)?.into(),
        }),
        2 => {
            let ck = tgt
                .session
                .checksum(usage::TGS_REQ_AUTH_CKSUM, b"another body")
                .unwrap_or_else(|e| panic!("{e}"));
            Some(Checksum {
                r#type: ck.cksumtype.as_i32(),
                checksum: ck.value.into(),
            })
        }
        _ => {
            let ck = tgt
                .session
                .checksum(usage::TGS_REQ_AUTH_CKSUM, &body_der)
                .unwrap_or_else(|e| panic!("{e}"));
            Some(Checksum {
                r#type: ck.cksumtype.as_i32(),
                checksum: ck.value.into(),
            })
        }
    };
    let sealed = auth.seal(&tgt.session, usage::TGS_REQ_AUTH);
    let ap_opts = if rare(u, 8)? {
        ApOptions(u.arbitrary()?)
    } else {
        ApOptions::EMPTY
    };
    let ap = crate::forge::ap_req(tgt.ticket.clone(), sealed, ap_opts);
    let mut padata = vec![pa_data(
        PaDataType::TgsReq,
        encode(&ap).unwrap_or_else(|e| panic!("{e}")),
    )];
    if rare(u, 4)? {
        for _ in 0..u.int_in_range(1..=2)? {
            padata.push(extra_padata(u)?);
        }
    }
    let req = TgsReq(KdcReq {
        pvno: 5.into(),
        msg_type: 12.into(),
        padata: Some(padata),
        req_body,
    });
    Ok(encode(&req).unwrap_or_else(|e| panic!("TGS-REQ: {e}")))
}

/// A ticket for `server` from `client`, sealed in a current key of
/// `server` (enctype chosen by `u`), with fields varied by `u`.
fn forged(
    u: &mut Unstructured<'_>,
    r: &FuzzRealm,
    client: Principal,
    server: &str,
    now: i64,
) -> Result<Tgt> {
    let keys = r.keys(server);
    let (key, kvno) = pick(u, &keys)?.clone();
    let session = session_key(u)?;
    let spec = TicketSpec::valid(client.clone(), name(server), session.clone(), now);
    let spec = if rare(u, 3)? { spec.vary(u)? } else { spec };
    let kvno = if rare(u, 10)? {
        u.arbitrary()?
    } else {
        Some(kvno)
    };
    Ok(Tgt {
        ticket: spec.seal(&key, kvno),
        session: spec.session,
        client,
    })
}

/// Replies seen by this process: AS-REP, TGS-REP, KRB-ERROR, and AS-REPs
/// the fuzz client opened. With `TESSERA_FUZZ_STATS` set, printed to
/// stderr every 1000 replies (to see that inputs get past decryption).
static STATS: [AtomicU64; 4] = [const { AtomicU64::new(0) }; 4];

static ERRORS: std::sync::Mutex<std::collections::BTreeMap<i32, u64>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

fn count(i: usize) {
    static ON: OnceLock<bool> = OnceLock::new();
    let n = STATS[i].fetch_add(1, Ordering::Relaxed);
    if *ON.get_or_init(|| std::env::var_os("TESSERA_FUZZ_STATS").is_some())
        && STATS.iter().map(|s| s.load(Ordering::Relaxed)).sum::<u64>() % 1000 == 0
    {
        let v: Vec<u64> = STATS.iter().map(|s| s.load(Ordering::Relaxed)).collect();
        eprintln!(
            "kdc_handle replies: AS-REP {} TGS-REP {} KRB-ERROR {} (AS-REPs opened {}) n={n}",
            v[0], v[1], v[2], v[3]
        );
    }
}

/// Checks one KDC reply; returns a new TGT when it is an AS-REP that
/// alice's or bob's key opens and whose ticket is for the krbtgt.
fn check_reply(reply: &[u8], r: &FuzzRealm) -> Option<Tgt> {
    let kind = MessageType::peek(reply);
    count(match kind {
        Ok(MessageType::AsRep) => 0,
        Ok(MessageType::TgsRep) => 1,
        _ => 2,
    });
    match kind {
        Ok(MessageType::AsRep) => {
            let rep = decode::<AsRep>(reply)
                .unwrap_or_else(|e| panic!("AS-REP does not decode: {e}"))
                .0;
            for who in [ALICE, BOB] {
                let Some(etype) = EncType::from_i32(rep.enc_part.etype) else {
                    continue;
                };
                let Some((key, _)) = r.key(who, etype) else {
                    continue;
                };
                let Ok(plain) = key.decrypt(usage::AS_REP_ENC_PART, &rep.enc_part.cipher) else {
                    continue;
                };
                let part = decode::<EncAsRepPart>(&plain)
                    .unwrap_or_else(|e| panic!("EncASRepPart does not decode: {e}"))
                    .0;
                let skey = EncType::from_i32(part.key.r#type)
                    .and_then(|e| Key::from_bytes(e, &part.key.value).ok())
                    .unwrap_or_else(|| panic!("AS-REP session key unusable"));
                count(3);
                return Some(Tgt {
                    ticket: rep.ticket,
                    session: skey,
                    client: name(who),
                });
            }
            None
        }
        Ok(MessageType::TgsRep) => {
            decode::<TgsRep>(reply).unwrap_or_else(|e| panic!("TGS-REP does not decode: {e}"));
            None
        }
        Ok(MessageType::KrbError) => {
            let e = decode::<KrbError>(reply)
                .unwrap_or_else(|e| panic!("KRB-ERROR does not decode: {e}"));
            if std::env::var_os("TESSERA_FUZZ_STATS").is_some() {
                let mut m = ERRORS
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                *m.entry(e.error_code).or_default() += 1;
                if m.values().sum::<u64>() % 1000 == 0 {
                    eprintln!("kdc_handle KRB-ERROR codes: {m:?}");
                }
            }
            None
        }
        other => panic!("the KDC answered with {other:?}"),
    }
}

/// The `kdc_handle` target. Raw-mode inputs ([`crate::mutate::RAW`]) go
/// to `handle` as they are, over TCP and UDP.
pub fn kdc_handle(data: &[u8]) {
    let r = realm();
    // A fresh KDC per input (empty replay, reply and lockout caches), so an
    // input does the same thing every time it runs. No last-success
    // writes: they would commit to SQLite on every run and change the
    // store the next inputs see.
    let kdc =
        Kdc::new(Arc::clone(&r.store), &r.config).with_lockout(Lockout::new(LockoutOptions {
            last_success_interval_secs: None,
            ..LockoutOptions::default()
        }));
    if let Some(msg) = raw(data) {
        for tr in [Transport::Tcp, Transport::Udp] {
            if let Some(reply) = kdc.handle(msg, peer(), tr, t(NOW)) {
                check_reply(&reply, r);
            }
        }
        return;
    }
    let mut u = Unstructured::new(data);
    let _ = session(&kdc, r, &mut u);
}

fn session(kdc: &Kdc, r: &FuzzRealm, u: &mut Unstructured<'_>) -> Result<()> {
    let mut now = NOW + delta(u, 3600)?;
    let mut tgt = forged(u, r, name(ALICE), KRBTGT, NOW)?;
    let mut last: Vec<u8> = Vec::new();
    for n in 0..u.int_in_range(1..=4)? {
        let mut msg = match u.int_in_range(0u8..=7)? {
            0 | 1 => as_req(u, r, now)?,
            2 | 3 => tgs_req(u, &tgt, now, n)?,
            4 => {
                let client = client_name(u)?;
                let server = *pick(u, &[KRBTGT, KRBTGT, SERVICE, CHANGEPW])?;
                let ticket = forged(u, r, client, server, now)?;
                tgs_req(u, &ticket, now, n)?
            }
            5 => {
                // A clock step, then the previous request again.
                now += delta(u, 30 * 86400)?;
                last.clone()
            }
            6 => last.clone(),
            _ => bytes(u, 512)?,
        };
        mutate(u, &mut msg)?;
        let tr = if rare(u, 3)? {
            Transport::Udp
        } else {
            Transport::Tcp
        };
        if let Some(reply) = kdc.handle(&msg, peer(), tr, t(now))
            && let Some(new) = check_reply(&reply, r)
        {
            tgt = new;
        }
        last = msg;
    }
    Ok(())
}

/// `kdc_toml`: the kdc.toml parser on arbitrary UTF-8 (paths resolve
/// against a directory that is never read or written).
pub fn kdc_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(cfg) = tessera_kdc::config::KdcConfig::parse(
        text,
        "kdc.toml",
        std::path::Path::new("/nonexistent/tessera-fuzz"),
    ) {
        let _ = cfg.server_config();
        let _ = tessera_kdc::core::RealmPolicy::from_config(&cfg.policy);
    }
}
