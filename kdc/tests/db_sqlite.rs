//! SQLite principal store: CRUD, kvnos, encryption at rest, master key
//! checks, multi-process visibility, persistence.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tessera_kdc::db::{
    AuthEvent, DbError, KeyData, KeyMaterial, MasterKey, NewKey, Policy, PrincipalEntry,
    PrincipalFlags, PrincipalStore, SaltInfo, SqliteStore, StoreOptions,
};

const REALM: &str = "TEST.REALM";

fn opts() -> StoreOptions {
    StoreOptions {
        refresh_interval: Duration::from_millis(0),
        ..StoreOptions::default()
    }
}

fn mkey(b: u8) -> MasterKey {
    MasterKey::from_bytes([b; 32])
}

fn t(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

fn key(kvno: u32, enctype: i32, byte: u8) -> KeyData {
    KeyData {
        kvno,
        enctype,
        key: KeyMaterial::from_slice(&[byte; 32]),
        salt: Some(SaltInfo {
            salt_type: 0,
            salt: b"TEST.REALMuser".to_vec(),
            s2kparams: Some(vec![0, 0, 16, 0]),
        }),
    }
}

fn entry(name: &str) -> PrincipalEntry {
    let mut e = PrincipalEntry::new(
        name,
        PrincipalFlags::new_principal_default(true),
        t(1_700_000_000),
    );
    e.keys = vec![key(1, 18, 0xA1), key(1, 17, 0xA2)];
    e.max_life = Some(Duration::from_secs(3600));
    e.expiration = Some(t(1_800_000_000));
    e.policy = Some("default".into());
    e.modified_by = Some("test".into());
    e
}

fn create(path: &Path) -> SqliteStore {
    SqliteStore::create(path, REALM, mkey(7), opts()).unwrap()
}

#[test]
fn create_get_update_delete_list() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.sqlite3");
    let s = create(&db);
    let e = entry("user@TEST.REALM");
    s.create(&e).unwrap();
    assert!(matches!(s.create(&e), Err(DbError::AlreadyExists(_))));
    let got = s.get("user@TEST.REALM").unwrap().unwrap();
    assert_eq!(*got, e);
    assert!(s.get("nobody@TEST.REALM").unwrap().is_none());

    let mut e2 = e.clone();
    e2.flags.set(PrincipalFlags::ALLOW_TIX, false);
    s.update(&e2).unwrap();
    assert!(!s.get("user@TEST.REALM").unwrap().unwrap().is_enabled());
    assert!(matches!(
        s.update(&entry("ghost@TEST.REALM")),
        Err(DbError::NotFound(_))
    ));
    s.put(&entry("host/a.example@TEST.REALM")).unwrap();
    s.put(&entry("host/b.example@TEST.REALM")).unwrap();
    assert_eq!(
        s.list("host/*").unwrap(),
        vec!["host/a.example@TEST.REALM", "host/b.example@TEST.REALM"]
    );
    assert_eq!(s.list("*").unwrap().len(), 3);
    assert!(s.delete("user@TEST.REALM").unwrap());
    assert!(!s.delete("user@TEST.REALM").unwrap());
    assert!(s.get("user@TEST.REALM").unwrap().is_none());
    assert!(matches!(
        s.create(&entry("no-realm")),
        Err(DbError::InvalidName(_))
    ));
}

