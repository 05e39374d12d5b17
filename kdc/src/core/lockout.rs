//! Account lockout in the AS exchange (MIT's `max_failure`,
//! `failure_count_interval` and `lockout_duration` policy attributes).
//!
//! * **Check** ([`Lockout::check`]), as soon as the client is looked up and
//!   before any pre-authentication, as MIT does: a principal locked by an
//!   administrator, or with `max_failure` counted failures whose
//!   `lockout_duration` has not run out (0 = until `kadmin unlock`), gets
//!   KDC_ERR_CLIENT_REVOKED. The state itself is
//!   [`crate::admin::policy_lockout_state`]. Unknown principals still get
//!   C_PRINCIPAL_UNKNOWN, so nothing is revealed beyond what MIT reveals.
//! * **Failures** ([`Lockout::record_failure`]): a PA-ENC-TIMESTAMP that does
//!   not decrypt counts one failure, but only for a principal whose policy
//!   has `max_failure > 0` (others can never lock, so an attacker's guesses
//!   cause no disk writes for them). The same encrypted timestamp for the
//!   same principal counts once (clients that resend it in a new request are
//!   not double-counted; byte-identical retransmits never get here thanks to
//!   the [lookaside cache](super::lookaside)). Before counting, the counter
//!   starts over when the previous failure is older than
//!   `failure_count_interval`, or when a lockout has run out.
//! * **Success** ([`Lockout::record_success`]) clears a non-zero counter. On
//!   the common path (counter already 0) nothing is written, except
//!   `last_success`, which is written at most once per
//!   [`DEFAULT_LAST_SUCCESS_INTERVAL_SECS`] per principal (configurable, or
//!   never).
//!
//! Writes leave the request path: a background writer
//! ([`lockout_writer`](super::lockout_writer), started by
//! [`Kdc::new`](super::Kdc::new)) does them in order from a bounded queue,
//! while an in-memory overlay counts a failure at once, so the decision for
//! the very next request from any task in this process is what it would be
//! had the write landed (pending failures plus the stored count). A full
//! queue makes the request wait for room (logged and counted), so no
//! failure goes uncounted; a clean shutdown writes everything queued
//! ([`Lockout::shutdown`]). Without a writer (a `Lockout` used on its own)
//! writes happen in the caller. Writes by other processes (`kadmin
//! unlock`) arrive through the store's refresh. A failed write is logged and
//! the request carries on.
//! Policies are read through a small cache, dropped whenever the store's
//! [`generation`](PrincipalStore::generation) moves (a policy written by this
//! process or, as the per-request catch-up sees, by another one), so a policy
//! change is honoured by the next request; an entry is also read again after
//! [`DEFAULT_POLICY_TTL_SECS`] (judged against the `now` passed in).

use super::ttl_cache::{InsertOutcome, TtlCache};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::lockout_writer::{DEFAULT_WRITE_QUEUE, Deferred, Op, Recorded, WriterStats, Written};

use dashmap::DashMap;
use sha2::{Digest, Sha256};
use tessera_proto::msg::{EncryptedData, KdcReq, PaDataType, decode_pa_value, find_pa_data};

use crate::admin::{LockoutState, policy_lockout_state};
use crate::db::entry::to_unix;
use crate::db::{Policy, PrincipalEntry, PrincipalFlags};
use tessera_kdc_core::store::LockoutStore;

/// How long a policy read from the store is used before it is read again.
pub const DEFAULT_POLICY_TTL_SECS: i64 = 30;
/// `last_success` is written at most this often per principal (seconds).
pub const DEFAULT_LAST_SUCCESS_INTERVAL_SECS: i64 = 3600;
/// How long an encrypted timestamp is remembered for the duplicate check.
pub const DEFAULT_DEDUP_TTL_SECS: i64 = 600;
/// Most encrypted timestamps remembered at once.
pub const DEFAULT_DEDUP_CAPACITY: usize = 1 << 16;
/// Bytes charged per remembered encrypted timestamp.
pub const DEDUP_ENTRY_BYTES: usize = 96;

/// Tunables of [`Lockout`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutOptions {
    /// Seconds a cached policy is used before it is read again.
    pub policy_ttl_secs: i64,
    /// Write `last_success` at most once per this many seconds per
    /// principal; None = only when a success clears failures.
    pub last_success_interval_secs: Option<i64>,
    /// Seconds an encrypted timestamp is remembered as already counted.
    pub dedup_ttl_secs: i64,
    /// Most encrypted timestamps remembered (each charged
    /// [`DEDUP_ENTRY_BYTES`]); when full the oldest is forgotten, so a
    /// retransmit within the last `dedup_capacity` failures still counts
    /// once.
    pub dedup_capacity: usize,
    /// Capacity of the background writer's queue (jobs).
    pub write_queue: usize,
}

