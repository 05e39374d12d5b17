//! SQL schema of the principal database and row <-> entry conversion.
//!
//! The schema uses only TEXT, INTEGER and BLOB columns and standard SQL so it
//! carries over to PostgreSQL (INTEGER -> BIGINT, BLOB -> BYTEA). Times are
//! seconds since the Unix epoch; durations are seconds.
//!
//! Change tracking: every write appends `(seq, principal, at)` to `changes`
//! in the same transaction, with `seq = MAX(seq) + 1` (portable, no
//! AUTOINCREMENT). Readers remember the last `seq` they applied and reload
//! only the principals named after it. Old rows are pruned, but the newest
//! [`CHANGES_KEPT`] are always kept; a reader that fell behind further does a
//! full reload.

use std::time::{Duration, SystemTime};

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::entry::{
    KeyData, KeyMaterial, PrincipalEntry, PrincipalFlags, SaltInfo, from_unix, to_unix,
};
use super::{DbError, MasterKey};

/// Schema version this build reads and writes.
pub(crate) const SCHEMA_VERSION: i64 = 3;

/// Tables added in schema version 2 (password policies and password
/// history); also run on a version 1 database when it is opened.
pub(crate) const MIGRATION_1_TO_2: &str = "
CREATE TABLE IF NOT EXISTS policies (
    name                   TEXT PRIMARY KEY,
    max_life               INTEGER NOT NULL DEFAULT 0,
    min_life               INTEGER NOT NULL DEFAULT 0,
    min_length             INTEGER NOT NULL DEFAULT 0,
    min_classes            INTEGER NOT NULL DEFAULT 0,
    history                INTEGER NOT NULL DEFAULT 0,
    max_failure            INTEGER NOT NULL DEFAULT 0,
    failure_count_interval INTEGER NOT NULL DEFAULT 0,
    lockout_duration       INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS password_history (
    principal  TEXT NOT NULL,
    kvno       INTEGER NOT NULL,
    enctype    INTEGER NOT NULL,
    key_blob   BLOB NOT NULL,
    salt_type  INTEGER,
    salt       BLOB,
    s2kparams  BLOB,
    PRIMARY KEY (principal, kvno, enctype)
);
CREATE TABLE IF NOT EXISTS pw_changes (
    principal TEXT PRIMARY KEY,
    at        INTEGER NOT NULL
);
";

/// Added in schema version 3: string attributes (`kadmin setstr`), deleted
/// with their principal; also run on a version 2 database when it is opened.
pub(crate) const MIGRATION_2_TO_3: &str = "
CREATE TABLE IF NOT EXISTS principal_strings (
    principal TEXT NOT NULL REFERENCES principals(name) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    value     TEXT NOT NULL,
    position  INTEGER NOT NULL,
    PRIMARY KEY (principal, key)
);
";

/// How many change-log rows are kept.
pub(crate) const CHANGES_KEPT: i64 = 10_000;

pub(crate) const SCHEMA: &str = "
CREATE TABLE schema_version (
    version INTEGER NOT NULL
);
CREATE TABLE realm (
    name          TEXT PRIMARY KEY,
    mkey_verifier BLOB NOT NULL,
    mkey_kvno     INTEGER NOT NULL,
    created       INTEGER NOT NULL
);
CREATE TABLE principals (
    name               TEXT PRIMARY KEY,
    flags              INTEGER NOT NULL,
    max_life           INTEGER,
    max_renewable_life INTEGER,
    expiration         INTEGER,
    pw_expiration      INTEGER,
    created            INTEGER NOT NULL,
    modified           INTEGER NOT NULL,
    modified_by        TEXT,
    policy             TEXT,
    fail_count         INTEGER NOT NULL DEFAULT 0,
    last_failure       INTEGER,
    last_success       INTEGER
);
CREATE TABLE keys (
    principal  TEXT NOT NULL REFERENCES principals(name) ON DELETE CASCADE,
    kvno       INTEGER NOT NULL,
    enctype    INTEGER NOT NULL,
    position   INTEGER NOT NULL,
    key_blob   BLOB NOT NULL,
    salt_type  INTEGER,
    salt       BLOB,
    s2kparams  BLOB,
    PRIMARY KEY (principal, kvno, enctype)
);
CREATE TABLE changes (
    seq       INTEGER PRIMARY KEY,
    principal TEXT NOT NULL,
    at        INTEGER NOT NULL
);
";

fn dur_to_db(d: Option<Duration>) -> Option<i64> {
    d.map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn dur_from_db(v: Option<i64>) -> Option<Duration> {
    v.map(|s| Duration::from_secs(s.max(0) as u64))
}

fn time_to_db(t: Option<SystemTime>) -> Option<i64> {
    t.map(to_unix)
}

/// Appends a change-log row for `name` and prunes old rows.
pub(crate) fn log_change(tx: &Transaction<'_>, name: &str, now: SystemTime) -> Result<(), DbError> {
    tx.execute(
        "INSERT INTO changes (seq, principal, at)
         VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM changes), ?1, ?2)",
        params![name, to_unix(now)],
    )?;
    tx.execute(
        "DELETE FROM changes WHERE seq <= (SELECT MAX(seq) FROM changes) - ?1",
        params![CHANGES_KEPT],
    )?;
    Ok(())
}

