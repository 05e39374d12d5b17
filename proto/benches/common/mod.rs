//! The measuring loop Tessera's benchmark programs share (`harness =
//! false` benches print `bench <name> <ns/op> <iterations>`, the format of
//! `bench/mit_crypto.c`). Included by `proto/benches/tessera_bench.rs` and,
//! through `#[path]`, by `kdc/benches/store_sync.rs`.

use std::time::{Duration, Instant};

/// Rounds and seconds per round, from the environment.
pub fn settings() -> (usize, f64) {
    let rounds = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let secs = std::env::var("BENCH_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.5);
    (rounds, secs)
}

/// Whether `cargo bench` started us (it passes `--bench`); under
/// `cargo test --benches` each operation runs once as a smoke test.
pub fn timing() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// Times `op`: calibrates the iterations for one round, runs the rounds,
/// prints the median ns/op.
pub fn bench(filter: Option<&str>, name: &str, mut op: impl FnMut()) {
    if filter.is_some_and(|f| !name.contains(f)) {
        return;
    }
    if !timing() {
        op();
        println!("smoke {name} ok");
        return;
    }
    let (rounds, secs) = settings();
    let target = Duration::from_secs_f64(secs);
    // Calibrate: double the iterations until one batch takes >= 1/10 of a round.
    let mut iters: u64 = 1;
    loop {
        let t = Instant::now();
        for _ in 0..iters {
            op();
        }
        let el = t.elapsed();
        if el >= target / 10 || iters >= 1 << 30 {
            let per = el.as_secs_f64() / iters as f64;
            iters = ((secs / per).ceil() as u64).max(3);
            break;
        }
        iters *= 2;
    }
    let mut samples: Vec<f64> = (0..rounds.max(1))
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iters {
                op();
            }
            t.elapsed().as_nanos() as f64 / iters as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    let median = samples[samples.len() / 2];
    println!("bench {name} {median:.0} {iters}");
}
