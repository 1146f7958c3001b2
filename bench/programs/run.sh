#!/usr/bin/env bash
# bench/programs/run.sh BUILDDIR - real programs on kmalloc: each workload runs under glibc's
# malloc, mimalloc (LD_PRELOAD) and libminalign-malloc.so (LD_PRELOAD), interleaved for
# BENCH_ROUNDS rounds (default 3, order rotated every round).  Prints the median wall time and
# peak RSS of each, minalign's and mimalloc's ratios to glibc, and whether every run's output
# was identical to glibc's (a run whose output differs makes the script fail).
# Workloads: python dict/sort (workload.py), sqlite3 inserts and queries (workload.sql),
# `git log -p` on this repository, larson (mixed sizes 8..1000, 2 threads) and cache-scratch
# (2 threads), the last two built from bench/programs/*.c.
set -euo pipefail

build=${1:?usage: bench/programs/run.sh BUILDDIR}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
rounds=${BENCH_ROUNDS:-3}
preload=$build/libminalign-malloc.so
mimalloc=$(ls /usr/lib/*/libmimalloc.so.2 2>/dev/null | head -1 || true)
[ -f "$preload" ] || { echo "bench/programs: $preload not built" >&2; exit 1; }
python=/usr/bin/python3
for tool in "$python" /usr/bin/sqlite3 /usr/bin/git /usr/bin/time; do
	[ -x "$tool" ] || { echo "bench/programs: $tool missing (scripts/deps.sh bench)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rev=$(git -C "$repo" rev-parse HEAD)

declare -A cmd=(
	[python]="$python $here/workload.py 300000"
	[sqlite3]="/usr/bin/sqlite3 :memory: -init /dev/null -batch"
	[git]="/usr/bin/git -C $repo --no-pager log -p -n 400 $rev"
	[larson]="$build/bench/programs/larson 2"
	[cache-scratch]="$build/bench/programs/cache_scratch 2"
)
input() { [ "$1" = sqlite3 ] && cat "$here/workload.sql" || true; }
progs=(python sqlite3 git larson cache-scratch)
allocs=(glibc minalign)
[ -n "$mimalloc" ] && allocs+=(mimalloc)

run_one() { # prog alloc round -> appends "prog alloc secs kib" to $work/raw
	local p=$1 a=$2 r=$3 pre=
	case $a in
	minalign) pre=$preload ;;
	mimalloc) pre=$mimalloc ;;
	esac
	input "$p" | env ${pre:+LD_PRELOAD=$pre} /usr/bin/time -f "%e %M" -o "$work/t" \
		${cmd[$p]} >"$work/out.$p.$a.$r" 2>"$work/err.$p.$a.$r" || {
		echo "bench/programs: $p under $a failed:" >&2
		cat "$work/err.$p.$a.$r" >&2
		exit 1
	}
	echo "$p $a $(tail -1 "$work/t")" >>"$work/raw"
}

n=${#allocs[@]}
for ((r = 0; r < rounds; r++)); do
	for p in "${progs[@]}"; do
		[ -t 2 ] && printf '\rreal programs: round %d/%d %-14s' $((r + 1)) "$rounds" "$p" >&2
		for ((i = 0; i < n; i++)); do
			run_one "$p" "${allocs[$(((i + r) % n))]}" "$r"
		done
	done
done
[ -t 2 ] && printf '\r%60s\r' '' >&2

status=0
for p in "${progs[@]}"; do
	for a in "${allocs[@]}"; do
		for ((r = 0; r < rounds; r++)); do
			if ! cmp -s "$work/out.$p.glibc.0" "$work/out.$p.$a.$r"; then
				echo "bench/programs: $p under $a (round $r): output differs from glibc's" >&2
				status=1
			fi
		done
	done
done

echo "real programs under LD_PRELOAD: median of $rounds rounds, wall seconds and peak RSS"
echo "($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); runs interleaved; output compared with glibc's)"
sort -k1,1 -k2,2 -k3,3n "$work/raw" | awk -v progs="${progs[*]}" -v allocs="${allocs[*]}" '
	{ k = $1 " " $2; t[k, ++nt[k]] = $3; m[k, nt[k]] = $4 }
	function med(arr, k, n,   i, j, v, tmp) {
		for (i = 1; i <= n; i++) v[i] = arr[k, i]
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { tmp = v[i]; v[i] = v[j]; v[j] = tmp }
		return v[int((n + 1) / 2)]
	}
	END {
		np = split(progs, P, " "); na = split(allocs, A, " ")
		printf "%-14s", "program"
		for (i = 1; i <= na; i++) printf " %9s %9s", A[i] " s", "MiB"
		printf " %12s %12s %12s %12s\n", "minalign t/g", "rss/glibc", "mimalloc t/g", "rss/glibc"
		for (j = 1; j <= np; j++) {
			printf "%-14s", P[j]
			for (i = 1; i <= na; i++) {
				k = P[j] " " A[i]
				T[i] = med(t, k, nt[k]); M[i] = med(m, k, nt[k])
				printf " %9.2f %9.1f", T[i], M[i] / 1024
			}
			for (i = 2; i <= na; i++)
				printf " %12.2f %12.2f", (T[1] > 0 ? T[i] / T[1] : 0), M[i] / M[1]
			printf "\n"
		}
	}'
exit $status
