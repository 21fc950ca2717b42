# shellcheck shell=bash
# Scenario "hello": GET / -> 200 "Hello world!" (12 bytes), keep-alive.
# Ours: build/release/bin/hello --threads 1; peers, each on one thread: nginx (one
# worker), seed 000's two subjects — hyper on tokio and hyper on smol (bench/peers/hyper)
# — Go's net/http (bench/peers/go) and Boost.Beast (bench/peers/beast); and the floors,
# a fixed-response responder on raw io_uring and on epoll (bench/tools/floor). Every
# one of them but nginx must send the 88 bytes ours sends (checked before measuring).

scenario_hello() {
    local ours=$OURS_NAME peer=nginx round server
    local -a peers=("$peer")
    start_ours "$ours" "${OURS_PORT:-8000}" hello --port "${OURS_PORT:-8000}" --threads 1
    start_nginx "$peer" "${PEER_PORT:-8002}" "$BENCH_DIR/nginx/hello.conf"
    if start_hyper tokio-hyper "${HYPER_PORT:-8005}" hello --threads 1; then peers=(tokio-hyper "${peers[@]}"); fi
    if start_peer hyper smol-hyper "${SMOL_PORT:-8008}" smol-hello; then peers+=(smol-hyper); fi
    if start_peer go go "${GO_PORT:-8009}" hello --threads 1; then peers+=(go); fi
    if start_peer beast beast "${BEAST_PORT:-8010}" beast-hello --threads 1; then peers+=(beast); fi
    start_floors
    # Every round runs this list forward or backward (round_order): ours stands between
    # the build before (an A/B run) and the io_uring floor, and one step from tokio-hyper
    # (the benchmark's subject), so the ratios that matter are measured seconds apart.
    local -a servers=()
    local before_port=${BASELINE_PORT:-8001}
    if start_baseline "$ours-before" "$before_port" hello --port "$before_port" --threads 1; then
        servers+=("$ours-before")
    fi
    servers+=("$ours")
    if is_one_of uring-floor "${FLOOR_SERVERS[@]}"; then servers+=(uring-floor); fi
    servers+=("${peers[@]}")
    if is_one_of epoll-floor "${FLOOR_SERVERS[@]}"; then servers+=(epoll-floor); fi
    # nginx always adds Server, Content-Type and Connection headers: its body only.
    check_same_response "$ours" / all "${servers[@]/#$peer/}"
    check_same_response "$ours" / body "$peer"
    keep_servers HELLO_SERVERS servers
    warmup "${servers[@]}"

    [[ -x $AUTOCANNON ]] || log "skipping the autocannon-c10 load: no $AUTOCANNON (npm ci in bench/)"
    for ((round = 1; round <= ROUNDS; round++)); do
        for server in $(round_order "$round" "${servers[@]}"); do
            [[ -x $AUTOCANNON ]] || break
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

Here `smol-hyper` and `tokio-hyper` are those two servers (one thread each);
`uring-floor` and `epoll-floor` answer the same 88 bytes with nothing but the
system calls (`bench/tools/floor`): the CPU ÷ floor column is each server's distance
to the machine's limit.
MD
}
