//! The kpasswd and remote-admin services (feature `kdc`).
//!
//! * `kpasswd_service`: `KpasswdService::process` on valid requests (a
//!   ticket for kadmin/changepw sealed in its key from the fuzz realm, an
//!   authenticator with a subkey, a KRB-PRIV with the new password or
//!   ChangePasswdData), then mutated; every reply must be a kpasswd reply,
//!   and a reply fed back to the service must get no answer (the ping-pong
//!   loop of issue 9).
//! * `admin_frame`: what the admin server does with a connection's bytes
//!   (`admin_server::server` does the same with a socket): the first
//!   frame header (length frame or ONC RPC record mark, as MIT's kadmin
//!   sends), the first AP-REQ for kadmin/admin, then KRB-PRIV frames whose
//!   JSON is parsed as an `AdminRequest` and executed under an ACL that
//!   lets the fuzz caller change only `fuzz/*` principals and policies.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use tessera_client::ap::{Acceptor, ApSession, ReplayCache, Role};
use tessera_client::priv_safe::PrivSafe;
use tessera_kdc::admin::{AclFile, AdminRequest, AdminService, AdminSettings, Caller};
use tessera_kdc::admin_server::server::execute_remote;
use tessera_kdc::admin_server::{keytab_from_store, onc_rpc, protocol};
use tessera_kdc::kpasswd::KpasswdService;
use tessera_proto::crypto::{Key, usage};
use tessera_proto::msg::{
    ApOptions, ChangePasswdData, KpasswdReply, KpasswdRequest, KpasswdVersion, Principal,
    TicketFlags, decode, encode,
};

use super::kdc::{peer, t};
use crate::forge::{AuthSpec, NOW, TicketSpec, name, session_key};
use crate::mutate::{bytes, mutate, often, pick, rare, raw};
use crate::realm::{ADMIN, ALICE, CHANGEPW, FuzzRealm, realm};

fn admin_service() -> &'static Arc<AdminService> {
    static ADMIN_ONCE: OnceLock<Arc<AdminService>> = OnceLock::new();
    ADMIN_ONCE.get_or_init(|| {
        let r = realm();
        let acl = r.dir.join("kadm5.acl");
        std::fs::write(&acl, format!("{ALICE} x fuzz/*@FUZZ.TEST\n{ALICE} ilp\n"))
            .unwrap_or_else(|e| panic!("{e}"));
        Arc::new(AdminService::new(
            Arc::clone(&r.store),
            AdminSettings::from_config(&r.config),
            Some(AclFile::new(acl)),
        ))
    })
}

/// An AP-REQ for `server` from `client` at `now` (fields varied by `u`),
/// and the initiator's view of the session it opens.
fn ap_exchange(
    u: &mut Unstructured<'_>,
    r: &FuzzRealm,
    client: &Principal,
    server: &str,
    now: i64,
) -> Result<(Vec<u8>, ApSession)> {
    let keys = r.keys(server);
    let (key, kvno) = pick(u, &keys)?.clone();
    let session = session_key(u)?;
    let mut spec = TicketSpec::valid(client.clone(), name(server), session.clone(), now);
    if rare(u, 3)? {
        spec = spec.vary(u)?;
    }
    if rare(u, 4)? {
        spec.flags = TicketFlags(spec.flags.0 & !TicketFlags::INITIAL.0);
    }
    let ticket = spec.seal(&key, Some(kvno));
    let mut auth = AuthSpec::valid(client.clone(), now);
    auth.subkey = Some(
        Key::from_bytes(
            spec.session.etype(),
            &vec![0x42; spec.session.etype().key_len()],
        )
        .unwrap_or_else(|e| panic!("{e}")),
    );
    auth.seq = Some(u.arbitrary::<u32>()? & 0x3fff_ffff);
    if rare(u, 3)? {
        auth = auth.vary(u)?;
    }
    let sealed = auth.seal(&spec.session, usage::AP_REQ_AUTH);
    let opts = if often(u, 4)? {
        ApOptions::MUTUAL_REQUIRED
    } else {
        ApOptions::EMPTY
    };
    let ap = crate::forge::ap_req(ticket, sealed, opts);
    let seq = auth.seq.unwrap_or(0);
    let s = ApSession {
        role: Role::Initiator,
        client: client.clone(),
        server: name(server),
        session_key: spec.session,
        initiator_subkey: auth.subkey,
        acceptor_subkey: None,
        initiator_seq: seq,
        acceptor_seq: seq,
        mutual: opts.contains(ApOptions::MUTUAL_REQUIRED),
    };
    Ok((encode(&ap).unwrap_or_else(|e| panic!("{e}")), s))
}

