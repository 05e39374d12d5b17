//! The principal database: the [`PrincipalStore`] trait every backend
//! implements, the entry types, the master key, and the SQLite backend.
//!
//! Lookups ([`PrincipalStore::get`]) are served from memory and return an
//! `Arc` of the decrypted entry; writes go to the backing store and update the
//! cache. Writes by other processes are picked up by
//! [`PrincipalStore::sync_changes`], which the KDC calls before every request
//! (read-your-writes: a change committed anywhere is honoured by the next
//! request), and in the background by [`refresh_loop`].

pub use tessera_kdc_core::entry;
mod core_store;
pub mod master_key;
pub mod policy_store;
pub mod sqlite;
mod sqlite_schema;
mod wal_watch;

use std::sync::Arc;
use std::time::SystemTime;

pub use core_store::CoreStore;
pub use entry::{
    AuthEvent, KeyData, KeyMaterial, PrincipalEntry, PrincipalFlags, SaltInfo, default_salt,
    split_principal,
};
pub use master_key::{MasterKey, MasterKeyError};
pub use policy_store::Policy;
pub use sqlite::{SqliteStore, StoreOptions, refresh_loop};

/// A key to add in a new key set ([`PrincipalStore::add_key_set`]); the kvno
/// is assigned by the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKey {
    /// Enctype number.
    pub enctype: i32,
    /// Key bytes.
    pub key: KeyMaterial,
    /// Salt and string-to-key parameters.
    pub salt: Option<SaltInfo>,
}