/// Writes the principal row and all its keys (replacing what was there).
pub(crate) fn write_entry(
    tx: &Transaction<'_>,
    mkey: &MasterKey,
    e: &PrincipalEntry,
) -> Result<(), DbError> {
    tx.execute(
        "INSERT INTO principals (name, flags, max_life, max_renewable_life, expiration,
             pw_expiration, created, modified, modified_by, policy, fail_count,
             last_failure, last_success)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (name) DO UPDATE SET flags = excluded.flags,
             max_life = excluded.max_life, max_renewable_life = excluded.max_renewable_life,
             expiration = excluded.expiration, pw_expiration = excluded.pw_expiration,
             created = excluded.created, modified = excluded.modified,
             modified_by = excluded.modified_by, policy = excluded.policy,
             fail_count = excluded.fail_count, last_failure = excluded.last_failure,
             last_success = excluded.last_success",
        params![
            e.name,
            i64::from(e.flags.0),
            dur_to_db(e.max_life),
            dur_to_db(e.max_renewable_life),
            time_to_db(e.expiration),
            time_to_db(e.pw_expiration),
            to_unix(e.created),
            to_unix(e.modified),
            e.modified_by,
            e.policy,
            i64::from(e.fail_count),
            time_to_db(e.last_failure),
            time_to_db(e.last_success),
        ],
    )?;
    tx.execute("DELETE FROM keys WHERE principal = ?1", params![e.name])?;
    for (pos, k) in e.keys.iter().enumerate() {
        write_key(tx, mkey, &e.name, k, pos as i64)?;
    }
    write_strings(tx, &e.name, &e.strings)
}

/// Replaces the string attributes of `name`.
fn write_strings(
    tx: &Transaction<'_>,
    name: &str,
    strings: &[(String, String)],
) -> Result<(), DbError> {
    tx.execute(
        "DELETE FROM principal_strings WHERE principal = ?1",
        params![name],
    )?;
    for (pos, (k, v)) in (0_i64..).zip(strings) {
        tx.execute(
            "INSERT INTO principal_strings (principal, key, value, position)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (principal, key) DO UPDATE SET value = excluded.value",
            params![name, k, v, pos],
        )?;
    }
    Ok(())
}

