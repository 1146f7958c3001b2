#!/bin/bash
# replay per call site on fixtures/sites_trace.txt (made by fixtures/mksites.py; its docstring
# lists the sites).  Hand count, cache line 128, kmalloc_size_roundup at 8 / 64 / 128:
#   A rx_alloc [mynic]  8 B   -> 8 / 64 / 128:    300 allocs, 0 frees, 300 live
#       waste_live 64: 300 x 56 = 16800, 128: 300 x 120 = 36000 (= waste_total)
#   B ext4_alloc_inode  24 B  -> 32 / 64 / 128:   300 allocs, 100 frees, 200 live
#       waste_live 64: 200 x 32 = 6400, 128: 200 x 96 = 19200; total 64: 9600, 128: 28800
#   C load_elf_binary   200 B -> 256 / 256 / 256: 10 allocs, 10 live, no waste
#   D usb_submit        40 B  -> 64 / 64 / 128:   50 allocs, 50 live; waste 128: 50 x 64 = 3200
#   E 0xffffffff80000010 16 B -> 16 / 64 / 128:   5 allocs, 5 frees, 0 live;
#       waste_total 64: 5 x 48 = 240, 128: 5 x 112 = 560
# Order (waste_live 128, then waste_total 128): A, B, D, E, C.
# DMA with --phys-offset 0xffff888000000000: D's objects 1-4 (map_page, sg x2, swiotlb_bounced)
# and A's object 7 (+4 bytes, sg) fall in live objects; one range (0x7000000) in none:
# 5 of 6 ranges attributed; A and D dma_mapped, the others false.  Without the offset: null.

source "$(dirname "$0")/lib.bash" "$@"

TRACE=$FIX/sites_trace.txt
MAP=$FIX/sites.map
OFF=0xffff888000000000

expect_rc 0 sites "$BIN" replay "$TRACE" --symbols "$MAP" --phys-offset "$OFF" --json
json_check sites "
S = d['call_sites']
assert [s['site'] for s in S] == ['rx_alloc [mynic]', 'ext4_alloc_inode', 'usb_submit',
                                  '0xffffffff80000010', 'load_elf_binary'], [s['site'] for s in S]
want = {
  'rx_alloc [mynic]':   (300, 0, 2400, 300, 2400, 16800, 36000, 16800, 36000, {'8': 300}, True),
  'ext4_alloc_inode':   (300, 100, 7200, 200, 4800, 6400, 19200, 9600, 28800, {'32': 300}, False),
  'usb_submit':         (50, 0, 2000, 50, 2000, 0, 3200, 0, 3200, {'64': 50}, True),
  '0xffffffff80000010': (5, 5, 80, 0, 0, 0, 0, 240, 560, {'16': 5}, False),
  'load_elf_binary':    (10, 0, 2000, 10, 2000, 0, 0, 0, 0, {'256': 10}, False),
}
for s in S:
    w = want[s['site']]
    got = (s['allocs'], s['frees'], s['bytes_req'], s['live'], s['live_bytes_req'],
           s['waste_live']['64'], s['waste_live']['128'], s['waste_total']['64'],
           s['waste_total']['128'], s['sizes'], s['dma_mapped'])
    assert got == w, (s['site'], got, w)
assert d['call_site_totals'] == {'sites': 5, 'waste_live': {'64': 23200, '128': 58400},
                                 'waste_total': {'64': 26640, '128': 68560}}, d['call_site_totals']
assert d['dma'] == {'attributable': True, 'reason': None, 'phys_offset': $((OFF)) & (2**64 - 1),
                    'ranges': 6, 'attributed': 5, 'in_kmem_cache': 0}, d['dma']
assert [s['dma_maps'] for s in S] == [1, 0, 4, 0, 0]
assert d['dma_events'] == {'dma_map_page': 2, 'dma_map_sg': 1, 'dma_unmap_page': 1,
                           'dma_unmap_sg': 0, 'swiotlb_bounced': 1}
assert d['hex_gfp_events'] == 300 and d['unknown_gfp_flags'] == 0
# the curve: A and D are DMA-mapped, so the candidates are B, E, C: 19200 of 58400
c = d['packed_curve']
assert [(p['top'], p['waste_live_128']) for p in c] == [(1, 19200), (2, 19200), (5, 19200)], c
assert d['packed_sites']['source'] == 'none' and d['packed_sites']['marked'] == 0
P = d['policies']
assert P['packed']['peak_slab_bytes'] == P['legacy']['peak_slab_bytes']
"

# without --phys-offset or --symbols: dma_mapped null with the reason; raw sites stay raw
expect_rc 0 nosym "$BIN" replay "$TRACE" --json
json_check nosym "
keys = {s['site'] for s in d['call_sites']}
assert keys == {'rx_alloc [mynic]', '0xffffffff81001234', '0xffffffff81002010', 'usb_submit',
                '0xffffffff80000010'}, keys
