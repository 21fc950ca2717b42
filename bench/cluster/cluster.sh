#!/usr/bin/env bash
# bench/cluster/cluster.sh -- coring instances on network-namespace "hosts" behind
# HAProxy, on one machine. See bench/cluster/README.md.
#
# Each host is a network namespace with one veth pair to a private bridge; the host side
# (HAProxy, clients) talks to the namespaces over that bridge only. Every address used is
# one this script assigns: the bridge is 10.77.NET.1/24, host i is 10.77.NET.(10+i), and
# NET is the first number whose bridge `crbNET` could be created (creating a link is
# atomic, so concurrent clusters never share a subnet or a name).
set -euo pipefail

CLUSTER_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$CLUSTER_HOME/../.." && pwd)
# shellcheck source=bench/cluster/lib.sh
source "$CLUSTER_HOME/lib.sh"

usage() {
    cat <<EOF
Usage:
  cluster.sh up --app kv|hello|user [--hosts N] [--dir DIR] [options] [-- CMD [ARG...]]
  cluster.sh down [--dir DIR]            (also: cluster.sh --down)
  cluster.sh restart I [--dir DIR]       graceful restart of host I (1-based)
  cluster.sh rolling [--dir DIR]         restart every host in turn
  cluster.sh stop I | start I [--dir DIR]
  cluster.sh status [--dir DIR]          HAProxy's view of every server
  cluster.sh stat PROXY SERVER FIELD [--dir DIR]
                                         one field of HAProxy's 'show stat' CSV
                                         (SERVER: hI, FRONTEND or BACKEND)

up makes N hosts (user: N front + N upstream hosts), starts one instance per host and
HAProxy in front, writes DIR/env (addresses, ports) and DIR/haproxy.cfg, then runs CMD
with CLUSTER_DIR=DIR in its environment, or waits for SIGINT/SIGTERM without CMD.
Everything it made is removed when it exits, however it exits; 'down' removes what a
killed 'up' left behind. Needs root (ip netns, veth, bridge) and haproxy.

Options (up):
  --app NAME       kv, hello or user
  --hosts N        hosts (per tier for user), 1-16 (default 3)
  --dir DIR        state directory (default /tmp/coring-cluster)
  --bin-dir DIR    where the app binaries are (default build/release/bin)
  --threads N      threads per instance (default 1)
  --cpu LIST       pin HAProxy and the instances to these CPUs (taskset), e.g. 0
  --port-base P    HAProxy's first port on the bridge address (default 20500):
                   P kv, P+1 hello, P+2 user, P+3 user's upstream tier,
                   P+4 stats page (/stats), P+5 stats socket (read-only CLI)
  --app-port P     port of every instance inside its namespace (default 8000)
EOF
}

die_usage() {
    echo "cluster.sh: $*" >&2
    usage >&2
    exit 2
}

main() {
    local command=${1:-}
    (($#)) && shift
    case $command in
        up) cmd_up "$@" ;;
        down | --down) parse_dir_only "$@" && cluster_down ;;
        restart | stop | start)
            local index=${1:-}
            [[ $index =~ ^[1-9][0-9]*$ ]] || die_usage "$command needs a host number"
            shift
            parse_dir_only "$@"
            load_state
            "host_$command" "$index"
            ;;
        rolling) parse_dir_only "$@" && load_state && rolling_restart ;;
        status) parse_dir_only "$@" && load_state && haproxy_servers ;;
        stat)
            (($# >= 3)) || die_usage "stat needs PROXY SERVER FIELD"
            local proxy=$1 server=$2 field=$3
            shift 3
            parse_dir_only "$@"
            load_state
            haproxy_stat "$proxy" "$server" "$field"
            ;;
        -h | --help | help) usage ;;
        '') die_usage "no command" ;;
        *) die_usage "unknown command: $command" ;;
    esac
}

parse_dir_only() {
    CLUSTER_DIR=${CLUSTER_DIR:-/tmp/coring-cluster}
    while (($#)); do
        case $1 in
            --dir) CLUSTER_DIR=${2:?--dir needs a directory}; shift ;;
            *) die_usage "unknown argument: $1" ;;
        esac
        shift
    done
}

# in_range VALUE MIN MAX: VALUE is a whole number within [MIN, MAX].
in_range() {
    [[ $1 =~ ^[0-9]{1,6}$ ]] || return 1
    (($1 >= $2 && $1 <= $3))
}

cmd_up() {
    APP='' HOSTS=3 CLUSTER_DIR=${CLUSTER_DIR:-/tmp/coring-cluster} THREADS=1 CPUS=''
    PORT_BASE=20500 APP_PORT=8000 BIN_DIR=$ROOT/build/release/bin
    while (($#)); do
        case $1 in
            --app) APP=${2:-}; shift ;;
            --hosts) HOSTS=${2:-}; shift ;;
            --dir) CLUSTER_DIR=${2:?--dir needs a directory}; shift ;;
            --bin-dir) BIN_DIR=${2:?--bin-dir needs a directory}; shift ;;
            --threads) THREADS=${2:-}; shift ;;
            --cpu) CPUS=${2:?--cpu needs a CPU list}; shift ;;
            --port-base) PORT_BASE=${2:-}; shift ;;
            --app-port) APP_PORT=${2:-}; shift ;;
            --) shift; break ;;
            *) die_usage "unknown argument: $1" ;;
        esac
        shift
    done
    [[ $APP =~ ^(kv|hello|user)$ ]] || die_usage "--app must be kv, hello or user"
    in_range "$HOSTS" 1 16 || die_usage "--hosts must be 1-16"
    [[ $THREADS =~ ^[1-9][0-9]*$ ]] || die_usage "--threads must be a positive number"
    in_range "$PORT_BASE" 1 65530 || die_usage "--port-base must be 1-65530"
    in_range "$APP_PORT" 1 65535 || die_usage "--app-port must be 1-65535"
    [[ -x $BIN_DIR/$APP ]] || die "$BIN_DIR/$APP not found (build the release preset first)"
    command -v haproxy >/dev/null || die "haproxy not found (Debian: apt-get install haproxy)"
    [[ $(id -u) -eq 0 ]] || die "needs root: it creates network namespaces, veth pairs and a bridge"
    if [[ -e $CLUSTER_DIR/net ]]; then
        die "$CLUSTER_DIR holds a cluster already (cluster.sh down --dir $CLUSTER_DIR)"
    fi
    mkdir -p "$CLUSTER_DIR"
    CLUSTER_DIR=$(cd "$CLUSTER_DIR" && pwd)

    CHILD=''
    trap 'end_up' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    make_network
    start_instances
    write_haproxy_config
    start_haproxy
    wait_all_up
    write_env
    log "up: $APP on $(host_count) host(s), HAProxy on $BRIDGE_IP (state in $CLUSTER_DIR)"
    touch "$CLUSTER_DIR/ready"
    if (($#)); then
        # In the background, so that a signal to this script is handled at once.
        CLUSTER_DIR=$CLUSTER_DIR "$@" &
        CHILD=$!
        local status=0
        wait "$CHILD" || status=$?
        CHILD=''
        exit "$status"
    fi
    log "press Ctrl-C (or send SIGTERM to $$) to tear it down"
    sleep infinity &
    CHILD=$!
    wait "$CHILD" || true
}

# EXIT trap of 'up': stop the command (or the waiting sleep), then remove everything.
end_up() {
    local status=$?
    [[ -n $CHILD ]] && kill -TERM "$CHILD" 2>/dev/null
    cluster_down
    exit "$status"
}

main "$@"
