#!/usr/bin/env bash
# bench/run.sh BUILDDIR - the slab benchmark: ns per allocate+free pair of 8..256-byte and
# 512..8192-byte objects
# for minalign's kmalloc/kfree beside glibc, mimalloc, jemalloc, tcmalloc and a minimal
# thread-local free list (the floor).  One program per allocator (bench/slab_bench.c); the
# programs run alternately, BENCH_ROUNDS rounds (default 7, order rotated every round), and the
# table shows the median of the rounds and minalign's ratio to mimalloc (< 1 is faster), and
# the ratio of the best rounds (on a shared machine interference only ever adds time).
# Patterns: tight (one size in a loop), batch (10,000 random sizes freed in random order),
# cross (two threads free each other's batches).  BENCH_SCALE=n makes every run n times longer.
set -euo pipefail

build=${1:?usage: bench/run.sh BUILDDIR}
dir=$build/bench
rounds=${BENCH_ROUNDS:-7}
allocs=()
for a in minalign floor glibc mimalloc jemalloc tcmalloc; do
	[ -x "$dir/bench_slab_$a" ] && allocs+=("$a")
done
if [ ! -x "$dir/bench_slab_minalign" ]; then
	echo "bench/run.sh: $dir/bench_slab_minalign not built" >&2
	exit 1
fi

raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
n=${#allocs[@]}
for ((r = 0; r < rounds; r++)); do
	[ -t 2 ] && printf '\rslab bench: round %d/%d ' $((r + 1)) "$rounds" >&2
	for ((i = 0; i < n; i++)); do
		a=${allocs[$(((i + r) % n))]}
		"$dir/bench_slab_$a" | awk -v a="$a" '
			!/^#/ { rank = $1 == "tight" ? 1 : $1 == "batch" ? 2 : 3; print a, rank $1, $2, $3 }' >>"$raw"
	done
done
[ -t 2 ] && printf '\r%40s\r' '' >&2

echo "minalign slab benchmark: ns per allocate+free pair, median of $rounds rounds"
echo "($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); processes interleaved)"
sort -k2,2 -k3,3n -k1,1 -k4,4n "$raw" | awk -v list="${allocs[*]}" '
	function flush() {
		if (key == "") return
		m = vals[int((cnt + 1) / 2)]
		med[key] = m
		best[key] = vals[1]
		cnt = 0
	}
	{
		k = $2 " " $3 " " $1
		if (k != key) { flush(); key = k; if (!($2 " " $3 in seen)) { rows[++nrow] = $2 " " $3; seen[$2 " " $3] = 1 } }
		vals[++cnt] = $4
	}
	END {
		flush()
		na = split(list, al, " ")
		printf "%-7s %-5s", "pattern", "size"
		for (i = 1; i <= na; i++) printf " %9s", al[i]
		printf " %18s %6s\n", "minalign/mimalloc", "best"
		for (r = 1; r <= nrow; r++) {
			split(rows[r], rk, " ")
			printf "%-7s %-5s", substr(rk[1], 2), rk[2]
			for (i = 1; i <= na; i++) {
				v = med[rows[r] " " al[i]]
				if (v == "") printf " %9s", "-"; else printf " %9.2f", v
			}
			mi = med[rows[r] " minalign"]; mm = med[rows[r] " mimalloc"]
			bi = best[rows[r] " minalign"]; bm = best[rows[r] " mimalloc"]
			if (mm != "" && mm > 0) printf " %18.2f %6.2f\n", mi / mm, bi / bm
			else printf " %18s %6s\n", "-", "-"
		}
	}'
