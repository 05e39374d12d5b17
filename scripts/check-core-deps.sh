#!/usr/bin/env bash
# The KDC core's boundary: tessera-kdc-core (kdc/core) may depend on
# tessera-proto and small pure crates only. Fails, naming the crate and
# the path to it, if anything doing I/O, async, storage or terminals
# reaches it as a normal (non-dev) dependency.
set -euo pipefail
cd "$(dirname "$0")/.."
forbidden='tokio mio tokio-util rusqlite libsqlite3-sys clap rustyline nix tempfile toml tracing-subscriber tessera-kdc tessera-client'
tree="$(cargo tree -p tessera-kdc-core -e normal --prefix none --format '{p}')"
bad=0
for crate in $forbidden; do
    if grep -q "^$crate v" <<<"$tree"; then
        echo "tessera-kdc-core depends on $crate, which it must not (see kdc/core/src/lib.rs):" >&2
        cargo tree -p tessera-kdc-core -e normal -i "$crate" >&2 || true
        bad=1
    fi
done
exit "$bad"
