#!/bin/bash
# Benchmarks `pathprobe measure ecn` on the namespace lab, each figure with
# its goal:
# - the lab's connection-rate ceiling from `ab` (a new connection per
#   request), measured in the same run;
# - 1,000 answering targets at 20 and at 200 workers;
# - 10,000 answering targets, host-wide switch and --desync: jobs per
#   second against half the ceiling (two connections a job);
# - 10,000 targets of which 30% never answer, timeout 5 s, at most 1,000
#   connections in flight: wall time against 1.5 x (timed-out connections
#   x 5 s / 1,000).
# Every run also checks that each record has its class's conditions.
# BENCH_TARGETS scales the 10,000.
set -u

PATHPROBE=$(realpath "${1:-./pathprobe}")
COUNT=${BENCH_TARGETS:-10000}
HERE=$(cd "$(dirname "$0")" && pwd)
LAB=$HERE/../tests/lab/lab.sh
WORK=$(mktemp -d /tmp/pathprobe-bench.XXXXXX)
trap '"$LAB" down >/dev/null 2>&1; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

"$LAB" up >"$WORK/lab.log" 2>&1 || { cat "$WORK/lab.log"; exit 1; }

# Targets: clean ones from 198.19.0.0/17, silent ones from 198.19.128.0/17.
targets() { # COUNT SILENT_PERCENT
	python3 - "$1" "$2" <<'PY'
import sys
count, silent = int(sys.argv[1]), int(sys.argv[2])
for i in range(count):
    block = 128 if i % 100 < silent else 0
    print('{"dip": "198.19.%d.%d", "domain": "bench.lab.example"}'
          % (block + (i // 250) % 128, i % 250 + 1))
PY
}

ceiling=$(ip netns exec pp-client ab -q -n 20000 -c 50 \
	http://198.19.0.1/ 2>/dev/null |
	sed -nE 's/^Requests per second: +([0-9.]+).*/\1/p')
echo "ceiling: ab -n 20000 -c 50: $ceiling connections/s," \
	"so about $(python3 -c "print(int(float('${ceiling:-0}') / 2))") jobs/s"

# run NAME COUNT SILENT_PERCENT GOAL_KIND [pathprobe measure options...]
run() {
	local name=$1 count=$2 silent=$3 goal=$4
	shift 4
	targets "$count" "$silent" >"$WORK/targets.ndjson"
	ip netns exec pp-client /usr/bin/time -o "$WORK/time" \
		-f '%e %U %S %M' "$PATHPROBE" measure \
		--input "$WORK/targets.ndjson" "$@" >"$WORK/out.json" \
		2>"$WORK/err.log"
	python3 - "$WORK/out.json" "$WORK/time" "$name" "$count" "$goal" \
		"${ceiling:-0}" "$silent" <<'PY'
import json, sys
path, timef, name, count, goal, ceiling, silent = sys.argv[1:8]
count, ceiling, silent = int(count), float(ceiling), int(silent)
# time(1) puts "Command exited with non-zero status N" first when it did.
lines = open(timef).read().splitlines()
wall, user, sys_, rss = map(float, lines[-1].split())
wall = max(wall, 0.01)
status = lines[0] if len(lines) > 1 else ""
clean = sorted(["ecn.connectivity.works", "ecn.negotiation.succeeded",
                "ecn.ipmark.ect0.seen", "ecn.ipmark.ect1.not_seen",
                "ecn.ipmark.ce.not_seen"])
recs = [json.loads(l) for l in open(path)]
def expected(r):
    silent = int(r["dip"].split(".")[2]) >= 128
    return ["ecn.connectivity.offline"] if silent else clean
wrong = [r for r in recs if sorted(r["conditions"]) != expected(r)]
exact = len(recs) - len(wrong)
# Show a few inexact records, so a rare miss can be looked into.
for r in wrong[:3]:
    print("  inexact: %s %s" % (r["dip"], " ".join(r["conditions"])))
line = ("%s: %d jobs in %.1f s = %.0f jobs/s, %.2f CPU s per 1,000 jobs, "
        "peak memory %.1f MB, %d/%d records exact"
        % (name, len(recs), wall, len(recs) / wall,
           (user + sys_) * 1000 / max(len(recs), 1), rss / 1024, exact,
           count))
if goal == "ratio" and ceiling:
    ratio = len(recs) / wall / (ceiling / 2)
    line += "; %.2f of the ceiling (goal 0.50: %s)" % (
        ratio, "met" if ratio >= 0.5 else "not met")
elif goal == "silent":
    bound = 1.5 * (count * silent / 100 * 2) * 5 / 1000
    line += "; goal %.1f s: %s" % (bound, "met" if wall <= bound else "not met")
print(line + ("; " + status if status else ""))
PY
	grep -E 'dropped by the kernel' "$WORK/err.log" |
		sed -E 's/.*flows, /  observer: /'
}

run "1,000 targets, 20 workers" 1000 0 none -w 20 ecn
run "1,000 targets, 200 workers" 1000 0 none -w 200 ecn
run "$COUNT targets, host-wide" "$COUNT" 0 ratio ecn
run "$COUNT targets, --desync" "$COUNT" 0 ratio ecn --desync
run "$COUNT targets, 30% silent, host-wide" "$COUNT" 30 silent \
	--max-in-flight 1000 ecn --timeout 5
run "$COUNT targets, 30% silent, --desync" "$COUNT" 30 silent \
	--max-in-flight 1000 ecn --desync --timeout 5
