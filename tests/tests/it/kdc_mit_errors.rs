//! The errors MIT's kinit reports against OUR KDC: wrong password, unknown
//! principal, clock skew, disabled principal.

use tessera_kdc::db::{PrincipalFlags, PrincipalStore};
use tessera_tests::mit::require_mit;
use tessera_tests::realm::{RealmOptions, TestRealm};

#[test]
fn wrong_password_is_password_incorrect() {
    if !require_mit() {
        return;
    }
    let realm = TestRealm::start(RealmOptions::default());
    let r = realm.mit("kinit", &["user"], Some("not-the-password\n"));
    assert!(!r.ok, "{r:?}");
    assert!(
        r.stderr
            .contains("Password incorrect while getting initial credentials"),
        "{r:?}"
    );
}

#[test]
fn unknown_principal_is_not_found() {
    if !require_mit() {
        return;
    }
    let realm = TestRealm::start(RealmOptions::default());
    let r = realm.mit("kinit", &["nobody"], Some("whatever\n"));
    assert!(!r.ok, "{r:?}");
    let want = format!(
        "Client 'nobody@{}' not found in Kerberos database",
        realm.realm()
    );
    assert!(r.stderr.contains(&want), "{r:?}");
}

#[test]
fn skewed_client_is_clock_skew_too_great() {
    if !require_mit() {
        return;
    }
    // The KDC's clock runs an hour ahead; the client does not adjust.
    let realm = TestRealm::start(RealmOptions {
        clock_offset_secs: 3600,
        libdefaults: vec![("kdc_timesync".into(), "0".into())],
        ..RealmOptions::default()
    });
    let r = realm.kinit_user(&[]);
    assert!(!r.ok, "{r:?}");
    assert!(r.stderr.contains("Clock skew too great"), "{r:?}");
}

#[test]
fn disabled_principal_is_revoked() {
    if !require_mit() {
        return;
    }
    let realm = TestRealm::start(RealmOptions::default());
    let name = format!("user@{}", realm.realm());
    let mut entry = (*realm.store.get(&name).unwrap().unwrap()).clone();
    entry.flags.set(PrincipalFlags::ALLOW_TIX, false);
    realm.store.update(&entry).unwrap();
    let r = realm.kinit_user(&[]);
    assert!(!r.ok, "{r:?}");
    assert!(
        r.stderr.contains("Client's credentials have been revoked"),
        "{r:?}"
    );
}
