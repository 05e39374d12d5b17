//! The TGS replay cache through `Kdc::handle`: one authenticated client
//! sending more fresh TGS-REQs than its share is refused alone while other
//! clients keep getting tickets and replays stay refused; a full cache
//! evicts the heaviest client, not the light ones; a future-dated
//! authenticator is remembered as long as the KDC would accept it; refused
//! requests take no room; a retransmit whose reply left the lookaside cache
//! is answered again and counts once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod core_common;

use std::time::Duration;

use core_common::*;
use tessera_kdc::core::Kdc;
use tessera_kdc::core::lookaside::{Lookaside, LookasideLimits};
use tessera_kdc::core::replay::{REPLAY_ENTRY_BYTES, ReplayCache, ReplayLimits};
use tessera_kdc::realm::{KeySource, PrincipalAttrs, create_principal};
use tessera_proto::crypto::{EncType, Key, Password};
use tessera_proto::msg::KdcOptions;

const KDC_ERR_POLICY: i32 = 12;
const S_PRINCIPAL_UNKNOWN: i32 = 7;
const REPEAT: i32 = 34;
const SKEW: i64 = 300;

fn add_bob(r: &Realm) {
    let attrs = PrincipalAttrs::from_policy(&r.config.policy);
    create_principal(
        r.store.as_ref(),
        &user("bob"),
        KeySource::Password(&Password::new(PASSWORD)),
        &[EncType::Aes256CtsHmacSha196],
        &attrs,
        t(NOW - 1000),
    )
    .unwrap();
}

/// A TGT for `who` (alice or bob, both with the test password).
fn tgt(kdc: &Kdc, who: &str) -> Creds {
    let key = Key::from_password(
        EncType::Aes256CtsHmacSha196,
        &Password::new(PASSWORD),
        format!("{REALM}{who}").as_bytes(),
        None,
    )
    .unwrap();
    let body = as_body(&user(who), &krbtgt(), &[18], KdcOptions::EMPTY);
    let bytes = kdc
        .handle(
            &as_req(body, vec![pa_enc_timestamp(&key, NOW)]),
            peer(),
            tessera_kdc::net::Transport::Tcp,
            t(NOW),
        )
        .unwrap();
    let rep = Reply::parse(&bytes).into_as_rep();
    let part = open_as_rep(&rep, &key);
    creds_from(&rep, part)
}

/// A fresh TGS-REQ of `client` for `server`, told apart by `cusec`.
fn req(c: &Creds, client: &str, server: &str, ctime: i64, cusec: u32) -> Vec<u8> {
    tgs_req(
        c,
        tgs_body(server, &[18], KdcOptions::EMPTY, NOW + 2 * HOUR),
        ctime,
        AuthOpts {
            cusec,
            client: Some(user(client)),
            ..AuthOpts::default()
        },
    )
}

fn send(kdc: &Kdc, req: &[u8], now: i64) -> Reply {
    let bytes = kdc
        .handle(req, peer(), tessera_kdc::net::Transport::Udp, t(now))
        .expect("the KDC answered");
    Reply::parse(&bytes)
}

fn is_ticket(r: Reply) -> bool {
    matches!(r, Reply::Tgs(_))
}

