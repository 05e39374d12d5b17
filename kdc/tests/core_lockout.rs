//! Account lockout through `Kdc::handle` with `now` passed in: N wrong
//! passwords lock, retransmits and repeated encrypted timestamps count
//! once, lockout expiry, failure-count interval, success resets, no policy
//! never locks, admin lock and unlock (also from another store handle, as
//! `kadmin -l` would), no disk write on the common success path, and the
//! background writer: pending failures lock before they are written, a
//! shutdown writes everything queued, a full queue drops and counts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod core_common;
mod gated_store;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use core_common::*;
use tessera_kdc::core::{Kdc, Lockout, LockoutOptions};
use tessera_kdc::db::{
    AuthEvent, DbError, MasterKey, Modification, NewKey, Policy, PrincipalEntry, PrincipalFlags,
    PrincipalStore, SqliteStore, StoreOptions,
};
use tessera_kdc::net::Transport;
use tessera_proto::crypto::EncType;
use tessera_proto::msg::{KdcOptions, PaData};

const CLIENT_REVOKED: i32 = 18;
const PREAUTH_FAILED: i32 = 24;
const PRINCIPAL_UNKNOWN: i32 = 6;

/// A realm where alice is under policy `lock3`: 3 failures within 10
/// minutes lock her for `lockout_duration` seconds.
fn locked_realm(lockout_duration: u64) -> Realm {
    locked_realm_with(lockout_duration, 600)
}

fn locked_realm_with(lockout_duration: u64, failure_count_interval: u64) -> Realm {
    let r = realm();
    let mut p = Policy::new("lock3");
    p.max_failure = 3;
    p.failure_count_interval = failure_count_interval;
    p.lockout_duration = lockout_duration;
    r.store.create_policy(&p).unwrap();
    r.modify(&user("alice"), |e| e.policy = Some("lock3".into()));
    r
}

fn pa(password: &str, at: i64) -> PaData {
    pa_enc_timestamp(&alice_key(EncType::Aes256CtsHmacSha196, password), at)
}

fn req_with(pa: Option<PaData>, nonce: u32) -> Vec<u8> {
    let mut body = as_body(&user("alice"), &krbtgt(), &[18], KdcOptions::EMPTY);
    body.nonce = nonce;
    as_req(body, pa.into_iter().collect())
}

/// One AS exchange for alice: 0 for an AS-REP, else the error code. Waits
/// for the background lockout writer, so the store can be checked.
fn attempt_on(kdc: &Kdc, password: &str, now: i64, nonce: u32) -> i32 {
    let bytes = kdc
        .handle(
            &req_with(Some(pa(password, now)), nonce),
            peer(),
            Transport::Udp,
            t(now),
        )
        .unwrap();
    assert!(kdc.lockout().flush(Duration::from_secs(60)));
    match Reply::parse(&bytes) {
        Reply::As(_) => 0,
        other => other.code(),
    }
}

fn attempt(r: &Realm, password: &str, now: i64, nonce: u32) -> i32 {
    attempt_on(&r.kdc, password, now, nonce)
}

fn fail_count(r: &Realm) -> u32 {
    r.entry(&user("alice")).fail_count
}

#[test]
fn n_wrong_passwords_lock_the_principal() {
    let r = locked_realm(1800);
    for i in 0..3 {
        assert_eq!(attempt(&r, "wrong", NOW + i, i as u32), PREAUTH_FAILED);
    }
    assert_eq!(fail_count(&r), 3);
    // The right password is refused now, before pre-authentication.
    assert_eq!(attempt(&r, PASSWORD, NOW + 5, 100), CLIENT_REVOKED);
    assert_eq!(r.send(&req_with(None, 101), NOW + 5).code(), CLIENT_REVOKED);
    // Refusals are not failures.
    assert_eq!(attempt(&r, "wrong", NOW + 6, 102), CLIENT_REVOKED);
    assert_eq!(fail_count(&r), 3);
    // Unknown principals still get C_PRINCIPAL_UNKNOWN.
    let body = as_body(&user("nobody"), &krbtgt(), &[18], KdcOptions::EMPTY);
    assert_eq!(r.send(&as_req(body, vec![]), NOW).code(), PRINCIPAL_UNKNOWN);
}

