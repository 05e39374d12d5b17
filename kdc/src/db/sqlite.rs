//! SQLite backend of [`PrincipalStore`], with an in-memory cache.
//!
//! * The file is opened in WAL mode with a busy timeout, so other processes
//!   (`kadmin -l`, admin services) can write while the KDC serves.
//! * Every entry is decrypted once and kept in a [`DashMap`] (sharded locks,
//!   no global lock); `get` returns an `Arc` clone from it.
//! * Read-your-writes ([`PrincipalStore::sync_changes`], called by the KDC
//!   once per request): a commit by any connection rewrites the WAL-index
//!   header at the start of the `-shm` file, so one `pread` of its 48 bytes
//!   tells whether anything was committed since the cache was last brought
//!   up to date (`wal_watch`). The header's layout is part of SQLite's file format (it is
//!   shared by every process and SQLite version that opens the database:
//!   see SQLite's "WAL-mode file format" document). Only when it changed is
//!   the connection locked and `PRAGMA data_version` asked, which changes
//!   only when *another* connection committed; then the principals named in
//!   the `changes` log after the last applied sequence number are reloaded
//!   (or everything, when the reader fell behind the pruned log). The header
//!   is read *before* the database is asked, so a commit that lands in
//!   between changes the header again and is caught by the next request.
//!   Without a readable `-shm` file every request asks `data_version`.
//! * [`refresh_loop`] (what `serve` runs) does the same in the background
//!   so that bulk changes are mostly loaded off the request path; with
//!   [`StoreOptions::refresh_on_get`] (tools), the first `get` after each
//!   `refresh_interval` checks instead. Writes made through this store update
//!   the cache directly.

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use dashmap::DashMap;
use rusqlite::{
    Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params,
};

use super::entry::{
    AuthEvent, KeyData, PrincipalEntry, split_principal, to_unix, truncate_to_secs,
};
use super::policy_store::{self, Policy};
use super::sqlite_schema::{
    MIGRATION_1_TO_2, MIGRATION_2_TO_3, SCHEMA, SCHEMA_VERSION, log_change, read_entry,
    write_entry, write_key,
};
use super::wal_watch::WalWatch;
use super::{DbError, MasterKey, Modification, NewKey, PrincipalStore};

/// File name of the database inside the data directory.
pub const DB_FILE_NAME: &str = "principals.sqlite3";

/// Tunables of the SQLite store.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Minimum time between checks for other processes' writes.
    pub refresh_interval: Duration,
    /// How long a writer waits for another process's write lock.
    pub busy_timeout: Duration,
    /// Whether `get` itself checks for other processes' writes (at most once
    /// per `refresh_interval`). Turn off when [`refresh_loop`] runs.
    pub refresh_on_get: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            refresh_interval: Duration::from_secs(1),
            busy_timeout: Duration::from_secs(5),
            refresh_on_get: true,
        }
    }
}

struct Inner {
    conn: Connection,
    /// `PRAGMA data_version` at the last refresh.
    data_version: i64,
    /// Highest change sequence applied to the cache.
    last_seq: i64,
}

/// The SQLite principal store. See the module documentation.
pub struct SqliteStore {
    realm: String,
    mkey: MasterKey,
    inner: Mutex<Inner>,
    cache: DashMap<String, Arc<PrincipalEntry>>,
    opts: StoreOptions,
    epoch: Instant,
    /// Milliseconds since `epoch` after which `get` checks for changes.
    next_check_ms: AtomicU64,
    /// Commits since the cache was last brought up to date.
    watch: WalWatch,
    /// Bumped whenever the cache may have changed in ways not visible in
    /// the principal entries themselves (other processes' commits, policy
    /// writes); see [`PrincipalStore::generation`].
    generation: AtomicU64,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("realm", &self.realm)
            .field("cached_principals", &self.cache.len())
            .finish_non_exhaustive()
    }
}

/// The newest sequence number in the change log (None when it is empty).
fn max_change_seq(conn: &Connection) -> Result<Option<i64>, DbError> {
    Ok(conn
        .prepare_cached("SELECT MAX(seq) FROM changes")?
        .query_row([], |r| r.get(0))?)
}

/// Whether a principal named `name` is stored.
fn principal_exists(conn: &Connection, name: &str) -> Result<bool, DbError> {
    Ok(conn.query_row(
        "SELECT COUNT(*) > 0 FROM principals WHERE name = ?1",
        params![name],
        |r| r.get(0),
    )?)
}

