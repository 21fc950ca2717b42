#!/usr/bin/env bash
# Three kv hosts behind HAProxy (balance uri, hash-type consistent):
#  - 3,000 keys written and read back through HAProxy, spread over all three instances
#    (each instance's /size > 0, the sum 3,000);
#  - one instance stopped: as many keys answer 503 as it held, every other key 200 with
#    its value;
#  - the instance started again: every key 200; exactly the keys that answered 503 are
#    now empty (kv keeps its table in memory only: a restart loses them, nothing is
#    persisted), every other key still has its value.
# Usage: kv_sharding_test.sh BIN_DIR
source "$(dirname "$0")/common.sh"

KEYS=3000
KV_CLIENT=$TESTS_CLUSTER/kv_client.py

size_of() {
    local address=CLUSTER_HOST_$1
    curl -fsS --max-time 2 "http://${!address}/size"
}

test_body() {
    local work=$CLUSTER_DIR/test
    mkdir -p "$work"
    python3 "$KV_CLIENT" put "${CLUSTER_URL#http://}" "$KEYS" >"$work/put"
    [[ $(awk '$2 == 200' "$work/put" | wc -l) -eq $KEYS ]] || fail "not every POST answered 200"

    python3 "$KV_CLIENT" get "${CLUSTER_URL#http://}" "$KEYS" >"$work/get"
    awk '$2 != 200 || $3 != "v" substr($1, 2) { bad++ } END { exit bad > 0 }' "$work/get" ||
        fail "not every key read back through HAProxy: $(grep -vm3 ' 200 v' "$work/get")"

    local i size sum=0 sizes=''
    for i in 1 2 3; do
        size=$(size_of "$i")
        ((size > 0)) || fail "instance $i holds no key"
        sum=$((sum + size))
        sizes+=" $size"
    done
    ((sum == KEYS)) || fail "the instances hold$sizes keys: $sum, not $KEYS"
    echo "keys per instance:$sizes"

    local size2
    size2=$(awk '{ print $2 }' <<<"$sizes")

    bash "$CLUSTER_SH" stop 2 --dir "$CLUSTER_DIR"
    python3 "$KV_CLIENT" get "${CLUSTER_URL#http://}" "$KEYS" >"$work/get-down"
    # The keys that answer 503 are instance 2's: as many as it held, and (below) exactly
    # the ones that come back empty after its restart.
    awk '$2 == 503 { print $1 }' "$work/get-down" >"$work/owned"
    local owned
    owned=$(wc -l <"$work/owned")
    ((owned == size2)) || fail "with instance 2 down, $owned keys answer 503, not its $size2"
    awk '$2 != 503 && ($2 != 200 || $3 != "v" substr($1, 2)) { if (bad++ < 5) print "key " $1 ": " $2 " " $3 }
         END { exit bad > 0 }' "$work/get-down" || fail "with instance 2 down: see above"
    echo "instance 2 down: its $owned keys 503, the other $((KEYS - owned)) keys 200"

    bash "$CLUSTER_SH" start 2 --dir "$CLUSTER_DIR"
    python3 "$KV_CLIENT" get "${CLUSTER_URL#http://}" "$KEYS" >"$work/get-back"
    awk 'NR == FNR { owned[$1] = 1; next }
         $2 != 200 { if (bad++ < 5) print "key " $1 " answered " $2 }
         ($1 in owned) && $3 != "-" { if (bad++ < 5) print "owned key " $1 " survived the restart: " $3 }
         !($1 in owned) && $3 != "v" substr($1, 2) { if (bad++ < 5) print "key " $1 " lost its value: " $3 }
         END { exit bad > 0 }' "$work/owned" "$work/get-back" ||
        fail "with instance 2 back: see above"
    echo "instance 2 back: all $KEYS keys 200 (its $owned keys empty: kv does not persist)"
}

if inside_cluster "$@"; then
    test_body
else
    run_in_cluster "${1:?usage: kv_sharding_test.sh BIN_DIR}" kv 3 python3
fi
