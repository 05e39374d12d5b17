//! Our kinit, klist, kvno and kdestroy binaries against MIT's krb5kdc and
//! MIT's client tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use tessera_tests::mit::{MitKdc, Run, free_port, krb5_conf, require_mit, run};

const KINIT: &str = env!("CARGO_BIN_EXE_kinit");
const KLIST: &str = env!("CARGO_BIN_EXE_klist");
const KVNO: &str = env!("CARGO_BIN_EXE_kvno");
const KDESTROY: &str = env!("CARGO_BIN_EXE_kdestroy");

/// The KDC's environment with KRB5_CONFIG replaced by `conf` and the cache
/// at `cache`.
fn env_with(kdc: &MitKdc, conf: &Path, cache: &Path) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = kdc
        .env()
        .into_iter()
        .filter(|(k, _)| k != "KRB5_CONFIG" && k != "KRB5CCNAME")
        .collect();
    env.push(("KRB5_CONFIG".into(), conf.display().to_string()));
    env.push(("KRB5CCNAME".into(), format!("FILE:{}", cache.display())));
    env
}

fn assert_ok(what: &str, r: &Run) {
    assert!(r.ok, "{what} failed: {r:?}");
}

/// Our kinit + kvno against MIT's KDC for one enctype, over UDP or TCP only;
/// MIT's klist then reads our cache.
fn kinit_kvno_roundtrip(enctype: &str, tcp_only: bool, preauth: bool) {
    let realm = "TESSERA.TEST";
    let kdc = MitKdc::start(realm, &[enctype]);
    let flags = if preauth { "+requires_preauth " } else { "" };
    kdc.kadmin(&format!("addprinc {flags}-pw Secret-1 user"));
    kdc.kadmin("addprinc -randkey host/localhost");
    let conf = kdc.dir().join("ours.conf");
    std::fs::write(
        &conf,
        krb5_conf(
            realm,
            &format!("127.0.0.1:{}", kdc.port),
            &[enctype],
            tcp_only.then_some(1),
        ),
    )
    .unwrap();
    let cache = kdc.dir().join("our_cc");
    let env = env_with(&kdc, &conf, &cache);

    let r = run(KINIT, &["user"], &env, Some("Secret-1\n"));
    assert_ok("our kinit", &r);
    let r = run(KVNO, &["host/localhost"], &env, None);
    assert_ok("our kvno", &r);
    assert_eq!(r.stdout.trim(), format!("host/localhost@{realm}: kvno = 1"));

    // MIT's klist reads our cache.
    let r = run("/usr/bin/klist", &["-e"], &env, None);
    assert_ok("MIT klist on our cache", &r);
    assert!(
        r.stdout
            .contains(&format!("Default principal: user@{realm}")),
        "{r:?}"
    );
    assert!(
        r.stdout.contains(&format!("krbtgt/{realm}@{realm}")),
        "{r:?}"
    );
    assert!(
        r.stdout.contains(&format!("host/localhost@{realm}")),
        "{r:?}"
    );
    assert!(
        r.stdout
            .contains(&format!("Etype (skey, tkt): {enctype}, {enctype}")),
        "{r:?}"
    );
    // MIT's kvno uses our cached service ticket (and our TGT for others).
    let r = run("/usr/bin/kvno", &["host/localhost"], &env, None);
    assert_ok("MIT kvno with our cache", &r);

    // A second kvno of ours is answered from the cache.
    let r = run(KVNO, &["host/localhost"], &env, None);
    assert_ok("our kvno (cached)", &r);

    let r = run(KDESTROY, &[], &env, None);
    assert_ok("our kdestroy", &r);
    assert!(!cache.exists());
    let r = run(KLIST, &["-s"], &env, None);
    assert!(!r.ok, "klist -s must fail without a cache");
}

#[test]
fn aes128_sha1_udp_and_tcp() {
    if !require_mit() {
        return;
    }
    kinit_kvno_roundtrip("aes128-cts-hmac-sha1-96", false, true);
    kinit_kvno_roundtrip("aes128-cts-hmac-sha1-96", true, false);
}

#[test]
fn aes256_sha1_udp_and_tcp() {
    if !require_mit() {
        return;
    }
    kinit_kvno_roundtrip("aes256-cts-hmac-sha1-96", false, true);
    kinit_kvno_roundtrip("aes256-cts-hmac-sha1-96", true, true);
}

#[test]
fn aes128_sha256_udp_and_tcp() {
    if !require_mit() {
        return;
    }
    kinit_kvno_roundtrip("aes128-cts-hmac-sha256-128", false, true);
    kinit_kvno_roundtrip("aes128-cts-hmac-sha256-128", true, true);
}

