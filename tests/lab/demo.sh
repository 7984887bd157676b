#!/bin/bash
# `make demo`: brings the lab up, measures ECN on every lab target, prints
# the records and a count of conditions, and tears the lab down.
set -eu

PATHPROBE=$(realpath "${1:-./pathprobe}")
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(mktemp /tmp/pathprobe-demo.XXXXXX)
trap '"$HERE/lab.sh" down >/dev/null 2>&1; rm -f "$OUT"' EXIT
trap 'exit 130' INT TERM

echo "== bringing the lab up"
"$HERE/lab.sh" up

echo "== pathprobe measure ecn on $(wc -l <"$HERE/targets.ndjson") lab targets"
ip netns exec "${PP_LAB_PREFIX:-pp}-client" "$PATHPROBE" measure --input "$HERE/targets.ndjson" \
	ecn --timeout 2 >"$OUT"

echo "== records"
cat "$OUT"

echo "== each lab class and its conditions"
python3 - "$OUT" "$HERE/expected.json" <<'PY'
import collections, json, sys
records = [json.loads(l) for l in open(sys.argv[1])]
expected = json.load(open(sys.argv[2]))["classes"]
by_class = collections.defaultdict(list)
for r in records:
    by_class[r["lab_class"]].append(r)
for cls, recs in sorted(by_class.items(), key=lambda kv: expected[kv[0]]["number"]):
    want = sorted(expected[cls]["http"])
    exact = sum(sorted(r["conditions"]) == want for r in recs)
    print("%-15s %d/%d as expected: %s" % (cls, exact, len(recs),
                                          " ".join(sorted(recs[0]["conditions"]))))
print()
print("== count of conditions")
counts = collections.Counter(c for r in records for c in r["conditions"])
for cond, n in sorted(counts.items()):
    print("%5d %s" % (n, cond))
PY
