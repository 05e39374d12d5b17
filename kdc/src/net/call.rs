//! Calling the handler: inline on the async worker, or, for a
//! [blocking](super::RequestHandler::blocking) handler, on tokio's blocking
//! pool within a bounded number of slots.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

use tokio::sync::Semaphore;

use super::{Reply, RequestHandler, Transport};

/// Runs `handler.handle` for one request and returns the reply once what
/// it waits for ([`Reply::after`]) is done. With a blocking handler it
/// waits for one of `blocking_slots` (TCP) or drops the request when none
/// is free (UDP, `None`), then runs on the blocking pool.
pub(super) async fn handle<H: RequestHandler>(
    handler: &Arc<H>,
    blocking_slots: &Arc<Semaphore>,
    request: &[u8],
    peer: SocketAddr,
    transport: Transport,
    now: SystemTime,
) -> Option<Vec<u8>> {
    let reply = call(handler, blocking_slots, request, peer, transport, now).await?;
    if let Some(first) = reply.after {
        first.await;
    }
    Some(reply.bytes)
}

async fn call<H: RequestHandler>(
    handler: &Arc<H>,
    blocking_slots: &Arc<Semaphore>,
    request: &[u8],
    peer: SocketAddr,
    transport: Transport,
    now: SystemTime,
) -> Option<Reply> {
    if !handler.blocking() {
        return handler.handle(request, peer, transport, now);
    }
    let permit = match transport {
        Transport::Udp => match Arc::clone(blocking_slots).try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                tracing::info!(%peer, "udp request dropped: max_blocking requests already being handled");
                return None;
            }
        },
        Transport::Tcp => Arc::clone(blocking_slots).acquire_owned().await.ok()?,
    };
    let handler = Arc::clone(handler);
    let request = request.to_vec();
    let task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        handler.handle(&request, peer, transport, now)
    });
    match task.await {
        Ok(reply) => reply,
        Err(e) => {
            tracing::error!(%peer, error = %e, "request handler failed on the blocking pool; request dropped");
            None
        }
    }
}
