#!/usr/bin/env bash
# usage: scripts/bench.sh [args...]   -> builds what the bench runs (the release preset's
# apps and coring_micro: target bench_binaries, not the tests), then bench/run.sh args...
# (told not to build again).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh --bench
cmake --preset release
cmake --build --preset release -j "${CORING_JOBS:-2}" --target bench_binaries
[[ -f bench/run.sh ]] || { echo "bench.sh: error: bench/run.sh not found" >&2; exit 1; }
SKIP_BUILD=1 exec bash bench/run.sh "$@"
