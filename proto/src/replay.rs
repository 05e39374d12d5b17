//! An in-memory replay cache for authenticators (RFC 4120 section 3.2.3),
//! the one type shared by every acceptor (services linking
//! `tessera_client::ap::Acceptor`, kpasswd, the admin service) and by the
//! KDC's TGS exchange. Pure: the caller passes the clock in.
//!
//! An authenticator is remembered until it would fail the clock-skew check
//! anyway; the caller says when that is. The cache is built so that nobody,
//! not even a client holding valid tickets, can make it refuse other
//! clients or grow without bound:
//!
//! * **Bounded per client.** A client principal holds at most
//!   [`ReplayLimits::per_client`] live entries. Past that, its new
//!   authenticators are refused ([`ReplayRefusal::ClientOverQuota`]) until
//!   some of its entries expire; other clients are unaffected. A client that
//!   sends more fresh authenticators than that within one skew window is
//!   misbehaving (or an attacker with a stolen ticket), and refusing it is
//!   safe: nothing it already did can be replayed.
//! * **Bounded in bytes.** Every entry is charged [`ENTRY_BYTES`] (its tag
//!   and slot in the table, its place in the expiry bucket and in its
//!   client's queue, with the tables' slack), and the total stays under
//!   [`ReplayLimits::max_bytes`].
//! * **Eviction by expiry in O(1) amortised.** Entries sit in per-second
//!   expiry buckets (a `BTreeMap` keyed by the expiry second, so a lookup is
//!   over at most one skew window's worth of seconds, never over entries);
//!   each call sweeps a few expired entries from the oldest buckets, and
//!   every entry is swept once. There is no full scan anywhere.
//! * **Never fails the whole realm.** When the byte bound is reached by
//!   clients that are each within their share (many heavy clients at once),
//!   the entry dropped to make room is the oldest entry of the *heaviest*
//!   client (the one holding the most live entries, found in O(1) through
//!   per-count sets). Why this keeps replay protection for well-behaved
//!   clients: a client is only ever evicted while it holds at least as many
//!   entries as every other client, so an attacker who fills the cache
//!   (with however many principals) evicts its own entries first and can
//!   push a well-behaved client's entries out only after each of its own
//!   principals holds no more than that client does; a client sending a
//!   handful of requests per window keeps all of them. The alternative,
//!   refusing everyone when full, is the denial of service this replaces;
//!   evicting the oldest entry overall would let a flood shorten everyone's
//!   protection to (size / flood rate). What an evicted entry costs is that
//!   one authenticator becoming replayable; an evicted authenticator of the
//!   heaviest client is, in practice, the attacker's own.
//! * **Clock steps.** Entries live at most `max_life` past the *current*
//!   clock: after a step back, entries whose expiry lies further ahead are
//!   pulled in to `now + max_life` (they cannot pass the skew check before
//!   then anyway, since their times are in the new clock's future), so they
//!   do not live for hours. After a step forward everything expires and is
//!   swept. A step back and forward again within one window can therefore
//!   let an authenticator from before the first step be replayed after the
//!   second; keeping entries longer would let a clock step pin memory.
//!
//! The cache is sharded by client (all of a client's entries in one shard,
//! behind one short-held mutex), so the per-client bound and the heaviest
//! client are exact within a shard.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use sha2::{Digest, Sha256};

/// Bytes charged per remembered authenticator.
pub const ENTRY_BYTES: usize = 160;
/// Default bound on the bytes the cache holds (32 MiB, about 210,000
/// authenticators).
pub const DEFAULT_REPLAY_MAX_BYTES: usize = 32 << 20;
/// Default bound on one client's live authenticators.
pub const DEFAULT_REPLAY_PER_CLIENT: usize = 8192;
/// Default number of entries for [`ReplayCache::new`] (the byte bound is
/// this many [`ENTRY_BYTES`]).
pub const DEFAULT_REPLAY_CAPACITY: usize = DEFAULT_REPLAY_MAX_BYTES / ENTRY_BYTES;
/// Expired entries swept per call beyond those needed to make room.
const SWEEP_BATCH: usize = 64;
/// Most shards (fewer for small caches, so each shard holds at least
/// [`MIN_SHARD_ENTRIES`]).
const MAX_SHARDS: usize = 16;
const MIN_SHARD_ENTRIES: usize = 4096;

