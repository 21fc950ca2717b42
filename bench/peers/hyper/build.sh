#!/usr/bin/env bash
# usage: bench/peers/hyper/build.sh TARGET_DIR
# Builds the tokio + hyper peer servers (hello, user, kv) offline from Debian's
# packaged crates into TARGET_DIR/release. Exits 1 with a reason when cargo or the
# crates are missing (scripts/setup.sh --bench installs them).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
target=$(realpath -m "${1:?usage: build.sh TARGET_DIR}")  # before the cd below
registry=/usr/share/cargo/registry
command -v cargo >/dev/null || { echo "hyper peers: cargo not found (apt-get install cargo)" >&2; exit 1; }
for crate in hyper-0.14 tokio-1 dashmap-5 smol-1 futures-lite-1; do
    compgen -G "$registry/$crate.*" >/dev/null ||
        { echo "hyper peers: no $crate crate in $registry (apt-get install librust-hyper-dev librust-tokio-dev librust-dashmap-dev librust-smol-dev)" >&2; exit 1; }
done
# The lock file is resolved here from whatever versions Debian ships.
cd "$here"
cargo build --release --offline --quiet --target-dir "$target"
