#!/bin/bash
# Sanity check of the lab itself, independent of pathprobe. Brings the lab
# up and checks one IPv4 and one IPv6 address per target class: the
# baseline A and each experiment B must connect or fail as the expected
# files imply. The checks use curl, and Python where curl cannot set the
# TOS, for DNS queries and for packets with the evil bit or without a UDP
# checksum. Always tears the lab down.
#
# Usage: selfcheck.sh [--conditions] [PLUGIN...]   (as root)
#   PLUGIN        ecn, dscp, mss, tcpopt, h2, ecn.dns, dscp.dns, evilbit,
#                 udpzero or tfo (default: all of them); PLUGIN.VARIANT
#                 stands for expected-PLUGIN.VARIANT.json
#   --conditions  also runs observe.py (ecn) or observe-plugins.py on the
#                 same addresses and compares the full condition lists
#                 (every connect mode) with the expected file. Only ecn,
#                 dscp, mss, tcpopt and h2 have such an observer.
# PP_LAB_PREFIX selects the lab (default pp), as for lab.sh.
set -eu

SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
LAB=$SCRIPT_DIR/lab.sh
OBSERVE=$SCRIPT_DIR/observe.py
OBSERVE_PLUGINS=$SCRIPT_DIR/observe-plugins.py
CLIENT_NS=${PP_LAB_PREFIX:-pp}-client
TIMEOUT_SECONDS=2
ALL_PLUGINS="ecn dscp mss tcpopt h2 ecn.dns dscp.dns evilbit udpzero tfo"
# Plugins that observe.py or observe-plugins.py can observe.
OBSERVED_PLUGINS="ecn dscp mss tcpopt h2"

passed=0
failed=0

cleanup() {
    "$LAB" down || echo "lab-selfcheck: lab.sh down failed; run it by hand" >&2
}

report() {
    local status=$1
    shift
    if [ "$status" = ok ]; then
        passed=$((passed + 1))
        echo "ok   $*"
    else
        failed=$((failed + 1))
        echo "FAIL $*"
    fi
}

in_client() {
    ip netns exec "$CLIENT_NS" "$@"
}

expected_file() {
    case $1 in
        ecn ) echo "$SCRIPT_DIR/expected.json" ;;
        * ) echo "$SCRIPT_DIR/expected-$1.json" ;;
    esac
}

# Prints "name number connectivity..." per class, the connectivity
# conditions being those of the class's first connect mode in the file.
read_expected_classes() {
    python3 - "$1" <<'PY'
import json
import sys

with open(sys.argv[1]) as f:
    classes = json.load(f)["classes"]
for name, entry in classes.items():
    mode = next(key for key, value in entry.items() if isinstance(value, list))
    connectivity = [c for c in entry[mode] if ".connectivity." in c]
    print(name, entry["number"], " ".join(connectivity))
PY
}

# Prints the connect modes of a plugin's expected file.
read_expected_modes() {
    python3 - "$1" <<'PY'
import json
import sys

with open(sys.argv[1]) as f:
    classes = json.load(f)["classes"]
entry = next(iter(classes.values()))
print(" ".join(key for key, value in entry.items() if isinstance(value, list)))
PY
}

url_for() {
    local scheme=$1 address=$2
    case $address in
        *:* ) echo "$scheme://[$address]/" ;;
        * ) echo "$scheme://$address/" ;;
    esac
}

# Prints "connects VERSION" when curl gets a 200 within the timeout, else
# "fails". Further arguments go to curl.
probe_curl() {
    local url=$1 domain=$2 result
    shift 2
    result=$(in_client curl --max-time "$TIMEOUT_SECONDS" -s -k -o /dev/null \
        -w '%{http_code} %{http_version}' -H "Host: $domain" "$@" "$url" || true)
    case $result in
        "200 "* ) echo "connects ${result#200 }" ;;
        * ) echo fails ;;
    esac
}

