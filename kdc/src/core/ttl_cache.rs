//! A bounded cache whose entries all live the same time (a fixed TTL from
//! insertion), evicted oldest first in O(1) amortised: the one structure
//! behind the lookaside reply cache and the lockout duplicate check.
//!
//! With a fixed TTL, insertion order is expiry order, so each shard keeps a
//! queue of its keys in insertion order next to its map: expired entries
//! are popped from the front, and when a bound (entries or bytes) would be
//! exceeded the oldest live entries are popped too. Every key is pushed
//! once and popped once; nothing scans the map.
//!
//! Clock steps: an entry is live only while `now < expires <= now + ttl`,
//! so after a step back the entries stored before it are dead (and swept
//! from the front, where they are), and after a step forward everything
//! expires. Either way the cache stays bounded and nothing panics.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Keys are fixed-size fingerprints (SHA-256).
pub(crate) type CacheKey = [u8; 32];

const MAX_SHARDS: usize = 8;
const MIN_SHARD_ENTRIES: usize = 1024;

/// What [`TtlCache::insert`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertOutcome {
    /// Now cached (older entries may have been evicted to make room).
    Stored,
    /// A live entry for the same key was cached already; it was kept.
    AlreadyCached,
    /// The value alone exceeds the byte bound of a shard: not cached.
    TooBig,
}

#[derive(Debug)]
struct Slot<V> {
    value: V,
    expires: i64,
    cost: usize,
    seq: u64,
}

#[derive(Debug)]
struct Shard<V> {
    map: HashMap<CacheKey, Slot<V>>,
    /// Keys in insertion order, with the sequence number they were stored
    /// under (a key removed or stored again leaves a stale element).
    order: VecDeque<(CacheKey, u64)>,
    bytes: usize,
    seq: u64,
}

impl<V> Default for Shard<V> {
    fn default() -> Self {
        Shard {
            map: HashMap::new(),
            order: VecDeque::new(),
            bytes: 0,
            seq: 0,
        }
    }
}

/// See the module documentation.
#[derive(Debug)]
pub(crate) struct TtlCache<V> {
    shards: Box<[Mutex<Shard<V>>]>,
    ttl: i64,
    shard_entries: usize,
    shard_bytes: usize,
}

impl<V: Clone> TtlCache<V> {
    /// A cache whose entries live `ttl` seconds, holding at most
    /// `max_entries` entries and `max_bytes` bytes (as charged by the
    /// caller on insert).
    pub(crate) fn new(ttl: i64, max_entries: usize, max_bytes: usize) -> Self {
        let max_entries = max_entries.max(1);
        let n = (max_entries / MIN_SHARD_ENTRIES).clamp(1, MAX_SHARDS);
        TtlCache {
            shards: (0..n).map(|_| Mutex::new(Shard::default())).collect(),
            ttl: ttl.max(1),
            shard_entries: (max_entries / n).max(1),
            shard_bytes: max_bytes / n,
        }
    }

    /// The value cached for `key`, if live at `now`.
    pub(crate) fn get(&self, key: &CacheKey, now: i64) -> Option<V> {
        let mut s = self.shard(key);
        let live = s.map.get(key).map(|slot| self.live(slot.expires, now))?;
        if live {
            return s.map.get(key).map(|slot| slot.value.clone());
        }
        s.remove(key);
        None
    }

    /// Caches `value` (charged `cost` bytes) for `key` from `now`, evicting
    /// the oldest entries if a bound would be exceeded.
    pub(crate) fn insert(&self, key: CacheKey, value: V, cost: usize, now: i64) -> InsertOutcome {
        if cost > self.shard_bytes {
            return InsertOutcome::TooBig;
        }
        let mut s = self.shard(&key);
        s.sweep(|e| self.live(e, now));
        if let Some(slot) = s.map.get(&key) {
            if self.live(slot.expires, now) {
                return InsertOutcome::AlreadyCached;
            }
            s.remove(&key);
        }
        while s.map.len() >= self.shard_entries || s.bytes.saturating_add(cost) > self.shard_bytes {
            if !s.evict_oldest() {
                break;
            }
        }
        s.seq = s.seq.wrapping_add(1);
        let seq = s.seq;
        s.order.push_back((key, seq));
        s.bytes = s.bytes.saturating_add(cost);
        s.map.insert(
            key,
            Slot {
                value,
                expires: now.saturating_add(self.ttl),
                cost,
                seq,
            },
        );
        if s.order.len() > s.map.len().saturating_mul(2).saturating_add(64) {
            s.compact();
        }
        InsertOutcome::Stored
    }

