#!/bin/bash
# Capture real Heimdal 7.8 client traffic for tessera-proto's decoding tests.
#
# Uses the Heimdal tree scripts/test unpacks ($TESSERA_HEIMDAL, default
# target/heimdal). Starts a throwaway Heimdal KDC on a free 127.0.0.1 port in
# a temp dir, relays the clients' TCP traffic through MIT's capture relay
# (../mit/capture_proxy.py), and writes every message to OUT_DIR (default:
# the directory of this script). See README.md.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
OUT="${1:-$HERE}"
H="${TESSERA_HEIMDAL:-$HERE/../../../../target/heimdal}"
[ -x "$H/usr/bin/kinit.heimdal" ] || { echo "no Heimdal tree at $H; run scripts/test first" >&2; exit 1; }
export LD_LIBRARY_PATH="$H/usr/lib/x86_64-linux-gnu"
T="$(mktemp -d)"
KDC_PID=""; PROXY_PID=""
cleanup() {
    touch "$T/cap/stop" 2>/dev/null || true
    [ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null || true
    [ -n "$KDC_PID" ] && kill "$KDC_PID" 2>/dev/null || true
    rm -rf "$T"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
KPORT=$(free_port); PPORT=$(free_port)
mkdir -p "$T/cap"

# Clients go to the relay over TCP ("tcp/" prefix); the KDC config is in the
# same file (Heimdal reads [kdc] from krb5.conf).
cat > "$T/krb5.conf" <<CONF
[libdefaults]
    default_realm = TEST.REALM
    dns_lookup_kdc = false
    dns_lookup_realm = false
    dns_canonicalize_hostname = false
    rdns = false
[realms]
    TEST.REALM = {
        kdc = tcp/127.0.0.1:$PPORT
    }
[domain_realm]
    localhost = TEST.REALM
[kdc]
    database = {
        dbname = sqlite:$T/heimdal.db
        realm = TEST.REALM
        log_file = $T/iprop.log
    }
[kadmin]
    default_keys = aes256-cts-hmac-sha1-96:pw-salt aes128-cts-hmac-sha1-96:pw-salt
[logging]
    kdc = FILE:$T/kdc.log
    default = FILE:$T/heimdal.log
CONF
export KRB5_CONFIG="$T/krb5.conf" KRB5CCNAME="FILE:$T/user.cc"
ka() { "$H/usr/bin/kadmin.heimdal" -l -c "$T/krb5.conf" "$@"; }
ka init --realm-max-ticket-life=1d --realm-max-renewable-life=1w TEST.REALM
ka cpw --password=tgtpw krbtgt/TEST.REALM
ka add --password=userpw --use-defaults --attributes=requires-pre-auth user
ka add --password=hostpw --use-defaults host/localhost
ka ext_keytab -k "$T/host.keytab" host/localhost
printf 'userpw\n' > "$T/user.pw"

"$H/usr/lib/heimdal-servers/kdc" -c "$T/krb5.conf" --addresses=127.0.0.1 --ports="$KPORT" & KDC_PID=$!
/usr/bin/python3 "$HERE/../mit/capture_proxy.py" "$PPORT" "$KPORT" "$T/cap" & PROXY_PID=$!
for _ in $(seq 100); do
    (echo > "/dev/tcp/127.0.0.1/$KPORT") 2>/dev/null && (echo > "/dev/tcp/127.0.0.1/$PPORT") 2>/dev/null && break
    sleep 0.05
done

# Move the messages captured by the last step to OUT as STEP-N-KIND.der.
take() {
    local step="$1" n=0 f kind
    for f in $(ls "$T/cap" | grep '\.der$' | sort); do
        n=$((n + 1))
        case "$(head -c1 "$T/cap/$f" | od -An -tx1 | tr -d ' ')" in
            6a) kind=as-req ;; 6b) kind=as-rep ;; 6c) kind=tgs-req ;; 6d) kind=tgs-rep ;;
            7e) kind=krb-error ;; *) kind=unknown ;;
        esac
        mv "$T/cap/$f" "$OUT/$step-$n-$kind.der"
    done
}

# 1. Password kinit (principal requires preauth), forwardable, renewable.
"$H/usr/bin/kinit.heimdal" --password-file="$T/user.pw" -f -r 1d user
take as-password
# 2. A service ticket.
"$H/usr/bin/kgetcred" host/localhost
take tgs
# 3. Renewal of the TGT.
"$H/usr/bin/kinit.heimdal" --renew
take renew
# 4. Keytab kinit of the service (no preauth required).
"$H/usr/bin/kinit.heimdal" -c "FILE:$T/host.cc" -k -t "$T/host.keytab" host/localhost
take as-keytab
# 5. Wrong password.
printf 'wrongpw\n' > "$T/bad.pw"
"$H/usr/bin/kinit.heimdal" -c "FILE:$T/bad.cc" --password-file="$T/bad.pw" user 2>/dev/null || true
take as-badpw

echo "captured into $OUT"
