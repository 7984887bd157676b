#!/bin/bash
# Benchmarks `pathprobe observe` replaying a synthetic capture of
# PACKETS packets (default 1,000,000; 10 packets per TCP connection)
# through the basic, tcp and ecn chains, and without chains.  Prints
# packets per second and peak memory.
set -eu

PATHPROBE=$(realpath "${1:-./pathprobe}")
PACKETS=${BENCH_PACKETS:-1000000}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/pathprobe-bench-observe.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

"$HERE/gen-capture.py" "$WORK/capture.pcap" "$PACKETS"
for chains in "basic tcp ecn" ""; do
	# shellcheck disable=SC2086
	/usr/bin/time -o "$WORK/time" -f '%e %U %S %M' "$PATHPROBE" -q \
		observe -i "$WORK/capture.pcap" --output "$WORK/flows.json" \
		$chains
	read -r wall user sys rss <"$WORK/time"
	python3 -c '
import sys
packets, wall, user, sys_, rss, flows = map(float, sys.argv[1:7])
cpu = user + sys_
print("observe %-14s %d packets, %d flows: %.2f s, %.2f M packets/s per "
      "core (goal 2), peak memory %.1f MB"
      % (sys.argv[7] or "(no chains)", packets, flows, wall,
         packets / cpu / 1e6, rss / 1024))
' "$PACKETS" "$wall" "$user" "$sys" "$rss" "$(wc -l <"$WORK/flows.json")" \
		"$chains"
done