# Prints "connects" when an HTTP/1.1 GET on a socket with the given
# IP_TOS / IPV6_TCLASS byte gets a 200 within the timeout, else "fails".
# curl 7.88 has no option to set the TOS.
probe_http_tos() {
    local address=$1 domain=$2 tos=$3
    in_client python3 - "$address" "$domain" "$tos" "$TIMEOUT_SECONDS" <<'PY'
import socket
import sys

address, domain, tos, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
family = socket.AF_INET6 if ":" in address else socket.AF_INET
sock = socket.socket(family, socket.SOCK_STREAM)
sock.settimeout(timeout)
if family == socket.AF_INET6:
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, tos)
else:
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, tos)
response = b""
try:
    sock.connect((address, 80))
    sock.sendall(f"GET / HTTP/1.1\r\nHost: {domain}\r\nConnection: close\r\n\r\n".encode())
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            break
        response += chunk
except OSError:
    pass
print("connects" if response.startswith(b"HTTP/1.1 200 ") else "fails")
PY
}

# Prints "connects" when a DNS query (type A) over udp or tcp, sent with
# the given TOS byte, gets any response within the timeout, else "fails".
probe_dns() {
    local address=$1 domain=$2 proto=$3 tos=$4
    in_client python3 - "$address" "$domain" "$proto" "$tos" "$TIMEOUT_SECONDS" <<'PY'
import socket
import struct
import sys

address, domain, proto, tos, timeout = sys.argv[1:4] + [int(sys.argv[4]), float(sys.argv[5])]
family = socket.AF_INET6 if ":" in address else socket.AF_INET
query = struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
for label in domain.split("."):
    query += bytes([len(label)]) + label.encode()
query += b"\0" + struct.pack("!HH", 1, 1)
sock = socket.socket(family, socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM)
sock.settimeout(timeout)
if family == socket.AF_INET6:
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, tos)
else:
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, tos)
answer = b""
try:
    sock.connect((address, 53))
    if proto == "udp":
        sock.send(query)
        answer = sock.recv(4096)
    else:
        sock.sendall(struct.pack("!H", len(query)) + query)
        answer = sock.recv(4096)[2:]
except OSError:
    pass
# A response echoes the ID and has the QR bit.
print("connects" if answer[:2] == b"\x12\x34" and len(answer) >= 12 and answer[2] & 0x80 else "fails")
PY
}

# Prints "connects" when a hand-made IPv4 packet gets its answer within
# the timeout, else "fails": a SYN to port 80 (tcpsyn) answered by a
# SYN-ACK, or a DNS query to port 53 (dnsudp) answered by a response.
# VARIANT plain is a normal packet, evil sets the reserved IPv4 flag
# (RFC 3514), zero sends the UDP checksum as 0. A socket bound to the
# source port keeps the port reserved meanwhile, as pathprobe does.
probe_forged() {
    local address=$1 domain=$2 kind=$3 variant=$4
    in_client python3 - "$address" "$domain" "$kind" "$variant" "$TIMEOUT_SECONDS" <<'PY'
import os
import socket
import struct
import sys
import time

address, domain, kind, variant, timeout = sys.argv[1:5] + [float(sys.argv[5])]


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


route = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
route.connect((address, 53))
source = route.getsockname()[0]
route.close()
src, dst = socket.inet_aton(source), socket.inet_aton(address)
udp = kind == "dnsudp"
hold = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if udp else socket.SOCK_STREAM)
hold.bind((source, 0))
sport = hold.getsockname()[1]
if udp:
    payload = struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
    for label in domain.split("."):
        payload += bytes([len(label)]) + label.encode()
    payload += b"\0" + struct.pack("!HH", 1, 1)
    segment = struct.pack("!HHHH", sport, 53, 8 + len(payload), 0) + payload
    if variant != "zero":
        pseudo = src + dst + struct.pack("!BBH", 0, 17, len(segment))
        segment = segment[:6] + struct.pack("!H", checksum(pseudo + segment) or 0xFFFF) + segment[8:]
