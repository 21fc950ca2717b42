#!/usr/bin/env bash
# usage: scripts/build_baseline.sh REV
# Builds the release apps of git revision REV (a commit, tag or branch of this clone)
# out of tree, in build/baseline/REV/, and prints the directory of its binaries, for
#   BASELINE_BIN_DIR=$(scripts/build_baseline.sh REV) bench/run.sh hello user kv proxy
# which runs that build beside the current one, alternately, as "coring-before".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rev=${1:-}
[[ -n $rev ]] || { echo "usage: scripts/build_baseline.sh REV" >&2; exit 2; }
commit=$(git -C "$root" rev-parse --verify --quiet "$rev^{commit}") ||
    { echo "build_baseline.sh: '$rev' is not a commit of $root" >&2; exit 2; }
src=$root/build/baseline/${commit:0:12}
if [[ ! -f $src/CMakeLists.txt ]]; then
    mkdir -p "$src"
    git -C "$root" archive "$commit" | tar -x -C "$src"
fi
launcher=()
if command -v ccache >/dev/null; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
# Only the apps: the baseline's tests were run when it was current.
(cd "$src" && cmake --preset release "${launcher[@]}" >&2 &&
    cmake --build --preset release -j "${CORING_JOBS:-2}" \
        --target hello user kv proxy upstream >&2)
echo "$src/build/release/bin"