#[test]
fn retransmits_and_repeated_timestamps_count_once() {
    let r = locked_realm(1800);
    let wrong = pa("wrong", NOW);
    let req = req_with(Some(wrong.clone()), 1);
    for i in 0..5 {
        assert_eq!(r.send(&req, NOW + i).code(), PREAUTH_FAILED);
    }
    assert_eq!(fail_count(&r), 1, "byte-identical retransmits count once");
    // A new request (new nonce) with the same encrypted timestamp.
    for nonce in 2..5 {
        assert_eq!(
            r.send(&req_with(Some(wrong.clone()), nonce), NOW + 1)
                .code(),
            PREAUTH_FAILED
        );
    }
    assert_eq!(
        fail_count(&r),
        1,
        "the same encrypted timestamp counts once"
    );
    assert_eq!(attempt(&r, "wrong", NOW + 2, 10), PREAUTH_FAILED);
    assert_eq!(attempt(&r, PASSWORD, NOW + 3, 11), 0);
    assert_eq!(fail_count(&r), 0);
}

#[test]
fn lockout_duration_expiry_unlocks() {
    // Failures never age out (interval 0): only the expiry starts over.
    let r = locked_realm_with(1800, 0);
    for i in 0..3 {
        attempt(&r, "wrong", NOW + i, i as u32);
    }
    // Locked until last failure (NOW + 2) + 1800.
    assert_eq!(attempt(&r, PASSWORD, NOW + 1801, 50), CLIENT_REVOKED);
    // Expired: one wrong password does not lock again at once.
    assert_eq!(attempt(&r, "wrong", NOW + 1802, 51), PREAUTH_FAILED);
    assert_eq!(fail_count(&r), 1);
    assert_eq!(attempt(&r, PASSWORD, NOW + 1803, 52), 0);
    assert_eq!(fail_count(&r), 0);
}

#[test]
fn lockout_duration_zero_lasts_until_unlock() {
    let r = locked_realm(0);
    for i in 0..3 {
        attempt(&r, "wrong", NOW + i, i as u32);
    }
    assert_eq!(attempt(&r, PASSWORD, NOW + 20 * HOUR, 60), CLIENT_REVOKED);
    // Unlock as kadmin does, through the store.
    r.modify(&user("alice"), |e| {
        e.fail_count = 0;
        e.last_failure = None;
    });
    assert_eq!(attempt(&r, PASSWORD, NOW + 20 * HOUR + 1, 61), 0);
}

#[test]
fn failure_count_interval_resets_the_counter() {
    let r = locked_realm(1800);
    assert_eq!(attempt(&r, "wrong", NOW, 1), PREAUTH_FAILED);
    assert_eq!(attempt(&r, "wrong", NOW + 10, 2), PREAUTH_FAILED);
    assert_eq!(fail_count(&r), 2);
    // More than failure_count_interval (600 s) after the last failure.
    assert_eq!(attempt(&r, "wrong", NOW + 10 + 601, 3), PREAUTH_FAILED);
    assert_eq!(fail_count(&r), 1);
    assert_eq!(attempt(&r, "wrong", NOW + 620, 4), PREAUTH_FAILED);
    assert_eq!(fail_count(&r), 2);
    assert_eq!(attempt(&r, PASSWORD, NOW + 630, 5), 0);
}

#[test]
fn success_resets_the_counter() {
    let r = locked_realm(1800);
    attempt(&r, "wrong", NOW, 1);
    attempt(&r, "wrong", NOW + 1, 2);
    assert_eq!(attempt(&r, PASSWORD, NOW + 2, 3), 0);
    assert_eq!(fail_count(&r), 0);
    attempt(&r, "wrong", NOW + 3, 4);
    attempt(&r, "wrong", NOW + 4, 5);
    assert_eq!(fail_count(&r), 2);
    assert_eq!(attempt(&r, PASSWORD, NOW + 5, 6), 0);
}

