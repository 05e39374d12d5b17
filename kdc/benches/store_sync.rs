//! What read-your-writes costs the KDC: [`PrincipalStore::sync_changes`],
//! which the KDC calls before every AS and TGS request, when nothing was
//! committed since the last request (the common case: one `pread` of the
//! WAL-index header), and right after another connection committed one
//! principal change (the header moved: `PRAGMA data_version`, the change
//! log, one entry reloaded). A cached `get` is printed for scale.
//!
//! ```text
//! bench <name> <ns/op> <iterations>
//! ```
//!
//! `<ns/op>` is the median of `BENCH_ROUNDS` rounds (default 5) of about
//! `BENCH_SECS` seconds each (default 0.5); the catch-up case times only
//! the `sync_changes` calls, over 2,000 changes. Run with
//! `cargo bench -p tessera-kdc --bench store_sync`; under `cargo test
//! --benches` each operation runs once as a smoke test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime};

#[path = "../../proto/benches/common/mod.rs"]
mod common;
use common::{bench, timing};

use tessera_kdc::db::{
    KeyData, KeyMaterial, MasterKey, PrincipalEntry, PrincipalFlags, PrincipalStore, SqliteStore,
    StoreOptions,
};

const REALM: &str = "BENCH.TEST";

fn entry(name: &str) -> PrincipalEntry {
    let mut e = PrincipalEntry::new(name, PrincipalFlags::default(), SystemTime::now());
    e.keys = vec![KeyData {
        kvno: 1,
        enctype: 18,
        key: KeyMaterial::from_slice(&[7; 32]),
        salt: None,
    }];
    e
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("principals.sqlite3");
    let mk = || MasterKey::from_bytes([3; 32]);
    let opts = StoreOptions {
        refresh_on_get: false,
        ..StoreOptions::default()
    };
    let kdc = SqliteStore::create(&path, REALM, mk(), opts.clone()).unwrap();
    // The other process: kadmin -l, another KDC.
    let other = SqliteStore::open(&path, REALM, mk(), opts).unwrap();
    let user = format!("user@{REALM}");
    for i in 0..1000 {
        other.create(&entry(&format!("p{i}@{REALM}"))).unwrap();
    }
    other.create(&entry(&user)).unwrap();
    kdc.sync_changes().unwrap();
    assert!(kdc.get(&user).unwrap().is_some());

    bench(None, "sync_changes_nothing_committed", || {
        kdc.sync_changes().unwrap();
    });

    // One change committed by the other connection before each call; only
    // the catch-up is timed.
    let changes = if timing() { 2000 } else { 1 };
    let mut e = entry(&user);
    let mut spent = Duration::ZERO;
    for i in 0..changes {
        e.flags.set(PrincipalFlags::ALLOW_FORWARDABLE, i % 2 == 0);
        other.update(&e).unwrap();
        let t = Instant::now();
        kdc.sync_changes().unwrap();
        spent += t.elapsed();
        assert_eq!(
            kdc.get(&user)
                .unwrap()
                .unwrap()
                .flags
                .contains(PrincipalFlags::ALLOW_FORWARDABLE),
            i % 2 == 0
        );
    }
    if timing() {
        println!(
            "bench sync_changes_after_one_change_by_another_process {:.1} {changes}",
            spent.as_nanos() as f64 / f64::from(changes)
        );
    } else {
        println!("smoke sync_changes_after_one_change_by_another_process ok");
    }

    bench(None, "get_cached_principal", || {
        black_box(kdc.get(&user).unwrap());
    });
}
