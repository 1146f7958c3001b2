#!/usr/bin/env bash
# scripts/check-sparse.sh - the __dma address-space check (docs/sparse.md), as
# `make check-sparse` runs it (after scripts/deps.sh has installed Debian's sparse):
#   1. examples/sparse/driver_ok.c, opted in (-DMINALIGN_SPARSE_DMA): sparse says nothing;
#   2. examples/sparse/driver_bad.c, opted in: exactly one warning, "different address spaces",
#      on the line after its "check-sparse:" marker (a kmalloc buffer passed to dma_map_single);
#   3. driver_bad.c without the opt-in: nothing (only code that asks is checked);
#   4. the library's own __dma casts (src/slab/dma_kmalloc.c) and a file including every public
#      header, opted in and not: nothing.
# Prints what sparse said about driver_bad.c.  Exit 0 when all hold, 1 otherwise, 77 when sparse
# is not installed.  SPARSE=path overrides the sparse program.
set -uo pipefail
cd "$(dirname "$0")/.."
sparse=${SPARSE:-sparse}
if ! command -v "$sparse" >/dev/null; then
	echo "check-sparse: sparse is not installed (Debian package sparse; make check-sparse installs it)"
	exit 77
fi
flags=(-Iinclude -D_GNU_SOURCE)
optin=(-DMINALIGN_SPARSE_DMA)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

pass() { echo "check-sparse: ok: $*"; }
bad() {
	echo "check-sparse: FAIL: $*"
	failed=1
}

# silent NAME FILE [FLAGS...]: sparse must print nothing at all.
silent() {
	local name=$1 file=$2
	shift 2
	"$sparse" "${flags[@]}" "$@" "$file" >"$tmp/out" 2>&1
	if [ -s "$tmp/out" ]; then
		bad "$name: sparse warned:"
		sed 's/^/    /' "$tmp/out"
	else
		pass "$name: no warning"
	fi
}

echo "check-sparse: $("$sparse" --version 2>&1 | head -1)"
silent "driver_ok.c (opted in)" examples/sparse/driver_ok.c "${optin[@]}"

# The deliberate mistake: one warning, at the marked line, of the address-space kind.
file=examples/sparse/driver_bad.c
marker=$(grep -n 'check-sparse:' "$file" | head -1 | cut -d: -f1)
want=$((marker + 1))
"$sparse" "${flags[@]}" "${optin[@]}" "$file" >"$tmp/bad" 2>&1
echo "check-sparse: sparse -DMINALIGN_SPARSE_DMA $file says:"
sed 's/^/    /' "$tmp/bad"
nwarn=$(grep -cE ': (warning|error):' "$tmp/bad")
hit=$(grep -cE "^$file:$want:[0-9]+: warning: incorrect type in argument 2 \(different address spaces\)" "$tmp/bad")
if [ "$nwarn" = 1 ] && [ "$hit" = 1 ] && grep -q 'expected void __dma \*ptr' "$tmp/bad"; then
	pass "driver_bad.c (opted in): exactly the plain kmalloc buffer given to dma_map_single, line $want"
else
	bad "driver_bad.c (opted in): expected one 'different address spaces' warning at line $want, got $nwarn warning(s)"
fi
silent "driver_bad.c (not opted in)" "$file"

silent "src/slab/dma_kmalloc.c (opted in)" src/slab/dma_kmalloc.c "${optin[@]}"
printf '#include <minalign/minalign.h>\nint sparse_headers(void);\nint sparse_headers(void) { return 0; }\n' >"$tmp/headers.c"
silent "public headers (opted in)" "$tmp/headers.c" "${optin[@]}"
silent "public headers (not opted in)" "$tmp/headers.c"

if [ $failed = 0 ]; then
	echo "check-sparse: passed"
	exit 0
fi
echo "check-sparse: FAILED"
exit 1
