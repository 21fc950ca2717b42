# shellcheck shell=bash
# Scenario "memory": server RSS per idle keep-alive connection at 10,000 connections.
# Ours: hello --threads 1; peer: nginx, one worker. The tool warms each server up
# first (fixed costs such as the provided-buffer ring are not per connection), then
# opens 10,000 connections, makes one request on each and keeps them open.

MEMORY_CONNECTIONS=${MEMORY_CONNECTIONS:-10000}

# The process whose RSS grows with connections: nginx's worker, or the server itself.
memory_pid() {
    local pid=$1 child
    child=$(pgrep -P "$pid" | head -n 1 || true)
    echo "${child:-$pid}"
}

scenario_memory() {
    local ours=$OURS_NAME peer=nginx round server line
    MEMORY_LINES=()
    for ((round = 1; round <= ROUNDS; round++)); do
        for server in $(round_order "$round" "$ours" "$peer"); do
            if [[ $server == "$ours" ]]; then
                start_ours "$ours" "${OURS_PORT:-8000}" hello --port "${OURS_PORT:-8000}" --threads 1
            else
                start_nginx "$peer" "${PEER_PORT:-8002}" "$BENCH_DIR/nginx/hello.conf"
            fi
            line=$(python3 "$BENCH_DIR/tools/idle_connections.py" "$(memory_pid "${SERVER_PID[$server]}")" \
                127.0.0.1 "${SERVER_PORT[$server]}" "$MEMORY_CONNECTIONS")
            log "memory $server round $round: $line"
            MEMORY_LINES+=("$server ${line##*kib_per_connection=}")
            stop_server "$server"
        done
    done
}

scenario_memory_notes() {
    local server
    echo "Server RSS growth per idle keep-alive connection at $MEMORY_CONNECTIONS connections"
    echo "(\`bench/tools/idle_connections.py\`, median of $ROUNDS rounds):"
    echo
    echo "| server | KiB per connection (median) | rounds |"
    echo "|---|---:|---|"
    for server in "$OURS_NAME" nginx; do
        printf '%s\n' "${MEMORY_LINES[@]}" | awk -v s="$server" '$1 == s { print $2 }' | sort -n |
            awk -v s="$server" '
                { v[++n] = $1; all = all (n > 1 ? ", " : "") $1 }
                END { if (n) { m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
                      printf "| %s | %.2f | %s |\n", s, m, all } }'
    done
}
