#!/usr/bin/env bash
# usage: run.sh <coring-build-dir> <scratch-dir> [extra cmake args for the consumer...]
# Installs <coring-build-dir> into <scratch-dir>/prefix, then configures, builds and
# runs tests/install/consumer against it via find_package(coring).
set -euo pipefail
build=$1 work=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix"
cmake -S "$here/consumer" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" "$@"
cmake --build "$work/build" -j 2
"$work/build/coring_consumer"
echo "install_consumer: OK"
