//! UDP: one datagram in, at most one datagram out.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

use tokio::net::UdpSocket;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::{EdgeError, MAX_UDP_PAYLOAD, RequestHandler, ServerConfig, Transport, call};

/// Receives datagrams on `sock` until `shutdown`; each is handled in its own
/// task (bounded by `slots`).
pub(super) async fn serve<H: RequestHandler>(
    sock: Arc<UdpSocket>,
    handler: Arc<H>,
    config: Arc<ServerConfig>,
    slots: Arc<Semaphore>,
    blocking_slots: Arc<Semaphore>,
    shutdown: CancellationToken,
    tracker: TaskTracker,
) {
    let local = sock.local_addr().ok();
    tracing::info!(addr = local.map(tracing::field::display), "serving UDP");
    // One byte more than accepted, to detect oversized datagrams.
    let buf_len = config.max_request_size.saturating_add(1).min(65536);
    let mut buf = vec![0u8; buf_len];
    loop {
        let (n, peer) = tokio::select! {
            () = shutdown.cancelled() => break,
            r = sock.recv_from(&mut buf) => match r {
                Ok(v) => v,
                Err(e) => {
                    // ICMP errors from earlier sends surface here; keep going.
                    tracing::debug!(error = %e, "udp receive error");
                    continue;
                }
            },
        };
        if n > config.max_request_size {
            tracing::info!(%peer, size = n, "udp request dropped: larger than max_request_size");
            continue;
        }
        let Ok(permit) = Arc::clone(&slots).try_acquire_owned() else {
            tracing::warn!(%peer, "udp request dropped: too many requests in flight");
            continue;
        };
        let request = buf[..n].to_vec();
        let sock = Arc::clone(&sock);
        let handler = Arc::clone(&handler);
        let config = Arc::clone(&config);
        let blocking_slots = Arc::clone(&blocking_slots);
        tracker.spawn(async move {
            let _permit = permit;
            answer(&sock, &handler, &blocking_slots, &config, &request, peer).await;
        });
    }
    tracing::info!(addr = local.map(tracing::field::display), "UDP stopped");
}

async fn answer<H: RequestHandler>(
    sock: &UdpSocket,
    handler: &Arc<H>,
    blocking_slots: &Arc<Semaphore>,
    config: &ServerConfig,
    request: &[u8],
    peer: SocketAddr,
) {
    let now = SystemTime::now();
    let reply = call::handle(handler, blocking_slots, request, peer, Transport::Udp, now).await;
    let Some(mut reply) = reply else {
        tracing::debug!(%peer, "udp request dropped by handler");
        return;
    };
    let limit = config.udp_max_reply_size.min(MAX_UDP_PAYLOAD);
    if reply.len() > limit {
        match handler.edge_error(EdgeError::ResponseTooBig, request, peer, now) {
            Some(err) if err.len() <= limit => {
                tracing::debug!(%peer, size = reply.len(), "udp reply too big; sent RESPONSE_TOO_BIG");
                reply = err;
            }
            _ => {
                tracing::info!(%peer, size = reply.len(), "udp reply dropped: too big for UDP");
                return;
            }
        }
    }
    if let Err(e) = sock.send_to(&reply, peer).await {
        tracing::info!(%peer, error = %e, "udp reply could not be sent");
    }
}
