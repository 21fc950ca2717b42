#!/usr/bin/env bash
# usage: bench/peers/go-proxy/build.sh TARGET_DIR
# Builds seed 003's Go proxy (standard library only) offline with Debian's golang-go
# into TARGET_DIR/go-proxy; Go's build cache and module directory stay in TARGET_DIR.
# Exits 1 with a reason when go is missing (scripts/setup.sh --bench installs it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
target=$(realpath -m "${1:?usage: build.sh TARGET_DIR}")
command -v go >/dev/null || { echo "go proxy: go not found (apt-get install golang-go)" >&2; exit 1; }
mkdir -p "$target"
cd "$here"
GOCACHE=$target/cache GOPATH=$target/gopath GOPROXY=off GOFLAGS='' CGO_ENABLED=0 \
    go build -trimpath -o "$target/go-proxy" .
