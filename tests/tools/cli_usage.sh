#!/bin/bash
# Every subcommand's bad usage: exit status 2, exactly one line on stderr that starts with
# "minalign: " and names the problem, nothing on stdout.  --help works everywhere.

source "$(dirname "$0")/lib.bash" "$@"
F=$FIX/whatif_mixed.txt

# --help on every subcommand, and the top level
for sub in report whatif replay stress bench slabinfo info help; do
	expect_rc 0 "help_$sub" "$BIN" "$sub" --help
	grep -q "usage: minalign" "$TMP/help_$sub.out" || fail "$sub --help: no usage"
	expect_rc 0 "h_$sub" "$BIN" "$sub" -h
	expect_rc 0 "helpcmd_$sub" "$BIN" help "$sub"
	grep -q "usage: minalign" "$TMP/helpcmd_$sub.out" || fail "help $sub: no usage"
	ok
done
expect_rc 0 top "$BIN" --help
for sub in report whatif replay stress bench slabinfo info; do
	grep -q "^  $sub " "$TMP/top.out" || fail "top-level help lacks $sub"
done
ok

# the top level
expect_usage top_unknown "unknown subcommand 'frobnicate'" "$BIN" frobnicate
expect_usage top_badopt "report: unknown option '--frobnicate'" "$BIN" --frobnicate
expect_usage help_unknown "help: unknown subcommand 'nope'" "$BIN" help nope
expect_usage help_two "help: takes at most one" "$BIN" help whatif replay

# unknown options, on every subcommand
for sub in report whatif replay stress bench slabinfo info; do
	expect_usage "unk_$sub" "$sub: unknown option '--no-such-option'" "$BIN" "$sub" --no-such-option
	expect_usage "unks_$sub" "$sub: unknown option '-Z'" "$BIN" "$sub" -Z
done

# whatif
expect_usage w_line "whatif: --cache-line must be a power of two in 16..256" \
	"$BIN" whatif "$F" --cache-line 48
expect_usage w_line8 "--cache-line must be a power of two in 16..256" "$BIN" whatif "$F" --cache-line 8
expect_usage w_line512 "--cache-line must be a power of two in 16..256" "$BIN" whatif "$F" -l 512
expect_usage w_linetxt "--cache-line must be a power of two in 16..256" "$BIN" whatif "$F" --cache-line=x
expect_usage w_noval "whatif: option '--cache-line' needs a value" "$BIN" whatif "$F" --cache-line
expect_usage w_ram "whatif: --ram must be a non-zero multiple of 4096" "$BIN" whatif "$F" --ram 1000
expect_usage w_ramtxt "whatif: --ram must be" "$BIN" whatif "$F" --ram lots
expect_usage w_ramof "whatif: --ram must be" "$BIN" whatif "$F" --ram 99999999999999999999
expect_usage w_cpus "whatif: --cpus must be a number in 1..65536" "$BIN" whatif "$F" --cpus 0
expect_usage w_two "whatif: takes at most one FILE" "$BIN" whatif "$F" "$F"
expect_usage w_svg "whatif: --svg needs a file name" "$BIN" whatif "$F" --svg=
expect_usage w_jsonval "whatif: option '--json' takes no value" "$BIN" whatif "$F" --json=yes
# runtime failures are status 1, one line
expect_rc 1 w_missing "$BIN" whatif "$TMP/does-not-exist"
grep -q "^minalign: whatif: .*does-not-exist: No such file or directory$" "$TMP/w_missing.err" ||
	fail "whatif missing file message"
ok
printf 'hello\nworld\n' >"$TMP/junk.txt"
expect_rc 1 w_junk "$BIN" whatif "$TMP/junk.txt"
grep -q "no slab rows found (2 malformed)" "$TMP/w_junk.err" || fail "whatif junk message"
ok
expect_rc 1 w_svgdir "$BIN" whatif "$F" --svg "$TMP/no/such/dir/x.svg"
grep -q "^minalign: whatif: .*x.svg: No such file or directory$" "$TMP/w_svgdir.err" || fail "svg error"
ok

# replay
expect_usage r_none "replay: missing TRACE" "$BIN" replay
expect_usage r_two "replay: takes exactly one TRACE" "$BIN" replay a b
expect_usage r_pol "replay: --policy must be one of legacy, bounce, packed, dma_opt_in, naive" \
	"$BIN" replay x --policy sometimes
expect_usage r_line "replay: --cache-line must be a power of two in 16..256" \
	"$BIN" replay x --cache-line 100
expect_usage r_ram "replay: --ram must be" "$BIN" replay x --ram 0
expect_usage r_cfg "replay: bad configuration: " "$BIN" replay "$FIX/perf_script.txt" --ram 4096
expect_rc 1 r_missing "$BIN" replay "$TMP/does-not-exist"
[ "$(wc -l <"$TMP/r_missing.err")" = 1 ] || fail "replay missing: not one line"
ok

# report
expect_usage rep_pos "report: unexpected argument 'extra'" "$BIN" report extra
expect_usage rep_sec "report: --seconds must be a number in (0, 3600]" "$BIN" report --seconds -1
expect_usage rep_sec0 "report: --seconds must be" "$BIN" report --seconds 0
expect_usage rep_seed "report: --seed must be an unsigned number" "$BIN" report --seed x
expect_usage rep_ram "report: --ram must be" "$BIN" report --ram 12
expect_usage rep_cpus "report: --cpus must be" "$BIN" report --cpus many
expect_usage rep_svg "report: --svg needs a file name" "$BIN" report --svg ""
expect_usage rep_top "report: --seconds must be" "$BIN" --seconds abc

# info
expect_usage i_pol "info: --policy must be one of" "$BIN" info --policy turbo
expect_usage i_line "info: --cache-line must be a power of two in 16..256" "$BIN" info -l 17
expect_usage i_ram "info: --ram must be" "$BIN" info --ram 4097
expect_usage i_model "info: --cache-model must be one of sim, native, coherent" \
	"$BIN" info --cache-model magic
expect_usage i_swiotlb "info: --swiotlb must be a size" "$BIN" info --swiotlb -5
expect_usage i_pos "info: unexpected argument 'now'" "$BIN" info now
expect_usage i_cfg "info: bad configuration: " "$BIN" info --ram 4096

# slabinfo, stress, bench
expect_usage s_pos "slabinfo: unexpected argument 'x'" "$BIN" slabinfo x
expect_usage s_cfg "slabinfo: bad configuration: " "$BIN" slabinfo --ram 8192
expect_usage s_line "slabinfo: --cache-line must be a power of two in 16..256" "$BIN" slabinfo -l 1
expect_usage st_pos "stress: unexpected argument 'x'" "$BIN" stress x
expect_usage b_pos "bench: unexpected argument 'x'" "$BIN" bench x
done_ok
