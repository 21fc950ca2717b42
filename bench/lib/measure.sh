# shellcheck shell=bash
# bench/lib/measure.sh -- measurement helpers, sourced by bench/run.sh.
#
# Method (see bench/README.md):
#   * servers run pinned to CPU $SERVER_CPU (0), load generators to $LOAD_CPU (1);
#   * server CPU = utime+stime (/proc/PID/stat fields 14+15, clock ticks) summed
#     over the server process and all its descendants (nginx master + workers),
#     read before and after each load run;
#   * CPU µs/req = (ticks_after - ticks_before) * 1e6 / CLK_TCK / requests.
#
# Every measured run appends one row to $RESULTS_TSV:
#   scenario load server round rps lat_avg_us lat_p99_us requests cpu_us_per_req errors non2xx lat_p50_us
# (lat_p50_us came last, so that older files and readers keep their columns).

BENCH_DIR=${BENCH_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
CLK_TCK=$(getconf CLK_TCK)
AUTOCANNON=${AUTOCANNON:-$BENCH_DIR/node_modules/.bin/autocannon}
LOG_DIR=${LOG_DIR:-$(mktemp -d -t coring-bench.XXXXXX)}
RESULTS_TSV=${RESULTS_TSV:-$LOG_DIR/results.tsv}

TSV_HEADER=$'scenario\tload\tserver\tround\trps\tlat_avg_us\tlat_p99_us\trequests\tcpu_us_per_req\terrors\tnon2xx\tlat_p50_us'

declare -gA SERVER_PID=()   # name -> pid
declare -gA SERVER_PORT=()  # name -> port

BENCH_STARTED=${BENCH_STARTED:-$SECONDS}

# Every line says how long the run has been going, so a long run shows its progress.
log() {
    local t=$((SECONDS - BENCH_STARTED))
    printf '[bench %d:%02d] %s\n' $((t / 60)) $((t % 60)) "$*" >&2
}
die() { log "error: $*"; exit 1; }

# port_open PORT: true if something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# start_server NAME PORT CMD...: start CMD pinned to $SERVER_CPU, wait until
# PORT accepts connections, remember its pid as SERVER_PID[NAME].
start_server() {
    local name=$1 port=$2; shift 2
    port_open "$port" && die "port $port is already in use (before starting $name)"
    log "starting $name on :$port: $*"
    taskset -c "$SERVER_CPU" "$@" >"$LOG_DIR/$name.log" 2>&1 &
    local pid=$!
    SERVER_PID[$name]=$pid
    SERVER_PORT[$name]=$port
    local i
    for ((i = 0; i < 150; i++)); do
        kill -0 "$pid" 2>/dev/null || {
            cat "$LOG_DIR/$name.log" >&2
            die "$name exited during startup (log above)"
        }
        port_open "$port" && return 0
        sleep 0.1
    done
    die "$name did not accept connections on :$port within 15 s"
}

# stop_server NAME: SIGTERM the server and its descendants, SIGKILL after 5 s.
stop_server() {
    local name=$1 pid=${SERVER_PID[$1]:-}
    [[ -n $pid ]] || return 0
    local pids i
    pids=$(server_pids "$pid")
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    unset "SERVER_PID[$name]"
}

stop_all_servers() {
    local name
    for name in "${!SERVER_PID[@]}"; do stop_server "$name"; done
}

# server_pids PID: PID and all its live descendants, one per line.
server_pids() {
    ps -e -o pid=,ppid= | awk -v root="$1" '
        { parent[$1] = $2 }
        END {
            keep[root] = 1
            do {
                changed = 0
                for (p in parent)
                    if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; changed = 1 }
            } while (changed)
            for (p in keep) print p
        }'
}

# cpu_ticks PID: utime+stime (clock ticks) of PID and its descendants.
# /proc/PID/stat already includes all threads of a process.
cpu_ticks() {
    local total=0 pid line
    local -a f
    for pid in $(server_pids "$1"); do
        read -r line 2>/dev/null <"/proc/$pid/stat" || continue
        read -ra f <<<"${line##*) }"   # drop "pid (comm) "; f[0] is field 3
        total=$((total + f[11] + f[12]))  # fields 14 (utime) and 15 (stime)
    done
    echo "$total"
}

# us_per_req TICKS REQUESTS: server CPU microseconds per request.
us_per_req() {
    awk -v t="$1" -v n="$2" -v hz="$CLK_TCK" \
        'BEGIN { if (n > 0) printf "%.3f\n", t * 1e6 / hz / n; else print "nan" }'
}

