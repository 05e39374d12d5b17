//! Blocking work stays off the async workers: while a kpasswd change
//! (native enctype, so Argon2id runs) is held at its database commit, the
//! KDC in the same runtime, which has one async worker only, keeps
//! answering AS requests over real UDP sockets. Were the change run inline
//! on that worker, no AS reply could come back until it was released.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod core_common;
mod gated_store;
mod kpasswd_common;

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use core_common::*;
use gated_store::GatedStore;
use tessera_kdc::admin::AdminService;
use tessera_kdc::core::Kdc;
use tessera_kdc::db::PrincipalStore;
use tessera_kdc::kpasswd::KpasswdService;
use tessera_kdc::net::{Server, ServerConfig};
use tessera_kdc::realm::{KeySource, PrincipalAttrs, create_principal};
use tessera_proto::crypto::{EncType, Key, Password};
use tessera_proto::msg::{KdcOptions, KpasswdReply, KpasswdVersion};
use tokio_util::sync::CancellationToken;

const BOB: &str = "bob@TEST.REALM";
const BOB_OLD: &str = "bob's old passphrase, long enough";
/// AS replies that must come back while the change is held.
const AS_DURING_CHANGE: u32 = 5;
/// Bound on every wait for a reply (a failing test ends; a passing one
/// never waits this long).
const REPLY_BOUND: Duration = Duration::from_secs(60);

fn real_now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

fn ask(server: SocketAddr, request: &[u8]) -> Option<Vec<u8>> {
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(REPLY_BOUND)).unwrap();
    sock.send_to(request, server).unwrap();
    let mut buf = vec![0u8; 65536];
    let (n, _) = sock.recv_from(&mut buf).ok()?;
    buf.truncate(n);
    Some(buf)
}

#[test]
fn as_requests_are_answered_while_a_kpasswd_change_is_in_progress() {
    let r = realm();
    let now = real_now();
    // bob has only the native enctype: his password change runs Argon2id.
    create_principal(
        r.store.as_ref(),
        BOB,
        KeySource::Password(&Password::new(BOB_OLD)),
        &[EncType::Aes256GcmArgon2id],
        &PrincipalAttrs::from_policy(&r.config.policy),
        t(now - 10),
    )
    .unwrap();
    let native = EncType::Aes256GcmArgon2id;
    let bob_key = Key::from_password(
        native,
        &Password::new(BOB_OLD),
        format!("{REALM}bob").as_bytes(),
        None,
    )
    .unwrap();
    let cred = kpasswd_common::changepw_cred(&r, BOB, &bob_key, &[native.as_i32(), 18], now);
    let change = kpasswd_common::request(
        &cred,
        KpasswdVersion::Change,
        b"bob's new passphrase, also long",
        now * 1_000_000,
        None,
    );

    // The KDC and the kpasswd service in one runtime with ONE async worker;
    // bob's key commit waits at the gate.
    let store: Arc<dyn PrincipalStore> = r.store.clone();
    let (gated, gate) = GatedStore::new(Arc::clone(&store), "bob@");
    let gated: Arc<dyn PrincipalStore> = gated;
    let kdc = Arc::new(Kdc::new(Arc::clone(&store), &r.config));
    let admin = Arc::new(AdminService::from_config(gated, &r.config));
    let kpasswd = Arc::new(KpasswdService::new(admin, Duration::from_secs(300)));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let token = CancellationToken::new();
    let (kdc_addr, kp_addr, servers) = rt.block_on(async {
        let kdc_sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let kp_sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addrs = (
            kdc_sock.local_addr().unwrap(),
            kp_sock.local_addr().unwrap(),
        );
        let a = tokio::spawn(Server::new(kdc, ServerConfig::default()).run(
            vec![kdc_sock],
            vec![],
            token.clone(),
        ));
        let b = tokio::spawn(
            Server::new(Arc::clone(&kpasswd), ServerConfig::default()).run(
                vec![kp_sock],
                vec![],
                token.clone(),
            ),
        );
        (addrs.0, addrs.1, [a, b])
    });

    let kp_client = UdpSocket::bind("127.0.0.1:0").unwrap();
    kp_client.send_to(&change, kp_addr).unwrap();
    // The change has derived its keys and is now committing: held.
    assert_eq!(gate.next_write(), BOB);

    let alice = alice_key(EncType::Aes256CtsHmacSha196, PASSWORD);
    for i in 0..AS_DURING_CHANGE {
        let mut body = as_body(&user("alice"), &krbtgt(), &[18], KdcOptions::EMPTY);
        body.nonce = 7000 + i;
        let req = as_req(body, vec![pa_enc_timestamp(&alice, real_now())]);
        let reply = ask(kdc_addr, &req).expect("AS request not answered during the change");
        Reply::parse(&reply).into_as_rep();
    }
    // Still held: no kpasswd reply yet.
    kp_client.set_nonblocking(true).unwrap();
    let mut buf = vec![0u8; 65536];
    assert_eq!(
        kp_client.recv_from(&mut buf).map_err(|e| e.kind()).err(),
        Some(std::io::ErrorKind::WouldBlock),
        "the kpasswd change finished while held"
    );
    assert_eq!(kpasswd.stats().changed.load(Ordering::Relaxed), 0);

    // Let the change through; it succeeds.
    gate.open(16);
    kp_client.set_nonblocking(false).unwrap();
    kp_client.set_read_timeout(Some(REPLY_BOUND)).unwrap();
    let (n, _) = kp_client.recv_from(&mut buf).expect("kpasswd reply");
    assert!(matches!(
        KpasswdReply::decode(&buf[..n]).unwrap(),
        KpasswdReply::Priv { .. }
    ));
    assert_eq!(kpasswd.stats().changed.load(Ordering::Relaxed), 1);
    assert_eq!(r.entry(BOB).current_kvno(), 2, "bob's new keys are stored");

    token.cancel();
    rt.block_on(async {
        for s in servers {
            s.await.unwrap().unwrap();
        }
    });
}

