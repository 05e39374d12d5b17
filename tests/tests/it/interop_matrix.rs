//! Cells of docs/interop.md's matrix that no other test covers: MIT's
//! tools against MIT's KDC (the reference column), forwardable TGTs for
//! MIT's kinit and ours against our KDC, our kinit's renewal against
//! MIT's KDC, password changes (RFC 3244) by MIT's, Heimdal's and our
//! kpasswd against MIT's kadmind, and our kinit, TGS client and GSS-API
//! library end to end against our KDC.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use tessera_client::ap::now_micros;
use tessera_client::ccache::{CcacheName, Credential, CredentialCache, flags};
use tessera_client::config::Krb5Conf;
use tessera_client::gss::stream::{echo_client, echo_serve, obtain_service_credential};
use tessera_client::gss::{GssContext, GssError, GssFlags};
use tessera_client::kdc_client::{self, blocking};
use tessera_client::keytab::Keytab;
use tessera_proto::msg::Principal;
use tessera_tests::heimdal::require_heimdal;
use tessera_tests::mit::{MitKdc, Run, require_mit, require_mit_kadmind, run};
use tessera_tests::realm::{RealmOptions, TestRealm};

use crate::admin_remote::workspace_bin;
use crate::ap_fixture::acceptor_with;
use crate::heimdal_clients::{HeimdalAgainst, open_ticket};

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

/// Password changes per client against MIT's kadmind.
const PASSWD_ROUNDS: usize = 5;

/// `user`'s password in a fresh realm from [`mit_realm_with_kadmind`].
const FIRST_PASSWORD: &str = "Old-pass-0";

/// An MIT realm where `user` has [`FIRST_PASSWORD`] (preauth required),
/// with kadmind serving password changes on `kdc.kpasswd_port`.
fn mit_realm_with_kadmind(realm: &str) -> MitKdc {
    let mut kdc = MitKdc::start(
        realm,
        &["aes256-cts-hmac-sha1-96", "aes128-cts-hmac-sha1-96"],
    );
    kdc.kadmin(&format!(
        "addprinc +requires_preauth -pw {FIRST_PASSWORD} user"
    ));
    kdc.start_kadmind();
    kdc
}

/// [`PASSWD_ROUNDS`] password changes of `user`, each by `change(old,
/// new)`, whose output must contain `changed`. After each one MIT's kinit
/// against MIT's KDC takes the new password and refuses the old one, and
/// kadmind has logged one more `log_line` (`chpw` for RFC 3244's change
/// request, `setpw` for the 0xff80 set-password form).
fn passwd_rounds(kdc: &MitKdc, changed: &str, log_line: &str, change: impl Fn(&str, &str) -> Run) {
    let env = kdc.env();
    let mut old = FIRST_PASSWORD.to_owned();
    for i in 0..PASSWD_ROUNDS {
        let new = format!("New-pass-{}", i + 1);
        let r = change(&old, &new);
        assert!(r.ok, "round {i}: password change refused: {r:?}");
        assert!(
            r.stdout.contains(changed) || r.stderr.contains(changed),
            "round {i}: no {changed:?} in {r:?}"
        );
        // kadmind's log line for this request (it may land just after the
        // reply: bounded wait).
        let deadline = Instant::now() + Duration::from_secs(5);
        let logged = || kdc.kadmind_log().matches(log_line).count();
        while logged() < i + 1 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(
            logged(),
            i + 1,
            "round {i}: kadmind log: {}",
            kdc.kadmind_log()
        );
        let r = run("/usr/bin/kinit", &["user"], &env, Some(&format!("{new}\n")));
        assert!(r.ok, "round {i}: MIT kinit refuses the new password: {r:?}");
        let r = run("/usr/bin/kinit", &["user"], &env, Some(&format!("{old}\n")));
        assert!(!r.ok, "round {i}: MIT kinit still takes the old password");
        assert!(r.stderr.contains("Password incorrect"), "round {i}: {r:?}");
        old = new;
    }
}

