#!/usr/bin/env bash
# scripts/test.sh - the whole suite, as `make test` runs it:
#   1. debug build (-Werror), every test
#   2. release build (-O3 -Werror: warnings only the optimiser finds), every test
#   3. ASan+UBSan build, every test
#   4. TSan build, every test
#   5. extra stages from scripts/test.d/*.sh (valgrind, short fuzz, cross), each optional
# While a stage runs, a heartbeat line (stage, elapsed) appears every 20 s.
# Ends with one summary line counting passed and failed tests over all stages.
set -uo pipefail
cd "$(dirname "$0")/.."
jobs=${JOBS:-2}
total_pass=0
total_fail=0
failed_stages=""

# heartbeat_start NAME: print "... NAME: N s" every 20 s until heartbeat_stop.
hb_pid=""
heartbeat_start() {
	local name=$1 t0
	t0=$(date +%s)
	(
		sp=""
		trap 'kill $sp 2>/dev/null; exit 0' TERM
		while :; do
			sleep 20 &
			sp=$!
			wait $sp
			echo "  ... $name: $(($(date +%s) - t0)) s, total $(($(date +%s) - start)) s"
		done
	) &
	hb_pid=$!
}
heartbeat_stop() {
	[ -z "$hb_pid" ] || { kill "$hb_pid" 2>/dev/null; wait "$hb_pid" 2>/dev/null; }
	hb_pid=""
}
trap heartbeat_stop EXIT

run_stage() {
	local name=$1 preset=$2 out
	local log="build/$preset.build.log"
	echo "==== $name: configure + build ($preset)"
	mkdir -p build
	heartbeat_start "$name build"
	if ! cmake --preset "$preset" >"$log" 2>&1 || ! cmake --build --preset "$preset" -j "$jobs" >>"$log" 2>&1; then
		heartbeat_stop
		grep -E -A5 'error|Error' "$log" | head -60
		echo "==== $name: BUILD FAILED"
		total_fail=$((total_fail + 1))
		failed_stages="$failed_stages $name(build)"
		return
	fi
	heartbeat_stop
	echo "==== $name: ctest"
	heartbeat_start "$name ctest"
	out=$(ctest --preset "$preset" -j "$jobs" 2>&1)
	heartbeat_stop
	echo "$out" | grep -vE '^\s*(Start|[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed)' || true
	count_ctest "$name" "$out"
}

# Parse ctest's "N% tests passed, F tests failed out of T" line.
count_ctest() {
	local name=$1 out=$2 line f t
	line=$(echo "$out" | grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' | tail -1)
	if [ -z "$line" ]; then
		total_fail=$((total_fail + 1))
		failed_stages="$failed_stages $name(no-summary)"
		return
	fi
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/')
	t=$(echo "$line" | sed -E 's/.* failed out of ([0-9]+).*/\1/')
	total_pass=$((total_pass + t - f))
	total_fail=$((total_fail + f))
	[ "$f" -eq 0 ] || failed_stages="$failed_stages $name"
}

start=$(date +%s)
run_stage "debug" debug
run_stage "release" release
run_stage "asan+ubsan" asan
run_stage "tsan" tsan
for extra in scripts/test.d/*.sh; do
	[ -e "$extra" ] || continue
	name=$(basename "$extra" .sh)
	echo "==== $name"
	heartbeat_start "$name"
	out=$(bash "$extra" 2>&1)
	rc=$?
	heartbeat_stop
	echo "$out" | tail -40
	# A stage prints "STAGE-RESULT passed=N failed=M" (or "STAGE-SKIPPED why").
	res=$(echo "$out" | grep -E '^STAGE-RESULT' | tail -1)
	if [ -n "$res" ]; then
		p=$(echo "$res" | sed -E 's/.*passed=([0-9]+).*/\1/')
		f=$(echo "$res" | sed -E 's/.*failed=([0-9]+).*/\1/')
		total_pass=$((total_pass + p))
		total_fail=$((total_fail + f))
		[ "$f" -eq 0 ] || failed_stages="$failed_stages $name"
	elif ! echo "$out" | grep -q '^STAGE-SKIPPED' || [ $rc -ne 0 ]; then
		total_fail=$((total_fail + 1))
		failed_stages="$failed_stages $name(rc=$rc)"
	fi
done
end=$(date +%s)
echo
if [ "$total_fail" -eq 0 ]; then
	echo "minalign test summary: $total_pass passed, 0 failed ($((end - start)) s)"
	exit 0
fi
echo "minalign test summary: $total_pass passed, $total_fail failed ($((end - start)) s); failing:$failed_stages"
exit 1
