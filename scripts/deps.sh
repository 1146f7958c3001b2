#!/usr/bin/env bash
# scripts/deps.sh - install the Debian packages a make target needs, when they are missing.
#
# usage: scripts/deps.sh build|test|bench|fuzz|sparse|cross
# Says what it checks and what it installs; installs with apt-get as root (or via sudo).
set -euo pipefail

build_pkgs="cmake make gcc g++ pkg-config liburcu-dev libcmocka-dev"
test_pkgs="$build_pkgs valgrind clang libclang-rt-14-dev python3 chromium sparse"
bench_pkgs="$build_pkgs libmimalloc-dev libjemalloc-dev libgoogle-perftools-dev"
fuzz_pkgs="$build_pkgs clang libclang-rt-14-dev"
sparse_pkgs="$build_pkgs sparse"
# cross: compilers and C libraries per target, qemu-user, and what scripts/cross-deps.sh needs to
# build the targets' liburcu and cmocka from Debian's source packages (apt-get source).
cross_pkgs="cmake make pkg-config dpkg-dev bzip2 xz-utils qemu-user-static
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

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	echo "deps($what): all Debian packages present"
	exit 0
fi

echo "deps($what): installing missing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "deps($what): not root and no sudo: install these packages yourself:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! $SUDO apt-get install -y --no-install-recommends $missing; then
	echo "deps($what): install failed; refreshing the package lists and retrying"
	$SUDO apt-get update
	# shellcheck disable=SC2086
	$SUDO apt-get install -y --no-install-recommends $missing
fi
echo "deps($what): done"
