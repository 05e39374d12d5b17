//! KRB-PRIV and KRB-SAFE over an AP session made with an MIT ticket.

use tessera_client::ap::{ApReqOptions, build_ap_req};
use tessera_client::priv_safe::{NetAddress, PrivSafe, PrivSafeError};
use tessera_proto::msg::ErrorCode;
use tessera_tests::mit::require_mit;

use crate::ap_fixture::{ApRealm, now};

#[test]
fn priv_and_safe_round_trips_and_refusals() {
    if !require_mit() {
        return;
    }
    let realm = ApRealm::start("PS.TEST", &["aes256-cts-hmac-sha1-96"]);
    let cred = realm.credential();
    let acceptor = realm.acceptor();
    let (req, state) = build_ap_req(&cred, &ApReqOptions::default(), now()).unwrap();
    let ctx = acceptor.accept(&req, now(), None).unwrap();
    let client_session = state.verify_ap_rep(ctx.ap_rep.as_ref().unwrap()).unwrap();
    let mut client = PrivSafe::new(&client_session);
    let mut server = PrivSafe::new(&ctx.session);

    // KRB-PRIV both ways, in order.
    let m1 = client.mk_priv(b"one", now()).unwrap();
    let m2 = client.mk_priv(b"two", now()).unwrap();
    assert_eq!(server.rd_priv(&m1).unwrap(), b"one");
    // Replay of m1: out of order.
    let err = server.rd_priv(&m1).unwrap_err();
    assert!(matches!(err, PrivSafeError::BadOrder { .. }), "{err:?}");
    assert_eq!(err.code(), ErrorCode::ApErrBadorder);
    assert_eq!(server.rd_priv(&m2).unwrap(), b"two");
    let r1 = server.mk_priv(b"reply", now()).unwrap();
    assert_eq!(client.rd_priv(&r1).unwrap(), b"reply");

    // Skipping ahead is refused too.
    let s1 = client.mk_safe(b"safe-1", now()).unwrap();
    let s2 = client.mk_safe(b"safe-2", now()).unwrap();
    let err = server.rd_safe(&s2).unwrap_err();
    assert!(matches!(err, PrivSafeError::BadOrder { .. }), "{err:?}");
    assert_eq!(server.rd_safe(&s1).unwrap(), b"safe-1");
    assert_eq!(server.rd_safe(&s2).unwrap(), b"safe-2");

    // Tampering: a flipped bit in KRB-SAFE user data, in KRB-PRIV ciphertext.
    let s3 = client.mk_safe(b"safe-3", now()).unwrap();
    let mut bad = s3.clone();
    let pos = bad.windows(6).position(|w| w == b"safe-3").unwrap();
    bad[pos] ^= 1;
    assert_eq!(server.rd_safe(&bad).unwrap_err(), PrivSafeError::Modified);
    assert_eq!(server.rd_safe(&s3).unwrap(), b"safe-3");
    let p = client.mk_priv(b"secret", now()).unwrap();
    let mut bad = p.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    assert_eq!(
        server.rd_priv(&bad).unwrap_err(),
        PrivSafeError::BadIntegrity
    );
    assert_eq!(server.rd_priv(&p).unwrap(), b"secret");

    // A reflected message (our own sent back to us) is refused.
    let mine = server.mk_priv(b"to client", now()).unwrap();
    assert_eq!(
        server.rd_priv(&mine).unwrap_err(),
        PrivSafeError::BadDirection
    );
    assert_eq!(client.rd_priv(&mine).unwrap(), b"to client");

    // Real addresses: the peer's sender address must match.
    let a = NetAddress {
        addr_type: 2,
        address: vec![127, 0, 0, 1],
    };
    let b = NetAddress {
        addr_type: 2,
        address: vec![127, 0, 0, 2],
    };
    let (req, state) = build_ap_req(&cred, &ApReqOptions::default(), now()).unwrap();
    let ctx = acceptor.accept(&req, now(), None).unwrap();
    let cs = state.verify_ap_rep(ctx.ap_rep.as_ref().unwrap()).unwrap();
    let mut client = PrivSafe::new(&cs).with_addresses(a.clone(), Some(b.clone()));
    let mut server = PrivSafe::new(&ctx.session).with_addresses(b.clone(), Some(a.clone()));
    let mut liar = PrivSafe::new(&cs).with_addresses(b.clone(), Some(b.clone()));
    let m = client.mk_safe(b"addressed", now()).unwrap();
    assert_eq!(server.rd_safe(&m).unwrap(), b"addressed");
    let m = liar.mk_priv(b"spoofed", now()).unwrap();
    assert_eq!(server.rd_priv(&m).unwrap_err(), PrivSafeError::BadAddress);
}
