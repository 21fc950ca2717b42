# shellcheck shell=bash
# Scenario "posts" (seed 004, pliny /posts): GET /posts → the ~38 KB page of the newest
# 50 posts, under rising concurrency, then durable writes.
#   read:  wrk -t1 -c{50 … 10000} against ours `posts --threads 1` and nginx (one worker)
#          serving the same page bytes as a static file with sendfile, up to 30,000
#          connections (above POSTS_T2_ABOVE, 10,000, ours with `--threads 2` on the
#          same CPU as well, as coring-t2). Big levels are split over
#          several wrk processes (POSTS_WRK_CONNS, 5,000 each, each to its own 127.0.0.N
#          address: one process's fds and one address's ephemeral ports do not reach
#          30,000).
#          Server RSS is its high-water mark (VmHWM) after the level.
#   write: POST /posts at 1, 16 and 256 connections against a fresh `posts --threads 1`:
#          posts/s, syncs/s, posts per sync, p99 — beside this disk's sequential
#          1 KB append + fdatasync rate, measured in the same run and directory.
# Ports (env): POSTS_PORT 15080, POSTS_T2_PORT 15081, POSTS_WRITE_PORT 15082,
# POSTS_PEER_PORT 15083. POSTS_LEVELS overrides the connection levels.

POSTS_LEVELS=${POSTS_LEVELS:-"50 100 250 500 1000 1500 3000 5000 10000 30000"}
POSTS_WRITE_LEVELS=${POSTS_WRITE_LEVELS:-"1 16 256"}
POSTS_T2_ABOVE=${POSTS_T2_ABOVE:-10000}  # levels above this also run coring-t2 (--threads 2)
POSTS_RSS_LINES=()
POSTS_WRITE_LINES=()
POSTS_FLOOR_LINES=()
POSTS_FLOOR_LOAD_CPU_LINES=()

# posts_rss NAME: the high-water RSS (KiB) of the process that holds the connections
# (nginx's worker, or our server itself).
posts_rss() {
    local pid=${SERVER_PID[$1]} child
    child=$(pgrep -P "$pid" | head -n 1 || true)
    awk '/^VmHWM:/ { print $2 }' "/proc/${child:-$pid}/status"
}

# run_wrk_split PATH PORT CONNS DURATION_S [LUA]: like run_wrk, with CONNS spread over
# ceil(CONNS / POSTS_WRK_CONNS) wrk processes (5,000 connections each by default),
# process i connecting to 127.0.0.(i+1).
run_wrk_split() {
    local path=$1 port=$2 conns=$3 dur=$4 script=${5:-$BENCH_DIR/lua/posts_report.lua}
    local per=${POSTS_WRK_CONNS:-5000}
    local procs=$(((conns + per - 1) / per)) i
    local -a pids=()
    for ((i = 0; i < procs; i++)); do
        # A wrk process still running 2 minutes after its end is killed, and its
        # connections are reported as errors, rather than hanging the run.
        timeout -s KILL $((dur + 120)) taskset -c "$LOAD_CPU" wrk -t1 -c$((conns / procs)) \
            -d"${dur}s" --timeout 10s -s "$script" "http://127.0.0.$((i + 1)):$port$path" \
            >"$LOG_DIR/wrk-split-$i.txt" 2>&1 &
        pids+=($!)
    done
    for ((i = 0; i < procs; i++)); do
        if ! wait "${pids[$i]}"; then
            log "wrk process $i of $procs (-c$((conns / procs))) failed or stalled: counted as $((conns / procs)) errors"
            echo "BENCH requests=0 duration_us=$((dur * 1000000)) lat_avg_us=0 lat_p99_us=0 errors=$((conns / procs)) non2xx=0 lat_p50_us=0" \
                >"$LOG_DIR/wrk-split-$i.txt"
        fi
    done
    local vals
    vals=$(cat "$LOG_DIR"/wrk-split-*.txt | grep '^BENCH ' | sed -e 's/^BENCH //' -e 's/[a-z0-9_]*=//g' |
        awk '{ n += $1; rps += $1 * 1e6 / $2; lat += $1 * $3; if ($4 > p99) p99 = $4; err += $5; bad += $6
               if ($7 > p50) p50 = $7; k++ }
             END { printf "%d %.0f %.1f %d %d %d %d %d\n", n, rps, n ? lat / n : 0, p99, err, bad, k, p50 }')
    rm -f "$LOG_DIR"/wrk-split-*.txt
    local got
    # p50 and p99: the highest of the processes' (each process sees its own share).
    read -r LOAD_REQUESTS LOAD_RPS LOAD_LAT_AVG_US LOAD_LAT_P99_US LOAD_ERRORS LOAD_NON2XX got LOAD_LAT_P50_US <<<"$vals"
    ((got == procs)) || die "only $got of $procs wrk processes reported"
}