/// Size limits of a [`ReplayCache`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplayLimits {
    /// Most bytes held ([`ENTRY_BYTES`] per entry).
    pub max_bytes: usize,
    /// Most live entries of one client principal.
    pub per_client: usize,
}

impl Default for ReplayLimits {
    fn default() -> Self {
        ReplayLimits {
            max_bytes: DEFAULT_REPLAY_MAX_BYTES,
            per_client: DEFAULT_REPLAY_PER_CLIENT,
        }
    }
}

/// Why [`ReplayCache::check_and_insert_at`] refused an authenticator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayRefusal {
    /// Seen before and not expired. `same_request` when the earlier
    /// sighting came with the same request fingerprint (a retransmit of
    /// the very same message, not a replay inside another one).
    Replay {
        /// Whether the request fingerprints match.
        same_request: bool,
    },
    /// This client holds its whole share of live entries already.
    ClientOverQuota,
}

type Tag = [u8; 16];
type ClientId = [u8; 16];

#[derive(Debug)]
struct Slot {
    /// Last second (inclusive) at which the entry is live; also its bucket.
    expires: i64,
    client: ClientId,
    request: Tag,
}

#[derive(Debug, Default)]
struct ClientState {
    live: usize,
    /// This client's tags, oldest first; may hold tags already removed
    /// (skipped when met, compacted when they dominate).
    order: VecDeque<Tag>,
}

#[derive(Debug, Default)]
struct Shard {
    entries: HashMap<Tag, Slot>,
    clients: HashMap<ClientId, ClientState>,
    buckets: BTreeMap<i64, Vec<Tag>>,
    /// Live-entry count -> clients holding that many.
    levels: HashMap<usize, HashSet<ClientId>>,
    /// No level above this is non-empty.
    top: usize,
}

/// A bounded, expiring replay cache. See the module documentation.
///
/// Safe to share between threads (`Arc<ReplayCache>`).
#[derive(Debug)]
pub struct ReplayCache {
    shards: Box<[Mutex<Shard>]>,
    shard_entries: usize,
    per_client: usize,
    /// Longest an entry may live past the current clock, in seconds.
    max_life_secs: i64,
    /// Lifetime added by [`ReplayCache::check_and_insert`], microseconds.
    window_micros: i64,
}

impl ReplayCache {
    /// A cache whose entries live for `window` past the later of the
    /// authenticator's time and the acceptor's clock (use at least the
    /// acceptor's clock skew), holding at most `capacity` entries, with the
    /// default per-client share.
    pub fn new(window: Duration, capacity: usize) -> Self {
        Self::with_limits(
            window,
            ReplayLimits {
                max_bytes: capacity.saturating_mul(ENTRY_BYTES),
                per_client: DEFAULT_REPLAY_PER_CLIENT,
            },
        )
    }

    /// A cache with explicit limits; `window` as for [`ReplayCache::new`].
    /// No entry lives more than twice `window` past the current clock.
    pub fn with_limits(window: Duration, limits: ReplayLimits) -> Self {
        let window_secs = i64::try_from(window.as_secs()).unwrap_or(i64::MAX / 4);
        let entries = (limits.max_bytes / ENTRY_BYTES).max(1);
        let n = (entries / MIN_SHARD_ENTRIES).clamp(1, MAX_SHARDS);
        ReplayCache {
            shards: (0..n).map(|_| Mutex::new(Shard::default())).collect(),
            shard_entries: (entries / n).max(1),
            per_client: limits.per_client.max(1),
            max_life_secs: window_secs.saturating_add(1).saturating_mul(2),
            window_micros: i64::try_from(window.as_micros()).unwrap_or(i64::MAX / 4),
        }
    }

