//! The network edge over real loopback sockets with a stub handler.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tessera_kdc::net::{EdgeError, Reply, RequestHandler, Server, ServerConfig, Transport};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Echoes `tcp:`/`udp:` + request; "drop" gets no answer; "big" gets 3000
/// bytes.
struct Echo;

impl RequestHandler for Echo {
    fn handle(
        &self,
        req: &[u8],
        _peer: SocketAddr,
        tr: Transport,
        _now: SystemTime,
    ) -> Option<Reply> {
        let reply = match req {
            b"drop" => None,
            b"big" => Some(vec![b'x'; 3000]),
            _ => {
                let mut out = match tr {
                    Transport::Udp => b"udp:".to_vec(),
                    Transport::Tcp => b"tcp:".to_vec(),
                };
                out.extend_from_slice(req);
                Some(out)
            }
        };
        reply.map(Reply::from)
    }

    fn edge_error(
        &self,
        e: EdgeError,
        _req: &[u8],
        _peer: SocketAddr,
        _now: SystemTime,
    ) -> Option<Vec<u8>> {
        Some(match e {
            EdgeError::FieldTooLong => b"ERR:field-too-long".to_vec(),
            EdgeError::ResponseTooBig => b"ERR:too-big".to_vec(),
        })
    }
}

struct Running {
    udp: Vec<SocketAddr>,
    tcp: Vec<SocketAddr>,
    token: CancellationToken,
    task: JoinHandle<()>,
}

async fn start(ip: &str, config: ServerConfig) -> Option<Running> {
    let addr: SocketAddr = format!("{ip}:0").parse().unwrap();
    let udp = UdpSocket::bind(addr).await.ok()?;
    let tcp = TcpListener::bind(addr).await.ok()?;
    let r_udp = vec![udp.local_addr().unwrap()];
    let r_tcp = vec![tcp.local_addr().unwrap()];
    let token = CancellationToken::new();
    let server = Server::new(Arc::new(Echo), config);
    let t = token.clone();
    let task = tokio::spawn(async move {
        server.run(vec![udp], vec![tcp], t).await.unwrap();
    });
    Some(Running {
        udp: r_udp,
        tcp: r_tcp,
        token,
        task,
    })
}

fn small_config() -> ServerConfig {
    ServerConfig {
        max_request_size: 1024,
        udp_max_reply_size: 1400,
        tcp_idle_timeout: Duration::from_millis(300),
        max_tcp_connections: 2,
        ..ServerConfig::default()
    }
}

async fn udp_ask(server: SocketAddr, req: &[u8]) -> Option<Vec<u8>> {
    let bind: SocketAddr = if server.is_ipv6() {
        "[::1]:0"
    } else {
        "127.0.0.1:0"
    }
    .parse()
    .unwrap();
    let s = UdpSocket::bind(bind).await.unwrap();
    s.send_to(req, server).await.unwrap();
    let mut buf = vec![0u8; 70000];
    match tokio::time::timeout(Duration::from_millis(300), s.recv_from(&mut buf)).await {
        Ok(Ok((n, _))) => Some(buf[..n].to_vec()),
        _ => None,
    }
}

