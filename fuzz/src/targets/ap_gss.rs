//! Targets for the client library's AP exchange and what rides on it
//! (feature `client`): the AP-REQ acceptor, RFC 4121 GSS tokens, and
//! KRB-PRIV / KRB-SAFE verification, all under keys the fuzzer knows.

use std::sync::Arc;
use std::time::Duration;

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use tessera_client::ap::{Acceptor, ApSession, ReplayCache, Role, principal_to_kt};
use tessera_client::ccache::Credential;
use tessera_client::gss::{GssContext, GssFlags};
use tessera_client::keytab::{Keytab, KeytabEntry};
use tessera_client::priv_safe::PrivSafe;
use tessera_proto::crypto::{EncType, Key, usage};
use tessera_proto::msg::{ApOptions, Checksum, Principal, encode};

use crate::forge::{AuthSpec, NOW, TicketSpec, fixed_key, name, session_key};
use crate::mutate::{bytes, mutate, pick, rare, raw};

/// The service of the acceptor-side targets; its keytab holds kvno 3 of
/// every enctype (keys from [`fixed_key`] with seed 0x30).
const ACCEPTOR_SERVICE: &str = "host/acceptor.fuzz@FUZZ.TEST";
const KVNO: u32 = 3;

fn service_key(etype: EncType) -> Key {
    fixed_key(etype, 0x30)
}

fn acceptor() -> Acceptor {
    let p = principal_to_kt(&name(ACCEPTOR_SERVICE));
    let entries = EncType::ALL
        .iter()
        .map(|&e| KeytabEntry {
            principal: p.clone(),
            timestamp: 0,
            kvno: KVNO,
            enctype: e.as_i32(),
            key: service_key(e).as_bytes().to_vec().into(),
        })
        .collect();
    let rcache = Arc::new(ReplayCache::new(Duration::from_secs(600), 1024));
    Acceptor::new(Keytab { entries }, rcache, Duration::from_secs(300))
}

fn micros(secs: i64) -> i64 {
    secs.saturating_mul(1_000_000)
}

/// A ticket for the acceptor service (fields varied by `u`) and its spec.
fn service_ticket(u: &mut Unstructured<'_>, client: &Principal) -> Result<(Vec<u8>, TicketSpec)> {
    let etype = *pick(u, &EncType::ALL)?;
    let spec = TicketSpec::valid(client.clone(), name(ACCEPTOR_SERVICE), session_key(u)?, NOW);
    let spec = if rare(u, 3)? { spec.vary(u)? } else { spec };
    let kvno = if rare(u, 8)? {
        u.arbitrary()?
    } else {
        Some(KVNO)
    };
    let ticket = spec.seal(&service_key(etype), kvno);
    Ok((encode(&ticket).unwrap_or_else(|e| panic!("{e}")), spec))
}

/// `acceptor`: client-lib's AP-REQ acceptor with a keytab the fuzzer
/// knows. Structured inputs build a valid AP-REQ (ticket, authenticator
/// with optional subkey and application checksum, options), then mutate
/// it; accepted contexts must verify what they claim (a present
/// application checksum over the data it was made for).
pub fn acceptor_target(data: &[u8]) {
    let acc = acceptor();
    let server = name(ACCEPTOR_SERVICE);
    if let Some(msg) = raw(data) {
        if let Err(e) = acc.accept(msg, micros(NOW), None) {
            let _ = e.to_krb_error(&server, micros(NOW));
        }
        return;
    }
    let _ = acceptor_structured(&mut Unstructured::new(data), &acc, &server);
}

