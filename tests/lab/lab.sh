#!/bin/bash
# Network-namespace lab for pathprobe: one client, one router running
# nftables middleboxes, nginx servers that serve whole address blocks, and
# a knot DNS server that serves its blocks too.
# Every address is from a documentation or benchmarking range and the router
# has no default route, so no packet can leave the lab.
#
# Usage: lab.sh up|down|status   (as root)
# PP_LAB_PREFIX (default pp) starts every namespace name and the nft table
# name, so labs with different prefixes can be up at the same time.
# State (nginx and knot configs, the zone, pid files, logs, TLS key) lives in
# ${PP_LAB_DIR:-/tmp/$PP_LAB_PREFIX-lab}.
set -eu

PREFIX=${PP_LAB_PREFIX:-pp}
# Lower-case letters and digits only, starting with a letter, because the
# prefix also goes into the nft table name, and that must be an identifier.
if ! [[ $PREFIX =~ ^[a-z][a-z0-9]{0,11}$ ]]; then
    echo "lab: error: invalid PP_LAB_PREFIX '$PREFIX': use 1 to 12 lower-case letters and digits, starting with a letter" >&2
    exit 1
fi

LAB_DIR=${PP_LAB_DIR:-/tmp/$PREFIX-lab}
SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
MBOX_RULES=$SCRIPT_DIR/mbox.nft
# mbox.nft names its table pp_mbox. nft 1.0.6 takes no variable in a table
# name, so load_middleboxes renames it in a copy under LAB_DIR.
NFT_TABLE=${PREFIX}_mbox

NS_CLIENT=$PREFIX-client
NS_ROUTER=$PREFIX-router
NS_SRV_ECN=$PREFIX-srv-ecn
NS_SRV_NOECN=$PREFIX-srv-noecn
NS_SRV_TOS=$PREFIX-srv-tos
NS_SRV_JUMBO=$PREFIX-srv-jumbo
NS_SRV_H2=$PREFIX-srv-h2
NS_SRV_H1=$PREFIX-srv-h1
NS_SRV_DNS=$PREFIX-srv-dns
NS_SRV_TFO=$PREFIX-srv-tfo
SERVER_NAMESPACES="$NS_SRV_ECN $NS_SRV_NOECN $NS_SRV_TOS $NS_SRV_JUMBO $NS_SRV_H2 $NS_SRV_H1 $NS_SRV_DNS $NS_SRV_TFO"
ALL_NAMESPACES="$NS_CLIENT $NS_ROUTER $SERVER_NAMESPACES"
# Servers whose nginx also serves HTTPS on port 443.
TLS_NAMESPACES="$NS_SRV_H2 $NS_SRV_H1"

# Client link: pp-c0 (client) <-> pp-r-client (router). Interface names need
# no prefix, because every interface is created inside a lab namespace.
CLIENT_V4=192.0.2.2
CLIENT_V6=2001:db8:0:1::2
ROUTER_CLIENT_V4=192.0.2.1
ROUTER_CLIENT_V6=2001:db8:0:1::1

# Server links, as "namespace router-if server-if router-v4 server-v4 /len
# v6-prefix mtu". The jumbo link has MTU 9000 at both ends, so that server
# advertises an MSS above the client's 1460 (IPv4) or 1440 (IPv6).
SERVER_LINKS="
$NS_SRV_ECN   pp-r-ecn   pp-ecn0   198.51.100.1  198.51.100.2  30 2001:db8:0:2:: 1500
$NS_SRV_NOECN pp-r-noecn pp-noecn0 198.51.100.5  198.51.100.6  30 2001:db8:0:3:: 1500
$NS_SRV_TOS   pp-r-tos   pp-tos0   198.51.100.9  198.51.100.10 30 2001:db8:0:4:: 1500
$NS_SRV_JUMBO pp-r-jumbo pp-jumbo0 198.51.100.13 198.51.100.14 30 2001:db8:0:5:: 9000
$NS_SRV_H2    pp-r-h2    pp-h20    198.51.100.17 198.51.100.18 30 2001:db8:0:6:: 1500
$NS_SRV_H1    pp-r-h1    pp-h10    198.51.100.21 198.51.100.22 30 2001:db8:0:7:: 1500
$NS_SRV_DNS   pp-r-dns   pp-dns0   198.51.100.25 198.51.100.26 30 2001:db8:0:8:: 1500
$NS_SRV_TFO   pp-r-tfo   pp-tfo0   198.51.100.29 198.51.100.30 30 2001:db8:0:9:: 1500
"

