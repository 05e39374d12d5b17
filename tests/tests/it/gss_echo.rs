//! The echo example's logic over real TCP on loopback: mutual
//! authentication with MIT-issued tickets, wrapped messages echoed, and a
//! refusal reaching the client as a KRB-ERROR token.

use std::net::{TcpListener, TcpStream};
use std::thread::JoinHandle;

use tessera_client::ap::{Acceptor, ApError, now_micros};
use tessera_client::ccache::{CcacheName, Credential};
use tessera_client::config::Krb5Conf;
use tessera_client::gss::GssError;
use tessera_client::gss::stream::{
    StreamError, echo_client, echo_serve, obtain_service_credential,
};
use tessera_client::kdc_client::{self, blocking};
use tessera_proto::msg::Principal;
use tessera_tests::mit::{require_mit, run};

use crate::ap_fixture::{ApRealm, acceptor_with};

type Served = Result<(Principal, usize), String>;

/// Serves one echo connection on a fresh loopback port.
fn serve_one(acceptor: Acceptor, service: Principal) -> (u16, JoinHandle<Served>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let h = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        echo_serve(&mut s, &acceptor, Some(&service), now_micros).map_err(|e| e.to_string())
    });
    (port, h)
}

fn talk(port: u16, cred: &Credential, msgs: &[&[u8]]) -> Result<Vec<Vec<u8>>, StreamError> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    echo_client(&mut s, cred, msgs, now_micros)
}

#[test]
fn echo_with_kvno_ticket_and_with_our_tgs_client() {
    if !require_mit() {
        return;
    }
    let realm = ApRealm::start(
        "ECHO.TEST",
        &["aes256-cts-hmac-sha1-96", "aes128-cts-hmac-sha1-96"],
    );
    let msgs: [&[u8]; 3] = [
        b"first",
        b"",
        b"third message, a bit longer than one AES block",
    ];

    // Ticket from MIT's kvno in the ccache.
    let (port, h) = serve_one(realm.acceptor(), realm.service());
    let echoes = talk(port, &realm.credential(), &msgs).unwrap();
    assert_eq!(echoes, msgs.iter().map(|m| m.to_vec()).collect::<Vec<_>>());
    let (client, n) = h.join().unwrap().unwrap();
    assert_eq!(client.to_string(), "user@ECHO.TEST");
    assert_eq!(n, 3);

    // Ticket from Tessera's TGS client, with only a TGT (MIT kinit) in a
    // fresh cache.
    let cc_path = realm.kdc.dir().join("ccache-tgt-only");
    let mut env = realm.kdc.env();
    for (k, v) in &mut env {
        if k == "KRB5CCNAME" {
            *v = format!("FILE:{}", cc_path.display());
        }
    }
    let r = run("/usr/bin/kinit", &["user"], &env, Some("s3cret\n"));
    assert!(r.ok, "kinit: {r:?}");
    let conf = Krb5Conf::load(realm.kdc.krb5_conf()).unwrap();
    let kdc = blocking::Client::new(kdc_client::Client::new(conf)).unwrap();
    let cache = CcacheName::parse(&format!("FILE:{}", cc_path.display())).unwrap();
    let cred = obtain_service_credential(&kdc, &cache, &realm.service()).unwrap();
    let (port, h) = serve_one(realm.acceptor(), realm.service());
    let echoes = talk(port, &cred, &[b"via tessera tgs"]).unwrap();
    assert_eq!(echoes, vec![b"via tessera tgs".to_vec()]);
    assert_eq!(h.join().unwrap().unwrap().1, 1);
}

#[test]
fn echo_refusal_reaches_the_client_as_krb_error() {
    if !require_mit() {
        return;
    }
    let realm = ApRealm::start("ECHOERR.TEST", &["aes256-cts-hmac-sha1-96"]);
    let mut kt = realm.keytab();
    for e in &mut kt.entries {
        e.kvno += 1;
    }
    let (port, h) = serve_one(acceptor_with(kt), realm.service());
    let err = talk(port, &realm.credential(), &[b"x"]).unwrap_err();
    match err {
        StreamError::Gss(GssError::Ap(ApError::PeerError { code, text })) => {
            assert_eq!(code, 44, "{text}");
            assert!(text.contains("host/localhost@ECHOERR.TEST"), "{text}");
        }
        other => panic!("expected a KRB-ERROR from the server, got {other:?}"),
    }
    let served = h.join().unwrap();
    assert!(served.unwrap_err().contains("keytab has no key"));
}
