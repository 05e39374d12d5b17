//! Cells of docs/interop.md's matrix that no other test covers: MIT's
//! tools against MIT's KDC (the reference column), forwardable TGTs for
//! MIT's kinit and ours against our KDC, and our kinit's renewal against
//! MIT's KDC.

use std::path::PathBuf;

use tessera_client::ccache::{Credential, CredentialCache, flags};
use tessera_tests::mit::{MitKdc, require_mit, run};
use tessera_tests::realm::{RealmOptions, TestRealm};

use crate::admin_remote::workspace_bin;

fn krbtgt(ccache: &PathBuf, realm: &str) -> Credential {
    let cc = CredentialCache::parse(&std::fs::read(ccache).expect("ccache")).expect("parses");
    let name = format!("krbtgt/{realm}@{realm}");
    cc.tickets()
        .find(|c| c.server.to_string() == name)
        .unwrap_or_else(|| panic!("no {name} in {cc:?}"))
        .clone()
}

/// An MIT realm where `user` (password `pw`) may have renewable tickets.
fn mit_realm(realm: &str) -> MitKdc {
    let kdc = MitKdc::start(
        realm,
        &["aes256-cts-hmac-sha1-96", "aes128-cts-hmac-sha1-96"],
    );
    kdc.kadmin("addprinc +requires_preauth -maxrenewlife 7d -pw pw user");
    kdc.kadmin(&format!("modprinc -maxrenewlife 7d krbtgt/{realm}"));
    kdc.kadmin("addprinc -randkey host/localhost");
    kdc.kadmin("ktadd host/localhost");
    kdc
}

#[test]
fn mit_tools_against_mit_kdc() {
    if !require_mit() {
        return;
    }
    let realm = "MITMIT.TEST";
    let kdc = mit_realm(realm);
    let env = kdc.env();
    let cc = kdc.dir().join("ccache");
    let kt = kdc.dir().join("krb5.keytab").display().to_string();
    let r = run(
        "/usr/bin/kinit",
        &["-f", "-r", "2d", "user"],
        &env,
        Some("pw\n"),
    );
    assert!(r.ok, "{r:?}");
    let first = krbtgt(&cc, realm);
    let want = flags::FORWARDABLE | flags::RENEWABLE;
    assert_eq!(first.ticket_flags & want, want, "{first:?}");
    assert!(run("/usr/bin/kinit", &["-R"], &env, None).ok);
    let renewed = krbtgt(&cc, realm);
    assert_eq!(renewed.authtime, first.authtime);
    assert_ne!(renewed.ticket, first.ticket);
    let r = run("/usr/bin/kvno", &["-k", &kt, "host/localhost"], &env, None);
    assert!(r.ok && r.stdout.contains("keytab entry valid"), "{r:?}");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/gss/mit_both.py");
    let r = run("/usr/bin/python3", &[script, "host@localhost"], &env, None);
    assert!(
        r.ok && r.stdout.contains(&format!("OK user@{realm}")),
        "{r:?}"
    );
    let r = run(
        "/usr/bin/kinit",
        &["-k", "-t", &kt, "host/localhost"],
        &env,
        None,
    );
    assert!(r.ok, "{r:?}");
}

/// MIT's kinit and ours against our KDC: `-f` gives a forwardable TGT, no
/// `-f` does not (the dev realm's krb5.conf leaves MIT's default, not
/// forwardable).
#[test]
fn forwardable_tgts_from_our_kdc() {
    if !require_mit() {
        return;
    }
    let Some(kinit) = workspace_bin("kinit") else {
        return;
    };
    let realm = TestRealm::start(RealmOptions::default());
    let r_name = realm.realm().to_owned();
    let pw = format!("{}\n", realm.user_password());
    for fwd in [true, false] {
        let args: &[&str] = if fwd { &["-f"] } else { &[] };
        let r = realm.kinit_user(args);
        assert!(r.ok, "MIT kinit {args:?}: {r:?}");
        let t = krbtgt(&realm.ccache(), &r_name);
        assert_eq!(t.ticket_flags & flags::FORWARDABLE != 0, fwd, "MIT: {t:?}");

        let mut ours = args.to_vec();
        ours.push("user");
        let r = run(&kinit.display().to_string(), &ours, &realm.env(), Some(&pw));
        assert!(r.ok, "our kinit {args:?}: {r:?}");
        let t = krbtgt(&realm.ccache(), &r_name);
        assert_eq!(t.ticket_flags & flags::FORWARDABLE != 0, fwd, "ours: {t:?}");
    }
}

/// Our kinit -f -r against MIT's KDC, then our kinit -R.
#[test]
fn our_kinit_renews_against_mit_kdc() {
    if !require_mit() {
        return;
    }
    let Some(kinit) = workspace_bin("kinit") else {
        return;
    };
    let realm = "OURMIT.TEST";
    let kdc = mit_realm(realm);
    let env = kdc.env();
    let cc = kdc.dir().join("ccache");
    let kinit = kinit.display().to_string();
    let r = run(&kinit, &["-f", "-r", "2d", "user"], &env, Some("pw\n"));
    assert!(r.ok, "{r:?}");
    let first = krbtgt(&cc, realm);
    let want = flags::FORWARDABLE | flags::RENEWABLE;
    assert_eq!(first.ticket_flags & want, want, "{first:?}");
    let r = run(&kinit, &["-R"], &env, None);
    assert!(r.ok, "our kinit -R against MIT: {r:?}");
    let renewed = krbtgt(&cc, realm);
    assert_eq!(renewed.authtime, first.authtime);
    assert_ne!(renewed.ticket, first.ticket);
    assert!(renewed.ticket_flags & flags::RENEWABLE != 0);
}