# Target classes, as "number name server-namespace". Class k owns
# 198.18.k.0/24 and 2001:db8:100:k::/64. mbox.nft implements the middleboxes.
# reflect uses the non-ECN server, because a host that echoes the SYN's ECE
# and CWR onto its SYN-ACK is a broken stack, not an ECN-capable one.
# dscp-clean uses a server that does not reflect the SYN's DSCP. The other
# DSCP classes use the reflecting one, so a middlebox that fails to act
# shows up as a reflected 48. Classes 60 to 66 are the DNS server's (knot,
# and nginx on port 80 for forged SYNs). tfo-none uses the ECN server,
# which gives no Fast Open cookies.
TARGET_CLASSES="
1  clean           $NS_SRV_ECN
2  noecn           $NS_SRV_NOECN
3  synecn-drop     $NS_SRV_ECN
4  synecn-rst      $NS_SRV_ECN
5  ect-drop        $NS_SRV_ECN
6  bleach          $NS_SRV_ECN
7  ce              $NS_SRV_ECN
8  reflect         $NS_SRV_NOECN
9  offline         $NS_SRV_ECN
10 transient       $NS_SRV_ECN
11 synecn-unreach  $NS_SRV_ECN
20 dscp-clean      $NS_SRV_ECN
21 dscp-reflect    $NS_SRV_TOS
22 dscp-bleach-fwd $NS_SRV_TOS
23 dscp-remark-rev $NS_SRV_TOS
24 dscp-drop       $NS_SRV_TOS
30 mss-clean       $NS_SRV_ECN
31 mss-clamp       $NS_SRV_ECN
32 mss-inflated    $NS_SRV_JUMBO
33 mss-strip       $NS_SRV_ECN
34 mss-offline     $NS_SRV_ECN
40 tcpopt-clean    $NS_SRV_ECN
41 ts-strip        $NS_SRV_ECN
42 ws-strip        $NS_SRV_ECN
43 sack-strip      $NS_SRV_ECN
44 ts-syn-drop     $NS_SRV_ECN
45 tcpopt-offline  $NS_SRV_ECN
50 h2-capable      $NS_SRV_H2
51 h1-only         $NS_SRV_H1
60 dns-clean       $NS_SRV_DNS
61 dns-udp-drop    $NS_SRV_DNS
62 udpzero-drop    $NS_SRV_DNS
63 evil-drop       $NS_SRV_DNS
64 evil-bleach     $NS_SRV_DNS
65 dns-offline     $NS_SRV_DNS
66 evil-mark-rev   $NS_SRV_DNS
70 tfo-server      $NS_SRV_TFO
71 tfo-syndata-drop $NS_SRV_TFO
72 tfo-strip       $NS_SRV_TFO
73 tfo-none        $NS_SRV_ECN
"

# Benchmark blocks, both routed to the ECN server. Only the clean pair is
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
            die "PP_LAB_DIR='$LAB_DIR' is not a dedicated directory; choose e.g. /tmp/$PREFIX-lab" ;;
        *[[:space:]]* )
            die "PP_LAB_DIR='$LAB_DIR' contains whitespace, which the nginx config cannot quote; choose e.g. /tmp/$PREFIX-lab" ;;
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

