#!/usr/bin/env bash
# The Debian packages of `make deb` (cmake/package.cmake), checked as a user would get them:
#  - dpkg-deb -c: minalign holds the program, man page, sample and shared library (with its
#    soname link) and libminalign-malloc.so; libminalign-dev the headers, static library, .so
#    link and minalign.pc;
#  - the shared library's SONAME, and each package's Depends (liburcu8; minalign, liburcu-dev);
#  - both extracted (dpkg -x) into a temporary root: examples/quickstart.c builds with
#    -Wall -Wextra -Werror through that root's minalign.pc and runs; the extracted program finds
#    its own bundled sample there when the live statistics are missing.
# dpkg -x instead of dpkg -i keeps this machine's /usr untouched while other builds run; set
# MINALIGN_DEB_INSTALL=1 to also install both packages for real, build quickstart.c with the
# system's pkg-config, and purge them again.
set -uo pipefail
cd "$(dirname "$0")/../.."
for tool in dpkg-deb dpkg-shlibdeps cpack; do
	if ! command -v "$tool" >/dev/null; then
		echo "STAGE-SKIPPED $tool not installed (scripts/deps.sh deb)"
		exit 0
	fi
done
pass=0
fail=0
check() {
	if eval "$2"; then
		pass=$((pass + 1))
	else
		echo "FAIL: $1"
		fail=$((fail + 1))
	fi
}
finish() {
	echo "deb: $pass passed, $fail failed"
	echo "STAGE-RESULT passed=$pass failed=$fail"
	exit 0
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

rm -f build/deb/*.deb
if ! scripts/quiet-build.sh deb all || ! (cd build/deb && cpack -G DEB >cpack.log 2>&1); then
	tail -30 build/deb/cpack.log 2>/dev/null
	fail=1
	finish
fi
run=$(ls build/deb/minalign_*.deb 2>/dev/null | head -1)
dev=$(ls build/deb/libminalign-dev_*.deb 2>/dev/null | head -1)
check "two packages built" "[ -n '$run' ] && [ -n '$dev' ]"
[ -n "$run" ] && [ -n "$dev" ] || finish
dpkg-deb -c "$run" | awk '{print $6}' >"$tmp/run.list"
dpkg-deb -c "$dev" | awk '{print $6}' >"$tmp/dev.list"
for f in ./usr/bin/minalign ./usr/share/man/man1/minalign.1 ./usr/share/minalign/slabinfo.txt; do
	check "minalign holds $f" "grep -qx '$f' $tmp/run.list"
done
check "minalign holds libminalign.so.0 and its real file" \
	"grep -qE '/libminalign\\.so\\.0\$' $tmp/run.list && grep -qE '/libminalign\\.so\\.0\\.[0-9.]+\$' $tmp/run.list"
if [ -d preload ]; then
	check "minalign holds libminalign-malloc.so" "grep -qE '/libminalign-malloc\\.so\$' $tmp/run.list"
fi
for f in include/minalign/minalign.h include/minalign/dma-mapping.h 'libminalign\.a' \
	'libminalign\.so' 'pkgconfig/minalign\.pc'; do
	check "libminalign-dev holds $f" "grep -qE '/$f\$' $tmp/dev.list"
done
check "the dev package has no program, the runtime no headers" \
	"! grep -q bin/minalign $tmp/dev.list && ! grep -q include/ $tmp/run.list"
check "minalign Depends on liburcu8" "dpkg-deb -f '$run' Depends | grep -q 'liburcu8'"
check "libminalign-dev Depends on minalign (= version) and liburcu-dev" \
	"dpkg-deb -f '$dev' Depends | grep -q 'minalign (= ' && dpkg-deb -f '$dev' Depends | grep -q liburcu-dev"

root=$tmp/root
dpkg -x "$run" "$root" && dpkg -x "$dev" "$root"
so=$(find "$root" -name 'libminalign.so.0.*' | head -1)
check "SONAME libminalign.so.0" "readelf -d '$so' | grep -q 'SONAME.*\\[libminalign.so.0\\]'"
check "man page renders" "man -l '$root/usr/share/man/man1/minalign.1' 2>/dev/null | grep -q 'MINALIGN_DATADIR'"
pc=$(find "$root" -name minalign.pc | head -1)
libdir=$(dirname "$(dirname "$pc")")
check "quickstart.c builds with pkg-config against the package" \
	"cc -std=c11 -Wall -Wextra -Wpedantic -Werror examples/quickstart.c \
		\$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags --libs minalign) -o $tmp/quickstart"
check "and runs on the packaged library" \
	"LD_LIBRARY_PATH=$libdir $tmp/quickstart | grep -q 'neighbour intact'"
inc=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags-only-I minalign | awk '{print $1}')
check "its include path is the package's" "[ \"\$(realpath -m '${inc#-I}')\" = '$root/usr/include' ]"
env MINALIGN_PROC_SLABINFO="$tmp/missing" MINALIGN_SYS_SLAB="$tmp/missing" \
	"$root/usr/bin/minalign" whatif >"$tmp/whatif.out" 2>&1
check "the packaged program reads its own sample" \
	"grep -q '^source:  $root/usr/share/minalign/slabinfo.txt (bundled sample' $tmp/whatif.out"

if [ "${MINALIGN_DEB_INSTALL:-0}" = 1 ]; then
	check "dpkg -i both" "dpkg -i '$run' '$dev' >$tmp/dpkg.log 2>&1"
	check "quickstart.c builds with the system's pkg-config" \
		"cc -std=c11 -Wall -Wextra -Werror examples/quickstart.c \$(pkg-config --cflags --libs minalign) -o $tmp/q2 && $tmp/q2 | grep -q 'neighbour intact'"
	check "man minalign" "man minalign 2>/dev/null | grep -q 'MINALIGN_DATADIR'"
	check "dpkg -P both" "dpkg -P libminalign-dev minalign >>$tmp/dpkg.log 2>&1"
fi
finish
