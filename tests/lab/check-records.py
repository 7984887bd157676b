#!/usr/bin/env python3
"""Compare pathprobe records from the lab with the ground truth.

usage: check-records.py RECORDS TARGETS EXPECTED MODE LABEL

Every target of TARGETS must have exactly one record in RECORDS, and the
record's conditions must equal, as a set, the list EXPECTED gives for the
target's lab_class and connection MODE.  For an IPv6 target, the class's
"ipv6" list for MODE is used where there is one.  Prints one ok/FAIL line
per target and "LABEL: N passed, N failed"; exits 1 if any target failed.
"""

import json
import sys


def load_lines(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def expected_conditions(entry, mode, dip):
    """Returns a class's list for MODE. A class whose conditions differ
    by family (mss: the client's MSS) has an "ipv6" object with the lists
    for IPv6 targets."""
    if ":" in dip and mode in entry.get("ipv6", {}):
        return entry["ipv6"][mode]
    return entry[mode]


def main():
    records_path, targets_path, expected_path, mode, label = sys.argv[1:6]
    with open(expected_path, encoding="utf-8") as f:
        classes = json.load(f)["classes"]
    targets = load_lines(targets_path)
    try:
        records = load_lines(records_path)
    except FileNotFoundError:
        records = []
    except ValueError as e:
        print("FAIL %s: output is not newline-delimited JSON: %s" % (label, e))
        print("%s: 0 passed, %d failed" % (label, len(targets)))
        return 1

    by_dip = {}
    for rec in records:
        by_dip.setdefault(rec.get("dip"), []).append(rec)

    passed = failed = 0
    for target in targets:
        dip, cls = target["dip"], target["lab_class"]
        want = sorted(expected_conditions(classes[cls], mode, dip))
        found = by_dip.get(dip, [])
        if len(found) != 1:
            print("FAIL %s %s (%s): %d records" % (label, dip, cls, len(found)))
            failed += 1
            continue
        got = sorted(found[0].get("conditions", []))
        if got == want and found[0].get("lab_class") == cls:
            print("ok   %s %s (%s)" % (label, dip, cls))
            passed += 1
        else:
            print("FAIL %s %s (%s): expected %s got %s"
                  % (label, dip, cls, " ".join(want), " ".join(got)))
            failed += 1
    extra = len(records) - sum(len(v) for k, v in by_dip.items()
                               if k in {t["dip"] for t in targets})
    if extra:
        print("FAIL %s: %d records for targets not in the input" % (label, extra))
        failed += 1
    print("%s: %d passed, %d failed" % (label, passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
