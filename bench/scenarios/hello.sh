# shellcheck shell=bash
# Scenario "hello": GET / -> 200 "Hello world!" (12 bytes), keep-alive.
# Ours: build/release/bin/hello --threads 1; peers: nginx, one worker, and seed 000's
# hyper on a current-thread tokio runtime (bench/peers/hyper, when it could be built).

scenario_hello() {
    local ours=$OURS_NAME peer=nginx round server
    local -a servers=("$ours" "$peer")
    start_ours "$ours" "${OURS_PORT:-8000}" hello --port "${OURS_PORT:-8000}" --threads 1
    start_nginx "$peer" "${PEER_PORT:-8002}" "$BENCH_DIR/nginx/hello.conf"
    if start_hyper tokio-hyper "${HYPER_PORT:-8005}" hello --threads 1; then servers+=(tokio-hyper); fi
    warmup "${servers[@]}"

    for ((round = 1; round <= ROUNDS; round++)); do
        for server in $(round_order "$round" "${servers[@]}"); do
            measure hello autocannon-c10 "$server" "$round" \
                run_autocannon "http://127.0.0.1:${SERVER_PORT[$server]}/" 10 "$DURATION"
        done
        for server in $(round_order "$round" "${servers[@]}"); do
            measure hello wrk-c100 "$server" "$round" \
                run_wrk "http://127.0.0.1:${SERVER_PORT[$server]}/" 100 "$DURATION"
        done
        for server in $(round_order "$round" "${servers[@]}"); do
            measure hello wrk-c100-p16 "$server" "$round" \
                run_wrk "http://127.0.0.1:${SERVER_PORT[$server]}/" 100 "$DURATION" \
                "$BENCH_DIR/lua/pipeline.lua" 16
        done
    done
    stop_all_servers
}

# Markdown appended to the report: the documented reference figures.
scenario_hello_notes() {
    cat <<'MD'
Documented reference figures for this scenario (autocannon -c 10 -d 10, i.e.
the `autocannon-c10` row; measured on **other hardware**, so compare ratios,
not absolute numbers):

| server | req/s | latency avg |
|---|---:|---:|
| hyper on smol | 67,300 / 68,553 | 0.01 ms |
| hyper on tokio | 71,788 / 72,452 | 0.01 ms |
MD
}