    /// The acceptor's check: records an authenticator, or refuses it as a
    /// [`ReplayRefusal::Replay`] if the same one was recorded and has not
    /// expired, or [`ReplayRefusal::ClientOverQuota`] if `client` holds its
    /// whole share.
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
    ) -> Result<(), ReplayRefusal> {
        let mut id = Sha256::new();
        feed(&mut id, server.as_bytes());
        id.update(ctime_micros.to_be_bytes());
        feed(&mut id, auth_ciphertext);
        let id = id.finalize();
        let expires_micros = ctime_micros
            .max(now_micros)
            .saturating_add(self.window_micros);
        let expires = expires_micros.div_euclid(1_000_000).saturating_add(1);
        self.check_and_insert_at(client, &id, &[], expires, now_micros.div_euclid(1_000_000))
    }

    /// The general check, in seconds: records the authenticator `id` of
    /// `client` as live until `expires` (inclusive; clamped to between
    /// `now` and `now` plus twice the window), unless it is live already
    /// (a replay) or `client` holds its whole share. `request` is a
    /// fingerprint of the message that carried it (empty when the caller
    /// does not tell retransmits apart), reported back on a replay.
    pub fn check_and_insert_at(
        &self,
        client: &str,
        id: &[u8],
        request: &[u8],
        expires: i64,
        now: i64,
    ) -> Result<(), ReplayRefusal> {
        let client_id: ClientId = truncate(Sha256::digest(client.as_bytes()).as_slice());
        let mut h = Sha256::new();
        h.update(client_id);
        feed(&mut h, id);
        let tag: Tag = truncate(h.finalize().as_slice());
        let request: Tag = truncate(Sha256::digest(request).as_slice());
        let latest = now.saturating_add(self.max_life_secs);
        let expires = expires.clamp(now, latest);
        let mut shard = self.shard(&client_id);
        shard.pull_in(latest);
        shard.sweep(now, SWEEP_BATCH);
        if let Some(slot) = shard.entries.get(&tag)
            && slot.expires >= now
        {
            return Err(ReplayRefusal::Replay {
                same_request: slot.request == request,
            });
        }
        // A dead entry not yet swept: drop it, so the tag starts afresh.
        shard.remove(&tag);
        if shard.clients.get(&client_id).map_or(0, |c| c.live) >= self.per_client {
            return Err(ReplayRefusal::ClientOverQuota);
        }
        while shard.entries.len() >= self.shard_entries {
            if shard.sweep(now, 1) == 0 && !shard.evict_heaviest(client_id) {
                break;
            }
        }
        shard.insert(tag, client_id, request, expires);
        Ok(())
    }

    /// Number of entries held (expired ones included until swept).
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| lock(s).entries.len()).sum()
    }

    /// Whether the cache holds no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes charged for the entries held.
    pub fn bytes(&self) -> usize {
        self.len().saturating_mul(ENTRY_BYTES)
    }

    /// Most bytes the cache holds.
    pub fn max_bytes(&self) -> usize {
        self.shard_entries
            .saturating_mul(self.shards.len())
            .saturating_mul(ENTRY_BYTES)
    }

    /// Live entries held for `client`.
    pub fn client_entries(&self, client: &str) -> usize {
        let client_id: ClientId = truncate(Sha256::digest(client.as_bytes()).as_slice());
        self.shard(&client_id)
            .clients
            .get(&client_id)
            .map_or(0, |c| c.live)
    }

    fn shard(&self, client: &ClientId) -> MutexGuard<'_, Shard> {
        let i = usize::from(client[0]) % self.shards.len();
        // Shards always exist (at least one); index is in range.
        lock(&self.shards[i])
    }
}

