#!/bin/bash
# The simulated system-on-chip: a short `report --json` (naive corrupts, every other policy
# corrupts nothing, every key present, found under .soc.policies.<name> and .policies.<name>),
# `stress` in both victim modes and with every knob, progress only on a terminal, bad usage.

source "$(dirname "$0")/lib.bash" "$@"
F=$FIX/whatif_mixed.txt

# The checks every SoC result must pass; `d` is the JSON document, `pols` the policies object.
SOC_CHECK='
KEYS = ["slab_bytes", "bounces", "bounce_exact", "bounce_linux", "bounce_pool_peak_bytes",
        "ops_per_second", "conflicts", "corrupted_bytes", "map_failures", "reports", "corrupted",
        "mappings", "seconds"]
def check_soc(pols, names, victim):
    assert list(pols) == names, list(pols)
    for name in names:
        p = pols[name]
        for k in KEYS:
            assert k in p, (name, k)
        assert p["slab_bytes"] > 0 and p["ops_per_second"] > 0, (name, p)
        assert p["mappings"]["total"] > 0 and p["dma_errors"] == 0, (name, p)
        assert p["corrupted_bytes"] == sum(p["corrupted"].values()), (name, p)
        assert p["bounces"] <= p["mappings"]["total"] + p["map_failures"], (name, p)
        if name == "naive":
            assert p["corrupted_bytes"] > 0 and p["conflicts"] > 0 and p["bounces"] == 0, p
            assert p["bounce_exact"] > 0 and p["library_bug"] is False, p
            c = p["corrupted"]
            if victim == "lose_cpu_writes":
                assert c["neighbours"] > 0 and c["rx_buffers"] == 0, c
            else:
                assert c["rx_buffers"] > 0 and c["neighbours"] == 0, c
            assert c["tx"] == 0 and c["churn"] == 0 and c["coherent"] == 0, c
        else:
            assert p["corrupted_bytes"] == 0 and p["conflicts"] == 0, (name, p)
            assert p["library_bug"] is False and p["reports"] == 0, (name, p)
        if name in ("legacy", "packed"):
            assert p["bounces"] == 0, (name, p)
        if name in ("bounce", "dma_opt_in"):
            assert p["bounces"] > 0 and p["bounces"] == p["bounce_exact"], (name, p)
        # the library names the drivers that forgot GFP_DMA: under dma_opt_in the odd devices
        # only (the even ones opted in), under bounce (DMA debug on) every bouncing driver
        m = p["missing_opt_ins"]
        if name == "dma_opt_in":
            assert [x["device"] for x in m] == ["nic1"], m
            assert m[0]["bounces"] == p["bounces"] and m[0]["call"] == "dma_map_single", m
            assert m[0]["caller"].startswith("soc_driver_map+0x"), m
        elif name == "bounce":
            assert sorted(x["device"] for x in m) == ["nic0", "nic1"], m
            assert sum(x["bounces"] for x in m) == p["bounces"], m
        else:
            assert m == [], (name, m)
ALL = ["legacy", "bounce", "packed", "dma_opt_in", "naive"]
'

# ---- report --json ------------------------------------------------------------------------
expect_rc 0 rep "$BIN" report --slabinfo "$F" --cpus 2 --ram 1G --json --seconds 0.3 --seed 3
json_check rep "$SOC_CHECK"'
s = d["soc"]
assert s["available"] is True and s["config"]["seconds_per_policy"] == 0.3
assert s["config"]["seed"] == 3 and s["config"]["cache_line"] == 128
check_soc(s["policies"], ALL, "lose_cpu_writes")
assert d["policies"] == s["policies"]   # the same objects at the top level
assert d["policies"]["naive"]["corrupted_bytes"] > 0
assert all(d["policies"][p]["corrupted_bytes"] == 0 for p in ALL[:4])
# DMA_OPT_IN: the opted-in devices are not bounced, which Linux s heuristic would bounce
assert s["policies"]["dma_opt_in"]["bounce_linux"] > s["policies"]["dma_opt_in"]["bounce_exact"]
# the pool the run needed beside the default reservation, and what-if nets with each
n = d["bounce_pool_need"]
assert n["reserved_bytes"] == 262144 and n["cache_line"] == 128, n
w = d["whatif"][1]["policies"]
for name in ("bounce", "dma_opt_in"):
    x = n[name]
    assert x["needed_bytes"] == s["policies"][name]["bounce_slots_peak_bytes"] > 0, (name, x)
    assert x["grew"] is False, (name, x)
    assert x["net_vs_legacy_reserved"] == w[name]["net_vs_legacy"], (name, x, w[name])
    assert x["net_vs_legacy_needed"] == w[name]["net_vs_legacy"] - 262144 + x["needed_bytes"]
'
[ ! -s "$TMP/rep.err" ] || fail "report --json: stderr: $(head -c 500 "$TMP/rep.err")"
ok

