#!/usr/bin/env bash
# bench/tools/proxy_floor/cpu_split.sh [PATH] [SECONDS] — where the CPU of one proxied
# request goes.
#
# Seed 003's latency test (one wrk connection, sequential keep-alive GETs; upstream and
# proxy on CPU 0, wrk on CPU 1), direct and through the splice proxy, reporting the
# latency and the CPU each server process spent per request (utime + stime from
# /proc/PID/stat). On CPU 0 the work of one request runs one step after another, so the
# added latency follows the added CPU, and the CPU shows what costs: the process that
# sends the last byte of a response also delivers it into wrk's socket and wakes wrk's
# idle vCPU (an IPI, a VM exit), all charged to it. Needs a release build and wrk.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$here/../../.." && pwd)/build/release/bin
path=${1:-test2}
seconds=${2:-5}
usage="usage: $0 [test1|test2] [SECONDS]"
[[ $path == test1 || $path == test2 ]] || { echo "$usage (path: got '$path')" >&2; exit 2; }
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "$usage (seconds: got '$seconds')" >&2; exit 2; }
[[ -x $bin/upstream && -x $bin/proxy ]] || { echo "build the release preset first" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is not installed (scripts/setup.sh --bench)" >&2; exit 1; }

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
start() {  # start PORT CMD...: pinned to CPU 0, its pid appended to pids
  local port=$1; shift
  taskset -c 0 "$@" >/dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq 30); do port_open "$port" && return 0; sleep 0.1; done
  echo "nothing listens on $port" >&2
  exit 1
}
start 20201 "$bin/upstream" --port 20201 --threads 1
upstream=${pids[0]}
start 20202 "$bin/proxy" --port 20202 --threads 1 --upstream 127.0.0.1:20201
proxy=${pids[1]}

ticks() { local line; read -r line <"/proc/$1/stat"; local f=(${line##*) }); echo $((f[11] + f[12])); }
hz=$(getconf CLK_TCK)
echo "| /$path | µs per request | upstream CPU µs/req | proxy CPU µs/req |"
echo "|---|---:|---:|---:|"
for port in 20201 20202; do
  taskset -c 1 wrk -t1 -c1 -d1s "http://127.0.0.1:$port/$path" >/dev/null
  u0=$(ticks "$upstream") p0=$(ticks "$proxy")
  out=$(taskset -c 1 wrk -t1 -c1 -d"${seconds}s" "http://127.0.0.1:$port/$path")
  u1=$(ticks "$upstream") p1=$(ticks "$proxy")
  n=$(awk '/requests in/ { print $1 }' <<<"$out")
  name=direct; [[ $port == 20202 ]] && name="through the proxy"
  awk -v n="$n" -v s="$seconds" -v u=$((u1 - u0)) -v p=$((p1 - p0)) -v hz="$hz" -v name="$name" \
    'BEGIN { f = 1e6 / hz; printf "| %s | %.1f | %.2f | %.2f |\n", name, s * 1e6 / n, u * f / n, p * f / n }'
done
