#!/bin/bash
# What the charts say (issue 16 item 7), read from the SVG's XML: the per-policy panels show
# slab bytes, the bounce pool and both, with each policy's net vs legacy noted over its bar;
# the SoC panel shows the bounce slots used beside the pool held; every panel titles its axes;
# and --svg to a path that cannot be written fails at once, before any run, with one line.

source "$(dirname "$0")/lib.bash" "$@"

# svg_facts SVG: prints JSON {"texts": [...], "rotated": [...], "tips": [...]}
svg_facts() {
	python3 - "$1" <<'PY'
import json, sys, xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
texts = ["".join(t.itertext()) for t in root.iter(ns + "text")]
rotated = ["".join(t.itertext()) for t in root.iter(ns + "text") if "rotate" in (t.get("transform") or "")]
tips = [t.text for r in root.iter(ns + "rect") for t in r.iter(ns + "title")]
print(json.dumps({"texts": texts, "rotated": rotated, "tips": tips}))
PY
}

expect_rc 0 whatif "$BIN" whatif "$FIX/whatif_mixed.txt" --cpus 2 --ram 1G --json --svg "$TMP/w.svg"
svg_facts "$TMP/w.svg" >"$TMP/wf.out"
cp "$TMP/whatif.out" "$TMP/wj.out"
python3 - "$TMP/wf.out" "$TMP/wj.out" <<'PY' || fail "whatif chart content"
import json, sys
f, d = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
P = d["policies"]
# panel 0: slab, pool, slab + pool per policy; the net vs legacy over the last bar of each
for name, p in P.items():
    for label, v in (("slab (all kmalloc caches)", p["slab_bytes"]),
                     ("bounce pool", p["bounce_pool_bytes"]),
                     ("slab + pool (net vs legacy)", p["slab_bytes"] + p["bounce_pool_bytes"])):
        assert any(t.startswith("%s, %s: %d bytes" % (label, name, v)) for t in f["tips"]), (label, name)
nets = [t for t in f["texts"] if t.startswith("net ")]
assert len(nets) == 5, nets
assert "net 0 B" in nets                                   # legacy
assert any(t.startswith("net -") for t in nets), nets       # naive saves
# axes titled: two rotated y titles with units, two x titles
assert len(f["rotated"]) == 2 and all(t.endswith(")") for t in f["rotated"]), f["rotated"]
assert "memory per policy" in f["texts"] and "kmalloc size class (bytes)" in f["texts"]
PY
ok

expect_rc 0 report "$BIN" report --slabinfo "$FIX/whatif_mixed.txt" --cpus 2 --ram 1G \
	--seconds 0.2 --json --svg "$TMP/r.svg"
svg_facts "$TMP/r.svg" >"$TMP/rf.out"
python3 - "$TMP/rf.out" "$TMP/report.out" <<'PY' || fail "report chart content"
import json, sys
f, d = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for name, p in d["policies"].items():
    used = p["bounce_slots_peak_bytes"]
    held = p["bounce_pool_peak_bytes"]
    assert any(t.startswith("bounce slots used (peak), %s: %d bytes" % (name, used)) for t in f["tips"]), name
    assert any(t.startswith("bounce pool held (peak, reservation included), %s: %d bytes" % (name, held))
               for t in f["tips"]), name
assert d["policies"]["bounce"]["bounce_slots_peak_bytes"] < d["policies"]["bounce"]["bounce_pool_peak_bytes"]
assert len(f["rotated"]) == 6, f["rotated"]    # every panel: 4 what-if, 2 SoC
assert len([t for t in f["texts"] if t.startswith("net ")]) == 10
PY
ok

# --svg that cannot be written: fails before the run (no output, well under the run's time)
for cmd in report whatif; do
	if [ $cmd = report ]; then args=(--slabinfo "$FIX/whatif_mixed.txt" --seconds 30); else args=("$FIX/whatif_mixed.txt"); fi
	start=$(date +%s%N)
	expect_rc 1 "bad_$cmd" "$BIN" "$cmd" "${args[@]}" --svg "$TMP/no/such/dir/x.svg"
	elapsed=$((($(date +%s%N) - start) / 1000000))
	[ "$(wc -l <"$TMP/bad_$cmd.err")" = 1 ] || fail "$cmd: $(cat "$TMP/bad_$cmd.err")"
	[ ! -s "$TMP/bad_$cmd.out" ] || fail "$cmd: ran before failing"
	[ "$elapsed" -lt 5000 ] || fail "$cmd: took $elapsed ms to fail"
	ok
done
mkdir -p "$TMP/adir"
expect_rc 1 isdir "$BIN" whatif "$FIX/whatif_mixed.txt" --svg "$TMP/adir"
grep -q 'Is a directory' "$TMP/isdir.err" || fail "isdir: $(cat "$TMP/isdir.err")"
ok
done_ok
