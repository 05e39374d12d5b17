//! The lookaside (reply) cache through `Kdc::handle`: retransmits get the
//! same reply, other requests with a seen authenticator are still replays,
//! entries expire, the cache is bounded (oldest reply first), spoofable
//! errors are not cached, and the TCP retry after RESPONSE_TOO_BIG gets the
//! real reply.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod core_common;

use core_common::*;
use tessera_kdc::core::{Kdc, Lookaside, LookasideLimits};
use tessera_kdc::net::Transport;
use tessera_proto::crypto::EncType;
use tessera_proto::msg::KdcOptions;

fn tgt(r: &Realm) -> Creds {
    get_tgt(r, KdcOptions::EMPTY, NOW + 24 * HOUR, None, NOW)
}

fn service_req(c: &Creds, now: i64) -> Vec<u8> {
    tgs_req(
        c,
        tgs_body(SERVICE, &[18], KdcOptions::EMPTY, NOW + HOUR),
        now,
        AuthOpts::default(),
    )
}

fn raw(kdc: &Kdc, req: &[u8], now: i64, transport: Transport) -> Vec<u8> {
    kdc.handle(req, peer(), transport, t(now))
        .expect("the KDC answered")
}

#[test]
fn identical_tgs_req_gets_identical_reply() {
    let r = realm();
    let c = tgt(&r);
    let req = service_req(&c, NOW);
    let first = raw(&r.kdc, &req, NOW, Transport::Udp);
    Reply::parse(&first).into_tgs_rep();
    let again = raw(&r.kdc, &req, NOW + 2, Transport::Udp);
    assert_eq!(first, again, "retransmit answered with the same TGS-REP");
    // Over TCP too (same request bytes).
    assert_eq!(first, raw(&r.kdc, &req, NOW + 3, Transport::Tcp));
}

#[test]
fn other_request_with_same_authenticator_is_a_replay() {
    let r = realm();
    let c = tgt(&r);
    let req = service_req(&c, NOW);
    r.send(&req, NOW).into_tgs_rep();
    let other = with_extra_padata(&req);
    assert_ne!(other, req);
    assert_eq!(r.send(&other, NOW + 1).code(), 34);
    // And that refusal is itself what a retransmit of it gets.
    assert_eq!(r.send(&other, NOW + 2).code(), 34);
}

#[test]
fn entries_expire() {
    let r = realm();
    let c = tgt(&r);
    let req = service_req(&c, NOW);
    let first = raw(&r.kdc, &req, NOW, Transport::Tcp);
    let ttl = r.kdc.lookaside().limits().ttl_secs;
    assert_eq!(ttl, 120);
    assert_eq!(first, raw(&r.kdc, &req, NOW + ttl - 1, Transport::Tcp));
    // Past the window the request is processed again: the replay cache
    // knows it as the same request (a retransmit, not a replay) and a
    // fresh ticket is issued; the same authenticator in other bytes is
    // still a replay.
    let again = r.send(&req, NOW + ttl).into_tgs_rep();
    assert_eq!(open_tgs_rep(&again, &c.session, false).nonce, 777);
    assert_eq!(r.send(&with_extra_padata(&req), NOW + ttl).code(), 34);
}

#[test]
fn full_cache_evicts_the_oldest_reply() {
    let r = realm();
    let c = tgt(&r);
    let kdc =
        Kdc::new(r.store.clone(), &r.config).with_lookaside(Lookaside::new(LookasideLimits {
            ttl_secs: 120,
            max_entries: 1,
            max_bytes: 1 << 20,
        }));
    let req1 = service_req(&c, NOW);
    let a = raw(&kdc, &req1, NOW, Transport::Tcp);
    assert_eq!(kdc.lookaside().len(), 1);
    // A second request's reply takes the place of the first.
    let key = alice_key(EncType::Aes256CtsHmacSha196, PASSWORD);
    let as_req2 = as_req(
        as_body(&user("alice"), &krbtgt(), &[18], KdcOptions::EMPTY),
        vec![pa_enc_timestamp(&key, NOW)],
    );
    let b1 = raw(&kdc, &as_req2, NOW, Transport::Tcp);
    Reply::parse(&b1).into_as_rep();
    assert_eq!(kdc.lookaside().len(), 1);
    assert_eq!(b1, raw(&kdc, &as_req2, NOW + 1, Transport::Tcp));
    // The first request's retransmit is processed again, and still gets a
    // ticket (see core_replay for why it is not called a replay).
    let a2 = raw(&kdc, &req1, NOW + 1, Transport::Tcp);
    assert_ne!(a, a2, "processed again (fresh session key)");
    let rep = Reply::parse(&a2).into_tgs_rep();
    assert_eq!(open_tgs_rep(&rep, &c.session, false).nonce, 777);
    assert!(kdc.lookaside().bytes() <= 1 << 20);
}

