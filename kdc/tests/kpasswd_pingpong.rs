//! kpasswd never answers what cannot be a request (the UDP ping-pong of
//! MIT's CVE-2002-2443): every kind of reply the service produces, fed back
//! to it, gets no reply; of 20,000 random and mutated datagrams, only
//! decodable requests are answered. Sans-I/O, against a real store.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod core_common;
mod kpasswd_common;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use core_common::*;
use kpasswd_common::changepw_cred;
use tessera_client::ccache::Credential;
use tessera_kdc::admin::AdminService;
use tessera_kdc::db::PrincipalStore;
use tessera_kdc::kpasswd::KpasswdService;
use tessera_proto::crypto::EncType;
use tessera_proto::msg::{
    ChangePasswdData, KpasswdReply, KpasswdRequest, KpasswdResult, KpasswdResultCode,
    KpasswdVersion, encode,
};

struct Fixture {
    realm: Realm,
    svc: KpasswdService,
    cred: Credential,
    /// Microseconds added to NOW for the next authenticator (each request
    /// needs a fresh one, or the replay cache refuses it).
    tick: i64,
}

fn fixture() -> Fixture {
    let realm = realm();
    let store: Arc<dyn PrincipalStore> = realm.store.clone();
    let admin = Arc::new(AdminService::from_config(store, &realm.config));
    let svc = KpasswdService::new(admin, Duration::from_secs(300));
    let key = alice_key(EncType::Aes256CtsHmacSha196, PASSWORD);
    let cred = changepw_cred(&realm, &user("alice"), &key, &[18], NOW);
    Fixture {
        realm,
        svc,
        cred,
        tick: 0,
    }
}

impl Fixture {
    fn now_micros(&mut self) -> i64 {
        self.tick += 1;
        NOW * 1_000_000 + self.tick
    }

    /// A framed request as client-lib's `change_password` builds it; with
    /// `foreign_priv`, the KRB-PRIV will not decrypt.
    fn request(&mut self, version: KpasswdVersion, data: &[u8], foreign_priv: bool) -> Vec<u8> {
        let now = self.now_micros();
        let other = foreign_priv.then(|| self.now_micros());
        kpasswd_common::request(&self.cred, version, data, now, other)
    }

    fn process(&mut self, bytes: &[u8]) -> Option<Vec<u8>> {
        let now = self.now_micros();
        self.svc
            .process(bytes, peer(), t(now.div_euclid(1_000_000)))
    }

    fn dropped(&self) -> u64 {
        self.svc.stats().dropped.load(Ordering::Relaxed)
    }
}

/// The result code a reply carries (decrypting nothing: the KRB-PRIV's
/// code is not needed, only its kind).
fn kind(reply: &[u8]) -> &'static str {
    match KpasswdReply::decode(reply).unwrap() {
        KpasswdReply::Priv { .. } => "priv",
        KpasswdReply::Error(e) => {
            let r = KpasswdResult::decode(e.e_data.as_ref().unwrap()).unwrap();
            assert_eq!(r.result_code(), Some(KpasswdResultCode::AuthError));
            assert!(e.e_text.is_none(), "no e-text on an unauthenticated error");
            "error"
        }
    }
}

/// Every kind of reply: success, refusal and malformed-data results in a
/// KRB-PRIV, and the KRB-ERROR for a refused AP-REQ (a replay).
fn every_reply(f: &mut Fixture) -> Vec<Vec<u8>> {
    let mut replies = Vec::new();
    let ok = f.request(KpasswdVersion::Change, b"a brand new passphrase 1", false);
    replies.push(f.process(&ok).expect("a change is answered"));
    assert_eq!(
        f.svc.stats().changed.load(Ordering::Relaxed),
        1,
        "the change succeeded"
    );
    // Setting another principal's password without the ACL's permission.
    let (n, r) = name(SERVICE).to_asn1().unwrap();
    let cpd = ChangePasswdData {
        newpasswd: b"some other passphrase".to_vec().into(),
        targname: Some(n),
        targrealm: Some(r),
    };
    let set = f.request(KpasswdVersion::SetPassword, &encode(&cpd).unwrap(), false);
    replies.push(f.process(&set).expect("a refused set-password is answered"));
    // A KRB-PRIV that does not decrypt (result Malformed, in a KRB-PRIV).
    let bad_priv = f.request(KpasswdVersion::Change, b"whatever it is 12", true);
    replies.push(f.process(&bad_priv).expect("a bad KRB-PRIV is answered"));
    // The same request again: the AP-REQ is a replay, refused with a
    // KRB-ERROR (a well-framed request still learns why, as from MIT).
    replies.push(f.process(&bad_priv).expect("a replayed AP-REQ is answered"));
    let kinds: Vec<_> = replies.iter().map(|r| kind(r)).collect();
    assert_eq!(kinds, ["priv", "priv", "priv", "error"]);
    replies
}