fn acceptor_structured(u: &mut Unstructured<'_>, acc: &Acceptor, server: &Principal) -> Result<()> {
    let client = name(pick(
        u,
        &["alice@FUZZ.TEST", "bob@OTHER.REALM", "a/b/c@FUZZ.TEST"],
    )?);
    let (ticket_der, spec) = service_ticket(u, &client)?;
    let ticket = tessera_proto::msg::decode(&ticket_der).unwrap_or_else(|e| panic!("{e}"));
    let mut auth = AuthSpec::valid(client.clone(), NOW).vary(u)?;
    let app_data = b"application data";
    if rare(u, 2)? {
        let ck = spec
            .session
            .checksum(usage::AP_REQ_AUTH_CKSUM, app_data)
            .unwrap_or_else(|e| panic!("{e}"));
        auth.cksum = Some(Checksum {
            r#type: ck.cksumtype.as_i32(),
            checksum: ck.value.into(),
        });
    } else if rare(u, 4)? {
        auth.cksum = Some(Checksum {
            r#type: *pick(u, &[0x8003, 16, 19, 20, 1])?,
            checksum: bytes(u, 40)?.into(),
        });
    }
    let sealed = auth.seal(&spec.session, usage::AP_REQ_AUTH);
    let any: u32 = u.arbitrary()?;
    let opts = ApOptions(*pick(u, &[0, ApOptions::MUTUAL_REQUIRED.0, any])?);
    let mut bytes =
        encode(&crate::forge::ap_req(ticket, sealed, opts)).unwrap_or_else(|e| panic!("{e}"));
    mutate(u, &mut bytes)?;
    let expected = if u.arbitrary()? { Some(server) } else { None };
    let at = NOW + crate::mutate::delta(u, 600)?;
    match acc.accept(&bytes, micros(at), expected) {
        Ok(ctx) => {
            if ctx.app_checksum.is_some() && ctx.verify_app_checksum(app_data).is_ok() {
                assert!(
                    ctx.verify_app_checksum(b"other data").is_err(),
                    "application checksum verifies over other data"
                );
            }
            // The same AP-REQ again is a replay.
            assert!(
                acc.accept(&bytes, micros(at), expected).is_err(),
                "accepted AP-REQ accepted a second time"
            );
        }
        Err(e) => {
            let _ = e.to_krb_error(server, micros(at));
        }
    }
    Ok(())
}

/// `gss_token`: RFC 4121 tokens. Raw inputs go to the acceptor as an
/// initial context token, to `unframe`, and to unwrap/verify_mic of an
/// established context. Structured inputs establish a context pair
/// (initiator token from a ticket the acceptor's keytab opens), then send
/// Wrap and MIC tokens of chosen messages both ways, possibly mutated: an
/// unmutated token must open to its message, and a mutated one must fail
/// or open to the very same message.
pub fn gss_token(data: &[u8]) {
    let acc = acceptor();
    if let Some(tok) = raw(data) {
        let _ = tessera_client::gss::framing::unframe(tok);
        let _ = GssContext::accept(&acc, tok, micros(NOW), None);
        if let Ok((_, mut a)) = context_pair(&mut Unstructured::new(&[]), &acc) {
            let _ = a.unwrap(tok);
            let _ = a.verify_mic(b"message", tok);
        }
        return;
    }
    let _ = gss_structured(&mut Unstructured::new(data), &acc);
}

/// An established (initiator, acceptor) pair.
fn context_pair(u: &mut Unstructured<'_>, acc: &Acceptor) -> Result<(GssContext, GssContext)> {
    let client = name("alice@FUZZ.TEST");
    let (ticket, spec) = service_ticket(u, &client)?;
    let cred = Credential {
        client: principal_to_kt(&client),
        server: principal_to_kt(&name(ACCEPTOR_SERVICE)),
        key_enctype: spec.session.etype().as_i32(),
        key: spec.session.as_bytes().to_vec().into(),
        authtime: 0,
        starttime: 0,
        endtime: 0,
        renew_till: 0,
        is_skey: false,
        ticket_flags: 0,
        addresses: Vec::new(),
        authdata: Vec::new(),
        ticket,
        second_ticket: Vec::new(),
    };
    let flags = GssFlags(u.arbitrary::<u32>().unwrap_or(0) & 0x3f) | GssFlags::MUTUAL;
    let (token, init) =
        GssContext::initiate(&cred, flags, micros(NOW)).unwrap_or_else(|e| panic!("initiate: {e}"));
    let (a, reply) = match GssContext::accept(acc, &token, micros(NOW), None) {
        Ok(v) => v,
        // A varied ticket (expired, wrong session key...) is refused.
        Err(_) => return Err(libfuzzer_sys::arbitrary::Error::IncorrectFormat),
    };
    let reply = reply.unwrap_or_else(|| panic!("mutual context without a reply token"));
    let i = init
        .step(&reply)
        .unwrap_or_else(|e| panic!("initiator refuses the AP-REP: {e}"));
    Ok((i, a))
}

