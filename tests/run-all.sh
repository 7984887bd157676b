#!/bin/bash
# Runs every test suite of `make test` and prints the total as
# "N passed, N failed".  Arguments: the unit test binary, pathprobe and
# the folder of the fuzz targets.
set -u

UNIT=$1
PATHPROBE=$2
FUZZ_DIR=$3
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

export PP_CAPTURE_DIR=$LOG/captures
mkdir -p "$PP_CAPTURE_DIR"

suite format "$HERE/format-check.sh"
suite unit "$UNIT"
suite lab "$HERE/lab/test-ecn.sh" "$PATHPROBE"
suite lab-plugins "$HERE/lab/test-plugins.sh" "$PATHPROBE"
suite lab-dnsresolv "$HERE/lab/test-dnsresolv.sh" "$PATHPROBE"
# PATHspider's observer captures, when the shared folder sits beside the
# repository; they are not kept in the repository itself.
peer=$HERE/../../shared/peer/check
if [ -x "$peer" ]; then
	suite peer python3 -c '
import subprocess, sys, re
out = subprocess.run(sys.argv[1:], capture_output=True, text=True).stdout
print(out, end="")
m = re.search(r"peer-observe: (\d+)/(\d+) cases pass", out)
ok, total = (int(m.group(1)), int(m.group(2))) if m else (0, 1)
print("peer: %d passed, %d failed" % (ok, total - ok))
' "$peer" "$PATHPROBE"
fi
suite fuzz "$HERE/fuzz/run-short.sh" "$FUZZ_DIR" 10 "$PP_CAPTURE_DIR"/*.pcap

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
