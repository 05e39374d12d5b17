//! Sending a request to a realm's KDCs: UDP first (1 s per try, as MIT),
//! TCP when the request exceeds `udp_preference_limit` or the KDC answers
//! KRB_ERR_RESPONSE_TOO_BIG, failover across every configured KDC, and an
//! error listing the addresses tried when none answers.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::timeout;

use tessera_proto::msg::{ErrorCode, KrbError, decode};

use super::KdcClientError;
use crate::config::{ServerAddress, Transport};

/// Largest reply accepted over TCP (MIT's KDC caps requests at 1 MiB too).
pub const MAX_TCP_REPLY: usize = 1024 * 1024;
/// Largest UDP datagram.
const MAX_UDP_REPLY: usize = 65_535;

/// How to reach one realm's KDCs.
#[derive(Clone, Debug)]
pub struct KdcTransport {
    /// The realm (for error messages).
    pub realm: String,
    /// The KDC endpoints, in order of preference.
    pub endpoints: Vec<ServerAddress>,
    /// Requests longer than this go over TCP only.
    pub udp_preference_limit: usize,
    /// How long to wait for one UDP reply.
    pub udp_timeout: Duration,
    /// How long one TCP exchange (connect, send, receive) may take.
    pub tcp_timeout: Duration,
    /// How many passes over the endpoint list.
    pub rounds: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Proto {
    Udp,
    Tcp,
}

impl KdcTransport {
    /// A transport with MIT-like defaults (1 s UDP tries, 10 s TCP, two passes).
    pub fn new(realm: &str, endpoints: Vec<ServerAddress>, udp_preference_limit: usize) -> Self {
        Self {
            realm: realm.to_owned(),
            endpoints,
            udp_preference_limit,
            udp_timeout: Duration::from_secs(1),
            tcp_timeout: Duration::from_secs(10),
            rounds: 2,
        }
    }

    /// Sends `request` (a DER AS-REQ or TGS-REQ) and returns the first reply.
    pub async fn send(&self, request: &[u8]) -> Result<Vec<u8>, KdcClientError> {
        if self.endpoints.is_empty() {
            return Err(KdcClientError::NoKdc {
                realm: self.realm.clone(),
            });
        }
        let tcp_only = request.len() > self.udp_preference_limit;
        let mut tried: Vec<String> = Vec::new();
        let mut note = |p: Proto, ep: &ServerAddress| {
            let label = format!(
                "{}/{}",
                if p == Proto::Udp { "udp" } else { "tcp" },
                host_port(ep)
            );
            if !tried.contains(&label) {
                tried.push(label);
            }
        };
        for _ in 0..self.rounds.max(1) {
            for ep in &self.endpoints {
                let protos: &[Proto] = match (ep.transport, tcp_only) {
                    (Transport::Https, _) => &[],
                    (Transport::Tcp, _) | (Transport::Any, true) => &[Proto::Tcp],
                    (Transport::Udp, _) => &[Proto::Udp],
                    (Transport::Any, false) => &[Proto::Udp, Proto::Tcp],
                };
                let Ok(addrs) = tokio::net::lookup_host((ep.host.as_str(), ep.port)).await else {
                    note(protos.first().copied().unwrap_or(Proto::Tcp), ep);
                    continue;
                };
                let addrs: Vec<SocketAddr> = addrs.collect();
                for &p in protos {
                    note(p, ep);
                    for addr in &addrs {
                        let reply = match p {
                            Proto::Udp => self.udp_exchange(*addr, request).await,
                            Proto::Tcp => self.tcp_exchange(*addr, request).await,
                        };
                        let Some(reply) = reply else { continue };
                        if p == Proto::Udp && is_response_too_big(&reply) {
                            note(Proto::Tcp, ep);
                            if let Some(r) = self.tcp_exchange(*addr, request).await {
                                return Ok(r);
                            }
                            continue;
                        }
                        return Ok(reply);
                    }
                }
            }
        }
        Err(KdcClientError::Unreachable {
            realm: self.realm.clone(),
            tried,
        })
    }

    async fn udp_exchange(&self, addr: SocketAddr, request: &[u8]) -> Option<Vec<u8>> {
        let bind: SocketAddr = if addr.is_ipv4() {
            SocketAddr::from(([0, 0, 0, 0], 0))
        } else {
            SocketAddr::from(([0u16; 8], 0))
        };
        let sock = UdpSocket::bind(bind).await.ok()?;
        sock.connect(addr).await.ok()?;
        sock.send(request).await.ok()?;
        let mut buf = vec![0u8; MAX_UDP_REPLY];
        let deadline = tokio::time::Instant::now() + self.udp_timeout;
        loop {
            let n = tokio::time::timeout_at(deadline, sock.recv(&mut buf))
                .await
                .ok()?
                .ok()?;
            let reply = &buf[..n];
            if looks_like_reply(reply) {
                return Some(reply.to_vec());
            }
        }
    }

    async fn tcp_exchange(&self, addr: SocketAddr, request: &[u8]) -> Option<Vec<u8>> {
        let exchange = async {
            let mut stream = TcpStream::connect(addr).await.ok()?;
            let len = u32::try_from(request.len()).ok()?;
            let mut framed = Vec::with_capacity(request.len() + 4);
            framed.extend_from_slice(&len.to_be_bytes());
            framed.extend_from_slice(request);
            stream.write_all(&framed).await.ok()?;
            let mut hdr = [0u8; 4];
            stream.read_exact(&mut hdr).await.ok()?;
            let n = u32::from_be_bytes(hdr);
            if n & 0x8000_0000 != 0 {
                return None;
            }
            let n = usize::try_from(n).ok()?;
            if n == 0 || n > MAX_TCP_REPLY {
                return None;
            }
            let mut body = vec![0u8; n];
            stream.read_exact(&mut body).await.ok()?;
            looks_like_reply(&body).then_some(body)
        };
        timeout(self.tcp_timeout, exchange).await.ok()?
    }
}

fn host_port(ep: &ServerAddress) -> String {
    if ep.host.contains(':') {
        format!("[{}]:{}", ep.host, ep.port)
    } else {
        format!("{}:{}", ep.host, ep.port)
    }
}

/// AS-REP (application 11), TGS-REP (13) or KRB-ERROR (30).
fn looks_like_reply(b: &[u8]) -> bool {
    matches!(b.first(), Some(0x6b | 0x6d | 0x7e))
}

fn is_response_too_big(reply: &[u8]) -> bool {
    reply.first() == Some(&0x7e)
        && decode::<KrbError>(reply)
            .is_ok_and(|e| e.error_code == ErrorCode::ResponseTooBig.as_i32())
}
