#!/bin/bash
# minalign replay of trace-cmd's binary trace.dat (libtracecmd + libtraceevent):
# fixtures/kmem_trace.dat (written by fixtures/mktracedat.py from the documented v6 layout) and
# fixtures/kmem_trace_report.txt (`trace-cmd report -i kmem_trace.dat`, the real trace-cmd 3.1.6)
# must replay to the same figures.  Hand count of the workload (mktracedat.py's docstring):
# events kmalloc 12, kmem_cache_alloc 2, kfree 4, kmem_cache_free 1; 14 allocations, 5 frees;
# legacy: class 128 10 allocs / 8 live, 256 2/0, kmem_cache 2/1; at 8 bytes: 8 6/4, 32 3/3,
# 128 1/1 (the GFP_DMA one), 256 2/0.
# A file with trace.dat's magic that libtracecmd cannot read is a runtime failure, one line.

source "$(dirname "$0")/lib.bash" "$@"

if "$BIN" replay "$FIX/kmem_trace.dat" 2>&1 | grep -q 'built without libtracecmd'; then
	echo "SKIP: minalign built without libtracecmd"
	exit 0
fi

expect_rc 0 dat "$BIN" replay "$FIX/kmem_trace.dat" --json
expect_rc 0 txt "$BIN" replay "$FIX/kmem_trace_report.txt" --json
python3 - "$TMP/dat.out" "$TMP/txt.out" <<'PY' || fail "trace.dat and its text differ"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert a['format'] == 'trace.dat' and b['format'] == 'text', (a['format'], b['format'])
assert a['events'] == b['events'] == {'kmalloc': 12, 'kmalloc_node': 0, 'kmem_cache_alloc': 2,
    'kmem_cache_alloc_node': 0, 'kfree': 4, 'kmem_cache_free': 1}, (a['events'], b['events'])
assert a['malformed']['count'] == b['malformed']['count'] == 0
assert a['policies'] == b['policies'], 'the per-policy figures differ'
for name, p in a['policies'].items():
    assert p['allocs'] == 14 and p['frees'] == 5 and p['unmatched_frees'] == 0, (name, p)
    c = {k: (v['allocs'], v['live']) for k, v in p['classes'].items()}
    if name in ('legacy', 'packed'):
        want = {'128': (10, 8), '256': (2, 0), 'kmem_cache': (2, 1)}
    else:
        want = {'8': (6, 4), '32': (3, 3), '128': (1, 1), '256': (2, 0), 'kmem_cache': (2, 1)}
    assert c == want, (name, c)
assert a['policies']['bounce']['final_slab_bytes'] < a['policies']['legacy']['final_slab_bytes']
PY
ok

# the text form of the binary file names the format
expect_rc 0 dat_text "$BIN" replay "$FIX/kmem_trace.dat"
grep -q '(trace.dat' "$TMP/dat_text.out" || fail "text output does not say trace.dat"
ok

# trace.dat's magic followed by garbage, and a file cut after its header
printf '\027\010\104tracing6\000garbage' >"$TMP/bad.dat"
head -c 300 "$FIX/kmem_trace.dat" >"$TMP/cut.dat"
for f in bad cut; do
	expect_rc 1 "$f" "$BIN" replay "$TMP/$f.dat"
	[ "$(wc -l <"$TMP/$f.err")" = 1 ] || fail "$f: stderr is not one line: $(cat "$TMP/$f.err")"
	grep -q "^minalign: replay: .*$f.dat" "$TMP/$f.err" || fail "$f: $(cat "$TMP/$f.err")"
	ok
done
done_ok