# Load generators. Each sets LOAD_REQUESTS LOAD_RPS LOAD_LAT_AVG_US LOAD_LAT_P50_US
# LOAD_LAT_P99_US LOAD_ERRORS LOAD_NON2XX, and keeps its output in $LOG_DIR.

# run_wrk URL CONNS DURATION_S [LUA_SCRIPT [SCRIPT_ARGS...]]
run_wrk() {
    local url=$1 conns=$2 dur=$3 script=${4:-$BENCH_DIR/lua/report.lua}
    shift 3; if (($#)); then shift; fi
    local out=$LOG_DIR/last-wrk.txt line
    # A 0 s run is none (a warm-up with WARMUP=0, as --quick sets it): wrk rejects -d0s.
    if [[ $dur == 0 ]]; then
        LOAD_REQUESTS=0 LOAD_RPS=0 LOAD_LAT_AVG_US=0 LOAD_LAT_P50_US=0 LOAD_LAT_P99_US=0 LOAD_ERRORS=0 LOAD_NON2XX=0
        return 0
    fi
    taskset -c "$LOAD_CPU" wrk -t1 -c"$conns" -d"${dur}s" --timeout 10s \
        -s "$script" "$url" -- "$@" >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed"; }
    line=$(grep '^BENCH ' "$out") || { cat "$out" >&2; die "no BENCH line in wrk output"; }
    # "BENCH requests=N duration_us=N lat_avg_us=X lat_p99_us=N errors=N non2xx=N lat_p50_us=N"
    local duration_us
    read -r LOAD_REQUESTS duration_us LOAD_LAT_AVG_US LOAD_LAT_P99_US LOAD_ERRORS LOAD_NON2XX LOAD_LAT_P50_US \
        <<<"$(sed -e 's/^BENCH //' -e 's/[a-z0-9_]*=//g' <<<"$line")"
    LOAD_RPS=$(awk -v n="$LOAD_REQUESTS" -v d="$duration_us" 'BEGIN { printf "%.0f", n * 1e6 / d }')
}

# run_autocannon URL CONNS DURATION_S [EXTRA_AUTOCANNON_ARGS...]
# autocannon reports latency in ms (2 decimals); converted to µs here.
# req/s is autocannon's own "Req/Sec avg" (mean of per-second samples).
run_autocannon() {
    local url=$1 conns=$2 dur=$3; shift 3
    local out=$LOG_DIR/last-autocannon.json
    taskset -c "$LOAD_CPU" "$AUTOCANNON" --json -c "$conns" -d "$dur" "$@" "$url" \
        >"$out" 2>"$LOG_DIR/last-autocannon.err" || { cat "$LOG_DIR/last-autocannon.err" >&2; die "autocannon failed"; }
    local vals
    vals=$(node -e '
        const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        console.log([r.requests.total, Math.round(r.requests.average),
                     (r.latency.average * 1000).toFixed(1), Math.round(r.latency.p99 * 1000),
                     r.errors + r.timeouts, r.non2xx, Math.round(r.latency.p50 * 1000)].join(" "));
    ' "$out") || die "cannot parse autocannon output $out"
    read -r LOAD_REQUESTS LOAD_RPS LOAD_LAT_AVG_US LOAD_LAT_P99_US LOAD_ERRORS LOAD_NON2XX LOAD_LAT_P50_US <<<"$vals"
}

# measure SCENARIO LOAD SERVER ROUND LOADFN ARGS...
# Runs "LOADFN ARGS..." against the running server SERVER, measuring the
# server's CPU around it, and appends one row to $RESULTS_TSV. The log names the run's
# length: MEASURE_SECONDS when the scenario sets it (not every load lasts $DURATION).
measure() {
    local scenario=$1 load=$2 server=$3 round=$4; shift 4
    local pid=${SERVER_PID[$server]:-}
    [[ -n $pid ]] || die "measure: server '$server' is not running"
    [[ -s $RESULTS_TSV ]] || echo "$TSV_HEADER" >"$RESULTS_TSV"
    log "$scenario, round $round/$ROUNDS, $server, $load: measuring for ${MEASURE_SECONDS:-$DURATION} s"
    local before after cpu
    before=$(cpu_ticks "$pid")
    "$@"
    after=$(cpu_ticks "$pid")
    kill -0 "$pid" 2>/dev/null || die "$server died during the run (see $LOG_DIR/$server.log)"
    cpu=$(us_per_req $((after - before)) "$LOAD_REQUESTS")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
        "$scenario" "$load" "$server" "$round" "$LOAD_RPS" "$LOAD_LAT_AVG_US" \
        "$LOAD_LAT_P99_US" "$LOAD_REQUESTS" "$cpu" "$LOAD_ERRORS" "$LOAD_NON2XX" "$LOAD_LAT_P50_US" >>"$RESULTS_TSV"
    log "$(printf '%-8s %-14s %-8s r%s: %8s req/s  avg %7s us  p99 %6s us  cpu %7s us/req  err %s  non2xx %s' \
        "$scenario" "$load" "$server" "$round" "$LOAD_RPS" "$LOAD_LAT_AVG_US" "$LOAD_LAT_P99_US" \
        "$cpu" "$LOAD_ERRORS" "$LOAD_NON2XX")"
}

# start_nginx NAME PORT TEMPLATE: run nginx with TEMPLATE (@PORT@ substituted)
# under a private prefix in $LOG_DIR, so it needs no root paths.
start_nginx() {
    local name=$1 port=$2 template=$3
    local prefix=$LOG_DIR/$name-prefix
    mkdir -p "$prefix/logs" "$prefix/tmp"
    sed "s/@PORT@/$port/g" "$template" >"$prefix/nginx.conf"
    start_server "$name" "$port" nginx -p "$prefix/" -c "$prefix/nginx.conf"
}

# median_report SCENARIO [OURS]: the scenario's Markdown table from $RESULTS_TSV (one
# row per load and server: medians over rounds, CPU ÷ ours and ÷ the io_uring floor),
# then ours against each peer per load, with every round's own CPU ratio
# (bench/report/table.py).
median_report() {
    python3 "$BENCH_DIR/report/table.py" "$RESULTS_TSV" "$1" "${2:-${OURS_NAME:-coring}}"
}

# start_ours NAME PORT BINARY ARGS...: start one of our binaries from $BIN_DIR.
# Test hook: if $OURS_CMD is set it is run instead (split on whitespace,
# @PORT@ replaced by PORT), e.g. to dry-run the harness before a binary exists.
start_ours() {
    local name=$1 port=$2 bin=$3; shift 3
    if [[ -n ${OURS_CMD:-} ]]; then
        local -a cmd
        read -ra cmd <<<"${OURS_CMD//@PORT@/$port}"
        start_server "$name" "$port" "${cmd[@]}"
    else
        [[ -x $BIN_DIR/$bin ]] || die "$BIN_DIR/$bin not found (build the release preset first)"
        start_server "$name" "$port" "$BIN_DIR/$bin" "$@"
    fi
}

# start_baseline NAME PORT BINARY ARGS...: when $BASELINE_BIN_DIR is set (a build of
# another revision: scripts/build_baseline.sh), start its BINARY as NAME, so a change is
# measured against the code before it in the same run, alternately; returns 1 otherwise.
start_baseline() {
    local name=$1 port=$2 bin=$3; shift 3
    [[ -n ${BASELINE_BIN_DIR:-} ]] || return 1
    [[ -x $BASELINE_BIN_DIR/$bin ]] || die "BASELINE_BIN_DIR has no $bin ($BASELINE_BIN_DIR)"
    start_server "$name" "$port" "$BASELINE_BIN_DIR/$bin" "$@"
}

# The peers run.sh builds (bench/peers/*, bench/tools/floor), by family: the directory
# of a family's binaries, or why it is unavailable (set by run.sh's build_peers).
declare -gA PEER_DIR=()
declare -gA PEER_UNAVAILABLE=()

# start_peer FAMILY NAME PORT BINARY ARGS...: start a peer of FAMILY (hyper, go, beast,
# floor) with --port PORT ARGS; returns 1 (and logs why) when that family is unavailable,
# so a scenario runs on without it.
start_peer() {
    local family=$1 name=$2 port=$3 bin=$4; shift 4
    local dir=${PEER_DIR[$family]:-}
    if [[ -z $dir || ! -x $dir/$bin ]]; then
        log "skipping $name: the $family peers are not built (${PEER_UNAVAILABLE[$family]:-not built})"
        return 1
    fi
    start_server "$name" "$port" "$dir/$bin" --port "$port" "$@"
}

# start_hyper NAME PORT BINARY ARGS...: start a tokio + hyper peer (bench/peers/hyper).
start_hyper() {
    start_peer hyper "$@"
}

# start_floors: the io_uring and epoll fixed-response floors (bench/tools/floor) as
# servers uring-floor and epoll-floor; FLOOR_SERVERS lists those that started.
start_floors() {
    FLOOR_SERVERS=()
    if start_peer floor uring-floor "${URING_FLOOR_PORT:-8011}" uring_floor; then FLOOR_SERVERS+=(uring-floor); fi
    if start_peer floor epoll-floor "${EPOLL_FLOOR_PORT:-8012}" epoll_floor; then FLOOR_SERVERS+=(epoll-floor); fi
}

# A response as it left SERVER (curl -si of PATH), with what changes by the second made
# constant: the Date header's value and, in the user body, the first createdAt.
response_bytes() {
    curl -sS -i --max-time 5 "http://127.0.0.1:${SERVER_PORT[$1]}$2" |
        sed -E 's/^([Dd]ate: ).*\r$/\1(date)\r/; s/("createdAt": ")[0-9T:.Z-]{24}"/\1(now)"/'
}

# check_same_response REFERENCE PATH PART SERVER...: each SERVER must answer PATH with
# the bytes REFERENCE answers (PART = all: status line, headers and body, header names
# compared case-insensitively as HTTP defines them; body: the body only). A peer that
# differs would measure another workload: stop the run and show the difference.
check_same_response() {
    local reference=$1 path=$2 part=$3 server; shift 3
    local want=$LOG_DIR/response-$reference.txt got
    response_bytes "$reference" "$path" >"$want" || die "no response from $reference for $path"
    for server in "$@"; do
        [[ -z $server || $server == "$reference" ]] && continue
        got=$LOG_DIR/response-$server.txt
        response_bytes "$server" "$path" >"$got" || die "no response from $server for $path"
        if [[ $part == body ]]; then
            cmp -s <(sed '1,/^\r$/d' "$want") <(sed '1,/^\r$/d' "$got") ||
                die "$server's body for $path differs from $reference's ($want vs $got)"
        else
            cmp -s <(sed -E '1,/^\r$/ s/^[^:]*:/\L&/' "$want") <(sed -E '1,/^\r$/ s/^[^:]*:/\L&/' "$got") ||
                die "$server's response to $path differs from $reference's ($want vs $got)"
        fi
    done
    log "same bytes for $path ($part) from:" "$@"
}

# warmup NAME...: short unmeasured wrk run ($WARMUP seconds, 0 = off) per server.
warmup() {
    local name
    ((${WARMUP:-1} > 0)) || return 0
    for name in "$@"; do
        run_wrk "http://127.0.0.1:${SERVER_PORT[$name]}/" 100 "${WARMUP:-1}"
    done
}

# is_one_of NAME WORD...: true when NAME is one of the words.
is_one_of() {
    local name=$1 word
    shift
    for word in "$@"; do
        [[ $word != "$name" ]] || return 0
    done
    return 1
}

# keep_servers VAR ARRAY: when the environment variable VAR (HELLO_SERVERS, ...) names
# servers, narrows the array named ARRAY to those, in its order, for a focused
# comparison with more rounds; the others stay up unmeasured (the proxy's upstream is one
# of them). A name not in ARRAY stops the run.
keep_servers() {
    local var=$1
    local -n kept_list=$2
    [[ -n ${!var:-} ]] || return 0
    local name
    local -a wanted kept=()
    read -ra wanted <<<"${!var}"
    for name in "${wanted[@]}"; do
        is_one_of "$name" "${kept_list[@]}" || die "$var: no server '$name' here (${kept_list[*]})"
    done
    for name in "${kept_list[@]}"; do
        if is_one_of "$name" "${wanted[@]}"; then kept+=("$name"); fi
    done
    kept_list=("${kept[@]}")
}

# round_order ROUND NAME...: the names forward in odd rounds and backward in even ones
# (round 1: a b c, round 2: c b a, ...): neighbours in the list stay neighbours in
# every round, each going first in turn, so a pair whose ratio matters (ours and the
# floor, ours and the benchmark's own subject) is measured seconds apart, and a drift
# across a round falls on the pair's two sides alike.
round_order() {
    local round=$1; shift
    local n=$# i
    for ((i = 1; i <= n; i++)); do
        local idx=$((round % 2 == 1 ? i : n + 1 - i))
        echo "${!idx}"
    done
}
