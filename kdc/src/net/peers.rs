//! Connections per peer address, so that one host cannot hold every
//! connection slot of a service (slowloris).
//!
//! A peer is its IPv4 address, or the /64 prefix of its IPv6 address: one
//! IPv6 host usually owns a whole /64 and could otherwise open each
//! connection from a new address. IPv4-mapped IPv6 addresses count as the
//! IPv4 address. Used by the KDC's TCP edge and by the admin server (for
//! its connections that are not authenticated yet).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

/// The unit a per-peer limit counts: an IPv4 address or an IPv6 /64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeerKey {
    /// An IPv4 address (also from an IPv4-mapped IPv6 address).
    V4(u32),
    /// The first 64 bits of an IPv6 address.
    V6Prefix(u64),
}

impl PeerKey {
    /// The key `ip` counts under.
    pub fn of(ip: IpAddr) -> PeerKey {
        match ip {
            IpAddr::V4(v4) => PeerKey::V4(u32::from(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => PeerKey::V4(u32::from(v4)),
                None => {
                    let [a, b, c, d, ..] = v6.segments();
                    PeerKey::V6Prefix(
                        (u64::from(a) << 48)
                            | (u64::from(b) << 32)
                            | (u64::from(c) << 16)
                            | u64::from(d),
                    )
                }
            },
        }
    }
}

/// Open connections per peer (see the module documentation).
#[derive(Debug, Default)]
pub struct PeerCounts {
    counts: Mutex<HashMap<PeerKey, usize>>,
}

impl PeerCounts {
    /// Counts one more connection from `ip` unless its peer already holds
    /// `max`; the guard uncounts it when dropped.
    pub fn try_enter(self: &Arc<Self>, ip: IpAddr, max: usize) -> Option<PeerGuard> {
        let key = PeerKey::of(ip);
        let mut m = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let n = m.entry(key).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(PeerGuard {
            counts: Arc::clone(self),
            key,
        })
    }

    /// Connections counted for `ip`'s peer now.
    pub fn count(&self, ip: IpAddr) -> usize {
        let m = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        m.get(&PeerKey::of(ip)).copied().unwrap_or(0)
    }
}

/// One counted connection; uncounted on drop.
#[derive(Debug)]
pub struct PeerGuard {
    counts: Arc<PeerCounts>,
    key: PeerKey,
}

impl Drop for PeerGuard {
    fn drop(&mut self) {
        let mut m = self
            .counts
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = m.get_mut(&self.key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                m.remove(&self.key);
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

    #[test]
    fn ipv6_counts_per_64_and_mapped_as_ipv4() {
        let c = Arc::new(PeerCounts::default());
        let x: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let y: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        let _g = c.try_enter(x, 1).unwrap();
        assert!(c.try_enter(y, 1).is_none(), "same /64 is one peer");
        assert!(c.try_enter(other, 1).is_some());
        let v4: IpAddr = "192.0.2.7".parse().unwrap();
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        let _h = c.try_enter(v4, 1).unwrap();
        assert!(c.try_enter(mapped, 1).is_none());
    }
}
