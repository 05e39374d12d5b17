//! The offline guessing cost of each enctype's string-to-key: what one
//! password guess against a captured AS-REP (or PA-ENC-TIMESTAMP) costs an
//! attacker who runs this very code. One guess is the string-to-key with
//! the enctype's default parameters plus one decryption attempt of a
//! 200-byte enc-part (which fails: a wrong guess).
//!
//! ```sh
//! cargo bench -p tessera-proto --bench guess_cost
//! ```
//!
//! Prints one `bench` line per enctype (ns per guess, the shared format)
//! and then a table: time per guess, memory per guess, guesses per second
//! per core, and the ratio to aes256-cts-hmac-sha1-96 (enctype 18).
//! `GUESS_ARGON2=M,T,P` (KiB, passes, lanes) adds a row for other Argon2id
//! parameters, to choose defaults.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// Only `timing` of the shared harness is used here.
#[allow(dead_code)]
#[path = "common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::Instant;

use common::timing;
use tessera_proto::crypto::{Argon2Params, EncType, Key, Password};

/// One wrong guess: string-to-key, then a failed decryption.
fn guess(e: EncType, params: Option<&[u8]>, ct: &[u8], password: &Password) {
    let k = Key::from_password(
        e,
        black_box(password),
        black_box(b"EXAMPLE.COMuser"),
        params,
    )
    .unwrap();
    let r = k.decrypt(3, black_box(ct));
    black_box(r.is_err());
}

/// Median seconds per guess over a few rounds (at least 0.3 s or 3 guesses
/// each).
fn seconds_per_guess(e: EncType, params: Option<&[u8]>, ct: &[u8]) -> f64 {
    let password = Password::new("correct horse battery staple");
    let rounds = if timing() { 5 } else { 1 };
    let mut samples: Vec<f64> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            let mut n = 0u32;
            while n < 3 || (timing() && t.elapsed().as_secs_f64() < 0.3) {
                guess(e, params, ct, &password);
                n += 1;
            }
            t.elapsed().as_secs_f64() / f64::from(n)
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn memory_per_guess(e: EncType, params: Option<&[u8]>) -> String {
    match e {
        EncType::Aes256GcmArgon2id => {
            let p = params.map_or(Argon2Params::DEFAULT, |b| Argon2Params::decode(b).unwrap());
            format!("{} MiB", p.m_cost / 1024)
        }
        // PBKDF2 keeps a few hash states: well under a KiB.
        _ => "< 1 KiB".to_owned(),
    }
}

fn main() {
    let order = [
        EncType::Aes128CtsHmacSha196,
        EncType::Aes256CtsHmacSha196,
        EncType::Aes128CtsHmacSha256128,
        EncType::Aes256CtsHmacSha384192,
        EncType::Aes256GcmArgon2id,
    ];
    let mut rows: Vec<(String, Option<Vec<u8>>, EncType)> = order
        .iter()
        .map(|e| (e.name().to_owned(), None, *e))
        .collect();
    if let Ok(v) = std::env::var("GUESS_ARGON2") {
        let n: Vec<u32> = v.split(',').map(|x| x.trim().parse().unwrap()).collect();
        let p = Argon2Params {
            m_cost: n[0],
            t_cost: n[1],
            p_cost: n[2],
        };
        p.validate().unwrap();
        rows.push((
            format!("argon2id m={} KiB t={} p={}", n[0], n[1], n[2]),
            Some(p.encode().to_vec()),
            EncType::Aes256GcmArgon2id,
        ));
    }
    let mut results = Vec::new();
    for (label, params, e) in &rows {
        // A 200-byte enc-part sealed under some other key: every guess fails.
        let other = Key::from_bytes(*e, &vec![7u8; e.key_len()]).unwrap();
        let ct = other.encrypt(3, &[0u8; 200]).unwrap();
        let s = seconds_per_guess(*e, params.as_deref(), &ct);
        println!("bench guess/{label} {:.0} 1", s * 1e9);
        results.push((label.clone(), s, memory_per_guess(*e, params.as_deref())));
    }
    let base = results
        .iter()
        .find(|r| r.0 == EncType::Aes256CtsHmacSha196.name())
        .map_or(1.0, |r| r.1);
    println!();
    println!("| enctype | time per guess | memory per guess | guesses/s per core | × enctype 18 |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for (label, s, mem) in &results {
        println!(
            "| {label} | {:.2} ms | {mem} | {:.0} | {:.1} |",
            s * 1e3,
            1.0 / s,
            s / base
        );
    }
}
