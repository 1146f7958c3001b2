#!/bin/bash
# `minalign bench`: the kernel's dma_map_benchmark options; JSON with the latency fields, the
# kernel-style text, bounces where the policy and direction call for them, bad usage.

source "$(dirname "$0")/lib.bash" "$@"

LAT='
for k in ("avg_map_ns", "map_stddev_ns", "avg_unmap_ns", "unmap_stddev_ns", "avg_map_100ns",
          "map_stddev_100ns", "avg_unmap_100ns", "unmap_stddev_100ns", "avg_map_latency_us",
          "map_stddev_us", "avg_unmap_latency_us", "unmap_stddev_us"):
    assert isinstance(d[k], (int, float)) and d[k] >= 0, (k, d[k])
assert d["avg_map_ns"] > 0 and d["avg_unmap_ns"] > 0, d
assert abs(d["avg_map_latency_us"] - d["avg_map_100ns"] / 10) < 1e-9
assert d["loops"] > 0 and d["map_failures"] == 0 and d["reports"] == 0, d
'

expect_rc 0 def "$BIN" bench --json --seconds 0.2 --threads 2
json_check def "$LAT"'
assert (d["threads"], d["dir"], d["dir_name"], d["granule"], d["dma_bits"]) == (2, 0, "BIDIRECTIONAL", 1, 32)
assert d["buffer_bytes"] == 4096 and d["policy"] == "bounce" and d["coherent"] is False
assert d["bounces"] == 0   # whole pages are never bounced for alignment
'
# Sub-page kmalloc buffers: bounced inbound on a non-coherent device under bounce, not TX,
# not on a coherent device, not under legacy.
expect_rc 0 sub "$BIN" bench --json -s 0.2 --size 40 --dir 2
json_check sub "$LAT"'assert d["bounces"] == d["loops"] and d["size"] == 40 and d["granule"] == 0, d'
expect_rc 0 subtx "$BIN" bench --json -s 0.2 --size 40 --dir 1
json_check subtx "$LAT"'assert d["bounces"] == 0 and d["dir_name"] == "TO_DEVICE", d'
expect_rc 0 subcoh "$BIN" bench --json -s 0.2 --size 40 --coherent
json_check subcoh "$LAT"'assert d["bounces"] == 0 and d["coherent"] is True, d'
expect_rc 0 sublegacy "$BIN" bench --json -s 0.2 --size 40 -p legacy --noncoherent
json_check sublegacy "$LAT"'assert d["bounces"] == 0 and d["policy"] == "legacy", d'
# Granules, a 64-bit mask, a transfer delay, several threads.
expect_rc 0 gran "$BIN" bench --json -s 0.2 -g 16 -b 64 -x 500 -t 3 -d 1 -l 64
json_check gran "$LAT"'
assert (d["granule"], d["buffer_bytes"], d["dma_bits"], d["xdelay_ns"], d["cache_line"]) == (16, 65536, 64, 500, 64)
'
# The kernel's text, and ours.
expect_rc 0 text "$BIN" bench -s 0.2
grep -q '^dma mapping benchmark: threads:1 seconds:0.2 node:-1 dir:BIDIRECTIONAL granule: 1$' \
	"$TMP/text.out" || fail "bench: header line"
grep -qE '^average map latency\(us\):[0-9]+\.[0-9] standard deviation:[0-9]+\.[0-9]$' \
	"$TMP/text.out" || fail "bench: map line"
grep -qE '^average unmap latency\(us\):[0-9]+\.[0-9] standard deviation:[0-9]+\.[0-9]$' \
	"$TMP/text.out" || fail "bench: unmap line"
grep -qE '^map: +average [0-9]+ ns \([0-9.]+ x 100 ns\), standard deviation [0-9]+ ns' \
	"$TMP/text.out" || fail "bench: ns line"
ok
# A mask that reaches no bounce pool (RAM from 1 MiB up, a 20-bit mask): a runtime failure, one line.
expect_rc 1 narrow "$BIN" bench -s 0.1 --dma-bits 20 --ram-base 0x100000
grep -q '^minalign: bench: a 20-bit DMA mask reaches no bounce pool' "$TMP/narrow.err" ||
	fail "bench: narrow mask message"
[ "$(wc -l <"$TMP/narrow.err")" = 1 ] || fail "bench: narrow mask: more than one line"
ok

# ---- bad usage ------------------------------------------------------------------------------
expect_usage t0 "bench: --threads must be a number in 1..1024" "$BIN" bench --threads 0
expect_usage t1025 "bench: --threads must be a number in 1..1024" "$BIN" bench -t 1025
expect_usage s0 "bench: --seconds must be a number in (0, 300]" "$BIN" bench --seconds 0
expect_usage s301 "bench: --seconds must be a number in (0, 300]" "$BIN" bench -s 301
expect_usage d3 "bench: --dir must be a number in 0..2" "$BIN" bench --dir 3
expect_usage dx "bench: --dir must be" "$BIN" bench -d BIDIRECTIONAL
expect_usage g0 "bench: --granule must be a number in 1..1024" "$BIN" bench --granule 0
expect_usage g1025 "bench: --granule must be a number in 1..1024" "$BIN" bench -g 1025
expect_usage b19 "bench: --dma-bits must be a number in 20..64" "$BIN" bench --dma-bits 19
expect_usage b65 "bench: --dma-bits must be a number in 20..64" "$BIN" bench -b 65
expect_usage x "bench: --xdelay must be a number in 0..10000" "$BIN" bench --xdelay 10001
expect_usage sz0 "bench: --size must be a number in 1..4095" "$BIN" bench --size 0
expect_usage szp "bench: --size must be a number in 1..4095" "$BIN" bench --size 4096
expect_usage szg "bench: --size and --granule exclude each other" "$BIN" bench --size 8 -g 2
expect_usage pol "bench: --policy must be one of" "$BIN" bench --policy fast
expect_usage line "bench: --cache-line must be a power of two" "$BIN" bench -l 100
expect_usage base "bench: --ram-base must be a multiple of 4096" "$BIN" bench --ram-base 12
expect_usage pos "bench: unexpected argument 'now'" "$BIN" bench now
done_ok
