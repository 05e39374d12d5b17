//! Tessera's benchmarks: encrypt+decrypt of 1 KiB per enctype,
//! string-to-key per enctype (default parameters), and DER decode+encode of
//! an AS-REQ and an AS-REP captured from MIT krb5.
//!
//! A plain program (`harness = false`), so its output matches
//! `bench/mit_crypto.c` line for line:
//!
//! ```text
//! bench <name> <ns/op> <iterations per round>
//! ```
//!
//! `<ns/op>` is the median of `BENCH_ROUNDS` rounds (default 5) of about
//! `BENCH_SECS` seconds each (default 0.5). An optional first argument
//! keeps only benchmarks whose name contains it. Run with
//! `cargo bench -p tessera-proto --bench tessera_bench` or `bench/run.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

mod common;
use common::bench;

use tessera_proto::crypto::{EncType, Key, Password};
use tessera_proto::msg::{AsRep, AsReq, decode, encode};

/// Short enctype label used in benchmark names (shared with the C program).
fn label(e: EncType) -> String {
    match e {
        EncType::Aes256GcmArgon2id => "native".to_string(),
        other => other.as_i32().to_string(),
    }
}

fn capture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/mit/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn main() {
    // `cargo bench` passes `--bench`; the first other argument is a filter.
    let filter = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let filter = filter.as_deref();
    let order = [
        EncType::Aes128CtsHmacSha196,
        EncType::Aes256CtsHmacSha196,
        EncType::Aes128CtsHmacSha256128,
        EncType::Aes256CtsHmacSha384192,
        EncType::Aes256GcmArgon2id,
    ];
    let msg = vec![0xa5u8; 1024];
    for e in order {
        let key_bytes: Vec<u8> = (0..e.key_len()).map(|i| i as u8).collect();
        let key = Key::from_bytes(e, &key_bytes).unwrap();
        bench(filter, &format!("encdec-1k/{}", label(e)), || {
            let ct = key.encrypt(3, black_box(&msg)).unwrap();
            let pt = key.decrypt(3, black_box(&ct)).unwrap();
            black_box(pt);
        });
    }
    let password = Password::new("correct horse battery staple");
    let salt = b"EXAMPLE.COMuser";
    for e in order {
        bench(filter, &format!("s2k/{}", label(e)), || {
            let k = Key::from_password(e, black_box(&password), black_box(salt), None).unwrap();
            black_box(k);
        });
    }
    let as_req = capture("as-preauth-3-as-req.der");
    bench(filter, "der/as-req", || {
        let m: AsReq = decode(black_box(&as_req)).unwrap();
        let out = encode(&m).unwrap();
        assert_eq!(out.len(), as_req.len());
        black_box(out);
    });
    let as_rep = capture("as-preauth-4-as-rep.der");
    bench(filter, "der/as-rep", || {
        let m: AsRep = decode(black_box(&as_rep)).unwrap();
        let out = encode(&m).unwrap();
        assert_eq!(out.len(), as_rep.len());
        black_box(out);
    });
}
