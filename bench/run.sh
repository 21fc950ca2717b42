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
# A full run measures the comparisons; soak (a 10-minute pass/fail run) and cluster
# (network-namespace hosts behind HAProxy) are jobs of their own, run by name.
# --quick smoke-tests the same scenarios (soak and cluster too when named; ctest's
# bench_quick names every scenario).
SEPARATE_SCENARIOS=" soak cluster "
DEFAULT_SCENARIOS=()
for s in "${ALL_SCENARIOS[@]}"; do
    [[ $SEPARATE_SCENARIOS == *" $s "* ]] || DEFAULT_SCENARIOS+=("$s")
done

usage() {
    cat <<EOF
Usage: bench/run.sh [--quick] [--rounds N] [--no-build] [scenario...]

Runs each scenario (default: all but soak and cluster, which run by name, with
--quick too) ROUNDS times, alternating our server and
its peers, and prints per-(load, server) medians of req/s, latency and server
CPU µs/request. Results go to bench/results/<date>-<scenario>.{md,tsv}, the run's
chart to bench/results/<date>.svg, and a line to bench/results/README.md.

Scenarios: ${ALL_SCENARIOS[*]}

Options:
  --quick       smoke test: 1 round of 1 s runs, no warm-up, 1,000 idle connections,
                posts up to 3,000 connections, two proxy loads (named: a 30 s soak)
  --rounds N    rounds per (server, load) (default \$ROUNDS or 3)
  --no-build    skip building the release preset's bench_binaries (also SKIP_BUILD=1)
  -h, --help    this help

Environment: ROUNDS, DURATION (s, default 4: a full run of every comparison stays under 30 min), WARMUP (s, default 1),
SERVER_CPU (0), LOAD_CPU (1), OURS_PORT (8000), PEER_PORT (8002),
HYPER_PORT (8005), SMOL_PORT (8008), GO_PORT (8009), BEAST_PORT (8010),
URING_FLOOR_PORT (8011), EPOLL_FLOOR_PORT (8012), SKIP_PEERS=1 (neither build nor
run the peers of bench/peers and the floors), BUILD_PEERS (the families to build,
default "floor hyper go beast", "" = none; the others run if already built in build/),
BENCH_OFFLINE=1 (never npm ci: without autocannon its loads are skipped),
RESULTS_DIR (bench/results),
OURS_CMD (test hook: command to run instead of our binary; @PORT@ is replaced),
BASELINE_BIN_DIR (the binaries of another revision, from scripts/build_baseline.sh REV:
hello, user, kv and proxy run them beside ours as coring-before, on BASELINE_PORT 8001
and 20006-20007); for a focused comparison, HELLO_SERVERS, USER_SERVERS (the direct
servers; the chained pair always runs), KV_SERVERS and PROXY_SERVERS keep only the
servers they name, PROXY_LOADS only those loads.
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
    ROUNDS=1 DURATION=1 WARMUP=0 MEMORY_CONNECTIONS=${MEMORY_CONNECTIONS:-1000}
    SOAK_SECONDS=${SOAK_SECONDS:-30}  # the soak's failures still happen, within 30 s
    SOAK_UPSTREAM_IDLE_TIMEOUT=${SOAK_UPSTREAM_IDLE_TIMEOUT:-3s}
    # Every server and every code path, at the smallest loads that reach them: posts'
    # --threads 2 server and its multi-process wrk at 3,000 connections instead of
    # 30,000, the proxy's bulk path at one connection and its small one at 100.
    POSTS_LEVELS=${POSTS_LEVELS:-"50 1000 3000"} POSTS_T2_ABOVE=${POSTS_T2_ABOVE:-1000}
    POSTS_WRK_CONNS=${POSTS_WRK_CONNS:-1500}
    PROXY_LOADS=${PROXY_LOADS:-"test1-c1 test2-c100"}
fi
ROUNDS=${rounds_arg:-${ROUNDS:-3}}
DURATION=${DURATION:-4}
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "bad round count: $ROUNDS" >&2; exit 2; }
if ((${#scenarios[@]} == 0)); then
    scenarios=("${DEFAULT_SCENARIOS[@]}")
fi
for s in "${scenarios[@]}"; do
    [[ -f $BENCH_DIR/scenarios/$s.sh ]] || { echo "unknown scenario: $s (have: ${ALL_SCENARIOS[*]})" >&2; exit 2; }
done

# --- prerequisites ---------------------------------------------------------
missing=()
for tool in wrk taskset nginx node npm awk ps curl cmp python3; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
    echo "missing tools: ${missing[*]}" >&2
    echo "on Debian: apt-get install -y wrk nginx-light util-linux procps nodejs npm curl diffutils python3" >&2
    exit 1
fi
(($(nproc) >= 2)) || echo "warning: fewer than 2 CPUs; server and load generator will share a core" >&2

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    [[ -f $ROOT/CMakePresets.json ]] || { echo "no CMakePresets.json in $ROOT (use --no-build with OURS_CMD to test the harness)" >&2; exit 1; }
    echo "[bench 0:00] building the release preset's apps and coring_micro (target bench_binaries)" >&2
    (cd "$ROOT" && cmake --preset release >/dev/null && cmake --build --preset release -j2 --target bench_binaries)
fi
# shellcheck source=bench/lib/measure.sh
source "$BENCH_DIR/lib/measure.sh"

# The peers and the floors are optional: a family whose toolchain or packages are
# missing is reported and left out, and the scenarios run without it.
# family -> "build script|target dir|directory of the binaries" (relative to $ROOT/build).
declare -A PEER_BUILD=(
    [hyper]="bench/peers/hyper/build.sh|peers/hyper|peers/hyper/release"
    [go]="bench/peers/go/build.sh|peers/go|peers/go"
    [beast]="bench/peers/beast/build.sh|peers/beast|peers/beast"
    [floor]="bench/tools/floor/build.sh|tools|tools"
)
build_peers() {
    local family script target bins why
    for family in floor hyper go beast; do
        IFS='|' read -r script target bins <<<"${PEER_BUILD[$family]}"
        if [[ ${SKIP_PEERS:-0} == 1 ]]; then
            PEER_UNAVAILABLE[$family]="SKIP_PEERS=1"
        elif [[ " ${BUILD_PEERS-floor hyper go beast} " != *" $family "* ]]; then
            [[ -d $ROOT/build/$bins ]] && PEER_DIR[$family]=$ROOT/build/$bins ||
                PEER_UNAVAILABLE[$family]="not in BUILD_PEERS, and nothing built in build/$bins"
        else
            log "building the $family peers ($script)"
            if why=$(bash "$ROOT/$script" "$ROOT/build/$target" 2>&1); then
                PEER_DIR[$family]=$ROOT/build/$bins
            else
                PEER_UNAVAILABLE[$family]=$(tail -n 3 <<<"$why" | paste -sd ' ' -)
                log "the $family peers are unavailable: ${PEER_UNAVAILABLE[$family]}"
            fi
        fi
    done
}
build_peers
if [[ ! -x $BENCH_DIR/node_modules/.bin/autocannon ]]; then
    if [[ ${BENCH_OFFLINE:-0} == 1 ]]; then
        log "no autocannon in bench/node_modules (BENCH_OFFLINE=1: not installing it): its loads are skipped"
    else
        log "installing autocannon (npm ci)"
        (cd "$BENCH_DIR" && npm ci --no-audit --no-fund >&2)
    fi
fi

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

# ", hyper 0.14.19 + tokio 1.24.2 + smol 1.3.0 (rustc 1.63.0), go1.19.8, Boost 1.81"
# for the peer families that were built.
peer_versions() {
    local lock=$BENCH_DIR/peers/hyper/Cargo.lock
    if [[ -n ${PEER_DIR[hyper]:-} && -f $lock ]]; then
        awk '/^name = / { name = $3 } /^version = / { v[name] = $3 }
             END { for (k in v) gsub(/"/, "", v[k])
                   printf ", hyper %s + tokio %s + smol %s", v["\"hyper\""], v["\"tokio\""], v["\"smol\""] }' "$lock"
        rustc --version 2>/dev/null | awk '{ printf " (rustc %s)", $2 }'
    fi
    if [[ -n ${PEER_DIR[go]:-} ]]; then go version 2>/dev/null | awk '{ printf ", %s", $3 }'; fi
    if [[ -n ${PEER_DIR[beast]:-} ]]; then
        awk '/define BOOST_LIB_VERSION/ { gsub(/"/, "", $3); sub(/_/, ".", $3); printf ", Boost %s", $3 }' \
            /usr/include/boost/version.hpp 2>/dev/null
    fi
    return 0
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
- tools: $(wrk --version 2>&1 | head -1 | awk '{ print "wrk", $2 }'), $(nginx -v 2>&1 | sed 's/.*: //'), autocannon $("$AUTOCANNON" --version 2>/dev/null | head -1 | awk '{ print $2 }' | grep . || echo '(not installed)'), node $(node --version)$(peer_versions)
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

# One chart for the run (every scenario with a table) and its line in the index.
tsvs=()
for s in "${scenarios[@]}"; do
    [[ -f $RESULTS_DIR/$stamp-$s.tsv ]] && tsvs+=("$RESULTS_DIR/$stamp-$s.tsv")
done
# matplotlib is Debian's python3-matplotlib: a python3 earlier in PATH (a virtualenv)
# may not have it, the system's does.
chart_python=
for py in python3 /usr/bin/python3; do
    if "$py" -c 'import matplotlib' 2>/dev/null; then chart_python=$py; break; fi
done
if ((${#tsvs[@]})); then
    if [[ -z $chart_python ]]; then
        log "no chart: no python3 with matplotlib (apt-get install python3-matplotlib)"
    elif "$chart_python" "$BENCH_DIR/report/chart.py" "$RESULTS_DIR/$stamp.svg" "${tsvs[@]}"; then
        log "wrote $RESULTS_DIR/$stamp.svg"
    else
        log "no chart: bench/report/chart.py failed (output above)"
    fi
fi
python3 "$BENCH_DIR/report/index.py" --append "$stamp" "$RESULTS_DIR"
log "added run $stamp to $RESULTS_DIR/README.md"

# A scenario that judges pass/fail (soak) sets BENCH_FAILED=1: the run fails after
# its report is written.
if [[ ${BENCH_FAILED:-0} == 1 ]]; then
    log "a scenario failed (see its report)"
    exit 1
fi
