#!/bin/bash
# The messages a newcomer meets first: a directory where a file belongs, a run too short to mean
# anything, "1 CPU", every --policy choice listed, a directory that is no /sys/kernel/slab, and
# live statistics this user may not read (the reason, and what to do, instead of "no rows").
# usage: cli_messages.sh <minalign-binary> <source-dir>

source "$(dirname "$0")/lib.bash" "$@"
F=$FIX/whatif_mixed.txt

# replay of a directory: says so, not "Input/output error"
expect_rc 1 replay_dir "$BIN" replay "$TMP"
grep -q "replay: $TMP: is a directory, not a trace" "$TMP/replay_dir.err" ||
	fail "replay DIR: $(cat "$TMP/replay_dir.err")"
! grep -q "Input/output error" "$TMP/replay_dir.err" || fail "replay DIR still says EIO"
ok

# A SoC run too short to mean anything is warned about; a sensible one is not.
expect_rc 0 short "$BIN" report --slabinfo "$F" --seconds 1e-9
grep -q "report: warning: --seconds 1e-09 is too short .* use 0.1 or more" "$TMP/short.err" ||
	fail "report --seconds 1e-9: no warning: $(cat "$TMP/short.err")"
expect_rc 0 long_enough "$BIN" report --slabinfo "$F" --seconds 0.1 --json
! grep -q "too short" "$TMP/long_enough.err" || fail "report --seconds 0.1 warned"
expect_rc 0 stress_short "$BIN" stress --policy bounce --seconds 0.001
grep -q "stress: warning: --seconds 0.001 is too short" "$TMP/stress_short.err" ||
	fail "stress --seconds 0.001: no warning"
ok

# "1 CPU", "2 CPUs"
expect_rc 0 cpu1 "$BIN" whatif "$F" --cpus 1
grep -q "1 CPU for SLUB's slab order" "$TMP/cpu1.out" || fail "--cpus 1: $(grep CPU "$TMP/cpu1.out")"
! grep -q "1 CPUs" "$TMP/cpu1.out" || fail "'1 CPUs' printed"
expect_rc 0 cpu2 "$BIN" whatif "$F" --cpus 2
grep -q "2 CPUs for SLUB's slab order" "$TMP/cpu2.out" || fail "--cpus 2"
ok

# stress --policy lists every choice, 'all' included; other subcommands do not offer 'all'
expect_usage stress_pol "--policy must be one of legacy, bounce, packed, dma_opt_in, naive or all" \
	"$BIN" stress --policy foo
expect_usage bench_pol "--policy must be one of legacy, bounce, packed, dma_opt_in, naive" \
	"$BIN" bench --policy all

# whatif of a directory that is no /sys/kernel/slab: what was found, by name
D=$TMP/notsys
mkdir -p "$D/subdir"
echo hello >"$D/notes.txt"
expect_rc 1 notsys "$BIN" whatif "$D"
grep -q "whatif: $D: not a /sys/kernel/slab directory" "$TMP/notsys.err" ||
	fail "whatif DIR: $(cat "$TMP/notsys.err")"
grep -q "found 2 entries: .*notes.txt (a file, not a cache directory)" "$TMP/notsys.err" ||
	fail "whatif DIR does not list the file"
grep -q "subdir (missing or bad order)" "$TMP/notsys.err" || fail "whatif DIR does not list subdir"
! grep -q "malformed" "$TMP/notsys.err" || fail "whatif DIR calls entries malformed"
ok

# Live statistics this user may not read: as root, run as nobody (root reads everything).
if [ "$(id -u)" = 0 ]; then
	as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
else
	as_user() { "$@"; }
fi
chmod 755 "$TMP"
P=$TMP/perm
mkdir -p "$P"
cp "$F" "$P/slabinfo"
cp -r "$FIX/sysslab" "$P/sys"
chmod -R a+rX "$P"
chmod 0400 "$P/slabinfo"
find "$P/sys" -type f -exec chmod 0400 {} +
if ! command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	echo "skip: permission checks (root without setpriv)"
elif ! as_user test -x "$BIN"; then
	echo "skip: permission checks (the unprivileged user cannot run $BIN)"
else
	live=(env MINALIGN_PROC_SLABINFO="$P/slabinfo" MINALIGN_SYS_SLAB="$P/sys")
	# with the bundled sample: used, and the note says why and what to do
	expect_rc 0 perm_sample as_user "${live[@]}" "$BIN" whatif
	grep -q "bundled sample" "$TMP/perm_sample.out" || fail "no sample used"
	grep -q "$P/slabinfo: permission denied; $P/sys: permission denied on its files; run as root" \
		"$TMP/perm_sample.out" || fail "sample note: $(sed -n 3,4p "$TMP/perm_sample.out")"
	# without it: a failure that names the permission problem, never "no slab rows"
	expect_rc 1 perm_none as_user "${live[@]}" MINALIGN_DATADIR="$TMP/none" "$BIN" whatif
	grep -q "no slab statistics: $P/slabinfo: permission denied; .*no bundled sample (looked for $TMP/none/slabinfo.txt); run as root" \
		"$TMP/perm_none.err" || fail "no-sample message: $(cat "$TMP/perm_none.err")"
	! grep -q "no slab rows" "$TMP/perm_none.err" || fail "blames the rows for a permission problem"
	# a file or directory given by name
	expect_rc 1 perm_file as_user "$BIN" whatif "$P/slabinfo"
	grep -q "$P/slabinfo: permission denied (run as root" "$TMP/perm_file.err" || fail "perm file"
	expect_rc 1 perm_dir as_user "$BIN" whatif "$P/sys"
	grep -q "$P/sys: permission denied on [0-9]* of its files (run as root)" "$TMP/perm_dir.err" ||
		fail "perm dir: $(cat "$TMP/perm_dir.err")"
	ok
fi
done_ok
