# shellcheck shell=bash
# Scenario "cluster": coring instances on network-namespace hosts behind HAProxy
# (bench/cluster/cluster.sh), 1, 2 and 3 hosts, one `--threads 1` instance per host.
#   hello: wrk -c100 GET / through HAProxy's round-robin backend;
#   kv:    lua/kv_mix.lua (20 connections x 10 pipelined, 80 % GET / 20 % POST on random
#          keys) through HAProxy's consistent-hash backend (balance uri);
#   direct: the same loads straight at the 1-host cluster's instance, for the overhead;
#   rolling restart: every hello host of the 3-host cluster restarted in turn under the
#          wrk load; its row counts the client's non-2xx responses and socket errors.
# HAProxy and every instance share CPU $SERVER_CPU, wrk runs on $LOAD_CPU: on this
# machine the figures show HAProxy's overhead and the deployment's correctness, not
# scaling (more hosts add processes on the same core, not cores).
# Each run writes two rows with the same req/s and latency: server "coring" carries the
# instances' CPU µs/request (summed over the hosts), server "haproxy" HAProxy's.
# Needs root, haproxy and iproute2; without them the scenario says so and is skipped.

CLUSTER_SH=$BENCH_DIR/cluster/cluster.sh
declare -gA CLUSTER_UP_PID=()  # state dir -> pid of its `cluster.sh up`
CLUSTER_SKIPPED=''
CLUSTER_DIRS=()

# cluster_start APP HOSTS: bring a cluster up in $LOG_DIR/cluster-APP-HOSTS, wait until
# it is ready; appends the state directory to CLUSTER_DIRS.
cluster_start() {
    local dir=$LOG_DIR/cluster-$1-$2
    mkdir -p "$dir"
    bash "$CLUSTER_SH" up --app "$1" --hosts "$2" --dir "$dir" --bin-dir "$BIN_DIR" \
        --cpu "$SERVER_CPU" >"$dir.log" 2>&1 &
    CLUSTER_UP_PID[$dir]=$!
    local i
    for ((i = 0; i < 1500; i++)); do
        [[ -e $dir/ready ]] && break
        kill -0 "${CLUSTER_UP_PID[$dir]}" 2>/dev/null || { cat "$dir.log" >&2; die "cluster $1 x $2 did not come up"; }
        sleep 0.02
    done
    [[ -e $dir/ready ]] || die "cluster $1 x $2 not ready within 30 s (see $dir.log)"
    CLUSTER_DIRS+=("$dir")
}

cluster_stop_all() {
    local dir
    for dir in "${!CLUSTER_UP_PID[@]}"; do
        kill -TERM "${CLUSTER_UP_PID[$dir]}" 2>/dev/null || true
        wait "${CLUSTER_UP_PID[$dir]}" 2>/dev/null || true
        unset "CLUSTER_UP_PID[$dir]"
    done
}

# cluster_env DIR VAR: one value of the cluster's env file.
cluster_env() { sed -n "s/^$2=//p" "$1/env"; }

# instance_ticks DIR: CPU ticks of every instance of the cluster.
instance_ticks() {
    local total=0 pidfile
    for pidfile in "$1"/h*.pid; do total=$((total + $(cpu_ticks "$(<"$pidfile")"))); done
    echo "$total"
}

# cluster_row LOAD SERVER ROUND CPU_US: one TSV row from the last load run, with the
# columns TSV_HEADER names (as measure() writes them, a p50 last where it has one).
cluster_row() {
    local -a row=(cluster "$1" "$2" "$3" "$LOAD_RPS" "$LOAD_LAT_AVG_US" "$LOAD_LAT_P99_US"
        "$LOAD_REQUESTS" "$4" "$LOAD_ERRORS" "$LOAD_NON2XX")
    [[ $TSV_HEADER == *lat_p50_us* ]] && row+=("${LOAD_LAT_P50_US:-0}")
    (IFS=$'\t' && echo "${row[*]}") >>"$RESULTS_TSV"
}

# measure_cluster LOAD DIR ROUND LOADFN ARGS...: run the load, then a row for the
# instances' CPU and one for HAProxy's.
measure_cluster() {
    local load=$1 dir=$2 round=$3 haproxy_pid
    shift 3
    haproxy_pid=$(cluster_env "$dir" CLUSTER_HAPROXY_PID)
    [[ -s $RESULTS_TSV ]] || echo "$TSV_HEADER" >"$RESULTS_TSV"
    local inst_before haproxy_before inst_cpu haproxy_cpu
    inst_before=$(instance_ticks "$dir")
    haproxy_before=$(cpu_ticks "$haproxy_pid")
    "$@"
    inst_cpu=$(us_per_req $(($(instance_ticks "$dir") - inst_before)) "$LOAD_REQUESTS")
    haproxy_cpu=$(us_per_req $(($(cpu_ticks "$haproxy_pid") - haproxy_before)) "$LOAD_REQUESTS")
    cluster_row "$load" "$OURS_NAME" "$round" "$inst_cpu"
    cluster_row "$load" haproxy "$round" "$haproxy_cpu"
    log "$(printf 'cluster %-26s r%s: %8s req/s  p99 %6s us  cpu instances %7s + haproxy %7s us/req  err %s  non2xx %s' \
        "$load" "$round" "$LOAD_RPS" "$LOAD_LAT_P99_US" "$inst_cpu" "$haproxy_cpu" "$LOAD_ERRORS" "$LOAD_NON2XX")"
}

