#!/bin/bash
# Network-namespace lab for pathprobe: one client, one router running
# nftables middleboxes, and nginx servers that serve whole address blocks.
# Every address is from a documentation or benchmarking range and the router
# has no default route, so no packet can leave the lab.
#
# Usage: lab.sh up|down|status   (as root)
# State (nginx configs, pid files, logs) lives in ${PP_LAB_DIR:-/tmp/pp-lab}.
set -eu

LAB_DIR=${PP_LAB_DIR:-/tmp/pp-lab}
SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
MBOX_RULES=$SCRIPT_DIR/mbox.nft

NS_CLIENT=pp-client
NS_ROUTER=pp-router
NS_SRV_ECN=pp-srv-ecn
NS_SRV_NOECN=pp-srv-noecn
ALL_NAMESPACES="$NS_CLIENT $NS_ROUTER $NS_SRV_ECN $NS_SRV_NOECN"

# Client link: pp-c0 (client) <-> pp-r-client (router).
CLIENT_V4=192.0.2.2
CLIENT_V6=2001:db8:0:1::2
ROUTER_CLIENT_V4=192.0.2.1
ROUTER_CLIENT_V6=2001:db8:0:1::1

# Server links, as "namespace router-if server-if router-v4 server-v4 /len v6-prefix".
SERVER_LINKS="
$NS_SRV_ECN   pp-r-ecn   pp-ecn0   198.51.100.1 198.51.100.2 30 2001:db8:0:2::
$NS_SRV_NOECN pp-r-noecn pp-noecn0 198.51.100.5 198.51.100.6 30 2001:db8:0:3::
"

# Target classes, as "number name server-namespace". Class k owns
# 198.18.k.0/24 and 2001:db8:100:k::/64. mbox.nft implements the middleboxes.
# reflect uses the non-ECN server, because a host that echoes the SYN's ECE
# and CWR onto its SYN-ACK is a broken stack, not an ECN-capable one.
TARGET_CLASSES="
1  clean          $NS_SRV_ECN
2  noecn          $NS_SRV_NOECN
3  synecn-drop    $NS_SRV_ECN
4  synecn-rst     $NS_SRV_ECN
5  ect-drop       $NS_SRV_ECN
6  bleach         $NS_SRV_ECN
7  ce             $NS_SRV_ECN
8  reflect        $NS_SRV_NOECN
9  offline        $NS_SRV_ECN
10 transient      $NS_SRV_ECN
11 synecn-unreach $NS_SRV_ECN
"

# Benchmark blocks, both routed to pp-srv-ecn. Only the clean pair is
# served there. mbox.nft drops everything to the black-hole pair.
BENCH_CLEAN_V4=198.19.0.0/17
BENCH_CLEAN_V6=2001:db8:200::/64
BENCH_BLACKHOLE_V4=198.19.128.0/17
BENCH_BLACKHOLE_V6=2001:db8:201::/64

log() {
    echo "lab: $*" >&2
}

die() {
    log "error: $*"
    exit 1
}

require_root() {
    [ "$(id -u)" = 0 ] || die "must run as root (network namespaces need CAP_NET_ADMIN)"
}

