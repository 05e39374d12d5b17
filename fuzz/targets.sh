# Sourced by run-all.sh and campaign.sh: the list of fuzz targets and how
# one is run (the binary cargo fuzz build made, on its corpus directory).

ALL_TARGETS=(as_req as_rep tgs_req tgs_rep ap_req ap_rep krb_error krb_cred
    krb_priv krb_safe ticket authenticator enc_kdc_rep_part padata fast
    kpasswd principal decrypt krb5_conf keytab ccache
    kdc_handle kpasswd_service admin_frame kdc_toml acceptor gss_token
    priv_safe crypto_diff)

FUZZ_BIN_DIR="${FUZZ_BIN_DIR:-$here/target/x86_64-unknown-linux-gnu/release}"

# Corpora live in $FUZZ_CORPUS/<target> (default fuzz/corpus).
FUZZ_CORPUS="${FUZZ_CORPUS:-$here/corpus}"

# run_target TARGET LOG LIBFUZZER_ARGS...: runs TARGET on its corpus
# with nice -n 19; sets RUN_SECONDS, RUN_EXECS, RUN_COV, RUN_FT and
# RUN_RESULT from its log; returns libFuzzer's exit status.
run_target() {
    local t="$1" log="$2"
    shift 2
    mkdir -p "$FUZZ_CORPUS/$t" "artifacts/$t" "$(dirname "$log")"
    local start end rc
    start=$(date +%s)
    nice -n 19 "$FUZZ_BIN_DIR/$t" "$FUZZ_CORPUS/$t" -artifact_prefix="artifacts/$t/" \
        -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 "$@" >"$log" 2>&1
    rc=$?
    end=$(date +%s)
    RUN_SECONDS=$((end - start))
    RUN_EXECS=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" |
        tail -1 | grep -o '[0-9]*$')
    RUN_EXECS=${RUN_EXECS:-?}
    local last
    last=$(grep -E '^#[0-9]+.*cov: [0-9]+' "$log" | tail -1)
    RUN_COV=$(echo "$last" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*')
    RUN_FT=$(echo "$last" | grep -o 'ft: [0-9]*' | grep -o '[0-9]*')
    RUN_COV=${RUN_COV:-?}
    RUN_FT=${RUN_FT:-?}
    if [ $rc -eq 0 ]; then
        RUN_RESULT="ok, no crash"
    else
        RUN_RESULT="**CRASH** (exit $rc; see fuzz/$log, fuzz/artifacts/$t/)"
    fi
    return $rc
}