async fn tcp_send(stream: &mut TcpStream, req: &[u8]) {
    let mut out = (req.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(req);
    stream.write_all(&out).await.unwrap();
}

async fn tcp_recv(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut len = [0u8; 4];
    tokio::time::timeout(Duration::from_secs(2), stream.read_exact(&mut len))
        .await
        .ok()?
        .ok()?;
    let mut body = vec![0u8; u32::from_be_bytes(len) as usize];
    stream.read_exact(&mut body).await.ok()?;
    Some(body)
}

/// Whether the peer closed the connection (EOF) within 2 s.
async fn closed(stream: &mut TcpStream) -> bool {
    let mut b = [0u8; 1];
    matches!(
        tokio::time::timeout(Duration::from_secs(2), stream.read(&mut b)).await,
        Ok(Ok(0)) | Ok(Err(_))
    )
}

#[tokio::test]
async fn udp_request_response_drop_and_too_big() {
    let r = start("127.0.0.1", small_config()).await.unwrap();
    assert_eq!(udp_ask(r.udp[0], b"hello").await.unwrap(), b"udp:hello");
    assert_eq!(udp_ask(r.udp[0], b"drop").await, None);
    assert_eq!(udp_ask(r.udp[0], b"big").await.unwrap(), b"ERR:too-big");
    // Larger than max_request_size: dropped.
    assert_eq!(udp_ask(r.udp[0], &[0u8; 2000]).await, None);
    r.token.cancel();
    r.task.await.unwrap();
}

#[tokio::test]
async fn tcp_several_requests_on_one_connection() {
    let r = start("127.0.0.1", small_config()).await.unwrap();
    let mut c = TcpStream::connect(r.tcp[0]).await.unwrap();
    for i in 0..5 {
        let req = format!("req{i}");
        tcp_send(&mut c, req.as_bytes()).await;
        assert_eq!(
            tcp_recv(&mut c).await.unwrap(),
            format!("tcp:{req}").as_bytes()
        );
    }
    // Big replies are fine over TCP.
    tcp_send(&mut c, b"big").await;
    assert_eq!(tcp_recv(&mut c).await.unwrap().len(), 3000);
    // Two requests written back to back.
    let mut both = Vec::new();
    for req in [b"one".as_slice(), b"two"] {
        both.extend_from_slice(&(req.len() as u32).to_be_bytes());
        both.extend_from_slice(req);
    }
    c.write_all(&both).await.unwrap();
    assert_eq!(tcp_recv(&mut c).await.unwrap(), b"tcp:one");
    assert_eq!(tcp_recv(&mut c).await.unwrap(), b"tcp:two");
    r.token.cancel();
    r.task.await.unwrap();
}

#[tokio::test]
async fn tcp_oversized_and_reserved_bit_lengths_rejected() {
    let r = start("127.0.0.1", small_config()).await.unwrap();
    let mut c = TcpStream::connect(r.tcp[0]).await.unwrap();
    c.write_all(&5000u32.to_be_bytes()).await.unwrap();
    assert_eq!(tcp_recv(&mut c).await.unwrap(), b"ERR:field-too-long");
    assert!(closed(&mut c).await);

    let mut c = TcpStream::connect(r.tcp[0]).await.unwrap();
    c.write_all(&0x8000_0010u32.to_be_bytes()).await.unwrap();
    assert_eq!(tcp_recv(&mut c).await.unwrap(), b"ERR:field-too-long");
    assert!(closed(&mut c).await);
    r.token.cancel();
    r.task.await.unwrap();
}

#[tokio::test]
async fn tcp_idle_timeout_closes() {
    let r = start("127.0.0.1", small_config()).await.unwrap();
    let mut c = TcpStream::connect(r.tcp[0]).await.unwrap();
    tcp_send(&mut c, b"a").await;
    assert_eq!(tcp_recv(&mut c).await.unwrap(), b"tcp:a");
    let t0 = std::time::Instant::now();
    assert!(closed(&mut c).await);
    assert!(t0.elapsed() >= Duration::from_millis(250));
    // A half-sent message is also cut off.
    let mut c = TcpStream::connect(r.tcp[0]).await.unwrap();
    c.write_all(&10u32.to_be_bytes()).await.unwrap();
    c.write_all(b"abc").await.unwrap();
    assert!(closed(&mut c).await);
    r.token.cancel();
    r.task.await.unwrap();
}

#[tokio::test]
async fn tcp_connection_cap() {
    let r = start("127.0.0.1", small_config()).await.unwrap();
    let mut a = TcpStream::connect(r.tcp[0]).await.unwrap();
    let mut b = TcpStream::connect(r.tcp[0]).await.unwrap();
    tcp_send(&mut a, b"a").await;
    tcp_send(&mut b, b"b").await;
    assert!(tcp_recv(&mut a).await.is_some());
    assert!(tcp_recv(&mut b).await.is_some());
    // Third concurrent connection: closed without an answer.
    let mut c = TcpStream::connect(r.tcp[0]).await.unwrap();
    tcp_send(&mut c, b"c").await;
    assert!(closed(&mut c).await);
    // After one closes, a new one is served.
    drop(a);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut d = TcpStream::connect(r.tcp[0]).await.unwrap();
    tcp_send(&mut d, b"d").await;
    assert_eq!(tcp_recv(&mut d).await.unwrap(), b"tcp:d");
    r.token.cancel();
    r.task.await.unwrap();
}

/// A TCP connection to `server` from the source address `from`.
async fn connect_from(from: &str, server: SocketAddr) -> TcpStream {
    let sock = tokio::net::TcpSocket::new_v4().unwrap();
    sock.bind(format!("{from}:0").parse().unwrap()).unwrap();
    sock.connect(server).await.unwrap()
}

#[tokio::test]
async fn tcp_per_peer_cap_leaves_slots_for_other_hosts() {
    // Slowloris from one host: it may hold max_tcp_connections_per_peer idle
    // connections, no more, and another host still gets served.
    let r = start(
        "127.0.0.1",
        ServerConfig {
            max_tcp_connections: 8,
            max_tcp_connections_per_peer: 2,
            tcp_idle_timeout: Duration::from_secs(60),
            ..small_config()
        },
    )
    .await
    .unwrap();
    let server = r.tcp[0];
    let mut idle = Vec::new();
    for _ in 0..2 {
        idle.push(connect_from("127.0.0.1", server).await);
    }
    // Make sure both were accepted and counted: each answers once.
    for c in &mut idle {
        tcp_send(c, b"x").await;
        assert_eq!(tcp_recv(c).await.unwrap(), b"tcp:x");
    }
    let mut third = connect_from("127.0.0.1", server).await;
    tcp_send(&mut third, b"y").await;
    assert!(
        closed(&mut third).await,
        "a third connection from 127.0.0.1 is refused"
    );
    let mut other = connect_from("127.0.0.2", server).await;
    tcp_send(&mut other, b"z").await;
    assert_eq!(tcp_recv(&mut other).await.unwrap(), b"tcp:z");
    // A connection that closes frees its peer's slot.
    drop(idle.pop());
    let mut again = None;
    for _ in 0..50 {
        let mut c = connect_from("127.0.0.1", server).await;
        tcp_send(&mut c, b"w").await;
        if let Some(reply) = tcp_recv(&mut c).await {
            assert_eq!(reply, b"tcp:w");
            again = Some(c);
            break;
        }
    }
    assert!(
        again.is_some(),
        "the freed slot is given to 127.0.0.1 again"
    );
    r.token.cancel();
    r.task.await.unwrap();
}

#[tokio::test]
async fn ipv6_loopback_works() {
    let Some(r) = start("[::1]", small_config()).await else {
        eprintln!("no IPv6 loopback here; skipping");
        return;
    };
    assert_eq!(udp_ask(r.udp[0], b"v6").await.unwrap(), b"udp:v6");
    let mut c = TcpStream::connect(r.tcp[0]).await.unwrap();
    tcp_send(&mut c, b"v6").await;
    assert_eq!(tcp_recv(&mut c).await.unwrap(), b"tcp:v6");
    r.token.cancel();
    r.task.await.unwrap();
}

#[tokio::test]
async fn shutdown_token_stops_server_and_open_connections() {
    let r = start(
        "127.0.0.1",
        ServerConfig {
            tcp_idle_timeout: Duration::from_secs(60),
            ..small_config()
        },
    )
    .await
    .unwrap();
    let mut c = TcpStream::connect(r.tcp[0]).await.unwrap();
    tcp_send(&mut c, b"x").await;
    assert!(tcp_recv(&mut c).await.is_some());
    r.token.cancel();
    tokio::time::timeout(Duration::from_secs(5), r.task)
        .await
        .unwrap()
        .unwrap();
    assert!(closed(&mut c).await);
    assert!(TcpStream::connect(r.tcp[0]).await.is_err());
    assert_eq!(udp_ask(r.udp[0], b"late").await, None);
}

#[tokio::test]
async fn bind_all_and_no_sockets() {
    let (u, t) = tessera_kdc::net::bind_all(
        &["127.0.0.1:0".parse().unwrap()],
        &["127.0.0.1:0".parse().unwrap()],
    )
    .await
    .unwrap();
    assert_eq!((u.len(), t.len()), (1, 1));
    let taken = t[0].local_addr().unwrap();
    let e = tessera_kdc::net::bind_all(&[], &[taken]).await.unwrap_err();
    assert!(
        e.to_string().starts_with("cannot listen on tcp 127.0.0.1:"),
        "{e}"
    );
    let e = Server::new(Arc::new(Echo), ServerConfig::default())
        .run(vec![], vec![], CancellationToken::new())
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "no socket to serve on");
}
