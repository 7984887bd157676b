#!/bin/bash
# Lab test of every plugin that has lab classes: for each
# tests/lab/expected-PLUGIN[.VARIANT].json, measures the matching
# targets-PLUGIN[.VARIANT].ndjson in every connect mode the file gives and
# compares each record's conditions.  Always tears the lab down.  Ends
# with "N passed, N failed".
set -u

PATHPROBE=$(realpath "${1:-./pathprobe}")
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/pathprobe-labplugins.XXXXXX)
. "$HERE/testlib.sh"

shopt -s nullglob
expected_files=("$HERE"/expected-*.json)
if [ ${#expected_files[@]} -eq 0 ]; then
	echo "lab-plugins: 0 passed, 0 failed"
	exit 0
fi

if ! "$HERE/lab.sh" up >"$WORK/lab-up.log" 2>&1; then
	cat "$WORK/lab-up.log"
	echo "FAIL lab comes up"
	echo "lab-plugins: 0 passed, 1 failed"
	exit 1
fi

for expected in "${expected_files[@]}"; do
	# expected-PLUGIN[.VARIANT].json goes with targets-PLUGIN[.VARIANT].ndjson
	name=$(basename "$expected" .json)
	name=${name#expected-}
	plugin=${name%%.*}
	targets=$HERE/targets-$name.ndjson
	modes=$(python3 -c '
import json, sys
classes = json.load(open(sys.argv[1]))["classes"]
modes = {"tcp", "http", "https", "dnsudp", "dnstcp", "tcpsyn"}
print(" ".join(sorted({k for c in classes.values() for k in c
                       if k in modes})))' "$expected")
	for mode in $modes; do
		label=lab-${name//./-}-$mode
		ip netns exec "$CLIENT" "$PATHPROBE" measure -w 4 \
			--input "$targets" --output "$WORK/$label.json" \
			"$plugin" --connect "$mode" --timeout 2 \
			2>"$WORK/$label.log"
		status=$?
		if [ $status -ne 0 ]; then
			echo "FAIL $label: exit status $status"
			tail -n 3 "$WORK/$label.log"
			failed=$((failed + 1))
		fi
		"$HERE/check-records.py" "$WORK/$label.json" "$targets" \
			"$expected" "$mode" "$label" >"$WORK/$label.check"
		grep -v '^ok ' "$WORK/$label.check"
		add_counts "$WORK/$label.check"
	done
done

echo "lab-plugins: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
