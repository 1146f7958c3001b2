#!/usr/bin/env bash
# Cross builds for arm64, riscv64 and 32-bit Arm, unit and scenario suites under qemu-user
# (scripts/test-cross.sh).  The cross toolchains are installed first (scripts/deps.sh cross);
# when that is impossible (no root, no network) the stage says so and is skipped.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! deps_out=$(scripts/deps.sh cross 2>&1); then
	echo "$deps_out" | tail -5
	echo "STAGE-SKIPPED cross toolchains could not be installed (scripts/deps.sh cross failed)"
	exit 0
fi
echo "$deps_out"
exec scripts/test-cross.sh