fn chpw_line(realm: &str) -> String {
    format!("chpw request from 127.0.0.1 for user@{realm}: success")
}

/// MIT's kpasswd against MIT's kadmind.
#[test]
fn mit_kpasswd_against_mit_kadmind() {
    if !require_mit_kadmind() {
        return;
    }
    let realm = "MITPW.TEST";
    let kdc = mit_realm_with_kadmind(realm);
    let env = kdc.env();
    passwd_rounds(&kdc, "Password changed.", &chpw_line(realm), |old, new| {
        run(
            "/usr/bin/kpasswd",
            &["user"],
            &env,
            Some(&format!("{old}\n{new}\n{new}\n")),
        )
    });
}

/// Heimdal's kpasswd against MIT's kadmind. Heimdal 7.8 sends the
/// set-password form (version 0xff80) naming the user itself, which
/// kadmind logs as `setpw`.
#[test]
fn heimdal_kpasswd_against_mit_kadmind() {
    let Some(heimdal) = require_heimdal() else {
        return;
    };
    if !require_mit_kadmind() {
        return;
    }
    let realm = "HEIMPW.TEST";
    let kdc = mit_realm_with_kadmind(realm);
    let h = HeimdalAgainst::new(heimdal, &kdc.env(), kdc.dir().join("heimdal_cc"));
    let setpw = format!("setpw request from 127.0.0.1 by user@{realm} for user@{realm}: success");
    passwd_rounds(&kdc, "Success", &setpw, |old, new| {
        h.run(
            "kpasswd.heimdal",
            &["user"],
            Some(&format!("{old}\n{new}\n{new}\n")),
        )
    });
}

/// Our kpasswd against MIT's kadmind.
#[test]
fn our_kpasswd_against_mit_kadmind() {
    if !require_mit_kadmind() {
        return;
    }
    let Some(kpasswd) = workspace_bin("kpasswd") else {
        return;
    };
    let realm = "OURPW.TEST";
    let kdc = mit_realm_with_kadmind(realm);
    let env = kdc.env();
    let kpasswd = kpasswd.display().to_string();
    passwd_rounds(&kdc, "Password changed.", &chpw_line(realm), |old, new| {
        run(
            &kpasswd,
            &["user"],
            &env,
            Some(&format!("{old}\n{new}\n{new}\n")),
        )
    });
}

