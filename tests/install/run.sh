#!/usr/bin/env bash
# usage: run.sh <coring-build-dir> <scratch-dir> [extra cmake args for the consumer...]
# Installs <coring-build-dir> into <scratch-dir>/prefix, then, against that prefix only:
# - configures, builds and runs tests/install/consumer via find_package(coring);
# - builds the README's example (consumer/hello_name.cpp) with pkg-config (coring.pc)
#   as well, and serves one request with each build.
set -euo pipefail
build=$1 work=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix"
if [[ -e $work/prefix/include/core || -e $work/prefix/include/http ]]; then
  echo "install_consumer: headers installed outside include/coring/" >&2
  exit 1
fi
cmake -S "$here/consumer" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" "$@"
cmake --build "$work/build" -j 2
"$work/build/coring_consumer"

# The same compiler and flags (sanitizers) for the pkg-config build.
cxx=c++ cxxflags="" ldflags=""
for arg in "$@"; do
  case $arg in
    -DCMAKE_CXX_COMPILER=*) cxx=${arg#*=} ;;
    -DCMAKE_CXX_FLAGS=*) cxxflags=${arg#*=} ;;
    -DCMAKE_EXE_LINKER_FLAGS=*) ldflags=${arg#*=} ;;
  esac
done
pc_dir=$(dirname "$(find "$work/prefix" -name coring.pc | head -n 1)")
export PKG_CONFIG_PATH=$pc_dir
# shellcheck disable=SC2046,SC2086  # word splitting of the flag lists is intended
"$cxx" $cxxflags $(pkg-config --cflags coring) "$here/consumer/hello_name.cpp" \
  -o "$work/hello_name_pc" $ldflags $(pkg-config --libs coring)

# Starts the example on a free port, asks it for /hello/world, stops it with SIGTERM.
serve_one_request() {
  local binary=$1 out=$work/$(basename "$1").out
  "$binary" --port 0 --threads 1 >"$out" &
  local pid=$!
  local port=""
  for _ in $(seq 100); do
    port=$(sed -n 's/^listening on .*:\([0-9]*\) .*/\1/p' "$out")
    [[ -n $port ]] && break
    sleep 0.05
  done
  [[ -n $port ]] || { kill "$pid"; echo "install_consumer: $binary did not start" >&2; return 1; }
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf 'GET /hello/world HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&3
  local answer
  answer=$(cat <&3)
  exec 3<&-
  kill -TERM "$pid"
  wait "$pid"
  grep -q '^HTTP/1.1 200' <<<"$answer" && grep -q '^Hello, world!' <<<"$answer" || {
    echo "install_consumer: $binary answered: $answer" >&2
    return 1
  }
}
serve_one_request "$work/build/hello_name"
serve_one_request "$work/hello_name_pc"
echo "install_consumer: OK"
