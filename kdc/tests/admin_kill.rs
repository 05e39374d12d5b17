//! Crash safety: `kadmin -l` killed (SIGKILL) in the middle of a stream of
//! writes, again and again, never leaves a half-written principal behind.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod admin_common;

use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use admin_common::Realm;
use tessera_kdc::db::PrincipalStore;

/// A small xorshift generator seeded from the clock (no extra dependency).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn kill_during_writes_leaves_consistent_database() {
    let r = Realm::new("");
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("seed {seed}");
    let mut rng = Rng(seed);
    for round in 0..20 {
        let mut script = String::new();
        for i in 0..200 {
            let n = format!("r{round}p{i}");
            script.push_str(&format!("addprinc -randkey {n}\n"));
            if i % 3 == 0 {
                script.push_str(&format!("cpw -randkey {n}\n"));
            }
            if i % 7 == 0 {
                script.push_str(&format!("renprinc -force {n} {n}x\n"));
            }
        }
        let mut child = r
            .kadmin_cmd()
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(script.as_bytes());
        });
        std::thread::sleep(Duration::from_millis(20 + rng.next() % 300));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        writer.join().unwrap();
    }

    // SQLite integrity.
    let conn = rusqlite::Connection::open(r.config.database.db_path()).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let orphans: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM keys WHERE principal NOT IN (SELECT name FROM principals)",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0, "keys without a principal");
    drop(conn);

    // The KDC store opens, and every principal loads with complete keys.
    let store = r.store();
    let names = store.list("*").unwrap();
    assert!(names.len() > 1, "some writes happened");
    assert_eq!(store.cached_len(), names.len(), "every principal decrypts");
    for n in &names {
        let e = store.get(n).unwrap().unwrap();
        let kvno = e.current_kvno();
        assert!(kvno >= 1, "{n} has keys");
        let mut etypes: Vec<i32> = e.current_keys().map(|k| k.enctype).collect();
        etypes.sort_unstable();
        assert_eq!(
            etypes,
            vec![18, 19],
            "{n} has a complete key set at kvno {kvno}"
        );
    }
    eprintln!("{} principals after 20 killed runs", names.len());
    // And kadmin still works on it.
    r.ok(&["addprinc", "-randkey", "after"]);
}
