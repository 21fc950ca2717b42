#!/usr/bin/env bash
# usage: bench/tools/floor/build.sh TARGET_DIR
# Compiles uring_floor and epoll_floor (measuring aids, not part of coring) into
# TARGET_DIR when their sources are newer than the binaries. Needs cc and liburing-dev.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
target=${1:?usage: build.sh TARGET_DIR}
mkdir -p "$target"
build() {
    local name=$1; shift
    local out=$target/$name source stale=0
    for source in "$here/$name.c" "$here/floor.h" "$here/listen.h"; do
        [[ -x $out && ! $source -nt $out ]] || stale=1
    done
    ((stale)) || return 0
    cc -std=gnu11 -O2 -Wall -Wextra -Werror -o "$out" "$here/$name.c" "$@"
}
build epoll_floor
build uring_floor -luring
