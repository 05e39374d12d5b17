//! The TGS authenticator replay cache.
//!
//! An authenticator is identified by (client, server, ctime, cusec), as
//! RFC 4120 section 3.2.3 describes. Entries live until the authenticator
//! would fail the clock-skew check anyway (ctime + skew, measured from the
//! KDC's clock), so the cache holds at most the authenticators of one skew
//! window. It is a sharded [`DashMap`] (no global lock) with a size bound:
//! when full it first purges expired entries and, if still full, refuses
//! (fails closed) rather than forget authenticators that could be replayed.

use super::purge::PurgeGate;

use dashmap::DashMap;
use dashmap::mapref::entry::Entry;

/// Default bound on the number of remembered authenticators.
pub const DEFAULT_REPLAY_CAPACITY: usize = 1 << 20;

/// One authenticator's identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReplayKey {
    /// Client principal (`name@REALM`).
    pub client: Box<str>,
    /// Server the authenticator was for (the TGS, or the renewed ticket's
    /// service).
    pub server: Box<str>,
    /// Client time, seconds since the epoch.
    pub ctime: i64,
    /// Client microseconds.
    pub cusec: u32,
}

/// What [`ReplayCache::check_and_insert`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayVerdict {
    /// First time seen; now remembered.
    Fresh,
    /// Seen before within the window.
    Replay,
    /// The cache is full of live entries; the request must be refused.
    Full,
}

/// A bounded, expiring replay cache. See the module documentation.
#[derive(Debug)]
pub struct ReplayCache {
    /// Key -> expiry (seconds since the epoch).
    entries: DashMap<ReplayKey, i64>,
    capacity: usize,
    /// Earliest time (seconds) at which the next purge may run.
    next_purge: PurgeGate,
}

impl ReplayCache {
    /// An empty cache holding at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        ReplayCache {
            entries: DashMap::new(),
            capacity: capacity.max(1),
            next_purge: PurgeGate::new(),
        }
    }

    /// Number of remembered authenticators (expired ones included until
    /// the next purge).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Records `key` until `expires` (seconds since the epoch) unless it is
    /// already present and unexpired at `now`.
    pub fn check_and_insert(&self, key: ReplayKey, now: i64, expires: i64) -> ReplayVerdict {
        if self.entries.len() >= self.capacity {
            self.purge(now, true);
            if self.entries.len() >= self.capacity {
                return ReplayVerdict::Full;
            }
        } else {
            self.purge(now, false);
        }
        match self.entries.entry(key) {
            Entry::Occupied(mut e) => {
                if *e.get() >= now {
                    ReplayVerdict::Replay
                } else {
                    e.insert(expires);
                    ReplayVerdict::Fresh
                }
            }
            Entry::Vacant(v) => {
                v.insert(expires);
                ReplayVerdict::Fresh
            }
        }
    }

    /// Drops expired entries; without `force`, at most once a second (one
    /// caller wins the race, the others skip).
    fn purge(&self, now: i64, force: bool) {
        if !self.next_purge.due(now, force) {
            return;
        }
        self.entries.retain(|_, exp| *exp >= now);
    }
}

impl Default for ReplayCache {
    fn default() -> Self {
        ReplayCache::new(DEFAULT_REPLAY_CAPACITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(ctime: i64) -> ReplayKey {
        ReplayKey {
            client: "u@R".into(),
            server: "krbtgt/R@R".into(),
            ctime,
            cusec: 7,
        }
    }

    #[test]
    fn replay_expiry_and_bound() {
        let c = ReplayCache::new(2);
        assert_eq!(c.check_and_insert(key(100), 100, 400), ReplayVerdict::Fresh);
        assert_eq!(
            c.check_and_insert(key(100), 101, 401),
            ReplayVerdict::Replay
        );
        assert_eq!(c.check_and_insert(key(101), 101, 401), ReplayVerdict::Fresh);
        // Full of live entries: fail closed.
        assert_eq!(c.check_and_insert(key(102), 102, 402), ReplayVerdict::Full);
        // Once they expire, room again, and the old key is fresh.
        assert_eq!(c.check_and_insert(key(100), 500, 800), ReplayVerdict::Fresh);
        assert_eq!(c.len(), 1);
    }
}
