#!/usr/bin/env bash
# KDC exchange benchmark: Tessera's tessera-kdc against MIT's krb5kdc, in the
# same run, on loopback UDP.
#
# For each enctype (aes256-cts-hmac-sha1-96 and aes256-cts-hmac-sha384-192 by
# default) it creates one realm per KDC, with the same principals and
# password (`user` +requires_preauth, `host/localhost` random key) and only
# that enctype, then for each of RUNS rounds starts every KDC variant in
# turn, fires COUNT pre-built distinct requests at it with bench/kdc's
# load generator (kdc-load: WINDOW requests in flight, WARMUP requests first,
# every reply decrypted and its nonce checked), and stops it:
#
#   tessera           tessera-kdc serve, default logging (RUST_LOG unset = info;
#                     stderr to /dev/null)
#   tessera-warn      the same with RUST_LOG=warn
#   mit               krb5kdc, default database settings (last_success is
#                     written on each preauthenticated AS exchange)
#   mit-nolastsuccess krb5kdc with disable_last_success and disable_lockout
#   tessera-base      (only with BASE_BIN_DIR) tessera-kdc serve from another
#                     build, e.g. the commit before a change, default logging:
#                     its own realm, made with that build's tessera-kdc and
#                     kadmin, so a change is measured before/after in one run
#
# Cases: "as" (preauthenticated AS-REQ -> AS-REP for krbtgt) and "tgs"
# (TGS-REQ with a fresh authenticator and subkey -> TGS-REP for
# host/localhost). Metric: CPU time of the KDC process (utime + stime of all
# its threads from /proc/PID/stat, before/after the COUNT requests) per
# exchange (also split into user and system time), and requests/s. Prints a
# Markdown table of medians over RUNS (± half the range of the CPU values);
# the raw lines are kept in target/kdc-bench-out/results.txt.
#
#   bench/kdc_bench.sh
#   RUNS=3 COUNT=20000 WINDOW=8 ENCTYPES="18 20" bench/kdc_bench.sh
#   TESSERA_BIN_DIR=DIR BASE_BIN_DIR=DIR2 VARIANTS="tessera tessera-base mit" bench/kdc_bench.sh
#
# TESSERA_BIN_DIR: take tessera-kdc and kadmin from DIR instead of building
# them from this checkout. BASE_BIN_DIR: the build the tessera-base variant
# runs (DIR2/tessera-kdc, DIR2/kadmin).
#
# Needs cargo, python3 and MIT's KDC (Debian: krb5-kdc krb5-admin-server).
# Traffic stays on 127.0.0.1; every loop is bounded.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
runs="${RUNS:-3}"
count="${COUNT:-20000}"
warmup="${WARMUP:-1000}"
window="${WINDOW:-8}"
enctypes="${ENCTYPES:-18 20}"
variants="${VARIANTS:-tessera tessera-warn mit mit-nolastsuccess}"
modes="${MODES:-as tgs}"
realm="BENCH.TEST"
target="${CARGO_TARGET_DIR:-$root/target}"
out="$target/kdc-bench-out"
mkdir -p "$out"

for tool in /usr/sbin/krb5kdc /usr/sbin/kdb5_util /usr/sbin/kadmin.local python3; do
    command -v "$tool" >/dev/null || {
        echo "$tool not found: install krb5-kdc krb5-admin-server python3" >&2
        exit 1
    }
done

echo "building (release)..." >&2
if [ -n "${TESSERA_BIN_DIR:-}" ]; then
    tkdc="$TESSERA_BIN_DIR/tessera-kdc"
    tkadmin="$TESSERA_BIN_DIR/kadmin"
else
    cargo build --quiet --release -p tessera-kdc --bins --manifest-path "$root/Cargo.toml"
    tkdc="$target/release/tessera-kdc"
    tkadmin="$target/release/kadmin"
fi
CARGO_TARGET_DIR="$target" cargo build --quiet --release \
    --manifest-path "$here/kdc/Cargo.toml"
load="$target/release/kdc-load"
bkdc="${BASE_BIN_DIR:+$BASE_BIN_DIR/tessera-kdc}"
bkadmin="${BASE_BIN_DIR:+$BASE_BIN_DIR/kadmin}"
case " $variants " in
*" tessera-base "*)
    [ -x "$bkdc" ] && [ -x "$bkadmin" ] || {
        echo "the tessera-base variant needs BASE_BIN_DIR with tessera-kdc and kadmin" >&2
        exit 1
    }
    ;;
