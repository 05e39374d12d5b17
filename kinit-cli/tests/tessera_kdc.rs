//! Our kinit, kvno, klist and kdestroy binaries against our own KDC (an
//! in-process dev realm).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tessera_tests::mit::{require_mit, run};
use tessera_tests::realm::{RealmOptions, TestRealm};

const KINIT: &str = env!("CARGO_BIN_EXE_kinit");
const KLIST: &str = env!("CARGO_BIN_EXE_klist");
const KVNO: &str = env!("CARGO_BIN_EXE_kvno");
const KDESTROY: &str = env!("CARGO_BIN_EXE_kdestroy");

fn check(realm: &TestRealm) {
    let env = realm.env();
    let r_name = realm.realm().to_owned();
    let pw = format!("{}\n", realm.user_password());
    let r = run(KINIT, &["-V", "-r", "2d", "user"], &env, Some(&pw));
    assert!(r.ok, "kinit: {r:?}");
    assert!(r.stdout.contains("Authenticated to Kerberos v5"), "{r:?}");

    let kt = realm.dev.service_keytab().display().to_string();
    let r = run(KVNO, &["-k", &kt, "host/localhost"], &env, None);
    assert!(r.ok, "kvno: {r:?}");
    assert!(
        r.stdout
            .starts_with(&format!("host/localhost@{r_name}: kvno = ")),
        "{r:?}"
    );
    assert!(
        r.stdout.trim_end().ends_with(", keytab entry valid"),
        "{r:?}"
    );

    let r = run(KLIST, &["-f", "-e"], &env, None);
    assert!(r.ok, "klist: {r:?}");
    assert!(
        r.stdout
            .contains(&format!("Default principal: user@{r_name}")),
        "{r:?}"
    );
    assert!(r.stdout.contains(&format!("host/localhost@{r_name}")));
    assert!(run(KLIST, &["-s"], &env, None).ok);

    // kinit -R renews the TGT (the service ticket is dropped, as MIT does).
    let r = run(KINIT, &["-R"], &env, None);
    assert!(r.ok, "kinit -R: {r:?}");
    let r = run(KLIST, &[], &env, None);
    assert!(
        r.stdout.contains(&format!("krbtgt/{r_name}@{r_name}")),
        "{r:?}"
    );

    // kinit with the service keytab.
    let r = run(KINIT, &["-k", "-t", &kt, "host/localhost"], &env, None);
    assert!(r.ok, "kinit -k: {r:?}");
    if require_mit() {
        let r = realm.mit("klist", &[], None);
        assert!(
            r.stdout
                .contains(&format!("Default principal: host/localhost@{r_name}")),
            "{r:?}"
        );
    }
    assert!(run(KDESTROY, &[], &env, None).ok);
    assert!(!run(KLIST, &["-s"], &env, None).ok);
}

#[test]
fn our_tools_against_our_kdc_udp() {
    check(&TestRealm::start(RealmOptions::default()));
}

#[test]
fn our_tools_against_our_kdc_tcp_only() {
    check(&TestRealm::start(RealmOptions {
        tcp_only: true,
        ..RealmOptions::default()
    }));
}

/// MIT's kinit and kvno against our KDC write the cache; our klist reads it
/// and prints what MIT's klist prints.
#[test]
fn mit_kinit_against_our_kdc_then_our_klist_reads_the_cache() {
    if !require_mit() {
        return;
    }
    let realm = TestRealm::start(RealmOptions::default());
    let env = realm.env();
    let r_name = realm.realm().to_owned();
    assert!(realm.kinit_user(&["-f"]).ok);
    assert!(realm.mit("kvno", &["host/localhost"], None).ok);
    for args in [&[][..], &["-f", "-e"][..]] {
        let ours = run(KLIST, args, &env, None);
        let mit = realm.mit("klist", args, None);
        assert!(ours.ok && mit.ok, "{ours:?} {mit:?}");
        assert!(
            ours.stdout.contains(&format!("host/localhost@{r_name}")),
            "{ours:?}"
        );
        // MIT has no name for our native enctype (the TGT's ticket enctype).
        let mit_out = mit
            .stdout
            .replace("DEPRECATED:etype -32341", "aes256-gcm-argon2id");
        assert_eq!(ours.stdout, mit_out, "klist {args:?} differs from MIT's");
    }
}
