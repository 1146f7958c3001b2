#!/usr/bin/env bash
# tests/preload/preload.sh LIB API_EXE - libminalign-malloc.so under real programs, with slab
# debugging on (red zones, poisoning, exact free checks: a misuse report fails the run):
#  - tests/preload/api.c's checks of the malloc family (sizes, realloc, alignment, threads,
#    fork);
#  - a short python workload and a short sqlite3 workload, each compared with a plain run's
#    output.
set -euo pipefail
lib=${1:?usage: preload.sh LIB API_EXE}
api=${2:?usage: preload.sh LIB API_EXE}
python=/usr/bin/python3
for tool in "$python" /usr/bin/sqlite3; do
	[ -x "$tool" ] || { echo "preload.sh: $tool missing (scripts/deps.sh test)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export MINALIGN_DEBUG_SLAB=1

under() { LD_PRELOAD=$lib MINALIGN_MALLOC_STATS=1 "$@"; }

echo "== api checks"
under "$api" 2>"$work/api.err" || { cat "$work/api.err" >&2; exit 1; }
grep -q '^minalign-malloc:' "$work/api.err" || { echo "preload.sh: the library was not preloaded" >&2; exit 1; }

cat >"$work/w.py" <<'PY'
import random, json
random.seed(7)
d = {("k%d" % i): [i, str(i) * 5] for i in range(40000)}
for i in range(0, 40000, 3):
    del d["k%d" % i]
s = sorted(d, key=lambda k: (len(k), k[::-1]))
blob = json.dumps({k: d[k] for k in s[:2000]})
print(len(d), s[0], s[-1], len(blob), sum(sorted(random.random() for _ in range(30000))) > 0)
PY
cat >"$work/w.sql" <<'SQL'
CREATE TABLE t(id INTEGER PRIMARY KEY, g INTEGER, s TEXT);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20000)
INSERT INTO t(g, s) SELECT i % 37, printf('row-%06d-%s', i, hex(i * 131)) FROM c;
CREATE INDEX t_g ON t(g, s);
SELECT g, count(*), max(s) FROM t GROUP BY g ORDER BY g LIMIT 4;
UPDATE t SET s = s || s WHERE id % 3 = 0;
DELETE FROM t WHERE id % 5 = 0;
SELECT count(*), sum(length(s)) FROM t;
SQL

echo "== python"
"$python" "$work/w.py" >"$work/py.plain"
under "$python" "$work/w.py" >"$work/py.pre" 2>"$work/py.err" || { cat "$work/py.err" >&2; exit 1; }
cmp "$work/py.plain" "$work/py.pre" || { echo "preload.sh: python output differs" >&2; exit 1; }
echo "== sqlite3"
/usr/bin/sqlite3 :memory: <"$work/w.sql" >"$work/sq.plain"
under /usr/bin/sqlite3 :memory: <"$work/w.sql" >"$work/sq.pre" 2>"$work/sq.err" || { cat "$work/sq.err" >&2; exit 1; }
cmp "$work/sq.plain" "$work/sq.pre" || { echo "preload.sh: sqlite3 output differs" >&2; exit 1; }
# a misuse report (slab debug) would be on stderr: only the statistics line may be there
for e in "$work"/py.err "$work"/sq.err "$work"/api.err; do
	if grep -v '^minalign-malloc:' "$e" | grep -q .; then
		echo "preload.sh: unexpected messages in $(basename "$e"):" >&2
		cat "$e" >&2
		exit 1
	fi
done
echo "preload: python and sqlite3 outputs identical to plain runs, api checks passed"
