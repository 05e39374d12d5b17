#!/usr/bin/env bash
# Builds and runs Tessera's benchmarks (proto/benches/tessera_bench.rs,
# release profile) and the same operations in MIT krb5 (bench/mit_crypto.c,
# gcc -O2 against libkrb5/libk5crypto), alternating them RUNS times (default
# 3), and prints a Markdown table: median ns/op of each and MIT/Tessera
# (above 1: Tessera is faster).
#
#   bench/run.sh            # everything
#   bench/run.sh s2k        # only benchmarks whose name contains "s2k"
#
# Environment: RUNS (default 3), BENCH_ROUNDS (rounds per run, default 5),
# BENCH_SECS (seconds per round, default 0.5). Needs cargo, gcc, python3 and
# MIT's development files (Debian: libkrb5-dev).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
filter="${1:-}"
runs="${RUNS:-3}"
target="${CARGO_TARGET_DIR:-$root/target}"
out="$target/bench-out"
mkdir -p "$out"

command -v krb5-config >/dev/null || {
    echo "krb5-config not found: install MIT's development files (libkrb5-dev)" >&2
    exit 1
}
# shellcheck disable=SC2046
gcc -O2 -std=c11 -Wall -Wextra -o "$out/mit_crypto" "$here/mit_crypto.c" \
    $(krb5-config --cflags --libs krb5)
cargo bench --quiet -p tessera-proto --bench tessera_bench --no-run \
    --manifest-path "$root/Cargo.toml" 2>"$out/cargo.log" ||
    { cat "$out/cargo.log" >&2; exit 1; }

: >"$out/tessera.txt"
: >"$out/mit.txt"
for i in $(seq 1 "$runs"); do
    echo "run $i/$runs ($(cut -d' ' -f1-3 /proc/loadavg) load)" >&2
    cargo bench --quiet -p tessera-proto --bench tessera_bench \
        --manifest-path "$root/Cargo.toml" -- $filter 2>>"$out/cargo.log" |
        grep '^bench ' >>"$out/tessera.txt"
    "$out/mit_crypto" "$root/proto/tests/data/mit" $filter >>"$out/mit.txt"
done

python3 - "$out/tessera.txt" "$out/mit.txt" <<'PY'
import statistics, sys

def load(path):
    runs = {}
    for line in open(path):
        _, name, ns, _ = line.split()
        runs.setdefault(name, []).append(float(ns))
    return {k: statistics.median(v) for k, v in runs.items()}, runs

ours, ours_all = load(sys.argv[1])
mit, mit_all = load(sys.argv[2])
names = {"17": "aes128-cts-hmac-sha1-96", "18": "aes256-cts-hmac-sha1-96",
         "19": "aes128-cts-hmac-sha256-128", "20": "aes256-cts-hmac-sha384-192",
         "native": "aes256-gcm-argon2id (Tessera only)"}

def fmt(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"

def spread(vals):
    lo, hi = min(vals), max(vals)
    return f"{(hi - lo) / statistics.median(vals) * 100:.0f}%"

print("| benchmark | Tessera | MIT krb5 | MIT / Tessera | spread T / M |")
print("| --- | ---: | ---: | ---: | ---: |")
for name, t in ours.items():
    kind, _, et = name.partition("/")
    label = f"{kind} {names.get(et, et)}"
    m = mit.get(name)
    ratio = f"{m / t:.2f}" if m else "-"
    sp = spread(ours_all[name]) + " / " + (spread(mit_all[name]) if m else "-")
    print(f"| {label} | {fmt(t)} | {fmt(m) if m else '-'} | {ratio} | {sp} |")
PY