esac

# shellcheck source=bench/common.sh
. "$here/common.sh"
setup_work kdc-bench


free_port() {
    python3 - <<'PY'
import socket
for _ in range(100):
    t = socket.socket(); t.bind(("127.0.0.1", 0)); p = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass
    finally:
        u.close(); t.close()
PY
}

# --- Tessera realm: etname, tessera_toml, setup_tessera (bench/common.sh) ----


# --- MIT realm ---------------------------------------------------------------
mit_conf() { # dir enctype port nolastsuccess(0/1)
    local d="$1" name port="$3"
    name="$(etname "$2")"
    {
        printf '[kdcdefaults]\n kdc_listen = 127.0.0.1:%s\n kdc_tcp_listen = 127.0.0.1:%s\n' "$port" "$port"
        printf '[realms]\n %s = {\n' "$realm"
        printf '  database_name = %s/principal\n  key_stash_file = %s/stash\n' "$d" "$d"
        printf '  acl_file = %s/kadm5.acl\n  master_key_type = aes256-cts-hmac-sha1-96\n' "$d"
        printf '  supported_enctypes = %s:normal\n' "$name"
        printf '  kdc_listen = 127.0.0.1:%s\n  kdc_tcp_listen = 127.0.0.1:%s\n }\n' "$port" "$port"
        if [ "$4" = 1 ]; then
            printf '[dbmodules]\n %s = {\n  db_library = db2\n' "$realm"
            printf '  disable_last_success = true\n  disable_lockout = true\n }\n'
        fi
        printf '[logging]\n kdc = FILE:%s/kdc.log\n' "$d"
    } >"$d/kdc.conf"
    printf '[libdefaults]\n default_realm = %s\n dns_lookup_kdc = false\n[realms]\n %s = {\n  kdc = 127.0.0.1:%s\n }\n' \
        "$realm" "$realm" "$port" >"$d/krb5.conf"
}

mit_env() { # dir
    echo "KRB5_CONFIG=$1/krb5.conf KRB5_KDC_PROFILE=$1/kdc.conf"
}

setup_mit() { # enctype
    local d="$work/mit-$1"
    mkdir -p "$d"
    : >"$d/kadm5.acl"
    mit_conf "$d" "$1" 1 0
    # shellcheck disable=SC2046
    env $(mit_env "$d") /usr/sbin/kdb5_util create -s -r "$realm" -P "master-$password" >/dev/null
    # shellcheck disable=SC2046
    env $(mit_env "$d") /usr/sbin/kadmin.local -r "$realm" \
        -q "addprinc -pw $password +requires_preauth user" >/dev/null 2>&1
    # shellcheck disable=SC2046
    env $(mit_env "$d") /usr/sbin/kadmin.local -r "$realm" \
        -q "addprinc -randkey host/localhost" >/dev/null 2>&1
}

# --- running -----------------------------------------------------------------
wait_port() { # port pid
    local i
    for i in $(seq 1 200); do
        if ! kill -0 "$2" 2>/dev/null; then
            echo "KDC exited during start" >&2
            return 1
        fi
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
            return 0
        fi
        sleep 0.05
    done
    echo "KDC did not start on port $1" >&2
    return 1
}

start_kdc() { # variant enctype port -> sets kdc_pid
    local v="$1" et="$2" port="$3" d
    case "$v" in
    tessera | tessera-warn)
        d="$work/tessera-$et"
        tessera_toml "$d" "$et" "$port"
        if [ "$v" = tessera ]; then
            env -u RUST_LOG "$tkdc" serve --config "$d/kdc.toml" 2>/dev/null &
        else
            RUST_LOG=warn "$tkdc" serve --config "$d/kdc.toml" 2>/dev/null &
        fi
        kdc_pid=$!
        ;;
    tessera-base)
        d="$work/tessera-base-$et"
        tessera_toml "$d" "$et" "$port"
        env -u RUST_LOG "$bkdc" serve --config "$d/kdc.toml" 2>/dev/null &
        kdc_pid=$!
        ;;
    mit | mit-nolastsuccess)
        d="$work/mit-$et"
        mit_conf "$d" "$et" "$port" "$([ "$v" = mit ] && echo 0 || echo 1)"
        # shellcheck disable=SC2046
        env $(mit_env "$d") /usr/sbin/krb5kdc -n -r "$realm" 2>/dev/null &
        kdc_pid=$!
        ;;
    *) echo "unknown variant $v" >&2; exit 1 ;;
    esac
    wait_port "$port" "$kdc_pid"
}

