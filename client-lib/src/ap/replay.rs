//! An in-memory replay cache for authenticators.
//!
//! An authenticator is remembered until its time falls out of the skew
//! window (after which the acceptor refuses it as skewed anyway). The
//! cache is bounded: when it is full of unexpired entries it refuses new
//! authenticators ([`ApError::ReplayCacheFull`]) rather than forget ones
//! that could then be replayed.

use std::time::Duration;

use dashmap::DashMap;
use dashmap::mapref::entry::Entry;
use sha2::{Digest, Sha256};

use super::ApError;

/// Default number of entries a [`ReplayCache`] holds.
pub const DEFAULT_REPLAY_CAPACITY: usize = 1 << 20;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ReplayKey {
    client: String,
    server: String,
    ctime_micros: i64,
    auth_hash: [u8; 32],
}

/// Remembers recently seen authenticators, keyed by client, server,
/// client time and a SHA-256 hash of the encrypted authenticator.
///
/// Safe to share between threads (`Arc<ReplayCache>`).
#[derive(Debug)]
pub struct ReplayCache {
    entries: DashMap<ReplayKey, i64>,
    window_micros: i64,
    capacity: usize,
}

impl ReplayCache {
    /// A cache whose entries live for `window` (use the acceptor's clock
    /// skew) holding at most `capacity` entries.
    pub fn new(window: Duration, capacity: usize) -> Self {
        Self {
            entries: DashMap::new(),
            window_micros: i64::try_from(window.as_micros()).unwrap_or(i64::MAX),
            capacity: capacity.max(1),
        }
    }

    /// Records an authenticator, or fails with [`ApError::Repeat`] if the
    /// same one was recorded and has not expired.
    ///
    /// `auth_ciphertext` is the authenticator's encrypted bytes;
    /// `ctime_micros` its client time; `now_micros` the acceptor's clock.
    pub fn check_and_insert(
        &self,
        client: &str,
        server: &str,
        ctime_micros: i64,
        auth_ciphertext: &[u8],
        now_micros: i64,
    ) -> Result<(), ApError> {
        let key = ReplayKey {
            client: client.to_owned(),
            server: server.to_owned(),
            ctime_micros,
            auth_hash: Sha256::digest(auth_ciphertext).into(),
        };
        let expires = ctime_micros
            .max(now_micros)
            .saturating_add(self.window_micros);
        if self.entries.len() >= self.capacity {
            self.purge_expired(now_micros);
            if self.entries.len() >= self.capacity {
                return Err(ApError::ReplayCacheFull);
            }
        }
        match self.entries.entry(key) {
            Entry::Occupied(mut e) => {
                if *e.get() >= now_micros {
                    return Err(ApError::Repeat);
                }
                e.insert(expires);
            }
            Entry::Vacant(v) => {
                v.insert(expires);
            }
        }
        Ok(())
    }

    /// Drops every entry that expired before `now_micros`.
    pub fn purge_expired(&self, now_micros: i64) {
        self.entries.retain(|_, exp| *exp >= now_micros);
    }

    /// Number of entries held (expired ones included until purged).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the cache holds no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Default for ReplayCache {
    fn default() -> Self {
        Self::new(super::DEFAULT_SKEW, DEFAULT_REPLAY_CAPACITY)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn repeat_is_refused_until_expiry() {
        let rc = ReplayCache::new(Duration::from_secs(300), 10);
        rc.check_and_insert("c@R", "s@R", 1_000_000, b"abc", 1_000_000)
            .unwrap();
        assert_eq!(
            rc.check_and_insert("c@R", "s@R", 1_000_000, b"abc", 1_000_001),
            Err(ApError::Repeat)
        );
        // A different authenticator at the same time is fine.
        rc.check_and_insert("c@R", "s@R", 1_000_000, b"abd", 1_000_001)
            .unwrap();
        // After the window the entry is gone.
        rc.check_and_insert("c@R", "s@R", 1_000_000, b"abc", 400_000_000)
            .unwrap();
    }

    #[test]
    fn full_cache_refuses_then_recovers_after_purge() {
        let rc = ReplayCache::new(Duration::from_secs(1), 2);
        rc.check_and_insert("c", "s", 0, b"1", 0).unwrap();
        rc.check_and_insert("c", "s", 0, b"2", 0).unwrap();
        assert_eq!(
            rc.check_and_insert("c", "s", 0, b"3", 0),
            Err(ApError::ReplayCacheFull)
        );
        rc.check_and_insert("c", "s", 5_000_000, b"3", 5_000_000)
            .unwrap();
        assert_eq!(rc.len(), 1);
    }
}
