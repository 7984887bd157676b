#!/bin/bash
# Runs every test suite of `make test` and prints the total as
# "N passed, N failed".  Arguments: the unit test binary and pathprobe.
set -u

UNIT=$1
PATHPROBE=$2
HERE=$(cd "$(dirname "$0")" && pwd)
LOG=$(mktemp -d /tmp/pathprobe-tests.XXXXXX)
trap 'rm -rf "$LOG"' EXIT
passed=0
failed=0

# Runs a suite, shows its output, adds its "LABEL: N passed, N failed".
suite() {
	local name=$1 line p f
	shift
	"$@" 2>&1 | tee "$LOG/$name.out"
	line=$(grep -E '^[a-z0-9-]+: [0-9]+ passed, [0-9]+ failed$' \
		"$LOG/$name.out" | tail -n 1)
	if [ -z "$line" ]; then
		echo "FAIL $name: no summary line"
		failed=$((failed + 1))
		return
	fi
	p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed$/\1/')
	passed=$((passed + p))
	failed=$((failed + f))
}

suite format "$HERE/format-check.sh"
suite unit "$UNIT"
suite lab "$HERE/lab/test-ecn.sh" "$PATHPROBE"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
