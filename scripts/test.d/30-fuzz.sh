#!/usr/bin/env bash
# The short fuzz run (scripts/fuzz.sh short, about a minute) as a stage of scripts/test.sh.
# Skipped when clang/libFuzzer is missing; a failure names the reproducer to replay.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=$(scripts/fuzz.sh short 2>&1)
rc=$?
echo "$out" | tail -20
case $rc in
0) echo "STAGE-RESULT passed=1 failed=0" ;;
77) echo "STAGE-SKIPPED clang with libFuzzer not installed" ;;
*)
	repro=$(echo "$out" | sed -n 's/.*reproducer: \([^ ]*\).*/\1/p' | tail -1)
	echo "STAGE-RESULT passed=0 failed=1 reproducer=${repro:-none, see the log above}"
	;;
esac
exit 0
