//! Lockout writes off the request path: a background thread fed by a
//! bounded queue does the store writes, while an in-memory overlay makes
//! what this process counted visible to the very next request at once.
//!
//! * **Overlay**: per principal, the lockout state this process expects once
//!   its queued writes land. The effective entry merges it
//!   with the stored entry: after a failure counted on top of the stored
//!   count, the larger of the two counts (so a write that already landed is
//!   not counted twice, and failures other processes stored still count);
//!   after a reset (a failure that starts the count over, or a success that
//!   clears it) the overlay's count alone, until the reset is written. An
//!   overlay entry goes once the writer has written the newest job queued
//!   for it.
//! * **Queue full**: the request waits for room (logged at warn, counted in
//!   [`WriterStats::waited`]). Dropping the write instead would let an
//!   attacker who fills the queue with other principals' failures guess a
//!   password without being counted; so under a flood the store's write
//!   rate paces the failed pre-authentications, as it does in MIT's KDC
//!   (which writes every failure on the request path).
//! * **Durable before the reply**: every queued write comes with a
//!   [`Written`] receipt that completes once the store has it. The KDC
//!   hands it to the network edge with the reply
//!   ([`crate::net::Reply::after`]), which sends the reply only then, without
//!   blocking an async worker. So a client told "pre-authentication failed"
//!   finds its failure counted in every process reading the store (another
//!   KDC, `kadmin getprinc`), and a `kill -9` after the reply loses nothing,
//!   as with MIT's KDC, which writes on the request path.
//! * **Shutdown**: [`Deferred::shutdown`] closes the queue and waits for the
//!   writer to write everything queued. Dropping the KDC without it lets
//!   the writer finish the queue on its own, unobserved.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::task::{Context, Poll, Waker};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use dashmap::DashMap;

use crate::db::{AuthEvent, PrincipalEntry};
use tessera_kdc_core::store::{LockoutStore, StoreError};

/// Default capacity of the write queue (jobs).
pub const DEFAULT_WRITE_QUEUE: usize = 4096;

/// One lockout write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    /// Count one more failure (atomic increment in the store).
    Failure,
    /// Start the count over at 1 (the previous failure is too old, or a
    /// lockout ran out).
    StartOver,
    /// A success: clear the count, refresh `last_success`.
    Success,
}

#[derive(Debug)]
struct Job {
    name: String,
    op: Op,
    at: SystemTime,
    seq: u64,
    /// Completed when the job is done with (written, refused, or dropped).
    done: Arc<Signal>,
}

impl Drop for Job {
    fn drop(&mut self) {
        // However the job ends (written, refused by the store, or dropped
        // with a writer that panicked), whoever waits for it goes on.
        self.done.complete();
    }
}

#[derive(Debug, Default)]
struct SignalState {
    done: bool,
    waker: Option<Waker>,
}

#[derive(Debug, Default)]
struct Signal {
    state: Mutex<SignalState>,
}

