#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ from the MIT captures in proto/tests/data/mit
# (every DER element, decrypted parts, synthesized KRB-PRIV/SAFE/CRED and
# kpasswd framing: see src/bin/seedgen.rs) and the client-lib fixtures.
# The corpus directory is not committed (.gitignore).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
corpus="$here/corpus"
mkdir -p "$corpus"

cargo build --quiet --release --manifest-path "$here/Cargo.toml" \
    --no-default-features --features seedgen --bin seedgen
"$here/target/release/seedgen" "$root/proto/tests/data/mit" "$corpus"

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
for t in "$corpus"/*/; do
    printf '%s: %s seeds\n' "$(basename "$t")" "$(ls "$t" | wc -l)"
done
