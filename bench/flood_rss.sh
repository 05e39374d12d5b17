#!/usr/bin/env bash
# Resident memory of our KDC and of MIT's krb5kdc under the same UDP flood:
# 100,000 unique AS-REQs for unknown clients and 100,000 unique
# authenticated TGS-REQs (fresh authenticators of one principal), interleaved,
# at most 256 unanswered at a time. Prints VmRSS before and after and the
# peak (VmHWM, reset just before the flood) of each KDC process.
#
# A measurement, not a test: the two floods run one after the other (not in
# parallel) so they do not compete for the CPU. The flood itself is the
# integration test tests/tests/it/kdc_flood.rs (ours asserts a bound; MIT's
# is an ignored test that only measures).
#
#   bench/flood_rss.sh          # builds what it needs, then runs both
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build -q -p tessera-kdc -p tessera-cli --bins
cargo test -q -p tessera-tests --test it --no-run 2>/dev/null
it="$(ls -t target/debug/deps/it-* | grep -v '\.d$' | head -1)"

for t in udp_flood_keeps_the_kdc_within_its_memory_bound_and_serving mit_krb5kdc_flood_rss; do
    CI=true "$it" --exact "kdc_flood::$t" --include-ignored --nocapture 2>&1 |
        grep -E '^flood:|test result|panicked'
done