impl Default for ReplayCache {
    fn default() -> Self {
        Self::with_limits(
            crate::msg::time::DEFAULT_CLOCK_SKEW,
            ReplayLimits::default(),
        )
    }
}

impl Shard {
    fn insert(&mut self, tag: Tag, client: ClientId, request: Tag, expires: i64) {
        self.entries.insert(
            tag,
            Slot {
                expires,
                client,
                request,
            },
        );
        self.buckets.entry(expires).or_default().push(tag);
        let c = self.clients.entry(client).or_default();
        c.order.push_back(tag);
        let (old, live) = (c.live, c.live.saturating_add(1));
        c.live = live;
        if c.order.len() > live.saturating_mul(2).saturating_add(16) {
            let entries = &self.entries;
            c.order
                .retain(|t| entries.get(t).is_some_and(|s| s.client == client));
        }
        self.move_level(client, old, live);
    }

    /// Removes `tag` if present; true if it was.
    fn remove(&mut self, tag: &Tag) -> bool {
        let Some(slot) = self.entries.remove(tag) else {
            return false;
        };
        let client = slot.client;
        let Some(c) = self.clients.get_mut(&client) else {
            return true;
        };
        let old = c.live;
        c.live = old.saturating_sub(1);
        let live = c.live;
        if live == 0 {
            self.clients.remove(&client);
        }
        self.move_level(client, old, live);
        true
    }

    fn move_level(&mut self, client: ClientId, from: usize, to: usize) {
        if from > 0
            && let Some(set) = self.levels.get_mut(&from)
        {
            set.remove(&client);
            if set.is_empty() {
                self.levels.remove(&from);
            }
        }
        if to > 0 {
            self.levels.entry(to).or_default().insert(client);
            self.top = self.top.max(to);
        }
    }

    /// Removes up to `budget` entries that expired before `now`; returns
    /// how many it removed.
    fn sweep(&mut self, now: i64, budget: usize) -> usize {
        let mut removed = 0;
        while removed < budget {
            let Some(mut first) = self.buckets.first_entry() else {
                break;
            };
            let second = *first.key();
            if second >= now {
                break;
            }
            let Some(tag) = first.get_mut().pop() else {
                first.remove();
                continue;
            };
            if first.get().is_empty() {
                first.remove();
            }
            // The tag may have been removed or re-inserted with another
            // expiry since it was put in this bucket.
            if self.entries.get(&tag).is_some_and(|s| s.expires == second) && self.remove(&tag) {
                removed += 1;
            }
        }
        removed
    }

    /// After a clock step back: entries may expire no later than `latest`.
    fn pull_in(&mut self, latest: i64) {
        while let Some(last) = self.buckets.last_entry() {
            if *last.key() <= latest {
                break;
            }
            let tags = last.remove();
            for t in &tags {
                if let Some(s) = self.entries.get_mut(t) {
                    s.expires = s.expires.min(latest);
                }
            }
            self.buckets.entry(latest).or_default().extend(tags);
        }
    }

    /// Drops the oldest entry of the client holding the most; false when
    /// there is none. Among clients tied for the most, `requester` (the
    /// client whose entry needs the room) pays first, so a client never
    /// grows past the others by pushing out their entries.
    fn evict_heaviest(&mut self, requester: ClientId) -> bool {
        while self.top > 0 && !self.levels.contains_key(&self.top) {
            self.top -= 1;
        }
        let Some(client) = self.levels.get(&self.top).and_then(|set| {
            if set.contains(&requester) {
                Some(requester)
            } else {
                set.iter().next().copied()
            }
        }) else {
            return false;
        };
        loop {
            let Some(tag) = self
                .clients
                .get_mut(&client)
                .and_then(|c| c.order.pop_front())
            else {
                return false;
            };
            if self.entries.get(&tag).is_some_and(|s| s.client == client) {
                return self.remove(&tag);
            }
        }
    }
}