fn gss_structured(u: &mut Unstructured<'_>, acc: &Acceptor) -> Result<()> {
    let (mut i, mut a) = context_pair(u, acc)?;
    for _ in 0..u.int_in_range(1..=4)? {
        let msg = crate::mutate::bytes(u, 64)?;
        let (from, to) = if u.arbitrary()? {
            (&mut i, &mut a)
        } else {
            (&mut a, &mut i)
        };
        let mic = u.arbitrary::<bool>()?;
        let tok = if mic {
            from.get_mic(&msg)
        } else {
            from.wrap(&msg, u.arbitrary()?)
        }
        .unwrap_or_else(|e| panic!("protect: {e}"));
        let mut bad = tok.clone();
        mutate(u, &mut bad)?;
        // A refused token leaves the receiver expecting its sequence
        // number, so the session stops there.
        if mic {
            if let Err(e) = to.verify_mic(&msg, &bad) {
                assert!(bad != tok, "valid MIC refused: {e}");
                return Ok(());
            }
        } else {
            match to.unwrap(&bad) {
                Ok((out, _)) => assert_eq!(out, msg, "Wrap token opened to another message"),
                Err(e) => {
                    assert!(bad != tok, "valid Wrap token refused: {e}");
                    return Ok(());
                }
            }
        }
    }
    Ok(())
}

/// `priv_safe`: client-lib's KRB-PRIV / KRB-SAFE verification between two
/// sides of an AP session with known keys. Raw inputs go to rd_priv and
/// rd_safe; structured ones are made by mk_priv / mk_safe, possibly
/// mutated, and must read back to their data (or fail when changed).
pub fn priv_safe(data: &[u8]) {
    let session = |role| ApSession {
        role,
        client: name("alice@FUZZ.TEST"),
        server: name(ACCEPTOR_SERVICE),
        session_key: fixed_key(EncType::Aes256CtsHmacSha196, 1),
        initiator_subkey: Some(fixed_key(EncType::Aes256CtsHmacSha196, 2)),
        acceptor_subkey: None,
        initiator_seq: 7,
        acceptor_seq: 7,
        mutual: true,
    };
    let mut send = PrivSafe::new(&session(Role::Initiator));
    let mut recv = PrivSafe::new(&session(Role::Acceptor));
    if let Some(msg) = raw(data) {
        let _ = recv.rd_priv(msg);
        let _ = recv.rd_safe(msg);
        return;
    }
    let mut u = Unstructured::new(data);
    let _ = (|| -> Result<()> {
        for n in 0..u.int_in_range(1..=3)? {
            let msg = crate::mutate::bytes(&mut u, 64)?;
            let safe = u.arbitrary::<bool>()?;
            let at = micros(NOW + i64::from(n));
            let tok = if safe {
                send.mk_safe(&msg, at)
            } else {
                send.mk_priv(&msg, at)
            }
            .unwrap_or_else(|e| panic!("mk: {e}"));
            let mut bad = tok.clone();
            mutate(&mut u, &mut bad)?;
            let got = if safe {
                recv.rd_safe(&bad)
            } else {
                recv.rd_priv(&bad)
            };
            match got {
                Ok(out) => assert_eq!(out, msg, "KRB-PRIV/SAFE read back other data"),
                Err(e) => {
                    assert!(bad != tok, "valid KRB-PRIV/SAFE refused: {e}");
                    return Ok(());
                }
            }
        }
        Ok(())
    })();
}
