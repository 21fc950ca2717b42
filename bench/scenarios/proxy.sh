# shellcheck shell=bash
# Scenario "proxy": HTTP through TCP proxies vs direct (seed 003), ours beside the peers.
#
# Upstream: build/release/bin/upstream --port 20001 --threads 1 (GET /test1 -> 64 KiB,
# /test2 -> "Hello, world!"); nginx with nginx/proxy-upstream.conf if it is absent.
# Proxies, each on one CPU thread in front of that upstream (peers: bench/peers/README.md):
#   coring            --mode auto (the default: copy, splice bulky bursts)
#   coring-splice     --mode splice --engine poll   (POLL_ADD + splice(2))
#   coring-copy       --mode copy --buffer 32768
#   (PROXY_MORE_VARIANTS=1 adds coring-splice-uring and coring-copy-64k)
#   haproxy           HAProxy, TCP mode, nbthread 1
#   haproxy-splice    the same with `option splice-auto`
#   nginx-stream      nginx's stream module, one worker
#   go-proxy          seed 003's Go proxy (io.Copy), GOMAXPROCS=1
#   tokio-proxy       seed 003's tokio proxy (32 KiB buffers), current-thread runtime
#   floor-epoll       tools/proxy_floor/epoll_splice_proxy.c (C, epoll + splice(2))
#   floor-sockmap     tools/proxy_floor/sockmap_proxy.c (BPF sockmap; root only)
# A peer whose software is missing is skipped with a line in the log.
# Upstream and proxy are pinned to CPU $SERVER_CPU, wrk to $LOAD_CPU.
# Loads: one connection, sequential keep-alive GETs of /test1 and of /test2 for
# $PROXY_C1_SECONDS s (wrk -t1 -c1: wrk has no request-count mode — wrk.thread:stop() still
# waits out -d — so every run is the same length instead); µs per request =
# 10^6 / req/s (sequential requests on one connection; wrk's latency avg runs high
# here). Then /test1 and /test2 at 100 connections (throughput) for $PROXY_C100_SECONDS s.
# After every run of a floor, its descriptor count must fall back to its idle count
# (a floor that leaks sessions ends the run with an error instead of stalling later).
# "server" in the table is the path the requests take; CPU µs/req is the proxy's
# alone (the upstream's for "direct").
# For a focused comparison, PROXY_SERVERS (names, space-separated) keeps only those
# servers and PROXY_LOADS (e.g. "test1-c1 test2-c100") only those loads.

PROXY_UPSTREAM_PORT=${PROXY_UPSTREAM_PORT:-20001}

proxy_start_upstream() {
    if [[ -x $BIN_DIR/upstream && -z ${PROXY_USE_NGINX:-} ]]; then
        start_ours direct "$PROXY_UPSTREAM_PORT" upstream --port "$PROXY_UPSTREAM_PORT" --threads 1
    else
        log "no $BIN_DIR/upstream (or PROXY_USE_NGINX set): nginx serves /test1 and /test2"
        local prefix=$LOG_DIR/direct-prefix
        mkdir -p "$prefix/html"
        head -c 65536 /dev/zero | tr '\0' 'x' >"$prefix/html/test1"
        start_nginx direct "$PROXY_UPSTREAM_PORT" "$BENCH_DIR/nginx/proxy-upstream.conf"
    fi
}

# proxy_template FILE UPSTREAM [SPLICE_LINE]: FILE with @UPSTREAM@ and @SPLICE@ filled
# in (start_nginx fills @PORT@ itself), written to $LOG_DIR.
proxy_template() {
    local out
    out=$LOG_DIR/$(basename "$1").${3:+splice.}in
    sed -e "s/@UPSTREAM@/$2/g" -e "s/@SPLICE@/${3:-# no splicing}/g" "$1" >"$out"
    echo "$out"
}