#[test]
fn aes256_sha384_udp_and_tcp() {
    if !require_mit() {
        return;
    }
    kinit_kvno_roundtrip("aes256-cts-hmac-sha384-192", false, false);
    kinit_kvno_roundtrip("aes256-cts-hmac-sha384-192", true, true);
}

#[test]
fn our_klist_matches_mit_klist_on_mit_cache() {
    if !require_mit() {
        return;
    }
    let kdc = MitKdc::start("MITCC.TEST", &["aes256-cts-hmac-sha1-96"]);
    kdc.kadmin("addprinc +requires_preauth -pw pw1 user");
    kdc.kadmin("addprinc -randkey host/localhost");
    let env = kdc.env();
    assert_ok(
        "MIT kinit",
        &run("/usr/bin/kinit", &["-f", "user"], &env, Some("pw1\n")),
    );
    assert_ok(
        "MIT kvno",
        &run("/usr/bin/kvno", &["host/localhost"], &env, None),
    );
    for opts in [&[][..], &["-e"][..], &["-f"][..], &["-e", "-f"][..]] {
        let mit = run("/usr/bin/klist", opts, &env, None);
        let ours = run(KLIST, opts, &env, None);
        assert_ok("MIT klist", &mit);
        assert_ok("our klist", &ours);
        assert_eq!(ours.stdout, mit.stdout, "klist {opts:?}");
    }
    assert!(run(KLIST, &["-s"], &env, None).ok);
}

#[test]
fn wrong_password_is_one_line_error() {
    if !require_mit() {
        return;
    }
    let kdc = MitKdc::start("BADPW.TEST", &["aes256-cts-hmac-sha1-96"]);
    kdc.kadmin("addprinc +requires_preauth -pw right user");
    let r = run(KINIT, &["user"], &kdc.env(), Some("wrong\n"));
    assert!(!r.ok);
    assert_eq!(r.stderr.lines().count(), 1, "{r:?}");
    assert!(
        r.stderr
            .starts_with("kinit: password incorrect for user@BADPW.TEST"),
        "{r:?}"
    );
    // Without required preauth the AS-REP does not decrypt: same error.
    kdc.kadmin("addprinc -pw right user2");
    let r = run(KINIT, &["user2"], &kdc.env(), Some("wrong\n"));
    assert!(!r.ok);
    assert!(
        r.stderr
            .starts_with("kinit: password incorrect for user2@BADPW.TEST"),
        "{r:?}"
    );
    // Unknown client.
    let r = run(KINIT, &["nobody"], &kdc.env(), Some("x\n"));
    assert!(!r.ok);
    assert!(r.stderr.contains("nobody@BADPW.TEST not found"), "{r:?}");
}

#[test]
fn unreachable_kdc_lists_addresses_tried() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let conf = dir.path().join("krb5.conf");
    std::fs::write(
        &conf,
        krb5_conf("NOWHERE.TEST", &format!("127.0.0.1:{port}"), &[], None),
    )
    .unwrap();
    let env = vec![
        ("KRB5_CONFIG".to_string(), conf.display().to_string()),
        (
            "KRB5CCNAME".to_string(),
            format!("FILE:{}", dir.path().join("cc").display()),
        ),
    ];
    let r = run(KINIT, &["user"], &env, Some("pw\n"));
    assert!(!r.ok);
    assert_eq!(r.stderr.lines().count(), 1, "{r:?}");
    assert!(
        r.stderr.contains(&format!(
            "cannot reach any KDC for realm NOWHERE.TEST (tried udp/127.0.0.1:{port}, tcp/127.0.0.1:{port})"
        )),
        "{r:?}"
    );
}

