# shellcheck shell=bash
# Scenario "memory": server RSS per idle keep-alive connection, as the slope between
# MEMORY_CONNECTIONS/2 and MEMORY_CONNECTIONS connections (default 5,000 → 10,000), and
# over all of them since a warmed-up baseline. Ours: hello --threads 1 and posts
# --threads 1 (each connection asks for one post first); peer: nginx, one worker. The
# tool warms each server up first (fixed costs such as the provided-buffer ring are not
# per connection), then opens the connections, makes one request on each and keeps
# them open.

MEMORY_CONNECTIONS=${MEMORY_CONNECTIONS:-10000}

# The process whose RSS grows with connections: nginx's worker, or the server itself.
memory_pid() {
    local pid=$1 child
    child=$(pgrep -P "$pid" | head -n 1 || true)
    echo "${child:-$pid}"
}

# memory_start SERVER: starts one of the measured servers; prints the path it is asked.
memory_start() {
    case $1 in
        "$OURS_NAME")
            start_ours "$1" "${OURS_PORT:-8000}" hello --port "${OURS_PORT:-8000}" --threads 1 ;;
        "$OURS_NAME-posts")
            rm -rf "$LOG_DIR/memory-posts-data"
            start_ours "$1" "${POSTS_PORT:-15080}" posts --port "${POSTS_PORT:-15080}" --threads 1 \
                --data "$LOG_DIR/memory-posts-data" ;;
        *)
            start_nginx "$1" "${PEER_PORT:-8002}" "$BENCH_DIR/nginx/hello.conf" ;;
    esac
}

scenario_memory() {
    local round server line path
    MEMORY_LINES=()
    for ((round = 1; round <= ROUNDS; round++)); do
        for server in $(round_order "$round" "$OURS_NAME" "$OURS_NAME-posts" nginx); do
            memory_start "$server"
            path=/
            [[ $server == "$OURS_NAME-posts" ]] && path=/posts/1
            line=$(python3 "$BENCH_DIR/tools/idle_connections.py" "$(memory_pid "${SERVER_PID[$server]}")" \
                127.0.0.1 "${SERVER_PORT[$server]}" "$MEMORY_CONNECTIONS" "$path")
            log "memory $server round $round: $line"
            MEMORY_LINES+=("$server $(sed -E 's/.*kib_per_connection=([0-9.-]+) slope_kib_per_connection=([0-9.-]+).*/\2 \1/' <<<"$line")")
            stop_server "$server"
        done
    done
}

# memory_median: the median of sorted numbers, one per line.
memory_median() {
    awk '{ v[++n] = $1 } END { if (n) print (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }'
}

scenario_memory_notes() {
    local server
    echo "Server RSS growth per idle keep-alive connection (\`bench/tools/idle_connections.py\`,"
    echo "medians of $ROUNDS rounds): the slope between $((MEMORY_CONNECTIONS / 2)) and"
    echo "$MEMORY_CONNECTIONS connections, and the growth over all $MEMORY_CONNECTIONS since the warm baseline."
    echo "\`$OURS_NAME\` is hello, \`$OURS_NAME-posts\` the posts app (each connection first GETs /posts/1)."
    echo
    echo "| server | KiB per connection, slope | KiB per connection, all | rounds (slope) |"
    echo "|---|---:|---:|---|"
    for server in "$OURS_NAME" "$OURS_NAME-posts" nginx; do
        local slopes totals
        slopes=$(printf '%s\n' "${MEMORY_LINES[@]}" | awk -v s="$server" '$1 == s { print $2 }' | sort -n)
        totals=$(printf '%s\n' "${MEMORY_LINES[@]}" | awk -v s="$server" '$1 == s { print $3 }' | sort -n)
        [[ -n $slopes ]] || continue
        printf '| %s | %.2f | %.2f | %s |\n' "$server" "$(memory_median <<<"$slopes")" \
            "$(memory_median <<<"$totals")" "$(paste -sd, - <<<"$slopes" | sed 's/,/, /g')"
    done
}