assert all(s['dma_mapped'] is None for s in d['call_sites'])
assert d['dma']['attributable'] is False and 'phys-offset' in d['dma']['reason']
"
# --site-offsets keeps the offset (symbolic: as printed; raw: from the symbol)
expect_rc 0 offs "$BIN" replay "$TRACE" --symbols "$MAP" --site-offsets --json
json_check offs "
keys = {s['site'] for s in d['call_sites']}
assert keys == {'rx_alloc+0x10 [mynic]', 'ext4_alloc_inode+0x34', 'load_elf_binary+0x10',
                'usb_submit+0x5', '0xffffffff80000010'}, keys
"

# --packed-sites: packed lands strictly between bounce and legacy; unknown names reported
printf '# the 24-byte inode allocations\n  ext4_alloc_inode  \n\nno_such_site\n' >"$TMP/packed.txt"
expect_rc 0 packed "$BIN" replay "$TRACE" --symbols "$MAP" --packed-sites "$TMP/packed.txt" --json
json_check packed "
P = d['policies']
l, b, k = (P[n]['peak_slab_bytes'] for n in ('legacy', 'bounce', 'packed'))
assert b < k < l, (b, k, l)
assert P['packed']['final_slab_bytes'] < P['legacy']['final_slab_bytes']
p = d['packed_sites']
assert p['source'] == 'file' and p['marked'] == 1 and p['unknown'] == 1, p
assert p['unknown_names'] == ['no_such_site']
r = p['recovery']
assert r['packed_peak_slab_bytes'] == k and abs(r['fraction_of_bounce_saving'] - (l - k) / (l - b)) < 1e-9
assert [s['site'] for s in d['call_sites'] if s['packed']] == ['ext4_alloc_inode']
"
# a DMA-mapped site in the file is refused (with --phys-offset it is known to be mapped)
printf 'rx_alloc [mynic]\n' >"$TMP/dma.txt"
expect_rc 0 refused "$BIN" replay "$TRACE" --packed-sites "$TMP/dma.txt" --phys-offset "$OFF" --json
json_check refused "
p = d['packed_sites']
assert p['marked'] == 0 and p['refused_dma_mapped'] == 1 and p['refused_names'] == ['rx_alloc [mynic]']
assert d['policies']['packed']['peak_slab_bytes'] == d['policies']['legacy']['peak_slab_bytes']
"
# --packed-top 1 proposes the top site that is not DMA-mapped (B, not A)
expect_rc 0 top "$BIN" replay "$TRACE" --symbols "$MAP" --packed-top 1 --phys-offset "$OFF" --json
json_check top "
assert [s['site'] for s in d['call_sites'] if s['packed']] == ['ext4_alloc_inode']
P = d['policies']
assert P['bounce']['peak_slab_bytes'] < P['packed']['peak_slab_bytes'] < P['legacy']['peak_slab_bytes']
"
# the text output: top sites, the curve, the recovery line
expect_rc 0 text "$BIN" replay "$TRACE" --symbols "$MAP" --packed-top 1 --phys-offset "$OFF" --top 3
grep -q 'call sites: 5 kmalloc sites, top 3' "$TMP/text.out" || fail "text: no site header"
grep -q 'top 1: 32.9%' "$TMP/text.out" || fail "text: curve"
grep -q "recovers .*% of bounce's saving with no bounce pool" "$TMP/text.out" || fail "text: recovery"
[ "$(grep -c '^  ext4_alloc_inode\|^  rx_alloc\|^  usb_submit\|^  load_elf' "$TMP/text.out")" = 3 ] ||
	fail "text: not 3 site rows"
ok

# usage errors
expect_usage both "exclude" "$BIN" replay "$TRACE" --packed-top 1 --packed-sites "$TMP/dma.txt"
expect_usage top0 "--packed-top" "$BIN" replay "$TRACE" --packed-top 0
expect_usage off "--phys-offset" "$BIN" replay "$TRACE" --phys-offset xyz
expect_rc 1 nomap "$BIN" replay "$TRACE" --symbols "$TMP/none.map"
[ "$(wc -l <"$TMP/nomap.err")" = 1 ] || fail "nomap: $(cat "$TMP/nomap.err")"
printf '0000000000000000 T _text\n0000000000000000 T foo\n' >"$TMP/zero.map"
expect_rc 1 zeromap "$BIN" replay "$TRACE" --symbols "$TMP/zero.map"
grep -q 'as root' "$TMP/zeromap.err" || fail "zeromap: $(cat "$TMP/zeromap.err")"
ok
expect_rc 1 nofile "$BIN" replay "$TRACE" --packed-sites "$TMP/none.txt"
[ "$(wc -l <"$TMP/nofile.err")" = 1 ] || fail "nofile: $(cat "$TMP/nofile.err")"
ok
done_ok
