#!/usr/bin/env bash
# The long fuzzing campaign: every target in turn (one process at a time,
# so one core), 1 hour each for kdc_handle, as_req and tgs_req and
# CAMPAIGN_OTHER seconds (default 600) for every other target. Results go
# to fuzz/logs/campaign.md one row per target as each finishes (target,
# seconds, executions, cov/ft of libFuzzer's last stats line, result), so
# a campaign cut short still leaves what it did. Meant to outlive the
# shell that starts it:
#
#   nohup fuzz/campaign.sh >/dev/null 2>&1 &
#
# Resumable: a target that already has a row in fuzz/logs/campaign.md is
# skipped, so running it again (in a later session) continues where a cut
# campaign stopped; `CAMPAIGN_FRESH=1` starts a new file. Target names as
# arguments run only those.
#
# It builds once at the start (cargo fuzz build) and then runs the built
# binaries, so edits to the tree during the campaign do not change what
# is being fuzzed. A crash does not stop the campaign: the row says
# CRASH and the input is in fuzz/artifacts/<target>/.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
export RUSTC_BOOTSTRAP=1
# shellcheck source=targets.sh
. "$here/targets.sh"
long="${CAMPAIGN_LONG:-3600}"
other="${CAMPAIGN_OTHER:-600}"
out=logs/campaign.md
mkdir -p logs/campaign

[ -d corpus ] || ./seed.sh >logs/campaign/seed.log 2>&1
[ "${CAMPAIGN_FRESH:-0}" = 1 ] && rm -f "$out"
resumed=0
[ -f "$out" ] && grep -q '^| target |' "$out" && resumed=1
if [ "$resumed" = 1 ]; then
    sed -i '/^Finished /d' "$out"
    echo "Resumed $(date -u '+%Y-%m-%d %H:%M:%S UTC'), commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?') (load $(cut -d' ' -f1-3 /proc/loadavg))." >>"$out"
else {
    echo "# Fuzzing campaign"
    echo
    echo "Started $(date -u '+%Y-%m-%d %H:%M:%S UTC') on $(nproc) cores (load $(cut -d' ' -f1-3 /proc/loadavg)),"
    echo "commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?'),"
    echo "$(cargo fuzz --version 2>/dev/null), $(rustc --version), AddressSanitizer, nice -n 19, one target at a time."
    echo
} >"$out"
fi
if ! nice -n 19 cargo fuzz build >logs/campaign/build.log 2>&1; then
    echo "Build failed: see fuzz/logs/campaign/build.log" >>"$out"
    exit 1
fi
if [ "$resumed" = 0 ]; then
    echo "| target | seconds | executions | cov | ft | result |" >>"$out"
    echo "| --- | ---: | ---: | ---: | ---: | --- |" >>"$out"
fi
order=(kdc_handle as_req tgs_req)
for t in "${ALL_TARGETS[@]}"; do
    case " ${order[*]} " in *" $t "*) ;; *) order+=("$t") ;; esac
done
[ $# -gt 0 ] && order=("$@")
for t in "${order[@]}"; do
    if grep -q "^| $t |" "$out"; then
        continue
    fi
    secs="$other"
    case "$t" in kdc_handle|as_req|tgs_req) secs="$long" ;; esac
    run_target "$t" "logs/campaign/$t.log" -max_total_time="$secs"
    echo "| $t | ${RUN_SECONDS} | ${RUN_EXECS} | ${RUN_COV} | ${RUN_FT} | ${RUN_RESULT} |" >>"$out"
done
echo >>"$out"
echo "Finished $(date -u '+%Y-%m-%d %H:%M:%S UTC')." >>"$out"