stop_kdc() {
    kill "$kdc_pid" 2>/dev/null || true
    wait "$kdc_pid" 2>/dev/null || true
    kdc_pid=""
}

echo "setting up realms in $work..." >&2
for et in $enctypes; do
    setup_tessera "$et"
    if [ -n "$bkdc" ]; then
        setup_tessera "$et" tessera-base "$bkdc" "$bkadmin"
    fi
    setup_mit "$et"
done

rotate() { # K WORD... -> the words rotated left by K
    local k="$1"
    shift
    local words=("$@")
    k=$((k % ${#words[@]}))
    echo "${words[@]:k}" "${words[@]:0:k}"
}

results="$out/results.txt"
: >"$results"
for r in $(seq 1 "$runs"); do
    # Rotate the order of the variants from run to run, so that a load that
    # changes during a run does not always favour the same one.
    order="$(rotate $((r - 1)) $variants)"
    for et in $enctypes; do
        for v in $order; do
            port="$(free_port)"
            start_kdc "$v" "$et" "$port"
            for m in $modes; do
                echo "run $r/$runs $(etname "$et") $v $m (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
                line="$("$load" --kdc "127.0.0.1:$port" --pid "$kdc_pid" --realm "$realm" \
                    --password-file "$work/user.password" --enctype "$et" --mode "$m" \
                    --count "$count" --warmup "$warmup" --window "$window" | grep '^RESULT' || true)"
                if [ -z "$line" ]; then
                    line="RESULT mode=$m enctype=$et requests=$count ok=0 errors=$count timeouts=0 window=$window cpu_s=0 user_s=0 sys_s=0 cpu_us_per_exchange=0 wall_s=0 rps=0 bad=load-generator-failed"
                fi
                echo "run=$r kdc=$v $line" | tee -a "$results" >&2
            done
            stop_kdc
        done
    done
done

python3 - "$results" <<'PY'
import statistics, sys
names = {"17": "aes128-cts-hmac-sha1-96", "18": "aes256-cts-hmac-sha1-96",
         "19": "aes128-cts-hmac-sha256-128", "20": "aes256-cts-hmac-sha384-192"}
rows = {}
order = []
for line in open(sys.argv[1]):
    kv = dict(f.split("=", 1) for f in line.split() if "=" in f)
    key = (kv["mode"], kv["enctype"], kv["kdc"])
    if key not in rows:
        rows[key] = []
        order.append(key)
    rows[key].append(kv)

def med(key, field):
    return statistics.median(float(r[field]) for r in rows[key])

print("| case | KDC | requests | errors | CPU µs/exchange | user | sys | req/s | CPU / tessera CPU |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for key in order:
    mode, et, kdc = key
    rs = rows[key]
    reqs = sum(int(r["requests"]) for r in rs)
    errs = sum(int(r["errors"]) for r in rs)
    n = int(rs[0]["requests"]) or 1
    cpu = med(key, "cpu_us_per_exchange")
    user = med(key, "user_s") * 1e6 / n if "user_s" in rs[0] else float("nan")
    sys_ = med(key, "sys_s") * 1e6 / n if "sys_s" in rs[0] else float("nan")
    rps = med(key, "rps")
    base = (mode, et, "tessera")
    ratio = "-"
    if kdc != "tessera" and base in rows and med(base, "cpu_us_per_exchange") > 0:
        ratio = f"{cpu / med(base, 'cpu_us_per_exchange'):.2f}"
    case = f"{mode.upper()} {names.get(et, et)}"
    spread = ""
    if len(rs) > 1 and cpu:
        vals = [float(r["cpu_us_per_exchange"]) for r in rs]
        spread = f" (±{(max(vals) - min(vals)) / 2:.0f})"
    print(f"| {case} | {kdc} | {reqs} | {errs} | {cpu:.1f}{spread} | {user:.1f} | {sys_:.1f} | {rps:.0f} | {ratio} |")
PY