# Class number -> IPv4 and IPv6 target block, and the address HOST in it.
class_block_v4() { echo "198.18.$1.0/24"; }
class_block_v6() { echo "2001:db8:100:$1::/64"; }
class_address_v4() { echo "198.18.$1.$2"; }
class_address_v6() { echo "2001:db8:100:$1::$2"; }

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
    local ns=$1 router_if=$2 server_if=$3 router_v4=$4 server_v4=$5 prefix_len=$6 v6_prefix=$7 mtu=$8

    create_veth "$NS_ROUTER" "$router_if" "$ns" "$server_if"
    if [ "$mtu" != 1500 ]; then
        ip -n "$NS_ROUTER" link set "$router_if" mtu "$mtu"
        ip -n "$ns" link set "$server_if" mtu "$mtu"
    fi
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
    echo "$SERVER_LINKS" | while read -r ns router_if server_if router_v4 server_v4 prefix_len v6_prefix mtu; do
        [ -n "$ns" ] || continue
        setup_server_link "$ns" "$router_if" "$server_if" "$router_v4" "$server_v4" "$prefix_len" "$v6_prefix" "$mtu"
    done
    # With tcp_ecn=0 this server never negotiates ECN. The ECN server keeps
    # the namespace default 2 (accepts ECN when the client requests it).
    set_namespace_sysctls "$NS_SRV_NOECN" net.ipv4.tcp_ecn=0
    # Copies the DSCP of a connection's SYN onto everything the server sends
    # on it (IPv4 and IPv6). Every other server keeps the default 0.
    set_namespace_sysctls "$NS_SRV_TOS" net.ipv4.tcp_reflect_tos=1
    # Server Fast Open on every listener (0x400) with cookies (0x2), set
    # before nginx listens. Covers IPv6 too. Client bit 0x1 is the default.
    set_namespace_sysctls "$NS_SRV_TFO" net.ipv4.tcp_fastopen=1027
    # knot sends each UDP response from the query's destination address
    # (IPV6_PKTINFO). IPv6 rejects an AnyIP source with EINVAL unless
    # non-local sources are allowed. IPv4 accepts it as it is.
    set_namespace_sysctls "$NS_SRV_DNS" net.ipv6.ip_nonlocal_bind=1
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
    local rules="$LAB_DIR/mbox.nft"
    [ -r "$MBOX_RULES" ] || die "nft rules not found: $MBOX_RULES"
    sed "s/^table inet pp_mbox {\$/table inet $NFT_TABLE {/" "$MBOX_RULES" >"$rules"
    grep -q "^table inet $NFT_TABLE {\$" "$rules" || die "no line 'table inet pp_mbox {' in $MBOX_RULES"
    run_in_namespace "$NS_ROUTER" nft -f "$rules"
}

# Makes a self-signed certificate for *.lab.example, valid for a week, that
# the HTTPS servers share. Clients do not verify it.
make_tls_certificate() {
    mkdir -p "$LAB_DIR/tls"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -days 7 -subj "/CN=lab.example" \
        -addext "subjectAltName=DNS:lab.example,DNS:*.lab.example" \
        -keyout "$LAB_DIR/tls/key.pem" -out "$LAB_DIR/tls/cert.pem" 2>/dev/null \
        || die "openssl failed to make the lab's TLS certificate"
}

# Prints the listen and certificate lines for port 443 of a TLS server,
# each starting with a newline, or nothing for a plain HTTP server. nginx
# 1.22 turns HTTP/2 on per listen socket ("listen ... http2"). Port 80 stays
# HTTP/1.1, because "listen 80 http2" would accept only prior-knowledge h2c.
tls_server_lines() {
    local ns=$1 http2 indent='        '
    case $ns in
        "$NS_SRV_H2" ) http2=' http2' ;;
        "$NS_SRV_H1" ) http2='' ;;
        * ) return 0 ;;
    esac
    printf '\n%slisten 0.0.0.0:443 ssl%s default_server backlog=8192;' "$indent" "$http2"
    printf '\n%slisten [::]:443 ssl%s default_server ipv6only=on backlog=8192;' "$indent" "$http2"
    printf '\n%sssl_certificate %s;' "$indent" "$LAB_DIR/tls/cert.pem"
    printf '\n%sssl_certificate_key %s;' "$indent" "$LAB_DIR/tls/key.pem"
    # nginx 1.22 leaves TLS 1.3 out of its default protocol list.
    printf '\n%sssl_protocols TLSv1.2 TLSv1.3;' "$indent"
}