fn micros(secs: i64) -> i64 {
    secs.saturating_mul(1_000_000)
}

/// The `kpasswd_service` target.
pub fn kpasswd_service(data: &[u8]) {
    let svc = KpasswdService::new(Arc::clone(admin_service()), Duration::from_secs(300));
    let now = NOW;
    let request = match raw(data) {
        Some(m) => m.to_vec(),
        None => match kpasswd_request(&mut Unstructured::new(data), now) {
            Ok(m) => m,
            Err(_) => return,
        },
    };
    let Some(reply) = svc.process(&request, peer(), t(now)) else {
        return;
    };
    if let Err(e) = KpasswdReply::decode(&reply) {
        panic!("kpasswd reply does not decode: {e}");
    }
    assert!(
        svc.process(&reply, peer(), t(now)).is_none(),
        "the kpasswd service answered its own reply (ping-pong)"
    );
}

fn kpasswd_request(u: &mut Unstructured<'_>, now: i64) -> Result<Vec<u8>> {
    let r = realm();
    let client = if often(u, 8)? {
        name(ALICE)
    } else {
        name("fuzz/user@FUZZ.TEST")
    };
    let (ap_der, session) = ap_exchange(u, r, &client, CHANGEPW, now)?;
    let version = if u.arbitrary()? {
        KpasswdVersion::SetPassword
    } else {
        KpasswdVersion::Change
    };
    let password: Vec<u8> = match u.int_in_range(0u8..=3)? {
        0 => bytes(u, 40)?,
        1 => b"".to_vec(),
        _ => format!("new fuzz password {}", u.arbitrary::<u16>()?).into_bytes(),
    };
    let user_data = match version {
        KpasswdVersion::SetPassword => {
            let targ = if rare(u, 4)? {
                Some(name(pick(
                    u,
                    &["fuzz/target@FUZZ.TEST", ADMIN, "bob@FUZZ.TEST"],
                )?))
            } else {
                None
            };
            let (targname, targrealm) = match &targ {
                Some(p) => {
                    let (n, r) = p.to_asn1().unwrap_or_else(|e| panic!("{e}"));
                    (Some(n), Some(r))
                }
                None => (None, None),
            };
            encode(&ChangePasswdData {
                newpasswd: password.into(),
                targname,
                targrealm,
            })
            .unwrap_or_else(|e| panic!("{e}"))
        }
        KpasswdVersion::Change => password,
    };
    let mut ps = PrivSafe::new(&session);
    let range = if rare(u, 4)? { 3600 } else { 5 };
    let at = now + crate::mutate::delta(u, range)?;
    let krb_priv = ps
        .mk_priv(&user_data, micros(at))
        .unwrap_or_else(|e| panic!("{e}"));
    let req = KpasswdRequest {
        version,
        ap_req: decode(&ap_der).unwrap_or_else(|e| panic!("{e}")),
        krb_priv: decode(&krb_priv).unwrap_or_else(|e| panic!("{e}")),
    };
    let mut bytes = req.encode().unwrap_or_else(|e| panic!("{e}"));
    mutate(u, &mut bytes)?;
    Ok(bytes)
}

/// Template commands, serialized with the server's own types.
fn command(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let names = [
        "fuzz/a@FUZZ.TEST",
        "fuzz/b",
        ALICE,
        "krbtgt/FUZZ.TEST",
        "*",
        "fuzz/*",
    ];
    let n = (*pick(u, &names)?).to_owned();
    let json = match u.int_in_range(0u8..=5)? {
        0 => serde_json::to_vec(&AdminRequest::GetPrincipal { name: n }),
        1 => serde_json::to_vec(&AdminRequest::ListPrincipals { glob: Some(n) }),
        2 => serde_json::to_vec(&AdminRequest::GetPrivileges),
        3 => serde_json::to_vec(&AdminRequest::DeletePrincipal { name: n }),
        4 => serde_json::to_vec(&AdminRequest::GetStrings { name: n }),
        _ => Ok(bytes(u, 200)?),
    };
    let mut json = json.unwrap_or_else(|e| panic!("{e}"));
    mutate(u, &mut json)?;
    Ok(json)
}

