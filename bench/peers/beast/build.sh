#!/usr/bin/env bash
# usage: bench/peers/beast/build.sh TARGET_DIR
# Builds the Boost.Beast peer servers (beast-hello, beast-user, beast-kv) into
# TARGET_DIR with CMake against Debian's libboost1.81-dev (header-only Beast + Asio).
# Incremental: a second call only rebuilds what changed. Exits 1 with a reason when
# Boost is missing (scripts/setup.sh --bench installs it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
target=$(realpath -m "${1:?usage: build.sh TARGET_DIR}")
[[ -f /usr/include/boost/beast/http.hpp ]] ||
    { echo "Beast peers: no Boost.Beast headers (apt-get install libboost1.81-dev)" >&2; exit 1; }
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S "$here" -B "$target" -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" >/dev/null
cmake --build "$target" -j "${CORING_JOBS:-2}" >/dev/null
