#!/usr/bin/env bash
# scripts/cross-deps.sh - the target libraries a cross build links, built from Debian's sources.
#
# usage: scripts/cross-deps.sh ARCH...      (ARCH: aarch64 riscv64 armhf)
#
# The library links liburcu-bp and the tests link cmocka.  Debian bookworm has no riscv64 port,
# so their riscv64 binary packages do not exist; rather than mix multiarch packages for two
# targets with something else for the third, every target gets the same treatment:
#   1. `apt-get source liburcu cmocka` (bookworm's source packages, Debian patches applied), with
#      a private deb-src list under build/cross-deps/apt: the machine's apt configuration is not
#      touched;
#   2. each is cross-built with Debian's <triplet>-gcc and installed into
#      build/cross-deps/<arch>/prefix, which cmake/toolchains/*.cmake point pkg-config at.
# Each step is skipped when its result is already there (about 30 s per target otherwise).
# Needs: the `cross` package set of scripts/deps.sh (cross gcc, libc6-dev-*-cross, dpkg-dev).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
deps=$root/build/cross-deps
jobs=${JOBS:-2}
SOURCES="liburcu cmocka"

triplet_of() {
	case "$1" in
	aarch64) echo aarch64-linux-gnu ;;
	riscv64) echo riscv64-linux-gnu ;;
	armhf) echo arm-linux-gnueabihf ;;
	*) echo "cross-deps: unknown architecture '$1' (aarch64 riscv64 armhf)" >&2; return 1 ;;
	esac
}

# Download and unpack the source packages once, into build/cross-deps/src.
fetch_sources() {
	local apt=$deps/apt src=$deps/src opts p missing=""
	for p in $SOURCES; do
		[ -e "$src/$p.stamp" ] || missing="$missing $p"
	done
	[ -n "$missing" ] || return 0
	echo "cross-deps: fetching Debian source packages:$missing"
	mkdir -p "$apt/lists/partial" "$src"
	cat >"$apt/sources.list" <<-EOF
		deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
	EOF
	opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/none"
		-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o "APT::Sandbox::User=root")
	mkdir -p "$apt/cache/archives/partial"
	apt-get "${opts[@]}" -qq update
	for p in $missing; do
		rm -rf "${src:?}/$p" "$src/$p".tmp
		mkdir -p "$src/$p.tmp"
		(cd "$src/$p.tmp" && apt-get "${opts[@]}" -qq source "$p" >/dev/null)
		# The unpacked tree is the only directory apt-get source leaves.
		mv "$(find "$src/$p.tmp" -mindepth 1 -maxdepth 1 -type d | head -1)" "$src/$p"
		rm -rf "$src/$p.tmp"
		touch "$src/$p.stamp"
	done
}

# True when library $2 is installed in prefix $1 and was built for that very path (a tree that
# was moved or copied has .pc and libtool files pointing elsewhere: rebuild).
built_here() {
	local pc=$1/lib/pkgconfig/$2.pc
	[ -e "$pc" ] && grep -q "^\(prefix=$1\|Libs: -L$1/lib \)" "$pc"
}

build_liburcu() {
	local arch=$1 triplet=$2 prefix=$3 obj=$deps/$1/obj-liburcu
	built_here "$prefix" liburcu-bp && return 0
	echo "cross-deps($arch): building liburcu $(version_of liburcu)"
	rm -rf "$obj"
	mkdir -p "$obj"
	# --disable-maintainer-mode: Debian's patches touch Makefile.am; do not rerun automake.
	(cd "$obj" && "$deps/src/liburcu/configure" --host="$triplet" --prefix="$prefix" \
		--libdir="$prefix/lib" --disable-static --disable-maintainer-mode CFLAGS="-O2 -g0" \
		>configure.log 2>&1 && make -j "$jobs" -C src install >make.log 2>&1 &&
		make -C include install >>make.log 2>&1) || {
		echo "cross-deps($arch): liburcu build failed; last lines of the logs in $obj:" >&2
		tail -20 "$obj"/*.log >&2
		return 1
	}
}

build_cmocka() {
	local arch=$1 triplet=$2 prefix=$3 obj=$deps/$1/obj-cmocka
	built_here "$prefix" cmocka && return 0
	echo "cross-deps($arch): building cmocka $(version_of cmocka)"
	rm -rf "$obj"
	(cmake -S "$deps/src/cmocka" -B "$obj" -DCMAKE_SYSTEM_NAME=Linux \
		-DCMAKE_C_COMPILER="$triplet-gcc" -DCMAKE_BUILD_TYPE=Release \
		-DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib -DUNIT_TESTING=OFF \
		-DWITH_EXAMPLES=OFF >"$deps/$arch/cmocka-configure.log" 2>&1 &&
		cmake --build "$obj" -j "$jobs" >"$deps/$arch/cmocka-build.log" 2>&1 &&
		cmake --install "$obj" >>"$deps/$arch/cmocka-build.log" 2>&1) || {
		echo "cross-deps($arch): cmocka build failed:" >&2
		tail -20 "$deps/$arch"/cmocka-*.log >&2
		return 1
	}
}

version_of() {
	sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$deps/src/$1/debian/changelog"
}

[ $# -gt 0 ] || { echo "usage: scripts/cross-deps.sh aarch64|riscv64|armhf..." >&2; exit 2; }
for arch in "$@"; do
	triplet_of "$arch" >/dev/null
done
fetch_sources
for arch in "$@"; do
	triplet=$(triplet_of "$arch")
	if ! command -v "$triplet-gcc" >/dev/null; then
		echo "cross-deps($arch): $triplet-gcc not installed (scripts/deps.sh cross)" >&2
		exit 1
	fi
	prefix=$deps/$arch/prefix
	mkdir -p "$deps/$arch"
	build_liburcu "$arch" "$triplet" "$prefix"
	build_cmocka "$arch" "$triplet" "$prefix"
	echo "cross-deps($arch): liburcu $(version_of liburcu), cmocka $(version_of cmocka) in $prefix"
done
