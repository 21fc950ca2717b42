# shellcheck shell=bash
# bench/cluster/lib.sh -- the pieces of cluster.sh: network, instances, HAProxy, restarts.
# Sourced by cluster.sh; every function works on the state directory $CLUSTER_DIR.

log() { printf '[cluster] %s\n' "$*" >&2; }
die() {
    printf '[cluster] error: %s\n' "$*" >&2
    exit 1
}

# --- state ---------------------------------------------------------------------------

# Settings 'up' was given, saved so that restart/rolling/down act on the same cluster.
save_config() {
    # -g: load_state sources this inside a function.
    declare -p APP HOSTS THREADS CPUS PORT_BASE APP_PORT BIN_DIR NET |
        sed 's/^declare -- /declare -g /' >"$CLUSTER_DIR/config"
}

load_state() {
    [[ -f $CLUSTER_DIR/config ]] || die "no cluster in $CLUSTER_DIR (cluster.sh up first)"
    # shellcheck source=/dev/null
    source "$CLUSTER_DIR/config"
    derive_names
}

derive_names() {
    BRIDGE=crb$NET
    BRIDGE_IP=10.77.$NET.1
    STATS_URL="http://$BRIDGE_IP:$((PORT_BASE + 4))/stats"
    CLI_ADDRESS=$BRIDGE_IP:$((PORT_BASE + 5))
}

# user runs two tiers of HOSTS hosts each: 1..HOSTS front, HOSTS+1..2*HOSTS upstream.
host_count() { if [[ $APP == user ]]; then echo $((2 * HOSTS)); else echo "$HOSTS"; fi; }
host_ip() { echo "10.77.$NET.$((10 + $1))"; }
host_ns() { echo "coring-c$NET-h$1"; }

# The backend whose health check watches host I (kv: a check-only backend, see README).
host_backend() {
    case $APP in
        kv) echo kv_health ;;
        hello) echo hello ;;
        user) if (($1 <= HOSTS)); then echo user_front; else echo user_upstream; fi ;;
    esac
}

# --- network -------------------------------------------------------------------------

make_network() {
    local n
    NET=''
    for ((n = 0; n < 255; n++)); do
        # A /24 someone else configured is not ours to use, bridge or not.
        ip -4 -o addr show | grep -q " 10\.77\.$n\." && continue
        if ip link add "crb$n" type bridge 2>/dev/null; then
            NET=$n
            break
        fi
    done
    [[ -n $NET ]] || die "no free 10.77.x.0/24 subnet (or 'ip link add' is not permitted)"
    echo "$NET" >"$CLUSTER_DIR/net"
    save_config
    derive_names
    ip addr add "$BRIDGE_IP/24" dev "$BRIDGE"
    ip link set "$BRIDGE" up
    local i
    for ((i = 1; i <= $(host_count); i++)); do make_host "$i"; done
}

# make_host I: namespace I with a veth pair to the bridge, eth0 = 10.77.NET.(10+I).
make_host() {
    local i=$1 ns outer=crv${NET}h$1 inner=crp${NET}h$1
    ns=$(host_ns "$i")
    ip netns add "$ns"
    echo "$ns" >>"$CLUSTER_DIR/namespaces"
    ip link add "$outer" type veth peer name "$inner"
    ip link set "$inner" netns "$ns"
    ip link set "$outer" master "$BRIDGE" up
    ip -n "$ns" link set lo up
    ip -n "$ns" link set "$inner" name eth0
    ip -n "$ns" addr add "$(host_ip "$i")/24" dev eth0
    ip -n "$ns" link set eth0 up
}

