//! Account lockout and the UDP reply limit against MIT's kinit, with OUR
//! KDC in-process on real loopback sockets:
//!
//! * a policy with max failures 3: three wrong passwords, then the right
//!   one is refused ("credentials have been revoked"); after `unlock`
//!   through the admin API on a second store handle (as `kadmin -l` would
//!   from another process), the very next kinit works;
//! * `network.udp_max_reply_size = 512`: the TGT reply does not fit, the
//!   KDC answers KRB_ERR_RESPONSE_TOO_BIG and MIT's kinit retries over TCP
//!   and succeeds (the retry shows in KRB5_TRACE).

use std::sync::Arc;

use tessera_kdc::admin::{AdminRequest, AdminService, Caller};
use tessera_kdc::db::{Policy, PrincipalStore, StoreOptions};
use tessera_kdc::dev::{DevOptions, KDC_TOML, prepare};
use tessera_kdc::realm::open_store_with;
use tessera_tests::mit::{free_port, require_mit};
use tessera_tests::realm::{RealmOptions, TestRealm};

#[test]
fn mit_kinit_locked_out_after_max_failures_until_unlock() {
    if !require_mit() {
        return;
    }
    // No background refresh during the test: the unlock below must be seen
    // by the per-request catch-up.
    let realm = TestRealm::start(RealmOptions {
        refresh_interval: Some(std::time::Duration::from_secs(3600)),
        ..RealmOptions::default()
    });
    let name = format!("user@{}", realm.realm());
    let mut p = Policy::new("lock3");
    p.max_failure = 3;
    p.failure_count_interval = 0;
    p.lockout_duration = 0;
    realm.store.create_policy(&p).unwrap();
    let mut e = (*realm.store.get(&name).unwrap().unwrap()).clone();
    e.policy = Some("lock3".into());
    realm.store.update(&e).unwrap();

    for i in 1..=3 {
        let r = realm.mit("kinit", &["user"], Some("not-the-password\n"));
        assert!(!r.ok, "{r:?}");
        assert!(
            r.stderr.contains("Password incorrect"),
            "attempt {i}: {r:?}"
        );
        // The KDC writes lockout outcomes in the background: wait for it.
        assert!(
            realm
                .kdc
                .lockout()
                .flush(std::time::Duration::from_secs(60))
        );
        let count = realm.store.get(&name).unwrap().unwrap().fail_count;
        assert_eq!(count, i, "one kinit, one failure: {r:?}");
    }
    let r = realm.kinit_user(&[]);
    assert!(!r.ok, "{r:?}");
    assert!(
        r.stderr.contains("Client's credentials have been revoked"),
        "{r:?}"
    );

    // Unlock from another store handle (another process, like kadmin -l).
    let other = open_store_with(&realm.dev.config, StoreOptions::default()).unwrap();
    let admin = AdminService::from_config(Arc::new(other), &realm.dev.config);
    admin
        .execute(
            &Caller::local(),
            AdminRequest::Unlock {
                name: "user".into(),
            },
        )
        .unwrap();
    // The KDC honours the unlock at the very next request.
    let r = realm.kinit_user(&[]);
    assert!(r.ok, "kinit refused right after unlock: {r:?}");
    assert!(
        realm
            .kdc
            .lockout()
            .flush(std::time::Duration::from_secs(60))
    );
    assert_eq!(realm.store.get(&name).unwrap().unwrap().fail_count, 0);
}

#[test]
fn mit_kinit_retries_over_tcp_when_udp_reply_too_big() {
    if !require_mit() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("realm");
    prepare(&DevOptions::new(&dir, free_port())).unwrap();
    let toml = dir.join(KDC_TOML);
    let text = std::fs::read_to_string(&toml).unwrap();
    assert!(text.contains("[network]\n"), "{text}");
    let text = text.replacen("[network]\n", "[network]\nudp_max_reply_size = 512\n", 1);
    std::fs::write(&toml, text).unwrap();

    let realm = TestRealm::serve_dir(&dir, &RealmOptions::default());
    assert_eq!(realm.dev.config.network.udp_max_reply_size, 512);
    let r = realm.kinit_user(&[]);
    assert!(r.ok, "kinit failed: {r:?}");
    assert!(r.stderr.contains("dgram 127.0.0.1"), "no UDP try: {r:?}");
    assert!(
        r.stderr.contains("retrying with TCP"),
        "no RESPONSE_TOO_BIG retry: {r:?}"
    );
    assert!(r.stderr.contains("stream 127.0.0.1"), "no TCP retry: {r:?}");
    let r = realm.mit("klist", &[], None);
    assert!(r.ok && r.stdout.contains("krbtgt/"), "{r:?}");
    // A service ticket too (its TGS-REP is also too big for 512 bytes).
    let r = realm.mit("kvno", &["host/localhost"], None);
    assert!(r.ok, "kvno failed: {r:?}");
}