else:
    segment = struct.pack("!HHIIBBHHH", sport, 80, int.from_bytes(os.urandom(4), "big"), 0, 5 << 4, 0x02, 64240, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(segment))
    segment = segment[:16] + struct.pack("!H", checksum(pseudo + segment)) + segment[18:]
flags = 0x4000 | (0x8000 if variant == "evil" else 0)
header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(segment), 0, flags, 64,
                     17 if udp else 6, 0, src, dst)
header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
listener = None if udp else socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
sender = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
sender.sendto(header + segment, (address, 0))
deadline = time.monotonic() + timeout
answered = False
while not answered and time.monotonic() < deadline:
    sock = hold if udp else listener
    sock.settimeout(max(deadline - time.monotonic(), 0.01))
    try:
        data, peer = sock.recvfrom(65535)
    except OSError:
        break
    if udp:
        answered = data[:2] == b"\x12\x34" and len(data) >= 12 and bool(data[2] & 0x80)
    elif peer[0] == address:
        tcp = data[(data[0] & 0x0F) * 4:]
        ports = struct.unpack("!HH", tcp[:4])
        answered = ports == (80, sport) and tcp[13] & 0x12 == 0x12
print("connects" if answered else "fails")
PY
}

# Prints the connectivity value (works, broken, ...) of a class's list for
# MODE in an expected file, the "ipv6" list for IPv6 addresses where there
# is one, or nothing when the list has none.
expected_connectivity() {
    python3 - "$@" <<'PY'
import json
import sys

path, name, mode, address = sys.argv[1:5]
with open(path) as f:
    entry = json.load(f)["classes"][name]
conditions = entry.get("ipv6", {}).get(mode, entry[mode]) if ":" in address else entry[mode]
print(" ".join(c.rsplit(".", 1)[1] for c in conditions if ".connectivity." in c))
PY
}

# Prints "yes" when a class's list for MODE contains CONDITION, else "no".
expected_has() {
    python3 - "$@" <<'PY'
import json
import sys

path, name, mode, condition = sys.argv[1:5]
with open(path) as f:
    print("yes" if condition in json.load(f)["classes"][name][mode] else "no")
PY
}

# Prints the outcomes of A and B that a connectivity value implies.
outcomes_for() {
    case $1 in
        works | online ) echo "connects connects" ;;
        broken ) echo "connects fails" ;;
        transient ) echo "fails connects" ;;
        offline ) echo "fails fails" ;;
        * ) echo "unknown unknown" ;;
    esac
}

compare_outcome() {
    local what=$1 expected=$2 got=$3
    if [ "$got" = "$expected" ]; then
        report ok "$what $got"
    else
        report FAIL "$what: expected $expected, got $got"
    fi
}

# ------------------------------------------------------------ per plugin ---

check_ecn() {
    local name=$1 address=$2 connectivity=$3 expected url
    expected=$(outcomes_for "${connectivity##*.}")
    url=$(url_for http "$address")
    in_client sysctl -qw net.ipv4.tcp_ecn=2
    compare_outcome "$name $address A (tcp_ecn=2)" "${expected% *}" "$(probe_curl "$url" "$name.lab.example" | cut -d' ' -f1)"
    in_client sysctl -qw net.ipv4.tcp_ecn=1
    compare_outcome "$name $address B (tcp_ecn=1)" "${expected#* }" "$(probe_curl "$url" "$name.lab.example" | cut -d' ' -f1)"
    in_client sysctl -qw net.ipv4.tcp_ecn=2
}

check_dscp() {
    local name=$1 address=$2 connectivity=$3 expected
    expected=$(outcomes_for "${connectivity##*.}")
    compare_outcome "$name $address A (dscp 0)" "${expected% *}" "$(probe_http_tos "$address" "$name.lab.example" 0)"
    # DSCP 48 is the TOS byte 48 << 2 = 192.
    compare_outcome "$name $address B (dscp 48)" "${expected#* }" "$(probe_http_tos "$address" "$name.lab.example" 192)"
}

