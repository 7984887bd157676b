# Shared by the lab test scripts, which source it after setting HERE
# (this folder), WORK (a scratch folder) and PATHPROBE.  It defines the
# client namespace name, the pass/fail totals, their reporting, and the
# teardown run on exit.

CLIENT=${PP_LAB_PREFIX:-pp}-client
passed=0
failed=0

lab_cleanup() {
	"$HERE/lab.sh" down >/dev/null 2>&1
	rm -rf "$WORK"
}
trap lab_cleanup EXIT
trap 'exit 130' INT TERM

# Counts one check: result NAME STATUS [DETAIL], STATUS 0 for a pass.
result() {
	if [ "$2" -eq 0 ]; then
		echo "ok   $1"
		passed=$((passed + 1))
	else
		echo "FAIL $1${3:+: $3}"
		failed=$((failed + 1))
	fi
}

in_client() { ip netns exec "$CLIENT" "$@"; }

# Adds the counts of the last "LABEL: N passed, N failed" line of a file
# to the totals; a file without one counts as a failure.
add_counts() {
	local line p f
	line=$(grep -E '^[a-z0-9-]+: [0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)
	p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed$/\1/')
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-1}))
}
