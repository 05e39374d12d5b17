//! GSS-API applications (MIT's libgssapi_krb5 through python3-gssapi) work
//! with tickets from OUR KDC: an MIT initiator with a TGT from `kinit`
//! against Tessera, an MIT acceptor with the keytab `tessera-kdc dev` wrote,
//! mutual authentication, then wrap/unwrap and MICs both ways.

use tessera_tests::mit::{require_mit, run};
use tessera_tests::realm::{RealmOptions, TestRealm};

fn gss_between_mit_peers(realm: &TestRealm) {
    let r = realm.kinit_user(&[]);
    assert!(r.ok, "MIT kinit against our KDC failed: {r:?}");
    let mut env = realm.env();
    env.push((
        "KRB5_KTNAME".into(),
        format!("FILE:{}", realm.dev.service_keytab().display()),
    ));
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/gss/mit_both.py");
    let r = run("/usr/bin/python3", &[script, "host@localhost"], &env, None);
    assert!(r.ok, "MIT GSS-API exchange with our tickets failed: {r:?}");
    let want = format!("OK user@{}", realm.realm());
    assert!(r.stdout.contains(&want), "{r:?}");
}

#[test]
fn mit_gss_initiator_and_acceptor_with_tickets_from_our_kdc() {
    if !require_mit() {
        return;
    }
    gss_between_mit_peers(&TestRealm::start(RealmOptions::default()));
}

#[test]
fn mit_gss_with_our_kdc_per_enctype() {
    if !require_mit() {
        return;
    }
    for etype in [17, 18, 19, 20] {
        gss_between_mit_peers(&TestRealm::start(RealmOptions {
            enctypes: Some(vec![etype]),
            ..RealmOptions::default()
        }));
    }
}
