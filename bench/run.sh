#!/usr/bin/env bash
# bench/run.sh -- run coring benchmarks against peer servers, see bench/README.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
BIN_DIR=${BIN_DIR:-$ROOT/build/release/bin}
RESULTS_DIR=${RESULTS_DIR:-$BENCH_DIR/results}
OURS_NAME=${OURS_NAME:-coring}
ALL_SCENARIOS=()
for f in "$BENCH_DIR"/scenarios/*.sh; do ALL_SCENARIOS+=("$(basename "$f" .sh)"); done

usage() {
    cat <<EOF
Usage: bench/run.sh [--quick] [--rounds N] [--no-build] [scenario...]

Runs each scenario (default: all) ROUNDS times, alternating our server and
its peers, and prints per-(load, server) medians of req/s, latency and server
CPU µs/request. Results go to bench/results/<date>-<scenario>.{md,tsv}.

Scenarios: ${ALL_SCENARIOS[*]}

Options:
  --quick       3 s runs, 1 round (smoke test)
  --rounds N    rounds per (server, load) (default \$ROUNDS or 3)
  --no-build    skip 'cmake --build --preset release' (also SKIP_BUILD=1)
  -h, --help    this help

Environment: ROUNDS, DURATION (s, default 10), WARMUP (s, default 1),
SERVER_CPU (0), LOAD_CPU (1), OURS_PORT (8000), PEER_PORT (8002),
HYPER_PORT (8005), SKIP_PEERS=1 (neither build nor run the tokio + hyper peers),
OURS_CMD (test hook: command to run instead of our binary; @PORT@ is replaced).
EOF
}

quick=0 rounds_arg='' scenarios=()
while (($#)); do
    case $1 in
        --quick) quick=1 ;;
        --rounds) rounds_arg=${2:?--rounds needs a number}; shift ;;
        --rounds=*) rounds_arg=${1#*=} ;;
        --no-build) SKIP_BUILD=1 ;;
        -h | --help) usage; exit 0 ;;
        -*) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
        *) scenarios+=("$1") ;;
    esac
    shift
done
if ((quick)); then
    ROUNDS=1 DURATION=3
fi
ROUNDS=${rounds_arg:-${ROUNDS:-3}}
DURATION=${DURATION:-10}
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "bad round count: $ROUNDS" >&2; exit 2; }
((${#scenarios[@]})) || scenarios=("${ALL_SCENARIOS[@]}")
for s in "${scenarios[@]}"; do
    [[ -f $BENCH_DIR/scenarios/$s.sh ]] || { echo "unknown scenario: $s (have: ${ALL_SCENARIOS[*]})" >&2; exit 2; }
done

# --- prerequisites ---------------------------------------------------------
missing=()
for tool in wrk taskset nginx node npm awk ps; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
    echo "missing tools: ${missing[*]}" >&2
    echo "on Debian: apt-get install -y wrk nginx-light util-linux procps nodejs npm" >&2
    exit 1
fi
(($(nproc) >= 2)) || echo "warning: fewer than 2 CPUs; server and load generator will share a core" >&2

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    [[ -f $ROOT/CMakePresets.json ]] || { echo "no CMakePresets.json in $ROOT (use --no-build with OURS_CMD to test the harness)" >&2; exit 1; }
    echo "[bench] building release preset" >&2
    (cd "$ROOT" && cmake --preset release >/dev/null && cmake --build --preset release -j2)
fi
# The tokio + hyper peers (the stack the issues' targets name) are optional: without
# cargo and Debian's crates the scenarios run without them and say so.
HYPER_BIN_DIR=
HYPER_UNAVAILABLE=
if [[ ${SKIP_PEERS:-0} != 1 ]]; then
    echo "[bench] building the tokio + hyper peers (bench/peers/hyper)" >&2
    if HYPER_UNAVAILABLE=$(bash "$BENCH_DIR/peers/hyper/build.sh" "$ROOT/build/peers/hyper" 2>&1); then
        HYPER_BIN_DIR=$ROOT/build/peers/hyper/release
    else
        echo "[bench] $HYPER_UNAVAILABLE" >&2
    fi
else
    HYPER_UNAVAILABLE="SKIP_PEERS=1"
fi
if [[ ! -x $BENCH_DIR/node_modules/.bin/autocannon ]]; then
    echo "[bench] installing autocannon (npm ci)" >&2
    (cd "$BENCH_DIR" && npm ci --no-audit --no-fund >&2)
fi

# shellcheck source=bench/lib/measure.sh
source "$BENCH_DIR/lib/measure.sh"
trap 'stop_all_servers' EXIT
trap 'exit 130' INT TERM

# What a hand-off and a system call cost on this machine right now (pingpong.c): runs
# on different days are only comparable alongside these (a VM can change under us).
machine_costs() {
    local tool=$LOG_DIR/pingpong
    command -v cc >/dev/null &&
        cc -O2 -pthread -o "$tool" "$BENCH_DIR/tools/proxy_floor/pingpong.c" 2>/dev/null &&
        taskset -c "$SERVER_CPU" "$tool" 2>/dev/null |
        sed -E 's/^pipe round trip between two (process|thread)(es|s): /\1 round trip /; s/ us$/ µs/;
                s/^null system call \(getppid\): /null system call /' |
        paste -sd ';' - | sed 's/;/; /g'
}
MACHINE_COSTS=$(machine_costs || true)

# ", hyper 0.14.19 + tokio 1.24.2 (rustc 1.63.0)" when the peers were built.
hyper_versions() {
    local lock=$BENCH_DIR/peers/hyper/Cargo.lock
    [[ -n $HYPER_BIN_DIR && -f $lock ]] || return 0
    awk '/^name = / { name = $3 } /^version = / { v[name] = $3 }
         END { gsub(/"/, "", v["\"hyper\""]); gsub(/"/, "", v["\"tokio\""]);
               printf ", hyper %s + tokio %s", v["\"hyper\""], v["\"tokio\""] }' "$lock"
    rustc --version 2>/dev/null | awk '{ printf " (rustc %s)", $2 }'
}

machine_context() {
    local commit
    commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none)
    # Dirty = source changes; the run's own result files do not count.
    [[ -z $(git -C "$ROOT" status --porcelain -- . ':!bench/results' 2>/dev/null) ]] ||
        commit+=" (dirty)"
    cat <<EOF
- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')
- git commit: $commit
- kernel: $(uname -sr)
- CPU: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), nproc $(nproc)
- hand-off costs on CPU $SERVER_CPU (\`tools/proxy_floor/pingpong.c\`): ${MACHINE_COSTS:-not measured (no cc)}
- tools: $(wrk --version 2>&1 | head -1 | awk '{ print "wrk", $2 }'), $(nginx -v 2>&1 | sed 's/.*: //'), autocannon $("$AUTOCANNON" --version 2>/dev/null | head -1 | awk '{ print $2 }'), node $(node --version)$(hyper_versions)
- method: server on CPU $SERVER_CPU, load generator on CPU $LOAD_CPU (taskset); $ROUNDS round(s) of ${DURATION} s per (load, server), servers alternating; medians shown.
  CPU µs/req = Δ(utime+stime) of the server's processes (/proc/PID/stat 14+15, CLK_TCK=$CLK_TCK) × 10⁶ / CLK_TCK / requests completed.
EOF
}

mkdir -p "$RESULTS_DIR"
stamp=$(date '+%Y-%m-%d-%H%M%S')
for s in "${scenarios[@]}"; do
    # shellcheck source=/dev/null
    source "$BENCH_DIR/scenarios/$s.sh"
    RESULTS_TSV=$LOG_DIR/$s.tsv
    log "scenario $s: $ROUNDS round(s) x ${DURATION}s (logs in $LOG_DIR)"
    "scenario_$s"
    stop_all_servers

    report=$RESULTS_DIR/$stamp-$s.md
    {
        echo "# Benchmark: $s"
        echo
        machine_context
        echo
        # Scenarios that only report through their notes write no TSV.
        if [[ -s $RESULTS_TSV ]]; then median_report "$s" "$OURS_NAME"; fi
        if declare -F "scenario_${s}_notes" >/dev/null; then
            echo
            "scenario_${s}_notes"
        fi
        if [[ -s $RESULTS_TSV ]]; then
            echo
            echo "Raw rounds: \`$stamp-$s.tsv\`."
        fi
    } >"$report"
    if [[ -s $RESULTS_TSV ]]; then cp "$RESULTS_TSV" "$RESULTS_DIR/$stamp-$s.tsv"; fi
    echo
    cat "$report"
    echo
    log "wrote $report"
done
# A scenario that judges pass/fail (soak) sets BENCH_FAILED=1: the run fails after
# its report is written.
if [[ ${BENCH_FAILED:-0} == 1 ]]; then
    log "a scenario failed (see its report)"
    exit 1
fi
