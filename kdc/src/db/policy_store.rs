//! Password policies and password history: the stored form and the SQL that
//! reads and writes them (schema version 2).
//!
//! A policy is a named set of password-quality and lockout limits that
//! principals refer to by name (`principals.policy`). The checks themselves
//! live in `crate::admin::password_quality`; this module only persists.
//!
//! Password history: when a principal's keys change, the retired key set is
//! copied to `password_history`, sealed under the master key like live keys
//! (bound to `history:<principal>`), so that a new password can be compared
//! with old ones by deriving a key with the stored salt.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::entry::KeyData;
use super::sqlite_schema::read_sealed_keys;
use super::{DbError, MasterKey};

pub use tessera_kdc_core::stored_policy::Policy;

fn u64_to_db(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn u64_from_db(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn u32_from_db(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}

/// Reads one policy.
pub(crate) fn read_policy(conn: &Connection, name: &str) -> Result<Option<Policy>, DbError> {
    Ok(conn
        .query_row(
            "SELECT max_life, min_life, min_length, min_classes, history, max_failure,
                    failure_count_interval, lockout_duration
             FROM policies WHERE name = ?1",
            params![name],
            |r| {
                Ok(Policy {
                    name: name.to_owned(),
                    max_life: u64_from_db(r.get(0)?),
                    min_life: u64_from_db(r.get(1)?),
                    min_length: u32_from_db(r.get(2)?),
                    min_classes: u32_from_db(r.get(3)?),
                    history: u32_from_db(r.get(4)?),
                    max_failure: u32_from_db(r.get(5)?),
                    failure_count_interval: u64_from_db(r.get(6)?),
                    lockout_duration: u64_from_db(r.get(7)?),
                })
            },
        )
        .optional()?)
}

/// Inserts (`create`) or updates a policy; fails with `PolicyExists` /
/// `PolicyNotFound`.
pub(crate) fn write_policy(tx: &Transaction<'_>, p: &Policy, create: bool) -> Result<(), DbError> {
    let exists: bool = tx.query_row(
        "SELECT COUNT(*) > 0 FROM policies WHERE name = ?1",
        params![p.name],
        |r| r.get(0),
    )?;
    if create && exists {
        return Err(DbError::PolicyExists(p.name.clone()));
    }
    if !create && !exists {
        return Err(DbError::PolicyNotFound(p.name.clone()));
    }
    tx.execute(
        "INSERT INTO policies (name, max_life, min_life, min_length, min_classes, history,
             max_failure, failure_count_interval, lockout_duration)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (name) DO UPDATE SET max_life = excluded.max_life,
             min_life = excluded.min_life, min_length = excluded.min_length,
             min_classes = excluded.min_classes, history = excluded.history,
             max_failure = excluded.max_failure,
             failure_count_interval = excluded.failure_count_interval,
             lockout_duration = excluded.lockout_duration",
        params![
            p.name,
            u64_to_db(p.max_life),
            u64_to_db(p.min_life),
            i64::from(p.min_length),
            i64::from(p.min_classes),
            i64::from(p.history),
            i64::from(p.max_failure),
            u64_to_db(p.failure_count_interval),
            u64_to_db(p.lockout_duration),
        ],
    )?;
    Ok(())
}

/// Deletes a policy unless a principal refers to it; returns whether it
/// existed.
pub(crate) fn delete_policy(tx: &Transaction<'_>, name: &str) -> Result<bool, DbError> {
    let users: i64 = tx.query_row(
        "SELECT COUNT(*) FROM principals WHERE policy = ?1",
        params![name],
        |r| r.get(0),
    )?;
    if users > 0 {
        return Err(DbError::PolicyInUse(name.to_owned()));
    }
    Ok(tx.execute("DELETE FROM policies WHERE name = ?1", params![name])? > 0)
}

/// Policy names matching a glob, sorted.
pub(crate) fn list_policies(conn: &Connection, glob: &str) -> Result<Vec<String>, DbError> {
    let mut stmt = conn.prepare("SELECT name FROM policies WHERE name GLOB ?1 ORDER BY name")?;
    let rows = stmt.query_map(params![glob], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn history_aad_name(principal: &str) -> String {
    format!("history:{principal}")
}

/// Reads the password history of `principal` (newest kvno first).
pub(crate) fn read_history(
    conn: &Connection,
    mkey: &MasterKey,
    principal: &str,
) -> Result<Vec<KeyData>, DbError> {
    read_sealed_keys(
        conn,
        mkey,
        "SELECT kvno, enctype, key_blob, salt_type, salt, s2kparams FROM password_history
         WHERE principal = ?1 ORDER BY kvno DESC, enctype ASC",
        principal,
        &history_aad_name(principal),
        [
            "history kvno out of range",
            "a history key does not decrypt under the master key",
        ],
    )
}

/// Appends `retired` keys to the history of `principal` and keeps only the
/// newest `keep_kvnos` kvnos there (0 = clear the history).
pub(crate) fn append_history(
    tx: &Transaction<'_>,
    mkey: &MasterKey,
    principal: &str,
    retired: &[KeyData],
    keep_kvnos: u32,
) -> Result<(), DbError> {
    let aad = history_aad_name(principal);
    for k in retired {
        let blob = mkey.seal_key(&aad, k.kvno, k.enctype, k.key.as_bytes())?;
        tx.execute(
            "INSERT INTO password_history (principal, kvno, enctype, key_blob, salt_type, salt,
                 s2kparams)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (principal, kvno, enctype) DO UPDATE SET key_blob = excluded.key_blob,
                 salt_type = excluded.salt_type, salt = excluded.salt,
                 s2kparams = excluded.s2kparams",
            params![
                principal,
                i64::from(k.kvno),
                k.enctype,
                blob,
                k.salt.as_ref().map(|s| s.salt_type),
                k.salt.as_ref().map(|s| s.salt.as_slice()),
                k.salt.as_ref().and_then(|s| s.s2kparams.as_deref()),
            ],
        )?;
    }
    let kept: Vec<i64> = {
        let mut stmt = tx.prepare(
            "SELECT DISTINCT kvno FROM password_history WHERE principal = ?1
             ORDER BY kvno DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![principal, i64::from(keep_kvnos)], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    match kept.last() {
        Some(&oldest) if keep_kvnos > 0 => {
            tx.execute(
                "DELETE FROM password_history WHERE principal = ?1 AND kvno < ?2",
                params![principal, oldest],
            )?;
        }
        _ => {
            tx.execute(
                "DELETE FROM password_history WHERE principal = ?1",
                params![principal],
            )?;
        }
    }
    Ok(())
}

/// Moves the history of `old` to `new` (re-sealing each key for its new
/// owner).
pub(crate) fn rename_history(
    tx: &Transaction<'_>,
    mkey: &MasterKey,
    old: &str,
    new: &str,
) -> Result<(), DbError> {
    let keys = read_history(tx, mkey, old)?;
    tx.execute(
        "DELETE FROM password_history WHERE principal = ?1",
        params![old],
    )?;
    tx.execute(
        "UPDATE pw_changes SET principal = ?2 WHERE principal = ?1",
        params![old, new],
    )?;
    let n = u32::try_from(keys.len()).unwrap_or(u32::MAX);
    append_history(tx, mkey, new, &keys, n.max(1))
}

/// Records that `principal`'s keys were changed at `at` (seconds).
pub(crate) fn set_pw_change(tx: &Transaction<'_>, principal: &str, at: i64) -> Result<(), DbError> {
    tx.execute(
        "INSERT INTO pw_changes (principal, at) VALUES (?1, ?2)
         ON CONFLICT (principal) DO UPDATE SET at = excluded.at",
        params![principal, at],
    )?;
    Ok(())
}

/// When `principal`'s keys were last changed after creation.
pub(crate) fn get_pw_change(conn: &Connection, principal: &str) -> Result<Option<i64>, DbError> {
    Ok(conn
        .query_row(
            "SELECT at FROM pw_changes WHERE principal = ?1",
            params![principal],
            |r| r.get(0),
        )
        .optional()?)
}