check_mss() {
    local name=$1 address=$2 connectivity=$3 expected
    expected=$(outcomes_for "${connectivity##*.}")
    compare_outcome "$name $address A" "${expected% *}" \
        "$(probe_curl "$(url_for http "$address")" "$name.lab.example" | cut -d' ' -f1)"
}

set_tcp_options() {
    in_client sysctl -qw "net.ipv4.tcp_timestamps=$1" "net.ipv4.tcp_window_scaling=$2" "net.ipv4.tcp_sack=$3"
}

# Checks A (no options) and each B (one option) against the class's
# tsopt, wsopt and sack connectivity. A is the same connection for all
# three, so its expectation comes from the first. Sysctls are restored.
check_tcpopt() {
    local name=$1 address=$2
    shift 2
    local saved url condition option expected settings
    saved=$(in_client sysctl -n net.ipv4.tcp_timestamps net.ipv4.tcp_window_scaling net.ipv4.tcp_sack | tr '\n' ' ')
    url=$(url_for http "$address")
    set_tcp_options 0 0 0
    expected=$(outcomes_for "${1##*.}")
    compare_outcome "$name $address A (no options)" "${expected% *}" \
        "$(probe_curl "$url" "$name.lab.example" | cut -d' ' -f1)"
    for condition in "$@"; do
        option=${condition%%.*}
        expected=$(outcomes_for "${condition##*.}")
        case $option in
            tsopt ) settings="1 0 0" ;;
            wsopt ) settings="0 1 0" ;;
            sack ) settings="0 0 1" ;;
            * ) report FAIL "$name: unknown option in '$condition'"; continue ;;
        esac
        # shellcheck disable=SC2086 # three values, split on purpose
        set_tcp_options $settings
        compare_outcome "$name $address B ($option only)" "${expected#* }" \
            "$(probe_curl "$url" "$name.lab.example" | cut -d' ' -f1)"
    done
    # shellcheck disable=SC2086 # three values, split on purpose
    set_tcp_options $saved
}

# Checks A (HTTP/1.1) and B (HTTP/2) over http and https, and the HTTP
# version B got against the https and http expectations.
check_h2() {
    local name=$1 address=$2 connectivity=$3 expected scheme url upgrade got_b
    local file
    file=$(expected_file h2)
    expected=$(outcomes_for "${connectivity##*.}")
    for scheme in http https; do
        url=$(url_for "$scheme" "$address")
        compare_outcome "$name $address $scheme A (HTTP/1.1)" "${expected% *}" \
            "$(probe_curl "$url" "$name.lab.example" --http1.1 | cut -d' ' -f1)"
        upgrade=$(python3 -c 'import json, sys; print(" ".join(c for c in json.load(open(sys.argv[1]))["classes"][sys.argv[2]][sys.argv[3]] if ".upgrade." in c))' \
            "$file" "$name" "$scheme")
        got_b=$(probe_curl "$url" "$name.lab.example" --http2)
        case $upgrade in
            h2.upgrade.success ) compare_outcome "$name $address $scheme B (HTTP/2)" "connects 2" "$got_b" ;;
            h2.upgrade.failed ) compare_outcome "$name $address $scheme B (HTTP/2)" "connects 1.1" "$got_b" ;;
            * ) compare_outcome "$name $address $scheme B (HTTP/2)" "${expected#* }" "${got_b%% *}" ;;
        esac
    done
}

