# shellcheck shell=bash
# Scenario "soak": every app at once under mixed load for SOAK_SECONDS (default 600),
# with connection churn, upstream failures and a stalled upstream; RSS and open fds of
# every server sampled each second. Fails (bench/run.sh exits 1) if a server's RSS grows
# more than SOAK_RSS_GROWTH_PCT (5) % after the warm-up (the first minute, or a quarter
# of a shorter run), or its open fds do not come back to their idle count after the load.
#
# Per app, three wrk at once (bench/lua/soak.lua): keep-alive (8 connections),
# "Connection: close" (2, one connection per request) and pipelined (2 connections x 8
# requests). Apps: hello, kv
# (--ttl 5s: its table is steady after warm-up), user, user --upstream (chained to its
# own user), upstream, and the proxy in front of its own upstream. Events:
#   30 % of the run: the proxy's upstream is killed (SIGKILL), restarted 3 s later;
#   50 %: the chained user's upstream is stopped (SIGSTOP) for 10 s: requests get 504
#         within --upstream-timeout (2 s) + 1 s, then 200 again within 5 s;
#   70 %: the proxy's upstream is killed and restarted again; after each restart a
#         request through the proxy succeeds within 5 s.
# Samples: $RESULTS_DIR/<stamp>-soak-samples.tsv (t_s server rss_kib fds), chart
# <stamp>-soak.svg (gnuplot), verdicts in the report.
#
# Ports: SOAK_PORT_BASE (8100) .. +8. Durations: SOAK_SECONDS, SOAK_SETTLE_SECONDS (45,
# the longest wait for fds to return: the chained user keeps idle upstream connections
# for SOAK_UPSTREAM_IDLE_TIMEOUT, 30s; --quick makes it 3s).

SOAK_SECONDS=${SOAK_SECONDS:-600}
SOAK_SETTLE_SECONDS=${SOAK_SETTLE_SECONDS:-45}
SOAK_UPSTREAM_IDLE_TIMEOUT=${SOAK_UPSTREAM_IDLE_TIMEOUT:-30s}
SOAK_PORT_BASE=${SOAK_PORT_BASE:-8100}
SOAK_RSS_GROWTH_PCT=${SOAK_RSS_GROWTH_PCT:-5}
SOAK_VERDICTS=()
SOAK_FAILED=0

soak_port() { echo $((SOAK_PORT_BASE + $1)); }

soak_fail() {
    SOAK_VERDICTS+=("FAIL: $*")
    SOAK_FAILED=1
    log "soak: FAIL: $*"
}
soak_pass() {
    SOAK_VERDICTS+=("ok: $*")
    log "soak: ok: $*"
}

# rss_kib PID / fd_count PID (empty if the process is gone).
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
fd_count() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }

# The servers whose resources are judged (the proxy's upstream is killed on purpose).
SOAK_JUDGED=(hello kv user user-chain upstream proxy)

soak_start_servers() {
    start_ours hello "$(soak_port 0)" hello --port "$(soak_port 0)" --threads 1
    start_ours kv "$(soak_port 1)" kv --port "$(soak_port 1)" --threads 1 --ttl 5s
    start_ours user "$(soak_port 2)" user --port "$(soak_port 2)" --threads 1
    start_ours user-upstream "$(soak_port 3)" user --port "$(soak_port 3)" --threads 1
    start_ours user-chain "$(soak_port 4)" user --port "$(soak_port 4)" --threads 1 \
        --upstream "127.0.0.1:$(soak_port 3)" --upstream-timeout 2s \
        --upstream-idle-timeout "$SOAK_UPSTREAM_IDLE_TIMEOUT"
    start_ours upstream "$(soak_port 5)" upstream --port "$(soak_port 5)" --threads 1
    soak_start_proxy_upstream
    start_ours proxy "$(soak_port 7)" proxy --port "$(soak_port 7)" --threads 1 \
        --upstream "127.0.0.1:$(soak_port 6)"
}

soak_start_proxy_upstream() {
    start_ours proxy-upstream "$(soak_port 6)" upstream --port "$(soak_port 6)" --threads 1
}

# soak_wrk NAME URL: the three loads against URL for the whole run, in the background.
soak_wrk() {
    local name=$1 url=$2 kind
    for kind in keepalive close pipelined; do
        local -a args=(-t1 -d"${SOAK_SECONDS}s" --timeout 10s)
        case $kind in
            keepalive) args+=(-c8 "$url") ;;
            close) args+=(-c2 -s "$BENCH_DIR/lua/soak.lua" "$url" -- close) ;;
            pipelined) args+=(-c2 -s "$BENCH_DIR/lua/soak.lua" "$url" -- 8) ;;
        esac
        taskset -c "$LOAD_CPU" wrk "${args[@]}" >"$LOG_DIR/soak-wrk-$name-$kind.txt" 2>&1 &
        SOAK_LOADS+=($!)
    done
}

