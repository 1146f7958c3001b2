#!/usr/bin/env bash
# tests/tools/sparse.sh - the __dma sparse check (scripts/check-sparse.sh) when sparse is
# installed; and both example drivers of examples/sparse/ built against this build's library
# and run: the annotations change nothing for the compiler, and driver_bad's mistake is one for
# sparse only (at run time the default BOUNCE policy bounces its buffer).
# usage: sparse.sh <minalign-binary> <source-dir>
source "$(dirname "$0")/lib.bash" "$@"
build=$(dirname "$BIN")
cache=$build/CMakeCache.txt

if command -v sparse >/dev/null; then
	expect_rc 0 check-sparse "$SRC/scripts/check-sparse.sh"
	grep -q 'check-sparse: passed' "$TMP/check-sparse.out" || fail "check-sparse did not pass"
	grep -q 'driver_bad.c:[0-9]*:[0-9]*: warning: incorrect type in argument 2 (different address spaces)' \
		"$TMP/check-sparse.out" || fail "the deliberate mistake was not shown"
	ok
else
	echo "sparse not installed: the check itself is skipped"
fi

# Build and run the examples like a user would, unless this is a cross build.
if grep -q '^CMAKE_TOOLCHAIN_FILE' "$cache" 2>/dev/null; then
	echo "cross build: examples not run"
	echo "sparse.sh: $CHECKS checks passed"
	exit 0
fi
cc=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$cache")
san=$(sed -n 's/^MINALIGN_SANITIZE:[A-Z]*=//p' "$cache")
case "$san" in
address) sflags="-fsanitize=address,undefined" ;;
thread) sflags="-fsanitize=thread" ;;
*) sflags="" ;;
esac
for ex in driver_ok driver_bad; do
	# shellcheck disable=SC2086
	expect_rc 0 "cc-$ex" "${cc:-cc}" -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wpedantic -Werror \
		$sflags -I"$SRC/include" "$SRC/examples/sparse/$ex.c" "$build/libminalign.a" \
		$(pkg-config --libs liburcu-bp) -lpthread -o "$TMP/$ex"
	expect_rc 0 "run-$ex" "$TMP/$ex"
	grep -q "^$ex: received \"frame from the wire\"" "$TMP/run-$ex.out" || fail "$ex output"
	ok
done
echo "sparse.sh: $CHECKS checks passed"
