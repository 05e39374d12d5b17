//! What a network edge calls: the sans-I/O [`RequestHandler`] (the KDC,
//! the kpasswd service) and the types it speaks in. The edge
//! (`tessera_kdc::net`, on tokio) owns sockets, framing and timeouts; a
//! handler owns everything about the message.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::SystemTime;

/// The transport a request arrived on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// A UDP datagram; the reply must fit in one datagram.
    Udp,
    /// A length-framed message on a TCP connection.
    Tcp,
}

/// Situations where the edge answers (or drops) by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeError {
    /// TCP length prefix has the reserved high bit set, or announces more
    /// than the configured maximum request size (RFC 4120 7.2.2:
    /// KRB_ERR_FIELD_TOOLONG, then close).
    FieldTooLong,
    /// The handler's reply exceeds the UDP reply limit
    /// (KRB_ERR_RESPONSE_TOO_BIG, so the client retries over TCP).
    ResponseTooBig,
}

/// A handler's reply: the bytes to send, and what must complete first.
pub struct Reply {
    /// The reply message.
    pub bytes: Vec<u8>,
    /// A write the reply reports on (a counted pre-authentication failure):
    /// the edge sends [`Reply::bytes`] only once this completes, awaiting it
    /// without blocking a worker.
    pub after: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
}

impl Reply {
    /// `bytes`, to be sent once `first` completes.
    pub fn after(bytes: Vec<u8>, first: impl Future<Output = ()> + Send + 'static) -> Self {
        Reply {
            bytes,
            after: Some(Box::pin(first)),
        }
    }
}

impl From<Vec<u8>> for Reply {
    fn from(bytes: Vec<u8>) -> Self {
        Reply { bytes, after: None }
    }
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply")
            .field("len", &self.bytes.len())
            .field("after", &self.after.is_some())
            .finish()
    }
}

/// The sans-I/O request handler the edge calls for every request.
///
/// Implementations do no I/O and read no clock: `now` is passed in.
pub trait RequestHandler: Send + Sync + 'static {
    /// Handles one request; `None` means send nothing (drop).
    fn handle(
        &self,
        request: &[u8],
        peer: SocketAddr,
        transport: Transport,
        now: SystemTime,
    ) -> Option<Reply>;

    /// Whether [`handle`](Self::handle) may block (CPU-heavy key
    /// derivation, database commits). The edge then runs it on tokio's
    /// blocking pool, bounded by its `max_blocking` setting. The default
    /// is `false`: `handle` runs inline on the async worker.
    fn blocking(&self) -> bool {
        false
    }

    /// Called once by the edge, after the last request was handled
    /// (e.g. to write out queued work). The default does nothing.
    fn shutdown(&self) {}

    /// Bytes of the KRB-ERROR the edge should send for `error` (`request` is
    /// the original request for [`EdgeError::ResponseTooBig`], empty for
    /// [`EdgeError::FieldTooLong`]). The default sends nothing.
    fn edge_error(
        &self,
        error: EdgeError,
        request: &[u8],
        peer: SocketAddr,
        now: SystemTime,
    ) -> Option<Vec<u8>> {
        let _ = (error, request, peer, now);
        None
    }
}
