#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60), one at a time, and
# prints a Markdown table of executions per target from libFuzzer's final
# stats (stat::number_of_executed_units). Needs cargo-fuzz; on a stable
# toolchain it sets RUSTC_BOOTSTRAP=1 (cargo-fuzz needs -Zsanitizer).
#
#   fuzz/run-all.sh 60            # all targets
#   fuzz/run-all.sh 60 as_req ... # some targets
#
# If the client library does not build, its targets (krb5_conf, keytab,
# ccache) are reported as skipped. Crashing inputs land in
# fuzz/artifacts/<target>/; logs in fuzz/logs/<target>.log.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
export RUSTC_BOOTSTRAP=1
secs="${1:-60}"
shift || true
all=(as_req as_rep tgs_req tgs_rep ap_req ap_rep krb_error krb_cred krb_priv
     krb_safe ticket authenticator enc_kdc_rep_part padata fast kpasswd
     principal decrypt krb5_conf keytab ccache)
client_targets=" krb5_conf keytab ccache "
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")

[ -d corpus ] || ./seed.sh >/dev/null
mkdir -p logs

features=()
if ! cargo fuzz build "${targets[0]}" >logs/build.log 2>&1 ||
   ! cargo fuzz build >>logs/build.log 2>&1; then
    echo "note: full build failed (client-lib?); building without the client targets" >&2
    features=(--no-default-features)
    cargo fuzz build "${features[@]}" >>logs/build.log 2>&1 || {
        echo "build failed, see fuzz/logs/build.log" >&2; exit 1; }
fi

echo "| target | seconds | executions | result |"
echo "| --- | ---: | ---: | --- |"
status=0
for t in "${targets[@]}"; do
    if [ ${#features[@]} -gt 0 ] && [[ "$client_targets" == *" $t "* ]]; then
        echo "| $t | - | - | skipped (client-lib did not build) |"
        continue
    fi
    mkdir -p "corpus/$t"
    cargo fuzz run "${features[@]}" "$t" "corpus/$t" -- \
        -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
        -rss_limit_mb=2048 >"logs/$t.log" 2>&1
    rc=$?
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" |
            tail -1 | grep -o '[0-9]*$')
    if [ $rc -eq 0 ]; then
        result="ok, no crash"
    else
        result="**CRASH** (exit $rc; see fuzz/logs/$t.log, fuzz/artifacts/$t/)"
        status=1
    fi
    echo "| $t | $secs | ${execs:-?} | $result |"
done
exit $status
