#!/bin/bash
# The /sys/kernel/slab reader on a fake directory (fixtures/sysslab):
#   kmalloc-64/       total_objects "128 N0=64 N1=64", 64 objs/slab, order 0, slabs "2 N0=1 N1=1"
#   kmalloc-192/      total 42, 21/slab, order 0, 2 slabs
#   :0000128/         a merged cache: total 64, 32/slab, order 0, 2 slabs;
#                     kmalloc-128 -> :0000128 and foo_cache -> :0000128 (read once, named kmalloc-128)
#   kmalloc-cg-32/    no total_objects file: slabs "3 N0=3" x 128/slab = 384 objects
#   kmalloc-rcl-8k/   total 8, 4/slab, order 3 (8 pages), 2 slabs
#   dentry/           not kmalloc
#   broken/           no order file: malformed;  gone -> :nothere (dangling) and README (a file):
#                     not cache directories: malformed
# Input: pages 2 + 2 + 2 + 3 + 2*8 = 25 = 102400 bytes; 6 caches, 2 aliases, 3 malformed.
# With --cpus 2, cache line 128:
#   legacy: kmalloc-64 -> 128: 128 + 64 = 192 objs / 32 (kmalloc-128's geometry) = 6 pages
#           kmalloc-192 -> 256: 42, no kmalloc-256 entry: SLUB 16/slab -> 3 pages
#           kmalloc-cg-32 -> cg-128: 384, SLUB 32/slab -> 12 pages;  rcl-8k: 16 pages
#           total 6 + 3 + 12 + 16 = 37 pages = 151552
#   bounce (M = 8): nothing moves: 102400

source "$(dirname "$0")/lib.bash" "$@"

expect_rc 0 sys "$BIN" whatif "$FIX/sysslab" --cpus 2 --ram 1G --json
json_check sys '
i = d["input"]
assert d["source_format"] == "sysfs"
assert i["caches"] == 6 and i["aliases"] == 2 and i["kmalloc_rows"] == 5, i
assert i["slab_bytes"] == 102400
assert i["malformed"]["count"] == 3
bad = {r["name"]: r["reason"] for r in i["malformed"]["records"]}
assert set(bad) == {"README", "gone", "broken"}, bad
assert "order" in bad["broken"]
p = d["policies"]
assert p["legacy"]["slab_bytes"] == 151552 and p["bounce"]["slab_bytes"] == 102400
c = {x["size"]: x for x in d["classes"]}
assert c[128]["input_objs"] == 64 and c[64]["input_objs"] == 128 and c[32]["input_objs"] == 384
assert c[8192]["input_slab_bytes"] == 16 * 4096
assert sorted(s["cache"] for s in d["slub_computed"]) == ["kmalloc-256", "kmalloc-cg-128"]
'

# Text: the malformed entries are named.
expect_rc 0 systext "$BIN" whatif "$FIX/sysslab" --cpus 2 --ram 1G
grep -q 'malformed: 3 entries: .*broken (missing or bad order)' "$TMP/systext.out" ||
	fail "text: malformed entries"
ok

# A copy with the merged directory's symlinks removed still reads the directory once.
cp -r "$FIX/sysslab" "$TMP/copy"
rm "$TMP/copy/foo_cache" "$TMP/copy/kmalloc-128" "$TMP/copy/gone" "$TMP/copy/README"
rm -r "$TMP/copy/broken"
expect_rc 0 copy "$BIN" whatif "$TMP/copy" --cpus 2 --json
json_check copy 'assert d["input"]["caches"] == 6 and d["input"]["malformed"]["count"] == 0
assert d["input"]["kmalloc_rows"] == 4   # :0000128 has no kmalloc name left'

# The default source: with the live paths pointing nowhere, the bundled sample, said so.
expect_rc 0 fallback env MINALIGN_PROC_SLABINFO=/nonexistent MINALIGN_SYS_SLAB=/nonexistent \
	"$BIN" whatif --json
json_check fallback 'assert d["source_kind"] == "sample" and d["source"].endswith("slabinfo.txt")
assert "/nonexistent" in d["source_note"]'
expect_rc 0 fallback2 env MINALIGN_PROC_SLABINFO=/nonexistent MINALIGN_SYS_SLAB="$FIX/sysslab" \
	"$BIN" whatif --json
json_check fallback2 'assert d["source_kind"] == "live" and d["source_format"] == "sysfs"'
expect_rc 0 fallback3 env MINALIGN_PROC_SLABINFO=/nonexistent MINALIGN_SYS_SLAB=/nonexistent \
	"$BIN" whatif
grep -q 'bundled sample' "$TMP/fallback3.out" || fail "text: sample not named"
ok
done_ok
