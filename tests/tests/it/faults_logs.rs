//! Secrets never in logs (issue 9, faults): every [`TestRealm`] of the
//! suite logs its in-process KDC at trace level to `kdc-trace.log` and
//! scans it when dropped (`tessera_tests::secrets`). These tests prove the
//! scan sees real traffic and would catch a leak: the log of a realm that
//! served MIT kinit, kvno and a wrong password holds the KDC's lines and
//! is clean; a key of the realm written into it in hex, in base64
//! or as a byte list, a password, or a ticket session key from the
//! ccache, each fail the check.

use std::io::Write;
use std::panic::AssertUnwindSafe;

use tessera_kdc::db::PrincipalStore;
use tessera_tests::mit::require_mit;
use tessera_tests::realm::{RealmOptions, TestRealm};

fn append(realm: &TestRealm, text: &str) {
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(realm.trace_log())
        .expect("trace log");
    writeln!(f, "{text}").expect("append");
}

/// Whether `check_logs` fails (panics) now.
fn check_fails(realm: &TestRealm) -> bool {
    std::panic::catch_unwind(AssertUnwindSafe(|| realm.check_logs())).is_err()
}

#[test]
fn kdc_trace_log_is_scanned_and_a_planted_secret_fails_the_check() {
    if !require_mit() {
        return;
    }
    let realm = TestRealm::start(RealmOptions::default());
    let r = realm.kinit_user(&[]);
    assert!(r.ok, "{r:?}");
    let r = realm.mit("kvno", &["host/localhost"], None);
    assert!(r.ok, "{r:?}");
    let r = realm.mit("kinit", &["user"], Some("not-the-password\n"));
    assert!(!r.ok);
    realm.note_password("not-the-password");

    let log = std::fs::read_to_string(realm.trace_log()).expect("trace log");
    // The capture holds the KDC's own lines (its subscriber lets every
    // level through; the KDC emits few below info).
    assert!(
        log.contains("kdc decision") && log.contains("KDC_ERR_PREAUTH_FAILED"),
        "the KDC's log was not captured:\n{log}"
    );
    let scanned = realm.check_logs();
    assert!(scanned > 0, "nothing scanned");
    eprintln!("trace log of one realm: {scanned} bytes, clean");

    // Each kind of secret, planted, fails the check (then the log is
    // restored, so the drop check passes).
    let user = realm.dev.principal("user");
    let entry = realm.store.get(&user).expect("get").expect("user");
    let key = entry.keys[0].key.as_bytes().to_vec();
    let cc = tessera_client::ccache::CredentialCache::parse(
        &std::fs::read(realm.ccache()).expect("ccache"),
    )
    .expect("parse ccache");
    // The TGT's session key (MIT also stores configuration entries, with
    // no key).
    let session = cc
        .credentials
        .iter()
        .find(|c| c.key.len() >= 16)
        .expect("a credential with a session key")
        .key
        .to_vec();
    let planted = [
        format!("key={}", hex::encode(&key)),
        format!("key={}", hex::encode_upper(&key)),
        format!("key={key:?}"),
        format!("session={}", hex::encode(&session)),
        format!("password={}", realm.user_password()),
        "pw=not-the-password".to_owned(),
    ];
    for (i, text) in planted.into_iter().enumerate() {
        let clean = std::fs::read(realm.trace_log()).expect("trace log");
        append(&realm, &text);
        assert!(check_fails(&realm), "planted secret #{i} was not found");
        std::fs::write(realm.trace_log(), clean).expect("restore");
    }
    assert!(!check_fails(&realm));
}
