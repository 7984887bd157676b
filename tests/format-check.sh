#!/bin/bash
# Checks every C file against .clang-format; one ok/FAIL line per file.
cd "$(dirname "$0")/.." || exit 1
passed=0
failed=0
for f in src/*.[ch] src/chains/*.c helpers/*.[ch] plugins/*.[ch] tests/unit/*.[ch]; do
	if clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		passed=$((passed + 1))
	else
		echo "FAIL format $f (run 'make format')"
		failed=$((failed + 1))
	fi
done
echo "format: $passed passed, $failed failed"
