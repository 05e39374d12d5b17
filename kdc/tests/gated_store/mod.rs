//! A store wrapper whose writes to chosen principals wait until the test
//! lets them through: proves work is done off the request path without
//! timing anything. Every other call goes straight to the inner store.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use tessera_kdc::db::{
    AuthEvent, DbError, KeyData, Modification, NewKey, Policy, PrincipalEntry, PrincipalStore,
};

/// How long a held write waits for the test at most (a bound, so a broken
/// test fails instead of hanging; never reached when the test passes).
const HOLD_BOUND: Duration = Duration::from_secs(120);

/// Wraps `inner`; writes to principals whose name starts with `prefix`
/// report themselves on `entered` and wait for a `release` each.
pub struct GatedStore {
    inner: Arc<dyn PrincipalStore>,
    prefix: String,
    entered: Mutex<Sender<String>>,
    release: Mutex<Receiver<()>>,
}

/// The test's side of the gate.
pub struct Gate {
    /// One message (the principal name) per held write, when it starts.
    pub entered: Receiver<String>,
    /// Send one `()` to let one held write through.
    pub release: Sender<()>,
}

impl Gate {
    /// Waits (bounded) for the next held write; its principal name.
    pub fn next_write(&self) -> String {
        self.entered
            .recv_timeout(HOLD_BOUND)
            .expect("no gated write started")
    }

    /// Lets `n` held writes through.
    pub fn open(&self, n: usize) {
        for _ in 0..n {
            let _ = self.release.send(());
        }
    }
}

impl GatedStore {
    pub fn new(inner: Arc<dyn PrincipalStore>, prefix: &str) -> (Arc<GatedStore>, Gate) {
        let (entered_tx, entered) = channel();
        let (release, release_rx) = channel();
        (
            Arc::new(GatedStore {
                inner,
                prefix: prefix.to_owned(),
                entered: Mutex::new(entered_tx),
                release: Mutex::new(release_rx),
            }),
            Gate { entered, release },
        )
    }

    fn hold(&self, name: &str) {
        if !name.starts_with(&self.prefix) {
            return;
        }
        let _ = self.entered.lock().unwrap().send(name.to_owned());
        match self.release.lock().unwrap().recv_timeout(HOLD_BOUND) {
            Ok(()) | Err(RecvTimeoutError::Disconnected) => {}
            Err(RecvTimeoutError::Timeout) => eprintln!("gated write to {name} never released"),
        }
    }
}

impl PrincipalStore for GatedStore {
    fn realm(&self) -> &str {
        self.inner.realm()
    }
    fn get(&self, name: &str) -> Result<Option<Arc<PrincipalEntry>>, DbError> {
        self.inner.get(name)
    }
    fn create(&self, entry: &PrincipalEntry) -> Result<(), DbError> {
        self.inner.create(entry)
    }
    fn update(&self, entry: &PrincipalEntry) -> Result<(), DbError> {
        self.hold(&entry.name);
        self.inner.update(entry)
    }
    fn put(&self, entry: &PrincipalEntry) -> Result<(), DbError> {
        self.hold(&entry.name);
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
        self.hold(name);
        self.inner
            .add_key_set(name, keys, keep_old, now, modified_by)
    }
    fn record_auth(&self, name: &str, event: AuthEvent, at: SystemTime) -> Result<(), DbError> {
        self.hold(name);
        self.inner.record_auth(name, event, at)
    }
    fn refresh(&self) -> Result<(), DbError> {
        self.inner.refresh()
    }
    fn sync_changes(&self) -> Result<(), DbError> {
        self.inner.sync_changes()
    }
    fn generation(&self) -> u64 {
        self.inner.generation()
    }
    fn modify(
        &self,
        name: &str,
        change: &mut dyn FnMut(&mut PrincipalEntry) -> Modification,
    ) -> Result<Option<Arc<PrincipalEntry>>, DbError> {
        self.hold(name);
        self.inner.modify(name, change)
    }
    fn password_history(&self, name: &str) -> Result<Vec<KeyData>, DbError> {
        self.inner.password_history(name)
    }
    fn last_password_change(&self, name: &str) -> Result<Option<SystemTime>, DbError> {
        self.inner.last_password_change(name)
    }
    fn rename(&self, old: &str, entry: &PrincipalEntry) -> Result<(), DbError> {
        self.hold(old);
        self.inner.rename(old, entry)
    }
    fn set_fail_state(
        &self,
        name: &str,
        fail_count: u32,
        last_failure: Option<SystemTime>,
    ) -> Result<(), DbError> {
        self.hold(name);
        self.inner.set_fail_state(name, fail_count, last_failure)
    }
    fn get_policy(&self, name: &str) -> Result<Option<Policy>, DbError> {
        self.inner.get_policy(name)
    }
    fn create_policy(&self, policy: &Policy) -> Result<(), DbError> {
        self.inner.create_policy(policy)
    }
    fn update_policy(&self, policy: &Policy) -> Result<(), DbError> {
        self.inner.update_policy(policy)
    }
    fn delete_policy(&self, name: &str) -> Result<bool, DbError> {
        self.inner.delete_policy(name)
    }
    fn list_policies(&self, glob: &str) -> Result<Vec<String>, DbError> {
        self.inner.list_policies(glob)
    }
}
