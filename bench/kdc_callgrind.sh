#!/usr/bin/env bash
# Instructions per KDC exchange, counted by valgrind's callgrind: a measure
# that does not move with the machine's load, for before/after comparisons
# of small changes (a few percent) that CPU-time benchmarks cannot resolve.
#
#   bench/kdc_callgrind.sh DIR [DIR...]
#   COUNT=3000 ENCTYPES="18 20" MODES="as tgs" bench/kdc_callgrind.sh /tmp/base /tmp/after
#
# Each DIR holds a tessera-kdc and a kadmin binary (e.g. release builds of
# two commits). For each DIR and enctype it creates a realm with that build
# (`user` with a password, `host/localhost` with a random key, only that
# enctype), starts `tessera-kdc serve` under callgrind (default logging,
# stderr to /dev/null), sends WARMUP requests with bench/kdc's load
# generator, zeroes the counters (callgrind_control -z), sends COUNT
# distinct requests, dumps the counters and prints the instructions per
# exchange. Needs valgrind, python3 and cargo (to build kdc-load). Traffic
# stays on 127.0.0.1; every loop is bounded.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
count="${COUNT:-3000}"
warmup="${WARMUP:-300}"
enctypes="${ENCTYPES:-18 20}"
modes="${MODES:-as tgs}"
realm="BENCH.TEST"
target="${CARGO_TARGET_DIR:-$root/target}"
[ "$#" -ge 1 ] || {
    echo "usage: $0 DIR [DIR...] (each with tessera-kdc and kadmin)" >&2
    exit 2
}
for tool in valgrind callgrind_control python3; do
    command -v "$tool" >/dev/null || {
        echo "$tool not found: apt-get install valgrind python3" >&2
        exit 1
    }
done
CARGO_TARGET_DIR="$target" cargo build --quiet --release --manifest-path "$here/kdc/Cargo.toml"
load="$target/release/kdc-load"

# shellcheck source=bench/common.sh
. "$here/common.sh"
setup_work kdc-callgrind

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
printf '| build | case | requests | instructions/exchange |\n| --- | --- | ---: | ---: |\n'
n=0
for bin in "$@"; do
    n=$((n + 1))
    for et in $enctypes; do
        d="$work/r$n-$et"
        setup_tessera "$et" "r$n" "$bin/tessera-kdc" "$bin/kadmin"
        tessera_toml "$d" "$et" "$port"
        for m in $modes; do
            out="$d/callgrind.$m"
            env -u RUST_LOG valgrind --tool=callgrind --callgrind-out-file="$out.%p" \
                "$bin/tessera-kdc" serve --config "$d/kdc.toml" 2>/dev/null &
            kdc_pid=$!
            for _ in $(seq 1 600); do
                (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
                sleep 0.1
            done
            "$load" --kdc "127.0.0.1:$port" --pid "$kdc_pid" --realm "$realm" \
                --password-file "$work/user.password" --enctype "$et" --mode "$m" \
                --count "$warmup" --warmup 0 --window 4 --timeout-ms 20000 >/dev/null
            callgrind_control -z "$kdc_pid" >/dev/null 2>&1
            "$load" --kdc "127.0.0.1:$port" --pid "$kdc_pid" --realm "$realm" \
                --password-file "$work/user.password" --enctype "$et" --mode "$m" \
                --count "$count" --warmup 0 --window 4 --timeout-ms 20000 | grep '^RESULT' >"$out.result"
            grep -q ' errors=0 ' "$out.result" || {
                echo "errors during the run: $(cat "$out.result")" >&2
                exit 1
            }
            callgrind_control -d "$kdc_pid" >/dev/null 2>&1
            kill "$kdc_pid"
            wait "$kdc_pid" 2>/dev/null || true
            kdc_pid=""
            # The dump after zeroing holds the COUNT requests only.
            ir="$(cat "$out".*.[0-9]* 2>/dev/null | awk '/^summary:/ {s = $2} END {print s + 0}')"
            printf '| %s | %s %s | %s | %s |\n' "$bin" "${m^^}" "$(etname "$et")" "$count" \
                "$(python3 -c "print(round($ir / $count))")"
            rm -f "$out".*
        done
    done
done
