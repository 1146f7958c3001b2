#!/usr/bin/env bash
# scripts/fuzz.sh short|long - build the API-sequence fuzzer (tests/fuzz, libFuzzer + ASan +
# UBSan, clang) and run it on one worker.
#   short: about a minute (the fuzz stage of `make test`, scripts/test.d/30-fuzz.sh)
#   long:  `make fuzz`, 30 minutes
# FUZZ_SECONDS overrides the duration; FUZZ_ARGS adds libFuzzer options.
# The working corpus is build/fuzz/corpus (it grows from the seeds in tests/fuzz/corpus and is
# kept between runs); a failing input is written to build/fuzz/artifacts/ and its path printed;
# each run logs to build/fuzz/fuzz-<mode>-<pid>.log.  Several runs may share the build: the
# build step is serialised (flock), and a run names only the reproducer it wrote itself.
# Exit status: 0 nothing found, 1 a failure was found, 2 usage, 77 no libFuzzer (clang).
set -uo pipefail
cd "$(dirname "$0")/.."
mode=${1:-short}
case "$mode" in
short) secs=${FUZZ_SECONDS:-60} ;;
long) secs=${FUZZ_SECONDS:-1800} ;;
*)
	echo "usage: scripts/fuzz.sh short|long (FUZZ_SECONDS=N to change the duration)" >&2
	exit 2
	;;
esac
build=build/fuzz

probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ return d && n ? 0 : 0; }\n' >"$probe/p.c"
if ! command -v clang >/dev/null || ! clang -fsanitize=fuzzer "$probe/p.c" -o "$probe/p" 2>/dev/null; then
	echo "fuzz: clang with libFuzzer (libclang-rt-dev) is not installed"
	exit 77
fi

echo "fuzz: building $build (clang, libFuzzer, ASan+UBSan)"
mkdir -p "$build/corpus" "$build/artifacts"
if ! flock "$build.lock" sh -c 'CC=clang cmake -S . -B "$1" -DMINALIGN_BUILD_FUZZ=ON \
	-DMINALIGN_BUILD_TESTS=OFF -DMINALIGN_WERROR=ON >"$1.log" 2>&1 &&
	cmake --build "$1" --target fuzz_api -j "$2" >>"$1.log" 2>&1' sh "$build" "${JOBS:-2}"; then
	tail -30 "$build.log"
	echo "fuzz: BUILD FAILED (log: $build.log)"
	exit 1
fi

log=$build/fuzz-$mode-$$.log
touch "$probe/start"
echo "fuzz: $mode run, $secs s, one worker; corpus $build/corpus + tests/fuzz/corpus; log $log"
# shellcheck disable=SC2086
"$build/tests/fuzz/fuzz_api" -max_total_time="$secs" -max_len=1024 -timeout=60 \
	-rss_limit_mb=2560 -print_final_stats=1 -artifact_prefix="$build/artifacts/" \
	${FUZZ_ARGS:-} "$build/corpus" tests/fuzz/corpus >"$log" 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
if [ $rc -eq 0 ]; then
	echo "fuzz: ${execs:-?} executions in $secs s, nothing found"
	exit 0
fi
grep -E 'FUZZ ORACLE|^  [a-z]|ERROR:|runtime error|SUMMARY' "$log" | head -12
repro=$(sed -n 's/.*Test unit written to \([^ ]*\).*/\1/p' "$log" | tail -1)
[ -n "$repro" ] || repro=$(find "$build/artifacts" -type f -newer "$probe/start" | head -1)
echo "fuzz: FAILURE after ${execs:-?} executions; reproducer: ${repro:-none} (log: $log)"
echo "fuzz: replay it with: FZ_TRACE=1 $build/tests/fuzz/fuzz_api ${repro:-FILE}"
exit 1