    /// Entries held (dead ones included until swept).
    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|s| lock(s).map.len()).sum()
    }

    /// Bytes charged for the entries held.
    pub(crate) fn bytes(&self) -> usize {
        self.shards.iter().map(|s| lock(s).bytes).sum()
    }

    /// Most bytes held.
    pub(crate) fn max_bytes(&self) -> usize {
        self.shard_bytes.saturating_mul(self.shards.len())
    }

    fn live(&self, expires: i64, now: i64) -> bool {
        now < expires && expires <= now.saturating_add(self.ttl)
    }

    fn shard(&self, key: &CacheKey) -> MutexGuard<'_, Shard<V>> {
        lock(&self.shards[usize::from(key[0]) % self.shards.len()])
    }
}

impl<V> Shard<V> {
    fn remove(&mut self, key: &CacheKey) {
        if let Some(old) = self.map.remove(key) {
            self.bytes = self.bytes.saturating_sub(old.cost);
        }
    }

    /// Pops stale and dead elements from the front.
    fn sweep(&mut self, live: impl Fn(i64) -> bool) {
        while let Some(&(key, seq)) = self.order.front() {
            match self.map.get(&key) {
                Some(slot) if slot.seq == seq => {
                    if live(slot.expires) {
                        return;
                    }
                    self.remove(&key);
                }
                _ => {}
            }
            self.order.pop_front();
        }
    }

    /// Drops the oldest entry; false when there is none.
    fn evict_oldest(&mut self) -> bool {
        while let Some((key, seq)) = self.order.pop_front() {
            if self.map.get(&key).is_some_and(|s| s.seq == seq) {
                self.remove(&key);
                return true;
            }
        }
        false
    }

    fn compact(&mut self) {
        let map = &self.map;
        self.order
            .retain(|(k, seq)| map.get(k).is_some_and(|s| s.seq == *seq));
    }
}

fn lock<V>(m: &Mutex<Shard<V>>) -> MutexGuard<'_, Shard<V>> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(n: u32) -> CacheKey {
        let mut key = [0u8; 32];
        key[..4].copy_from_slice(&n.to_be_bytes());
        key
    }

    #[test]
    fn expiry_and_oldest_first_eviction() {
        let c: TtlCache<u32> = TtlCache::new(10, 3, 1 << 20);
        assert_eq!(c.insert(k(1), 1, 1, 100), InsertOutcome::Stored);
        assert_eq!(c.insert(k(1), 9, 1, 101), InsertOutcome::AlreadyCached);
        assert_eq!(c.get(&k(1), 109), Some(1));
        assert_eq!(c.get(&k(1), 110), None);
        for n in 2..=5 {
            assert_eq!(c.insert(k(n), n, 1, 110), InsertOutcome::Stored);
        }
        // Bound of three: the oldest (2) went.
        assert_eq!(c.len(), 3);
        assert_eq!(c.get(&k(2), 110), None);
        assert_eq!(c.get(&k(5), 110), Some(5));
    }

    #[test]
    fn byte_bound_and_too_big() {
        let c: TtlCache<()> = TtlCache::new(10, 100, 100);
        assert_eq!(c.insert(k(1), (), 101, 0), InsertOutcome::TooBig);
        for n in 0..50 {
            c.insert(k(n), (), 30, 0);
            assert!(c.bytes() <= 100);
        }
        assert_eq!(c.len(), 3);
    }

    #[test]
    fn many_inserts_keep_one_ttl_of_entries() {
        let c: TtlCache<()> = TtlCache::new(5, 1 << 20, usize::MAX);
        for n in 0..10_000u32 {
            c.insert(k(n), (), 1, i64::from(n / 10));
        }
        // Ten per second for five seconds.
        assert!(c.len() <= 60, "{}", c.len());
        let order: usize = c.shards.iter().map(|s| lock(s).order.len()).sum();
        assert!(order <= 2 * c.len() + 64 * c.shards.len());
    }

    #[test]
    fn clock_steps() {
        let c: TtlCache<u32> = TtlCache::new(120, 1000, 1 << 20);
        for n in 0..100 {
            c.insert(k(n), n, 1, 1_000_000);
        }
        // Back an hour: the old entries are dead, and swept by inserts.
        assert_eq!(c.get(&k(1), 1_000_000 - 3600), None);
        c.insert(k(500), 5, 1, 1_000_000 - 3600);
        assert_eq!(c.len(), 1);
        assert_eq!(c.get(&k(500), 1_000_000 - 3599), Some(5));
        // Forward a day.
        c.insert(k(501), 5, 1, 1_000_000 + 86_400);
        assert_eq!(c.len(), 1);
        c.insert(k(502), 5, 1, i64::MAX);
        c.insert(k(503), 5, 1, i64::MIN);
        assert!(c.len() <= 2);
    }
}
