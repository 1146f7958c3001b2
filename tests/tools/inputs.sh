#!/bin/bash
# Inputs real data showed mishandled (issue 16 item 6): one fixture each in fixtures/inputs/
# (its README.md lists them), each with its expected result.  Every --json output is valid JSON.

source "$(dirname "$0")/lib.bash" "$@"

IN=$FIX/inputs

# hex gfp_flags: 0xcc0 = GFP_KERNEL; 0xcc1 adds GFP_DMA (cache-line class under bounce);
# 0x40cc0 adds __GFP_COMP, one flag without minalign meaning
expect_rc 0 hex "$BIN" replay "$IN/hex_gfp.txt" --json
json_check hex "
assert d['hex_gfp_events'] == 3 and d['unknown_gfp_flags'] == 1 and d['malformed']['count'] == 0
c = {k: (v['allocs'], v['live']) for k, v in d['policies']['bounce']['classes'].items()}
assert c == {'8': (2, 2), '128': (1, 1)}, c
c = {k: (v['allocs'], v['live']) for k, v in d['policies']['legacy']['classes'].items()}
assert c == {'128': (3, 3)}, c
"
expect_rc 0 hex_text "$BIN" replay "$IN/hex_gfp.txt"
grep -q 'printed gfp_flags as a number' "$TMP/hex_text.out" || fail "hex: no note"
ok

# options/fields: hex numbers with the decimal in parentheses, raw call sites
expect_rc 0 fields "$BIN" replay "$IN/fields_hex.txt" --json
json_check fields "
assert d['events']['kmalloc'] == 2 and d['events']['kfree'] == 1 and d['malformed']['count'] == 0
c = {k: (v['allocs'], v['live']) for k, v in d['policies']['bounce']['classes'].items()}
assert c == {'32': (2, 1)}, c
s = d['call_sites']
assert len(s) == 1 and s[0]['site'] == '0xffffffff81001234' and s[0]['bytes_req'] == 48, s
assert s[0]['frees'] == 1 and s[0]['live'] == 1 and s[0]['waste_live'] == {'64': 32, '128': 96}
"

# kmalloc without bytes_req: malformed, not sized by bytes_alloc (which would hide the saving)
expect_rc 0 noreq "$BIN" replay "$IN/no_bytes_req.txt" --json
json_check noreq "
assert d['malformed'] == {'count': 2, 'records': [{'line': 2, 'reason': 'no bytes_req'},
                                                 {'line': 3, 'reason': 'no bytes_req'}]}, d['malformed']
assert d['events']['kmalloc'] == 1
c = {k: (v['allocs'], v['live']) for k, v in d['policies']['bounce']['classes'].items()}
assert c == {'16': (1, 1)}, c
"

# loss markers: counted, warned about, live counts flagged as lower bounds
expect_rc 0 lost "$BIN" replay "$IN/lost.txt" --json
json_check lost "
assert d['lost'] == {'markers': 3, 'events': 22, 'markers_without_count': 1,
                     'live_counts_are_lower_bounds': True}, d['lost']
assert d['ignored_lines'] == 0 and d['policies']['bounce']['unmatched_frees'] == 1
"
expect_rc 0 lost_text "$BIN" replay "$IN/lost.txt"
grep -q '^minalign: replay: warning: the trace lost 22 events and more (3 markers)' "$TMP/lost_text.err" ||
	fail "lost: no warning: $(cat "$TMP/lost_text.err")"
grep -q '^lost: .*lower bounds' "$TMP/lost_text.out" || fail "lost: no line in the output"
ok

# no kmem events at all, and a slabinfo without kmalloc rows: status 1, one line
expect_rc 1 noev "$BIN" replay "$IN/no_events.txt" --json
[ "$(wc -l <"$TMP/noev.err")" = 1 ] && grep -q 'no kmem events' "$TMP/noev.err" ||
	fail "noev: $(cat "$TMP/noev.err")"
[ ! -s "$TMP/noev.out" ] || fail "noev: printed a result"
ok
expect_rc 1 nokm "$BIN" whatif "$IN/slab_no_kmalloc.txt" --json
[ "$(wc -l <"$TMP/nokm.err")" = 1 ] && grep -q 'no kmalloc rows' "$TMP/nokm.err" ||
	fail "nokm: $(cat "$TMP/nokm.err")"
[ ! -s "$TMP/nokm.out" ] || fail "nokm: printed a result"
ok

# SLAB up to 4.10: kmalloc-node is its 64-byte class (630 objects beside kmalloc-64's 1890)
expect_rc 0 node "$BIN" whatif "$IN/slab_kmalloc_node.txt" --json
json_check node "
i = d['input']
assert i['kmalloc_rows'] == 5 and i['legacy_names'] == 1 and i['ignored']['count'] == 0, i
c = {x['size']: x['input_objs'] for x in d['classes'] if x['input_objs']}
assert c == {32: 1240, 64: 2520, 128: 640}, c
"

# 2.6-era SLAB: size-N and size-N(DMA); size-100000 is no class (ignored, listed)
expect_rc 0 sizen "$BIN" whatif "$IN/slab_size_n.txt" --json
json_check sizen "
i = d['input']
assert i['kmalloc_rows'] == 7 and i['legacy_names'] == 7 and i['cache_types'] == 2, i
assert i['ignored']['count'] == 1 and i['ignored']['records'][0]['name'] == 'size-100000'
c = {x['size']: x['input_objs'] for x in d['classes'] if x['input_objs']}
assert c == {32: 2260, 64: 1180, 128: 600, 4096: 40}, c
assert i['min_class'] == 32
"
expect_rc 0 sizen_text "$BIN" whatif "$IN/slab_size_n.txt"
grep -q 'old SLAB names' "$TMP/sizen_text.out" || fail "sizen: no note"
ok

# mail-wrapped slabinfo: rows cut after ": tunables", continuation lines skipped, a note
expect_rc 0 wrap "$BIN" whatif "$IN/slab_wrapped.txt" --json
json_check wrap "
i = d['input']
assert i['wrapped_rows'] == 3 and i['continuation_lines'] == 3, i
assert i['malformed']['count'] == 0 and i['kmalloc_rows'] == 3, i
# slabs from num_objs / objperslab: 8 + 8 + ceil(650 / 32) = 37 pages
assert i['slab_bytes'] == 37 * 4096, i['slab_bytes']
"
expect_rc 0 wrap_text "$BIN" whatif "$IN/slab_wrapped.txt"
grep -q 'mail-wrapped' "$TMP/wrap_text.out" || fail "wrap: no note"
ok

# every --json output of every fixture is valid JSON (json_check parsed each above); the other
# fixtures of tests/tools too
for f in "$FIX"/*.txt "$FIX"/*.dat "$IN"/*.txt; do
	case $(basename "$f") in
	whatif_* | slab_*) sub=whatif ;;
	*) sub=replay ;;
	esac
	run_cmd js "$BIN" "$sub" "$f" --json
	[ "$RC" -le 1 ] || fail "$f: status $RC"
	if [ "$RC" = 0 ]; then
		python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/js.out" || fail "$f: JSON"
	fi
	ok
done
done_ok