# The peers; each returns 1 (logged) when its software is missing.
proxy_start_haproxy() {  # NAME PORT UPSTREAM [SPLICE_LINE]
    command -v haproxy >/dev/null || { log "skipping $1: haproxy not installed"; return 1; }
    local conf
    conf=$(proxy_template "$BENCH_DIR/peers/proxy/haproxy.cfg" "$3" "${4:-}")
    sed -i "s/@PORT@/$2/g" "$conf"
    start_server "$1" "$2" haproxy -db -f "$conf"
}
proxy_start_nginx_stream() {  # NAME PORT UPSTREAM
    [[ -f /usr/lib/nginx/modules/ngx_stream_module.so ]] ||
        { log "skipping $1: no nginx stream module (apt-get install libnginx-mod-stream)"; return 1; }
    start_nginx "$1" "$2" "$(proxy_template "$BENCH_DIR/peers/proxy/nginx-stream.conf" "$3")"
}
proxy_start_go() {  # NAME PORT UPSTREAM
    local out=$ROOT/build/peers/go-proxy why
    if ! why=$(bash "$BENCH_DIR/peers/go-proxy/build.sh" "$out" 2>&1); then
        log "skipping $1: $why"
        return 1
    fi
    start_server "$1" "$2" env GOMAXPROCS=1 "$out/go-proxy" -listen "127.0.0.1:$2" -upstream "$3"
}
proxy_start_floor() {  # NAME PORT UPSTREAM_PORT TOOL
    local name=$1 port=$2 tool=$LOG_DIR/$4 i
    cc -O2 -o "$tool" "$BENCH_DIR/tools/proxy_floor/$4.c" 2>"$LOG_DIR/$4.cc.log" ||
        { log "skipping $name: cannot build $4.c (see $LOG_DIR/$4.cc.log)"; return 1; }
    port_open "$port" && die "port $port is already in use (before starting $name)"
    # Not start_server: sockmap needs root and BPF, and its absence must not end the run.
    log "starting $name on :$port: $tool $port $3"
    taskset -c "$SERVER_CPU" "$tool" "$port" "$3" >"$LOG_DIR/$name.log" 2>&1 &
    # shellcheck disable=SC2004  # associative arrays (measure.sh)
    SERVER_PID[$name]=$!
    # shellcheck disable=SC2004

    SERVER_PORT[$name]=$port
    # A floor prints its line once every descriptor it keeps is open: that count is its
    # idle one, taken before any connection.
    for ((i = 0; i < 50; i++)); do
        if grep -q '^listening on' "$LOG_DIR/$name.log"; then
            PROXY_FLOOR_IDLE_FDS[$name]=$(proxy_fd_count "$name")
            return 0
        fi
        kill -0 "${SERVER_PID[$name]}" 2>/dev/null || break
        sleep 0.1
    done
    log "skipping $name: $(head -1 "$LOG_DIR/$name.log")"
    stop_server "$name"
    return 1
}

# The floors' descriptor counts when idle: after a run every session must be gone.
declare -A PROXY_FLOOR_IDLE_FDS=()
proxy_fd_count() { find "/proc/${SERVER_PID[$1]}/fd" -mindepth 1 2>/dev/null | wc -l; }

# proxy_floor_settled NAME: waits (up to 10 s) for floor NAME to close the sessions of
# the run that just ended, i.e. for its descriptor count to fall back to the idle one.
# False when it does not: the floor leaks, and would run out of descriptors.
proxy_floor_settled() {
    local i
    for ((i = 0; i < 100; i++)); do
        (($(proxy_fd_count "$1") == PROXY_FLOOR_IDLE_FDS[$1])) && return 0
        sleep 0.1
    done
    log "$1 holds $(proxy_fd_count "$1") descriptors after the run, ${PROXY_FLOOR_IDLE_FDS[$1]} when idle"
    return 1
}

# proxy_start_all: starts the upstream, ours and every available peer; sets PROXY_NAMES.
proxy_start_all() {
    local upstream=127.0.0.1:$PROXY_UPSTREAM_PORT
    proxy_start_upstream
    local -a started=(direct coring coring-splice coring-copy)
    start_ours coring 20000 proxy --port 20000 --threads 1 --upstream "$upstream" --mode auto
    start_ours coring-splice 20002 proxy --port 20002 --threads 1 --upstream "$upstream" --mode splice --engine poll
    start_ours coring-copy 20003 proxy --port 20003 --threads 1 --upstream "$upstream" --mode copy --buffer 32768
    if [[ -n ${PROXY_MORE_VARIANTS:-} ]]; then
        start_ours coring-splice-uring 20004 proxy --port 20004 --threads 1 --upstream "$upstream" --mode splice --engine uring
        start_ours coring-copy-64k 20005 proxy --port 20005 --threads 1 --upstream "$upstream" --mode copy --buffer 65536
        started+=(coring-splice-uring coring-copy-64k)
    fi
    if start_baseline coring-before-splice 20006 proxy --port 20006 --threads 1 --upstream "$upstream" --mode splice --engine poll; then
        start_baseline coring-before-copy 20007 proxy --port 20007 --threads 1 --upstream "$upstream" --mode copy --buffer 32768
        started+=(coring-before-splice coring-before-copy)
    fi
    proxy_start_haproxy haproxy 20010 "$upstream" && started+=(haproxy)
    proxy_start_haproxy haproxy-splice 20011 "$upstream" "option splice-auto" && started+=(haproxy-splice)
    proxy_start_nginx_stream nginx-stream 20012 "$upstream" && started+=(nginx-stream)
    proxy_start_go go-proxy 20013 "$upstream" && started+=(go-proxy)
    start_hyper tokio-proxy 20014 proxy --threads 1 --upstream "$upstream" && started+=(tokio-proxy)
    proxy_start_floor floor-epoll 20015 "$PROXY_UPSTREAM_PORT" epoll_splice_proxy && started+=(floor-epoll)
    proxy_start_floor floor-sockmap 20016 "$PROXY_UPSTREAM_PORT" sockmap_proxy && started+=(floor-sockmap)
    # Every round runs this list forward or backward (round_order): ours stands between
    # its own modes and tokio-proxy, one step from the epoll floor.
    PROXY_NAMES=()
    local name
    for name in direct coring-splice-uring coring-before-splice coring-splice coring-copy-64k \
        coring-before-copy coring-copy coring tokio-proxy floor-epoll haproxy haproxy-splice \
        nginx-stream go-proxy floor-sockmap; do
        if is_one_of "$name" "${started[@]}"; then PROXY_NAMES+=("$name"); fi
    done
    for name in "${started[@]}"; do  # a server added above must be placed here too
        is_one_of "$name" "${PROXY_NAMES[@]}" || die "proxy: '$name' has no place in the round order"
    done
    keep_servers PROXY_SERVERS PROXY_NAMES
}

