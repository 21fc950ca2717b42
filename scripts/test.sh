#!/usr/bin/env bash
# usage: scripts/test.sh [preset]   (release | debug | asan; default release)
# Installs deps (skip with CORING_SKIP_SETUP=1), configures, builds and runs ctest.
set -euo pipefail
preset=${1:-release}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[[ ${CORING_SKIP_SETUP:-0} == 1 ]] || bash scripts/setup.sh
cmake --preset "$preset"
cmake --build --preset "$preset" -j "${CORING_JOBS:-2}"
ctest --preset "$preset"
