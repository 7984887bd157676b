#!/bin/bash
# Sanity check of the lab itself, independent of pathprobe: brings the lab
# up, then checks with curl that one IPv4 and one IPv6 address per target
# class connects or fails for the baseline A (tcp_ecn=2) and the experiment
# B (tcp_ecn=1) as expected.json implies. Always tears the lab down.
#
# Usage: selfcheck.sh [--conditions]   (as root)
#   --conditions  also runs observe.py on the same addresses and compares
#                 the full condition lists (http and tcp) with expected.json.
set -eu

SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
LAB=$SCRIPT_DIR/lab.sh
EXPECTED=$SCRIPT_DIR/expected.json
OBSERVE=$SCRIPT_DIR/observe.py
CLIENT_NS=pp-client
TIMEOUT_SECONDS=2

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

# Prints "name number connectivity" per class, connectivity being the
# ecn.connectivity.* value of the http expectation.
read_expected_classes() {
    python3 - "$EXPECTED" <<'PY'
import json
import sys

with open(sys.argv[1]) as f:
    classes = json.load(f)["classes"]
for name, entry in classes.items():
    connectivity = [c for c in entry["http"] if c.startswith("ecn.connectivity.")]
    print(name, entry["number"], connectivity[0].rsplit(".", 1)[1])
PY
}

# Prints "connects" when curl gets a 200 within the timeout, else "fails".
probe_http() {
    local address=$1 domain=$2 tcp_ecn=$3 url code
    case $address in
        *:* ) url="http://[$address]/" ;;
        * ) url="http://$address/" ;;
    esac
    ip netns exec "$CLIENT_NS" sysctl -qw "net.ipv4.tcp_ecn=$tcp_ecn"
    code=$(ip netns exec "$CLIENT_NS" curl --max-time "$TIMEOUT_SECONDS" -s -o /dev/null \
        -w '%{http_code}' -H "Host: $domain" "$url" || true)
    if [ "$code" = 200 ]; then
        echo connects
    else
        echo fails
    fi
}

check_connectivity() {
    local name=$1 address=$2 connectivity=$3
    local expect_a expect_b got_a got_b

    case $connectivity in
        works ) expect_a=connects expect_b=connects ;;
        broken ) expect_a=connects expect_b=fails ;;
        transient ) expect_a=fails expect_b=connects ;;
        offline ) expect_a=fails expect_b=fails ;;
        * ) report FAIL "$name: unknown connectivity '$connectivity' in expected.json"; return ;;
    esac

    got_a=$(probe_http "$address" "$name.lab.example" 2)
    got_b=$(probe_http "$address" "$name.lab.example" 1)
    if [ "$got_a" = "$expect_a" ]; then
        report ok "$name $address A (tcp_ecn=2) $got_a"
    else
        report FAIL "$name $address A (tcp_ecn=2): expected $expect_a, got $got_a"
    fi
    if [ "$got_b" = "$expect_b" ]; then
        report ok "$name $address B (tcp_ecn=1) $got_b"
    else
        report FAIL "$name $address B (tcp_ecn=1): expected $expect_b, got $got_b"
    fi
}

check_conditions() {
    local name=$1 address=$2 mode expected observed
    for mode in http tcp; do
        expected=$(python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))["classes"][sys.argv[2]][sys.argv[3]]))' \
            "$EXPECTED" "$name" "$mode")
        observed=$(ip netns exec "$CLIENT_NS" python3 "$OBSERVE" --json --mode "$mode" \
            --timeout "$TIMEOUT_SECONDS" --domain "$name.lab.example" "$address" || echo '"observe.py failed"')
        if [ "$observed" = "$expected" ]; then
            report ok "$name $address conditions ($mode)"
        else
            report FAIL "$name $address conditions ($mode): expected $expected, observed $observed"
        fi
    done
}

main() {
    local with_conditions=no
    case ${1:-} in
        '' ) ;;
        --conditions ) with_conditions=yes ;;
        * ) echo "usage: $0 [--conditions]" >&2; exit 2 ;;
    esac
    [ "$(id -u)" = 0 ] || { echo "lab-selfcheck: must run as root" >&2; exit 1; }

    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    "$LAB" up
    # pathprobe turns SYN fallback off during its run, and expected.json
    # assumes that. With the default 1, synecn-drop would connect on the retry.
    ip netns exec "$CLIENT_NS" sysctl -qw net.ipv4.tcp_ecn_fallback=0

    local name number connectivity address
    while read -r name number connectivity; do
        for address in "198.18.$number.10" "2001:db8:100:$number::10"; do
            check_connectivity "$name" "$address" "$connectivity"
            if [ "$with_conditions" = yes ]; then
                check_conditions "$name" "$address"
            fi
        done
    done < <(read_expected_classes)

    echo "lab-selfcheck: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

main "$@"
