//! The reference peers against each other, so that every cell of
//! docs/interop.md's matrix names a test: Heimdal's tools against MIT's KDC
//! and against Heimdal's own KDC, MIT's tools against Heimdal's KDC. A few
//! rounds each: this checks the matrix, not our code, and tells apart "the
//! peers disagree" from "we are wrong" when a Tessera cell fails.

use std::path::Path;

use tessera_client::ccache::flags;
use tessera_tests::heimdal::{HeimdalKdc, require_heimdal};
use tessera_tests::mit::{MitKdc, require_mit, run};

use crate::heimdal_clients::{HeimdalAgainst, PYTHON, open_ticket, tgt, write_password};

const ROUNDS: usize = 3;
const PASSWORD: &str = "Peer-pass-1";

/// Heimdal's tools against a KDC for `realm` (`user` has `PASSWORD`,
/// `host/localhost`'s keys are in `keytab`): password kinit (forwardable,
/// and renewable then `--renew` when `renew`), kgetcred opened with the
/// keytab, GSS-API through Heimdal's libgssapi, keytab kinit.
fn heimdal_flow(h: &HeimdalAgainst, dir: &Path, realm: &str, keytab: &Path, renew: bool) {
    let pw = write_password(dir, "user.pw", PASSWORD);
    let kt = format!("FILE:{}", keytab.display());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/gss/heimdal_both.py");
    let lib = h.heimdal.libgssapi().display().to_string();
    let client = format!("user@{realm}");
    let service = format!("host/localhost@{realm}");
    for i in 0..ROUNDS {
        let mut args = vec![pw.as_str(), "-f"];
        if renew {
            args.extend(["-r", "2d"]);
        }
        args.push("user");
        let r = h.run("kinit.heimdal", &args, None);
        assert!(r.ok, "round {i}: kinit.heimdal: {r:?}");
        let first = tgt(&h.cache(), realm).clone();
        assert!(
            first.ticket_flags & flags::FORWARDABLE != 0,
            "round {i}: {first:?}"
        );
        if renew {
            assert!(first.ticket_flags & flags::RENEWABLE != 0, "{first:?}");
            let r = h.run("kinit.heimdal", &["--renew"], None);
            assert!(r.ok, "round {i}: kinit.heimdal --renew: {r:?}");
            let cc = h.cache();
            let renewed = tgt(&cc, realm);
            assert_eq!(renewed.authtime, first.authtime);
            assert_ne!(renewed.ticket, first.ticket, "round {i}: not reissued");
        }
        let r = h.run("kgetcred", &["host/localhost"], None);
        assert!(r.ok, "round {i}: kgetcred: {r:?}");
        let cc = h.cache();
        let cred = cc
            .tickets()
            .find(|c| c.server.to_string() == service)
            .unwrap_or_else(|| panic!("round {i}: no {service} in {cc:?}"));
        open_ticket(cred, keytab);

        let mut env = h.env.clone();
        env.push(("KRB5_KTNAME".into(), kt.clone()));
        let r = h.heimdal.run_path(
            Path::new(PYTHON),
            &[script, &lib, "host@localhost", &client],
            &env,
            None,
        );
        assert!(r.ok, "round {i}: Heimdal GSS exchange: {r:?}");
        assert!(r.stdout.starts_with(&format!("OK {client} ")), "{r:?}");

        let r = h.run("kinit.heimdal", &["-k", "-t", &kt, "host/localhost"], None);
        assert!(r.ok, "round {i}: kinit.heimdal -k -t: {r:?}");
        assert_eq!(h.cache().default_principal.to_string(), service);
    }
}

/// Heimdal's tools against MIT's krb5kdc. (Password changes against MIT's
/// kadmind: `interop_matrix.rs::heimdal_kpasswd_against_mit_kadmind`.)
#[test]
fn heimdal_tools_against_mit_kdc() {
    let Some(heimdal) = require_heimdal() else {
        return;
    };
    if !require_mit() {
        return;
    }
    let realm = "MITPEER.TEST";
    let kdc = MitKdc::start(
        realm,
        &["aes256-cts-hmac-sha1-96", "aes128-cts-hmac-sha1-96"],
    );
    // MIT's default maximum renewable life is 0: raise it for the
    // principals involved.
    kdc.kadmin(&format!(
        "addprinc +requires_preauth -maxrenewlife 7d -pw {PASSWORD} user"
    ));
    kdc.kadmin(&format!("modprinc -maxrenewlife 7d krbtgt/{realm}"));
    kdc.kadmin("addprinc -randkey host/localhost");
    let keytab = kdc.dir().join("host.keytab");
    kdc.kadmin(&format!("ktadd -k {} host/localhost", keytab.display()));
    // Heimdal needs the host-to-realm mapping for host@localhost.
    let conf = std::fs::read_to_string(kdc.krb5_conf()).expect("krb5.conf");
    std::fs::write(
        kdc.krb5_conf(),
        format!("{conf}[domain_realm]\n localhost = {realm}\n"),
    )
    .expect("write krb5.conf");
    let h = HeimdalAgainst::new(heimdal, &kdc.env(), kdc.dir().join("heimdal_cc"));
    heimdal_flow(&h, kdc.dir(), realm, &keytab, true);
}