# Removes what 'up' made (processes, namespaces, veths, bridge), from the state files:
# safe to run twice, and after an 'up' that was killed half-way.
cluster_down() {
    trap - EXIT
    [[ -f $CLUSTER_DIR/net ]] || return 0
    NET=$(<"$CLUSTER_DIR/net")
    local pidfile ns link
    for pidfile in "$CLUSTER_DIR"/*.pid; do
        [[ -f $pidfile ]] && stop_pid "$(<"$pidfile")" 2
        rm -f "$pidfile"
    done
    if [[ -f $CLUSTER_DIR/namespaces ]]; then
        while read -r ns; do
            # Anything still running in a namespace we made was started by us.
            # shellcheck disable=SC2046
            kill -KILL $(ip netns pids "$ns" 2>/dev/null) 2>/dev/null || true
            ip netns del "$ns" 2>/dev/null || true
        done <"$CLUSTER_DIR/namespaces"
    fi
    for link in $(ip -o link show 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' |
        grep -E "^crv${NET}h[0-9]+\$"); do
        ip link del "$link" 2>/dev/null || true
    done
    ip link del "crb$NET" 2>/dev/null || true
    rm -f "$CLUSTER_DIR"/{net,namespaces,config,ready,env}
    log "down: removed network $NET's namespaces, veths, bridge and processes (logs kept in $CLUSTER_DIR)"
}

# --- processes -----------------------------------------------------------------------

# alive PID: the process exists and is not a zombie.
alive() {
    local state
    state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n $state && $state != Z ]]
}

# wait_until SECONDS DESCRIPTION CMD...: polls CMD every 20 ms until it succeeds.
wait_until() {
    local seconds=$1 what=$2 i
    shift 2
    for ((i = 0; i < seconds * 50; i++)); do
        "$@" && return 0
        sleep 0.02
    done
    die "timed out after ${seconds}s waiting for $what"
}

not_alive() { ! alive "$1"; }

# stop_pid PID GRACE_S: SIGTERM, SIGKILL after GRACE_S seconds.
stop_pid() {
    local pid=$1 grace=$2 i
    alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < grace * 50; i++)); do
        alive "$pid" || return 0
        sleep 0.02
    done
    kill -KILL "$pid" 2>/dev/null || true
}

# exec_pinned CMD...: exec CMD (on $CPUS if set). Run it in the background (`&`): the
# subshell becomes CMD, so $! is CMD's pid.
exec_pinned() {
    if [[ -n $CPUS ]]; then exec taskset -c "$CPUS" "$@"; else exec "$@"; fi
}

instance_args() {
    local i=$1
    echo --port "$APP_PORT" --threads "$THREADS"
    if [[ $APP == user ]] && ((i <= HOSTS)); then
        echo --upstream "$BRIDGE_IP:$((PORT_BASE + 3))"
    fi
}

# launch_instance I: start host I's app and wait until it listens. Its output is
# appended to hI.log, so a restart keeps what the previous instance said.
launch_instance() {
    local i=$1 log=$CLUSTER_DIR/h$1.log pid before
    before=$(listening_lines "$log")
    # shellcheck disable=SC2046
    exec_pinned ip netns exec "$(host_ns "$i")" "$BIN_DIR/$APP" $(instance_args "$i") >>"$log" 2>&1 &
    pid=$!
    echo "$pid" >"$CLUSTER_DIR/h$i.pid"
    wait_until 10 "host $i's $APP to listen" instance_listening "$i" "$pid" "$before"
}

listening_lines() {
    if [[ -f $1 ]]; then grep -c "^listening on " "$1" || true; else echo 0; fi
}

# instance_listening I PID BEFORE: host I's new instance has printed its "listening on"
# line (the log held BEFORE such lines when it started).
instance_listening() {
    local log=$CLUSTER_DIR/h$1.log
    alive "$2" || die "host $1's $APP exited at start: $(tail -n 5 "$log")"
    (($(listening_lines "$log") > $3))
}

start_instances() {
    local i
    for ((i = 1; i <= $(host_count); i++)); do launch_instance "$i"; done
}

# --- HAProxy -------------------------------------------------------------------------

write_haproxy_config() {
    bash "$CLUSTER_HOME/haproxy_config.sh" "$APP" "$BRIDGE_IP" "$PORT_BASE" "$HOSTS" \
        "$APP_PORT" "$CLUSTER_DIR" >"$CLUSTER_DIR/haproxy.cfg"
    haproxy -c -q -f "$CLUSTER_DIR/haproxy.cfg" ||
        die "haproxy rejects the generated $CLUSTER_DIR/haproxy.cfg"
}

start_haproxy() {
    exec_pinned haproxy -db -f "$CLUSTER_DIR/haproxy.cfg" >"$CLUSTER_DIR/haproxy.log" 2>&1 &
    echo $! >"$CLUSTER_DIR/haproxy.pid"
    wait_until 10 "HAProxy's stats socket" haproxy_answers "$!"
}

# haproxy_answers PID: HAProxy (PID) answers on its stats socket.
haproxy_answers() {
    alive "$1" || die "haproxy exited at start: $(cat "$CLUSTER_DIR/haproxy.log")"
    haproxy_cli "show info" >/dev/null 2>&1
}

# haproxy_cli COMMAND: HAProxy's answer to one command on its TCP stats socket (bash's
# /dev/tcp is the only client needed).
haproxy_cli() {
    local fd
    exec {fd}<>"/dev/tcp/$BRIDGE_IP/$((PORT_BASE + 5))" || return 1
    printf '%s\n' "$1" >&"$fd"
    timeout 2 cat <&"$fd"
    exec {fd}<&-
}

# haproxy_servers: "backend server status check_status" per server, from `show stat`.
haproxy_servers() {
    haproxy_cli "show stat" | awk -F, '
        NR == 1 { sub(/^# /, ""); for (i = 1; i <= NF; i++) col[$i] = i; next }
        NF > 2 && $2 != "FRONTEND" && $2 != "BACKEND" {
            print $1, $2, $col["status"], $col["check_status"] }'
}
# haproxy_stat PROXY SERVER FIELD: one field of `show stat` (SERVER may be FRONTEND or
# BACKEND), e.g. haproxy_stat hello h1 hrsp_2xx.
haproxy_stat() {
    haproxy_cli "show stat" | awk -F, -v p="$1" -v s="$2" -v f="$3" '
        NR == 1 { sub(/^# /, ""); for (i = 1; i <= NF; i++) col[$i] = i; next }
        $1 == p && $2 == s && (f in col) { print $col[f]; found = 1 }
        END { exit !found }'
}


# server_is STATE I: HAProxy's health check sees host I as STATE (UP or DOWN).
server_is() {
    local want=$1 backend
    backend=$(host_backend "$2")
    haproxy_servers 2>/dev/null | awk -v b="$backend" -v s="h$2" -v w="$want" '
        $1 == b && $2 == s { found = 1; ok = ($3 == w && (w != "UP" || $4 == "L7OK")) }
        END { exit !(found && ok) }'
}

wait_all_up() {
    local i
    for ((i = 1; i <= $(host_count); i++)); do
        wait_until 10 "HAProxy to see host $i UP" server_is UP "$i"
    done
}

write_env() {
    local i front
    case $APP in kv) front=0 ;; hello) front=1 ;; user) front=2 ;; esac
    {
        echo "CLUSTER_APP=$APP"
        echo "CLUSTER_NET=$NET"
        echo "CLUSTER_HOSTS=$(host_count)"
        echo "CLUSTER_URL=http://$BRIDGE_IP:$((PORT_BASE + front))"
        echo "CLUSTER_STATS_URL=$STATS_URL"
        echo "CLUSTER_CLI=$CLI_ADDRESS"
        echo "CLUSTER_HAPROXY_PID=$(<"$CLUSTER_DIR/haproxy.pid")"
        for ((i = 1; i <= $(host_count); i++)); do
            echo "CLUSTER_HOST_$i=$(host_ip "$i"):$APP_PORT"
        done
    } >"$CLUSTER_DIR/env"
}

# --- restarts ------------------------------------------------------------------------

# host_stop I: SIGTERM (the instance drains its in-flight requests), wait for its exit,
# then for HAProxy's health check to mark it DOWN.
host_stop() {
    local i=$1 pid
    pid=$(<"$CLUSTER_DIR/h$i.pid")
    kill -TERM "$pid" 2>/dev/null || true
    wait_until 15 "host $i's $APP to exit" not_alive "$pid"
    wait_until 10 "HAProxy to see host $i DOWN" server_is DOWN "$i"
}

# host_start I: start the instance again, wait until HAProxy's check sees it UP.
host_start() {
    local i=$1
    launch_instance "$i"
    wait_until 10 "HAProxy to see host $i UP" server_is UP "$i"
}

host_restart() {
    log "restarting host $1"
    host_stop "$1"
    host_start "$1"
}

rolling_restart() {
    local i
    for ((i = 1; i <= $(host_count); i++)); do host_restart "$i"; done
    log "rolling restart done: $(host_count) host(s)"
}