# Checks ecn over DNS/TCP: A with tcp_ecn=2, B with tcp_ecn=1, one query each.
check_ecn_dns() {
    local name=$1 address=$2 file mode expected
    file=$(expected_file ecn.dns)
    for mode in $(read_expected_modes "$file"); do
        expected=$(outcomes_for "$(expected_connectivity "$file" "$name" "$mode" "$address")")
        in_client sysctl -qw net.ipv4.tcp_ecn=2
        compare_outcome "$name $address $mode A (tcp_ecn=2)" "${expected% *}" "$(probe_dns "$address" "$name.lab.example" tcp 0)"
        in_client sysctl -qw net.ipv4.tcp_ecn=1
        compare_outcome "$name $address $mode B (tcp_ecn=1)" "${expected#* }" "$(probe_dns "$address" "$name.lab.example" tcp 0)"
        in_client sysctl -qw net.ipv4.tcp_ecn=2
    done
}

# Checks dscp over DNS: per mode, A unmarked and B with DSCP 48 (TOS byte 192).
check_dscp_dns() {
    local name=$1 address=$2 file mode expected
    file=$(expected_file dscp.dns)
    for mode in $(read_expected_modes "$file"); do
        expected=$(outcomes_for "$(expected_connectivity "$file" "$name" "$mode" "$address")")
        compare_outcome "$name $address $mode A (dscp 0)" "${expected% *}" "$(probe_dns "$address" "$name.lab.example" "${mode#dns}" 0)"
        compare_outcome "$name $address $mode B (dscp 48)" "${expected#* }" "$(probe_dns "$address" "$name.lab.example" "${mode#dns}" 192)"
    done
}

# Checks a forged plugin on IPv4 addresses only, because pathprobe forges
# IPv4 packets only and expects no conditions for IPv6 targets.
check_forged() {
    local plugin=$1 variant=$2 name=$3 address=$4 file mode expected
    case $address in *:* ) return 0 ;; esac
    file=$(expected_file "$plugin")
    for mode in $(read_expected_modes "$file"); do
        expected=$(outcomes_for "$(expected_connectivity "$file" "$name" "$mode" "$address")")
        compare_outcome "$name $address $mode A (plain)" "${expected% *}" "$(probe_forged "$address" "$name.lab.example" "$mode" plain)"
        compare_outcome "$name $address $mode B ($variant)" "${expected#* }" "$(probe_forged "$address" "$name.lab.example" "$mode" "$variant")"
    done
}

check_evilbit() {
    check_forged evilbit evil "$1" "$2"
}

check_udpzero() {
    check_forged udpzero zero "$1" "$2"
}

# Prints the client's counters of SYN data acknowledged and not
# acknowledged (absolute, so nstat's history file stays out of it).
fastopen_counters() {
    in_client nstat -asz TcpExtTCPFastOpenActive TcpExtTCPFastOpenActiveFail |
        awk '$1 == "TcpExtTCPFastOpenActive" { a = $2 } $1 == "TcpExtTCPFastOpenActiveFail" { f = $2 } END { print a + 0, f + 0 }'
}

# Checks tfo: A plain, then B1 and B2 with curl --tcp-fastopen. The
# client's cookie cache (tcp_metrics) for the address is emptied first, so
# B1 requests a cookie, and is read after B1. The kernel's counters show
# whether B2's SYN-ACK acknowledged its data (neither moves without data).
check_tfo() {
    local name=$1 address=$2 file expected url cookie want before after syndata state
    file=$(expected_file tfo)
    expected=$(outcomes_for "$(expected_connectivity "$file" "$name" http "$address")")
    url=$(url_for http "$address")
    in_client ip tcp_metrics delete address "$address" 2>/dev/null || true
    compare_outcome "$name $address A (plain)" "${expected% *}" "$(probe_curl "$url" "$name.lab.example" | cut -d' ' -f1)"
    probe_curl "$url" "$name.lab.example" --tcp-fastopen >/dev/null
    cookie=no
    in_client ip tcp_metrics show address "$address" 2>/dev/null | grep -q fo_cookie && cookie=yes
    want=$(expected_has "$file" "$name" http tfo.cookie.received)
    compare_outcome "$name $address B1 (cookie received)" "$want" "$cookie"
    before=$(fastopen_counters)
    compare_outcome "$name $address B2 (data on SYN)" "${expected#* }" \
        "$(probe_curl "$url" "$name.lab.example" --tcp-fastopen | cut -d' ' -f1)"
    after=$(fastopen_counters)
    syndata=failed
    [ "${after% *}" -gt "${before% *}" ] && syndata=acked
    [ "${after#* }" -gt "${before#* }" ] && syndata=not_acked
    want=failed
    for state in acked not_acked; do
        [ "$(expected_has "$file" "$name" http "tfo.syndata.$state")" = yes ] && want=$state
    done
    compare_outcome "$name $address B2 SYN data" "$want" "$syndata"
}

check_conditions() {
    local plugin=$1 name=$2 address=$3 file mode expected observed
    case " $OBSERVED_PLUGINS " in
        *" $plugin "* ) ;;
        * ) return 0 ;;
    esac
    file=$(expected_file "$plugin")
    for mode in $(read_expected_modes "$file"); do
        expected=$(python3 - "$file" "$name" "$mode" "$address" <<'PY'
import json
import sys

path, name, mode, address = sys.argv[1:5]
with open(path) as f:
    entry = json.load(f)["classes"][name]
if ":" in address and mode in entry.get("ipv6", {}):
    print(json.dumps(entry["ipv6"][mode]))
else:
    print(json.dumps(entry[mode]))
PY
)
        if [ "$plugin" = ecn ]; then
            observed=$(in_client python3 "$OBSERVE" --json --mode "$mode" \
                --timeout "$TIMEOUT_SECONDS" --domain "$name.lab.example" "$address" || echo '"observe.py failed"')
        else
            observed=$(in_client python3 "$OBSERVE_PLUGINS" "$plugin" --json --mode "$mode" \
                --timeout "$TIMEOUT_SECONDS" --domain "$name.lab.example" "$address" || echo '"observe-plugins.py failed"')
        fi
        if [ "$observed" = "$expected" ]; then
            report ok "$name $address conditions ($mode)"
        else
            report FAIL "$name $address conditions ($mode): expected $expected, observed $observed"
        fi
    done
}

