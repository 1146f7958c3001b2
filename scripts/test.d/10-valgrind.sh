#!/usr/bin/env bash
# Valgrind memcheck over the unit suite (debug build from the first stage of scripts/test.sh).
# Excluded: nothing today; a test that must be excluded is listed in VALGRIND_SKIP with a reason.
set -uo pipefail
cd "$(dirname "$0")/../.."
build=build/debug
VALGRIND_SKIP=""
if ! command -v valgrind >/dev/null; then
	echo "STAGE-SKIPPED valgrind not installed"
	exit 0
fi
pass=0
fail=0
for t in "$build"/tests/unit_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	case " $VALGRIND_SKIP " in *" $name "*) echo "skip $name"; continue ;; esac
	if MINALIGN_VALGRIND=1 valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite --show-leak-kinds=definite "$t" >/tmp/vg-$name.log 2>&1; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "valgrind: $name FAILED"
		tail -30 /tmp/vg-$name.log
	fi
done
echo "valgrind memcheck: $pass passed, $fail failed"
echo "STAGE-RESULT passed=$pass failed=$fail"
