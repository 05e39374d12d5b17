//! OUR clients against Heimdal 7.8's KDC (started by the test on loopback
//! with its own config and database): `kinit` with a password (forwardable,
//! renewable) and with a keytab, `klist`, `kvno` and `kvno -k` (the ticket
//! decrypts with the keytab Heimdal extracted), `kinit -R`, `kpasswd`
//! against Heimdal's kpasswdd (UDP only), and a GSS-API exchange with our
//! library (ticket from Heimdal's KDC, our acceptor on Heimdal's keytab).

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};

use tessera_client::ap::now_micros;
use tessera_client::ccache::{CcacheName, CredentialCache, flags};
use tessera_client::config::Krb5Conf;
use tessera_client::gss::stream::{echo_client, echo_serve, obtain_service_credential};
use tessera_client::kdc_client::{self, blocking};
use tessera_client::keytab::Keytab;
use tessera_proto::msg::Principal;
use tessera_tests::heimdal::{HeimdalKdc, require_heimdal};
use tessera_tests::mit::{Run, run};

use crate::admin_remote::workspace_bin;
use crate::ap_fixture::acceptor_with;

const REALM: &str = "HEIM.TEST";
const PASSWORD: &str = "Heimdal-user-1";

/// How many times our tools' flow runs against Heimdal's KDC.
const ROUNDS: usize = 20;

/// A Heimdal realm with `user` (password, preauth required) and
/// `host/localhost` (random keys, in `DIR/host.keytab`).
fn heimdal_realm() -> Option<(HeimdalKdc, PathBuf)> {
    let heimdal = require_heimdal()?;
    let kdc = HeimdalKdc::start(&heimdal, REALM);
    kdc.add_password("user", PASSWORD);
    kdc.add_random("host/localhost");
    let keytab = kdc.dir().join("host.keytab");
    kdc.ext_keytab("host/localhost", &keytab);
    Some((kdc, keytab))
}

struct Ours {
    kinit: PathBuf,
    klist: PathBuf,
    kvno: PathBuf,
    kpasswd: PathBuf,
}

impl Ours {
    fn find() -> Option<Ours> {
        Some(Ours {
            kinit: workspace_bin("kinit")?,
            klist: workspace_bin("klist")?,
            kvno: workspace_bin("kvno")?,
            kpasswd: workspace_bin("kpasswd")?,
        })
    }
}

fn go(bin: &Path, args: &[&str], env: &[(String, String)], stdin: Option<&str>) -> Run {
    run(&bin.display().to_string(), args, env, stdin)
}

fn cache(kdc: &HeimdalKdc) -> CredentialCache {
    CredentialCache::parse(&std::fs::read(kdc.dir().join("ccache")).expect("ccache"))
        .expect("ccache parses")
}

#[test]
fn our_tools_against_heimdal_kdc() {
    let Some((kdc, keytab)) = heimdal_realm() else {
        return;
    };
    let Some(ours) = Ours::find() else {
        return;
    };
    let env = kdc.env();
    let kt = keytab.display().to_string();
    let krbtgt = format!("krbtgt/{REALM}@{REALM}");
    for i in 0..ROUNDS {
        let r = go(
            &ours.kinit,
            &["-f", "-r", "2d", "user"],
            &env,
            Some(&format!("{PASSWORD}\n")),
        );
        assert!(r.ok, "round {i}: our kinit: {r:?}");
        let cc = cache(&kdc);
        let tgt = cc
            .tickets()
            .find(|c| c.server.to_string() == krbtgt)
            .unwrap_or_else(|| panic!("no TGT: {cc:?}"))
            .clone();
        let want = flags::FORWARDABLE | flags::RENEWABLE | flags::INITIAL | flags::PRE_AUTHENT;
        assert_eq!(tgt.ticket_flags & want, want, "round {i}: {tgt:?}");

        let r = go(&ours.klist, &["-f", "-e"], &env, None);
        assert!(r.ok, "round {i}: our klist: {r:?}");
        assert!(
            r.stdout
                .contains(&format!("Default principal: user@{REALM}"))
                && r.stdout.contains(&krbtgt),
            "round {i}: {r:?}"
        );

        let r = go(&ours.kvno, &["-k", &kt, "host/localhost"], &env, None);
        assert!(r.ok, "round {i}: our kvno -k: {r:?}");
        assert_eq!(
            r.stdout.trim_end(),
            format!("host/localhost@{REALM}: kvno = 1, keytab entry valid"),
            "round {i}"
        );

        let r = go(&ours.kinit, &["-R"], &env, None);
        assert!(r.ok, "round {i}: our kinit -R: {r:?}");
        let cc = cache(&kdc);
        let renewed = cc
            .tickets()
            .find(|c| c.server.to_string() == krbtgt)
            .unwrap_or_else(|| panic!("no TGT after renewal: {cc:?}"));
        assert_eq!(renewed.authtime, tgt.authtime, "round {i}");
        assert_ne!(renewed.ticket, tgt.ticket, "round {i}: not reissued");
        assert!(renewed.ticket_flags & flags::RENEWABLE != 0, "round {i}");

        let r = go(
            &ours.kinit,
            &["-k", "-t", &kt, "host/localhost"],
            &env,
            None,
        );
        assert!(r.ok, "round {i}: our kinit -k -t: {r:?}");
        assert_eq!(
            cache(&kdc).default_principal.to_string(),
            format!("host/localhost@{REALM}")
        );
        let r = go(&ours.kvno, &["host/localhost"], &env, None);
        assert!(r.ok, "round {i}: our kvno: {r:?}");
        assert_eq!(
            r.stdout.trim_end(),
            format!("host/localhost@{REALM}: kvno = 1")
        );
    }
}

