#!/usr/bin/env bash
# scripts/quiet-build.sh PRESET TARGET - configure and build one preset's TARGET with the build's
# chatter in build/PRESET.build.log: one line while it runs, the log's errors (and where the
# whole log is) only if it fails.  TARGET "all" builds everything the preset enables.
# `make run`, `make install` and `make deb` use it.
set -uo pipefail
cd "$(dirname "$0")/.."
preset=${1:?usage: quiet-build.sh PRESET TARGET}
target=${2:-all}
jobs=${JOBS:-2}
log=build/$preset.build.log
mkdir -p build
echo "building $target ($preset; log: $log)"
if cmake --preset "$preset" >"$log" 2>&1 &&
	cmake --build --preset "$preset" -j "$jobs" --target "$target" >>"$log" 2>&1; then
	exit 0
fi
echo "build failed; the errors from $log:" >&2
if grep -qE 'error|Error' "$log"; then
	grep -E -B2 -A8 'error|Error' "$log" | head -120 >&2
else
	tail -60 "$log" >&2
fi
exit 1
