#!/usr/bin/env bash
# scripts/deps.sh - install the Debian packages a make target needs, when they are missing.
#
# usage: scripts/deps.sh build|test|bench|fuzz|sparse|cross
# Says what it checks and what it installs; installs with apt-get as root (or via sudo).
set -euo pipefail

build_pkgs="cmake make gcc g++ pkg-config liburcu-dev libcmocka-dev libtracefs-dev libtracecmd-dev libtraceevent-dev"
test_pkgs="$build_pkgs valgrind clang libclang-rt-14-dev python3 chromium sparse sqlite3"
bench_pkgs="$build_pkgs libmimalloc-dev libjemalloc-dev libgoogle-perftools-dev python3 sqlite3 git"
fuzz_pkgs="$build_pkgs clang libclang-rt-14-dev"
sparse_pkgs="$build_pkgs sparse"
# cross: compilers and C libraries per target, and what scripts/cross-deps.sh needs to build the
# targets' liburcu and cmocka from Debian's source packages (apt-get source); qemu: cross_qemu.
cross_pkgs="cmake make pkg-config dpkg-dev bzip2 xz-utils
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
	gcc-arm-linux-gnueabihf libc6-dev-armhf-cross"

what=${1:-build}
case "$what" in
build) pkgs=$build_pkgs ;;
test) pkgs=$test_pkgs ;;
bench) pkgs=$bench_pkgs ;;
fuzz) pkgs=$fuzz_pkgs ;;
sparse) pkgs=$sparse_pkgs ;;
cross) pkgs=$cross_pkgs ;;
*) echo "deps: unknown set '$what' (build|test|bench|fuzz|sparse|cross)" >&2; exit 2 ;;
esac

need_root() {
	if [ "$(id -u)" -eq 0 ]; then
		SUDO=""
	elif command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "deps($what): not root and no sudo: install these yourself:$*" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
}

# Install the packages of "$@" that are missing.
install_missing() {
	local p missing=""
	for p in "$@"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
			missing="$missing $p"
		fi
	done
	if [ -z "$missing" ]; then
		echo "deps($what): all Debian packages present"
		return 0
	fi
	echo "deps($what): installing missing Debian packages:$missing"
	need_root "$missing"
	# shellcheck disable=SC2086
	if ! $SUDO apt-get install -y --no-install-recommends $missing; then
		echo "deps($what): install failed; refreshing the package lists and retrying"
		$SUDO apt-get update
		# shellcheck disable=SC2086
		$SUDO apt-get install -y --no-install-recommends $missing
	fi
	echo "deps($what): done"
}

# cross: qemu-user >= 8.  Bookworm's qemu-user-static (7.2) has no riscv Zicbom, the cbo.*
# instructions the native cache backend issues, so qemu-user (10.x, static binaries named
# qemu-<cpu>) comes from bookworm-backports on Debian's own mirror; backports packages are
# only installed when asked for by name.  Without backports, bookworm's qemu-user-static
# still runs everything but the riscv64 cbo.* instructions.
cross_qemu() {
	local v mirror list=/etc/apt/sources.list.d/minalign-bookworm-backports.sources
	v=$(dpkg-query -W -f='${Version}' qemu-user 2>/dev/null || true)
	if [ -n "$v" ] && dpkg --compare-versions "$v" ge 1:8; then
		echo "deps(cross): qemu-user $v present"
		return 0
	fi
	need_root qemu-user
	if ! apt-cache policy 2>/dev/null | grep -q 'bookworm-backports'; then
		mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null |
			head -1)
		echo "deps(cross): enabling Debian bookworm-backports ($list) for qemu-user"
		printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\n%s\n' \
			"${mirror:-http://deb.debian.org/debian}" \
			'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' | $SUDO tee "$list" >/dev/null
		$SUDO apt-get update || true
	fi
	echo "deps(cross): installing qemu-user from bookworm-backports"
	if $SUDO apt-get install -y --no-install-recommends -t bookworm-backports qemu-user; then
		echo "deps(cross): done"
		return 0
	fi
	echo "deps(cross): bookworm-backports unavailable: bookworm's qemu-user-static instead" \
		"(riscv64 then runs without the Zicbom instructions)"
	install_missing qemu-user-static
}

# shellcheck disable=SC2086
install_missing $pkgs
[ "$what" != cross ] || cross_qemu