#[test]
fn multiple_kvnos_kept_and_pruned() {
    let dir = tempfile::tempdir().unwrap();
    let s = create(&dir.path().join("p.sqlite3"));
    s.create(&entry("svc/h@TEST.REALM")).unwrap();
    for round in 2..=5u8 {
        let kvno = s
            .add_key_set(
                "svc/h@TEST.REALM",
                vec![NewKey {
                    enctype: 18,
                    key: KeyMaterial::from_slice(&[round; 32]),
                    salt: None,
                }],
                2,
                t(1_700_000_100),
                Some("admin"),
            )
            .unwrap();
        assert_eq!(kvno, u32::from(round));
    }
    let e = s.get("svc/h@TEST.REALM").unwrap().unwrap();
    assert_eq!(e.current_kvno(), 5);
    let kvnos: Vec<u32> = e.keys.iter().map(|k| k.kvno).collect();
    assert_eq!(kvnos, vec![5, 4, 3]);
    assert_eq!(e.key(4, 18).unwrap().key.as_bytes(), &[4u8; 32]);
    assert!(e.key(2, 18).is_none());
    assert_eq!(e.modified_by.as_deref(), Some("admin"));
    // The same from the database, not just the cache.
    drop(s);
    let s = SqliteStore::open(&dir.path().join("p.sqlite3"), REALM, mkey(7), opts()).unwrap();
    assert_eq!(*s.get("svc/h@TEST.REALM").unwrap().unwrap(), *e);
    assert!(matches!(
        s.add_key_set("ghost@TEST.REALM", vec![], 1, t(0), None),
        Err(DbError::NotFound(_))
    ));
}

#[test]
fn keys_are_encrypted_at_rest() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.sqlite3");
    let s = create(&db);
    s.create(&entry("user@TEST.REALM")).unwrap();
    let raw = rusqlite_raw_blobs(&db);
    assert_eq!(raw.len(), 2);
    for blob in raw {
        assert!(!blob.windows(32).any(|w| w == [0xA1; 32] || w == [0xA2; 32]));
        assert!(!blob.windows(4).any(|w| w == [0xA1; 4] || w == [0xA2; 4]));
        assert!(blob.len() >= 1 + 12 + 32 + 16);
    }
}

fn rusqlite_raw_blobs(db: &Path) -> Vec<Vec<u8>> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare("SELECT key_blob FROM keys").unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn swapped_key_rows_do_not_decrypt() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.sqlite3");
    let s = create(&db);
    s.create(&entry("a@TEST.REALM")).unwrap();
    s.create(&entry("b@TEST.REALM")).unwrap();
    drop(s);
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "UPDATE keys SET key_blob = (SELECT key_blob FROM keys WHERE principal = 'a@TEST.REALM' AND enctype = 18)
         WHERE principal = 'b@TEST.REALM' AND enctype = 18",
        [],
    )
    .unwrap();
    drop(conn);
    let s = SqliteStore::open(&db, REALM, mkey(7), opts()).unwrap();
    assert!(s.get("a@TEST.REALM").unwrap().is_some());
    // The tampered entry is not served.
    assert!(s.get("b@TEST.REALM").unwrap().is_none());
}

#[test]
fn wrong_master_key_realm_and_missing_db() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.sqlite3");
    drop(create(&db));
    let e = SqliteStore::open(&db, REALM, mkey(8), opts()).unwrap_err();
    assert!(matches!(e, DbError::WrongMasterKey(_)));
    assert_eq!(e.to_string(), "wrong master key for realm TEST.REALM");
    let e = SqliteStore::open(&db, "OTHER", mkey(7), opts()).unwrap_err();
    assert!(matches!(e, DbError::RealmMismatch { .. }));
    let e =
        SqliteStore::open(&dir.path().join("none.sqlite3"), REALM, mkey(7), opts()).unwrap_err();
    assert!(matches!(e, DbError::NotInitialized(_)));
    let e = SqliteStore::create(&db, REALM, mkey(7), opts()).unwrap_err();
    assert!(matches!(e, DbError::AlreadyInitialized(_)));
}

