//! The network edge: UDP and TCP (RFC 4120 section 7.2) on tokio, in front
//! of a sans-I/O [`RequestHandler`].
//!
//! The edge knows framing, sizes, timeouts and connection limits; it knows
//! nothing about ASN.1. When the edge itself must answer with a KRB-ERROR
//! (TCP length with the reserved bit set or too long, UDP reply too big) it
//! asks the handler for the bytes through [`RequestHandler::edge_error`].
//!
//! Handlers that block ([`RequestHandler::blocking`]: kpasswd, whose
//! password changes run the native enctype's Argon2id and commit to
//! SQLite) run on tokio's blocking pool, at most
//! [`ServerConfig::max_blocking`] at once, so the async workers keep
//! serving other requests. When all those slots are taken a UDP datagram
//! is dropped (the client retransmits) and a TCP request waits for one
//! (connections are bounded already). The KDC's own handler does not block:
//! its lockout writes go to a background writer
//! ([`crate::core::lockout_writer`]), drained when the server stops
//! ([`RequestHandler::shutdown`]). A reply that reports such a write
//! carries its receipt ([`Reply::after`]); the edge awaits it, holding no
//! worker, and sends the reply once the write is done.

mod call;
mod peers;
mod server;
mod tcp;
mod udp;

use std::net::SocketAddr;
use std::time::Duration;

pub use peers::{PeerCounts, PeerGuard, PeerKey};
pub use server::{Server, bind_all};

/// Largest UDP payload over IPv4 (65535 - 8 UDP - 20 IP header bytes).
pub const MAX_UDP_PAYLOAD: usize = 65507;

pub use tessera_kdc_core::handler::{EdgeError, Reply, RequestHandler, Transport};

/// Limits of the network edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// Largest request accepted (UDP datagram or TCP message body).
    pub max_request_size: usize,
    /// Largest UDP reply; larger ones are replaced by
    /// [`EdgeError::ResponseTooBig`]. Capped at [`MAX_UDP_PAYLOAD`].
    pub udp_max_reply_size: usize,
    /// Close a TCP connection idle (no complete request) this long.
    pub tcp_idle_timeout: Duration,
    /// Cap on concurrently open TCP connections; extra ones are closed at
    /// once.
    pub max_tcp_connections: usize,
    /// Cap on TCP connections open at once from one peer (an IPv4 address
    /// or an IPv6 /64, [`PeerKey`]); extra ones are closed at once, so one
    /// host holding idle connections cannot take every slot.
    pub max_tcp_connections_per_peer: usize,
    /// Cap on UDP requests being handled at once; extra ones are dropped.
    pub max_udp_in_flight: usize,
    /// Cap on requests of a [blocking](RequestHandler::blocking) handler
    /// running at once on tokio's blocking pool (each kpasswd change may
    /// hold Argon2id's 64 MiB). Extra UDP requests are dropped, extra TCP
    /// requests wait.
    pub max_blocking: usize,
}

/// Default [`ServerConfig::max_tcp_connections_per_peer`]: a KDC's TCP
/// clients hold a connection for one exchange, so even a large NAT rarely
/// has this many at once; an attacker from one address gets 64 of the
/// default 1024 slots.
pub const DEFAULT_MAX_TCP_CONNECTIONS_PER_PEER: usize = 64;

/// Default [`ServerConfig::max_blocking`]: the number of CPUs, between 2
/// and 8.
pub fn default_max_blocking() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8))
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_request_size: 65536,
            udp_max_reply_size: MAX_UDP_PAYLOAD,
            tcp_idle_timeout: Duration::from_secs(30),
            max_tcp_connections: 1024,
            max_tcp_connections_per_peer: DEFAULT_MAX_TCP_CONNECTIONS_PER_PEER,
            max_udp_in_flight: 4096,
            max_blocking: default_max_blocking(),
        }
    }
}

/// Errors of the network edge. Display is one line.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    /// A socket could not be bound.
    #[error("cannot listen on {proto} {addr}: {source}")]
    Bind {
        /// "udp" or "tcp".
        proto: &'static str,
        /// Address.
        addr: SocketAddr,
        /// Underlying error.
        source: std::io::Error,
    },
    /// No socket to serve on.
    #[error("no socket to serve on")]
    NoSockets,
}