#[test]
fn our_kpasswd_against_heimdal_kpasswdd() {
    let Some((mut kdc, _)) = heimdal_realm() else {
        return;
    };
    let Some(ours) = Ours::find() else {
        return;
    };
    kdc.start_kpasswdd();
    let env = kdc.env();
    let mut old = PASSWORD.to_owned();
    for i in 0..5 {
        let new = format!("Changed-by-tessera-{i}");
        let r = go(
            &ours.kpasswd,
            &["user"],
            &env,
            Some(&format!("{old}\n{new}\n{new}\n")),
        );
        assert!(r.ok, "round {i}: our kpasswd: {r:?}");
        assert_eq!(r.stdout.trim(), "Password changed.");
        let r = go(&ours.kinit, &["user"], &env, Some(&format!("{new}\n")));
        assert!(r.ok, "round {i}: new password refused: {r:?}");
        let r = go(&ours.kinit, &["user"], &env, Some(&format!("{old}\n")));
        assert!(!r.ok, "round {i}: old password still works: {r:?}");
        old = new;
    }
}

/// Our kinit, our TGS client for the service ticket, then our GSS-API
/// initiator and acceptor (over loopback TCP, mutual authentication,
/// wrapped messages echoed) with Heimdal's keytab.
#[test]
fn our_gss_against_heimdal_kdc() {
    let Some((kdc, keytab)) = heimdal_realm() else {
        return;
    };
    let Some(ours) = Ours::find() else {
        return;
    };
    let env = kdc.env();
    let service = Principal::parse(&format!("host/localhost@{REALM}")).expect("principal");
    let conf = Krb5Conf::load(kdc.krb5_conf()).expect("krb5.conf");
    let client = blocking::Client::new(kdc_client::Client::new(conf)).expect("client");
    let cc_name = CcacheName::parse(&format!("FILE:{}", kdc.dir().join("ccache").display()))
        .expect("ccache name");
    for i in 0..5 {
        let r = go(&ours.kinit, &["user"], &env, Some(&format!("{PASSWORD}\n")));
        assert!(r.ok, "round {i}: our kinit: {r:?}");
        let cred = obtain_service_credential(&client, &cc_name, &service)
            .unwrap_or_else(|e| panic!("round {i}: service ticket from Heimdal's KDC: {e}"));
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let acceptor = acceptor_with(Keytab::load(&keytab).expect("Heimdal's keytab"));
        let svc = service.clone();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().expect("accept");
            echo_serve(&mut s, &acceptor, Some(&svc), now_micros).map_err(|e| e.to_string())
        });
        let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        let msg = format!("round {i} through Heimdal's ticket");
        let echoes = echo_client(&mut s, &cred, &[msg.as_bytes()], now_micros)
            .unwrap_or_else(|e| panic!("round {i}: echo client: {e}"));
        assert_eq!(echoes, vec![msg.into_bytes()]);
        let (peer, n) = server.join().expect("server thread").expect("served");
        assert_eq!(peer.to_string(), format!("user@{REALM}"));
        assert_eq!(n, 1);
    }
}
