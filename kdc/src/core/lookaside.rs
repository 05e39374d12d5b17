//! The lookaside (reply) cache: a retransmitted request gets the reply it
//! got the first time.
//!
//! A client that lost a reply (UDP) sends the very same bytes again; so does
//! a client retrying over TCP after KRB_ERR_RESPONSE_TOO_BIG. Processing the
//! request a second time would be wrong: a TGS-REQ would hit the
//! authenticator replay cache (KRB_AP_ERR_REPEAT) and a failed AS-REQ would
//! count twice towards account lockout. MIT's KDC keeps such a cache too.
//!
//! * Keyed by the SHA-256 of the request bytes; the value is the reply as
//!   the KDC produced it, *before* the UDP size limit is applied, so the
//!   RESPONSE_TOO_BIG error is never what a TCP retry gets back: the caller
//!   applies the limit of the transport at hand to the cached reply.
//! * Entries expire [`DEFAULT_LOOKASIDE_TTL_SECS`] after they were stored
//!   (`now` is passed in: no clock is read here).
//! * Bounded: at most `max_entries` entries and about `max_bytes` bytes
//!   (reply sizes plus a fixed per-entry overhead). When full, expired
//!   entries are purged; if it is still full the new reply is simply not
//!   cached (live entries are never evicted early).
//! * A sharded [`DashMap`]: no global lock. The byte count is an atomic and
//!   may overshoot the bound by at most one reply per concurrent inserter.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::purge::PurgeGate;

use dashmap::DashMap;
use dashmap::mapref::entry::Entry;
use sha2::{Digest, Sha256};

/// How long a reply is kept, in seconds (MIT's lookaside keeps about two
/// minutes).
pub const DEFAULT_LOOKASIDE_TTL_SECS: i64 = 120;
/// Default bound on the number of cached replies.
pub const DEFAULT_LOOKASIDE_MAX_ENTRIES: usize = 1 << 17;
/// Default bound on the bytes held (replies plus per-entry overhead).
pub const DEFAULT_LOOKASIDE_MAX_BYTES: usize = 64 << 20;
/// Bytes charged per entry on top of the reply (key, expiry, map slot).
const ENTRY_OVERHEAD: usize = 96;

/// The fingerprint of a request: SHA-256 of its bytes.
pub type RequestKey = [u8; 32];

/// The fingerprint of `request`.
pub fn request_key(request: &[u8]) -> RequestKey {
    Sha256::digest(request).into()
}

/// Size limits and lifetime of a [`Lookaside`] cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LookasideLimits {
    /// Seconds an entry lives after it was stored.
    pub ttl_secs: i64,
    /// Most entries held.
    pub max_entries: usize,
    /// Most bytes held (approximately; see the module documentation).
    pub max_bytes: usize,
}

impl Default for LookasideLimits {
    fn default() -> Self {
        LookasideLimits {
            ttl_secs: DEFAULT_LOOKASIDE_TTL_SECS,
            max_entries: DEFAULT_LOOKASIDE_MAX_ENTRIES,
            max_bytes: DEFAULT_LOOKASIDE_MAX_BYTES,
        }
    }
}

/// What [`Lookaside::insert`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertOutcome {
    /// The reply is now cached.
    Stored,
    /// A live reply for the same request was already cached (a concurrent
    /// duplicate); it was kept.
    AlreadyCached,
    /// The cache is full of live entries (or the reply alone exceeds the
    /// byte bound): not cached.
    Full,
}

#[derive(Debug)]
struct Cached {
    reply: Arc<[u8]>,
    /// Seconds since the epoch after which the entry is dead.
    expires: i64,
}

impl Cached {
    fn cost(&self) -> usize {
        self.reply.len().saturating_add(ENTRY_OVERHEAD)
    }
}

/// The reply cache. See the module documentation.
#[derive(Debug)]
pub struct Lookaside {
    entries: DashMap<RequestKey, Cached>,
    bytes: AtomicUsize,
    limits: LookasideLimits,
    /// Earliest time (seconds) at which the next unforced purge may run.
    next_purge: PurgeGate,
}

impl Default for Lookaside {
    fn default() -> Self {
        Lookaside::new(LookasideLimits::default())
    }
}

