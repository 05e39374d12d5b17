#!/usr/bin/env bash
# Builds every fuzz target once (cargo fuzz build: release, AddressSanitizer,
# debug assertions), then runs each for SECONDS (default 60), one at a time,
# and prints a Markdown table: executions (stat::number_of_executed_units),
# coverage (cov: / ft: of libFuzzer's last stats line) and the result.
# Exits 1 if any target crashed. On a stable toolchain it sets
# RUSTC_BOOTSTRAP=1 (cargo-fuzz needs -Zsanitizer).
#
#   fuzz/run-all.sh 60              # all targets, 60 s each
#   fuzz/run-all.sh 60 as_req ...   # some targets
#   FUZZ_RUNS=2000 fuzz/run-all.sh  # a fixed number of runs instead of time
#
# Crashing inputs land in fuzz/artifacts/<target>/; logs in
# fuzz/logs/<target>.log; corpora (grown by the runs) in fuzz/corpus/, or
# in $FUZZ_CORPUS when set (seed.sh writes there too).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
export RUSTC_BOOTSTRAP=1
secs="${1:-60}"
shift || true
# shellcheck source=targets.sh
. "$here/targets.sh"
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${ALL_TARGETS[@]}")

[ -d "$FUZZ_CORPUS" ] || ./seed.sh >/dev/null
mkdir -p logs
cargo fuzz build >logs/build.log 2>&1 || {
    echo "build failed, see fuzz/logs/build.log" >&2; exit 1; }

echo "| target | seconds | executions | cov | ft | result |"
echo "| --- | ---: | ---: | ---: | ---: | --- |"
status=0
for t in "${targets[@]}"; do
    limit=(-max_total_time="$secs")
    [ -n "${FUZZ_RUNS:-}" ] && limit=(-runs="$FUZZ_RUNS")
    run_target "$t" logs/"$t".log "${limit[@]}"
    rc=$?
    [ $rc -eq 0 ] || status=1
    echo "| $t | ${RUN_SECONDS} | ${RUN_EXECS} | ${RUN_COV} | ${RUN_FT} | ${RUN_RESULT} |"
done
exit $status
