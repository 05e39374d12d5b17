//! Our AS client's transport and error handling against fake KDCs on
//! loopback: clock skew with the offset, KRB_ERR_RESPONSE_TOO_BIG -> TCP,
//! TCP-only configurations, and failover past a dead KDC.

use std::io::{Read, Write};
use std::net::{TcpListener, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tessera_client::config::Krb5Conf;
use tessera_client::kdc_client::{Client, InitialSecret, KdcClientError, blocking};
use tessera_proto::msg::{AsReq, ErrorCode, KrbErrorBuilder, Principal, decode, encode};
use tessera_tests::mit::{free_port, krb5_conf};

const REALM: &str = "FAKE.TEST";

fn now_micros() -> i64 {
    let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    i64::try_from(d.as_micros()).unwrap()
}

fn krb_error(code: ErrorCode, offset_secs: i64) -> Vec<u8> {
    let err = KrbErrorBuilder::new(
        code,
        &Principal::krbtgt(REALM),
        now_micros() + offset_secs * 1_000_000,
    )
    .build()
    .unwrap();
    encode(&err).unwrap()
}

/// Answers every UDP datagram with `reply`; counts requests.
fn udp_kdc(port: u16, reply: Vec<u8>) -> Arc<AtomicUsize> {
    let sock = UdpSocket::bind(("127.0.0.1", port)).unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 65535];
        while let Ok((n, peer)) = sock.recv_from(&mut buf) {
            c.fetch_add(1, Ordering::SeqCst);
            // Every request must be a well-formed AS-REQ.
            assert!(decode::<AsReq>(&buf[..n]).is_ok());
            let _ = sock.send_to(&reply, peer);
        }
    });
    count
}

/// Answers every framed TCP request with `reply`; counts requests.
fn tcp_kdc(port: u16, reply: Vec<u8>) -> Arc<AtomicUsize> {
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut len = [0u8; 4];
            if s.read_exact(&mut len).is_err() {
                continue;
            }
            let mut req = vec![0u8; u32::from_be_bytes(len) as usize];
            if s.read_exact(&mut req).is_err() {
                continue;
            }
            assert!(decode::<AsReq>(&req).is_ok());
            c.fetch_add(1, Ordering::SeqCst);
            let mut out = u32::try_from(reply.len()).unwrap().to_be_bytes().to_vec();
            out.extend_from_slice(&reply);
            let _ = s.write_all(&out);
        }
    });
    count
}

fn client(kdcs: &[String], udp_limit: Option<u32>) -> blocking::Client {
    let mut text = krb5_conf(REALM, &kdcs[0], &[], udp_limit);
    for k in &kdcs[1..] {
        text = text.replace(
            &format!("  kdc = {}\n", kdcs[0]),
            &format!("  kdc = {}\n  kdc = {k}\n", kdcs[0]),
        );
    }
    let conf = Krb5Conf::parse_str(&text, "test krb5.conf").unwrap();
    blocking::Client::new(Client::new(conf)).unwrap()
}

fn kinit(c: &blocking::Client) -> Result<(), KdcClientError> {
    let me = c.inner().parse_principal("user").unwrap();
    let opts = c.inner().as_options();
    c.get_initial(&me, None, &InitialSecret::Password("pw".into()), &opts)
        .map(|_| ())
}

#[test]
fn clock_skew_error_carries_the_offset() {
    let port = free_port();
    udp_kdc(port, krb_error(ErrorCode::ApErrSkew, 1000));
    let c = client(&[format!("127.0.0.1:{port}")], None);
    match kinit(&c) {
        Err(KdcClientError::ClockSkew {
            principal,
            offset_secs,
        }) => {
            assert_eq!(principal, "user@FAKE.TEST");
            assert!((995..=1005).contains(&offset_secs), "{offset_secs}");
        }
        other => panic!("expected ClockSkew, got {other:?}"),
    }
    let msg = kinit(&c).unwrap_err().to_string();
    assert!(
        msg.starts_with("clock skew too great for user@FAKE.TEST"),
        "{msg}"
    );
}

#[test]
fn response_too_big_retries_over_tcp() {
    let port = free_port();
    let udp = udp_kdc(port, krb_error(ErrorCode::ResponseTooBig, 0));
    let tcp = tcp_kdc(port, krb_error(ErrorCode::CPrincipalUnknown, 0));
    let c = client(&[format!("127.0.0.1:{port}")], None);
    assert!(matches!(
        kinit(&c),
        Err(KdcClientError::ClientUnknown { .. })
    ));
    assert_eq!(udp.load(Ordering::SeqCst), 1);
    assert_eq!(tcp.load(Ordering::SeqCst), 1);
}

#[test]
fn udp_preference_limit_one_means_tcp_only() {
    let port = free_port();
    let udp = udp_kdc(port, krb_error(ErrorCode::CPrincipalUnknown, 0));
    let tcp = tcp_kdc(port, krb_error(ErrorCode::CPrincipalUnknown, 0));
    let c = client(&[format!("127.0.0.1:{port}")], Some(1));
    assert!(matches!(
        kinit(&c),
        Err(KdcClientError::ClientUnknown { .. })
    ));
    assert_eq!(udp.load(Ordering::SeqCst), 0);
    assert_eq!(tcp.load(Ordering::SeqCst), 1);
}

#[test]
fn fails_over_past_a_dead_kdc_and_lists_all_tried() {
    let dead = free_port();
    let live = free_port();
    udp_kdc(live, krb_error(ErrorCode::CPrincipalUnknown, 0));
    let c = client(
        &[format!("127.0.0.1:{dead}"), format!("127.0.0.1:{live}")],
        None,
    );
    let t = Instant::now();
    assert!(matches!(
        kinit(&c),
        Err(KdcClientError::ClientUnknown { .. })
    ));
    assert!(t.elapsed() < Duration::from_secs(5));

    // Both dead: every address appears in the error.
    let dead2 = free_port();
    let c = client(
        &[format!("127.0.0.1:{dead}"), format!("127.0.0.1:{dead2}")],
        None,
    );
    match kinit(&c) {
        Err(KdcClientError::Unreachable { realm, tried }) => {
            assert_eq!(realm, REALM);
            assert_eq!(
                tried,
                vec![
                    format!("udp/127.0.0.1:{dead}"),
                    format!("tcp/127.0.0.1:{dead}"),
                    format!("udp/127.0.0.1:{dead2}"),
                    format!("tcp/127.0.0.1:{dead2}"),
                ]
            );
        }
        other => panic!("expected Unreachable, got {other:?}"),
    }
}
