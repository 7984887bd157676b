#!/bin/bash
# Streams a 1,000,000-line target list (clean IPv6 lab targets) through
# `pathprobe measure ecn --connect tcp` and reports wall time, jobs per
# second, CPU seconds per 1,000 jobs and peak memory (goal: under 64 MB).
set -u

PATHPROBE=$(realpath "${1:-./pathprobe}")
COUNT=${BENCH_LINES:-1000000}
HERE=$(cd "$(dirname "$0")" && pwd)
LAB=$HERE/../tests/lab/lab.sh
WORK=$(mktemp -d /tmp/pathprobe-million.XXXXXX)
trap '"$LAB" down >/dev/null 2>&1; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

"$LAB" up >"$WORK/lab.log" 2>&1 || { cat "$WORK/lab.log"; exit 1; }
cat >"$WORK/gen.py" <<'PY'
import sys
for i in range(int(sys.argv[1])):
    print('{"dip": "2001:db8:200::%x:%x"}' % (i >> 16, i & 0xffff))
PY
cat >"$WORK/count.py" <<'PY'
import collections, json, sys
c = collections.Counter()
n = 0
for line in sys.stdin:
    n += 1
    c.update(json.loads(line)["conditions"])
print("%d records; most common: %s" % (n, dict(c.most_common(3))))
PY
# The list is generated as it is read, so pathprobe streams it.
python3 "$WORK/gen.py" "$COUNT" |
	ip netns exec pp-client /usr/bin/time -o "$WORK/time" \
		-f '%e %U %S %M' "$PATHPROBE" measure ecn --connect tcp \
		--timeout 2 2>"$WORK/err.log" |
	python3 "$WORK/count.py"
read -r wall user sys rss <"$WORK/time"
python3 -c '
import sys
n, wall, user, sys_, rss = map(float, sys.argv[1:6])
print("%d lines: %.0f s, %.0f jobs/s, %.2f CPU s per 1,000 jobs, peak "
      "memory %.1f MB (goal under 64)"
      % (n, wall, n / wall, (user + sys_) * 1000 / n, rss / 1024))
' "$COUNT" "$wall" "$user" "$sys" "$rss"
grep -E "observer:|warning|error" "$WORK/err.log" | tail -n 5
