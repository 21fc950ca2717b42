#!/usr/bin/env bash
# usage: bench/peers/go/build.sh TARGET_DIR
# Builds the Go net/http peer servers (hello, user, kv) into TARGET_DIR with Debian's
# golang-go: standard library only, so nothing is downloaded. Exits 1 with a reason
# when go is missing (scripts/setup.sh --bench installs it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
target=$(realpath -m "${1:?usage: build.sh TARGET_DIR}")
command -v go >/dev/null || { echo "Go peers: go not found (apt-get install golang-go)" >&2; exit 1; }
mkdir -p "$target"
cd "$here"
# A private cache and GOPATH under the target, and no module proxy: offline, and
# nothing written to the user's home.
GOCACHE=$target/cache GOPATH=$target/gopath GOPROXY=off GOFLAGS=-mod=mod \
    go build -trimpath -o "$target/" ./hello ./user ./kv
