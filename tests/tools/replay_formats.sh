#!/bin/bash
# replay on one hand-made allocation sequence written in the three text formats:
# fixtures/trace_pipe.txt (hashed pointers, zeros and "(null)"), fixtures/trace_cmd_report.txt
# ("(func+0xoff)" prefix, raw 0xffff... pointers, "(nil)"), fixtures/perf_script.txt ("kmem:"
# event prefix, raw pointers, "0x0" and "(nil)").
#
# The sequence (hand count):
#   A kmalloc 20 GFP_KERNEL          legacy: 128   bounce/naive/dma_opt_in: 32   later kfree'd
#   B kmalloc 100 __GFP_ZERO         128 everywhere
#   C kmalloc_node 300 ACCOUNT       512 everywhere (kmalloc-cg-512)
#   D kmem_cache_alloc dentry 192    a named cache ("kmem_cache"), later kmem_cache_free'd
#   E kmalloc 8 GFP_ATOMIC           legacy: 128   8-byte policies: 8
#   F kmalloc 20000                  beyond 8 KiB: pages ("large")
#   kfree of NULL, a NULL kmalloc    skipped (null_frees 1, null_allocs 1)
#   kfree of a pointer never seen    unmatched_frees 1
#   H kmalloc 40 GFP_DMA             128 under every policy (GFP_DMA is cache-line aligned)
#   I kmem_cache_alloc_node name=kmalloc-64 bytes_req=50: replayed as kmalloc(50): legacy 128,
#                                    8-byte policies 64
#   one sched_switch line: ignored;  __GFP_THISNODE: an unknown gfp name
#   malformed: kmalloc without ptr, kfree with ptr=zzzz, and the last line cut in the middle of
#   "bytes_req" without a newline (no bytes_req)
# So: events kmalloc 6, kmalloc_node 1, kmem_cache_alloc 1, kmem_cache_alloc_node 1, kfree 3,
# kmem_cache_free 1; replayed allocs 8, frees 2 (A, D).
# Per class, allocs/live: legacy and packed 128: 5/4 (A B E H I, A freed), 512: 1/1, large 1/1,
# kmem_cache 1/0; bounce, dma_opt_in, naive: 8: 1/1, 32: 1/0, 64: 1/1, 128: 2/2, 512 1/1, large 1/1.

source "$(dirname "$0")/lib.bash" "$@"

check_trace() {
	local name=$1 file=$2 bad=$3
	expect_rc 0 "$name" "$BIN" replay "$FIX/$file" --json
	json_check "$name" "
bad = [$bad]
e = d['events']
assert e == {'kmalloc': 6, 'kmalloc_node': 1, 'kmem_cache_alloc': 1, 'kmem_cache_alloc_node': 1,
             'kfree': 3, 'kmem_cache_free': 1}, e
assert d['truncated'] is True
assert d['malformed']['count'] == 3
assert [r['line'] for r in d['malformed']['records']] == bad, d['malformed']
assert [r['reason'] for r in d['malformed']['records']] == ['no ptr', 'bad ptr', 'no bytes_req']
assert d['null_allocs'] == 1 and d['null_frees'] == 1 and d['unknown_gfp_flags'] == 1
assert d['cache_line'] == 128
P = d['policies']
assert set(P) == {'legacy', 'bounce', 'packed', 'dma_opt_in', 'naive'}
for name, p in P.items():
    assert p['allocs'] == 8 and p['frees'] == 2, (name, p)
    assert p['unmatched_frees'] == 1 and p['failed_allocs'] == 0 and p['reused_ptrs'] == 0
    assert p['reports'] == 0, (name, p)
    assert p['peak_slab_bytes'] >= p['final_slab_bytes'] > 0, (name, p)
    assert p['peak_large_bytes'] >= 20000 and p['final_large_bytes'] >= 20000
    assert p['peak_slab_bytes'] % 4096 == 0
    c = {k: (v['allocs'], v['live']) for k, v in p['classes'].items()}
    if name in ('legacy', 'packed'):
        want = {'128': (5, 4), '512': (1, 1), 'large': (1, 1), 'kmem_cache': (1, 0)}
    else:
        want = {'8': (1, 1), '32': (1, 0), '64': (1, 1), '128': (2, 2), '512': (1, 1),
                'large': (1, 1), 'kmem_cache': (1, 0)}
    assert c == want, (name, c)
"
}

check_trace pipe trace_pipe.txt "21, 22, 23"
check_trace cmd trace_cmd_report.txt "17, 18, 19"
check_trace perf perf_script.txt "15, 16, 17"

# The three formats describe the same allocations: identical per-policy results.
python3 - "$TMP/pipe.out" "$TMP/cmd.out" "$TMP/perf.out" <<'PY' || fail "formats disagree"
import json, sys
r = [json.load(open(f))["policies"] for f in sys.argv[1:]]
assert r[0] == r[1] == r[2]
PY
ok

# Text output: malformed lines with their numbers, the truncated last line, the class table.
expect_rc 0 text "$BIN" replay "$FIX/trace_pipe.txt"
grep -q 'malformed: 3 lines: line 21 (no ptr), line 22 (bad ptr), line 23 (no bytes_req)' \
	"$TMP/text.out" || fail "text: malformed"
grep -q 'last line truncated' "$TMP/text.out" || fail "text: truncated"
grep -qE '^  128 +5 / 4 +2 / 2 +5 / 4 +2 / 2 +2 / 2$' "$TMP/text.out" || fail "text: class 128 row"
ok

# One policy, another cache line, stdin.
expect_rc 0 one bash -c "\"$BIN\" replay - --policy bounce --cache-line 64 --json < \"$FIX/perf_script.txt\""
json_check one '
assert list(d["policies"]) == ["bounce"] and d["cache_line"] == 64 and d["trace"] == "-"
c = d["policies"]["bounce"]["classes"]
assert c["64"]["allocs"] == 2   # H (GFP_DMA) is cache-line aligned: 64 now, beside I
'

# Only the malformed part of a line counts: a trace of nothing but garbage still succeeds.
printf 'kmalloc: ptr=\nkfree:\n\n\x01 kmem:kfree: ptr=(nil)\nkfree: ptr=1\x00\n\x00\xff\xfe' >"$TMP/junk.trace"
expect_rc 0 junk "$BIN" replay "$TMP/junk.trace" --json
json_check junk 'assert [r["reason"] for r in d["malformed"]["records"]] == ["bad ptr", "no ptr", "NUL byte"]
assert d["null_frees"] == 1 and d["lines"] == 6
assert d["policies"]["legacy"]["allocs"] == 0'
done_ok
