#!/usr/bin/env bash
# tests/tools/examples.sh - every example builds and runs like a user's program: this build is
# installed into a temporary prefix (cmake --install), then each program of examples/ is
# compiled with -Wall -Wextra -Wpedantic -Werror and `pkg-config --cflags --libs minalign`
# against that prefix only, and run (exit status 0).  Programs: every examples/*.c, and in each
# examples/*/ directory every .c with a main() (with the directory's other .c files linked in).
# The README's C block is examples/quickstart.c, whole, so the README cannot drift.
# usage: examples.sh <minalign-binary> <source-dir>
source "$(dirname "$0")/lib.bash" "$@"
build=$(dirname "$BIN")
cache=$build/CMakeCache.txt

# The README shows quickstart.c whole: its first ```c block is the file.
python3 - "$SRC/README.md" "$SRC/examples/quickstart.c" <<'PY' || fail "README's C example is not examples/quickstart.c"
import re, sys
readme, ex = open(sys.argv[1]).read(), open(sys.argv[2]).read()
m = re.search(r"```c\n(.*?)```", readme, re.S)
assert m, "no C block in the README"
assert m.group(1) == ex, "README's C block differs from examples/quickstart.c"
PY
ok

if grep -q '^CMAKE_TOOLCHAIN_FILE' "$cache" 2>/dev/null; then
	echo "cross build: examples not built"
	done_ok
fi
cc=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$cache")
case "$(sed -n 's/^MINALIGN_SANITIZE:[A-Z]*=//p' "$cache")" in
address) sflags="-fsanitize=address,undefined" ;;
thread) sflags="-fsanitize=thread" ;;
*) sflags="" ;;
esac
cmake --install "$build" --prefix "$TMP/prefix" >"$TMP/install.log" 2>&1 || fail "cmake --install"
pcdir=$(dirname "$(find "$TMP/prefix" -name minalign.pc | head -1)")
libdir=$(dirname "$pcdir")
export PKG_CONFIG_PATH=$pcdir
flags=$(pkg-config --cflags minalign) || fail "pkg-config --cflags minalign"
libs=$(pkg-config --libs minalign) || fail "pkg-config --libs minalign"
# only the installed headers: not the source tree's
case "$flags" in *"$SRC/include"*) fail "pkg-config points into the source tree: $flags" ;; esac

has_main() { grep -qE '^int main\(' "$1"; }
# build_run NAME MAIN [OTHER.c...]
build_run() {
	local name=$1
	shift
	# shellcheck disable=SC2086
	expect_rc 0 "cc-$name" "${cc:-cc}" -std=c11 -Wall -Wextra -Wpedantic -Werror $sflags \
		$flags "$@" $libs -Wl,-rpath,"$libdir" -o "$TMP/$name"
	expect_rc 0 "run-$name" "$TMP/$name"
	echo "ok: $name: $(head -1 "$TMP/run-$name.out")"
}

n=0
for f in "$SRC"/examples/*.c; do
	[ -e "$f" ] || continue
	build_run "$(basename "$f" .c)" "$f"
	n=$((n + 1))
done
for d in "$SRC"/examples/*/; do
	[ -d "$d" ] || continue
	others=()
	for f in "$d"*.c; do has_main "$f" || others+=("$f"); done
	for f in "$d"*.c; do
		has_main "$f" || continue
		build_run "$(basename "$d")-$(basename "$f" .c)" "$f" "${others[@]}"
		n=$((n + 1))
	done
done
[ "$n" -ge 3 ] || fail "only $n example programs found"
grep -q '^received "frame from the wire"; neighbour intact$' "$TMP/run-quickstart.out" ||
	fail "quickstart: $(cat "$TMP/run-quickstart.out")"
ok
done_ok