/// Hashes `bytes` with its length first (so concatenations are unambiguous).
fn feed(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_be_bytes());
    h.update(bytes);
}

fn truncate(digest: &[u8]) -> [u8; 16] {
    let mut out = [0u8; 16];
    for (o, d) in out.iter_mut().zip(digest) {
        *o = *d;
    }
    out
}

fn lock(m: &Mutex<Shard>) -> MutexGuard<'_, Shard> {
    // A panic while holding the lock cannot leave a shard inconsistent in a
    // way that matters more than refusing service would: carry on.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const SKEW: i64 = 300;

    fn small(entries: usize, per_client: usize) -> ReplayCache {
        ReplayCache::with_limits(
            Duration::from_secs(SKEW as u64),
            ReplayLimits {
                max_bytes: entries * ENTRY_BYTES,
                per_client,
            },
        )
    }

    fn put(c: &ReplayCache, client: &str, n: u32, now: i64) -> Result<(), ReplayRefusal> {
        c.check_and_insert_at(
            client,
            &n.to_be_bytes(),
            b"req",
            now.saturating_add(SKEW),
            now,
        )
    }

    #[test]
    fn repeat_is_refused_until_expiry() {
        let rc = ReplayCache::new(Duration::from_secs(300), 10);
        rc.check_and_insert("c@R", "s@R", 1_000_000, b"abc", 1_000_000)
            .unwrap();
        assert_eq!(
            rc.check_and_insert("c@R", "s@R", 1_000_000, b"abc", 1_000_001),
            Err(ReplayRefusal::Replay { same_request: true })
        );
        // A different authenticator at the same time is fine.
        rc.check_and_insert("c@R", "s@R", 1_000_000, b"abd", 1_000_001)
            .unwrap();
        // After the window the entry is gone.
        rc.check_and_insert("c@R", "s@R", 1_000_000, b"abc", 400_000_000)
            .unwrap();
    }

    #[test]
    fn replay_reports_whether_the_request_is_the_same() {
        let c = small(100, 100);
        c.check_and_insert_at("u@R", b"a", b"r1", 1300, 1000)
            .unwrap();
        assert_eq!(
            c.check_and_insert_at("u@R", b"a", b"r1", 1300, 1001),
            Err(ReplayRefusal::Replay { same_request: true })
        );
        assert_eq!(
            c.check_and_insert_at("u@R", b"a", b"r2", 1300, 1001),
            Err(ReplayRefusal::Replay {
                same_request: false
            })
        );
        // Live through its expiry second, gone after it.
        assert!(
            c.check_and_insert_at("u@R", b"a", b"r2", 1300, 1300)
                .is_err()
        );
        c.check_and_insert_at("u@R", b"a", b"r2", 1700, 1301)
            .unwrap();
    }

    #[test]
    fn per_client_share_refuses_that_client_only() {
        let c = small(1000, 3);
        for n in 0..3 {
            put(&c, "mallory@R", n, 1000).unwrap();
        }
        assert_eq!(
            put(&c, "mallory@R", 3, 1000),
            Err(ReplayRefusal::ClientOverQuota)
        );
        // A replay is still called a replay, not a quota refusal.
        assert!(matches!(
            put(&c, "mallory@R", 0, 1001),
            Err(ReplayRefusal::Replay { .. })
        ));
        put(&c, "alice@R", 0, 1000).unwrap();
        assert_eq!(c.client_entries("mallory@R"), 3);
        // Once mallory's entries expire she may send again.
        put(&c, "mallory@R", 3, 1000 + SKEW + 1).unwrap();
        assert_eq!(c.client_entries("mallory@R"), 1);
    }

    #[test]
    fn full_cache_evicts_the_heaviest_client_never_the_light_ones() {
        let c = small(10, 100);
        assert_eq!(c.shards.len(), 1);
        put(&c, "alice@R", 0, 1000).unwrap();
        put(&c, "bob@R", 0, 1000).unwrap();
        for n in 0..1000 {
            put(&c, &format!("mallory{}@R", n % 3), n, 1000).unwrap();
        }
        assert_eq!(c.len(), 10);
        assert!(c.bytes() <= c.max_bytes());
        // alice's and bob's authenticators are still known.
        assert!(put(&c, "alice@R", 0, 1001).is_err());
        assert!(put(&c, "bob@R", 0, 1001).is_err());
        // The attackers share what is left evenly.
        for m in 0..3 {
            let n = c.client_entries(&format!("mallory{m}@R"));
            assert!((2..=3).contains(&n), "{n}");
        }
        // The newest attacker entries are kept, the oldest were evicted.
        assert!(put(&c, "mallory0@R", 999, 1001).is_err());
        put(&c, "mallory0@R", 0, 1001).unwrap();
    }

    #[test]
    fn eviction_by_expiry_without_full_scans() {
        let c = small(1 << 14, 1 << 14);
        // One entry per second for a long time: the cache never holds more
        // than one window of them.
        for s in 0..5000 {
            put(&c, "svc@R", s as u32, 10_000 + s).unwrap();
        }
        let held = c.len();
        assert!(held <= SKEW as usize + 2 + SWEEP_BATCH, "{held}");
        assert!(held >= SKEW as usize, "{held}");
    }

    #[test]
    fn future_expiry_is_clamped_to_twice_the_window() {
        let c = small(100, 100);
        // A caller passing an absurd expiry cannot pin the entry.
        c.check_and_insert_at("u@R", b"x", b"", i64::MAX, 1000)
            .unwrap();
        assert!(
            c.check_and_insert_at("u@R", b"x", b"", 1000, 1000 + 2 * SKEW)
                .is_err()
        );
        c.check_and_insert_at("u@R", b"x", b"", 1000, 1000 + 2 * SKEW + 3)
            .unwrap();
    }

    #[test]
    fn clock_steps_keep_the_cache_bounded_and_short_lived() {
        let c = small(1 << 12, 1 << 12);
        let t0 = 1_800_000_000;
        for n in 0..100 {
            put(&c, "u@R", n, t0).unwrap();
        }
        // Back by three hours: the old entries do not outlive a window of
        // the new clock.
        let back = t0 - 3 * 3600;
        put(&c, "u@R", 1000, back).unwrap();
        assert!(put(&c, "u@R", 5, back + 1).is_err(), "still remembered");
        put(&c, "u@R", 2000, back + 2 * SKEW + 10).unwrap();
        assert!(put(&c, "u@R", 5, back + 2 * SKEW + 10).is_ok(), "forgotten");
        assert!(c.len() <= 2 + SWEEP_BATCH);
        // Forward by a day: everything expires and is swept.
        let fwd = t0 + 86_400;
        for n in 0..200 {
            put(&c, "u@R", 10_000 + n, fwd).unwrap();
        }
        assert_eq!(c.len(), 200);
        // Extreme clocks do not panic.
        put(&c, "u@R", 1, i64::MAX).unwrap();
        put(&c, "u@R", 2, i64::MIN).unwrap();
        put(&c, "u@R", 3, 0).unwrap();
    }

    #[test]
    fn full_cache_refuses_nobody_new() {
        let rc = ReplayCache::new(Duration::from_secs(1), 2);
        rc.check_and_insert("c", "s", 0, b"1", 0).unwrap();
        rc.check_and_insert("c", "s", 0, b"2", 0).unwrap();
        // Full: another client is still served; c's oldest is evicted.
        rc.check_and_insert("d", "s", 0, b"3", 0).unwrap();
        assert_eq!(rc.len(), 2);
        assert_eq!(
            rc.check_and_insert("d", "s", 0, b"3", 1),
            Err(ReplayRefusal::Replay { same_request: true })
        );
    }
}
