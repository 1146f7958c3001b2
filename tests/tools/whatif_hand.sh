#!/bin/bash
# whatif on hand-made slabinfo files, checked against bytes computed by hand.
#
# Fixed machine for every run: --cpus 2 (SLUB's min_objects = 4 * (fls(2) + 1) = 12) and
# --ram 1G (Linux's pool: min(64 MiB, 1 GiB / 1024) = 1 MiB, already whole 256 KiB segments).
# minalign's pool is the library default, 256 KiB = 262144.
#
# SLUB geometry for classes missing from the input (12 objects, leftover <= 1/16):
#   32: 12*32 = 384 B -> order 0, 4096 % 32 = 0          -> 128 objs/slab, 1 page
#   64: 768 B -> order 0                                  ->  64 objs/slab, 1 page
#  128: 1536 B -> order 0                                 ->  32 objs/slab, 1 page
#  256: 3072 B -> order 0                                 ->  16 objs/slab, 1 page
#
# fixtures/whatif_mixed.txt (num_objs, objs/slab, pages/slab), all slabs full:
#   kmalloc-8 1024 512 1 | -16 512 256 1 | -32 256 128 1 | -64 128 64 1 | -96 84 42 1
#   -128 64 32 1 | -192 42 21 1 | -256 32 16 1 | -512 112 16 2 | -8k 8 4 8
#   kmalloc-cg-16 256 256 1 | kmalloc-cg-64 64 64 1            (no cg-32, cg-128)
#   kmalloc-rcl-8 512 512 1 | kmalloc-rcl-192 21 21 1          (no rcl-32/64/128/256)
#   dma-kmalloc-32 128 128 1 | dma-kmalloc-128 0 32 1          (present, empty; no dma-64)
#   kmalloc-rnd-01-64 64 64 1                                  (no rnd-01-128)
#   ignored: kmalloc-100 (line 25: no such class); not kmalloc: dentry, kmalloc_buckets
#   malformed: line 10 (too few fields), 14 (active_objs above num_objs), 16 (bad number)
# Input pages: plain 2*8 + 14 + 16 = 46, cg 2, rcl 2, dma 1, rnd 1 = 52 pages = 212992 bytes.
#
# M = 8 (bounce, naive; dma_opt_in for all but dma-): nothing moves: 52 pages = 212992.
#
# cache line 128, M = 128 (legacy, packed):
#   plain: class 128 <- 1024+512+256+128+84+64 = 2068 objs / 32 = 64.6 -> 65 pages
#          class 256 <- 42 + 32 = 74 / 16 = 4.6 -> 5;  512: 14;  8k: 16      -> 100 pages
#   cg:    class 128 <- 256 + 64 = 320, no row: SLUB 32/slab -> 10 pages
#   rcl:   class 128 <- 512, SLUB 32/slab -> 16;  class 256 <- 21, SLUB 16/slab -> 2  -> 18
#   dma:   class 128 <- 128, row dma-kmalloc-128 32/slab -> 4 pages
#   rnd:   class 128 <- 64, SLUB 32/slab -> 2 pages
#   total 100 + 10 + 18 + 4 + 2 = 134 pages = 548864
#   per class: 128: 65+10+16+4+2 = 97 pages = 397312; 256: 5+2 = 7 pages = 28672
#   dma_opt_in: 51 pages at 8 + dma 4 = 55 pages = 225280
#   net vs legacy: bounce 212992 + 262144 - 548864 = -73728 (Linux's pool: 712704)
#                  naive 212992 - 548864 = -335872; dma_opt_in 225280 + 262144 - 548864 = -61440
#   SLUB-computed groups: kmalloc-cg-128, kmalloc-rcl-128, kmalloc-rcl-256, kmalloc-rnd-01-128
#
# cache line 64, M = 64 (96 disappears, 192 stays):
#   plain: class 64 <- 1024+512+256+128 = 1920 / 64 -> 30; class 128 <- 84+64 = 148 / 32 -> 5
#          192: 2; 256: 2; 512: 14; 8k: 16                                   -> 69 pages
#   cg: class 64 <- 320 / 64 (row cg-64) -> 5
#   rcl: class 64 <- 512, SLUB 64/slab -> 8; 192: 1                          -> 9
#   dma: class 64 <- 128, SLUB 64/slab -> 2;  rnd: 64 stays -> 1
#   legacy total 69 + 5 + 9 + 2 + 1 = 86 pages = 352256; dma_opt_in 51 + 2 = 53 pages = 217088
#
# cache line 32, M = 32:
#   plain: class 32 <- 1024+512+256 = 1792 / 128 -> 14; 64, 96, 128, 192, 256: 2 each; 512: 14;
#          8k: 16                                                            -> 54 pages
#   cg: class 32 <- 256, SLUB 128/slab -> 2; 64: 1 -> 3
#   rcl: class 32 <- 512, SLUB 128/slab -> 4; 192: 1 -> 5;  dma: 1;  rnd: 1
#   legacy total 54 + 3 + 5 + 1 + 1 = 64 pages = 262144; dma_opt_in 51 + 1 = 52 pages = 212992
#
# fixtures/whatif_arm64.txt, recorded at minimum alignment 128 (no class below 128):
#   kmalloc-128 320 32 1 (10 pages) | kmalloc-256 32 16 1 (2) | kmalloc-1k 32 16 4 (8)
#   M = 8 or 128: nothing moves: 20 pages = 81920 (the saving below 128 cannot be seen)
#   cache line 256, M = 256: class 256 <- 320 + 32 = 352 / 16 -> 22 pages; 1k: 8 -> 30 = 122880