/// Database errors. Display is one line.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// No database at this path.
    #[error("database {0} does not exist (run `tessera-kdc init` first)")]
    NotInitialized(String),
    /// `init` on a database that already holds a realm.
    #[error("database {0} is already initialized")]
    AlreadyInitialized(String),
    /// The master key does not open the realm's verifier.
    #[error("wrong master key for realm {0}")]
    WrongMasterKey(String),
    /// The database holds a different realm.
    #[error("database holds realm {found}, configuration says {expected}")]
    RealmMismatch {
        /// Realm from the configuration.
        expected: String,
        /// Realm in the database.
        found: String,
    },
    /// Unknown schema version.
    #[error("database schema version {found} is not supported (this build knows {supported})")]
    SchemaVersion {
        /// Version found.
        found: i64,
        /// Version this build supports.
        supported: i64,
    },
    /// No such principal.
    #[error("principal {0} does not exist")]
    NotFound(String),
    /// The principal exists already.
    #[error("principal {0} already exists")]
    AlreadyExists(String),
    /// A malformed principal name (or one outside the realm).
    #[error("invalid principal name {0:?}")]
    InvalidName(String),
    /// A stored row could not be decoded or decrypted.
    #[error("principal {principal}: stored entry is corrupt: {detail}")]
    Corrupt {
        /// Principal name.
        principal: String,
        /// What is wrong.
        detail: &'static str,
    },
    /// Master key problem.
    #[error(transparent)]
    MasterKey(#[from] MasterKeyError),
    /// SQLite error. A full disk (SQLITE_FULL) says so and what to do.
    #[error("{}", sqlite_message(.0))]
    Sqlite(#[from] rusqlite::Error),
    /// Filesystem error.
    #[error("{path}: {source}")]
    Io {
        /// Path involved.
        path: String,
        /// Underlying error.
        source: std::io::Error,
    },
    /// No such policy.
    #[error("policy {0} does not exist")]
    PolicyNotFound(String),
    /// The policy exists already.
    #[error("policy {0} already exists")]
    PolicyExists(String),
    /// A principal still refers to the policy.
    #[error("policy {0} is in use by at least one principal")]
    PolicyInUse(String),
    /// The backend does not implement this operation.
    #[error("this database backend does not support {0}")]
    Unsupported(&'static str),
}

impl DbError {
    /// Whether SQLite refused the write because the disk (or the file
    /// system holding the database) is full.
    pub fn is_disk_full(&self) -> bool {
        matches!(self, DbError::Sqlite(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull))
    }
}

/// One line for a SQLite error; SQLITE_FULL names the cause and the remedy.
fn sqlite_message(e: &rusqlite::Error) -> String {
    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull) {
        return "database error: the disk holding the database is full, so the change was \
                not written (nothing acknowledged is lost): free space on that file system, \
                then retry"
            .to_owned();
    }
    format!("database error: {e}")
}

/// What the change passed to [`PrincipalStore::modify`] asks for.
#[derive(Debug)]
pub enum Modification {
    /// Write the entry as changed.
    Write,
    /// Write it as a password change: the `retired` keys join the password
    /// history, which keeps the newest `history_kvnos` kvnos (0 clears it),
    /// and the entry's `modified` becomes the time of the last password
    /// change.
    PasswordChange {
        /// The key set the change replaces.
        retired: Vec<KeyData>,
        /// Retired kvnos the history keeps.
        history_kvnos: u32,
    },
    /// Write nothing.
    Abort,
}

/// A principal database backend.
///
/// Implementations must be cheap to call concurrently: `get` is on the hot
/// path of every AS/TGS exchange and must not take a global lock or do I/O on
/// every call.
pub trait PrincipalStore: Send + Sync {
    /// The realm this store holds.
    fn realm(&self) -> &str;

    /// Looks up a principal by canonical name (`comp/comp@REALM`).
    fn get(&self, name: &str) -> Result<Option<Arc<PrincipalEntry>>, DbError>;

    /// Creates a principal; fails with [`DbError::AlreadyExists`].
    fn create(&self, entry: &PrincipalEntry) -> Result<(), DbError>;

    /// Replaces an existing principal (attributes and keys); fails with
    /// [`DbError::NotFound`].
    fn update(&self, entry: &PrincipalEntry) -> Result<(), DbError>;

    /// Creates or replaces a principal.
    fn put(&self, entry: &PrincipalEntry) -> Result<(), DbError>;

    /// Deletes a principal; returns whether it existed.
    fn delete(&self, name: &str) -> Result<bool, DbError>;

    /// Names matching a glob (`*`, `?`, `[...]`, case-sensitive), sorted.
    fn list(&self, glob: &str) -> Result<Vec<String>, DbError>;

    /// Adds a new key set at kvno = current + 1 (1 for the first), keeps
    /// `keep_old` older kvnos and drops the rest; returns the new kvno.
    fn add_key_set(
        &self,
        name: &str,
        keys: Vec<NewKey>,
        keep_old: u32,
        now: SystemTime,
        modified_by: Option<&str>,
    ) -> Result<u32, DbError>;

    /// Records a pre-authentication success or failure (lockout fields).
    fn record_auth(&self, name: &str, event: AuthEvent, at: SystemTime) -> Result<(), DbError>;

    /// Picks up changes made by other processes now.
    fn refresh(&self) -> Result<(), DbError>;

    /// Brings the cache up to date with every write committed, by any
    /// process, before this call: after it returns, `get` answers as the
    /// database does. Called once per KDC request, so it must be cheap (no
    /// lock, no query) when nothing was committed.
    fn sync_changes(&self) -> Result<(), DbError>;

    /// A number that changes whenever data not held in the principal
    /// entries themselves (policies) may have changed, in this process or
    /// another one (as seen by the last [`PrincipalStore::sync_changes`] or
    /// refresh). Caches of such data compare it to know they are stale.
    fn generation(&self) -> u64;

    /// Reads principal `name` inside one write transaction, lets `change`
    /// edit it, and writes what it asks for in that same transaction: no
    /// write committed in between by anyone (a KDC's lockout count, another
    /// admin's change) is lost, as it would be by a `get` then `update`.
    /// `change` must not rename the entry. Returns the entry written, or
    /// `None` when `change` aborted; [`DbError::NotFound`] when there is no
    /// such principal.
    fn modify(
        &self,
        name: &str,
        change: &mut dyn FnMut(&mut PrincipalEntry) -> Modification,
    ) -> Result<Option<Arc<PrincipalEntry>>, DbError>;

    /// Old key sets kept for the password-history check, newest first.
    fn password_history(&self, name: &str) -> Result<Vec<KeyData>, DbError> {
        let _ = name;
        Ok(Vec::new())
    }

    /// When the keys were last changed through
    /// [`Modification::PasswordChange`] (None = not since creation).
    fn last_password_change(&self, name: &str) -> Result<Option<SystemTime>, DbError> {
        let _ = name;
        Ok(None)
    }

    /// Renames principal `old` to `entry.name` (whose keys and attributes
    /// are written as given, but for the lockout state, kept as stored) in
    /// one transaction, moving its history. Fails
    /// with [`DbError::NotFound`] / [`DbError::AlreadyExists`].
    fn rename(&self, old: &str, entry: &PrincipalEntry) -> Result<(), DbError> {
        let _ = (old, entry);
        Err(DbError::Unsupported("rename"))
    }

    /// Sets the failure counter and time of the last failure (lockout
    /// bookkeeping; `unlock` sets 0 and None).
    fn set_fail_state(
        &self,
        name: &str,
        fail_count: u32,
        last_failure: Option<SystemTime>,
    ) -> Result<(), DbError> {
        let Some(e) = self.get(name)? else {
            return Err(DbError::NotFound(name.to_owned()));
        };
        let mut e = (*e).clone();
        e.fail_count = fail_count;
        e.last_failure = last_failure;
        self.update(&e)
    }

    /// Looks up a password policy.
    fn get_policy(&self, name: &str) -> Result<Option<Policy>, DbError> {
        let _ = name;
        Err(DbError::Unsupported("policies"))
    }

    /// Creates a policy; fails with [`DbError::PolicyExists`].
    fn create_policy(&self, policy: &Policy) -> Result<(), DbError> {
        let _ = policy;
        Err(DbError::Unsupported("policies"))
    }

    /// Replaces a policy; fails with [`DbError::PolicyNotFound`].
    fn update_policy(&self, policy: &Policy) -> Result<(), DbError> {
        let _ = policy;
        Err(DbError::Unsupported("policies"))
    }

    /// Deletes a policy; fails with [`DbError::PolicyInUse`] while a
    /// principal refers to it. Returns whether it existed.
    fn delete_policy(&self, name: &str) -> Result<bool, DbError> {
        let _ = name;
        Err(DbError::Unsupported("policies"))
    }

    /// Policy names matching a glob, sorted.
    fn list_policies(&self, glob: &str) -> Result<Vec<String>, DbError> {
        let _ = glob;
        Err(DbError::Unsupported("policies"))
    }
}

impl<T: PrincipalStore + ?Sized> PrincipalStore for Arc<T> {
    fn realm(&self) -> &str {
        (**self).realm()
    }
    fn get(&self, name: &str) -> Result<Option<Arc<PrincipalEntry>>, DbError> {
        (**self).get(name)
    }
    fn create(&self, entry: &PrincipalEntry) -> Result<(), DbError> {
        (**self).create(entry)
    }
    fn update(&self, entry: &PrincipalEntry) -> Result<(), DbError> {
        (**self).update(entry)
    }
    fn put(&self, entry: &PrincipalEntry) -> Result<(), DbError> {
        (**self).put(entry)
    }
    fn delete(&self, name: &str) -> Result<bool, DbError> {
        (**self).delete(name)
    }
    fn list(&self, glob: &str) -> Result<Vec<String>, DbError> {
        (**self).list(glob)
    }
    fn add_key_set(
        &self,
        name: &str,
        keys: Vec<NewKey>,
        keep_old: u32,
        now: SystemTime,
        modified_by: Option<&str>,
    ) -> Result<u32, DbError> {
        (**self).add_key_set(name, keys, keep_old, now, modified_by)
    }
    fn record_auth(&self, name: &str, event: AuthEvent, at: SystemTime) -> Result<(), DbError> {
        (**self).record_auth(name, event, at)
    }
    fn refresh(&self) -> Result<(), DbError> {
        (**self).refresh()
    }
    fn sync_changes(&self) -> Result<(), DbError> {
        (**self).sync_changes()
    }
    fn generation(&self) -> u64 {
        (**self).generation()
    }
    fn modify(
        &self,
        name: &str,
        change: &mut dyn FnMut(&mut PrincipalEntry) -> Modification,
    ) -> Result<Option<Arc<PrincipalEntry>>, DbError> {
        (**self).modify(name, change)
    }
    fn password_history(&self, name: &str) -> Result<Vec<KeyData>, DbError> {
        (**self).password_history(name)
    }
    fn rename(&self, old: &str, entry: &PrincipalEntry) -> Result<(), DbError> {
        (**self).rename(old, entry)
    }
    fn last_password_change(&self, name: &str) -> Result<Option<SystemTime>, DbError> {
        (**self).last_password_change(name)
    }
    fn set_fail_state(
        &self,
        name: &str,
        fail_count: u32,
        last_failure: Option<SystemTime>,
    ) -> Result<(), DbError> {
        (**self).set_fail_state(name, fail_count, last_failure)
    }
    fn get_policy(&self, name: &str) -> Result<Option<Policy>, DbError> {
        (**self).get_policy(name)
    }
    fn create_policy(&self, policy: &Policy) -> Result<(), DbError> {
        (**self).create_policy(policy)
    }
    fn update_policy(&self, policy: &Policy) -> Result<(), DbError> {
        (**self).update_policy(policy)
    }
    fn delete_policy(&self, name: &str) -> Result<bool, DbError> {
        (**self).delete_policy(name)
    }
    fn list_policies(&self, glob: &str) -> Result<Vec<String>, DbError> {
        (**self).list_policies(glob)
    }
}