#[test]
fn second_process_writes_are_seen_after_refresh() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.sqlite3");
    let server = create(&db);
    server.create(&entry("keep@TEST.REALM")).unwrap();
    server.create(&entry("gone@TEST.REALM")).unwrap();
    // A second connection, as another process (kadmin -l) would have.
    let admin = SqliteStore::open(&db, REALM, mkey(7), opts()).unwrap();
    admin.create(&entry("new@TEST.REALM")).unwrap();
    assert!(admin.delete("gone@TEST.REALM").unwrap());
    let mut changed = (*admin.get("keep@TEST.REALM").unwrap().unwrap()).clone();
    changed.fail_count = 3;
    changed.flags.set(PrincipalFlags::REQUIRES_PREAUTH, false);
    admin.update(&changed).unwrap();
    admin
        .record_auth("keep@TEST.REALM", AuthEvent::Failure, t(1_700_000_500))
        .unwrap();

    server.refresh().unwrap();
    assert!(server.get("new@TEST.REALM").unwrap().is_some());
    assert!(server.get("gone@TEST.REALM").unwrap().is_none());
    let k = server.get("keep@TEST.REALM").unwrap().unwrap();
    assert_eq!(k.fail_count, 4);
    assert_eq!(k.last_failure, Some(t(1_700_000_500)));
    assert!(!k.flags.contains(PrincipalFlags::REQUIRES_PREAUTH));

    // Automatic refresh from `get` (interval 0 here).
    admin.create(&entry("auto@TEST.REALM")).unwrap();
    assert!(server.get("auto@TEST.REALM").unwrap().is_some());

    server
        .record_auth("keep@TEST.REALM", AuthEvent::Success, t(1_700_000_600))
        .unwrap();
    let k = server.get("keep@TEST.REALM").unwrap().unwrap();
    assert_eq!((k.fail_count, k.last_success), (0, Some(t(1_700_000_600))));
    admin.refresh().unwrap();
    assert_eq!(admin.get("keep@TEST.REALM").unwrap().unwrap().fail_count, 0);
}

#[test]
fn refresh_interval_limits_checks() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.sqlite3");
    let slow = StoreOptions {
        refresh_interval: Duration::from_secs(3600),
        ..StoreOptions::default()
    };
    let server = SqliteStore::create(&db, REALM, mkey(7), slow).unwrap();
    let admin = SqliteStore::open(&db, REALM, mkey(7), opts()).unwrap();
    admin.create(&entry("x@TEST.REALM")).unwrap();
    // Not yet: the interval has not elapsed, `get` stays in memory.
    assert!(server.get("x@TEST.REALM").unwrap().is_none());
    server.refresh().unwrap();
    assert!(server.get("x@TEST.REALM").unwrap().is_some());
}

#[test]
fn data_survives_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.sqlite3");
    let e = entry("user@TEST.REALM");
    {
        let s = create(&db);
        s.create(&e).unwrap();
    }
    let s = SqliteStore::open(&db, REALM, mkey(7), opts()).unwrap();
    assert_eq!(*s.get("user@TEST.REALM").unwrap().unwrap(), e);
    assert_eq!(s.cached_len(), 1);
}

#[tokio::test]
async fn refresh_loop_picks_up_other_process_writes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.sqlite3");
    let no_auto = StoreOptions {
        refresh_on_get: false,
        ..opts()
    };
    let server = std::sync::Arc::new(SqliteStore::create(&db, REALM, mkey(7), no_auto).unwrap());
    let token = tokio_util::sync::CancellationToken::new();
    let task = tokio::spawn(tessera_kdc::db::refresh_loop(
        std::sync::Arc::clone(&server),
        Duration::from_millis(20),
        token.clone(),
    ));
    let admin = SqliteStore::open(&db, REALM, mkey(7), opts()).unwrap();
    admin.create(&entry("bg@TEST.REALM")).unwrap();
    let t0 = std::time::Instant::now();
    while server.get("bg@TEST.REALM").unwrap().is_none() {
        assert!(t0.elapsed() < Duration::from_secs(5), "not picked up");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    token.cancel();
    task.await.unwrap();
}