# proxy_check_loads: every name in $PROXY_LOADS is a load of this scenario.
proxy_check_loads() {
    local load
    for load in ${PROXY_LOADS:-}; do
        [[ $load =~ ^test[12]-c(1|100)$ ]] ||
            die "PROXY_LOADS: no load '$load' (test1-c1 test2-c1 test1-c100 test2-c100)"
    done
}

# proxy_load_wanted LOAD: true unless $PROXY_LOADS is set and leaves LOAD out.
proxy_load_wanted() {
    [[ -z ${PROXY_LOADS:-} || " $PROXY_LOADS " == *" $1 "* ]]
}

# Run lengths: the one-connection loads measure µs per sequential request, which 3 s of
# requests settle; the 100-connection loads measure throughput, 4 s. Both are capped by
# $DURATION (so --quick stays at 1 s); eleven servers x 4 loads x 3 rounds fit in ~8 min.
proxy_seconds() {  # CONNS
    local wanted
    if (($1 == 1)); then wanted=${PROXY_C1_SECONDS:-3}; else wanted=${PROXY_C100_SECONDS:-4}; fi
    [[ $wanted =~ ^[1-9][0-9]*$ ]] || die "PROXY_C1_SECONDS / PROXY_C100_SECONDS: a positive integer, got '$wanted'"
    echo $((wanted < DURATION ? wanted : DURATION))
}

scenario_proxy() {
    local round server path conns seconds
    proxy_check_loads
    proxy_start_all
    for server in "${PROXY_NAMES[@]}"; do  # warm-up: connections, pipes, frames
        run_wrk "http://127.0.0.1:${SERVER_PORT[$server]}/test2" 10 "${WARMUP:-1}"
    done

    for ((round = 1; round <= ROUNDS; round++)); do
        for conns in 1 100; do
            seconds=$(proxy_seconds "$conns")
            for path in test1 test2; do
                proxy_load_wanted "$path-c$conns" || continue
                for server in $(round_order "$round" "${PROXY_NAMES[@]}"); do
                    MEASURE_SECONDS=$seconds measure proxy "$path-c$conns" "$server" "$round" \
                        run_wrk "http://127.0.0.1:${SERVER_PORT[$server]}/$path" "$conns" "$seconds"
                    [[ -z ${PROXY_FLOOR_IDLE_FDS[$server]:-} ]] || proxy_floor_settled "$server" ||
                        die "$server leaks: its sessions outlive the clients' connections"
                done
            done
        done
    done
    stop_all_servers
}

# The median of a space-separated list, for the notes' awk programs.
PROXY_AWK_MEDIAN='
    function median(s,    a, n, i, j, t) {
        n = split(s, a, " ")
        for (i = 2; i <= n; i++)
            for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
        return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
    }'

