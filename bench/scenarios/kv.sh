# shellcheck shell=bash
# Scenario "kv" (seed 002): 20 connections x 10 pipelined requests, 80 % GET / 20 %
# POST on random keys in [0, 1,000,000) (lua/kv_mix.lua: a fixed GGGGPGGGGP batch;
# POST body = last value read + 1). Ours: `kv --threads 1` (TTL 60 s, keys <= 32 and
# values <= 32 bytes, as the Go server of the seed). Peer: seed 002's Rust server
# rebuilt as hyper + DashMap on a current-thread tokio runtime (bench/peers/hyper), its
# Go server rebuilt on net/http + sync.Map (bench/peers/go, GOMAXPROCS 1) and Boost.Beast
# with a std::unordered_map (bench/peers/beast), both with the Go server's 32/32 limits
# and a 60 s TTL, when they could be built; the documented Rust and Go figures are shown too.

scenario_kv() {
    local ours=$OURS_NAME round server
    local port=${OURS_PORT:-8000}
    local -a servers=("$ours")
    start_ours "$ours" "$port" kv --port "$port" --threads 1
    local before_port=${BASELINE_PORT:-8001}
    if start_baseline "$ours-before" "$before_port" kv --port "$before_port" --threads 1; then
        servers+=("$ours-before")
    fi
    if start_hyper tokio-hyper "${HYPER_PORT:-8005}" kv --threads 1; then servers+=(tokio-hyper); fi
    if start_peer go go "${GO_PORT:-8009}" kv --threads 1; then servers+=(go); fi
    if start_peer beast beast "${BEAST_PORT:-8010}" beast-kv --threads 1; then servers+=(beast); fi
    keep_servers KV_SERVERS servers
    if ((${WARMUP:-1} > 0)); then
        for server in "${servers[@]}"; do
            run_wrk "http://127.0.0.1:${SERVER_PORT[$server]}/" 20 "${WARMUP:-1}" "$BENCH_DIR/lua/kv_mix.lua"
        done
    fi
    for ((round = 1; round <= ROUNDS; round++)); do
        for server in $(round_order "$round" "${servers[@]}"); do
            measure kv wrk-c20-p10-mix "$server" "$round" \
                run_wrk "http://127.0.0.1:${SERVER_PORT[$server]}/" 20 "$DURATION" "$BENCH_DIR/lua/kv_mix.lua" "$round"
        done
    done
    stop_all_servers
}

scenario_kv_notes() {
    # GET and POST rates follow from the fixed 8:2 pattern of every batch.
    local split
    split=$(awk -F'\t' -v ours="$OURS_NAME" 'NR > 1 && $1 == "kv" && $2 == "wrk-c20-p10-mix" && $3 == ours { r[++n] = $5 }
        END {
            if (n == 0) exit
            for (i = 2; i <= n; i++) for (j = i; j > 1 && r[j-1] > r[j]; j--) { t = r[j]; r[j] = r[j-1]; r[j-1] = t }
            m = n % 2 ? r[(n+1)/2] : (r[n/2] + r[n/2+1]) / 2
            printf "%.0f GET/s + %.0f POST/s (median total %.0f req/s x 0.8 / 0.2)", m * 0.8, m * 0.2, m
        }' "$RESULTS_TSV")
    cat <<MD
Ours, split by the fixed 8 GET : 2 POST batch: **${split:-n/a}**.

Documented reference figures (seed 002, autocannon-go -c 20 -p 10, 30 s,
**other hardware** — compare ratios, not absolute numbers):

| server | GET req/s | POST req/s | non-2xx |
|---|---:|---:|---:|
| Rust (hyper + DashMap) | 94,284 | 23,547 | 0 |
| Go (net/http) | 51,633 | 12,908 | 0 |

Target: ours ≤ 1.0 µs server CPU per request with 0 non-2xx.
MD
}
