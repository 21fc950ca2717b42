#!/usr/bin/env bash
# Installs build/test dependencies (Debian 12). Idempotent: apt only runs when
# something is missing. `--bench` additionally installs what the bench's peers are built
# from (bench/peers: cargo and Debian's crates, Go, Boost; HAProxy and nginx's stream
# module for the proxy peers) and the chart's matplotlib, and runs npm ci/install in bench/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bench=0
for arg in "$@"; do
  case $arg in
    --bench) bench=1 ;;
    *) echo "setup.sh: unknown argument: $arg (usage: setup.sh [--bench])" >&2; exit 2 ;;
  esac
done

die() { echo "setup.sh: error: $*" >&2; exit 1; }

# haproxy: the cluster tests (tests/cluster). curl and iproute2: the bench's smoke test (ctest bench_quick) checks responses with
# curl and brings up loopback in its private network namespace with ip.
packages=(build-essential cmake pkg-config liburing-dev node-llhttp libgtest-dev libbenchmark-dev
          wrk nginx-light clang-format procps util-linux python3 curl iproute2 haproxy
          libsimdjson-dev zlib1g-dev
          clang libclang-rt-14-dev)  # clang + its runtime: the libFuzzer targets (scripts/fuzz.sh)
# The bench's peers (bench/peers) build offline from Debian's packages: hyper on tokio
# and on smol from Debian's crates, Go's net/http from golang-go's standard library,
# Boost.Beast from the headers; the proxy's peers are HAProxy and nginx's stream module;
# the run's chart needs matplotlib, the soak's gnuplot.
if ((bench)); then
  packages+=(cargo librust-hyper-dev librust-tokio-dev librust-dashmap-dev librust-smol-dev
             golang-go libboost1.81-dev python3-matplotlib haproxy libnginx-mod-stream
             gnuplot-nox)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# nodejs/npm may come from another repo (e.g. NodeSource bundles npm): check commands.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if ((${#missing[@]})); then
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install manually: ${missing[*]}"
  if [[ $(id -u) -eq 0 ]]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo -n)
  else
    die "not root and sudo not available; install manually: ${missing[*]}"
  fi
  echo "setup.sh: installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq || die "apt-get update failed"
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
    die "apt-get install failed for: ${missing[*]}"
else
  echo "setup.sh: all system packages present"
fi

if ((bench)) && [[ -f $root/bench/package.json ]]; then
  echo "setup.sh: installing bench/ node dependencies"
  cd "$root/bench"
  if [[ -f package-lock.json ]]; then
    npm ci --no-audit --no-fund || die "npm ci failed in bench/"
  else
    npm install --no-audit --no-fund || die "npm install failed in bench/"
  fi
fi