# ---- stress, both victims -------------------------------------------------------------------
for v in lose_cpu_writes lose_device_writes; do
	expect_rc 0 "st_$v" "$BIN" stress --json --seconds 0.25 --victim "$v"
	json_check "st_$v" "$SOC_CHECK"'
assert d["config"]["victim"] == "'"$v"'" and d["library_bug"] is False
check_soc(d["policies"], ALL, "'"$v"'")
'
	! grep -q $'\r' "$TMP/st_$v.out" "$TMP/st_$v.err" || fail "stress: progress without a terminal"
	ok
done

# ---- stress, every knob ---------------------------------------------------------------------
expect_rc 0 knobs "$BIN" stress --json --policy bounce --threads 3 --devices 3 --seconds 0.2 \
	--sizes 1-200 --cache-line 64 --seed 42
json_check knobs '
c = d["config"]
assert (c["cpu_threads"], c["noncoherent_devices"], c["dma_size_min"], c["dma_size_max"]) == (3, 3, 1, 200)
assert c["cache_line"] == 64 and c["seed"] == 42 and c["seconds_per_policy"] == 0.2
p = d["policies"]
assert list(p) == ["bounce"] and p["bounce"]["bounces"] > 0 and p["bounce"]["corrupted_bytes"] == 0
'
expect_rc 0 short "$BIN" stress -p naive -t 0 -d 1 -s 0.2 --sizes 24 -l 64 --victim lose-device-writes --json
json_check short '
p = d["policies"]["naive"]
assert d["config"]["dma_size_min"] == d["config"]["dma_size_max"] == 24
assert p["corrupted"]["rx_buffers"] > 0 and p["corrupted"]["churn"] == 0
'
# Buffers that own whole cache lines cannot be corrupted, even under naive.
expect_rc 0 aligned "$BIN" stress -p naive -s 0.2 --sizes 128-128 --json
json_check aligned 'p = d["policies"]["naive"]; assert p["corrupted_bytes"] == 0 and p["conflicts"] == 0, p'
# Text: the table, the naive row, the corruption note.
expect_rc 0 sttext "$BIN" stress -p dma_opt_in -p naive -s 0.2
grep -q '^  policy  *slab peak  *bounces  *exact  *linux  *pool peak  *ops/s  *conflicts  *corrupted$' \
	"$TMP/sttext.out" || fail "stress text: header"
grep -q '^  naive ' "$TMP/sttext.out" && ! grep -q '^  legacy ' "$TMP/sttext.out" ||
	fail "stress text: one policy"
grep -q '^  - naive: [0-9]* corrupted bytes: ' "$TMP/sttext.out" || fail "stress text: note"
ok

# Progress on a terminal only: under script(1) stdout and stderr are a terminal.
if command -v script >/dev/null; then
	script -qec "$BIN stress -p legacy -s 0.3" /dev/null >"$TMP/tty.out" 2>&1 ||
		fail "stress on a terminal: $(head -c 500 "$TMP/tty.out")"
	grep -q $'\r.*\[policy 1/1\] legacy' "$TMP/tty.out" || fail "stress: no progress on a terminal"
	ok
else
	echo "note: script(1) missing, progress on a terminal not checked"
fi

# ---- bad usage ------------------------------------------------------------------------------
expect_usage b_pol "stress: --policy must be one of" "$BIN" stress --policy nope
expect_usage b_thr "stress: --threads must be a number in 0..64" "$BIN" stress --threads 65
expect_usage b_thrx "stress: --threads must be" "$BIN" stress -t x
expect_usage b_dev "stress: --devices must be a number in 0..16" "$BIN" stress --devices 17
expect_usage b_sec "stress: --seconds must be a number in (0, 3600]" "$BIN" stress --seconds 0
expect_usage b_secx "stress: --seconds must be" "$BIN" stress -s 1x
expect_usage b_size0 "stress: --sizes must be MIN-MAX" "$BIN" stress --sizes 0-8
expect_usage b_sizer "stress: --sizes must be MIN-MAX" "$BIN" stress --sizes 9-8
expect_usage b_sizeb "stress: --sizes must be MIN-MAX with 1 <= MIN <= MAX <= 4096" \
	"$BIN" stress --sizes 1-5000
expect_usage b_sizex "stress: --sizes must be" "$BIN" stress --sizes 8-
expect_usage b_vic "stress: --victim must be lose_cpu_writes or lose_device_writes" \
	"$BIN" stress --victim cpu
expect_usage b_seed "stress: --seed must be an unsigned number" "$BIN" stress --seed -1
expect_usage b_line "stress: --cache-line must be a power of two in 16..256" "$BIN" stress -l 48
expect_usage b_miss "stress: option '--seconds' needs a value" "$BIN" stress --seconds
done_ok