fn code(r: Reply) -> i32 {
    match r {
        Reply::Error(e) => e.error_code,
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn one_client_over_its_share_does_not_deny_others() {
    let mut r = realm();
    add_bob(&r);
    r.config.limits.replay_per_client = 16;
    let kdc = Kdc::new(r.store.clone(), &r.config);
    let alice = tgt(&kdc, "alice");
    let bob = tgt(&kdc, "bob");

    // Alice floods: her first 16 fresh requests get tickets, the rest
    // KDC_ERR_POLICY (not KRB_ERR_GENERIC, and only for her).
    let mut first = Vec::new();
    let (mut issued, mut refused) = (0, 0);
    for n in 0..200u32 {
        let q = req(&alice, "alice", SERVICE, NOW, n);
        match send(&kdc, &q, NOW) {
            Reply::Tgs(_) => issued += 1,
            Reply::Error(e) if e.error_code == KDC_ERR_POLICY => {
                assert!(e.e_text.is_some(), "the refusal says why");
                refused += 1;
            }
            other => panic!("unexpected {other:?}"),
        }
        if n == 0 {
            first = q;
        }
    }
    assert_eq!((issued, refused), (16, 184));
    assert_eq!(kdc.replay_cache().client_entries(&user("alice")), 16);

    // Bob is unaffected, and his replays are still refused.
    for n in 0..10u32 {
        let q = req(&bob, "bob", SERVICE, NOW + 1, n);
        assert!(is_ticket(send(&kdc, &q, NOW + 1)), "bob's request {n}");
        assert_eq!(code(send(&kdc, &with_extra_padata(&q), NOW + 2)), REPEAT);
    }
    // Alice's replays are replays (not quota refusals), her retransmit
    // gets its reply from the lookaside cache.
    assert_eq!(
        code(send(&kdc, &with_extra_padata(&first), NOW + 3)),
        REPEAT
    );
    assert!(is_ticket(send(&kdc, &first, NOW + 3)));

    // Once her entries expire (ctime + skew), she is served again.
    let later = req(&alice, "alice", SERVICE, NOW + SKEW + 1, 0);
    assert!(is_ticket(send(&kdc, &later, NOW + SKEW + 1)));
    assert_eq!(kdc.replay_cache().client_entries(&user("alice")), 1);
}

#[test]
fn full_cache_evicts_the_heavy_client_not_the_light_ones() {
    let r = realm();
    add_bob(&r);
    let kdc = Kdc::new(r.store.clone(), &r.config).with_replay_cache(ReplayCache::with_limits(
        Duration::from_secs(SKEW as u64),
        ReplayLimits {
            max_bytes: 32 * REPLAY_ENTRY_BYTES,
            per_client: 10_000,
        },
    ));
    let alice = tgt(&kdc, "alice");
    let bob = tgt(&kdc, "bob");
    let bobs: Vec<Vec<u8>> = (0..3).map(|n| req(&bob, "bob", SERVICE, NOW, n)).collect();
    for q in &bobs {
        assert!(is_ticket(send(&kdc, q, NOW)));
    }
    // Alice sends far more than the whole cache holds: every request is
    // served (never a realm-wide refusal), the cache stays at its bound.
    for n in 0..500u32 {
        let q = req(&alice, "alice", SERVICE, NOW, n);
        assert!(is_ticket(send(&kdc, &q, NOW)), "alice's request {n}");
    }
    assert!(kdc.replay_cache().len() <= 32);
    assert!(kdc.replay_cache().bytes() <= 32 * REPLAY_ENTRY_BYTES);
    // Bob, the light client, is still fully protected.
    for q in &bobs {
        assert_eq!(code(send(&kdc, &with_extra_padata(q), NOW + 1)), REPEAT);
    }
    assert_eq!(kdc.replay_cache().client_entries(&user("bob")), 3);
    // Alice's newest authenticators too; only her oldest were evicted.
    let newest = req(&alice, "alice", SERVICE, NOW, 499);
    assert_eq!(
        code(send(&kdc, &with_extra_padata(&newest), NOW + 1)),
        REPEAT
    );
}

#[test]
fn future_dated_authenticator_is_remembered_while_acceptable() {
    let r = realm();
    let kdc = Kdc::new(r.store.clone(), &r.config);
    let alice = tgt(&kdc, "alice");
    // ctime nearly a skew ahead of the KDC's clock: acceptable until
    // ctime + skew, so it must be remembered that long (an expiry of
    // min(ctime, now) + skew would forget it at NOW + skew).
    let ctime = NOW + SKEW - 1;
    let q = req(&alice, "alice", SERVICE, ctime, 5);
    assert!(is_ticket(send(&kdc, &q, NOW)));
    for later in [NOW + SKEW + 10, ctime + SKEW] {
        assert_eq!(
            code(send(&kdc, &with_extra_padata(&q), later)),
            REPEAT,
            "{later}"
        );
    }
    // Past ctime + skew it fails the skew check anyway.
    assert_eq!(
        code(send(&kdc, &with_extra_padata(&q), ctime + SKEW + 1)),
        37
    );
}

#[test]
fn refused_requests_take_no_room() {
    let mut r = realm();
    r.config.limits.replay_per_client = 16;
    let kdc = Kdc::new(r.store.clone(), &r.config);
    let alice = tgt(&kdc, "alice");
    let nobody = format!("host/nobody.example@{REALM}");
    for n in 0..100u32 {
        let q = req(&alice, "alice", &nobody, NOW, n);
        assert_eq!(code(send(&kdc, &q, NOW)), S_PRINCIPAL_UNKNOWN);
    }
    assert_eq!(kdc.replay_cache().client_entries(&user("alice")), 0);
    // Her whole share is still hers.
    for n in 0..16u32 {
        let q = req(&alice, "alice", SERVICE, NOW, 1000 + n);
        assert!(is_ticket(send(&kdc, &q, NOW)));
    }
    // Nor are such errors cached as replies.
    assert_eq!(kdc.lookaside().len(), 1 + 16, "the AS-REP and the tickets");
}

#[test]
fn evicted_retransmit_is_answered_again_and_counts_once() {
    let r = realm();
    let kdc =
        Kdc::new(r.store.clone(), &r.config).with_lookaside(Lookaside::new(LookasideLimits {
            ttl_secs: 120,
            max_entries: 1,
            max_bytes: 1 << 20,
        }));
    let alice = tgt(&kdc, "alice");
    let q = req(&alice, "alice", SERVICE, NOW, 1);
    let Reply::Tgs(first) = send(&kdc, &q, NOW) else {
        panic!("no ticket")
    };
    // Another request pushes its reply out of the one-entry cache.
    let other = req(&alice, "alice", SERVICE, NOW, 2);
    assert!(is_ticket(send(&kdc, &other, NOW)));
    // The retransmit is answered with a good ticket, not KRB_AP_ERR_REPEAT.
    let Reply::Tgs(again) = send(&kdc, &q, NOW + 1) else {
        panic!("the retransmit was refused")
    };
    let part = open_tgs_rep(&again, &alice.session, false);
    assert_eq!(part.nonce, 777);
    assert_eq!(again.cname, first.cname);
    assert_eq!(kdc.replay_cache().client_entries(&user("alice")), 2);
    // Past the skew it is stale like any other.
    assert_eq!(code(send(&kdc, &q, NOW + SKEW + 1)), 37);
}
