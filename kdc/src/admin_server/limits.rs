//! What the admin server allows a connection before and after its AP-REQ
//! is verified, and the per-address count of unauthenticated connections.
//!
//! Before authentication anyone who can reach the port is talking, so the
//! first frame must arrive whole within a short time, must be no larger
//! than an AP-REQ needs, and one address can hold only a few such
//! connections (the others stay free for real administrators). Once
//! authenticated, a connection gets the full frame size and idle timeout.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
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

/// Unauthenticated connections per IP address.
#[derive(Debug, Default)]
pub(crate) struct PeerCounts {
    counts: Mutex<HashMap<IpAddr, usize>>,
}

impl PeerCounts {
    /// Counts one more unauthenticated connection from `ip` unless it
    /// already holds `max`; the guard uncounts it when dropped.
    pub(crate) fn try_enter(self: &Arc<Self>, ip: IpAddr, max: usize) -> Option<PeerGuard> {
        let mut m = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let n = m.entry(ip).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(PeerGuard {
            counts: Arc::clone(self),
            ip,
        })
    }

    /// Unauthenticated connections from `ip` now.
    #[cfg(test)]
    pub(crate) fn count(&self, ip: IpAddr) -> usize {
        let m = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        m.get(&ip).copied().unwrap_or(0)
    }
}

/// One counted unauthenticated connection.
#[derive(Debug)]
pub(crate) struct PeerGuard {
    counts: Arc<PeerCounts>,
    ip: IpAddr,
}

impl Drop for PeerGuard {
    fn drop(&mut self) {
        let mut m = self
            .counts
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = m.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                m.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn per_peer_counts_are_bounded_and_released() {
        let c = Arc::new(PeerCounts::default());
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        let g1 = c.try_enter(a, 2).unwrap();
        let _g2 = c.try_enter(a, 2).unwrap();
        assert!(c.try_enter(a, 2).is_none());
        let _h = c.try_enter(b, 2).unwrap();
        drop(g1);
        assert_eq!(c.count(a), 1);
        assert!(c.try_enter(a, 2).is_some());
    }
}
