#!/bin/bash
# Capture real MIT Kerberos 1.20 traffic for tessera-proto's decoding tests.
#
# Starts a throwaway MIT krb5kdc on free 127.0.0.1 ports in a temp dir, relays
# the clients' TCP traffic through capture_proxy.py, and writes every message
# to OUT_DIR (default: the directory of this script). See README.md.
# Needs: krb5-kdc, krb5-admin-server (kadmin.local), krb5-user, python3-gssapi.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
OUT="${1:-$HERE}"
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

cat > "$T/kdc.conf" <<CONF
[kdcdefaults]
    kdc_listen = 127.0.0.1:$KPORT
    kdc_tcp_listen = 127.0.0.1:$KPORT
[realms]
    TEST.REALM = {
        database_name = $T/principal
        key_stash_file = $T/stash
        acl_file = $T/kadm5.acl
        master_key_type = aes256-cts-hmac-sha1-96
        supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
        max_life = 10h
        max_renewable_life = 7d
    }
[logging]
    kdc = FILE:$T/kdc.log
CONF
cat > "$T/krb5.conf" <<CONF
[libdefaults]
    default_realm = TEST.REALM
    dns_lookup_kdc = false
    dns_lookup_realm = false
    dns_canonicalize_hostname = false
    rdns = false
    udp_preference_limit = 1
    forwardable = true
    ticket_lifetime = 8h
    renew_lifetime = 1d
[realms]
    TEST.REALM = {
        kdc = 127.0.0.1:$PPORT
    }
[domain_realm]
    localhost = TEST.REALM
CONF
touch "$T/kadm5.acl"
export KRB5_CONFIG="$T/krb5.conf" KRB5_KDC_PROFILE="$T/kdc.conf"
export KRB5CCNAME="FILE:$T/user.cc" KRB5_KTNAME="FILE:$T/host.keytab"

kdb5_util create -s -P masterpw -r TEST.REALM >/dev/null
kadmin.local -q "cpw -pw tgtpw krbtgt/TEST.REALM" >/dev/null
kadmin.local -q "addprinc +requires_preauth -pw userpw user" >/dev/null
kadmin.local -q "addprinc -pw hostpw host/localhost" >/dev/null
kadmin.local -q "ktadd -norandkey -k $T/host.keytab host/localhost" >/dev/null
kadmin.local -q "ktadd -norandkey -k $T/all.keytab krbtgt/TEST.REALM user host/localhost" >/dev/null

krb5kdc -n & KDC_PID=$!
/usr/bin/python3 "$HERE/capture_proxy.py" "$PPORT" "$KPORT" "$T/cap" & PROXY_PID=$!
sleep 1

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

# 1. AS exchange with encrypted-timestamp preauth (principal requires preauth).
echo userpw | kinit user >/dev/null
take as-preauth
# 2. TGS exchange for a service ticket.
kvno host/localhost >/dev/null
take tgs
# 3. AP-REQ / AP-REP through GSS-API (no KDC traffic: ticket is cached).
/usr/bin/python3 "$HERE/gss_ap.py" "$OUT" >/dev/null
# 4. Unknown service: KDC_ERR_S_PRINCIPAL_UNKNOWN.
kvno nosuch/service >/dev/null 2>&1 || true
take tgs-unknown
# 5. Unknown client: KDC_ERR_C_PRINCIPAL_UNKNOWN.
echo x | kinit -c "FILE:$T/nobody.cc" nobody >/dev/null 2>&1 || true
take as-unknown
# 6. Wrong password: KDC_ERR_PREAUTH_FAILED.
echo wrongpw | kinit -c "FILE:$T/bad.cc" user >/dev/null 2>&1 || true
take as-badpw
# 7. FAST (RFC 6113): armor ccache from the host keytab, then an armored AS exchange.
kinit -k -t "$T/host.keytab" -c "FILE:$T/armor.cc" host/localhost >/dev/null
take armor
echo userpw | kinit -T "FILE:$T/armor.cc" -c "FILE:$T/fast.cc" user >/dev/null
take fast

klist -k -K -e "$T/all.keytab" | tail -n +4 | sed "s/^ *[0-9]* //" > "$OUT/keys.txt"
echo "captured into $OUT"
