//! What the admin server allows a connection before and after its AP-REQ
//! is verified.
//!
//! Before authentication anyone who can reach the port is talking, so the
//! first frame must arrive whole within a short time, must be no larger
//! than an AP-REQ needs, and one address can hold only a few such
//! connections (the others stay free for real administrators; counted by
//! [`crate::net::PeerCounts`]). Once authenticated, a connection gets the
//! full frame size and idle timeout.

use std::time::Duration;

use super::protocol::MAX_FRAME;

/// Default time for the whole first frame (header and AP-REQ).
pub const DEFAULT_PREAUTH_TIMEOUT: Duration = Duration::from_secs(10);
/// Default largest first frame. Our kadmin's AP-REQ is about 1 KiB; a
/// ticket with a large PAC can be several KiB; 16 KiB leaves room.
pub const DEFAULT_PREAUTH_MAX_FRAME: usize = 16 * 1024;
/// Default unauthenticated connections one IP address may hold at once.
pub const DEFAULT_MAX_UNAUTHENTICATED_PER_PEER: usize = 8;
/// A connection idle this long after authentication (no complete command)
/// is closed.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(300);
/// Connections served at once; more wait in the accept queue.
pub const MAX_CONNECTIONS: usize = 64;

/// The admin server's connection limits (`[admin]` in kdc.toml).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdminLimits {
    /// Time allowed for the first frame, from accept to its last byte.
    pub preauth_timeout: Duration,
    /// Largest first frame (bytes); a longer one is refused unread.
    pub preauth_max_frame: usize,
    /// Unauthenticated connections one IP address may hold at once; more
    /// are closed at accept.
    pub max_unauthenticated_per_peer: usize,
    /// Idle time allowed between commands once authenticated.
    pub idle_timeout: Duration,
    /// Largest frame once authenticated.
    pub max_frame: usize,
    /// Connections served at once.
    pub max_connections: usize,
}

impl Default for AdminLimits {
    fn default() -> Self {
        Self {
            preauth_timeout: DEFAULT_PREAUTH_TIMEOUT,
            preauth_max_frame: DEFAULT_PREAUTH_MAX_FRAME,
            max_unauthenticated_per_peer: DEFAULT_MAX_UNAUTHENTICATED_PER_PEER,
            idle_timeout: IDLE_TIMEOUT,
            max_frame: MAX_FRAME,
            max_connections: MAX_CONNECTIONS,
        }
    }
}