impl Default for LockoutOptions {
    fn default() -> Self {
        LockoutOptions {
            policy_ttl_secs: DEFAULT_POLICY_TTL_SECS,
            last_success_interval_secs: Some(DEFAULT_LAST_SUCCESS_INTERVAL_SECS),
            dedup_ttl_secs: DEFAULT_DEDUP_TTL_SECS,
            dedup_capacity: DEFAULT_DEDUP_CAPACITY,
            write_queue: DEFAULT_WRITE_QUEUE,
        }
    }
}

/// What [`Lockout::record_failure`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureRecord {
    /// The principal's policy has no `max_failure`: nothing counted.
    NotTracked,
    /// This encrypted timestamp was counted already.
    Duplicate,
    /// Counted: the counter is now `fail_count`; `locked` when it reached
    /// the policy's `max_failure`.
    Counted {
        /// Failures counted.
        fail_count: u32,
        /// Whether the principal is now locked out.
        locked: bool,
    },
    /// The store refused the write, or the writer's queue was full
    /// (logged); nothing counted.
    StoreFailed,
}

#[derive(Debug, Clone)]
struct CachedPolicy {
    policy: Option<Policy>,
    fetched: i64,
    /// The store's generation when it was read.
    generation: u64,
}

/// Lockout enforcement state for one KDC. See the module documentation.
#[derive(Debug)]
pub struct Lockout {
    opts: LockoutOptions,
    policies: DashMap<String, CachedPolicy>,
    /// Writes not yet in the store, and the writer.
    deferred: Deferred,
    /// Fingerprints of (principal, encrypted timestamp) already counted.
    seen: TtlCache<()>,
}

impl Default for Lockout {
    fn default() -> Self {
        Lockout::new(LockoutOptions::default())
    }
}

/// The PA-ENC-TIMESTAMP ciphertext of an AS-REQ (the raw PA value when it
/// does not decode), the thing whose repeats count once.
pub(super) fn enc_timestamp_bytes(req: &KdcReq) -> Option<Vec<u8>> {
    let pa = find_pa_data(req.padata.as_deref()?, PaDataType::EncTimestamp)?;
    Some(match decode_pa_value::<EncryptedData>(pa) {
        Ok(enc) => {
            let mut v = enc.etype.to_be_bytes().to_vec();
            v.extend_from_slice(&enc.cipher);
            v
        }
        Err(_) => pa.value.to_vec(),
    })
}

impl Lockout {
    /// Lockout enforcement with the given tunables.
    pub fn new(opts: LockoutOptions) -> Self {
        Lockout {
            opts,
            policies: DashMap::new(),
            deferred: Deferred::inline(),
            seen: TtlCache::new(
                opts.dedup_ttl_secs,
                opts.dedup_capacity,
                opts.dedup_capacity.saturating_mul(DEDUP_ENTRY_BYTES),
            ),
        }
    }

    /// The tunables in force.
    pub fn options(&self) -> LockoutOptions {
        self.opts
    }

    /// Starts the background writer on `store` (the store the KDC passes
    /// to every call). Call once; [`Kdc::new`](super::Kdc::new) does.
    pub fn start_writer(&self, store: Arc<dyn LockoutStore>) {
        self.deferred.start(store, self.opts.write_queue);
    }

    /// Waits (at most `bound`) until every write queued so far is in the
    /// store; whether it is.
    pub fn flush(&self, bound: Duration) -> bool {
        self.deferred.flush(bound)
    }

    /// Stops the writer after it wrote everything queued (later writes
    /// happen in the caller).
    pub fn shutdown(&self) {
        self.deferred.shutdown();
    }

    /// The background writer's counters.
    pub fn writer_stats(&self) -> &WriterStats {
        self.deferred.stats()
    }

    /// Whether `entry` may try to authenticate at `now`. The fast path
    /// (no failures, not admin-locked) reads nothing.
    pub fn check(
        &self,
        store: &dyn LockoutStore,
        entry: &PrincipalEntry,
        now: SystemTime,
    ) -> LockoutState {
        let entry = self.deferred.effective(entry);
        if entry.fail_count == 0 && !entry.flags.contains(PrincipalFlags::ADMIN_LOCKED) {
            return LockoutState::Open;
        }
        let policy = self.policy(store, &entry, to_unix(now));
        policy_lockout_state(&entry, policy.as_ref(), now)
    }