/// A reply that reports a counted pre-authentication failure goes out only
/// once the failure is in the store, so every process reading the store
/// (another KDC, `kadmin getprinc`) sees it by the time the client does;
/// while the write is held the KDC, on one async worker, keeps answering.
#[test]
fn a_failed_preauth_reply_waits_for_its_lockout_write() {
    let r = realm();
    let mut p = tessera_kdc::db::Policy::new("lock3");
    p.max_failure = 3;
    r.store.create_policy(&p).unwrap();
    r.modify(&user("alice"), |e| e.policy = Some("lock3".into()));
    let store: Arc<dyn PrincipalStore> = r.store.clone();
    let (gated, gate) = GatedStore::new(store, "alice@");
    let gated: Arc<dyn PrincipalStore> = gated;
    let kdc = Arc::new(Kdc::new(gated, &r.config));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let token = CancellationToken::new();
    let (addr, server) = rt.block_on(async {
        let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = sock.local_addr().unwrap();
        let server = tokio::spawn(Server::new(Arc::clone(&kdc), ServerConfig::default()).run(
            vec![sock],
            vec![],
            token.clone(),
        ));
        (addr, server)
    });

    let wrong = alice_key(EncType::Aes256CtsHmacSha196, "not the password");
    let mut body = as_body(&user("alice"), &krbtgt(), &[18], KdcOptions::EMPTY);
    body.nonce = 8100;
    let req = as_req(body, vec![pa_enc_timestamp(&wrong, real_now())]);
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    client.send_to(&req, addr).unwrap();
    // The failure was counted and its write is held.
    assert_eq!(gate.next_write(), user("alice"));
    // Meanwhile other requests are answered (here: alice without
    // pre-authentication, told to pre-authenticate).
    for i in 0..3 {
        let mut body = as_body(&user("alice"), &krbtgt(), &[18], KdcOptions::EMPTY);
        body.nonce = 8200 + i;
        let reply = ask(addr, &as_req(body, vec![])).expect("not answered while a write is held");
        assert_eq!(Reply::parse(&reply).code(), 25, "KDC_ERR_PREAUTH_REQUIRED");
    }
    // No reply to the failed attempt yet: its failure is not stored.
    client.set_nonblocking(true).unwrap();
    let mut buf = vec![0u8; 65536];
    assert_eq!(
        client.recv_from(&mut buf).map_err(|e| e.kind()).err(),
        Some(std::io::ErrorKind::WouldBlock),
        "the failure's reply went out before its write"
    );
    assert_eq!(r.entry(&user("alice")).fail_count, 0);
    // Let it through: the reply comes, and the store has the failure.
    gate.open(1);
    client.set_nonblocking(false).unwrap();
    client.set_read_timeout(Some(REPLY_BOUND)).unwrap();
    let (n, _) = client.recv_from(&mut buf).expect("reply after the write");
    assert_eq!(Reply::parse(&buf[..n]).code(), 24, "KDC_ERR_PREAUTH_FAILED");
    assert_eq!(r.entry(&user("alice")).fail_count, 1);

    token.cancel();
    rt.block_on(async { server.await.unwrap().unwrap() });
}