/// Options of a serving KDC's store: no refresh from `get`, and no
/// background refresh either (nothing runs one here), so only
/// `sync_changes` can bring other connections' commits in.
fn serving_opts() -> StoreOptions {
    StoreOptions {
        refresh_on_get: false,
        refresh_interval: Duration::from_secs(3600),
        ..StoreOptions::default()
    }
}

#[test]
fn sync_changes_sees_every_commit_of_another_connection_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.sqlite3");
    let kdc = SqliteStore::create(&db, REALM, mkey(7), serving_opts()).unwrap();
    let admin = SqliteStore::open(&db, REALM, mkey(7), opts()).unwrap();
    let gen0 = kdc.generation();
    for i in 0..50 {
        let name = format!("p{i}@TEST.REALM");
        admin.create(&entry(&name)).unwrap();
        assert!(kdc.get(&name).unwrap().is_none(), "seen before sync");
        kdc.sync_changes().unwrap();
        assert!(kdc.get(&name).unwrap().is_some(), "round {i}: add not seen");
        // The KDC's own write between two commits of the other connection
        // does not hide the next one.
        kdc.record_auth(&name, AuthEvent::Failure, t(1_700_000_000 + i))
            .unwrap();
        let mut e = (*admin.get(&name).unwrap().unwrap()).clone();
        e.flags.set(PrincipalFlags::ALLOW_TIX, false);
        admin.update(&e).unwrap();
        kdc.sync_changes().unwrap();
        let seen = kdc.get(&name).unwrap().unwrap();
        assert!(!seen.flags.contains(PrincipalFlags::ALLOW_TIX), "round {i}");
        assert_eq!(seen.fail_count, 1, "round {i}: own write lost");
        assert!(admin.delete(&name).unwrap());
        kdc.sync_changes().unwrap();
        assert!(
            kdc.get(&name).unwrap().is_none(),
            "round {i}: delete not seen"
        );
    }
    // Nothing committed: nothing changes, and the generation stays.
    let gen1 = kdc.generation();
    assert!(
        gen1 > gen0,
        "other connections' commits move the generation"
    );
    kdc.sync_changes().unwrap();
    assert_eq!(kdc.generation(), gen1);
    // A policy written elsewhere moves it too (policy caches key on it).
    admin.create_policy(&Policy::new("p")).unwrap();
    kdc.sync_changes().unwrap();
    assert!(kdc.generation() > gen1);
}

/// POSIX record locks this process holds on `path` (from /proc/locks).
fn posix_locks_held_on(path: &Path) -> usize {
    use std::os::unix::fs::MetadataExt;
    let ino = std::fs::metadata(path).unwrap().ino().to_string();
    let pid = std::process::id().to_string();
    std::fs::read_to_string("/proc/locks")
        .unwrap()
        .lines()
        .filter(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            // "1: POSIX ADVISORY READ PID MAJ:MIN:INODE START END"
            f.get(1) == Some(&"POSIX")
                && f.get(4) == Some(&pid.as_str())
                && f.get(5).and_then(|d| d.rsplit(':').next()) == Some(ino.as_str())
        })
        .count()
}

#[test]
fn dropping_a_store_keeps_the_other_stores_wal_locks() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.sqlite3");
    let shm = dir.path().join("p.sqlite3-shm");
    let kdc = SqliteStore::create(&db, REALM, mkey(7), serving_opts()).unwrap();
    let held = posix_locks_held_on(&shm);
    assert!(held > 0, "SQLite holds its WAL-index lock");
    for _ in 0..3 {
        let other = SqliteStore::open(&db, REALM, mkey(7), opts()).unwrap();
        other.create(&entry(&format!("x{}@TEST.REALM", held))).ok();
        drop(other);
        assert_eq!(
            posix_locks_held_on(&shm),
            held,
            "closing another store must not drop this store's locks"
        );
    }
    kdc.sync_changes().unwrap();
    assert!(kdc.get(&format!("x{held}@TEST.REALM")).unwrap().is_some());
}