    /// Counts a failed pre-authentication of `entry` whose encrypted
    /// timestamp was `enc_timestamp` (see the module documentation).
    pub fn record_failure(
        &self,
        store: &dyn LockoutStore,
        entry: &PrincipalEntry,
        enc_timestamp: &[u8],
        now: SystemTime,
    ) -> (FailureRecord, Option<Written>) {
        let effective = self.deferred.effective(entry);
        let entry: &PrincipalEntry = &effective;
        let now_s = to_unix(now);
        let Some(policy) = self
            .policy(store, entry, now_s)
            .filter(|p| p.max_failure > 0)
        else {
            return (FailureRecord::NotTracked, None);
        };
        if !self.first_sighting(&entry.name, enc_timestamp, now_s) {
            return (FailureRecord::Duplicate, None);
        }
        let start_over = entry.last_failure.is_some_and(|last| {
            let since = now_s.saturating_sub(to_unix(last));
            let interval_passed =
                policy.failure_count_interval > 0 && since > secs(policy.failure_count_interval);
            let lockout_ran_out = entry.fail_count >= policy.max_failure
                && policy.lockout_duration > 0
                && since >= secs(policy.lockout_duration);
            interval_passed || lockout_ran_out
        });
        let op = if start_over {
            Op::StartOver
        } else {
            Op::Failure
        };
        let Ok(Recorded {
            fail_count,
            written,
        }) = self.deferred.record(store, entry, op, now)
        else {
            return (FailureRecord::StoreFailed, None);
        };
        let locked = fail_count >= policy.max_failure;
        if locked {
            tracing::warn!(
                principal = %entry.name,
                fail_count,
                policy = %policy.name,
                lockout_duration = policy.lockout_duration,
                "principal locked out after repeated pre-authentication failures"
            );
        }
        (FailureRecord::Counted { fail_count, locked }, written)
    }

    /// Records a successful pre-authentication of `entry`: clears a
    /// non-zero failure counter, and refreshes `last_success` when it is
    /// older than the configured interval. Returns the receipt of a queued
    /// write (`None`: nothing to write, or written inline).
    pub fn record_success(
        &self,
        store: &dyn LockoutStore,
        entry: &PrincipalEntry,
        now: SystemTime,
    ) -> Option<Written> {
        let entry = self.deferred.effective(entry);
        let stale = self.opts.last_success_interval_secs.is_some_and(|iv| {
            entry
                .last_success
                .is_none_or(|t| to_unix(now).saturating_sub(to_unix(t)) >= iv)
        });
        if entry.fail_count == 0 && !stale {
            return None;
        }
        self.deferred
            .record(store, &entry, Op::Success, now)
            .ok()
            .and_then(|r| r.written)
    }

    /// The policy of `entry`, from the cache when fresh.
    fn policy(&self, store: &dyn LockoutStore, entry: &PrincipalEntry, now: i64) -> Option<Policy> {
        let name = entry.policy.as_deref()?;
        let generation = store.policy_generation();
        if let Some(c) = self.policies.get(name)
            && c.generation == generation
            && now.abs_diff(c.fetched) < self.opts.policy_ttl_secs.unsigned_abs()
        {
            return c.policy.clone();
        }
        let policy = match store.policy(name) {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(policy = name, error = %e, "cannot read policy; using the cached one");
                return self.policies.get(name).and_then(|c| c.policy.clone());
            }
        };
        self.policies.insert(
            name.to_owned(),
            CachedPolicy {
                policy: policy.clone(),
                fetched: now,
                generation,
            },
        );
        policy
    }

    /// Remembers (principal, encrypted timestamp); false when it was seen
    /// within the dedup window.
    fn first_sighting(&self, principal: &str, enc_timestamp: &[u8], now: i64) -> bool {
        let mut h = Sha256::new();
        h.update((principal.len() as u64).to_be_bytes());
        h.update(principal.as_bytes());
        h.update(enc_timestamp);
        let key: [u8; 32] = h.finalize().into();
        self.seen.insert(key, (), DEDUP_ENTRY_BYTES, now) != InsertOutcome::AlreadyCached
    }
}

fn secs(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}