/// The `admin_frame` target.
pub fn admin_frame(data: &[u8]) {
    let r = realm();
    if let Some(stream) = raw(data) {
        serve(r, stream);
        return;
    }
    let mut u = Unstructured::new(data);
    let _ = admin_session(&mut u, r);
}

fn admin_session(u: &mut Unstructured<'_>, r: &FuzzRealm) -> Result<()> {
    let client = if often(u, 8)? {
        name(ALICE)
    } else {
        name("bob@FUZZ.TEST")
    };
    let (mut ap, session) = ap_exchange(u, r, &client, ADMIN, NOW)?;
    mutate(u, &mut ap)?;
    let mut stream = protocol::frame(&ap).unwrap_or_default();
    let mut ps = PrivSafe::new(&session);
    for i in 0..u.int_in_range(0..=3)? {
        let cmd = command(u)?;
        let mut p = ps
            .mk_priv(&cmd, micros(NOW + i64::from(i)))
            .unwrap_or_else(|e| panic!("{e}"));
        mutate(u, &mut p)?;
        stream.extend(protocol::frame(&p).unwrap_or_default());
    }
    serve(r, &stream);
    Ok(())
}

/// Splits one frame off `s`: (announced length, body) when acceptable.
fn next_frame(s: &mut &[u8]) -> Option<Vec<u8>> {
    let (head, rest) = s.split_first_chunk::<4>()?;
    let len = protocol::frame_len(*head)?;
    let body = rest.get(..len)?.to_vec();
    *s = &rest[len..];
    Some(body)
}

/// The admin server's connection logic over the bytes `stream` instead of
/// a socket (see `admin_server::server::AdminServer::connection`).
fn serve(r: &FuzzRealm, mut stream: &[u8]) {
    let Some(head) = stream.first_chunk::<4>().copied() else {
        return;
    };
    if onc_rpc::is_record_mark(head) {
        let len = onc_rpc::fragment_len(head);
        let body = stream.get(4..4 + len.min(stream.len().saturating_sub(4)));
        if let Some(call) = body.and_then(onc_rpc::parse_call) {
            let _ = call.is_mit_kadmin();
            let reply = onc_rpc::prog_unavail_reply(call.xid);
            assert!(onc_rpc::is_record_mark(
                *reply.first_chunk::<4>().unwrap_or(&[0; 4])
            ));
        }
        return;
    }
    let Some(ap_req) = next_frame(&mut stream) else {
        return;
    };
    let admin = admin_service();
    let server = name(ADMIN);
    let Ok(keytab) = keytab_from_store(r.store.as_ref(), ADMIN) else {
        panic!("kadmin/admin has no keytab");
    };
    let rcache = Arc::new(ReplayCache::new(Duration::from_secs(600), 1024));
    let acceptor = Acceptor::new(keytab, rcache, Duration::from_secs(300));
    let now = micros(NOW);
    let ctx = match acceptor.accept(&ap_req, now, Some(&server)) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.to_krb_error(&server, now);
            return;
        }
    };
    if ctx.ap_rep.is_none() {
        return;
    }
    let caller = Caller::remote(ctx.session.client.to_string(), peer());
    let mut ps = PrivSafe::new(&ctx.session);
    while let Some(msg) = next_frame(&mut stream) {
        let Ok(data) = ps.rd_priv(&msg) else {
            return;
        };
        let reply = match serde_json::from_slice::<AdminRequest>(&data) {
            Ok(req) => execute_remote(admin, &caller, req),
            Err(_) => continue,
        };
        let json = serde_json::to_vec(&reply).unwrap_or_default();
        if let Err(e) = ps.mk_priv(&json, now) {
            panic!("cannot protect an admin reply: {e}");
        }
    }
}
