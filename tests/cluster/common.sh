# shellcheck shell=bash
# tests/cluster/common.sh -- shared by the cluster tests (ctest): skip where network
# namespaces cannot be made, run the test body inside a fresh cluster, always clean up.
#
# A test script sources this, defines test_body, then calls
#   run_in_cluster BIN_DIR APP HOSTS TOOL...
# which skips (exit 77, reported by ctest as "Skipped") without root, haproxy, the TOOLs,
# or the right to create namespaces and bridges; otherwise it brings the cluster up with
# bench/cluster/cluster.sh in a private state directory and runs test_body inside it
# (CLUSTER_DIR set, its env file sourced). The cluster's network number is picked
# atomically, so parallel ctest jobs never share a namespace, bridge or address.
set -euo pipefail

TESTS_CLUSTER=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CLUSTER_SH=$TESTS_CLUSTER/../../bench/cluster/cluster.sh
# wait_until (polling with a bound) and alive come from the cluster's own helpers.
# shellcheck source=bench/cluster/lib.sh
source "$TESTS_CLUSTER/../../bench/cluster/lib.sh"

skip() {
    echo "SKIPPED: $*"
    exit 77
}

fail() {
    echo "FAILED: $*" >&2
    exit 1
}

# can_make_namespaces: probe with throwaway names unique to this process.
can_make_namespaces() {
    local ns=coring-probe-$$ br=crprobe$$
    ip netns add "$ns" 2>/dev/null || return 1
    ip netns del "$ns"
    ip link add "$br" type bridge 2>/dev/null || return 1
    ip link del "$br"
}

run_in_cluster() {
    local bin_dir=$1 app=$2 hosts=$3 tool
    shift 3
    [[ $(id -u) -eq 0 ]] || skip "needs root to create network namespaces (run as root or in CI)"
    for tool in ip haproxy curl "$@"; do
        command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/setup.sh installs it)"
    done
    can_make_namespaces || skip "this machine does not allow creating network namespaces and bridges"
    [[ -x $bin_dir/$app ]] || fail "$bin_dir/$app not found"

    STATE_DIR=$(mktemp -d -t coring-cluster-test.XXXXXX)
    trap 'bash "$CLUSTER_SH" down --dir "$STATE_DIR" >/dev/null 2>&1 || true; rm -rf "$STATE_DIR"' EXIT
    local status=0
    bash "$CLUSTER_SH" up --app "$app" --hosts "$hosts" --bin-dir "$bin_dir" --dir "$STATE_DIR" \
        -- bash "${BASH_SOURCE[1]}" --inside || status=$?
    if ((status != 0)); then
        local f
        for f in "$STATE_DIR"/*.log; do echo "--- $f"; tail -n 20 "$f"; done
    fi
    return "$status"
}

# inside_cluster: true (and the cluster's env loaded) when running as the test body.
inside_cluster() {
    [[ ${1:-} == --inside ]] || return 1
    # shellcheck source=/dev/null
    source "$CLUSTER_DIR/env"
}

# haproxy_stat PROXY SERVER FIELD: one counter of HAProxy's stats.
haproxy_stat() { bash "$CLUSTER_SH" stat "$1" "$2" "$3" --dir "$CLUSTER_DIR"; }
