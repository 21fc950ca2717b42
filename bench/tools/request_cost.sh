#!/usr/bin/env bash
# usage: bench/tools/request_cost.sh [--callgrind] LOAD SECONDS PORT -- SERVER_CMD...
#
# A server's cost per request under one wrk load, for comparing builds (A/B) on a
# machine shared with other work, where req/s is too noisy to read:
#   cpu   — server CPU ns per request: on-CPU time of all its threads
#           (/proc/PID/task/*/schedstat), kernel and user;
#   user% — the user-space share of that CPU (utime / (utime + stime));
#   --callgrind: instead, user-space instructions per request under callgrind
#           (exact and repeatable; the kernel's share is not counted), and the
#           functions with the most instructions of their own per request.
# LOAD: c10 (wrk -c10), c100 (wrk -c100) or p16 (wrk -c100, 16 pipelined requests per
# write). The server runs on CPU 0 and wrk on CPU 1, as in bench/run.sh; SERVER_CMD
# must listen on 127.0.0.1:PORT, e.g. build/release/bin/hello --threads 1 --port PORT,
# or the io_uring floor (bench/tools/floor/build.sh DIR; DIR/uring_floor --port PORT,
# which callgrind cannot stop cleanly: measure it without --callgrind).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
callgrind=0
if [[ ${1:-} == --callgrind ]]; then
    callgrind=1
    shift
fi
if [[ $# -lt 5 || $4 != -- ]]; then
    sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
load=$1 seconds=$2 port=$3
shift 4
url=http://127.0.0.1:$port/
case $load in
    c10) wrk_args=(-t1 -c10) ;;
    c100) wrk_args=(-t1 -c100) ;;
    p16) wrk_args=(-t1 -c100 -s "$here/../lua/pipeline.lua") ;;
    *) echo "request_cost.sh: LOAD must be c10, c100 or p16, not '$load'" >&2; exit 2 ;;
esac
[[ $load == p16 ]] && pipeline=(-- 16) || pipeline=()
work=$(mktemp -d -t request-cost.XXXXXX)
trap 'rm -rf "$work"' EXIT

if ((callgrind)); then
    taskset -c 0 valgrind --tool=callgrind --callgrind-out-file="$work/out" "$@" \
        >"$work/server.log" 2>&1 &
else
    taskset -c 0 "$@" >"$work/server.log" 2>&1 &
fi
pid=$!
for _ in $(seq 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.1
done
taskset -c 1 wrk -t1 -c10 -d1s "$url" >/dev/null  # warm-up: pools, page faults

cpu_ns() {
    local total=0 task run _
    for task in /proc/"$pid"/task/*/schedstat; do
        read -r run _ <"$task"
        total=$((total + run))
    done
    echo "$total"
}
if ((callgrind)); then
    callgrind_control -z "$pid" >/dev/null 2>&1
else
    read -r -a stat_before < <(cut -d' ' -f14,15 "/proc/$pid/stat")
    cpu_before=$(cpu_ns)
fi
report=$(taskset -c 1 wrk "${wrk_args[@]}" -d"${seconds}s" "$url" "${pipeline[@]}")
requests=$(awk '/requests in/ {print $1}' <<<"$report")
if ((callgrind)); then
    kill -TERM "$pid"
    wait "$pid" || true
    python3 "$here/callgrind_self.py" "$work/out" "$requests" "${TOP:-25}"
else
    cpu_after=$(cpu_ns)
    read -r -a stat_after < <(cut -d' ' -f14,15 "/proc/$pid/stat")
    kill -TERM "$pid"
    wait "$pid" || true
    user=$((stat_after[0] - stat_before[0]))
    system=$((stat_after[1] - stat_before[1]))
    awk -v n="$requests" -v ns=$((cpu_after - cpu_before)) -v u="$user" -v s="$system" \
        'BEGIN { printf "requests %d  cpu_ns_per_request %.0f  user%% %.0f\n",
                 n, ns / n, 100 * u / (u + s + 1e-9) }'
fi
