# shellcheck shell=bash
# Scenario "user" (seed 001): GET /v1/user -> 200, users.json (3696 bytes) with the
# first createdAt set to now, keep-alive, wrk -t1 -c100.
#   direct:  ours `user --threads 1` vs nginx serving the same file (1 worker), seed
#            001's hyper service on a current-thread tokio runtime (bench/peers/hyper),
#            Go's net/http (bench/peers/go) and Boost.Beast (bench/peers/beast), all
#            serving the same 3,696-byte body (checked before measuring).
#   chained: wrk -> user (front, --upstream) -> user (upstream); both processes are
#            children of one shell on CPU 0, so the CPU µs/request counts both. Peer:
#            the same chain of two hyper services (the seed's "Rust -> Rust").
# The documented run used -d15s: DURATION=15 bench/run.sh user.

scenario_user() {
    local ours=$OURS_NAME peer=nginx chained="$OURS_NAME-chained" round server
    local ours_port=${OURS_PORT:-8000} peer_port=${PEER_PORT:-8002}
    local front_port=${CHAIN_PORT:-8003} upstream_port=${CHAIN_UPSTREAM_PORT:-8004}
    local conf=$LOG_DIR/user-nginx.conf.in

    start_ours "$ours" "$ours_port" user --port "$ours_port" --threads 1
    sed "s|@FILE@|$ROOT/apps/user/users.json|g" "$BENCH_DIR/nginx/user.conf" >"$conf"
    start_nginx "$peer" "$peer_port" "$conf"
    local -a servers=("$ours" "$peer")
    local before_port=${BASELINE_PORT:-8001}
    if start_baseline "$ours-before" "$before_port" user --port "$before_port" --threads 1; then
        servers+=("$ours-before")
    fi
    if start_hyper tokio-hyper "${HYPER_PORT:-8005}" user --threads 1 --file "$ROOT/apps/user/users.json"; then
        servers+=(tokio-hyper)
    fi
    if start_peer go go "${GO_PORT:-8009}" user --threads 1 --file "$ROOT/apps/user/users.json"; then
        servers+=(go)
    fi
    if start_peer beast beast "${BEAST_PORT:-8010}" beast-user --threads 1 --file "$ROOT/apps/user/users.json"; then
        servers+=(beast)
    fi
    check_same_response "$ours" /v1/user body "${servers[@]}"
    keep_servers USER_SERVERS servers
    [[ -x $BIN_DIR/user ]] || die "$BIN_DIR/user not found"
    start_server "$chained" "$front_port" bash -c \
        "'$BIN_DIR/user' --port $upstream_port --threads 1 &
         '$BIN_DIR/user' --port $front_port --threads 1 --upstream 127.0.0.1:$upstream_port &
         wait"
    local -a chains=("$chained")
    local hyper_bins=${PEER_DIR[hyper]:-}
    if [[ -n $hyper_bins && -x $hyper_bins/user ]]; then
        local hyper_front=${HYPER_CHAIN_PORT:-8006} hyper_upstream=${HYPER_CHAIN_UPSTREAM_PORT:-8007}
        start_server tokio-hyper-chained "$hyper_front" bash -c \
            "'$hyper_bins/user' --port $hyper_upstream --file '$ROOT/apps/user/users.json' &
             '$hyper_bins/user' --port $hyper_front --upstream 127.0.0.1:$hyper_upstream &
             wait"
        chains+=(tokio-hyper-chained)
    fi
    if ((${WARMUP:-1} > 0)); then
        for server in "${servers[@]}" "${chains[@]}"; do
            run_wrk "http://127.0.0.1:${SERVER_PORT[$server]}/v1/user" 100 "${WARMUP:-1}"
        done
    fi

    for ((round = 1; round <= ROUNDS; round++)); do
        for server in $(round_order "$round" "${servers[@]}"); do
            measure user wrk-c100 "$server" "$round" \
                run_wrk "http://127.0.0.1:${SERVER_PORT[$server]}/v1/user" 100 "$DURATION"
        done
        for server in $(round_order "$round" "${chains[@]}"); do
            measure user wrk-c100-chained "$server" "$round" \
                run_wrk "http://127.0.0.1:${SERVER_PORT[$server]}/v1/user" 100 "$DURATION"
        done
    done
    stop_all_servers
}

scenario_user_notes() {
    cat <<'MD'
Documented reference figures (seed 001, Rust hyper, **other hardware**, 12 wrk
threads — compare ratios, not absolute numbers):

| set-up | load | req/s |
|---|---|---:|
| direct | `wrk -t12 -c100 -d15s` | 98,006 (15 s), 93,486 (90 s) |
| chained Rust → Rust | k6, 100 VUs | 53,728 / 53,864 |
| chained Rust → Go | k6, 100 VUs | 47,680 / 40,679 |

Here: `wrk-c100` is `wrk -t1 -c100` against one server thread on CPU 0 (ours:
`user --threads 1`; peers: nginx, one worker, the same file via `alias` +
sendfile, tokio + hyper, `bench/peers/hyper`, Go's net/http and Boost.Beast,
`bench/peers/go` and `bench/peers/beast`). `wrk-c100-chained` is wrk →
`user --upstream` → `user`, both single-threaded on CPU 0; its CPU µs/request is
the sum over both processes. Its peer `tokio-hyper-chained` is the seed's
"Rust → Rust": the hyper service with `--upstream` (hyper's pooled client, a 2 s
deadline) in front of another, likewise both on CPU 0.
Target: ours direct ≤ 5.5 µs server CPU per request (set where tokio + hyper
took 7.6 µs).
MD
}