#[test]
fn principal_without_policy_never_locks() {
    let r = realm();
    for i in 0..10 {
        assert_eq!(attempt(&r, "wrong", NOW + i, i as u32), PREAUTH_FAILED);
    }
    assert_eq!(fail_count(&r), 0, "not tracked: no disk writes");
    assert_eq!(attempt(&r, PASSWORD, NOW + 20, 99), 0);
    // A policy without max_failure does not lock either.
    r.store.create_policy(&Policy::new("nolock")).unwrap();
    r.modify(&user("alice"), |e| e.policy = Some("nolock".into()));
    for i in 0..10 {
        assert_eq!(
            attempt(&r, "wrong", NOW + 100 + i, 200 + i as u32),
            PREAUTH_FAILED
        );
    }
    assert_eq!(attempt(&r, PASSWORD, NOW + 200, 300), 0);
}

#[test]
fn admin_lock_refuses_before_preauth_and_unlock_from_another_handle() {
    let r = locked_realm(1800);
    for i in 0..3 {
        attempt(&r, "wrong", NOW + i, i as u32);
    }
    assert_eq!(attempt(&r, PASSWORD, NOW + 10, 10), CLIENT_REVOKED);
    // Another process (kadmin -l) unlocks: a second store on the same file.
    let other = SqliteStore::open(
        &r._dir.path().join("db.sqlite3"),
        REALM,
        MasterKey::from_bytes([9; 32]),
        StoreOptions::default(),
    )
    .unwrap();
    other.set_fail_state(&user("alice"), 0, None).unwrap();
    r.store.refresh().unwrap();
    assert_eq!(attempt(&r, PASSWORD, NOW + 12, 12), 0);
    // An administrative lock (no failures at all) is honoured too.
    let mut e = (*other.get(&user("alice")).unwrap().unwrap()).clone();
    e.flags.set(PrincipalFlags::ADMIN_LOCKED, true);
    e.flags.set(PrincipalFlags::ALLOW_TIX, false);
    other.update(&e).unwrap();
    r.store.refresh().unwrap();
    assert_eq!(r.send(&req_with(None, 13), NOW + 13).code(), CLIENT_REVOKED);
}

/// Counts the lockout writes that reach the store.
struct CountingStore {
    inner: Arc<SqliteStore>,
    writes: AtomicUsize,
}

impl PrincipalStore for CountingStore {
    fn realm(&self) -> &str {
        self.inner.realm()
    }
    fn sync_changes(&self) -> Result<(), DbError> {
        self.inner.sync_changes()
    }
    fn generation(&self) -> u64 {
        self.inner.generation()
    }
    fn get(&self, name: &str) -> Result<Option<Arc<PrincipalEntry>>, DbError> {
        self.inner.get(name)
    }
    fn create(&self, entry: &PrincipalEntry) -> Result<(), DbError> {
        self.inner.create(entry)
    }
    fn update(&self, entry: &PrincipalEntry) -> Result<(), DbError> {
        self.inner.update(entry)
    }
    fn put(&self, entry: &PrincipalEntry) -> Result<(), DbError> {
        self.inner.put(entry)
    }
    fn delete(&self, name: &str) -> Result<bool, DbError> {
        self.inner.delete(name)
    }
    fn list(&self, glob: &str) -> Result<Vec<String>, DbError> {
        self.inner.list(glob)
    }
    fn add_key_set(
        &self,
        name: &str,
        keys: Vec<NewKey>,
        keep_old: u32,
        now: SystemTime,
        modified_by: Option<&str>,
    ) -> Result<u32, DbError> {
        self.inner
            .add_key_set(name, keys, keep_old, now, modified_by)
    }
    fn record_auth(&self, name: &str, event: AuthEvent, at: SystemTime) -> Result<(), DbError> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        self.inner.record_auth(name, event, at)
    }
    fn refresh(&self) -> Result<(), DbError> {
        self.inner.refresh()
    }
    fn set_fail_state(
        &self,
        name: &str,
        fail_count: u32,
        last_failure: Option<SystemTime>,
    ) -> Result<(), DbError> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        self.inner.set_fail_state(name, fail_count, last_failure)
    }
    fn get_policy(&self, name: &str) -> Result<Option<Policy>, DbError> {
        self.inner.get_policy(name)
    }
    fn modify(
        &self,
        name: &str,
        change: &mut dyn FnMut(&mut PrincipalEntry) -> Modification,
    ) -> Result<Option<Arc<PrincipalEntry>>, DbError> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        self.inner.modify(name, change)
    }
}

