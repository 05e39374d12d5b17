//! TCP: 4-byte big-endian length framing (RFC 4120 7.2.2), several requests
//! per connection, idle timeout, connection cap.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::peers::{PeerCounts, PeerGuard};
use super::{EdgeError, RequestHandler, ServerConfig, Transport, call};

/// The reserved high bit of the length prefix.
const RESERVED_BIT: u32 = 0x8000_0000;

/// The connection slots every TCP listener of a server shares: the total
/// and the per-peer counts.
#[derive(Debug, Clone)]
pub(super) struct TcpSlots {
    pub(super) total: Arc<Semaphore>,
    pub(super) peers: Arc<PeerCounts>,
}

/// Accepts connections on `listener` until `shutdown`.
pub(super) async fn serve<H: RequestHandler>(
    listener: TcpListener,
    handler: Arc<H>,
    config: Arc<ServerConfig>,
    slots: TcpSlots,
    blocking_slots: Arc<Semaphore>,
    shutdown: CancellationToken,
    tracker: TaskTracker,
) {
    let local = listener.local_addr().ok();
    tracing::info!(addr = local.map(tracing::field::display), "serving TCP");
    loop {
        let (stream, peer) = tokio::select! {
            () = shutdown.cancelled() => break,
            r = listener.accept() => match r {
                Ok(v) => v,
                Err(e) => {
                    // E.g. out of file descriptors: back off briefly.
                    tracing::warn!(error = %e, "tcp accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Some(peer_guard) = slots
            .peers
            .try_enter(peer.ip(), config.max_tcp_connections_per_peer)
        else {
            tracing::info!(%peer, max = config.max_tcp_connections_per_peer,
                "tcp connection refused: max_tcp_connections_per_peer reached for this address");
            drop(stream);
            continue;
        };
        let Ok(permit) = Arc::clone(&slots.total).try_acquire_owned() else {
            tracing::warn!(%peer, "tcp connection refused: max_tcp_connections reached");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        tracker.spawn(connection(
            stream,
            peer,
            Arc::clone(&handler),
            Arc::clone(&config),
            Arc::clone(&blocking_slots),
            shutdown.clone(),
            (permit, peer_guard),
        ));
    }
    tracing::info!(addr = local.map(tracing::field::display), "TCP stopped");
}

/// Outcome of reading with the idle timeout and shutdown watched.
enum Read {
    Done,
    Closed(&'static str),
}

async fn read_exact_guarded(
    stream: &mut TcpStream,
    buf: &mut [u8],
    config: &ServerConfig,
    shutdown: &CancellationToken,
) -> Read {
    tokio::select! {
        () = shutdown.cancelled() => Read::Closed("shutdown"),
        r = tokio::time::timeout(config.tcp_idle_timeout, stream.read_exact(buf)) => match r {
            Err(_) => Read::Closed("idle timeout"),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => Read::Closed("closed by peer"),
            Ok(Err(_)) => Read::Closed("read error"),
            Ok(Ok(_)) => Read::Done,
        },
    }
}

async fn write_framed(
    stream: &mut TcpStream,
    body: &[u8],
    config: &ServerConfig,
) -> std::io::Result<()> {
    let len = u32::try_from(body.len())
        .ok()
        .filter(|l| l & RESERVED_BIT == 0)
        .ok_or_else(|| std::io::Error::other("reply too long to frame"))?;
    let mut out = Vec::with_capacity(4 + body.len());
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(body);
    tokio::time::timeout(config.tcp_idle_timeout, stream.write_all(&out))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "write timed out"))?
}

async fn connection<H: RequestHandler>(
    mut stream: TcpStream,
    peer: SocketAddr,
    handler: Arc<H>,
    config: Arc<ServerConfig>,
    blocking_slots: Arc<Semaphore>,
    shutdown: CancellationToken,
    _held: (OwnedSemaphorePermit, PeerGuard),
) {
    let mut requests = 0u64;
    let why = loop {
        let mut len_buf = [0u8; 4];
        if let Read::Closed(why) =
            read_exact_guarded(&mut stream, &mut len_buf, &config, &shutdown).await
        {
            break why;
        }
        let len = u32::from_be_bytes(len_buf);
        if len & RESERVED_BIT != 0 || len as usize > config.max_request_size {
            tracing::info!(%peer, len, "tcp request dropped: length has the reserved bit set or exceeds max_request_size");
            if let Some(err) =
                handler.edge_error(EdgeError::FieldTooLong, &[], peer, SystemTime::now())
            {
                let _ = write_framed(&mut stream, &err, &config).await;
            }
            break "request too long";
        }
        let mut request = vec![0u8; len as usize];
        if let Read::Closed(why) =
            read_exact_guarded(&mut stream, &mut request, &config, &shutdown).await
        {
            tracing::info!(%peer, why, "tcp request dropped: incomplete message");
            break why;
        }
        requests += 1;
        let now = SystemTime::now();
        match call::handle(
            &handler,
            &blocking_slots,
            &request,
            peer,
            Transport::Tcp,
            now,
        )
        .await
        {
            Some(reply) => {
                if let Err(e) = write_framed(&mut stream, &reply, &config).await {
                    tracing::info!(%peer, error = %e, "tcp reply could not be sent");
                    break "write error";
                }
            }
            None => {
                // Nothing that does not decode is answered; the peer is not
                // speaking the protocol, so the connection goes too.
                tracing::debug!(%peer, "tcp request dropped by handler; connection closed");
                break "request dropped";
            }
        }
    };
    let _ = stream.shutdown().await;
    tracing::debug!(%peer, requests, why, "tcp connection closed");
}
