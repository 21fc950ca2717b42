# shellcheck shell=bash
# Scenario "proxy": HTTP through the TCP proxy vs direct (seed 003).
#
# Upstream: build/release/bin/upstream --port 20001 --threads 1 (GET /test1 -> 64 KiB,
# /test2 -> "Hello, world!"); nginx with nginx/proxy-upstream.conf if it is absent.
# Proxies, all --threads 1 in front of that upstream:
#   splice        --mode splice --engine poll   (the default: POLL_ADD + splice(2))
#   splice-uring  --mode splice --engine uring  (IORING_OP_SPLICE, io-wq)
#   copy-32k      --mode copy --buffer 32768
#   copy-64k      --mode copy --buffer 65536
# Upstream and proxy are pinned to CPU $SERVER_CPU, wrk to $LOAD_CPU.
# Loads: one connection, sequential keep-alive GETs of /test1 and of /test2 for
# $DURATION s (wrk -t1 -c1: wrk has no request-count mode — wrk.thread:stop() still
# waits out -d — so every run is the same length instead); µs per request =
# 10^6 / req/s (sequential requests on one connection; wrk's latency avg runs high
# here). Then /test1 and /test2 at 100 connections (throughput).
# "server" in the table is the path the requests take; CPU µs/req is the proxy's
# alone (the upstream's for "direct").

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

scenario_proxy() {
    local round server path
    local -a names=(direct splice splice-uring copy-32k copy-64k)
    local upstream=127.0.0.1:$PROXY_UPSTREAM_PORT
    proxy_start_upstream
    start_ours splice 20000 proxy --port 20000 --threads 1 --upstream "$upstream" --mode splice --engine poll
    start_ours splice-uring 20002 proxy --port 20002 --threads 1 --upstream "$upstream" --mode splice --engine uring
    start_ours copy-32k 20003 proxy --port 20003 --threads 1 --upstream "$upstream" --mode copy --buffer 32768
    start_ours copy-64k 20004 proxy --port 20004 --threads 1 --upstream "$upstream" --mode copy --buffer 65536
    for server in "${names[@]}"; do  # warm-up: connections, pipes, frames
        run_wrk "http://127.0.0.1:${SERVER_PORT[$server]}/test2" 10 "${WARMUP:-1}"
    done

    for ((round = 1; round <= ROUNDS; round++)); do
        for path in test1 test2; do
            for server in $(round_order "$round" "${names[@]}"); do
                measure proxy "$path-c1" "$server" "$round" \
                    run_wrk "http://127.0.0.1:${SERVER_PORT[$server]}/$path" 1 "$DURATION"
            done
        done
        for path in test1 test2; do
            for server in $(round_order "$round" "${names[@]}"); do
                measure proxy "$path-c100" "$server" "$round" \
                    run_wrk "http://127.0.0.1:${SERVER_PORT[$server]}/$path" 100 "$DURATION"
            done
        done
    done
    stop_all_servers
}

scenario_proxy_notes() {
    echo "Overhead of each proxy over the direct connection (one connection, sequential"
    echo "requests; µs per request = 10^6 / median req/s; p99 from wrk):"
    echo
    awk -F'\t' '
        function median(s,    a, n, i, j, t) {
            n = split(s, a, " ")
            for (i = 2; i <= n; i++)
                for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
            return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
        }
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