check_plugin() {
    local plugin=$1 with_conditions=$2
    local name number connectivity address
    while read -r name number connectivity; do
        for address in "198.18.$number.10" "2001:db8:100:$number::10"; do
            # connectivity is one condition, or three for tcpopt.
            # shellcheck disable=SC2086
            "check_${plugin//./_}" "$name" "$address" $connectivity
            if [ "$with_conditions" = yes ]; then
                check_conditions "$plugin" "$name" "$address"
            fi
        done
    done < <(read_expected_classes "$(expected_file "$plugin")")
}

main() {
    local with_conditions=no plugins="" plugin
    while [ $# -gt 0 ]; do
        case $1 in
            --conditions ) with_conditions=yes ;;
            ecn | dscp | mss | tcpopt | h2 | ecn.dns | dscp.dns | evilbit | udpzero | tfo ) plugins="$plugins $1" ;;
            * ) echo "usage: $0 [--conditions] [ecn|dscp|mss|tcpopt|h2|ecn.dns|dscp.dns|evilbit|udpzero|tfo]..." >&2; exit 2 ;;
        esac
        shift
    done
    plugins=${plugins:-$ALL_PLUGINS}
    [ "$(id -u)" = 0 ] || { echo "lab-selfcheck: must run as root" >&2; exit 1; }

    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    "$LAB" up
    # pathprobe turns SYN fallback off during its run, and expected.json
    # assumes that. With the default 1, synecn-drop would connect on the retry.
    in_client sysctl -qw net.ipv4.tcp_ecn_fallback=0

    for plugin in $plugins; do
        check_plugin "$plugin" "$with_conditions"
    done

    echo "lab-selfcheck: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

main "$@"
