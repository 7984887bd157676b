#!/bin/bash
# Lab test of `pathprobe measure ecn`: brings the lab up, measures every lab
# target over HTTP and over plain TCP, compares each record's conditions
# with expected.json, checks that net.ipv4.tcp_ecn is restored after a
# normal run and after SIGINT, and that an interrupted run leaves whole
# records only.  Always tears the lab down.  Ends with "N passed, N failed".
set -u

PATHPROBE=$(realpath "${1:-./pathprobe}")
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/pathprobe-labtest.XXXXXX)
. "$HERE/testlib.sh"

sysctls() { in_client sysctl -n net.ipv4.tcp_ecn net.ipv4.tcp_ecn_fallback | tr '\n' ' '; }

if ! "$HERE/lab.sh" up >"$WORK/lab-up.log" 2>&1; then
	cat "$WORK/lab-up.log"
	result "lab comes up" 1
	echo "lab: $passed passed, $failed failed"
	exit 1
fi

before=$(sysctls)
for mode in http tcp; do
	# PP_CAPTURE_DIR keeps what the observer metered, e.g. as fuzz seeds.
	keep=()
	[ -z "${PP_CAPTURE_DIR:-}" ] ||
		keep=(--write-pcap "$PP_CAPTURE_DIR/lab-ecn-$mode.pcap")
	in_client "$PATHPROBE" measure -w 4 "${keep[@]}" \
		--input "$HERE/targets.ndjson" --output "$WORK/$mode.json" \
		ecn --connect "$mode" --timeout 2 2>"$WORK/$mode.log"
	status=$?
	result "measure ecn --connect $mode exits 0" $status \
		"$(tail -n 3 "$WORK/$mode.log")"
	"$HERE/check-records.py" "$WORK/$mode.json" "$HERE/targets.ndjson" \
		"$HERE/expected.json" "$mode" "lab-ecn-$mode" >"$WORK/$mode.check"
	grep -v '^ok ' "$WORK/$mode.check"
	add_counts "$WORK/$mode.check"
	after=$(sysctls)
	[ "$after" = "$before" ]
	result "sysctls restored after --connect $mode" $? \
		"before: $before after: $after"
done

# The desynchronised mode switches ECN per target with a host route and
# must give the same conditions as the host-wide switch.
in_client "$PATHPROBE" measure -w 4 --input "$HERE/targets.ndjson" \
	--output "$WORK/desync.json" ecn --desync --timeout 2 \
	2>"$WORK/desync.log"
result "measure ecn --desync exits 0" $? "$(tail -n 3 "$WORK/desync.log")"
"$HERE/check-records.py" "$WORK/desync.json" "$HERE/targets.ndjson" \
	"$HERE/expected.json" http "lab-ecn-desync" >"$WORK/desync.check"
grep -v '^ok ' "$WORK/desync.check"
add_counts "$WORK/desync.check"
routes=$(ip -n "$CLIENT" route show proto 0xf3; ip -n "$CLIENT" -6 route show proto 0xf3)
[ -z "$routes" ]
result "no ECN routes left after --desync" $? "$routes"
after=$(sysctls)
[ "$after" = "$before" ]
result "sysctls restored after --desync" $? "before: $before after: $after"

# Interrupt a run with SIGINT while connections are in flight: the
# sysctls come back and the output holds only whole records.
for i in $(seq 1 200); do
	printf '{"dip":"198.18.9.%d","lab_class":"offline"}\n' "$i"
	printf '{"dip":"198.18.1.%d","lab_class":"clean"}\n' "$i"
done >"$WORK/many.ndjson"
# Started directly, not through a shell function, so that $! is pathprobe.
ip netns exec "$CLIENT" "$PATHPROBE" measure --input "$WORK/many.ndjson" \
	--output "$WORK/sigint.json" --max-in-flight 50 ecn --timeout 2 \
	2>"$WORK/sigint.log" &
pid=$!
# Poll (at most 10 s) until the first records are out, so the signal
# lands while later batches are in flight.
for _ in $(seq 1 100); do
	[ -s "$WORK/sigint.json" ] && break
	sleep 0.1
done
kill -INT "$pid"
wait "$pid"
status=$?
result "SIGINT ends the run with status 130" $([ $status -eq 130 ]; echo $?) \
	"status $status"
after=$(sysctls)
[ "$after" = "$before" ]
result "sysctls restored after SIGINT" $? "before: $before after: $after"
python3 -c '
import json, sys
n = 0
with open(sys.argv[1], "rb") as f:
    data = f.read()
if data and not data.endswith(b"\n"):
    sys.exit("last line is cut")
for line in data.splitlines():
    json.loads(line)
    n += 1
if n == 0 or n >= 400:
    sys.exit("%d records: the run was not interrupted mid-way" % n)
' "$WORK/sigint.json"
result "interrupted output holds whole records" $?

echo "lab: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