impl Signal {
    fn complete(&self) {
        let waker = match self.state.lock() {
            Ok(mut s) => {
                s.done = true;
                s.waker.take()
            }
            Err(_) => None,
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// Receipt for one queued lockout write: a future that completes once the
/// writer is done with it (the store has the write, or refused it and
/// logged why).
#[derive(Debug, Clone)]
pub struct Written(Arc<Signal>);

impl Future for Written {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let Ok(mut state) = self.0.state.lock() else {
            return Poll::Ready(());
        };
        if state.done {
            return Poll::Ready(());
        }
        if !state
            .waker
            .as_ref()
            .is_some_and(|w| w.will_wake(cx.waker()))
        {
            state.waker = Some(cx.waker().clone());
        }
        Poll::Pending
    }
}

/// What [`Deferred::record`] recorded.
#[derive(Debug)]
pub(super) struct Recorded {
    /// The failure count after the write.
    pub fail_count: u32,
    /// The receipt of the queued write; `None` when it was written inline.
    pub written: Option<Written>,
}

/// What this process expects a principal's lockout fields to be once its
/// queued writes land.
#[derive(Debug, Clone)]
struct Pending {
    /// True after a reset: `fail_count` replaces the stored count.
    reset: bool,
    fail_count: u32,
    last_failure: Option<SystemTime>,
    last_success: Option<SystemTime>,
    /// Sequence number of the newest job queued for the principal.
    seq: u64,
}

/// Counters of the writer (relaxed; for tests and metrics).
#[derive(Debug, Default)]
pub struct WriterStats {
    /// Jobs queued.
    pub queued: AtomicU64,
    /// Jobs written to the store.
    pub written: AtomicU64,
    /// Jobs the store refused (logged).
    pub failed: AtomicU64,
    /// Jobs that found the queue full and waited for room (logged).
    pub waited: AtomicU64,
}

/// Jobs queued and done, for [`Deferred::flush`].
#[derive(Debug, Default)]
struct Progress {
    done: Mutex<u64>,
    changed: Condvar,
}

#[derive(Debug)]
struct Shared {
    pending: DashMap<String, Pending>,
    stats: WriterStats,
    progress: Progress,
}

/// The overlay and, once started, the writer. Without a writer
/// ([`Deferred::inline`]) every write goes straight to the store.
#[derive(Debug)]
pub struct Deferred {
    shared: Arc<Shared>,
    sender: RwLock<Option<SyncSender<Job>>>,
    worker: Mutex<Option<JoinHandle<()>>>,
    next_seq: AtomicU64,
}

impl Default for Deferred {
    fn default() -> Self {
        Deferred::inline()
    }
}

impl Deferred {
    /// No writer: writes happen in the caller.
    pub fn inline() -> Self {
        Deferred {
            shared: Arc::new(Shared {
                pending: DashMap::new(),
                stats: WriterStats::default(),
                progress: Progress::default(),
            }),
            sender: RwLock::new(None),
            worker: Mutex::new(None),
            next_seq: AtomicU64::new(0),
        }
    }

    /// Starts the writer thread on `store` with a queue of `capacity` jobs
    /// (replacing none: call once). On failure to spawn the thread, writes
    /// stay inline (logged).
    pub fn start(&self, store: Arc<dyn LockoutStore>, capacity: usize) {
        let (tx, rx) = sync_channel(capacity.max(1));
        let shared = Arc::clone(&self.shared);
        // The writer logs through the subscriber of the thread that built
        // the KDC (a process-wide one, or a test's scoped one).
        let dispatch = tracing::dispatcher::get_default(Clone::clone);
        let spawned = std::thread::Builder::new()
            .name("lockout-writer".into())
            .spawn(move || {
                tracing::dispatcher::with_default(&dispatch, || run(&*store, &rx, &shared));
            });
        match spawned {
            Ok(handle) => {
                if let Ok(mut s) = self.sender.write() {
                    *s = Some(tx);
                }
                if let Ok(mut w) = self.worker.lock() {
                    *w = Some(handle);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot start the lockout writer; lockout writes stay on the request path")
            }
        }
    }

    /// The writer's counters.
    pub fn stats(&self) -> &WriterStats {
        &self.shared.stats
    }

    /// `entry` with what this process counted and has not yet written.
    pub(super) fn effective<'a>(&self, entry: &'a PrincipalEntry) -> Cow<'a, PrincipalEntry> {
        let Some(p) = self.shared.pending.get(&entry.name) else {
            return Cow::Borrowed(entry);
        };
        let mut e = entry.clone();
        if p.reset {
            e.fail_count = p.fail_count;
            e.last_failure = p.last_failure;
        } else {
            e.fail_count = e.fail_count.max(p.fail_count);
            e.last_failure = e.last_failure.max(p.last_failure);
        }
        e.last_success = e.last_success.max(p.last_success);
        Cow::Owned(e)
    }

    /// Records `op` for `entry` (the effective entry) at `at`. Returns the
    /// failure count after it and the write's receipt, or `Err` when
    /// nothing was recorded (the store refused an inline write; logged).
    pub(super) fn record(
        &self,
        store: &dyn LockoutStore,
        entry: &PrincipalEntry,
        op: Op,
        at: SystemTime,
    ) -> Result<Recorded, ()> {
        let sender = self.sender.read().ok().and_then(|s| s.clone());
        let Some(sender) = sender else {
            return write_inline(store, entry, op, at);
        };
        let name = entry.name.clone();
        // The shard lock is held from reading the overlay to updating it, so
        // the writer cannot retire this principal's entry in between.
        let slot = self.shared.pending.entry(name.clone());
        let current = match &slot {
            dashmap::mapref::entry::Entry::Occupied(o) => Some(o.get().clone()),
            dashmap::mapref::entry::Entry::Vacant(_) => None,
        };
        let before = current
            .as_ref()
            .map_or(entry.fail_count, |p| p.fail_count.max(entry.fail_count));
        let seq = self.next_seq.fetch_add(1, Ordering::Relaxed) + 1;
        let next = match op {
            Op::Failure => Pending {
                reset: current.as_ref().is_some_and(|p| p.reset),
                fail_count: before.saturating_add(1),
                last_failure: Some(at),
                last_success: entry.last_success,
                seq,
            },
            Op::StartOver => Pending {
                reset: true,
                fail_count: 1,
                last_failure: Some(at),
                last_success: entry.last_success,
                seq,
            },
            Op::Success => Pending {
                reset: true,
                fail_count: 0,
                last_failure: entry.last_failure,
                last_success: Some(at),
                seq,
            },
        };
        let fail_count = next.fail_count;
        // The overlay goes in before the job can be written, so the writer
        // retires it only after this very job has landed.
        slot.insert(next);
        let done = Arc::new(Signal::default());
        let written = Written(Arc::clone(&done));
        let job = Job {
            name,
            op,
            at,
            seq,
            done,
        };
        let sent = match sender.try_send(job) {
            Ok(()) => Ok(()),
            // A full queue must not leave a failure uncounted: an attacker
            // could fill it with other principals' failures and then guess
            // this one's password freely. Wait for room instead (the writer
            // frees a slot per store write); the request path slows down
            // only while the store cannot keep up.
            Err(TrySendError::Full(job)) => {
                self.shared.stats.waited.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(principal = %job.name, op = ?job.op,
                    "lockout write queue full; waiting for the writer");
                sender.send(job).map_err(|e| e.0)
            }
            Err(TrySendError::Disconnected(job)) => Err(job),
        };
        match sent {
            Ok(()) => {
                self.shared.stats.queued.fetch_add(1, Ordering::Relaxed);
                Ok(Recorded {
                    fail_count,
                    written: Some(written),
                })
            }
            // The writer is gone (shutdown): write here.
            Err(job) => {
                self.shared
                    .pending
                    .remove_if(&job.name, |_, p| p.seq == job.seq);
                drop(job);
                write_inline(store, entry, op, at)
            }
        }
    }

    /// Waits until every job queued before the call is written (at most
    /// `bound`); whether it was. Immediate without a writer.
    pub fn flush(&self, bound: Duration) -> bool {
        let target = self.shared.stats.queued.load(Ordering::Relaxed);
        let Ok(done) = self.shared.progress.done.lock() else {
            return false;
        };
        match self
            .shared
            .progress
            .changed
            .wait_timeout_while(done, bound, |d| *d < target)
        {
            Ok((d, _)) => *d >= target,
            Err(_) => false,
        }
    }

    /// Closes the queue and waits for the writer to write everything
    /// queued; later writes happen inline. Idempotent.
    pub fn shutdown(&self) {
        if let Ok(mut s) = self.sender.write() {
            s.take();
        }
        let worker = self.worker.lock().ok().and_then(|mut w| w.take());
        if let Some(handle) = worker {
            if handle.join().is_err() {
                tracing::error!("the lockout writer panicked");
            }
            tracing::info!(
                written = self.shared.stats.written.load(Ordering::Relaxed),
                "lockout writer drained and stopped"
            );
        }
    }
}

impl Drop for Deferred {
    fn drop(&mut self) {
        // Closing the queue lets the writer finish it and exit.
        if let Ok(mut s) = self.sender.write() {
            s.take();
        }
    }
}

/// The writer thread: writes jobs in order until the queue is closed and
/// empty.
fn run(store: &dyn LockoutStore, rx: &Receiver<Job>, shared: &Shared) {
    while let Ok(job) = rx.recv() {
        match apply(store, &job.name, job.op, job.at) {
            Ok(()) => shared.stats.written.fetch_add(1, Ordering::Relaxed),
            Err(e) => {
                log_write_failure(&job.name, &e);
                shared.stats.failed.fetch_add(1, Ordering::Relaxed)
            }
        };
        // The store's cache now holds the write: the overlay entry is
        // retired unless a newer job for the principal is queued.
        shared.pending.remove_if(&job.name, |_, p| p.seq == job.seq);
        // Whoever waits for this write goes on (dropping the job signals).
        drop(job);
        if let Ok(mut d) = shared.progress.done.lock() {
            *d += 1;
        }
        shared.progress.changed.notify_all();
    }
}

fn apply(store: &dyn LockoutStore, name: &str, op: Op, at: SystemTime) -> Result<(), StoreError> {
    match op {
        // Atomic increment in the store: concurrent failures all count.
        Op::Failure => store.write_auth_event(name, AuthEvent::Failure, at),
        Op::StartOver => store.write_fail_state(name, 1, Some(at)),
        Op::Success => store.write_auth_event(name, AuthEvent::Success, at),
    }
}

fn write_inline(
    store: &dyn LockoutStore,
    entry: &PrincipalEntry,
    op: Op,
    at: SystemTime,
) -> Result<Recorded, ()> {
    if let Err(e) = apply(store, &entry.name, op, at) {
        log_write_failure(&entry.name, &e);
        return Err(());
    }
    let fail_count = match (op, store.entry(&entry.name)) {
        (_, Ok(Some(e))) => e.fail_count,
        (Op::Failure, _) => entry.fail_count.saturating_add(1),
        (Op::StartOver, _) => 1,
        (Op::Success, _) => 0,
    };
    Ok(Recorded {
        fail_count,
        written: None,
    })
}

pub(super) fn log_write_failure(principal: &str, e: &StoreError) {
    tracing::warn!(principal, error = %e, "cannot record pre-authentication outcome");
}