impl Lookaside {
    /// An empty cache with the given limits.
    pub fn new(limits: LookasideLimits) -> Self {
        Lookaside {
            entries: DashMap::new(),
            bytes: AtomicUsize::new(0),
            limits: LookasideLimits {
                ttl_secs: limits.ttl_secs.max(1),
                max_entries: limits.max_entries.max(1),
                max_bytes: limits.max_bytes,
            },
            next_purge: PurgeGate::new(),
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> LookasideLimits {
        self.limits
    }

    /// Number of entries held (expired ones included until purged).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Bytes charged for the entries held.
    pub fn bytes(&self) -> usize {
        self.bytes.load(Ordering::Relaxed)
    }

    /// The reply cached for `key`, if one is alive at `now` (seconds since
    /// the epoch). A dead entry found on the way is removed.
    pub fn get(&self, key: &RequestKey, now: i64) -> Option<Arc<[u8]>> {
        let found = self.entries.get(key).map(|c| {
            if c.expires > now {
                Ok(Arc::clone(&c.reply))
            } else {
                Err(())
            }
        })?;
        match found {
            Ok(reply) => Some(reply),
            Err(()) => {
                if let Some((_, old)) = self.entries.remove_if(key, |_, c| c.expires <= now) {
                    self.bytes.fetch_sub(old.cost(), Ordering::Relaxed);
                }
                None
            }
        }
    }

    /// Caches `reply` for `key` from `now` (seconds) for the cache's TTL,
    /// unless a live reply is cached already or the cache is full.
    pub fn insert(&self, key: RequestKey, reply: &[u8], now: i64) -> InsertOutcome {
        let cost = reply.len().saturating_add(ENTRY_OVERHEAD);
        if cost > self.limits.max_bytes {
            return InsertOutcome::Full;
        }
        if self.is_full(cost) {
            self.purge(now, true);
            if self.is_full(cost) {
                return InsertOutcome::Full;
            }
        } else {
            self.purge(now, false);
        }
        let new = Cached {
            reply: Arc::from(reply),
            expires: now.saturating_add(self.limits.ttl_secs),
        };
        match self.entries.entry(key) {
            Entry::Occupied(mut e) => {
                if e.get().expires > now {
                    return InsertOutcome::AlreadyCached;
                }
                let old = e.insert(new);
                self.bytes.fetch_sub(old.cost(), Ordering::Relaxed);
                self.bytes.fetch_add(cost, Ordering::Relaxed);
            }
            Entry::Vacant(v) => {
                v.insert(new);
                self.bytes.fetch_add(cost, Ordering::Relaxed);
            }
        }
        InsertOutcome::Stored
    }

    fn is_full(&self, cost: usize) -> bool {
        self.entries.len() >= self.limits.max_entries
            || self.bytes().saturating_add(cost) > self.limits.max_bytes
    }

    /// Drops dead entries; without `force`, at most once a second (one
    /// caller wins the race, the others skip).
    fn purge(&self, now: i64, force: bool) {
        if !self.next_purge.due(now, force) {
            return;
        }
        self.entries.retain(|_, c| {
            let live = c.expires > now;
            if !live {
                self.bytes.fetch_sub(c.cost(), Ordering::Relaxed);
            }
            live
        });
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn hit_expiry_and_bound() {
        let c = Lookaside::new(LookasideLimits {
            ttl_secs: 120,
            max_entries: 2,
            max_bytes: 1 << 20,
        });
        let (a, b, d) = (request_key(b"a"), request_key(b"b"), request_key(b"d"));
        assert_eq!(c.insert(a, b"reply-a", 1000), InsertOutcome::Stored);
        assert_eq!(c.get(&a, 1001).as_deref(), Some(&b"reply-a"[..]));
        assert_eq!(c.insert(a, b"other", 1001), InsertOutcome::AlreadyCached);
        assert_eq!(c.get(&a, 1119).as_deref(), Some(&b"reply-a"[..]));
        assert_eq!(c.insert(b, b"reply-b", 1010), InsertOutcome::Stored);
        assert_eq!(c.insert(d, b"reply-d", 1010), InsertOutcome::Full);
        assert!(c.get(&d, 1010).is_none());
        // a expires at 1120: dead entry removed on lookup, room again.
        assert!(c.get(&a, 1120).is_none());
        assert_eq!(c.len(), 1);
        assert_eq!(c.insert(d, b"reply-d", 1120), InsertOutcome::Stored);
        // Everything dead: a forced purge empties the cache.
        assert_eq!(c.insert(a, b"x", 5000), InsertOutcome::Stored);
        assert_eq!(c.len(), 1);
        assert_eq!(c.bytes(), 1 + ENTRY_OVERHEAD);
    }

    #[test]
    fn byte_bound() {
        let c = Lookaside::new(LookasideLimits {
            ttl_secs: 10,
            max_entries: 100,
            max_bytes: 2 * (ENTRY_OVERHEAD + 10),
        });
        let big = [0u8; 10];
        assert_eq!(c.insert(request_key(b"1"), &big, 0), InsertOutcome::Stored);
        assert_eq!(c.insert(request_key(b"2"), &big, 0), InsertOutcome::Stored);
        assert_eq!(c.insert(request_key(b"3"), &big, 0), InsertOutcome::Full);
        assert_eq!(
            c.insert(request_key(b"x"), &[0u8; 1000], 20),
            InsertOutcome::Full
        );
        assert_eq!(c.insert(request_key(b"3"), &big, 20), InsertOutcome::Stored);
        assert_eq!(c.bytes(), ENTRY_OVERHEAD + 10);
    }
}
