#!/usr/bin/env bash
# bench/tools/proxy_floor/run.sh [ROUNDS] — what any proxy costs on this machine.
#
# Seed 003's latency test (one wrk connection, sequential keep-alive GETs of /test1
# and /test2; upstream and proxies on CPU 0, wrk on CPU 1) through:
#   direct              coring's upstream, no proxy
#   coring-splice       apps/proxy, default engine (poll + splice(2))
#   c-epoll-splice      epoll_splice_proxy.c: the same moves in plain C
#   c-sockmap           sockmap_proxy.c: the kernel forwards (BPF sk_skb redirect); root only
# plus pingpong.c, the price of one process-to-process (and thread-to-thread) hand-off
# on one CPU and of a null system call.
# Rounds alternate the paths; medians of ROUNDS (default 3) 4 s runs. Needs a release
# build (cmake --preset release && cmake --build --preset release), wrk and cc.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
bin=$root/build/release/bin
rounds=${1:-3}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [ROUNDS]  (a positive integer; got '$rounds')" >&2; exit 2; }
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

for tool in epoll_splice_proxy sockmap_proxy pingpong; do
  cc -O2 -Wall -Wextra -pthread -o "$work/$tool" "$here/$tool.c"
done
[[ -x $bin/upstream && -x $bin/proxy ]] || { echo "build the release preset first" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
start() {  # start PORT CMD...: pinned to CPU 0; false if it does not listen within 3 s
  local port=$1; shift
  taskset -c 0 "$@" >"$work/$port.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 30); do port_open "$port" && return 0; sleep 0.1; done
  return 1
}

start 20101 "$bin/upstream" --port 20101 --threads 1 || { cat "$work/20101.log"; exit 1; }
declare -A port=([direct]=20101 [coring-splice]=20102 [c-epoll-splice]=20103 [c-sockmap]=20104)
paths=(direct coring-splice c-epoll-splice)
start 20102 "$bin/proxy" --port 20102 --threads 1 --upstream 127.0.0.1:20101 || exit 1
start 20103 "$work/epoll_splice_proxy" 20103 20101 || exit 1
if start 20104 "$work/sockmap_proxy" 20104 20101; then
  paths+=(c-sockmap)
else
  echo "c-sockmap skipped: $(head -1 "$work/20104.log")" >&2
fi

echo "pingpong (CPU 0):"
taskset -c 0 "$work/pingpong" | sed 's/^/  /'
echo
us_per_request() {  # PORT PATH SECONDS
  taskset -c 1 wrk -t1 -c1 -d"$3"s "http://127.0.0.1:$1/$2" | awk '/Requests\/sec/ { printf "%.1f", 1e6 / $2 }'
}
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo
echo "| path | /test1 µs (median) | overhead | /test2 µs (median) | overhead |"
echo "|---|---:|---:|---:|---:|"
declare -A result
for target in test1 test2; do
  for p in "${paths[@]}"; do us_per_request "${port[$p]}" "$target" 1 >/dev/null; done
  declare -A runs=()
  for ((r = 0; r < rounds; r++)); do
    for p in "${paths[@]}"; do runs[$p]+=" $(us_per_request "${port[$p]}" "$target" 4)"; done
  done
  # shellcheck disable=SC2086
  for p in "${paths[@]}"; do result[$p,$target]=$(median ${runs[$p]}); done
done
for p in "${paths[@]}"; do
  line="| $p"
  for target in test1 test2; do
    v=${result[$p,$target]} d=${result[direct,$target]}
    line+=" | $v | $(awk -v v="$v" -v d="$d" 'BEGIN { printf "%+.1f µs (%+.0f %%)", v - d, (v / d - 1) * 100 }')"
  done
  echo "$line |"
done
