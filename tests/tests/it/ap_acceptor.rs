//! Our AP-REQ initiator and acceptor with tickets from MIT's KDC: mutual
//! authentication, and every refusal with its RFC 4120 error code.

use tessera_client::ap::{ApError, ApReqOptions, AuthChecksum, build_ap_req};
use tessera_client::keytab::Keytab;
use tessera_proto::msg::{self, ErrorCode, KrbError};
use tessera_tests::mit::require_mit;

use crate::ap_fixture::{ApRealm, acceptor_with, now};

/// Bytes that differ from any real key (not secret; tests only).
fn random_bytes(n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(37).wrapping_add(11))
        .collect()
}

#[test]
fn mutual_authentication_with_mit_ticket_and_refusals() {
    if !require_mit() {
        return;
    }
    let realm = ApRealm::start(
        "AP.TEST",
        &["aes256-cts-hmac-sha1-96", "aes128-cts-hmac-sha1-96"],
    );
    let cred = realm.credential();
    let acceptor = realm.acceptor();
    let service = realm.service();

    // Mutual authentication, our initiator against our acceptor.
    let t = now();
    let opts = ApReqOptions {
        checksum: AuthChecksum::AppData(b"channel data".to_vec()),
        ..ApReqOptions::default()
    };
    let (req, state) = build_ap_req(&cred, &opts, t).unwrap();
    let ctx = acceptor.accept(&req, now(), Some(&service)).unwrap();
    assert_eq!(ctx.client().to_string(), "user@AP.TEST");
    ctx.verify_app_checksum(b"channel data").unwrap();
    assert!(matches!(
        ctx.verify_app_checksum(b"other data"),
        Err(ApError::Modified { .. })
    ));
    let rep = ctx.ap_rep.clone().expect("AP-REP for mutual auth");
    let session = state.verify_ap_rep(&rep).unwrap();
    assert!(session.acceptor_subkey.is_some());
    assert_eq!(session.shared_key(), ctx.session.shared_key());
    assert_eq!(session.send_seq(), ctx.session.recv_seq());
    assert_eq!(session.recv_seq(), ctx.session.send_seq());

    // Replayed AP-REQ: KRB_AP_ERR_REPEAT.
    let err = acceptor.accept(&req, now(), Some(&service)).unwrap_err();
    assert_eq!(err, ApError::Repeat);
    assert_eq!(err.code(), ErrorCode::ApErrRepeat);
    // ... and the KRB-ERROR sent back says so.
    let ke: KrbError = msg::decode(&err.to_krb_error(&service, now()).unwrap()).unwrap();
    assert_eq!(ke.error_code, 34);

    // Skewed authenticator (one hour slow): KRB_AP_ERR_SKEW.
    let (req, _) = build_ap_req(&cred, &ApReqOptions::default(), now() - 3_600_000_000).unwrap();
    let err = acceptor.accept(&req, now(), None).unwrap_err();
    assert!(matches!(err, ApError::Skew { skew: 300, .. }), "{err:?}");
    assert_eq!(err.code(), ErrorCode::ApErrSkew);

    // Expired ticket: acceptor time past endtime + skew.
    let (req, _) = build_ap_req(&cred, &ApReqOptions::default(), now()).unwrap();
    let late = (i64::from(cred.endtime) + 301) * 1_000_000;
    let err = acceptor.accept(&req, late, None).unwrap_err();
    assert!(matches!(err, ApError::TicketExpired { .. }), "{err:?}");
    assert_eq!(err.code(), ErrorCode::ApErrTktExpired);

    // Not yet valid: acceptor clock well before the ticket's start.
    let early = (i64::from(cred.authtime) - 1000) * 1_000_000;
    let err = acceptor.accept(&req, early, None).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ApErrTktNyv, "{err:?}");

    // A ticket for someone else.
    let other = tessera_proto::msg::Principal::parse("HTTP/localhost@AP.TEST").unwrap();
    let err = acceptor.accept(&req, now(), Some(&other)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ApErrNotUs);

    // Without mutual authentication there is no AP-REP.
    let opts = ApReqOptions {
        mutual: false,
        ..ApReqOptions::default()
    };
    let (req, state) = build_ap_req(&cred, &opts, now()).unwrap();
    let ctx = acceptor.accept(&req, now(), None).unwrap();
    assert!(ctx.ap_rep.is_none());
    let s = state.without_ap_rep();
    assert_eq!(s.shared_key(), ctx.session.shared_key());

    // Garbage is refused with a typed error, not a panic.
    assert!(acceptor.accept(&[0x6e, 0x03, 0x01], now(), None).is_err());
    assert!(acceptor.accept(&[], now(), None).is_err());
}

#[test]
fn wrong_keytabs_are_named_plainly() {
    if !require_mit() {
        return;
    }
    let realm = ApRealm::start(
        "KT.TEST",
        &["aes256-cts-hmac-sha1-96", "aes128-cts-hmac-sha1-96"],
    );
    let cred = realm.credential();
    let kt = realm.keytab();
    let good_kvno = kt.entries[0].kvno;

    // kvno missing: the error names principal, kvno, enctype and what we hold.
    let mut wrong_kvno = kt.clone();
    for e in &mut wrong_kvno.entries {
        e.kvno = good_kvno + 5;
    }
    let (req, _) = build_ap_req(&cred, &ApReqOptions::default(), now()).unwrap();
    let err = acceptor_with(wrong_kvno)
        .accept(&req, now(), None)
        .unwrap_err();
    let text = err.to_string();
    assert_eq!(err.code(), ErrorCode::ApErrBadkeyver);
    assert!(
        text.contains("host/localhost@KT.TEST")
            && text.contains(&format!("kvno {good_kvno}"))
            && text.contains("aes256-cts-hmac-sha1-96")
            && text.contains(&format!("keytab holds kvno {}", good_kvno + 5)),
        "{text}"
    );

    // Enctype missing.
    let mut only128 = kt.clone();
    only128.entries.retain(|e| e.enctype == 17);
    let (req, _) = build_ap_req(&cred, &ApReqOptions::default(), now()).unwrap();
    let err = acceptor_with(only128)
        .accept(&req, now(), None)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::ApErrNokey);
    let text = err.to_string();
    assert!(
        text.contains("host/localhost@KT.TEST") && text.contains("aes256-cts-hmac-sha1-96"),
        "{text}"
    );

    // No key at all for the principal.
    let err = acceptor_with(Keytab::default())
        .accept(&req, now(), None)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::ApErrNokey);
    assert!(err.to_string().contains("host/localhost@KT.TEST"), "{err}");

    // Right kvno and enctype, wrong key: KRB_AP_ERR_BAD_INTEGRITY.
    let mut wrong_key = kt.clone();
    for e in &mut wrong_key.entries {
        let n = e.key.len();
        e.key = random_bytes(n).into();
    }
    let err = acceptor_with(wrong_key)
        .accept(&req, now(), None)
        .unwrap_err();
    assert_eq!(err, ApError::BadIntegrity { what: "ticket" });
    assert_eq!(err.code(), ErrorCode::ApErrBadIntegrity);
}