source "$(dirname "$0")/lib.bash" "$@"
M=(--cpus 2 --ram 1G)

# --pool: the pool a workload needs (2 KiB) instead of the default reservation:
# bounce 212992 + 2048 - 548864 = -333824, dma_opt_in 225280 + 2048 - 548864 = -321536
expect_rc 0 wpool "$BIN" whatif "$FIX/whatif_mixed.txt" "${M[@]}" --pool 2K --json
json_check wpool '
p = d["policies"]
assert p["bounce"]["bounce_pool_bytes"] == 2048 and p["bounce"]["net_vs_legacy"] == -333824, p["bounce"]
assert p["dma_opt_in"]["net_vs_legacy"] == -321536 and p["naive"]["bounce_pool_bytes"] == 0
assert d["bounce_pool_method"]["minalign_pool_from"] == "option"
assert d["bounce_pool_method"]["minalign_pool_bytes"] == 2048
'
expect_usage wpoolbad "--pool" "$BIN" whatif "$FIX/whatif_mixed.txt" --pool lots

expect_rc 0 w128 "$BIN" whatif "$FIX/whatif_mixed.txt" "${M[@]}" --json
json_check w128 '
p = d["policies"]
assert d["cache_line"] == 128
assert d["source"].endswith("whatif_mixed.txt") and d["source_kind"] == "file"
assert d["input"]["slab_bytes"] == 212992, d["input"]
assert d["input"]["kmalloc_rows"] == 17 and d["input"]["cache_types"] == 5
assert d["input"]["min_class"] == 8
assert d["input"]["malformed"]["count"] == 3
assert [r["line"] for r in d["input"]["malformed"]["records"]] == [10, 14, 16]
assert d["input"]["ignored"]["count"] == 1 and d["input"]["ignored"]["records"][0]["line"] == 25
assert p["legacy"]["slab_bytes"] == 548864 and p["packed"]["slab_bytes"] == 548864
assert p["bounce"]["slab_bytes"] == 212992 and p["naive"]["slab_bytes"] == 212992
assert p["dma_opt_in"]["slab_bytes"] == 225280
assert p["legacy"]["bounce_pool_bytes"] == 0 and p["naive"]["bounce_pool_bytes"] == 0
assert p["bounce"]["bounce_pool_bytes"] == 262144
assert p["bounce"]["bounce_pool_linux_bytes"] == 1048576
assert p["legacy"]["net_vs_legacy"] == 0 and p["packed"]["net_vs_legacy"] == 0
assert p["bounce"]["net_vs_legacy"] == -73728
assert p["bounce"]["net_vs_legacy_linux"] == 712704
assert p["naive"]["net_vs_legacy"] == -335872
assert p["dma_opt_in"]["net_vs_legacy"] == -61440
assert p["legacy"]["min_align"] == 128 and p["bounce"]["min_align"] == 8
assert p["dma_opt_in"]["min_align"] == 8 and p["dma_opt_in"]["dma_min_align"] == 128
c = {x["size"]: x for x in d["classes"]}
assert c[128]["slab_bytes"]["legacy"] == 397312
assert c[256]["slab_bytes"]["legacy"] == 28672
assert c[8]["slab_bytes"]["legacy"] == 0 and c[8]["slab_bytes"]["bounce"] == 3 * 4096
assert c[128]["objs"]["legacy"] == 2068 + 320 + 512 + 128 + 64
assert sum(x["slab_bytes"]["legacy"] for x in d["classes"]) == 548864
assert sorted(s["cache"] for s in d["slub_computed"]) == sorted(["kmalloc-cg-128", "kmalloc-rcl-128", "kmalloc-rcl-256", "kmalloc-rnd-01-128"]), d["slub_computed"]
assert d["devres_padding"]["computable"] is False and d["devres_padding"]["bytes"] is None
'

