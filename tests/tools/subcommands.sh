#!/bin/bash
# info, slabinfo, report, stress and bench: output shape, JSON parsed by a real parser with its
# values checked, the SVG well-formed, the exact /proc/slabinfo 2.1 row format.

source "$(dirname "$0")/lib.bash" "$@"

# ---- info --------------------------------------------------------------------------------
expect_rc 0 info "$BIN" info
grep -q '^  policy          bounce$' "$TMP/info.out" || fail "info: policy"
grep -q '^  cache line      128 bytes' "$TMP/info.out" || fail "info: cache line"
grep -q '^  RAM             0x80000000..0xbfffffff (1.0 GiB' "$TMP/info.out" || fail "info: RAM"
grep -q '^  kmalloc classes 8 16 32 64 96 128 192 256 512 1024 2048 4096 8192 ' "$TMP/info.out" ||
	fail "info: classes"
ok
expect_rc 0 infoj "$BIN" info --json --policy legacy --cache-line 64 --ram 256M --swiotlb 1M \
	--cache-model coherent
json_check infoj '
c, m = d["config"], d["machine"]
assert c["policy"] == "legacy" and c["cache_line"] == 64 and c["cache_model"] == "coherent"
assert c["swiotlb_size"] == 1 << 20 and c["swiotlb_dynamic"] is True
assert m["ram_size"] == 256 << 20 and m["ram_base"] == 0x80000000 and m["page_size"] == 4096
assert m["kmalloc_classes"] == [64, 128, 192, 256, 512, 1024, 2048, 4096, 8192], m
'
expect_rc 0 infodma "$BIN" info --json -p dma_opt_in -l 32
json_check infodma 'assert d["machine"]["kmalloc_classes"][:3] == [8, 16, 32]'

# ---- slabinfo -----------------------------------------------------------------------------
expect_rc 0 si "$BIN" slabinfo
python3 - "$TMP/si.out" <<'PY' || fail "slabinfo: format"
import sys
lines = open(sys.argv[1]).read().split("\n")
assert lines[0] == "slabinfo - version: 2.1"
assert lines[1] == ("# name            <active_objs> <num_objs> <objsize> <objperslab> "
                    "<pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata "
                    "<active_slabs> <num_slabs> <sharedavail>")
assert lines[-1] == ""
rows = lines[2:-1]
assert len(rows) >= 13
names = []
for r in rows:
    f = r.split()
    n = [int(x) for x in f[1:6]] + [int(x) for x in f[8:11]] + [int(x) for x in f[13:16]]
    want = ("%-17s %6d %6d %6d %4d %4d : tunables %4d %4d %4d : slabdata %6d %6d %6d"
            % tuple([f[0]] + n))
    assert r == want, (r, want)
    assert n[5:8] == [0, 0, 0] and n[10] == 0
    names.append(f[0])
for s in ("8", "16", "32", "64", "96", "128", "192", "256", "512", "1k", "2k", "4k", "8k"):
    assert "kmalloc-" + s in names, (s, names)
PY
ok
expect_rc 0 silegacy "$BIN" slabinfo --policy legacy
grep -q '^kmalloc-128 ' "$TMP/silegacy.out" || fail "slabinfo legacy: kmalloc-128"
! grep -qE '^kmalloc-(8|16|32|64|96|192) ' "$TMP/silegacy.out" || fail "slabinfo legacy: small classes"
ok
expect_rc 0 sij "$BIN" slabinfo --json -l 64 -p naive
json_check sij '
assert d["policy"] == "naive" and d["cache_line"] == 64
names = [c["name"] for c in d["caches"]]
assert "kmalloc-8" in names and all(c["objperslab"] > 0 for c in d["caches"])
'
# Round trip: whatif reads the library's own slabinfo without a malformed line.
expect_rc 0 rt "$BIN" whatif "$TMP/si.out" --json --cpus 2
json_check rt 'assert d["input"]["malformed"]["count"] == 0 and d["input"]["kmalloc_rows"] >= 13'

# ---- report --------------------------------------------------------------------------------
expect_rc 0 rep "$BIN" report --slabinfo "$FIX/whatif_mixed.txt" --cpus 2 --ram 1G --json \
	--svg "$TMP/report.svg" --seconds 0.1
json_check rep '
w = d["whatif"]
assert [x["cache_line"] for x in w] == [64, 128]
assert w[0]["policies"]["legacy"]["slab_bytes"] == 352256   # see whatif_hand.sh
assert w[1]["policies"]["legacy"]["slab_bytes"] == 548864
assert w[1]["policies"]["bounce"]["bounce_pool_linux_bytes"] == 1048576
assert d["source_kind"] == "file" and d["input"]["malformed"]["count"] == 3
assert "soc" in d
'
svg_check "$TMP/report.svg"
python3 - "$TMP/report.svg" <<'PY' || fail "report svg content"
import sys, xml.etree.ElementTree as ET
ns = {"s": "http://www.w3.org/2000/svg"}
root = ET.parse(sys.argv[1]).getroot()
texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
assert any("cache line 64" in (t or "") for t in texts) and any("cache line 128" in (t or "") for t in texts)
tips = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
assert any("548864 bytes" in (t or "") for t in tips), tips[:5]
assert any((t or "").startswith("Simulated SoC: slab peak, bounce pool held and used") for t in texts), texts
assert any((t or "").startswith("Simulated SoC: corrupted bytes") for t in texts), texts
assert any((t or "").startswith("corrupted bytes, naive: ") and not (t or "").startswith(
    "corrupted bytes, naive: 0 bytes") for t in tips), tips
PY
ok
expect_rc 0 reptext "$BIN" report --slabinfo "$FIX/whatif_mixed.txt" --cpus 2 --ram 1G \
	--seconds 0.1
grep -q '^cache line 64 ' "$TMP/reptext.out" && grep -q '^cache line 128 ' "$TMP/reptext.out" ||
	fail "report: both cache lines"
grep -q '^simulated SoC: ' "$TMP/reptext.out" || fail "report: SoC section"
grep -qE '^  naive +[0-9.]+ [KMG]?i?B +0 ' "$TMP/reptext.out" || fail "report: SoC naive row"
! grep -q $'\r' "$TMP/reptext.out" "$TMP/reptext.err" || fail "report: progress without a terminal"
ok
# No arguments = report (the SoC run at its default length), on the live statistics or the
# sample; says which.
expect_rc 0 noargs env MINALIGN_PROC_SLABINFO=/nonexistent MINALIGN_SYS_SLAB=/nonexistent "$BIN"
grep -q '^source: .*slabinfo.txt (bundled sample, slabinfo 2.1)' "$TMP/noargs.out" ||
	fail "report without arguments: source line"
ok
expect_rc 0 noargsj env MINALIGN_PROC_SLABINFO=/nonexistent MINALIGN_SYS_SLAB=/nonexistent \
	"$BIN" --json --seconds 0.1
json_check noargsj 'assert d["source_kind"] == "sample" and len(d["whatif"]) == 2'

# ---- whatif SVG with odd names --------------------------------------------------------------
printf 'kmalloc-64 1 64 64 64 1\n<&"x\xff> 1 2 3 4 5\n' >"$TMP/odd.txt"
expect_rc 0 odd "$BIN" whatif "$TMP/odd.txt" --svg "$TMP/odd.svg" --json
json_check odd 'assert d["input"]["caches"] == 2'
svg_check "$TMP/odd.svg"

# stress and bench: soc.sh and bench.sh
done_ok