write_nginx_config() {
    local ns=$1
    local dir="$LAB_DIR/$ns"
    local tls_lines
    tls_lines=$(tls_server_lines "$ns")
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
        listen [::]:80 default_server ipv6only=on backlog=8192;$tls_lines
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
# (and 443 on TLS servers) for both families.
wait_for_nginx() {
    local ns attempt listeners wanted
    for ns in $SERVER_NAMESPACES; do
        wanted=2
        case " $TLS_NAMESPACES " in *" $ns "* ) wanted=4 ;; esac
        for attempt in $(seq 1 50); do
            listeners=$(run_in_namespace "$ns" ss -Hltn '( sport = :80 or sport = :443 )' | wc -l)
            if [ -s "$LAB_DIR/$ns/nginx.pid" ] && [ "$listeners" -ge "$wanted" ]; then
                break
            fi
            [ "$attempt" -lt 50 ] || die "nginx in $ns did not start; see $LAB_DIR/$ns/error.log"
            sleep 0.1
        done
    done
}

# Writes the lab.example zone: every class name resolves to address .10
# of its own block, and a few extra names (several addresses, one family
# only) point into the clean class for dnsresolv tests. Any other name is
# NXDOMAIN.
write_zone() {
    local file=$1
    {
        echo "\$ORIGIN lab.example."
        echo "\$TTL 60"
        echo "@ SOA ns hostmaster 1 3600 600 86400 60"
        echo "@ NS ns"
        echo "ns A $(class_address_v4 60 53)"
        echo "ns AAAA $(class_address_v6 60 53)"
        echo "multi A $(class_address_v4 1 21)"
        echo "multi A $(class_address_v4 1 22)"
        echo "multi AAAA $(class_address_v6 1 21)"
        echo "multi AAAA $(class_address_v6 1 22)"
        echo "v4only A $(class_address_v4 1 23)"
        echo "v6only AAAA $(class_address_v6 1 23)"
        echo "$TARGET_CLASSES" | while read -r number name ns; do
            [ -n "$number" ] || continue
            echo "$name A $(class_address_v4 "$number" 10)"
            echo "$name AAAA $(class_address_v6 "$number" 10)"
        done
    } >"$file"
}

# Writes knot's configuration. knot listens on the wildcard addresses, so
# it serves every address of the blocks routed to its namespace (AnyIP).
write_knot_config() {
    local dir=$1
    cat >"$dir/knot.conf" <<KNOT
# Generated by tests/lab/lab.sh.
server:
    rundir: $dir
    pidfile: $dir/knot.pid
    listen: [ 0.0.0.0@53, ::@53 ]
    udp-workers: 2
    tcp-workers: 2

log:
  - target: $dir/knot.log
    any: info

database:
    storage: $dir/db

control:
    listen: $dir/knot.sock

zone:
  - domain: lab.example
    storage: $dir
    file: lab.example.zone
    zonefile-sync: -1
    journal-content: none
KNOT
}

start_knot() {
    local ns=$1
    local dir="$LAB_DIR/$ns/knot"
    mkdir -p "$dir/db"
    write_zone "$dir/lab.example.zone"
    write_knot_config "$dir"
    run_in_namespace "$ns" knotd -d -c "$dir/knot.conf"
}

# Waits until knot has loaded the zone and listens on port 53 (UDP and TCP,
# both families).
wait_for_knot() {
    local ns=$1 attempt listeners
    local dir="$LAB_DIR/$ns/knot"
    for attempt in $(seq 1 50); do
        listeners=$(run_in_namespace "$ns" ss -Hlntu 'sport = :53' | wc -l)
        if [ "$listeners" -ge 4 ] && run_in_namespace "$ns" knotc -c "$dir/knot.conf" zone-status lab.example 2>/dev/null | grep -q 'serial: 1'; then
            return 0
        fi
        sleep 0.1
    done
    die "knot in $ns did not start; see $dir/knot.log"
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
    local ns
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
    make_tls_certificate
    for ns in $SERVER_NAMESPACES; do
        start_nginx "$ns"
    done
    wait_for_nginx
    start_knot "$NS_SRV_DNS"
    wait_for_knot "$NS_SRV_DNS"
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
        run_in_namespace "$NS_ROUTER" nft list table inet "$NFT_TABLE" 2>/dev/null | grep -E 'counter packets [1-9]' || echo "(no rule has matched yet)"
    fi
    echo "--- target classes (number name server) ---"
    echo "$TARGET_CLASSES" | awk 'NF { printf "%-3s %-16s %-15s 198.18.%s.0/24 2001:db8:100:%s::/64\n", $1, $2, $3, $1, $1 }'
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
