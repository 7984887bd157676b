#!/bin/bash
# Lab test of `pathprobe measure dnsresolv`: brings the lab up, resolves
# names.csv with the lab's knot server as the resolver (over IPv4 and over
# IPv6), checks the exact jobs written, then measures them with ecn and
# checks that every target works.  Always tears the lab down.  Ends with
# "N passed, N failed".
#
# Usage: test-dnsresolv.sh [PATHPROBE]   (as root; PP_LAB_PREFIX as for lab.sh)
set -u

PATHPROBE=$(realpath "${1:-./pathprobe}")
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/pathprobe-labdnsresolv.XXXXXX)
. "$HERE/testlib.sh"
NAMES=$HERE/names.csv
# knot serves every address of class 60 (dns-clean). The zone that lab.sh
# writes points its names into class 1 (clean).
RESOLVERS="198.18.60.53 2001:db8:100:60::53"
# The malformed row of names.csv.
MALFORMED_LINE=6

# Compares the jobs in FILE with the addresses the zone gives each name
# of names.csv. Prints what differs and exits 1 if anything does.
check_jobs() {
	python3 - "$1" <<'PY'
import json
import sys

# domain -> (rank, addresses). nosuch.lab.example is NXDOMAIN and the
# malformed row is skipped, so neither has a job.
EXPECTED = {
    "clean.lab.example": (1, {"198.18.1.10", "2001:db8:100:1::10"}),
    "multi.lab.example": (2, {"198.18.1.21", "198.18.1.22",
                              "2001:db8:100:1::21", "2001:db8:100:1::22"}),
    "v4only.lab.example": (3, {"198.18.1.23"}),
    "v6only.lab.example": (4, {"2001:db8:100:1::23"}),
}
problems = []
got = {}
with open(sys.argv[1]) as f:
    for line in f:
        job = json.loads(line)
        if set(job) != {"domain", "rank", "dip"}:
            problems.append("unexpected fields: %s" % line.strip())
            continue
        if job["dip"] in got.get(job["domain"], (None, set()))[1]:
            problems.append("duplicate job: %s" % line.strip())
        rank, dips = got.setdefault(job["domain"], (job["rank"], set()))
        if rank != job["rank"]:
            problems.append("%s: ranks %r and %r" % (job["domain"], rank, job["rank"]))
        dips.add(job["dip"])
for domain in sorted(set(EXPECTED) | set(got)):
    want = EXPECTED.get(domain, (None, set()))
    have = got.get(domain, (None, set()))
    if want != have:
        problems.append("%s: expected rank %r %s, got rank %r %s"
                        % (domain, want[0], sorted(want[1]), have[0], sorted(have[1])))
print("; ".join(problems))
sys.exit(1 if problems else 0)
PY
}

# Checks that the ecn records in FILE are one per job of JOBS, keep the
# job's fields, and have ecn.connectivity.works.
check_ecn_records() {
	python3 - "$1" "$2" <<'PY'
import json
import sys

def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]

jobs = {job["dip"]: job for job in load(sys.argv[2])}
problems = []
seen = set()
for record in load(sys.argv[1]):
    job = jobs.get(record.get("dip"))
    if job is None or record["dip"] in seen:
        problems.append("unexpected record for %s" % record.get("dip"))
        continue
    seen.add(record["dip"])
    if any(record.get(k) != v for k, v in job.items()):
        problems.append("%s: job fields not kept" % record["dip"])
    if "ecn.connectivity.works" not in record.get("conditions", []):
        problems.append("%s: conditions %s" % (record["dip"], record.get("conditions")))
for dip in sorted(set(jobs) - seen):
    problems.append("%s: no record" % dip)
print("; ".join(problems))
sys.exit(1 if problems else 0)
PY
}

if ! "$HERE/lab.sh" up >"$WORK/lab-up.log" 2>&1; then
	cat "$WORK/lab-up.log"
	result "lab comes up" 1
	echo "lab-dnsresolv: $passed passed, $failed failed"
	exit 1
fi

for resolver in $RESOLVERS; do
	jobs=$WORK/jobs-$resolver.ndjson
	in_client "$PATHPROBE" measure --input "$NAMES" --output "$jobs" \
		dnsresolv --resolver "$resolver" --timeout 2 \
		2>"$WORK/dnsresolv-$resolver.log"
	status=$?
	result "dnsresolv --resolver $resolver exits 0" $status \
		"status $status: $(tail -n 3 "$WORK/dnsresolv-$resolver.log")"
	detail=$(check_jobs "$jobs")
	result "dnsresolv --resolver $resolver writes the expected jobs" $? "$detail"
	grep -q "line $MALFORMED_LINE: " "$WORK/dnsresolv-$resolver.log"
	result "dnsresolv --resolver $resolver reports the malformed line" $? \
		"no 'line $MALFORMED_LINE: ' in: $(cat "$WORK/dnsresolv-$resolver.log")"
done

# The jobs go straight into a measurement, as the README shows.
resolver=${RESOLVERS%% *}
in_client "$PATHPROBE" measure --input "$NAMES" dnsresolv \
	--resolver "$resolver" --timeout 2 2>"$WORK/pipe-dnsresolv.log" |
	in_client "$PATHPROBE" measure -w 4 ecn --timeout 2 \
		>"$WORK/ecn.ndjson" 2>"$WORK/pipe-ecn.log"
statuses=("${PIPESTATUS[@]}")
[ "${statuses[0]}" -eq 0 ] && [ "${statuses[1]}" -eq 0 ]
result "dnsresolv | measure ecn exits 0" $? \
	"statuses ${statuses[*]}: $(tail -n 3 "$WORK/pipe-ecn.log")"
detail=$(check_ecn_records "$WORK/ecn.ndjson" "$WORK/jobs-$resolver.ndjson")
result "every resolved target has ecn.connectivity.works" $? "$detail"

echo "lab-dnsresolv: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
