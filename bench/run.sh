#!/bin/bash
# Benchmarks `pathprobe measure ecn` on the namespace lab: N answering
# targets (default 1000) at 20 and at 200 workers, and the lab's own
# connection-rate ceiling from `ab` in the same run.  Prints jobs per
# second, CPU seconds per 1,000 jobs and peak memory for each run, and
# checks that every record is the clean-path result.
set -u

PATHPROBE=$(realpath "${1:-./pathprobe}")
COUNT=${BENCH_TARGETS:-1000}
HERE=$(cd "$(dirname "$0")" && pwd)
LAB=$HERE/../tests/lab/lab.sh
WORK=$(mktemp -d /tmp/pathprobe-bench.XXXXXX)
trap '"$LAB" down >/dev/null 2>&1; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

"$LAB" up >"$WORK/lab.log" 2>&1 || { cat "$WORK/lab.log"; exit 1; }

# Targets from the clean benchmark block 198.19.0.0/17.
python3 - "$COUNT" >"$WORK/targets.ndjson" <<'PY'
import sys
for i in range(int(sys.argv[1])):
    print('{"dip": "198.19.%d.%d", "domain": "bench.lab.example"}'
          % (i // 250, i % 250 + 1))
PY

echo "ceiling: ab -n 20000 -c 50 (a new TCP connection per request)"
ip netns exec pp-client ab -q -n 20000 -c 50 http://198.19.0.1/ \
	2>/dev/null | grep -E 'Requests per second|Failed requests'

for workers in 20 200; do
	ip netns exec pp-client /usr/bin/time -o "$WORK/time" \
		-f '%e %U %S %M' "$PATHPROBE" measure -w "$workers" \
		--input "$WORK/targets.ndjson" ecn --timeout 5 \
		>"$WORK/out.json" 2>"$WORK/err.log"
	read -r wall user sys rss <"$WORK/time"
	python3 - "$WORK/out.json" "$COUNT" "$workers" "$wall" "$user" \
		"$sys" "$rss" <<'PY'
import json, sys
path, count, workers = sys.argv[1], int(sys.argv[2]), sys.argv[3]
wall, user, sys_, rss = map(float, sys.argv[4:8])
want = sorted(["ecn.connectivity.works", "ecn.negotiation.succeeded",
               "ecn.ipmark.ect0.seen", "ecn.ipmark.ect1.not_seen",
               "ecn.ipmark.ce.not_seen"])
recs = [json.loads(l) for l in open(path)]
exact = sum(sorted(r["conditions"]) == want for r in recs)
print("measure ecn, %s workers: %d jobs in %.2f s = %.0f jobs/s; "
      "%.2f CPU s per 1,000 jobs; peak memory %.1f MB; %d/%d records exact"
      % (workers, len(recs), wall, len(recs) / wall,
         (user + sys_) * 1000 / max(len(recs), 1), rss / 1024, exact, count))
PY
	grep -E 'observer:' "$WORK/err.log" | sed 's/^/  /'
done