expect_rc 0 w64 "$BIN" whatif "$FIX/whatif_mixed.txt" "${M[@]}" --json --cache-line 64
json_check w64 '
p = d["policies"]
assert d["cache_line"] == 64
assert p["legacy"]["slab_bytes"] == 352256, p["legacy"]
assert p["dma_opt_in"]["slab_bytes"] == 217088
assert p["bounce"]["slab_bytes"] == 212992
c = {x["size"]: x for x in d["classes"]}
assert c[96]["slab_bytes"]["legacy"] == 0 and c[192]["slab_bytes"]["legacy"] == 3 * 4096
assert sorted(s["cache"] for s in d["slub_computed"]) == ["dma-kmalloc-64", "kmalloc-rcl-64"]
'

expect_rc 0 w32 "$BIN" whatif "$FIX/whatif_mixed.txt" "${M[@]}" --json -l 32
json_check w32 '
p = d["policies"]
assert p["legacy"]["slab_bytes"] == 262144, p["legacy"]
assert p["dma_opt_in"]["slab_bytes"] == 212992
assert sorted(s["cache"] for s in d["slub_computed"]) == ["kmalloc-cg-32", "kmalloc-rcl-32"]
'

expect_rc 0 arm "$BIN" whatif "$FIX/whatif_arm64.txt" "${M[@]}" --json
json_check arm '
p = d["policies"]
assert d["input"]["min_class"] == 128
assert all(p[k]["slab_bytes"] == 81920 for k in p), p
assert d["input"]["malformed"]["count"] == 0
'
expect_rc 0 arm256 "$BIN" whatif "$FIX/whatif_arm64.txt" "${M[@]}" --json --cache-line=256
json_check arm256 '
assert d["policies"]["legacy"]["slab_bytes"] == 122880
assert d["policies"]["bounce"]["slab_bytes"] == 81920
'

# Text output: the same numbers, the malformed lines with their numbers, the notes.
expect_rc 0 text "$BIN" whatif "$FIX/whatif_mixed.txt" "${M[@]}"
grep -q '^  legacy .*548864 (536.0 KiB)' "$TMP/text.out" || fail "text: legacy row"
grep -q 'malformed: 3 lines: line 10 (too few fields), line 14 (active_objs above num_objs), line 16 (bad number)' \
	"$TMP/text.out" || fail "text: malformed lines"
grep -q 'line 25 (no kmalloc size class)' "$TMP/text.out" || fail "text: ignored row"
grep -q 'devres padding: not computable' "$TMP/text.out" || fail "text: devres note"
grep -q 'with Linux.s pool:  *1048576 (1.0 MiB)  *712704' "$TMP/text.out" || fail "text: Linux pool"
ok
expect_rc 0 textarm "$BIN" whatif "$FIX/whatif_arm64.txt" "${M[@]}"
grep -q "smallest kmalloc class is 128" "$TMP/textarm.out" || fail "text: recorded alignment note"
ok

# stdin and the SVG chart
expect_rc 0 stdin bash -c "\"$BIN\" whatif - --cpus 2 --ram 1G --json --svg \"$TMP/w.svg\" < \"$FIX/whatif_mixed.txt\""
json_check stdin 'assert d["policies"]["legacy"]["slab_bytes"] == 548864 and d["source"] == "<stdin>"'
svg_check "$TMP/w.svg"
done_ok
