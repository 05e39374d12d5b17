#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ from the MIT captures in proto/tests/data/mit
# and the Heimdal captures in proto/tests/data/heimdal
# (every DER element, decrypted parts, synthesized KRB-PRIV/SAFE/CRED and
# kpasswd framing: see src/bin/seedgen.rs) and the client-lib fixtures.
# The corpus directory ($FUZZ_CORPUS, default fuzz/corpus) is not committed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
corpus="${FUZZ_CORPUS:-$here/corpus}"
mkdir -p "$corpus"

cargo build --quiet --release --manifest-path "$here/Cargo.toml" \
    --no-default-features --features seedgen --bin seedgen
"$here/target/release/seedgen" "$root/proto/tests/data/mit" "$corpus" \
    "$root/proto/tests/data/heimdal"

fixtures="$root/client-lib/tests/fixtures"
mkdir -p "$corpus/keytab" "$corpus/ccache" "$corpus/krb5_conf"
cp "$fixtures"/*.keytab "$corpus/keytab/" 2>/dev/null || true
cp "$fixtures"/*.ccache "$corpus/ccache/" 2>/dev/null || true
cat > "$corpus/krb5_conf/seed-basic.conf" <<'CONF'
[libdefaults]
    default_realm = TEST.REALM
    dns_lookup_kdc = false
    forwardable = true
    ticket_lifetime = 10h 30m
    default_tkt_enctypes = aes256-cts-hmac-sha1-96 aes128-sha2 -des
    udp_preference_limit = 1

[realms]
    TEST.REALM = {
        kdc = 127.0.0.1:88
        kdc = tcp/[::1]:8888
        admin_server = localhost:749
        kpasswd_server = 127.0.0.1
        auth_to_local = RULE:[1:$1@$0](.*@TEST\.REALM)s/@.*//
    }
    OTHER = {
        kdc = "quoted value with \"escapes\" \\ "
    }*

[domain_realm]
    .example.com = TEST.REALM
    example.com = TEST.REALM

# comment
; other comment
[capaths]
    A = {
        B = .
    }
CONF
mkdir -p "$corpus/kdc_toml"
cat > "$corpus/kdc_toml/seed-full.toml" <<'TOML'
realm = "EXAMPLE.COM"
log_format = "json"

[network]
udp_listen = ["0.0.0.0:88", "[::]:88"]
tcp_listen = ["127.0.0.1:88"]
max_request_size = 65536
udp_max_reply_size = 1400
tcp_idle_timeout = "30s"
max_tcp_connections = 512

[database]
dir = "db"
master_key_env = "TESSERA_MASTER_KEY"
old_kvnos_to_keep = 2
refresh_interval = "1s"

[policy]
max_life = "10h"
max_renewable_life = "7d"
clock_skew = "5m"
require_preauth = true
allowed_enctypes = ["aes256-cts-hmac-sha1-96", "aes256-cts-hmac-sha384-192", "aes256-gcm-argon2id"]
default_principal_enctypes = ["aes256-cts-hmac-sha1-96"]

[kpasswd]
listen = ["127.0.0.1:464"]

[admin]
listen = ["127.0.0.1:749"]
acl_file = "kadm5.acl"
preauth_timeout = "10s"
preauth_max_frame = 65536
max_unauthenticated_per_peer = 4
TOML
printf 'realm = "R"\n[database]\ndir = "/x"\n' > "$corpus/kdc_toml/seed-min.toml"
for t in "$corpus"/*/; do
    printf '%s: %s seeds\n' "$(basename "$t")" "$(ls "$t" | wc -l)"
done
