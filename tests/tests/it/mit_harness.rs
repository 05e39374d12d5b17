//! The MIT reference realm the interop tests stand on works at all.

use tessera_tests::mit::{MitKdc, require_mit, run};

#[test]
fn mit_kdc_issues_a_tgt_to_mit_kinit() {
    if !require_mit() {
        return;
    }
    let kdc = MitKdc::start("MIT.TEST", &["aes256-cts-hmac-sha1-96"]);
    kdc.kadmin("addprinc -pw s3cret user");
    let r = run("/usr/bin/kinit", &["user"], &kdc.env(), Some("s3cret\n"));
    assert!(r.ok, "kinit failed: {r:?}");
    let r = run("/usr/bin/klist", &[], &kdc.env(), None);
    assert!(r.stdout.contains("krbtgt/MIT.TEST@MIT.TEST"), "{r:?}");
}