scenario_proxy_notes() {
    echo "Per server (medians over rounds; µs per request at one connection = 10^6 / req/s;"
    echo "CPU is the proxy's alone, the upstream's for direct; floor-sockmap's forwarding runs"
    echo "in the kernel's softirqs and workers, charged to no process, so its CPU reads 0):"
    echo
    awk -F'\t' "$PROXY_AWK_MEDIAN"'
        function peer(s) { return s != "direct" && s !~ /^coring/ && s !~ /^floor-/ }
        function verdict(ok) { return ok ? "met" : "**missed**" }
        NR == 1 || $1 != "proxy" { next }
        { k = $2 SUBSEP $3; rps[k] = rps[k] " " $5; cpu[k] = cpu[k] " " $9
          if (!($3 in S)) { S[$3] = 1; srvs[++ns] = $3 } }
        END {
            split("test1-c1 test2-c1 test1-c100 test2-c100", L, " ")
            for (j = 1; j <= ns; j++) for (i = 1; i <= 4; i++) {
                k = L[i] SUBSEP srvs[j]
                if (!(k in rps)) continue
                R[k] = median(rps[k]); C[k] = median(cpu[k]); U[k] = R[k] > 0 ? 1e6 / R[k] : 0
            }
            print "| server | /test1 1 conn µs/req | /test2 1 conn µs/req | /test1 100 conns req/s | /test2 100 conns req/s | /test1 100 conns CPU µs/req | /test2 100 conns CPU µs/req |"
            print "|---|---:|---:|---:|---:|---:|---:|"
            for (j = 1; j <= ns; j++) {
                s = srvs[j]
                printf "| %s | %.1f | %.1f | %.0f | %.0f | %.2f | %.2f |\n", s,
                    U["test1-c1" SUBSEP s], U["test2-c1" SUBSEP s], R["test1-c100" SUBSEP s],
                    R["test2-c100" SUBSEP s], C["test1-c100" SUBSEP s], C["test2-c100" SUBSEP s]
            }
            if (!(("test1-c1" SUBSEP "coring") in R)) exit
            print ""
            print "Targets (auto = coring): within 3 % of the better of coring-splice and coring-copy on"
            print "each load, and ahead of every peer (lower µs at 1 connection; higher req/s and lower"
            print "CPU per request at 100 connections):"
            print ""
            for (i = 1; i <= 4; i++) {
                l = L[i]; a = l SUBSEP "coring"; c1 = l ~ /-c1$/
                best = ""; bv = 0
                for (j = 1; j <= ns; j++) if (srvs[j] == "coring-splice" || srvs[j] == "coring-copy") {
                    k = l SUBSEP srvs[j]; if (!(k in R)) continue
                    v = c1 ? U[k] : R[k]
                    if (best == "" || (c1 ? v < bv : v > bv)) { best = srvs[j]; bv = v }
                }
                if (best != "") {
                    if (c1) printf "- %s: auto %.1f µs vs %s %.1f µs (%.3f×): %s\n", l, U[a], best, bv, U[a] / bv, verdict(U[a] <= bv * 1.03)
                    else printf "- %s: auto %.0f req/s vs %s %.0f req/s (%.3f×): %s\n", l, R[a], best, bv, R[a] / bv, verdict(R[a] >= bv * 0.97)
                }
                for (j = 1; j <= ns; j++) {
                    s = srvs[j]; k = l SUBSEP s
                    if (!peer(s) || !(k in R)) continue
                    if (c1) printf "  - vs %s: %.1f vs %.1f µs: %s\n", s, U[a], U[k], verdict(U[a] < U[k])
                    else printf "  - vs %s: %.0f vs %.0f req/s, CPU %.2f vs %.2f µs/req: %s\n", s, R[a], R[k], C[a], C[k], verdict(R[a] > R[k] && C[a] < C[k])
                }
            }
        }' "$RESULTS_TSV"
    echo
    echo "Overhead of each proxy over the direct connection (one connection, sequential"
    echo "requests; µs per request = 10^6 / median req/s; p99 from wrk):"
    echo
    awk -F'\t' "$PROXY_AWK_MEDIAN"'
        NR == 1 || $1 != "proxy" || $2 !~ /-c1$/ { next }
        { k = $2 SUBSEP $3; avg[k] = avg[k] " " 1e6 / $5; p99[k] = p99[k] " " $7
          if (!($2 in L)) { L[$2] = 1; loads[++nl] = $2 }
          if (!($3 in S)) { S[$3] = 1; srvs[++ns] = $3 } }
        END {
            print "| load | path | µs/req (median) | p99 | overhead vs direct |"
            print "|---|---|---:|---:|---:|"
            for (i = 1; i <= nl; i++) {
                d = median(avg[loads[i] SUBSEP "direct"])
                for (j = 1; j <= ns; j++) {
                    k = loads[i] SUBSEP srvs[j]
                    if (!(k in avg)) continue
                    m = median(avg[k])
                    printf "| %s | %s | %.1f | %s | %+.1f µs |\n", loads[i], srvs[j], m, median(p99[k]), m - d
                }
            }
        }' "$RESULTS_TSV"
    cat <<'MD'

Documented reference figures (seed 003, Ryzen 9 3950X — **other hardware**: compare
the overhead over direct, not absolute numbers):

| load | direct | Go proxy | best Tokio |
|---|---:|---:|---:|
| test1 (64 KiB) | 99.6 µs | 122.0 µs (+22.4) | 133.6 µs (1 MiB buffer) |
| test2 (13 B) | 53.4 µs | 80.5 µs (+27.1) | 78.6–86.7 µs |
MD
}
