#!/usr/bin/env bash
# tests/tools/install.sh - `cmake --install` puts headers, the static and shared libraries, the
# program and minalign.pc in place; a program builds against it with pkg-config and runs; the
# shared library exports only the public API (kernel names declared in include/minalign and
# minalign_*), everything internal hidden.
# usage: install.sh <minalign-binary> <source-dir>
set -euo pipefail
bin=$1
src=$2
build=$(dirname "$bin")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi; }

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
libdir=$(ls -d "$tmp"/prefix/lib*/ | head -1)
check "headers installed" "[ -f $tmp/prefix/include/minalign/minalign.h ]"
check "static library installed" "[ -f ${libdir}libminalign.a ]"
check "shared library installed" "ls ${libdir}libminalign.so* >/dev/null 2>&1"
check "program installed" "[ -x $tmp/prefix/bin/minalign ]"
check "minalign.pc installed" "[ -f ${libdir}pkgconfig/minalign.pc ]"

check "bundled sample installed" "[ -f $tmp/prefix/share/minalign/slabinfo.txt ]"

# The installed program, moved away from both the source tree and the prefix it was installed
# to, finds the sample under its own prefix when the live statistics are missing, and says so.
cp -a "$tmp/prefix" "$tmp/moved"
rm -rf "$tmp/prefix/share/minalign"
env MINALIGN_PROC_SLABINFO="$tmp/missing" MINALIGN_SYS_SLAB="$tmp/missing" \
	"$tmp/moved/bin/minalign" whatif >"$tmp/moved.out" 2>&1 || true
check "moved install reads its own sample, and says so" \
	"grep -q '^source:  $tmp/moved/share/minalign/slabinfo.txt (bundled sample, slabinfo 2.1)' $tmp/moved.out"
check "and says why the live statistics were not used" \
	"grep -q '$tmp/missing: No such file or directory' $tmp/moved.out"
env MINALIGN_PROC_SLABINFO="$tmp/missing" MINALIGN_SYS_SLAB="$tmp/missing" \
	MINALIGN_DATADIR="$tmp/moved/share/minalign" "$tmp/moved/bin/minalign" whatif --json \
	>"$tmp/datadir.out" 2>&1 || true
check "MINALIGN_DATADIR names the sample's directory" \
	"grep -q '\"source\": \"$tmp/moved/share/minalign/slabinfo.txt\"' $tmp/datadir.out"

# Exported symbols: each is minalign_* or a name the public headers declare.
nm -D --defined-only "${libdir}libminalign.so" | awk '$2 ~ /[TDBRV]/ {print $3}' | sort -u >"$tmp/syms"
cat "$src"/include/minalign/*.h >"$tmp/headers"
bad=""
while read -r s; do
	case "$s" in minalign_*) continue ;; esac
	grep -qE "\\b$s\\(" "$tmp/headers" || bad="$bad $s"
done <"$tmp/syms"
check "only public symbols exported (unexpected:${bad:- none})" "[ -z \"$bad\" ]"
check "internal ma_* symbols hidden" "! grep -q '^ma_' $tmp/syms"
check "kmalloc and dma_map_single exported" "grep -qx kmalloc $tmp/syms && grep -qx dma_map_single $tmp/syms"

# A user program, built with pkg-config against the installed tree.
if grep -qE 'MINALIGN_SANITIZE:STRING=(address|thread)' "$build/CMakeCache.txt"; then
	echo "skip: user-program build (this build of the library is sanitized)"
else
	cat >"$tmp/user.c" <<'C'
#include <minalign/minalign.h>
#include <stdio.h>
int main(void)
{
	struct minalign_stats st;
	void *p;

	if (minalign_init(NULL))
		return 1;
	p = kmalloc(24, GFP_KERNEL);
	if (!p || ksize(p) < 24)
		return 2;
	kfree(p);
	minalign_get_stats(&st);
	printf("ram %llu\n", (unsigned long long)st.ram_bytes);
	minalign_exit();
	return 0;
}
C
	export PKG_CONFIG_PATH="${libdir}pkgconfig"
	# shellcheck disable=SC2046
	check "user program compiles with pkg-config (shared)" \
		"cc -std=c11 -Wall -Werror -o $tmp/user $tmp/user.c \$(pkg-config --cflags --libs minalign)"
	check "user program runs against the shared library" \
		"LD_LIBRARY_PATH=$libdir $tmp/user | grep -q 'ram 1073741824'"
	check "user program links statically" \
		"cc -std=c11 -o $tmp/user_s $tmp/user.c \$(pkg-config --cflags minalign) ${libdir}libminalign.a \$(pkg-config --libs-only-l --static liburcu-bp) -lpthread && $tmp/user_s | grep -q 'ram 1073741824'"
fi
exit $fail