#[test]
fn keytab_listing_matches_mit_and_kinit_with_keytab() {
    if !require_mit() {
        return;
    }
    let kdc = MitKdc::start(
        "KT.TEST",
        &["aes256-cts-hmac-sha1-96", "aes128-cts-hmac-sha256-128"],
    );
    kdc.kadmin("addprinc -randkey host/localhost");
    kdc.kadmin("addprinc -randkey svc/localhost");
    let kt = kdc.dir().join("svc.keytab");
    let kt_s = kt.display().to_string();
    kdc.kadmin(&format!("ktadd -k {kt_s} host/localhost"));
    kdc.kadmin(&format!("ktadd -k {kt_s} svc/localhost"));
    let env = kdc.env();
    for opts in [
        &["-k"][..],
        &["-k", "-e"][..],
        &["-k", "-t"][..],
        &["-k", "-t", "-e", "-K"][..],
    ] {
        let mut args: Vec<&str> = opts.to_vec();
        args.push(&kt_s);
        let mit = run("/usr/bin/klist", &args, &env, None);
        let ours = run(KLIST, &args, &env, None);
        assert_ok("MIT klist -k", &mit);
        assert_ok("our klist -k", &ours);
        assert_eq!(ours.stdout, mit.stdout, "klist {args:?}");
    }

    // kinit -k -t with the MIT-written keytab, then kvno -k checks a ticket.
    let r = run(KINIT, &["-k", "-t", &kt_s, "host/localhost"], &env, None);
    assert_ok("our kinit -k -t", &r);
    let r = run(KVNO, &["-k", &kt_s, "svc/localhost"], &env, None);
    assert_ok("our kvno -k", &r);
    assert_eq!(
        r.stdout.trim(),
        "svc/localhost@KT.TEST: kvno = 2, keytab entry valid"
    );
    let r = run("/usr/bin/klist", &[], &env, None);
    assert!(
        r.stdout
            .contains("Default principal: host/localhost@KT.TEST"),
        "{r:?}"
    );

    // A new key on the KDC: the old keytab cannot check the new ticket.
    kdc.kadmin("cpw -randkey svc/localhost");
    // A fresh cache, so the kvno-2 ticket cached above is not reused.
    let r = run(KINIT, &["-k", "-t", &kt_s, "host/localhost"], &env, None);
    assert_ok("our kinit -k -t again", &r);
    let r = run(KVNO, &["-k", &kt_s, "svc/localhost"], &env, None);
    assert!(!r.ok);
    assert!(
        r.stderr
            .contains("has no key for svc/localhost@KT.TEST kvno 3 enctype"),
        "{r:?}"
    );
    // Unknown service.
    let r = run(KVNO, &["nosuch/service"], &env, None);
    assert!(!r.ok);
    assert!(
        r.stderr.contains("nosuch/service@KT.TEST not found"),
        "{r:?}"
    );
}

#[test]
fn kinit_options_lifetime_forwardable_service_and_kvno_etype() {
    if !require_mit() {
        return;
    }
    let kdc = MitKdc::start(
        "OPTS.TEST",
        &["aes256-cts-hmac-sha1-96", "aes128-cts-hmac-sha1-96"],
    );
    kdc.kadmin("addprinc -pw pw3 user");
    kdc.kadmin("addprinc -randkey host/localhost");
    kdc.kadmin("addprinc -randkey other/localhost");
    let env = kdc.env();
    let r = run(KINIT, &["-l", "1h", "-f", "user"], &env, Some("pw3\n"));
    assert_ok("our kinit -l 1h -f", &r);
    let r = run("/usr/bin/klist", &["-f"], &env, None);
    assert!(r.stdout.contains("Flags: FI"), "{r:?}");
    // Valid starting and Expires are one hour apart.
    let line = r
        .stdout
        .lines()
        .find(|l| l.contains("krbtgt/OPTS.TEST@OPTS.TEST"))
        .unwrap();
    let t = |s: &str| -> i64 {
        let hms: Vec<i64> = s.split(':').map(|x| x.parse().unwrap()).collect();
        hms[0] * 3600 + hms[1] * 60 + hms[2]
    };
    let f: Vec<&str> = line.split_whitespace().collect();
    assert_eq!((t(f[3]) - t(f[1])).rem_euclid(86400), 3600, "{line}");

    // kvno -e asks for a session key enctype.
    let r = run(
        KVNO,
        &["-e", "aes128-cts-hmac-sha1-96", "other/localhost"],
        &env,
        None,
    );
    assert_ok("our kvno -e", &r);
    let r = run("/usr/bin/klist", &["-e"], &env, None);
    let pos = r.stdout.find("other/localhost@OPTS.TEST").unwrap();
    assert!(
        r.stdout[pos..]
            .contains("Etype (skey, tkt): aes128-cts-hmac-sha1-96, aes256-cts-hmac-sha1-96"),
        "{r:?}"
    );

    // kinit -S: an initial ticket straight for a service.
    let r = run(
        KINIT,
        &["-S", "host/localhost", "user"],
        &env,
        Some("pw3\n"),
    );
    assert_ok("our kinit -S", &r);
    let r = run("/usr/bin/klist", &[], &env, None);
    assert!(r.stdout.contains("host/localhost@OPTS.TEST"), "{r:?}");
    assert!(!r.stdout.contains("krbtgt/"), "{r:?}");
}