# posts_stat PORT NAME: a counter from GET /stats.
posts_stat() {
    curl -s "http://127.0.0.1:$1/stats" | sed -E "s/.*\"$2\":([0-9]+).*/\\1/"
}

posts_read_levels() {
    local ours=$1 ours_t2=$2 peer=$3 round level server
    for ((round = 1; round <= ROUNDS; round++)); do
        for level in $POSTS_LEVELS; do
            local -a servers=("$ours" "$peer")
            ((level > POSTS_T2_ABOVE)) && servers+=("$ours_t2")
            # Opening 10,000 connections per wrk process takes seconds: big levels get 10 s.
            local duration=$DURATION
            ((level >= 10000 && duration < 10)) && duration=10
            for server in $(round_order "$round" "${servers[@]}"); do
                measure posts "wrk-c$level" "$server" "$round" \
                    run_wrk_split /posts "${SERVER_PORT[$server]}" "$level" "$duration"
                POSTS_RSS_LINES+=("wrk-c$level $server $(posts_rss "$server")")
            done
        done
    done
}

posts_write_levels() {
    local name=$1 data=$2 round conns posts0 syncs0 posts1 syncs1 port=${SERVER_PORT[$1]}
    for ((round = 1; round <= ROUNDS; round++)); do
        for conns in $POSTS_WRITE_LEVELS; do
            posts0=$(posts_stat "$port" posts) syncs0=$(posts_stat "$port" syncs)
            measure posts "post-c$conns" "$name" "$round" \
                run_wrk "http://127.0.0.1:$port/posts" "$conns" "$DURATION" "$BENCH_DIR/lua/posts_write.lua"
            posts1=$(posts_stat "$port" posts) syncs1=$(posts_stat "$port" syncs)
            POSTS_WRITE_LINES+=("post-c$conns $round $((posts1 - posts0)) $((syncs1 - syncs0)) $LOAD_LAT_AVG_US $LOAD_LAT_P99_US")
            log "posts write c$conns r$round: $((posts1 - posts0)) posts in $((syncs1 - syncs0)) syncs"
        done
        # The floor where the server's loop runs (this VM's sync completes later on one
        # CPU than on the other), and on the load CPU for comparison.
        POSTS_FLOOR_LINES+=("$(taskset -c "$SERVER_CPU" "$LOG_DIR/fdatasync_floor" "$data" "$DURATION")")
        POSTS_FLOOR_LOAD_CPU_LINES+=("$(taskset -c "$LOAD_CPU" "$LOG_DIR/fdatasync_floor" "$data" "$DURATION")")
        log "fdatasync floor r$round: CPU $SERVER_CPU ${POSTS_FLOOR_LINES[-1]}; CPU $LOAD_CPU ${POSTS_FLOOR_LOAD_CPU_LINES[-1]}"
    done
}

scenario_posts() {
    local ours=$OURS_NAME ours_t2="$OURS_NAME-t2" writer="$OURS_NAME-write" peer=nginx
    local n
    for n in $POSTS_LEVELS $POSTS_WRITE_LEVELS $POSTS_T2_ABOVE ${POSTS_WRK_CONNS:-5000}; do
        [[ $n =~ ^[1-9][0-9]*$ ]] ||
            die "POSTS_LEVELS, POSTS_WRITE_LEVELS, POSTS_T2_ABOVE, POSTS_WRK_CONNS: positive integers, got '$n'"
    done
    local port=${POSTS_PORT:-15080} t2_port=${POSTS_T2_PORT:-15081}
    local write_port=${POSTS_WRITE_PORT:-15082} peer_port=${POSTS_PEER_PORT:-15083}
    cc -O2 -o "$LOG_DIR/fdatasync_floor" "$BENCH_DIR/tools/fdatasync_floor/fdatasync_floor.c" ||
        die "cannot build bench/tools/fdatasync_floor"
    rm -rf "$LOG_DIR/posts-data" "$LOG_DIR/posts-t2-data" "$LOG_DIR/posts-write-data"
    start_ours "$ours" "$port" posts --port "$port" --threads 1 --data "$LOG_DIR/posts-data"
    start_ours "$ours_t2" "$t2_port" posts --port "$t2_port" --threads 2 --data "$LOG_DIR/posts-t2-data"
    # nginx's worker runs as nobody: the page goes where it may read it.
    local page_dir page
    page_dir=$(mktemp -d -t coring-posts-page.XXXXXX) && chmod 755 "$page_dir"
    page=$page_dir/posts-page.json
    curl -sf -o "$page" "http://127.0.0.1:$port/posts" || die "GET /posts failed"
    chmod 644 "$page"
    cmp -s "$page" <(curl -s "http://127.0.0.1:$t2_port/posts") ||
        die "the two posts servers serve different pages"
    sed "s|@FILE@|$page|g" "$BENCH_DIR/nginx/posts.conf" >"$LOG_DIR/posts-nginx.conf.in"
    start_nginx "$peer" "$peer_port" "$LOG_DIR/posts-nginx.conf.in"
    cmp -s "$page" <(curl -s "http://127.0.0.1:$peer_port/posts") || die "nginx serves different bytes"
    log "posts page: $(stat -c %s "$page") bytes"
    if ((${WARMUP:-1} > 0)); then
        for server in "$ours" "$ours_t2" "$peer"; do
            run_wrk "http://127.0.0.1:${SERVER_PORT[$server]}/posts" 50 "${WARMUP:-1}" \
                "$BENCH_DIR/lua/posts_report.lua"
        done
    fi
    posts_read_levels "$ours" "$ours_t2" "$peer"
    stop_all_servers
    rm -rf "$page_dir"

    start_ours "$writer" "$write_port" posts --port "$write_port" --threads 1 \
        --data "$LOG_DIR/posts-write-data"
    posts_write_levels "$writer" "$LOG_DIR/posts-write-data"
    stop_all_servers
}

