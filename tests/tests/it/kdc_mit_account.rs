//! The account semantics MIT's users rely on, with MIT's own tools against
//! our KDC: `+needchange` (MIT's kinit is told the password expired, changes
//! it through our kpasswd and then gets its TGT), an old password after
//! `cpw` is refused even though the old kvno's keys are kept, and a
//! postdated ticket is not validated before its start time (checked against
//! MIT's own krb5kdc too).

use crate::admin_remote::DevKdc;
use tessera_tests::mit::{MitKdc, require_mit, run};
use tessera_tests::realm::{RealmOptions, TestRealm};

/// Our `kadmin -l --config DIR/kdc.toml ARGS...` (a separate process on the
/// database; the KDC sees the change on its next request).
fn kadmin_local(kdc: &DevKdc, args: &[&str]) -> tessera_tests::mit::Run {
    let cfg = kdc.dir.join("kdc.toml").display().to_string();
    let mut all = vec!["-l", "--config", cfg.as_str()];
    all.extend_from_slice(args);
    let r = kdc.kadmin(&all, None);
    assert!(r.ok, "kadmin -l {args:?}: {r:?}");
    r
}

#[test]
fn needchange_mit_kinit_changes_the_password_then_gets_tickets() {
    let Some(kdc) = DevKdc::start() else {
        return;
    };
    let old = kdc.user_password();
    assert!(kdc.kinit("user", &old).ok);
    kadmin_local(&kdc, &["modprinc", "+needchange", "user"]);
    let r = kadmin_local(&kdc, &["getprinc", "user"]);
    assert!(r.stdout.contains("REQUIRES_PWCHANGE"), "{r:?}");

    // Until the change no service ticket, even with a TGT from before the
    // flag (MIT's KDC would still issue this one).
    let r = kdc.mit("kvno", &["host/localhost"], None);
    assert!(!r.ok, "{r:?}");
    assert!(
        r.stderr
            .contains("Password has expired while getting credentials for host/localhost"),
        "{r:?}"
    );

    // MIT's kinit: KDC_ERR_KEY_EXPIRED, then a kadmin/changepw ticket with
    // the old password, the change through kpasswd_server, and the TGT.
    let new = "Changed-pass-1";
    let r = kdc.mit("kinit", &["user"], Some(&format!("{old}\n{new}\n{new}\n")));
    assert!(r.ok, "{r:?}");
    assert!(
        format!("{}{}", r.stdout, r.stderr).contains("Password expired.  You must change it now."),
        "{r:?}"
    );
    let r = kdc.mit("klist", &[], None);
    assert!(
        r.ok && r.stdout.contains("krbtgt/TESSERA.TEST@TESSERA.TEST"),
        "{r:?}"
    );
    // The change cleared the flag: normal tickets follow.
    let r = kadmin_local(&kdc, &["getprinc", "user"]);
    assert!(!r.stdout.contains("REQUIRES_PWCHANGE"), "{r:?}");
    let r = kdc.mit("kvno", &["host/localhost"], None);
    assert!(r.ok, "{r:?}");
    assert!(kdc.kinit("user", new).ok);
    let r = kdc.kinit("user", &old);
    assert!(!r.ok && r.stderr.contains("Password incorrect"), "{r:?}");
}

#[test]
fn old_password_after_cpw_is_password_incorrect() {
    let Some(kdc) = DevKdc::start() else {
        return;
    };
    let old = kdc.user_password();
    // Under a lockout policy, so that failures are counted.
    assert!(
        kdc.kadmin_admin(&["addpol", "-maxfailure", "5", "lock5"])
            .ok
    );
    assert!(
        kdc.kadmin_admin(&["modprinc", "-policy", "lock5", "user"])
            .ok
    );
    let r = kdc.kadmin_admin(&["cpw", "-pw", "Second-pass-1", "user"]);
    assert!(r.ok, "{r:?}");
    // The old kvno's keys are still held (as for service keytabs) ...
    let r = kadmin_local(&kdc, &["getprinc", "user"]);
    assert!(
        r.stdout.contains("Key: vno 1") && r.stdout.contains("Key: vno 2"),
        "{r:?}"
    );
    // ... but they prove nothing: MIT's kinit says "Password incorrect".
    let r = kdc.kinit("user", &old);
    assert!(!r.ok, "{r:?}");
    assert!(
        r.stderr
            .contains("Password incorrect while getting initial credentials"),
        "{r:?}"
    );
    // ... and the attempt counts toward lockout.
    let r = kadmin_local(&kdc, &["getprinc", "user"]);
    assert!(r.stdout.contains("Failed password attempts: 1"), "{r:?}");
    assert!(kdc.kinit("user", "Second-pass-1").ok);
}

#[test]
fn postdated_ticket_is_not_validated_before_its_start() {
    if !require_mit() {
        return;
    }
    // Two minutes ahead: inside the 5-minute clock skew, still refused.
    let realm = TestRealm::start(RealmOptions::default());
    let r = realm.kinit_user(&["-s", "2m"]);
    assert!(r.ok, "{r:?}");
    let r = realm.mit("klist", &["-f"], None);
    assert!(r.stdout.contains("Flags: Ddi"), "{r:?}");
    let r = realm.mit("kinit", &["-v"], None);
    assert!(!r.ok, "{r:?}");
    assert!(
        r.stderr
            .contains("Ticket not yet valid while validating credentials"),
        "{r:?}"
    );

    // MIT's own KDC answers the same.
    let mit = MitKdc::start("MIT.TEST", &["aes256-cts-hmac-sha1-96"]);
    mit.kadmin("addprinc -pw Mit-pass-1 alice");
    let r = run(
        "/usr/bin/kinit",
        &["-s", "2m", "alice"],
        &mit.env(),
        Some("Mit-pass-1\n"),
    );
    assert!(r.ok, "{r:?}");
    let r = run("/usr/bin/kinit", &["-v"], &mit.env(), None);
    assert!(
        !r.ok
            && r.stderr
                .contains("Ticket not yet valid while validating credentials"),
        "{r:?}"
    );
}
