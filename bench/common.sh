# Shared by bench/kdc_bench.sh and bench/kdc_callgrind.sh (sourced): the
# work directory, enctype names, and a Tessera realm for one enctype.
# Callers set $realm, and $tkdc / $tkadmin for setup_tessera's defaults.

# A temporary $work directory (removed on exit, with the KDC in $kdc_pid
# stopped) and a random $password, also in $work/user.password.
setup_work() { # name-prefix
    work="$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")"
    kdc_pid=""
    trap cleanup EXIT
    password="$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')"
    umask 077
    printf '%s\n' "$password" >"$work/user.password"
}

cleanup() {
    if [ -n "$kdc_pid" ]; then
        kill "$kdc_pid" 2>/dev/null || true
        wait "$kdc_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}

etname() {
    case "$1" in
    17) echo aes128-cts-hmac-sha1-96 ;;
    18) echo aes256-cts-hmac-sha1-96 ;;
    19) echo aes128-cts-hmac-sha256-128 ;;
    20) echo aes256-cts-hmac-sha384-192 ;;
    *) echo "unsupported enctype $1" >&2; exit 1 ;;
    esac
}

tessera_toml() { # dir enctype port
    local d="$1" name port="$3"
    name="$(etname "$2")"
    cat >"$d/kdc.toml" <<EOF
realm = "$realm"

[network]
udp_listen = ["127.0.0.1:$port"]
tcp_listen = ["127.0.0.1:$port"]

[database]
dir = "$d/db"
master_key_file = "$d/master.stash"

[policy]
allowed_enctypes = ["$name"]
default_principal_enctypes = ["$name"]

[admin]
listen = []

[kpasswd]
listen = []
EOF
}

setup_tessera() { # enctype [dir-prefix kdc-binary kadmin-binary]; realms live in $work
    local d="$work/${2:-tessera}-$1" kdc="${3:-$tkdc}" kadmin="${4:-$tkadmin}"
    mkdir -p "$d"
    tessera_toml "$d" "$1" 1
    "$kdc" init --config "$d/kdc.toml" >/dev/null
    "$kadmin" -l --config "$d/kdc.toml" addprinc -pw "$password" user >/dev/null
    "$kadmin" -l --config "$d/kdc.toml" addprinc -randkey host/localhost >/dev/null
}
