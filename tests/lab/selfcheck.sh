#!/bin/bash
# Sanity check of the lab itself, independent of pathprobe. Brings the lab
# up and checks one IPv4 and one IPv6 address per target class: the
# baseline A and each experiment B must connect or fail as the expected
# files imply. The checks use curl, and Python where curl cannot set the
# TOS. Always tears the lab down.
#
# Usage: selfcheck.sh [--conditions] [PLUGIN...]   (as root)
#   PLUGIN        ecn, dscp, mss, tcpopt or h2 (default: all of them)
#   --conditions  also runs observe.py (ecn) or observe-plugins.py on the
#                 same addresses and compares the full condition lists
#                 (every connect mode) with the expected file.
# PP_LAB_PREFIX selects the lab (default pp), as for lab.sh.
set -eu

SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
LAB=$SCRIPT_DIR/lab.sh
OBSERVE=$SCRIPT_DIR/observe.py
OBSERVE_PLUGINS=$SCRIPT_DIR/observe-plugins.py
CLIENT_NS=${PP_LAB_PREFIX:-pp}-client
TIMEOUT_SECONDS=2
ALL_PLUGINS="ecn dscp mss tcpopt h2"

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

check_conditions() {
    local plugin=$1 name=$2 address=$3 file mode expected observed
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
            "check_$plugin" "$name" "$address" $connectivity
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
            ecn | dscp | mss | tcpopt | h2 ) plugins="$plugins $1" ;;
            * ) echo "usage: $0 [--conditions] [ecn|dscp|mss|tcpopt|h2]..." >&2; exit 2 ;;
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