scenario_posts_notes() {
    echo "Server RSS high-water mark (VmHWM, MiB; median over rounds) after each read level:"
    echo
    echo "| load | server | RSS MiB |"
    echo "|---|---|---:|"
    printf '%s\n' "${POSTS_RSS_LINES[@]}" | sort -k1,1V -k2,2 -k3,3n |
        awk '{ k = $1 " " $2; if (!(k in n)) order[++m] = k; v[k, ++n[k]] = $3 }
             END { for (i = 1; i <= m; i++) { k = order[i]; split(k, a, " ")
                   printf "| %s | %s | %.1f |\n", a[1], a[2], v[k, int((n[k] + 1) / 2)] / 1024 } }'
    echo
    echo "Writes (POST /posts, ~700-byte posts, one server thread; medians over rounds):"
    echo
    echo "| load | posts/s | syncs/s | posts per sync | latency avg | p99 |"
    echo "|---|---:|---:|---:|---:|---:|"
    printf '%s\n' "${POSTS_WRITE_LINES[@]}" |
        awk -v d="$DURATION" '
            function med(s,   a, n, i, j, t) { n = split(s, a, " ")
                for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
                return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2 }
            { if (!($1 in seen)) { seen[$1] = 1; order[++m] = $1 }
              p[$1] = p[$1] " " $3 / d; s[$1] = s[$1] " " $4 / d; r[$1] = r[$1] " " ($4 ? $3 / $4 : 0)
              avg[$1] = avg[$1] " " $5; p99[$1] = p99[$1] " " $6 }
            END { for (i = 1; i <= m; i++) { k = order[i]
                  printf "| %s | %.0f | %.0f | %.1f | %.0f µs | %.0f µs |\n", k, med(p[k]), med(s[k]), med(r[k]), med(avg[k]), med(p99[k]) } }'
    echo
    echo "This disk's floor (\`tools/fdatasync_floor\`: sequential 1 KB append + fdatasync in the"
    echo "same directory, $DURATION s per round) on the server's CPU $SERVER_CPU, where its loop waits"
    echo "for the sync: $(printf '%s; ' "${POSTS_FLOOR_LINES[@]}")"
    echo
    echo "The same on the load generator's CPU $LOAD_CPU: $(printf '%s; ' "${POSTS_FLOOR_LOAD_CPU_LINES[@]}")"
    echo "Targets: post-c256 posts/s ≥ 8× the floor's per_s; post-c1 latency ≤ 2× its avg_us."
    cat <<'MD'

Documented pliny figures (seed 004, `wrk -t4 -d10s`, **other hardware**; ~38 KB per
response):

| connections | req/s | latency avg | socket errors |
|---:|---:|---:|---|
| 50 | 566.52 | 70.82 ms | 0 |
| 100 | 587.09 | 69.47 ms | 0 |
| 250 | 543.08 | 87.92 ms | 0 |
| 500 | 565.06 | 84.41 ms | 0 |
| 1,000 | 546.95 | 87.15 ms | 0 |
| 1,500 | 545.55 | 87.34 ms | connect 483 |
| 3,000 | 538.22 | 88.66 ms | connect 1,983, read 51 |
| 5,000 | 551.51 | 84.13 ms | connect 3,983 |
| 10,000 | 545.93 | 87.02 ms | connect 6,507, read 260 |

Each pliny worker used ~1.6 GB. Here every read level runs ours with `--threads 1`
beside nginx's one worker, both under the same fd limit (20,000: one thread's ring
holds 20,000 direct descriptors and accepts the rest as plain ones); the 30,000 level
also runs `coring-t2` (`--threads 2`, both threads on the server CPU).
MD
}