/// The string attributes of `name`, in the order they were first set.
fn read_strings(conn: &Connection, name: &str) -> Result<Vec<(String, String)>, DbError> {
    let mut stmt = conn.prepare_cached(
        "SELECT key, value FROM principal_strings WHERE principal = ?1 ORDER BY position",
    )?;
    let rows = stmt.query_map(params![name], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Writes one key row (sealed under the master key).
pub(crate) fn write_key(
    tx: &Transaction<'_>,
    mkey: &MasterKey,
    name: &str,
    k: &KeyData,
    position: i64,
) -> Result<(), DbError> {
    let blob = mkey.seal_key(name, k.kvno, k.enctype, k.key.as_bytes())?;
    tx.execute(
        "INSERT INTO keys (principal, kvno, enctype, position, key_blob, salt_type, salt, s2kparams)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            name,
            i64::from(k.kvno),
            k.enctype,
            position,
            blob,
            k.salt.as_ref().map(|s| s.salt_type),
            k.salt.as_ref().map(|s| s.salt.as_slice()),
            k.salt.as_ref().and_then(|s| s.s2kparams.as_deref()),
        ],
    )?;
    Ok(())
}

/// Reads and decrypts one principal; None when absent.
pub(crate) fn read_entry(
    conn: &Connection,
    mkey: &MasterKey,
    name: &str,
) -> Result<Option<PrincipalEntry>, DbError> {
    let row = conn
        .query_row(
            "SELECT flags, max_life, max_renewable_life, expiration, pw_expiration, created,
                    modified, modified_by, policy, fail_count, last_failure, last_success
             FROM principals WHERE name = ?1",
            params![name],
            |r| {
                Ok(PrincipalEntry {
                    name: name.to_owned(),
                    flags: PrincipalFlags(r.get::<_, i64>(0)? as u32),
                    max_life: dur_from_db(r.get(1)?),
                    max_renewable_life: dur_from_db(r.get(2)?),
                    expiration: r.get::<_, Option<i64>>(3)?.map(from_unix),
                    pw_expiration: r.get::<_, Option<i64>>(4)?.map(from_unix),
                    created: from_unix(r.get(5)?),
                    modified: from_unix(r.get(6)?),
                    modified_by: r.get(7)?,
                    policy: r.get(8)?,
                    fail_count: r.get::<_, i64>(9)?.clamp(0, i64::from(u32::MAX)) as u32,
                    last_failure: r.get::<_, Option<i64>>(10)?.map(from_unix),
                    last_success: r.get::<_, Option<i64>>(11)?.map(from_unix),
                    keys: Vec::new(),
                    strings: Vec::new(),
                })
            },
        )
        .optional()?;
    let Some(mut entry) = row else {
        return Ok(None);
    };
    entry.strings = read_strings(conn, name)?;
    entry.keys = read_sealed_keys(
        conn,
        mkey,
        "SELECT kvno, enctype, key_blob, salt_type, salt, s2kparams FROM keys
         WHERE principal = ?1 ORDER BY kvno DESC, position ASC",
        name,
        name,
        [
            "kvno out of range",
            "a key does not decrypt under the master key",
        ],
    )?;
    Ok(Some(entry))
}

/// Reads the sealed key rows that `sql` selects for `principal` (columns
/// kvno, enctype, key_blob, salt_type, salt, s2kparams) and opens each under
/// the master key with `aad_name` as its additional data. `corrupt` names
/// the two ways a row can be bad: a kvno out of range, a key that does not
/// decrypt.
pub(crate) fn read_sealed_keys(
    conn: &Connection,
    mkey: &MasterKey,
    sql: &str,
    principal: &str,
    aad_name: &str,
    corrupt: [&'static str; 2],
) -> Result<Vec<KeyData>, DbError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params![principal], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i32>(1)?,
            r.get::<_, Vec<u8>>(2)?,
            r.get::<_, Option<i32>>(3)?,
            r.get::<_, Option<Vec<u8>>>(4)?,
            r.get::<_, Option<Vec<u8>>>(5)?,
        ))
    })?;
    let bad = |detail| DbError::Corrupt {
        principal: principal.to_owned(),
        detail,
    };
    let mut out = Vec::new();
    for row in rows {
        let (kvno, enctype, blob, salt_type, salt, s2kparams) = row?;
        let kvno = u32::try_from(kvno).map_err(|_| bad(corrupt[0]))?;
        let key = mkey
            .open_key(aad_name, kvno, enctype, &blob)
            .map_err(|_| bad(corrupt[1]))?;
        let salt = match (salt_type, salt) {
            (Some(salt_type), Some(salt)) => Some(SaltInfo {
                salt_type,
                salt,
                s2kparams,
            }),
            _ => None,
        };
        out.push(KeyData {
            kvno,
            enctype,
            key: KeyMaterial::from(key),
            salt,
        });
    }
    Ok(out)
}