#[test]
fn common_success_path_does_not_write() {
    let r = locked_realm(1800);
    let store = Arc::new(CountingStore {
        inner: r.store.clone(),
        writes: AtomicUsize::new(0),
    });
    let writes = || store.writes.load(Ordering::SeqCst);
    // last_success at most once an hour per principal.
    let kdc = Kdc::new(store.clone(), &r.config);
    assert_eq!(attempt_on(&kdc, PASSWORD, NOW, 1), 0);
    assert_eq!(writes(), 1, "first success records last_success");
    let first = r.entry(&user("alice")).last_success.unwrap();
    for i in 1..20 {
        assert_eq!(attempt_on(&kdc, PASSWORD, NOW + i, 1 + i as u32), 0);
    }
    assert_eq!(writes(), 1, "no write on the hot path");
    assert_eq!(attempt_on(&kdc, PASSWORD, NOW + 3600, 100), 0);
    assert_eq!(writes(), 2, "last_success refreshed after an hour");
    assert!(r.entry(&user("alice")).last_success.unwrap() > first);
    // A failure writes; the next success clears it (one write each).
    assert_eq!(attempt_on(&kdc, "wrong", NOW + 3601, 101), PREAUTH_FAILED);
    assert_eq!(writes(), 3);
    assert_eq!(attempt_on(&kdc, PASSWORD, NOW + 3602, 102), 0);
    assert_eq!(writes(), 4);
    assert_eq!(fail_count(&r), 0);

    // With last_success disabled, successes never write.
    let quiet = Kdc::new(store.clone(), &r.config).with_lockout(Lockout::new(LockoutOptions {
        last_success_interval_secs: None,
        ..LockoutOptions::default()
    }));
    let before = writes();
    for i in 0..5 {
        assert_eq!(
            attempt_on(&quiet, PASSWORD, NOW + 10 * HOUR + i, 500 + i as u32),
            0
        );
    }
    assert_eq!(writes(), before);
    let _ = Duration::ZERO;
}

/// A KDC on `r`'s store whose lockout writes to alice wait at a gate, with
/// a writer queue of `queue` jobs.
fn gated_kdc(r: &Realm, queue: usize) -> (Kdc, gated_store::Gate) {
    let store: Arc<dyn PrincipalStore> = r.store.clone();
    let (gated, gate) = gated_store::GatedStore::new(store, "alice@");
    let kdc = Kdc::new(gated, &r.config).with_lockout(Lockout::new(LockoutOptions {
        write_queue: queue,
        ..LockoutOptions::default()
    }));
    (kdc, gate)
}

/// One wrong-password attempt at `now` (distinct timestamps and nonces, so
/// each counts), without waiting for the writer.
fn wrong_attempt(kdc: &Kdc, now: i64) -> i32 {
    let nonce = u32::try_from(now - NOW).unwrap() + 900;
    let bytes = kdc
        .handle(
            &req_with(Some(pa("wrong", now)), nonce),
            peer(),
            Transport::Udp,
            t(now),
        )
        .unwrap();
    Reply::parse(&bytes).code()
}

