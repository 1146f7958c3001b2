# tests/tools/lib.bash - shared helpers for the CLI tests (sourced, not run as a test).
# Usage in a test: source "$(dirname "$0")/lib.bash" "$@"  (arguments: minalign binary, source dir)

set -u
BIN=${1:?usage: $0 MINALIGN_BIN SOURCE_DIR}
SRC=${2:?usage: $0 MINALIGN_BIN SOURCE_DIR}
FIX=$SRC/tests/tools/fixtures
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
CHECKS=0

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

ok() {
	CHECKS=$((CHECKS + 1))
}

# run_cmd NAME CMD...: runs CMD with stdout to $TMP/NAME.out, stderr to $TMP/NAME.err; sets RC.
run_cmd() {
	local name=$1
	shift
	"$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	RC=$?
}

# expect_rc WANT NAME CMD...
expect_rc() {
	local want=$1 name=$2
	shift 2
	run_cmd "$name" "$@"
	if [ "$RC" != "$want" ]; then
		echo "--- stdout" >&2
		head -c 4000 "$TMP/$name.out" >&2
		echo "--- stderr" >&2
		head -c 4000 "$TMP/$name.err" >&2
		fail "$name: exit status $RC, expected $want: $*"
	fi
	ok
}

# expect_usage NAME NEEDLE CMD...: exit 2, exactly one line on stderr containing NEEDLE, no stdout.
expect_usage() {
	local name=$1 needle=$2
	shift 2
	expect_rc 2 "$name" "$@"
	[ "$(wc -l <"$TMP/$name.err")" = 1 ] || fail "$name: stderr is not one line: $(cat "$TMP/$name.err")"
	grep -q '^minalign: ' "$TMP/$name.err" || fail "$name: message lacks the 'minalign: ' prefix"
	grep -qF -- "$needle" "$TMP/$name.err" || fail "$name: message lacks '$needle': $(cat "$TMP/$name.err")"
	[ ! -s "$TMP/$name.out" ] || fail "$name: bad usage printed to stdout"
	ok
}

# json_check NAME PYTHON: parse $TMP/NAME.out with json.load as `d`, then run the PYTHON
# statements (asserts) with d in scope.
json_check() {
	local name=$1 code=$2
	python3 - "$TMP/$name.out" "$code" <<'PY' || fail "$name: JSON check failed"
import json, sys
with open(sys.argv[1]) as f:
    d = json.load(f)
exec(sys.argv[2])
PY
	ok
}

# svg_check FILE: well-formed XML whose root is an svg element with at least one rect.
svg_check() {
	python3 - "$1" <<'PY' || fail "$1: not a well-formed SVG"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "{http://www.w3.org/2000/svg}svg", root.tag
assert len(root.findall(".//{http://www.w3.org/2000/svg}rect")) > 1
PY
	ok
}

done_ok() {
	echo "PASS: $(basename "$0"): $CHECKS checks"
	exit 0
}