# Rejects state directories that rm -rf must never touch.
check_lab_dir() {
    case $LAB_DIR in
        /* ) ;;
        * ) die "PP_LAB_DIR must be an absolute path, got '$LAB_DIR'" ;;
    esac
    case $LAB_DIR in
        / | /tmp | /tmp/ | /root | /home | /var | /usr | /etc )
            die "PP_LAB_DIR='$LAB_DIR' is not a dedicated directory; choose e.g. /tmp/pp-lab" ;;
        *[[:space:]]* )
            die "PP_LAB_DIR='$LAB_DIR' contains whitespace, which the nginx config cannot quote; choose e.g. /tmp/pp-lab" ;;
    esac
}

namespace_exists() {
    ip netns list | awk '{print $1}' | grep -qx "$1"
}

run_in_namespace() {
    local ns=$1
    shift
    ip netns exec "$ns" "$@"
}

set_namespace_sysctls() {
    local ns=$1
    shift
    local setting
    for setting in "$@"; do
        run_in_namespace "$ns" sysctl -qw "$setting" >/dev/null
    done
}

# Class number -> IPv4 and IPv6 target block.
class_block_v4() { echo "198.18.$1.0/24"; }
class_block_v6() { echo "2001:db8:100:$1::/64"; }

# ---------------------------------------------------------------- down ---

# Stops nginx by pid file first, so it can exit cleanly, then kills anything
# still running inside the namespace. Tolerates a half-built lab.
stop_namespace_processes() {
    local ns=$1
    local pid_file="$LAB_DIR/$ns/nginx.pid"
    local pid pids attempt

    # A stale pid file may name an unrelated process by now, so signal the
    # pid only if its command line still names this lab's nginx config.
    if [ -f "$pid_file" ]; then
        pid=$(cat "$pid_file" 2>/dev/null || true)
        case $pid in
            '' | *[!0-9]* ) ;;
            * )
                if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$LAB_DIR/$ns/nginx.conf"; then
                    kill -TERM "$pid" 2>/dev/null || true
                fi
                ;;
        esac
    fi

    namespace_exists "$ns" || return 0
    for attempt in 1 2 3 4 5 6 7 8 9 10; do
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        [ -n "$pids" ] || return 0
        if [ "$attempt" -lt 10 ]; then
            kill -TERM $pids 2>/dev/null || true
        else
            log "killing processes still in $ns: $pids"
            kill -KILL $pids 2>/dev/null || true
        fi
        sleep 0.1
    done
}

lab_down() {
    local ns
    for ns in $ALL_NAMESPACES; do
        stop_namespace_processes "$ns"
    done
    # Deleting a namespace also deletes its veth ends and their peers.
    for ns in $ALL_NAMESPACES; do
        if namespace_exists "$ns"; then
            ip netns del "$ns" || log "failed to delete namespace $ns"
        fi
    done
    rm -rf "$LAB_DIR"
}

# ------------------------------------------------------------------ up ---

create_namespaces() {
    local ns
    for ns in $ALL_NAMESPACES; do
        ip netns add "$ns"
        # No IPv6 duplicate address detection, so addresses (link-local ones
        # included) are usable at once. Must be set before any link exists.
        set_namespace_sysctls "$ns" net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
        ip -n "$ns" link set lo up
    done
}

# Creates a veth pair directly inside the two namespaces (never in the root
# namespace) and turns off TX checksum offload on both ends, so captures
# and the nft payload rewrites see real checksums.
create_veth() {
    local ns_a=$1 if_a=$2 ns_b=$3 if_b=$4
    ip -n "$ns_a" link add "$if_a" type veth peer name "$if_b" netns "$ns_b"
    run_in_namespace "$ns_a" ethtool -K "$if_a" tx off >/dev/null
    run_in_namespace "$ns_b" ethtool -K "$if_b" tx off >/dev/null
    ip -n "$ns_a" link set "$if_a" up
    ip -n "$ns_b" link set "$if_b" up
}

setup_client() {
    create_veth "$NS_CLIENT" pp-c0 "$NS_ROUTER" pp-r-client
    ip -n "$NS_CLIENT" addr add "$CLIENT_V4/24" dev pp-c0
    ip -n "$NS_CLIENT" addr add "$CLIENT_V6/64" dev pp-c0 nodad
    ip -n "$NS_ROUTER" addr add "$ROUTER_CLIENT_V4/24" dev pp-r-client
    ip -n "$NS_ROUTER" addr add "$ROUTER_CLIENT_V6/64" dev pp-r-client nodad

    # Only lab ranges go to the router. There is deliberately no default route.
    ip -n "$NS_CLIENT" route add 198.18.0.0/15 via "$ROUTER_CLIENT_V4"
    ip -n "$NS_CLIENT" -6 route add 2001:db8::/32 via "$ROUTER_CLIENT_V6"
}

setup_router() {
    set_namespace_sysctls "$NS_ROUTER" \
        net.ipv4.ip_forward=1 \
        net.ipv6.conf.all.forwarding=1 \
        net.ipv4.icmp_ratelimit=0 \
        net.ipv4.icmp_msgs_per_sec=100000 \
        net.ipv4.icmp_msgs_burst=100000 \
        net.ipv6.icmp.ratelimit=0
    # The ICMP limits above are lifted because the synecn-unreach class
    # sends every unreachable to the same client address. With the defaults
    # the router stops sending them after a short burst, and the class turns
    # into a silent drop.
}

# Links one server namespace to the router and routes the client's link
# back through the router. Servers have no default route either.
setup_server_link() {
    local ns=$1 router_if=$2 server_if=$3 router_v4=$4 server_v4=$5 prefix_len=$6 v6_prefix=$7

    create_veth "$NS_ROUTER" "$router_if" "$ns" "$server_if"
    ip -n "$NS_ROUTER" addr add "$router_v4/$prefix_len" dev "$router_if"
    ip -n "$NS_ROUTER" addr add "${v6_prefix}1/64" dev "$router_if" nodad
    ip -n "$ns" addr add "$server_v4/$prefix_len" dev "$server_if"
    ip -n "$ns" addr add "${v6_prefix}2/64" dev "$server_if" nodad

    ip -n "$ns" route add 192.0.2.0/24 via "$router_v4"
    ip -n "$ns" -6 route add 2001:db8:0:1::/64 via "${v6_prefix}1"

    # Thousands of connections per second need more than the default queues.
    set_namespace_sysctls "$ns" net.core.somaxconn=8192 net.ipv4.tcp_max_syn_backlog=8192
}

setup_servers() {
    echo "$SERVER_LINKS" | while read -r ns router_if server_if router_v4 server_v4 prefix_len v6_prefix; do
        [ -n "$ns" ] || continue
        setup_server_link "$ns" "$router_if" "$server_if" "$router_v4" "$server_v4" "$prefix_len" "$v6_prefix"
    done
    # With tcp_ecn=0 this server never negotiates ECN. pp-srv-ecn keeps the
    # namespace default 2 (accepts ECN when the client requests it).
    set_namespace_sysctls "$NS_SRV_NOECN" net.ipv4.tcp_ecn=0
}

# Prints the router's next hop (v4 and v6) towards a server namespace.
server_next_hops() {
    echo "$SERVER_LINKS" | awk -v ns="$1" '$1 == ns { print $5, $7 "2" }'
}

# Makes the server accept a whole block (AnyIP) and the router send the
# block to that server.
route_block() {
    local ns=$1 block_v4=$2 block_v6=$3 anyip=$4
    local hops next_v4 next_v6
    hops=$(server_next_hops "$ns")
    next_v4=${hops% *}
    next_v6=${hops#* }

    ip -n "$NS_ROUTER" route add "$block_v4" via "$next_v4"
    ip -n "$NS_ROUTER" -6 route add "$block_v6" via "$next_v6"
    if [ "$anyip" = with-anyip ]; then
        ip -n "$ns" route add local "$block_v4" dev lo
        ip -n "$ns" -6 route add local "$block_v6" dev lo
    fi
}

setup_target_blocks() {
    echo "$TARGET_CLASSES" | while read -r number name ns; do
        [ -n "$number" ] || continue
        route_block "$ns" "$(class_block_v4 "$number")" "$(class_block_v6 "$number")" with-anyip
    done
    route_block "$NS_SRV_ECN" "$BENCH_CLEAN_V4" "$BENCH_CLEAN_V6" with-anyip
    # Routed so the router forwards (and then drops) instead of sending an
    # ICMP "no route". The server has no AnyIP route for this pair either.
    route_block "$NS_SRV_ECN" "$BENCH_BLACKHOLE_V4" "$BENCH_BLACKHOLE_V6" without-anyip
}

load_middleboxes() {
    [ -r "$MBOX_RULES" ] || die "nft rules not found: $MBOX_RULES"
    run_in_namespace "$NS_ROUTER" nft -f "$MBOX_RULES"
}

write_nginx_config() {
    local ns=$1
    local dir="$LAB_DIR/$ns"
    mkdir -p "$dir/temp"
    cat >"$dir/nginx.conf" <<NGINX
# Generated by tests/lab/lab.sh for namespace $ns.
daemon on;
worker_processes 2;
worker_rlimit_nofile 20000;
pid $dir/nginx.pid;
error_log $dir/error.log warn;

events {
    worker_connections 8192;
}

http {
    access_log off;
    keepalive_timeout 30s;
    keepalive_requests 10000;
    default_type text/plain;

    client_body_temp_path $dir/temp/body;
    proxy_temp_path $dir/temp/proxy;
    fastcgi_temp_path $dir/temp/fastcgi;
    uwsgi_temp_path $dir/temp/uwsgi;
    scgi_temp_path $dir/temp/scgi;

    server {
        listen 0.0.0.0:80 default_server backlog=8192;
        listen [::]:80 default_server ipv6only=on backlog=8192;
        server_name _;

        location / {
            return 200 "pathprobe lab $ns \$server_addr\n";
        }
    }
}
NGINX
}

start_nginx() {
    local ns=$1
    local dir="$LAB_DIR/$ns"
    write_nginx_config "$ns"
    run_in_namespace "$ns" nginx -q -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
}

# Waits until every nginx has written its pid file and listens on port 80
# for both families.
wait_for_nginx() {
    local ns attempt listeners
    for ns in $NS_SRV_ECN $NS_SRV_NOECN; do
        for attempt in $(seq 1 50); do
            listeners=$(run_in_namespace "$ns" ss -Hltn 'sport = :80' | wc -l)
            if [ -s "$LAB_DIR/$ns/nginx.pid" ] && [ "$listeners" -ge 2 ]; then
                break
            fi
            [ "$attempt" -lt 50 ] || die "nginx in $ns did not start; see $LAB_DIR/$ns/error.log"
            sleep 0.1
        done
    done
}

# With DAD off nothing should be tentative, but a tentative address would
# make the first IPv6 probes fail, so check instead of assuming.
wait_for_ipv6_addresses() {
    local ns attempt
    for ns in $ALL_NAMESPACES; do
        for attempt in $(seq 1 30); do
            [ -z "$(ip -n "$ns" -6 addr show tentative)" ] && break
            [ "$attempt" -lt 30 ] || die "IPv6 addresses in $ns are still tentative"
            sleep 0.1
        done
    done
}

lab_up() {
    lab_down
    # A failed step leaves the partial lab in place for inspection.
    trap 'log "up failed; run \"$0 down\" to remove the partial lab"' EXIT
    mkdir -p "$LAB_DIR"
    create_namespaces
    setup_client
    setup_router
    setup_servers
    setup_target_blocks
    load_middleboxes
    start_nginx "$NS_SRV_ECN"
    start_nginx "$NS_SRV_NOECN"
    wait_for_nginx
    wait_for_ipv6_addresses
    trap - EXIT
    log "up: client $CLIENT_V4 / $CLIENT_V6 in $NS_CLIENT, state in $LAB_DIR"
}

# -------------------------------------------------------------- status ---

lab_status() {
    local ns missing=0
    for ns in $ALL_NAMESPACES; do
        if namespace_exists "$ns"; then
            echo "namespace $ns: present, processes: $(ip netns pids "$ns" | tr '\n' ' ')"
        else
            echo "namespace $ns: missing"
            missing=1
        fi
    done
    if namespace_exists "$NS_ROUTER"; then
        echo "--- nft ruleset in $NS_ROUTER (rule counters) ---"
        run_in_namespace "$NS_ROUTER" nft list table inet pp_mbox 2>/dev/null | grep -E 'counter packets [1-9]' || echo "(no rule has matched yet)"
    fi
    echo "--- target classes (number name server) ---"
    echo "$TARGET_CLASSES" | awk 'NF { printf "%-3s %-15s %-13s 198.18.%s.0/24 2001:db8:100:%s::/64\n", $1, $2, $3, $1, $1 }'
    return "$missing"
}

main() {
    require_root
    check_lab_dir
    case ${1:-} in
        up ) lab_up ;;
        down ) lab_down ;;
        status ) lab_status ;;
        * ) echo "usage: $0 up|down|status" >&2; exit 2 ;;
    esac
}

main "$@"