fn configure(conn: &Connection, opts: &StoreOptions) -> Result<(), DbError> {
    conn.busy_timeout(opts.busy_timeout)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

fn data_version(conn: &Connection) -> Result<i64, DbError> {
    Ok(conn
        .prepare_cached("PRAGMA data_version")?
        .query_row([], |r| r.get(0))?)
}

impl SqliteStore {
    /// Creates a new database file for `realm`, protected by `mkey`. Fails
    /// with [`DbError::AlreadyInitialized`] if the file already holds a realm.
    pub fn create(
        path: &Path,
        realm: &str,
        mkey: MasterKey,
        opts: StoreOptions,
    ) -> Result<Self, DbError> {
        let conn = Connection::open(path)?;
        configure(&conn, &opts)?;
        let exists: bool = conn.query_row(
            "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'realm'",
            [],
            |r| r.get(0),
        )?;
        if exists {
            return Err(DbError::AlreadyInitialized(path.display().to_string()));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
        let verifier = mkey.make_verifier(realm)?;
        let mut conn = conn;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
        tx.execute_batch(SCHEMA)?;
        tx.execute_batch(MIGRATION_1_TO_2)?;
        tx.execute_batch(MIGRATION_2_TO_3)?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES (?1)",
            params![SCHEMA_VERSION],
        )?;
        tx.execute(
            "INSERT INTO realm (name, mkey_verifier, mkey_kvno, created) VALUES (?1, ?2, 1, ?3)",
            params![realm, verifier, to_unix(SystemTime::now())],
        )?;
        tx.commit()?;
        Self::finish_open(conn, realm, mkey, opts)
    }

    /// Opens an existing database, checking the schema version, the realm
    /// name and the master key (one clear error for each).
    pub fn open(
        path: &Path,
        realm: &str,
        mkey: MasterKey,
        opts: StoreOptions,
    ) -> Result<Self, DbError> {
        if !path.exists() {
            return Err(DbError::NotInitialized(path.display().to_string()));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        configure(&conn, &opts)?;
        let version: Option<i64> = conn
            .query_row("SELECT version FROM schema_version", [], |r| r.get(0))
            .optional()
            .map_err(|_| DbError::NotInitialized(path.display().to_string()))?;
        let Some(mut version) = version else {
            return Err(DbError::NotInitialized(path.display().to_string()));
        };
        let mut conn = conn;
        if version == 1 {
            // Schema 1 -> 2: add the policy and password-history tables.
            let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
            let v: i64 = tx.query_row("SELECT version FROM schema_version", [], |r| r.get(0))?;
            if v == 1 {
                tx.execute_batch(MIGRATION_1_TO_2)?;
                tx.execute("UPDATE schema_version SET version = 2", [])?;
            }
            tx.commit()?;
            version = 2;
        }
        if version == 2 {
            // Schema 2 -> 3: add the string-attribute table.
            let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
            let v: i64 = tx.query_row("SELECT version FROM schema_version", [], |r| r.get(0))?;
            if v == 2 {
                tx.execute_batch(MIGRATION_2_TO_3)?;
                tx.execute("UPDATE schema_version SET version = 3", [])?;
            }
            tx.commit()?;
            version = 3;
        }
        if version != SCHEMA_VERSION {
            return Err(DbError::SchemaVersion {
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        let (found, verifier): (String, Vec<u8>) = conn
            .query_row("SELECT name, mkey_verifier FROM realm", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?
            .ok_or_else(|| DbError::NotInitialized(path.display().to_string()))?;
        if found != realm {
            return Err(DbError::RealmMismatch {
                expected: realm.to_owned(),
                found,
            });
        }
        if !mkey.check_verifier(realm, &verifier) {
            return Err(DbError::WrongMasterKey(realm.to_owned()));
        }
        Self::finish_open(conn, realm, mkey, opts)
    }

    fn finish_open(
        conn: Connection,
        realm: &str,
        mkey: MasterKey,
        opts: StoreOptions,
    ) -> Result<Self, DbError> {
        let watch = WalWatch::open(&conn);
        let store = SqliteStore {
            realm: realm.to_owned(),
            mkey,
            inner: Mutex::new(Inner {
                conn,
                data_version: 0,
                last_seq: 0,
            }),
            cache: DashMap::new(),
            opts,
            epoch: Instant::now(),
            next_check_ms: AtomicU64::new(0),
            watch,
            generation: AtomicU64::new(0),
        };
        {
            let mut inner = store.lock();
            let header = store.watch.read();
            store.full_reload(&mut inner)?;
            store.watch.mark(header);
        }
        store.schedule_next_check();
        Ok(store)
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves no half-written state: open
        // transactions roll back when dropped.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn schedule_next_check(&self) {
        let interval = u64::try_from(self.opts.refresh_interval.as_millis()).unwrap_or(u64::MAX);
        self.next_check_ms
            .store(self.now_ms().saturating_add(interval), Ordering::Relaxed);
    }

    /// Number of principals held in memory.
    pub fn cached_len(&self) -> usize {
        self.cache.len()
    }

    /// Refreshes if the interval elapsed and nobody else is refreshing.
    fn refresh_if_due(&self) {
        if !self.opts.refresh_on_get {
            return;
        }
        if self.now_ms() < self.next_check_ms.load(Ordering::Relaxed) {
            return;
        }
        let Ok(mut inner) = self.inner.try_lock() else {
            return; // another thread is refreshing or writing: serve from cache
        };
        self.schedule_next_check();
        if let Err(e) = self.catch_up_locked(&mut inner) {
            tracing::warn!(error = %e, "principal cache refresh failed; serving cached entries");
        }
    }

    /// Brings the cache up to date (the connection is locked): reads the
    /// WAL-index header first, then applies what was committed, then
    /// records the header. See the module documentation.
    fn catch_up_locked(&self, inner: &mut Inner) -> Result<(), DbError> {
        let header = self.watch.read();
        if self.watch.is_marked(header) {
            return Ok(()); // whoever held the lock before us caught up
        }
        self.refresh_locked(inner)?;
        self.watch.mark(header);
        Ok(())
    }

    fn refresh_locked(&self, inner: &mut Inner) -> Result<(), DbError> {
        let dv = data_version(&inner.conn)?;
        if dv == inner.data_version {
            return Ok(());
        }
        // Another process committed: principals, policies or both.
        self.generation.fetch_add(1, Ordering::AcqRel);
        let tx = inner.conn.transaction()?;
        // Two queries: SQLite answers a lone MIN or MAX of the primary key
        // from the b-tree's edge, but both in one SELECT scan the whole log.
        let min_seq: Option<i64> = tx
            .prepare_cached("SELECT MIN(seq) FROM changes")?
            .query_row([], |r| r.get(0))?;
        let max_seq = max_change_seq(&tx)?;
        let (Some(min_seq), Some(max_seq)) = (min_seq, max_seq) else {
            drop(tx);
            inner.data_version = dv;
            return Ok(());
        };
        if min_seq > inner.last_seq.saturating_add(1) {
            drop(tx);
            tracing::info!("principal change log pruned past our position; full reload");
            self.full_reload(inner)?;
            inner.data_version = dv;
            return Ok(());
        }
        let names: Vec<String> = {
            let mut stmt = tx.prepare_cached(
                "SELECT DISTINCT principal FROM changes WHERE seq > ?1 AND seq <= ?2",
            )?;
            let rows = stmt.query_map(params![inner.last_seq, max_seq], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        for name in &names {
            self.reload_one(&tx, name)?;
        }
        drop(tx);
        if !names.is_empty() {
            tracing::debug!(
                count = names.len(),
                "reloaded principals changed by another process"
            );
        }
        inner.last_seq = max_seq;
        inner.data_version = dv;
        Ok(())
    }

    /// Loads `name` into the cache again (or drops it when deleted). An
    /// entry that cannot be decrypted or decoded is logged and not served;
    /// a database error is returned, so that the caller does not move past
    /// the change and the next catch-up tries again.
    fn reload_one(&self, conn: &Connection, name: &str) -> Result<(), DbError> {
        match read_entry(conn, &self.mkey, name) {
            Ok(Some(e)) => {
                self.cache.insert(name.to_owned(), Arc::new(e));
            }
            Ok(None) => {
                self.cache.remove(name);
            }
            Err(err @ (DbError::Sqlite(_) | DbError::Io { .. })) => return Err(err),
            Err(err) => {
                tracing::error!(principal = name, error = %err, "cannot load principal; it is not served");
                self.cache.remove(name);
            }
        }
        Ok(())
    }

    fn full_reload(&self, inner: &mut Inner) -> Result<(), DbError> {
        let dv = data_version(&inner.conn)?;
        let tx = inner.conn.transaction()?;
        let max_seq = max_change_seq(&tx)?;
        let names: HashSet<String> = {
            let mut stmt = tx.prepare("SELECT name FROM principals")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        self.cache.retain(|k, _| names.contains(k));
        for name in &names {
            self.reload_one(&tx, name)?;
        }
        drop(tx);
        inner.last_seq = max_seq.unwrap_or(0);
        inner.data_version = dv;
        Ok(())
    }

    fn check_name(&self, name: &str) -> Result<(), DbError> {
        match split_principal(name) {
            Some((_, realm)) if !realm.is_empty() => Ok(()),
            _ => Err(DbError::InvalidName(name.to_owned())),
        }
    }

    /// Runs `work` in one IMMEDIATE transaction (the write lock is taken at
    /// once) and commits it. The connection stays locked until the returned
    /// guard drops, so callers update the cache in commit order.
    fn write_tx<R>(
        &self,
        work: impl FnOnce(&Transaction<'_>) -> Result<R, DbError>,
    ) -> Result<(MutexGuard<'_, Inner>, R), DbError> {
        let mut inner = self.lock();
        let applied = inner.last_seq;
        let tx = inner
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let before = max_change_seq(&tx)?;
        let r = work(&tx)?;
        let after = max_change_seq(&tx)?;
        tx.commit()?;
        // This write updates the cache itself: when no other process's
        // change lies between what we applied and it, move past it, so the
        // next catch-up does not reload it (and the KDC's own lockout writes
        // never push it behind the pruned log into a full reload).
        if before.unwrap_or(0) == applied {
            inner.last_seq = after.unwrap_or(applied);
        }
        Ok((inner, r))
    }

    fn write_policy(&self, p: &Policy, create: bool) -> Result<(), DbError> {
        if p.name.is_empty() || p.name.chars().any(char::is_control) {
            return Err(DbError::InvalidName(p.name.clone()));
        }
        let (_guard, ()) = self.write_tx(|tx| policy_store::write_policy(tx, p, create))?;
        self.generation.fetch_add(1, Ordering::AcqRel);
        Ok(())
    }

    /// Writes `entry` in one transaction; `must` = Some(true) requires it to
    /// exist, Some(false) requires it not to.
    fn write(&self, entry: &PrincipalEntry, must_exist: Option<bool>) -> Result<(), DbError> {
        self.check_name(&entry.name)?;
        let mut entry = entry.clone();
        entry.sort_keys();
        let (_guard, ()) = self.write_tx(|tx| {
            let exists = principal_exists(tx, &entry.name)?;
            match must_exist {
                Some(true) if !exists => return Err(DbError::NotFound(entry.name.clone())),
                Some(false) if exists => return Err(DbError::AlreadyExists(entry.name.clone())),
                _ => {}
            }
            write_entry(tx, &self.mkey, &entry)?;
            log_change(tx, &entry.name, SystemTime::now())
        })?;
        self.cache.insert(entry.name.clone(), Arc::new(entry));
        Ok(())
    }
}

impl PrincipalStore for SqliteStore {
    fn realm(&self) -> &str {
        &self.realm
    }

    fn get(&self, name: &str) -> Result<Option<Arc<PrincipalEntry>>, DbError> {
        self.refresh_if_due();
        Ok(self.cache.get(name).map(|r| Arc::clone(r.value())))
    }

    fn create(&self, entry: &PrincipalEntry) -> Result<(), DbError> {
        self.write(entry, Some(false))
    }

    fn update(&self, entry: &PrincipalEntry) -> Result<(), DbError> {
        self.write(entry, Some(true))
    }

    fn put(&self, entry: &PrincipalEntry) -> Result<(), DbError> {
        self.write(entry, None)
    }

    fn delete(&self, name: &str) -> Result<bool, DbError> {
        let (_guard, n) = self.write_tx(|tx| {
            tx.execute("DELETE FROM keys WHERE principal = ?1", params![name])?;
            tx.execute(
                "DELETE FROM password_history WHERE principal = ?1",
                params![name],
            )?;
            tx.execute("DELETE FROM pw_changes WHERE principal = ?1", params![name])?;
            let n = tx.execute("DELETE FROM principals WHERE name = ?1", params![name])?;
            if n > 0 {
                log_change(tx, name, SystemTime::now())?;
            }
            Ok(n)
        })?;
        self.cache.remove(name);
        Ok(n > 0)
    }

    fn list(&self, glob: &str) -> Result<Vec<String>, DbError> {
        let inner = self.lock();
        let mut stmt = inner
            .conn
            .prepare("SELECT name FROM principals WHERE name GLOB ?1 ORDER BY name")?;
        let rows = stmt.query_map(params![glob], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn add_key_set(
        &self,
        name: &str,
        keys: Vec<NewKey>,
        keep_old: u32,
        now: SystemTime,
        modified_by: Option<&str>,
    ) -> Result<u32, DbError> {
        let (_guard, (entry, kvno)) = self.write_tx(|tx| {
            let Some(mut entry) = read_entry(tx, &self.mkey, name)? else {
                return Err(DbError::NotFound(name.to_owned()));
            };
            let kvno = entry.current_kvno().wrapping_add(1).max(1);
            let mut new: Vec<KeyData> = keys
                .into_iter()
                .map(|k| KeyData {
                    kvno,
                    enctype: k.enctype,
                    key: k.key,
                    salt: k.salt,
                })
                .collect();
            let oldest_kept = kvno.saturating_sub(keep_old);
            entry
                .keys
                .retain(|k| k.kvno >= oldest_kept && k.kvno < kvno);
            tx.execute(
                "DELETE FROM keys WHERE principal = ?1 AND (kvno < ?2 OR kvno >= ?3)",
                params![name, i64::from(oldest_kept), i64::from(kvno)],
            )?;
            for (pos, k) in (0_i64..).zip(&new) {
                write_key(tx, &self.mkey, name, k, pos)?;
            }
            let now = truncate_to_secs(now);
            tx.execute(
                "UPDATE principals SET modified = ?2, modified_by = ?3 WHERE name = ?1",
                params![name, to_unix(now), modified_by],
            )?;
            log_change(tx, name, now)?;
            new.append(&mut entry.keys);
            entry.keys = new;
            entry.modified = now;
            entry.modified_by = modified_by.map(str::to_owned);
            Ok((entry, kvno))
        })?;
        self.cache.insert(name.to_owned(), Arc::new(entry));
        Ok(kvno)
    }

    fn record_auth(&self, name: &str, event: AuthEvent, at: SystemTime) -> Result<(), DbError> {
        let at = truncate_to_secs(at);
        let (_guard, ()) = self.write_tx(|tx| {
            let n = match event {
                AuthEvent::Success => tx.execute(
                    "UPDATE principals SET fail_count = 0, last_success = ?2 WHERE name = ?1",
                    params![name, to_unix(at)],
                )?,
                AuthEvent::Failure => tx.execute(
                    "UPDATE principals SET fail_count = fail_count + 1, last_failure = ?2
                     WHERE name = ?1",
                    params![name, to_unix(at)],
                )?,
            };
            if n == 0 {
                return Err(DbError::NotFound(name.to_owned()));
            }
            log_change(tx, name, at)
        })?;
        if let Some(mut slot) = self.cache.get_mut(name) {
            let e = Arc::make_mut(slot.value_mut());
            match event {
                AuthEvent::Success => {
                    e.fail_count = 0;
                    e.last_success = Some(at);
                }
                AuthEvent::Failure => {
                    e.fail_count = e.fail_count.saturating_add(1);
                    e.last_failure = Some(at);
                }
            }
        }
        Ok(())
    }

    fn refresh(&self) -> Result<(), DbError> {
        let mut inner = self.lock();
        self.schedule_next_check();
        self.catch_up_locked(&mut inner)
    }

    fn sync_changes(&self) -> Result<(), DbError> {
        if self.watch.unchanged() {
            return Ok(());
        }
        let mut inner = self.lock();
        self.catch_up_locked(&mut inner)
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    fn modify(
        &self,
        name: &str,
        change: &mut dyn FnMut(&mut PrincipalEntry) -> Modification,
    ) -> Result<Option<Arc<PrincipalEntry>>, DbError> {
        let (_guard, written) = self.write_tx(|tx| {
            let Some(mut entry) = read_entry(tx, &self.mkey, name)? else {
                return Err(DbError::NotFound(name.to_owned()));
            };
            let what = change(&mut entry);
            if matches!(what, Modification::Abort) {
                return Ok(None);
            }
            if entry.name != name {
                return Err(DbError::InvalidName(entry.name));
            }
            entry.sort_keys();
            write_entry(tx, &self.mkey, &entry)?;
            if let Modification::PasswordChange {
                retired,
                history_kvnos,
            } = &what
            {
                policy_store::append_history(tx, &self.mkey, name, retired, *history_kvnos)?;
                policy_store::set_pw_change(tx, name, to_unix(entry.modified))?;
            }
            log_change(tx, name, SystemTime::now())?;
            Ok(Some(Arc::new(entry)))
        })?;
        if let Some(e) = &written {
            self.cache.insert(name.to_owned(), Arc::clone(e));
        }
        Ok(written)
    }

    fn password_history(&self, name: &str) -> Result<Vec<KeyData>, DbError> {
        let inner = self.lock();
        policy_store::read_history(&inner.conn, &self.mkey, name)
    }

    fn last_password_change(&self, name: &str) -> Result<Option<SystemTime>, DbError> {
        let inner = self.lock();
        Ok(policy_store::get_pw_change(&inner.conn, name)?.map(super::entry::from_unix))
    }

    fn rename(&self, old: &str, entry: &PrincipalEntry) -> Result<(), DbError> {
        self.check_name(&entry.name)?;
        let mut entry = entry.clone();
        entry.sort_keys();
        let (_guard, ()) = self.write_tx(|tx| {
            let Some(stored) = read_entry(tx, &self.mkey, old)? else {
                return Err(DbError::NotFound(old.to_owned()));
            };
            // The lockout state as stored now (a KDC may have counted a
            // failure since the caller read the entry).
            entry.fail_count = stored.fail_count;
            entry.last_failure = stored.last_failure;
            entry.last_success = stored.last_success;
            if principal_exists(tx, &entry.name)? {
                return Err(DbError::AlreadyExists(entry.name.clone()));
            }
            tx.execute("DELETE FROM keys WHERE principal = ?1", params![old])?;
            tx.execute("DELETE FROM principals WHERE name = ?1", params![old])?;
            write_entry(tx, &self.mkey, &entry)?;
            policy_store::rename_history(tx, &self.mkey, old, &entry.name)?;
            let now = SystemTime::now();
            log_change(tx, old, now)?;
            log_change(tx, &entry.name, now)
        })?;
        self.cache.remove(old);
        self.cache.insert(entry.name.clone(), Arc::new(entry));
        Ok(())
    }

    fn set_fail_state(
        &self,
        name: &str,
        fail_count: u32,
        last_failure: Option<SystemTime>,
    ) -> Result<(), DbError> {
        let last_failure = last_failure.map(truncate_to_secs);
        let (_guard, ()) = self.write_tx(|tx| {
            let n = tx.execute(
                "UPDATE principals SET fail_count = ?2, last_failure = ?3 WHERE name = ?1",
                params![name, i64::from(fail_count), last_failure.map(to_unix)],
            )?;
            if n == 0 {
                return Err(DbError::NotFound(name.to_owned()));
            }
            log_change(tx, name, SystemTime::now())
        })?;
        if let Some(mut slot) = self.cache.get_mut(name) {
            let e = Arc::make_mut(slot.value_mut());
            e.fail_count = fail_count;
            e.last_failure = last_failure;
        }
        Ok(())
    }

    fn get_policy(&self, name: &str) -> Result<Option<Policy>, DbError> {
        let inner = self.lock();
        policy_store::read_policy(&inner.conn, name)
    }

    fn create_policy(&self, p: &Policy) -> Result<(), DbError> {
        self.write_policy(p, true)
    }

    fn update_policy(&self, p: &Policy) -> Result<(), DbError> {
        self.write_policy(p, false)
    }

    fn delete_policy(&self, name: &str) -> Result<bool, DbError> {
        let (_guard, existed) = self.write_tx(|tx| policy_store::delete_policy(tx, name))?;
        self.generation.fetch_add(1, Ordering::AcqRel);
        Ok(existed)
    }

    fn list_policies(&self, glob: &str) -> Result<Vec<String>, DbError> {
        let inner = self.lock();
        policy_store::list_policies(&inner.conn, glob)
    }
}

/// Refreshes `store` every `interval` on a blocking thread until `shutdown`
/// is cancelled, so that lookups never touch SQLite. Errors are logged and
/// the cached entries keep being served.
pub async fn refresh_loop(
    store: Arc<SqliteStore>,
    interval: Duration,
    shutdown: tokio_util::sync::CancellationToken,
) {
    let mut ticker = tokio::time::interval(interval.max(Duration::from_millis(10)));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => break,
            _ = ticker.tick() => {}
        }
        let s = Arc::clone(&store);
        match tokio::task::spawn_blocking(move || s.refresh()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "principal cache refresh failed; serving cached entries");
            }
            Err(e) => tracing::error!(error = %e, "principal cache refresh task failed"),
        }
    }
}