/// Heimdal's tools against Heimdal's KDC (and kpasswd.heimdal against its
/// kpasswdd).
#[test]
fn heimdal_tools_against_heimdal_kdc() {
    let Some(heimdal) = require_heimdal() else {
        return;
    };
    let realm = "HEIMPEER.TEST";
    let mut kdc = HeimdalKdc::start(&heimdal, realm);
    kdc.add_password("user", PASSWORD);
    kdc.add_random("host/localhost");
    let keytab = kdc.dir().join("host.keytab");
    kdc.ext_keytab("host/localhost", &keytab);
    let h = HeimdalAgainst::new(heimdal, &kdc.env(), kdc.dir().join("heimdal_cc"));
    heimdal_flow(&h, kdc.dir(), realm, &keytab, true);

    kdc.start_kpasswdd();
    let new = "Peer-pass-2";
    let r = h.run(
        "kpasswd.heimdal",
        &["user"],
        Some(&format!("{PASSWORD}\n{new}\n{new}\n")),
    );
    assert!(r.ok, "kpasswd.heimdal against kpasswdd: {r:?}");
    let new_pw = write_password(kdc.dir(), "new.pw", new);
    assert!(h.run("kinit.heimdal", &[&new_pw, "user"], None).ok);
    let old_pw = write_password(kdc.dir(), "old.pw", PASSWORD);
    assert!(!h.run("kinit.heimdal", &[&old_pw, "user"], None).ok);
}

/// MIT's kinit (password: forwardable, renewable; keytab), kinit -R, kvno,
/// kvno -k, kpasswd and GSS-API (python3-gssapi) against Heimdal's KDC.
#[test]
fn mit_tools_against_heimdal_kdc() {
    let Some(heimdal) = require_heimdal() else {
        return;
    };
    if !require_mit() {
        return;
    }
    let realm = "HEIMMIT.TEST";
    let mut kdc = HeimdalKdc::start(&heimdal, realm);
    kdc.add_password("user", PASSWORD);
    kdc.add_random("host/localhost");
    let keytab = kdc.dir().join("krb5.keytab");
    kdc.ext_keytab("host/localhost", &keytab);
    kdc.start_kpasswdd();
    let env = kdc.env();
    let kt = keytab.display().to_string();
    let mit = |tool: &str, args: &[&str], stdin: Option<&str>| {
        run(&format!("/usr/bin/{tool}"), args, &env, stdin)
    };
    let cache = || {
        tessera_client::ccache::CredentialCache::parse(
            &std::fs::read(kdc.dir().join("ccache")).expect("ccache"),
        )
        .expect("ccache parses")
    };
    for i in 0..ROUNDS {
        let r = mit(
            "kinit",
            &["-f", "-r", "2d", "user"],
            Some(&format!("{PASSWORD}\n")),
        );
        assert!(r.ok, "round {i}: MIT kinit: {r:?}");
        let first = tgt(&cache(), realm).clone();
        let want = flags::FORWARDABLE | flags::RENEWABLE;
        assert_eq!(first.ticket_flags & want, want, "round {i}: {first:?}");
        let r = mit("kinit", &["-R"], None);
        assert!(r.ok, "round {i}: MIT kinit -R: {r:?}");
        assert_ne!(tgt(&cache(), realm).ticket, first.ticket);
        let r = mit("kvno", &["-k", &kt, "host/localhost"], None);
        assert!(r.ok, "round {i}: MIT kvno -k: {r:?}");
        assert!(r.stdout.contains("keytab entry valid"), "{r:?}");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/gss/mit_both.py");
        let r = run(PYTHON, &[script, "host@localhost"], &env, None);
        assert!(r.ok, "round {i}: MIT GSS exchange: {r:?}");
        assert!(r.stdout.contains(&format!("OK user@{realm}")), "{r:?}");
        let r = mit("kinit", &["-k", "-t", &kt, "host/localhost"], None);
        assert!(r.ok, "round {i}: MIT kinit -k -t: {r:?}");
    }
    let new = "Peer-pass-2";
    let r = mit(
        "kpasswd",
        &["user"],
        Some(&format!("{PASSWORD}\n{new}\n{new}\n")),
    );
    assert!(r.ok && r.stdout.contains("Password changed."), "{r:?}");
    assert!(mit("kinit", &["user"], Some(&format!("{new}\n"))).ok);
    assert!(!mit("kinit", &["user"], Some(&format!("{PASSWORD}\n"))).ok);
}