#[test]
fn no_reply_is_answered() {
    let mut f = fixture();
    let replies = every_reply(&mut f);
    assert_eq!(f.dropped(), 0);
    let mut fed = 0;
    for reply in &replies {
        // The reply as sent, and with the version field of either request
        // version (a reply is version 1, which is also a request version).
        let mut other = reply.clone();
        other[2..4].copy_from_slice(&0xff80u16.to_be_bytes());
        for bytes in [reply.clone(), other] {
            assert!(f.process(&bytes).is_none(), "a reply was answered");
            fed += 1;
        }
    }
    assert_eq!(f.dropped(), fed);
}

#[test]
fn garbage_is_dropped_and_counted() {
    let mut f = fixture();
    let framed_junk = {
        let mut v = 16u16.to_be_bytes().to_vec();
        v.extend_from_slice(&[0, 1, 0, 4, 0x6e, 2, 1, 5, 0x75, 0, 0, 0, 0, 0]);
        v
    };
    for bad in [
        vec![],
        vec![0],
        vec![0, 1],
        vec![0, 6, 0, 1, 0, 0],
        vec![0, 10, 0, 1, 0, 0],
        framed_junk,
    ] {
        assert!(f.process(&bad).is_none(), "{bad:?} answered");
    }
    // Unknown version around a real request's parts.
    let mut req = f.request(KpasswdVersion::Change, b"a brand new passphrase 2", false);
    req[2..4].copy_from_slice(&7u16.to_be_bytes());
    assert!(f.process(&req).is_none(), "unknown version answered");
    assert_eq!(f.dropped(), 7);
    assert_eq!(f.svc.stats().refused.load(Ordering::Relaxed), 0);
}

/// xorshift64: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, base: &[u8]) -> Vec<u8> {
    let mut m = base.to_vec();
    for _ in 0..=rng.below(4) {
        match rng.below(4) {
            0 | 1 if !m.is_empty() => {
                let i = rng.below(m.len());
                m[i] = rng.next() as u8;
            }
            2 if !m.is_empty() => m.truncate(rng.below(m.len())),
            _ => {
                let i = rng.below(m.len() + 1);
                m.insert(i, rng.next() as u8);
            }
        }
    }
    // Keep the length field right half the time, so mutations reach past
    // the framing check.
    if m.len() >= 2 && rng.below(2) == 0 {
        let n = u16::try_from(m.len()).unwrap_or(0);
        m[..2].copy_from_slice(&n.to_be_bytes());
    }
    m
}

#[test]
fn random_and_mutated_datagrams_only_requests_answered() {
    let mut f = fixture();
    let mut bases = every_reply(&mut f);
    bases.push(f.request(KpasswdVersion::Change, b"a brand new passphrase 3", false));
    bases.push(f.request(KpasswdVersion::Change, b"a brand new passphrase 4", true));
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut answered, mut max_ratio) = (0u32, 0f64);
    for i in 0..20_000 {
        let input = if i % 2 == 0 {
            let len = rng.below(300);
            (0..len).map(|_| rng.next() as u8).collect::<Vec<u8>>()
        } else {
            let base = &bases[rng.below(bases.len())];
            mutate(&mut rng, base)
        };
        if let Some(reply) = f.process(&input) {
            answered += 1;
            assert!(
                KpasswdRequest::decode(&input).is_ok(),
                "answered a datagram that is not a request: {input:02x?}"
            );
            assert!(KpasswdReply::decode(&reply).is_ok());
            max_ratio = max_ratio.max(reply.len() as f64 / input.len() as f64);
        }
    }
    eprintln!("answered {answered} of 20000; largest reply/request ratio {max_ratio:.2}");
    // Whatever is answered is a request carrying a whole AP-REQ, larger
    // than the KRB-ERROR it can earn without a valid ticket.
    assert!(max_ratio < 1.0, "reply/request ratio {max_ratio}");
    let _ = &f.realm;
}
