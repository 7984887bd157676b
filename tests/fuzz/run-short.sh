#!/bin/bash
# A short fuzz run for `make test`: each libFuzzer target for a few
# seconds, the packet target seeded from captures recorded by the tests.
# Usage: run-short.sh FUZZ_DIR SECONDS [PCAP...]
set -u

DIR=$1
SECONDS_EACH=$2
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
passed=0
failed=0

corpus=$DIR/corpus-packet
mkdir -p "$corpus" "$DIR/corpus-target"
if [ $# -gt 0 ]; then
	"$HERE/seeds-from-pcap.py" "$corpus" "$@"
fi

for target in packet target; do
	if "$DIR/fuzz-$target" -max_total_time="$SECONDS_EACH" \
		-rss_limit_mb=2048 -artifact_prefix="$DIR/crash-$target-" \
		"$DIR/corpus-$target" >"$DIR/fuzz-$target.log" 2>&1; then
		echo "ok   fuzz-$target: $(grep -E '^Done' "$DIR/fuzz-$target.log")"
		passed=$((passed + 1))
	else
		echo "FAIL fuzz-$target: see $DIR/fuzz-$target.log"
		tail -n 30 "$DIR/fuzz-$target.log"
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
