#!/bin/bash
# Lab test of every plugin that has lab classes: for each
# tests/lab/expected-PLUGIN[.VARIANT].json, measures the matching
# targets-PLUGIN[.VARIANT].ndjson in every connect mode the file gives and
# compares each record's conditions.  Always tears the lab down.  Ends with "N passed, N failed".
set -u

PATHPROBE=$(realpath "${1:-./pathprobe}")
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/pathprobe-labplugins.XXXXXX)
CLIENT=${PP_LAB_PREFIX:-pp}-client
passed=0
failed=0

cleanup() {
	"$HERE/lab.sh" down >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

add_counts() {
	local line p f
	line=$(grep -E '^[a-z0-9-]+: [0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)
	p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed$/\1/')
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-1}))
}

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
