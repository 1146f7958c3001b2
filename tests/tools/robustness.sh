#!/bin/bash
# Hostile inputs: random bytes, absurd numbers, odd sysfs trees, and a long generated trace.
# Never a crash (status 0 or 1, never a signal); counts stay exact.

source "$(dirname "$0")/lib.bash" "$@"

no_crash() {
	local name=$1
	shift
	run_cmd "$name" "$@"
	[ "$RC" -le 2 ] || fail "$name: status $RC (crash?): $(head -c 300 "$TMP/$name.err")"
	ok
}

# Random bytes, deterministic.
python3 - "$TMP" <<'PY'
import random, sys
r = random.Random(7)
d = sys.argv[1]
open(d + "/rand.bin", "wb").write(bytes(r.getrandbits(8) for _ in range(200000)))
words = [b"kmalloc-64", b"kmalloc-cg-8k", b"dma-kmalloc-96", b"kmalloc-rnd-03-192", b"0",
         b"18446744073709551615", b"99999999999999999999999", b"4294967296", b":", b"tunables",
         b"slabdata", b"kmalloc:", b"kfree:", b"ptr=", b"bytes_req=", b"(nil)", b"\x00", b"\xff"]
out = []
for _ in range(20000):
    out.append(b" ".join(r.choice(words) for _ in range(r.randint(0, 18))))
open(d + "/words.txt", "wb").write(b"\n".join(out))
# absurd but well-formed slabinfo: saturating arithmetic, no overflow
open(d + "/huge.txt", "w").write(
    "kmalloc-8 0 18446744073709551615 8 1 1048576 : tunables 0 0 0 : slabdata 0 18446744073709551615 0\n"
    "kmalloc-16 0 18446744073709551615 16 1 1 : tunables 0 0 0 : slabdata 0 18446744073709551615 0\n"
    "kmalloc-cg-32 0 18446744073709551615 32 4294967295 1\n")
PY
for f in rand.bin words.txt; do
	no_crash "w_$f" "$BIN" whatif "$TMP/$f" --json
	no_crash "r_$f" "$BIN" replay "$TMP/$f" --json --policy naive
	if [ "$RC" = 1 ]; then # no well-formed kmem event in it: one line says so
		[ "$(wc -l <"$TMP/r_$f.err")" = 1 ] && grep -q 'no kmem events' "$TMP/r_$f.err" ||
			fail "replay $f: $(cat "$TMP/r_$f.err")"
	else
		[ "$RC" = 0 ] || fail "replay $f: status $RC"
		python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/r_$f.out" || fail "replay $f: JSON"
	fi
	ok
done
expect_rc 0 huge "$BIN" whatif "$TMP/huge.txt" --json --cache-line 256
json_check huge '
for p in d["policies"].values():
    assert 0 <= p["slab_bytes"] <= 2**64 - 1
    assert -2**63 <= p["net_vs_legacy"] <= 2**63 - 1
'
no_crash devnull "$BIN" whatif /dev/null
[ "$RC" = 1 ] || fail "whatif /dev/null: status $RC"
no_crash dir_empty "$BIN" whatif "$TMP/nothing-here"
mkdir -p "$TMP/emptydir"
no_crash emptydir "$BIN" whatif "$TMP/emptydir"
[ "$RC" = 1 ] || fail "whatif empty dir: status $RC"

# A sysfs tree with odd files: empty, binary, huge, negative, a loop of symlinks.
S=$TMP/sys
mkdir -p "$S/kmalloc-64" "$S/kmalloc-128" "$S/kmalloc-256" "$S/kmalloc-512"
printf '' >"$S/kmalloc-64/order"
printf '0\n' >"$S/kmalloc-128/order"
printf '\xff\xfe' >"$S/kmalloc-128/total_objects"
printf '1 N0=1\n' >"$S/kmalloc-128/slabs"
printf '99999999999999999999999\n' >"$S/kmalloc-128/objs_per_slab"
printf '31\n' >"$S/kmalloc-256/order"
printf '0\n' >"$S/kmalloc-512/order"
printf -- '-5\n' >"$S/kmalloc-512/total_objects"
printf '0\n' >"$S/kmalloc-512/objs_per_slab"
ln -s loop1 "$S/loop2"
ln -s loop2 "$S/loop1"
ln -s . "$S/self"
no_crash sysodd "$BIN" whatif "$S" --json
python3 - "$TMP/sysodd.err" "$TMP/sysodd.out" <<'PY' || fail "odd sysfs"
import json, sys
err = open(sys.argv[1]).read()
if err:
    assert "no slab rows" in err, err
else:
    json.load(open(sys.argv[2]))
PY
ok

# A long generated trace: 60000 allocations of random sizes, most freed in random order, some
# pointers reused after free, some frees of pointers never allocated.
python3 - "$TMP/long.trace" <<'PY'
import random, sys
r = random.Random(11)
live, lines, nalloc, nfree, unmatched = [], [], 0, 0, 0
nextp = 0x1000
free_ptrs = []
for i in range(60000):
    if free_ptrs and r.random() < 0.3:
        p = free_ptrs.pop()            # the kernel reuses freed addresses
    else:
        nextp += 64
        p = nextp
    size = r.choice([8, 13, 24, 40, 64, 96, 100, 128, 160, 192, 250, 500, 1000, 3000, 8000])
    lines.append("t-1 [000] .... 1.0: kmalloc: call_site=x ptr=%016x bytes_req=%d bytes_alloc=%d gfp_flags=GFP_KERNEL" % (p, size, size))
    nalloc += 1
    live.append(p)
    if r.random() < 0.45 and live:
        q = live.pop(r.randrange(len(live)))
        lines.append("t-1 [000] .... 1.0: kfree: call_site=y ptr=%016x" % q)
        free_ptrs.append(q)
        nfree += 1
    if r.random() < 0.01:
        lines.append("t-1 [000] .... 1.0: kfree: call_site=y ptr=%016x" % (0xdead0000 + i))
        unmatched += 1
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
open(sys.argv[1] + ".expect", "w").write("%d %d %d %d" % (nalloc, nfree, unmatched, len(live)))
PY
read -r NALLOC NFREE UNMATCHED LIVE <"$TMP/long.trace.expect"
expect_rc 0 long "$BIN" replay "$TMP/long.trace" --json --policy bounce
json_check long "
p = d['policies']['bounce']
assert p['allocs'] == $NALLOC and p['frees'] == $NFREE, p
assert p['unmatched_frees'] == $UNMATCHED and p['reused_ptrs'] == 0 and p['failed_allocs'] == 0
assert sum(c['live'] for c in p['classes'].values()) == $LIVE
assert p['peak_slab_bytes'] >= p['final_slab_bytes'] > 0 and p['reports'] == 0
"
done_ok