#[test]
fn spoofable_errors_are_not_cached_and_do_not_evict() {
    let r = realm();
    let c = tgt(&r);
    let kdc =
        Kdc::new(r.store.clone(), &r.config).with_lookaside(Lookaside::new(LookasideLimits {
            ttl_secs: 120,
            max_entries: 4,
            max_bytes: 1 << 20,
        }));
    let legit = service_req(&c, NOW);
    let reply = raw(&kdc, &legit, NOW, Transport::Udp);
    Reply::parse(&reply).into_tgs_rep();
    let wrong = alice_key(EncType::Aes256CtsHmacSha196, "wrong");
    // A flood of unique unauthenticated AS-REQs: unknown clients,
    // no pre-authentication, wrong passwords.
    for n in 0..1500u32 {
        let mut body = as_body(
            &user(&format!("nobody{n}")),
            &krbtgt(),
            &[18],
            KdcOptions::EMPTY,
        );
        body.nonce = n;
        assert_eq!(
            Reply::parse(&raw(&kdc, &as_req(body, vec![]), NOW, Transport::Udp)).code(),
            6
        );
        let mut body = as_body(&user("alice"), &krbtgt(), &[18], KdcOptions::EMPTY);
        body.nonce = n;
        assert_eq!(
            Reply::parse(&raw(
                &kdc,
                &as_req(body.clone(), vec![]),
                NOW,
                Transport::Udp
            ))
            .code(),
            25
        );
        let pa = pa_enc_timestamp(&wrong, NOW);
        assert_eq!(
            Reply::parse(&raw(&kdc, &as_req(body, vec![pa]), NOW, Transport::Udp)).code(),
            24
        );
    }
    assert_eq!(
        kdc.lookaside().len(),
        1,
        "only the legitimate reply is cached"
    );
    assert_eq!(reply, raw(&kdc, &legit, NOW + 5, Transport::Udp));
}

#[test]
fn too_big_is_not_cached_and_tcp_retry_gets_the_reply() {
    let r = realm();
    let c = tgt(&r);
    let small = Kdc::new(r.store.clone(), &r.config).with_udp_limit(300);
    let req = service_req(&c, NOW);
    let udp = raw(&small, &req, NOW, Transport::Udp);
    assert!(udp.len() <= 300);
    assert_eq!(Reply::parse(&udp).code(), 52);
    // The TCP retry carries the same bytes: it gets the TGS-REP, not
    // KRB_AP_ERR_REPEAT from the authenticator replay cache.
    let tcp = raw(&small, &req, NOW + 1, Transport::Tcp);
    let rep = Reply::parse(&tcp).into_tgs_rep();
    let part = open_tgs_rep(&rep, &c.session, false);
    assert_eq!(part.nonce, 777);
    assert_eq!(tcp, raw(&small, &req, NOW + 2, Transport::Tcp));
    // A UDP retransmit still gets RESPONSE_TOO_BIG.
    assert_eq!(
        Reply::parse(&raw(&small, &req, NOW + 2, Transport::Udp)).code(),
        52
    );
}

#[test]
fn preauth_failure_retransmit_gets_same_error_uncached() {
    let r = realm();
    let wrong = alice_key(EncType::Aes256CtsHmacSha196, "wrong");
    let req = as_req(
        as_body(&user("alice"), &krbtgt(), &[18], KdcOptions::EMPTY),
        vec![pa_enc_timestamp(&wrong, NOW)],
    );
    // Not cached (anyone can provoke it; the lockout duplicate check makes
    // a retransmit count once, see core_lockout): the retransmit is
    // answered the same way.
    let first = raw(&r.kdc, &req, NOW, Transport::Udp);
    assert_eq!(Reply::parse(&first).code(), 24);
    assert_eq!(
        Reply::parse(&raw(&r.kdc, &req, NOW + 1, Transport::Udp)).code(),
        24
    );
    assert!(r.kdc.lookaside().is_empty());
    // Garbage is still dropped, never cached.
    assert!(
        r.kdc
            .handle(b"garbage", peer(), Transport::Udp, t(NOW))
            .is_none()
    );
}