# run_cluster_load APP URL DURATION: the app's load shape.
run_cluster_load() {
    case $1 in
        hello) run_wrk "$2/" 100 "$3" ;;
        kv) run_wrk "$2/" 20 "$3" "$BENCH_DIR/lua/kv_mix.lua" 1 ;;
    esac
}

cluster_can_run() {
    [[ $(id -u) -eq 0 ]] || { CLUSTER_SKIPPED="needs root (network namespaces)"; return 1; }
    command -v haproxy >/dev/null || { CLUSTER_SKIPPED="haproxy is not installed"; return 1; }
    command -v ip >/dev/null || { CLUSTER_SKIPPED="iproute2 is not installed"; return 1; }
    return 0
}

# cluster_app APP: 1-, 2- and 3-host clusters up at once (each on its own bridge), the
# sizes taking turns within each round, plus the direct run.
cluster_app() {
    local app=$1 n round dir
    CLUSTER_DIRS=()
    for n in 1 2 3; do cluster_start "$app" "$n"; done
    local -a dirs=("${CLUSTER_DIRS[@]}")
    local direct_url
    direct_url=http://$(cluster_env "${dirs[0]}" CLUSTER_HOST_1)
    if ((${WARMUP:-1} > 0)); then
        for dir in "${dirs[@]}"; do run_cluster_load "$app" "$(cluster_env "$dir" CLUSTER_URL)" "${WARMUP:-1}"; done
    fi
    for ((round = 1; round <= ROUNDS; round++)); do
        for n in $(round_order "$round" 1 2 3); do
            dir=${dirs[n - 1]}
            measure_cluster "$app-${n}host" "$dir" "$round" \
                run_cluster_load "$app" "$(cluster_env "$dir" CLUSTER_URL)" "$DURATION"
        done
        measure_cluster "$app-direct" "${dirs[0]}" "$round" run_cluster_load "$app" "$direct_url" "$DURATION"
    done
    [[ $app == hello ]] && rolling_restart_run "${dirs[2]}"
    cluster_stop_all
}

# rolling_restart_run DIR: restart every host in turn while wrk loads the cluster; the
# restarts start once HAProxy has answered requests, and must end before the load does.
rolling_restart_run() {
    local dir=$1 duration=$((DURATION > 8 ? DURATION : 8)) restarter base
    base=$(bash "$CLUSTER_SH" stat hello BACKEND hrsp_2xx --dir "$dir")
    (
        for ((i = 0; i < 500; i++)); do
            answered=$(bash "$CLUSTER_SH" stat hello BACKEND hrsp_2xx --dir "$dir" 2>/dev/null) || answered=0
            ((answered > base + 1000)) && break
            sleep 0.02
        done
        bash "$CLUSTER_SH" rolling --dir "$dir"
    ) >"$dir/rolling.log" 2>&1 &
    restarter=$!
    measure_cluster hello-3host-rolling-restart "$dir" 1 \
        run_cluster_load hello "$(cluster_env "$dir" CLUSTER_URL)" "$duration"
    kill -0 "$restarter" 2>/dev/null && log "warning: the rolling restart outlasted the ${duration}s load run"
    wait "$restarter" || die "rolling restart failed (see $dir/rolling.log)"
    ROLLING_RESULT="$LOAD_REQUESTS requests, $LOAD_NON2XX non-2xx, $LOAD_ERRORS socket errors"
}

scenario_cluster() {
    cluster_can_run || { log "skipping cluster: $CLUSTER_SKIPPED"; return 0; }
    trap 'cluster_stop_all; stop_all_servers' EXIT
    cluster_app hello
    cluster_app kv
    trap 'stop_all_servers' EXIT
}

scenario_cluster_notes() {
    if [[ -n $CLUSTER_SKIPPED ]]; then
        echo "Skipped: $CLUSTER_SKIPPED."
        return
    fi
    cat <<MD
Rolling restart of the 3 hello hosts under wrk -c100 (SIGTERM each instance, wait for
its exit and for HAProxy to mark it DOWN, start it, wait for UP): **${ROLLING_RESULT:-n/a}**.

**On this machine these figures show overhead and correctness, not scaling**: HAProxy
and every instance share CPU $SERVER_CPU (wrk runs on CPU $LOAD_CPU), so 2 or 3 hosts add
processes to the same core, not capacity. Compare the HAProxy rows with \`direct\` for
what the balancer costs per request; the instances' CPU µs/request ("$OURS_NAME" rows)
is summed over the hosts. On real machines, one instance per machine, the same
configuration (\`bench/cluster/README.md\`; only the server addresses change) adds each
machine's cores.
MD
}
