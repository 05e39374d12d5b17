//! kpasswd UDP ping-pong (MIT's CVE-2002-2443) against a real
//! `tessera-kdc dev` process: a password change over UDP gets its reply;
//! that reply, and a KRB-ERROR reply, sent back to the kpasswd port from
//! another socket (as a spoofed packet between two servers would arrive)
//! get nothing back. MIT's kpasswd still works (kpasswd_mit.rs).

use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use tessera_client::ap::{ApReqOptions, build_ap_req, now_micros};
use tessera_client::config::Krb5Conf;
use tessera_client::kdc_client::{Client, InitialSecret, blocking};
use tessera_client::priv_safe::PrivSafe;
use tessera_proto::crypto::Password;
use tessera_proto::msg::{self, KpasswdReply, KpasswdRequest, KpasswdVersion, Principal};

use crate::admin_remote::DevKdc;

/// Bound on waiting for a reply; for "no reply", how long silence counts
/// as none (a bound, not a speed assertion).
const WAIT: Duration = Duration::from_secs(3);

fn kpasswd_addr(kdc: &DevKdc) -> SocketAddr {
    let conf = std::fs::read_to_string(kdc.dir.join("krb5.conf")).unwrap();
    let line = conf
        .lines()
        .find_map(|l| l.trim().strip_prefix("kpasswd_server"))
        .expect("kpasswd_server in krb5.conf");
    line.trim_start_matches([' ', '=']).trim().parse().unwrap()
}

fn ask(to: SocketAddr, bytes: &[u8]) -> Option<Vec<u8>> {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.send_to(bytes, to).unwrap();
    let mut buf = vec![0u8; 65536];
    let (n, _) = s.recv_from(&mut buf).ok()?;
    buf.truncate(n);
    Some(buf)
}

#[test]
fn kpasswd_replies_sent_back_get_no_reply() {
    let Some(kdc) = DevKdc::start() else {
        return;
    };
    let to = kpasswd_addr(&kdc);
    let conf = Krb5Conf::load(kdc.dir.join("krb5.conf")).unwrap();
    let client = blocking::Client::new(Client::new(conf)).unwrap();
    let user = Principal::parse("user@TESSERA.TEST").unwrap();
    let secret = InitialSecret::Password(Password::from(kdc.user_password()));
    let creds = client.changepw_ticket(&user, &secret).unwrap();

    // A real change over UDP, built as client-lib's change_password does.
    let now = now_micros();
    let (ap_req, state) =
        build_ap_req(&creds.to_ccache_credential(), &ApReqOptions::default(), now).unwrap();
    let krb_priv = PrivSafe::new(&state.without_ap_rep())
        .mk_priv(b"Pingpong-new-pass-1", now)
        .unwrap();
    let request = KpasswdRequest {
        version: KpasswdVersion::Change,
        ap_req: msg::decode(&ap_req).unwrap(),
        krb_priv: msg::decode(&krb_priv).unwrap(),
    }
    .encode()
    .unwrap();
    let changed = ask(to, &request).expect("the change is answered");
    assert!(matches!(
        KpasswdReply::decode(&changed).unwrap(),
        KpasswdReply::Priv { .. }
    ));
    // The same request again: the AP-REQ is a replay, refused with a
    // KRB-ERROR reply (a well-framed request learns why).
    let refused = ask(to, &request).expect("the replay is answered");
    assert!(matches!(
        KpasswdReply::decode(&refused).unwrap(),
        KpasswdReply::Error(_)
    ));
    // Each reply sent back, from another socket: nothing comes back.
    for reply in [&changed, &refused] {
        assert_eq!(ask(to, reply), None, "a kpasswd reply was answered");
    }
    // The new password works.
    assert!(kdc.kinit("user", "Pingpong-new-pass-1").ok);
}
