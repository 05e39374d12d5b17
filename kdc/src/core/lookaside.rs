//! The lookaside (reply) cache: a retransmitted request gets the reply it
//! got the first time.
//!
//! A client that lost a reply (UDP) sends the very same bytes again; so does
//! a client retrying over TCP after KRB_ERR_RESPONSE_TOO_BIG. MIT's KDC
//! keeps such a cache too. It is an optimisation, not what keeps a
//! retransmit correct: a retransmitted TGS-REQ whose reply was evicted is
//! recognised by the authenticator replay cache as the same request and
//! answered again ([`super::replay`]), and a retransmitted AS-REQ whose
//! pre-authentication failed counts once toward lockout through the
//! lockout duplicate check ([`super::lockout`]).
//!
//! * Keyed by the SHA-256 of the request bytes; the value is the reply as
//!   the KDC produced it, *before* the UDP size limit is applied, so the
//!   RESPONSE_TOO_BIG error is never what a TCP retry gets back: the caller
//!   applies the limit of the transport at hand to the cached reply.
//! * What is cached is decided by [`Kdc::handle`](super::Kdc::handle):
//!   replies that issue a ticket, and errors given after a TGS-REQ's
//!   authenticator was recorded. Errors anyone can provoke with a spoofed
//!   datagram (unknown principal, pre-authentication required or failed,
//!   a ticket that does not decrypt) are not cached: they are cheap to
//!   compute again, count nothing twice, and caching them is what let a
//!   flood of unique spoofed AS-REQs fill this cache.
//! * Entries expire [`DEFAULT_LOOKASIDE_TTL_SECS`] after they were stored
//!   (`now` is passed in: no clock is read here).
//! * Bounded: at most `max_entries` entries and `max_bytes` bytes (reply
//!   sizes plus [`ENTRY_OVERHEAD`] per entry). When full, the oldest entry
//!   goes first, in O(1) ([`super::ttl_cache`]). Oldest first is right for a
//!   reply cache: retransmits come within seconds of the original, so the
//!   oldest reply is the one least likely to be asked for again, and losing
//!   it only costs computing it again.
//! * Sharded (a few short-held mutexes, no global lock).

use std::sync::Arc;

use super::ttl_cache::{CacheKey, TtlCache};

use sha2::{Digest, Sha256};

pub use super::ttl_cache::InsertOutcome;

/// How long a reply is kept, in seconds (MIT's lookaside keeps about two
/// minutes).
pub const DEFAULT_LOOKASIDE_TTL_SECS: i64 = 120;
/// Default bound on the number of cached replies.
pub const DEFAULT_LOOKASIDE_MAX_ENTRIES: usize = 1 << 16;
/// Default bound on the bytes held (replies plus per-entry overhead).
pub const DEFAULT_LOOKASIDE_MAX_BYTES: usize = 16 << 20;
/// Bytes charged per entry on top of the reply (key, expiry, map slot,
/// queue element).
pub const ENTRY_OVERHEAD: usize = 128;

/// The fingerprint of a request: SHA-256 of its bytes.
pub type RequestKey = CacheKey;

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
    /// Most bytes held (replies plus [`ENTRY_OVERHEAD`] each).
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

/// The reply cache. See the module documentation.
#[derive(Debug)]
pub struct Lookaside {
    cache: TtlCache<Arc<[u8]>>,
    limits: LookasideLimits,
}

impl Default for Lookaside {
    fn default() -> Self {
        Lookaside::new(LookasideLimits::default())
    }
}

impl Lookaside {
    /// An empty cache with the given limits.
    pub fn new(limits: LookasideLimits) -> Self {
        let limits = LookasideLimits {
            ttl_secs: limits.ttl_secs.max(1),
            max_entries: limits.max_entries.max(1),
            max_bytes: limits.max_bytes,
        };
        Lookaside {
            cache: TtlCache::new(limits.ttl_secs, limits.max_entries, limits.max_bytes),
            limits,
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> LookasideLimits {
        self.limits
    }

    /// Number of entries held (expired ones included until swept).
    pub fn len(&self) -> usize {
        self.cache.len()
    }

    /// Whether the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes charged for the entries held.
    pub fn bytes(&self) -> usize {
        self.cache.bytes()
    }

    /// Most bytes held (the byte bound, rounded down to whole shards).
    pub fn max_bytes(&self) -> usize {
        self.cache.max_bytes()
    }

    /// The reply cached for `key`, if one is alive at `now` (seconds since
    /// the epoch). A dead entry found on the way is removed.
    pub fn get(&self, key: &RequestKey, now: i64) -> Option<Arc<[u8]>> {
        self.cache.get(key, now)
    }

    /// Caches `reply` for `key` from `now` (seconds) for the cache's TTL,
    /// unless a live reply is cached already; evicts the oldest entries if
    /// a bound would be exceeded.
    pub fn insert(&self, key: RequestKey, reply: &[u8], now: i64) -> InsertOutcome {
        let cost = reply.len().saturating_add(ENTRY_OVERHEAD);
        self.cache.insert(key, Arc::from(reply), cost, now)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn hit_expiry_and_oldest_first_eviction() {
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
        // Full: the oldest (a) makes room.
        assert_eq!(c.insert(d, b"reply-d", 1010), InsertOutcome::Stored);
        assert!(c.get(&a, 1010).is_none());
        assert_eq!(c.get(&d, 1010).as_deref(), Some(&b"reply-d"[..]));
        assert_eq!(c.len(), 2);
        // Everything dead: the next insert sweeps it.
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
        assert_eq!(c.insert(request_key(b"3"), &big, 0), InsertOutcome::Stored);
        assert_eq!(c.bytes(), 2 * (ENTRY_OVERHEAD + 10));
        assert!(c.get(&request_key(b"1"), 0).is_none());
        assert_eq!(
            c.insert(request_key(b"x"), &[0u8; 1000], 20),
            InsertOutcome::TooBig
        );
        assert_eq!(c.insert(request_key(b"3"), &big, 20), InsertOutcome::Stored);
        assert_eq!(c.bytes(), ENTRY_OVERHEAD + 10);
    }

    #[test]
    fn flood_stays_within_bounds() {
        let c = Lookaside::new(LookasideLimits {
            ttl_secs: 120,
            max_entries: 1 << 12,
            max_bytes: 1 << 20,
        });
        for n in 0..100_000u32 {
            c.insert(request_key(&n.to_be_bytes()), &[0u8; 200], 1000);
            assert!(c.bytes() <= 1 << 20 || n % 1000 != 0);
        }
        assert!(c.bytes() <= c.max_bytes());
        assert!(c.len() <= 1 << 12);
        // The newest replies are the ones kept.
        assert!(
            c.get(&request_key(&99_999u32.to_be_bytes()), 1000)
                .is_some()
        );
    }
}