# open_connections NAME: <app>_connections_open from the server's /metrics (HTTP apps:
# their direct descriptors do not show in /proc/PID/fd), minus the scrape's own.
open_connections() {
    local name=$1 app=${1%-chain}
    curl -s -m 5 "http://127.0.0.1:${SERVER_PORT[$name]}/metrics" |
        awk -v m="${app}_connections_open" '$1 == m { print $2 - 1; found = 1 } END { if (!found) print 0 }'
}

# One line per second per judged server: t_s name rss_kib fds.
soak_sample_loop() {
    local start=$1 out=$2 name pid t
    while :; do
        t=$(($(date +%s) - start))
        for name in "${SOAK_JUDGED[@]}"; do
            pid=${SERVER_PID[$name]:-}
            [[ -n $pid ]] || continue
            printf '%s\t%s\t%s\t%s\n' "$t" "$name" "$(rss_kib "$pid")" "$(fd_count "$pid")" >>"$out"
        done
        sleep 1
    done
}

# status_and_time URL: "CODE SECONDS" of one GET (curl), "000 …" when it failed.
status_and_time() {
    curl -s -o /dev/null -m 10 -w '%{http_code} %{time_total}' "$1" || true
}

soak_kill_proxy_upstream() {
    local round=$1 i code
    log "soak: killing the proxy's upstream ($round)"
    kill -KILL "${SERVER_PID[proxy-upstream]}" 2>/dev/null || true
    wait "${SERVER_PID[proxy-upstream]}" 2>/dev/null || true
    unset "SERVER_PID[proxy-upstream]"
    sleep 3
    soak_start_proxy_upstream
    for ((i = 0; i < 50; i++)); do
        read -r code _ <<<"$(status_and_time "http://127.0.0.1:$(soak_port 7)/test2")"
        [[ $code == 200 ]] && break
        sleep 0.1
    done
    if [[ $code == 200 ]]; then
        soak_pass "proxy serves again after its upstream's restart ($round)"
    else
        soak_fail "proxy answers $code 5 s after its upstream's restart ($round)"
    fi
}

soak_stall_user_upstream() {
    local url="http://127.0.0.1:$(soak_port 4)/v1/user" code seconds i ok=0
    log "soak: stopping the chained user's upstream for 10 s"
    kill -STOP "${SERVER_PID[user-upstream]}"
    sleep 1
    read -r code seconds <<<"$(status_and_time "$url")"
    if [[ $code == 504 ]] && awk -v s="$seconds" 'BEGIN { exit !(s <= 3.0) }'; then
        soak_pass "stalled upstream: 504 in ${seconds} s (timeout 2 s)"
    else
        soak_fail "stalled upstream: got $code in ${seconds} s, want 504 within 3 s"
    fi
    sleep 8
    kill -CONT "${SERVER_PID[user-upstream]}"
    for ((i = 0; i < 50 && ok < 5; i++)); do
        read -r code _ <<<"$(status_and_time "$url")"
        if [[ $code == 200 ]]; then ok=$((ok + 1)); else ok=0; fi
        sleep 0.1
    done
    if ((ok >= 5)); then
        soak_pass "chained user recovered: 5 answers 200 in a row after SIGCONT"
    else
        soak_fail "chained user did not recover within 5 s of SIGCONT (last $code)"
    fi
}

