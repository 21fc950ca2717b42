#!/usr/bin/env bash
# Installs build/test dependencies (Debian 12). Idempotent: apt only runs when
# something is missing. `--bench` additionally installs the bench's peers (cargo and the
# crates of bench/peers/hyper) and runs npm ci/install in bench/.
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

packages=(build-essential cmake pkg-config liburing-dev node-llhttp libgtest-dev libbenchmark-dev
          wrk nginx-light clang-format procps util-linux python3
          clang libclang-rt-14-dev)  # clang + its runtime: the libFuzzer targets (scripts/fuzz.sh)
# The bench's tokio + hyper peers (bench/peers/hyper) build offline from Debian's crates.
if ((bench)); then
  packages+=(cargo librust-hyper-dev librust-tokio-dev librust-dashmap-dev)
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