/// Tessera end to end, no MIT or Heimdal code involved: our kinit gets the
/// TGT from our KDC into a fresh cache, our TGS client gets the service
/// ticket with it (and stores it there), and our GSS-API library
/// establishes mutually authenticated contexts with our acceptor on the
/// dev realm's service keytab: wrapped messages echoed over loopback TCP,
/// then in one process a sealed message from the acceptor, a MIC from the
/// initiator, and a changed Wrap token refused.
#[test]
fn our_kinit_tgs_and_gss_against_our_kdc() {
    let Some(kinit) = workspace_bin("kinit") else {
        return;
    };
    let kinit = kinit.display().to_string();
    let realm = TestRealm::start(RealmOptions::default());
    let r_name = realm.realm().to_owned();
    let user = format!("user@{r_name}");
    let service = Principal::parse(&format!("host/localhost@{r_name}")).expect("principal");
    let keytab_path = realm.dev.service_keytab();
    let conf = Krb5Conf::load(realm.dev.krb5_conf()).expect("krb5.conf");
    let client = blocking::Client::new(kdc_client::Client::new(conf)).expect("client");
    let pw = format!("{}\n", realm.user_password());
    for i in 0..5 {
        let cc_path = realm.dir().join(format!("ccache-gss-{i}"));
        let mut env: Vec<(String, String)> = realm
            .env()
            .into_iter()
            .filter(|(k, _)| k != "KRB5CCNAME" && k != "KRB5_TRACE")
            .collect();
        env.push(("KRB5CCNAME".into(), format!("FILE:{}", cc_path.display())));
        let r = run(&kinit, &["user"], &env, Some(&pw));
        assert!(r.ok, "round {i}: our kinit: {r:?}");
        let cc = CredentialCache::parse(&std::fs::read(&cc_path).expect("ccache")).expect("parses");
        assert_eq!(cc.default_principal.to_string(), user, "round {i}");
        let tgt = krbtgt(&cc_path, &r_name);
        let want = flags::INITIAL | flags::PRE_AUTHENT;
        assert_eq!(tgt.ticket_flags & want, want, "round {i}: {tgt:?}");
        assert_eq!(cc.tickets().count(), 1, "round {i}: only the TGT: {cc:?}");

        let cc_name = CcacheName::parse(&format!("FILE:{}", cc_path.display())).expect("name");
        let cred = obtain_service_credential(&client, &cc_name, &service)
            .unwrap_or_else(|e| panic!("round {i}: our TGS client: {e}"));
        let part = open_ticket(&cred, &keytab_path);
        let cname = Principal::from_asn1(&part.cname, &part.crealm).expect("client name");
        assert_eq!(cname.to_string(), user, "round {i}");
        let cc = CredentialCache::parse(&std::fs::read(&cc_path).expect("ccache")).expect("parses");
        assert!(
            cc.tickets()
                .any(|c| c.server.to_string() == service.to_string()),
            "round {i}: the service ticket is not in the cache: {cc:?}"
        );

        // Over loopback TCP: the echo protocol (mutual authentication, then
        // each message wrapped by the client and echoed wrapped by the
        // service).
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let acceptor = acceptor_with(Keytab::load(&keytab_path).expect("service keytab"));
        let svc = service.clone();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().expect("accept");
            echo_serve(&mut s, &acceptor, Some(&svc), now_micros).map_err(|e| e.to_string())
        });
        let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        let msgs: [&[u8]; 2] = [b"", b"round message, longer than one AES block"];
        let echoes = echo_client(&mut s, &cred, &msgs, now_micros)
            .unwrap_or_else(|e| panic!("round {i}: echo client: {e}"));
        assert_eq!(echoes, msgs.iter().map(|m| m.to_vec()).collect::<Vec<_>>());
        let (peer, n) = server.join().expect("server thread").expect("served");
        assert_eq!(peer.to_string(), user, "round {i}");
        assert_eq!(n, 2);

        // In one process: both directions, MIC, and a changed token.
        let acceptor = acceptor_with(Keytab::load(&keytab_path).expect("service keytab"));
        let (token, pending) =
            GssContext::initiate(&cred, GssFlags::DEFAULT, now_micros()).expect("initiate");
        let (mut acc, reply) = GssContext::accept(&acceptor, &token, now_micros(), Some(&service))
            .unwrap_or_else(|e| panic!("round {i}: accept: {e}"));
        let mut ini = pending
            .step(&reply.expect("mutual authentication: an AP-REP token"))
            .unwrap_or_else(|e| panic!("round {i}: AP-REP: {e}"));
        assert!(ini.flags().contains(GssFlags::MUTUAL));
        assert_eq!(acc.client().to_string(), user);
        assert_eq!(ini.server(), &service);
        let sealed = acc.wrap(b"from the acceptor", true).expect("wrap");
        assert_eq!(
            ini.unwrap(&sealed).expect("unwrap"),
            (b"from the acceptor".to_vec(), true)
        );
        let mic = ini.get_mic(b"signed by the initiator").expect("mic");
        acc.verify_mic(b"signed by the initiator", &mic)
            .expect("verify_mic");
        let mut changed = ini.wrap(b"changed in transit", true).expect("wrap");
        let last = changed.len() - 1;
        changed[last] ^= 0x01;
        assert_eq!(acc.unwrap(&changed), Err(GssError::BadSig), "round {i}");
    }
}