# Judges RSS growth after warm-up from the samples.
soak_judge_rss() {
    local samples=$1 warm=$2 name line
    for name in "${SOAK_JUDGED[@]}"; do
        line=$(awk -F'\t' -v n="$name" -v w="$warm" -v end="$SOAK_SECONDS" '
            $2 == n && $3 != "" && $1 <= end { if ($1 >= w && base == "") base = $3; last = $3 }
            END { if (base == "") print "none"; else printf "%d %d %.1f\n", base, last, (last - base) * 100 / base }' "$samples")
        if [[ $line == none ]]; then
            soak_fail "$name: no RSS samples after ${warm} s"
            continue
        fi
        read -r base last pct <<<"$line"
        if awk -v p="$pct" -v max="$SOAK_RSS_GROWTH_PCT" 'BEGIN { exit !(p <= max) }'; then
            soak_pass "$name: RSS ${base} → ${last} KiB after warm-up (${pct} %)"
        else
            soak_fail "$name: RSS ${base} → ${last} KiB after warm-up (${pct} % > ${SOAK_RSS_GROWTH_PCT} %)"
        fi
    done
}

# Waits (up to SOAK_SETTLE_SECONDS in all) for every judged server's fds, and its open
# client connections (HTTP apps), to return to idle.
soak_judge_fds() {
    local name pid now conns=0 until=$(($(date +%s) + SOAK_SETTLE_SECONDS))
    for name in "${SOAK_JUDGED[@]}"; do
        pid=${SERVER_PID[$name]}
        while :; do
            now=$(fd_count "$pid")
            [[ $name == proxy ]] || conns=$(open_connections "$name")
            ((now <= SOAK_IDLE_FDS[$name] && conns == 0)) && break
            (($(date +%s) < until)) || break
            sleep 0.2
        done
        if ((now <= SOAK_IDLE_FDS[$name] && conns == 0)); then
            soak_pass "$name: $now open fds after the load (idle: ${SOAK_IDLE_FDS[$name]}), $conns client connections"
        else
            soak_fail "$name: $now open fds (idle: ${SOAK_IDLE_FDS[$name]}), $conns client connections, ${SOAK_SETTLE_SECONDS} s after the load"
        fi
    done
}

soak_chart() {
    local samples=$1 chart=$2 name data plot_rss='' plot_fds=''
    command -v gnuplot >/dev/null || { log "soak: no gnuplot, no chart"; return 0; }
    for name in "${SOAK_JUDGED[@]}"; do
        data=$LOG_DIR/soak-$name.dat
        awk -F'\t' -v n="$name" '$2 == n && $3 != "" { print $1, $3 / 1024, $4 }' "$samples" >"$data"
        plot_rss+="'$data' using 1:2 with lines title '$name',"
        plot_fds+="'$data' using 1:3 with lines title '$name',"
    done
    gnuplot <<GNUPLOT 2>"$LOG_DIR/gnuplot.err" || log "soak: gnuplot failed (see $LOG_DIR/gnuplot.err)"
set terminal svg size 1000,700
set output '$chart'
set multiplot layout 2,1 title 'soak: ${SOAK_SECONDS} s of mixed load'
set xlabel 'seconds'
set ylabel 'RSS (MiB)'
set key outside right
plot ${plot_rss%,}
set ylabel 'open fds'
plot ${plot_fds%,}
unset multiplot
GNUPLOT
}

scenario_soak() {
    local samples=$LOG_DIR/soak-samples.tsv warm name
    warm=$((SOAK_SECONDS / 4 < 60 ? SOAK_SECONDS / 4 : 60))
    : >"$samples"
    soak_start_servers
    declare -gA SOAK_IDLE_FDS=()
    for name in "${SOAK_JUDGED[@]}"; do SOAK_IDLE_FDS[$name]=$(fd_count "${SERVER_PID[$name]}"); done

    SOAK_LOADS=()
    soak_wrk hello "http://127.0.0.1:$(soak_port 0)/"
    soak_wrk kv "http://127.0.0.1:$(soak_port 1)/soak"
    soak_wrk user "http://127.0.0.1:$(soak_port 2)/v1/user"
    soak_wrk user-chain "http://127.0.0.1:$(soak_port 4)/v1/user"
    soak_wrk upstream "http://127.0.0.1:$(soak_port 5)/test2"
    soak_wrk proxy "http://127.0.0.1:$(soak_port 7)/test1"
    local start
    start=$(date +%s)
    soak_sample_loop "$start" "$samples" &
    local sampler=$!
    log "soak: ${SOAK_SECONDS} s of mixed load on ${SOAK_JUDGED[*]} (samples in $samples)"

    sleep $((SOAK_SECONDS * 3 / 10))
    soak_kill_proxy_upstream 1
    sleep $((start + SOAK_SECONDS / 2 - $(date +%s) > 0 ? start + SOAK_SECONDS / 2 - $(date +%s) : 0))
    soak_stall_user_upstream
    sleep $((start + SOAK_SECONDS * 7 / 10 - $(date +%s) > 0 ? start + SOAK_SECONDS * 7 / 10 - $(date +%s) : 0))
    soak_kill_proxy_upstream 2
    local pid
    for pid in "${SOAK_LOADS[@]}"; do wait "$pid" || true; done
    log "soak: load over; waiting for fds to return to idle"
    soak_judge_fds
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    soak_judge_rss "$samples" "$warm"

    cp "$samples" "$RESULTS_DIR/$stamp-soak-samples.tsv"
    soak_chart "$RESULTS_DIR/$stamp-soak-samples.tsv" "$RESULTS_DIR/$stamp-soak.svg"
    ((SOAK_FAILED == 0)) || BENCH_FAILED=1
}

soak_wrk_summary() {
    local f
    for f in "$LOG_DIR"/soak-wrk-*.txt; do
        printf '| %s | %s |\n' "$(basename "$f" .txt | sed 's/^soak-wrk-//')" \
            "$(grep -E 'requests in|Non-2xx|Socket errors' "$f" | sed 's/^ *//' | paste -sd ';' - | sed 's/;/; /g')"
    done
}

scenario_soak_notes() {
    echo "Soak: ${SOAK_SECONDS} s, every app under mixed load (see \`bench/scenarios/soak.sh\`)."
    echo "Samples: \`$stamp-soak-samples.tsv\`, chart: \`$stamp-soak.svg\`."
    echo
    if ((SOAK_FAILED)); then echo "**Result: FAILED**"; else echo "**Result: passed**"; fi
    echo
    local v
    for v in "${SOAK_VERDICTS[@]}"; do echo "- $v"; done
    echo
    echo "| load | wrk summary |"
    echo "|---|---|"
    soak_wrk_summary
}
