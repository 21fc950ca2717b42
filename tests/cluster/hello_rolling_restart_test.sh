#!/usr/bin/env bash
# Three hello hosts behind HAProxy (round-robin, health checks, retry-on + redispatch),
# under wrk load: every instance is restarted in turn (SIGTERM, wait for its exit and
# for HAProxy to mark it DOWN, start it, wait until HAProxy marks it UP). The client
# must see 0 non-2xx responses and 0 socket errors, and every restarted instance must
# serve requests again afterwards.
# Usage: hello_rolling_restart_test.sh BIN_DIR
source "$(dirname "$0")/common.sh"

REPORT_LUA=$TESTS_CLUSTER/../../bench/lua/report.lua

answered() { haproxy_stat hello "$1" hrsp_2xx; }

# served_more SERVER COUNT N: SERVER has answered N more requests than COUNT.
served_more() {
    local now
    now=$(answered "$1") || return 1
    ((now >= $2 + $3))
}

test_body() {
    local out=$CLUSTER_DIR/wrk.out wrk_pid i
    # Far longer than the restarts take: wrk is stopped (SIGINT, it still reports) once
    # every instance has served again.
    wrk -t1 -c20 -d120s --timeout 5s -s "$REPORT_LUA" "$CLUSTER_URL/" >"$out" 2>&1 &
    wrk_pid=$!
    wait_until 20 "load to reach HAProxy" served_more BACKEND 0 2000

    bash "$CLUSTER_SH" rolling --dir "$CLUSTER_DIR"

    local -a after=()
    for i in 1 2 3; do after[i]=$(answered "h$i"); done
    for i in 1 2 3; do
        wait_until 20 "restarted instance $i to serve again" served_more "h$i" "${after[i]}" 500
    done
    kill -0 "$wrk_pid" 2>/dev/null || fail "wrk ended before the rolling restart was over: $(cat "$out")"
    kill -INT "$wrk_pid"
    wait "$wrk_pid" || fail "wrk failed: $(cat "$out")"

    local line requests errors non2xx
    line=$(grep '^BENCH ' "$out") || fail "no BENCH line from wrk: $(cat "$out")"
    requests=$(sed -E 's/.* requests=([0-9]+).*/\1/' <<<"$line")
    errors=$(sed -E 's/.* errors=([0-9]+).*/\1/' <<<"$line")
    non2xx=$(sed -E 's/.* non2xx=([0-9]+).*/\1/' <<<"$line")
    echo "rolling restart of 3 hello hosts under load: $requests requests, $non2xx non-2xx, $errors socket errors"
    echo "HAProxy retried $(haproxy_stat hello BACKEND wretr) and redispatched $(haproxy_stat hello BACKEND wredis) requests"
    ((requests > 0 && non2xx == 0 && errors == 0)) || fail "the client saw failures: $line"
}

if inside_cluster "$@"; then
    test_body
else
    run_in_cluster "${1:?usage: hello_rolling_restart_test.sh BIN_DIR}" hello 3 wrk
fi
