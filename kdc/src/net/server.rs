//! [`Server`]: runs the UDP and TCP loops on pre-bound sockets until a
//! cancellation token fires.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::{NetError, RequestHandler, ServerConfig, tcp, udp};

/// The KDC network edge. Create with [`Server::new`], then [`Server::run`].
#[derive(Debug)]
pub struct Server<H> {
    handler: Arc<H>,
    config: ServerConfig,
}

impl<H: RequestHandler> Server<H> {
    /// A server calling `handler` for every request, within `config`'s
    /// limits.
    pub fn new(handler: Arc<H>, config: ServerConfig) -> Self {
        Server { handler, config }
    }

    /// Serves on the given sockets until `shutdown` is cancelled, then stops
    /// accepting, lets requests being handled finish, and returns.
    ///
    /// Sockets are taken pre-bound so callers (and tests) choose addresses,
    /// including port 0.
    pub async fn run(
        self,
        udp_sockets: Vec<UdpSocket>,
        tcp_listeners: Vec<TcpListener>,
        shutdown: CancellationToken,
    ) -> Result<(), NetError> {
        if udp_sockets.is_empty() && tcp_listeners.is_empty() {
            return Err(NetError::NoSockets);
        }
        let config = Arc::new(self.config);
        let tracker = TaskTracker::new();
        // One count per peer across every TCP listener (IPv4 and IPv6).
        let tcp_slots = tcp::TcpSlots {
            total: Arc::new(Semaphore::new(config.max_tcp_connections.max(1))),
            peers: Arc::new(super::PeerCounts::default()),
        };
        let udp_slots = Arc::new(Semaphore::new(config.max_udp_in_flight.max(1)));
        let blocking_slots = Arc::new(Semaphore::new(config.max_blocking.max(1)));
        for sock in udp_sockets {
            tracker.spawn(udp::serve(
                Arc::new(sock),
                Arc::clone(&self.handler),
                Arc::clone(&config),
                Arc::clone(&udp_slots),
                Arc::clone(&blocking_slots),
                shutdown.clone(),
                tracker.clone(),
            ));
        }
        for listener in tcp_listeners {
            tracker.spawn(tcp::serve(
                listener,
                Arc::clone(&self.handler),
                Arc::clone(&config),
                tcp_slots.clone(),
                Arc::clone(&blocking_slots),
                shutdown.clone(),
                tracker.clone(),
            ));
        }
        shutdown.cancelled().await;
        tracing::info!("shutting down: no new requests accepted");
        tracker.close();
        tracker.wait().await;
        let handler = Arc::clone(&self.handler);
        if tokio::task::spawn_blocking(move || handler.shutdown())
            .await
            .is_err()
        {
            tracing::error!("request handler failed while shutting down");
        }
        tracing::info!("network edge stopped");
        Ok(())
    }
}

/// Binds UDP sockets and TCP listeners on the given addresses.
pub async fn bind_all(
    udp_addrs: &[SocketAddr],
    tcp_addrs: &[SocketAddr],
) -> Result<(Vec<UdpSocket>, Vec<TcpListener>), NetError> {
    let mut udp = Vec::with_capacity(udp_addrs.len());
    for &addr in udp_addrs {
        let s = UdpSocket::bind(addr)
            .await
            .map_err(|source| NetError::Bind {
                proto: "udp",
                addr,
                source,
            })?;
        udp.push(s);
    }
    let mut tcp = Vec::with_capacity(tcp_addrs.len());
    for &addr in tcp_addrs {
        let l = TcpListener::bind(addr)
            .await
            .map_err(|source| NetError::Bind {
                proto: "tcp",
                addr,
                source,
            })?;
        tcp.push(l);
    }
    Ok((udp, tcp))
}