#[test]
fn pending_failures_lock_before_they_are_written() {
    let r = locked_realm(1800);
    let (kdc, gate) = gated_kdc(&r, 64);
    for i in 0..3 {
        assert_eq!(wrong_attempt(&kdc, NOW + i), PREAUTH_FAILED);
    }
    // The writer is held on the first write: nothing is stored yet.
    assert_eq!(gate.next_write(), user("alice"));
    assert_eq!(r.entry(&user("alice")).fail_count, 0);
    // The very next request, from another thread, is refused: the three
    // pending failures count.
    let code = std::thread::scope(|s| {
        s.spawn(|| {
            let bytes = kdc
                .handle(
                    &req_with(Some(pa(PASSWORD, NOW + 5)), 950),
                    peer(),
                    Transport::Udp,
                    t(NOW + 5),
                )
                .unwrap();
            Reply::parse(&bytes).code()
        })
        .join()
        .unwrap()
    });
    assert_eq!(code, CLIENT_REVOKED);
    assert_eq!(r.entry(&user("alice")).fail_count, 0, "still not written");
    // Once written, the store agrees and the count is not doubled.
    gate.open(3);
    assert!(kdc.lockout().flush(Duration::from_secs(60)));
    assert_eq!(r.entry(&user("alice")).fail_count, 3);
    let stats = kdc.lockout().writer_stats();
    assert_eq!(stats.written.load(Ordering::Relaxed), 3);
    assert_eq!(attempt_on(&kdc, PASSWORD, NOW + 6, 951), CLIENT_REVOKED);
}

#[test]
fn shutdown_writes_everything_queued() {
    use tessera_kdc::net::RequestHandler;
    let r = locked_realm(1800);
    let (kdc, gate) = gated_kdc(&r, 64);
    assert_eq!(wrong_attempt(&kdc, NOW), PREAUTH_FAILED);
    assert_eq!(wrong_attempt(&kdc, NOW + 1), PREAUTH_FAILED);
    assert_eq!(gate.next_write(), user("alice"));
    std::thread::scope(|s| {
        let stopping = s.spawn(|| RequestHandler::shutdown(&kdc));
        // Shutdown waits for the held write and the one queued behind it.
        assert!(!stopping.is_finished());
        gate.open(2);
        stopping.join().unwrap();
    });
    assert_eq!(r.entry(&user("alice")).fail_count, 2);
    assert_eq!(
        kdc.lockout().writer_stats().written.load(Ordering::Relaxed),
        2
    );
    // After shutdown, writes happen in the caller.
    gate.open(1);
    assert_eq!(wrong_attempt(&kdc, NOW + 2), PREAUTH_FAILED);
    assert_eq!(r.entry(&user("alice")).fail_count, 3);
}

#[test]
fn full_queue_waits_and_counts_every_failure() {
    // Dropping failures when the queue is full would let an attacker who
    // fills it (with other principals' failures) guess freely: a full queue
    // makes the request wait for room instead, and every failure counts.
    let r = locked_realm(1800);
    let (kdc, gate) = gated_kdc(&r, 1);
    // First job: taken by the writer and held; second: fills the queue.
    assert_eq!(wrong_attempt(&kdc, NOW), PREAUTH_FAILED);
    assert_eq!(gate.next_write(), user("alice"));
    assert_eq!(wrong_attempt(&kdc, NOW + 1), PREAUTH_FAILED);
    // Third: the queue is full, so it waits until the writer takes the
    // second job (after the held write is let through).
    let third = std::thread::scope(|s| {
        let t = s.spawn(|| wrong_attempt(&kdc, NOW + 2));
        gate.open(3);
        t.join().unwrap()
    });
    assert_eq!(third, PREAUTH_FAILED);
    assert!(kdc.lockout().flush(Duration::from_secs(60)));
    let stats = kdc.lockout().writer_stats();
    assert_eq!(stats.queued.load(Ordering::Relaxed), 3);
    assert_eq!(stats.written.load(Ordering::Relaxed), 3);
    assert!(stats.waited.load(Ordering::Relaxed) <= 1);
    assert_eq!(r.entry(&user("alice")).fail_count, 3);
    // Three failures lock the account: the right password is refused.
    assert_eq!(attempt_on(&kdc, PASSWORD, NOW + 3, 960), CLIENT_REVOKED);
}
