#!/bin/bash
# minalign record against a fake tracefs directory (libtracefs pointed at it with --tracefs):
# it enables the kmem events (and dma ones where present) and tracing_on while it captures,
# copies trace_pipe (a FIFO fed by a writer that snapshots the enable files while the capture
# runs) to the output, restores every value it found (also after SIGINT and after a failure
# part-way), and the output replays like the fixture it carried.  Errors: no such directory,
# no kmem events, an enable file that cannot be written, bad --seconds.

source "$(dirname "$0")/lib.bash" "$@"

if "$BIN" record --tracefs "$TMP" --seconds 0.1 --output "$TMP/x" 2>&1 | grep -q 'built without'; then
	echo "SKIP: minalign built without libtracefs"
	exit 0
fi

EVENTS="kmem/kmalloc kmem/kmalloc_node kmem/kfree kmem/kmem_cache_alloc kmem/kmem_cache_free dma/dma_map_page"
# make_fake DIR: every event disabled but kfree (enabled before we start), tracing off
make_fake() {
	local d=$1 e
	for e in $EVENTS; do
		mkdir -p "$d/events/$e"
		echo 0 >"$d/events/$e/enable"
	done
	echo 1 >"$d/events/kmem/kfree/enable"
	echo 0 >"$d/tracing_on"
}
# state DIR: "event=value ..." of every enable file, then tracing_on
state() {
	local d=$1 e out=""
	for e in $EVENTS; do out="$out $e=$(head -c1 "$d/events/$e/enable")"; done
	echo "$out tracing_on=$(head -c1 "$d/tracing_on")"
}

FAKE=$TMP/tracefs
make_fake "$FAKE"
BEFORE=$(state "$FAKE")
mkfifo "$FAKE/trace_pipe"
# the writer blocks in open until record opens trace_pipe (after enabling), then snapshots
( exec 3>"$FAKE/trace_pipe"; state "$FAKE" >"$TMP/during"; cat "$FIX/trace_pipe.txt" >&3 ) &
WRITER=$!
expect_rc 0 rec "$BIN" record --tracefs "$FAKE" --seconds 1 --output "$TMP/rec.txt" --json
wait $WRITER
json_check rec "
assert d['tracefs'] == '$FAKE' and d['output'] == '$TMP/rec.txt' and d['restored'] is True
ev = {e['system'] + '/' + e['event']: e for e in d['events']}
assert ev['kmem/kfree']['was_enabled'] is True and ev['kmem/kmalloc']['was_enabled'] is False
assert ev['kmem/kmem_cache_alloc_node']['present'] is False
assert ev['swiotlb/swiotlb_bounced']['present'] is False
assert d['bytes'] == $(wc -c <"$FIX/trace_pipe.txt"), d['bytes']
"
want_during=""
for e in $EVENTS; do want_during="$want_during $e=1"; done
[ "$(cat "$TMP/during")" = "$want_during tracing_on=1" ] || fail "during the capture: $(cat "$TMP/during")"
ok
[ "$(state "$FAKE")" = "$BEFORE" ] || fail "not restored: $(state "$FAKE") vs $BEFORE"
ok
# the output replays to what the fixture itself gives
expect_rc 0 rep_rec "$BIN" replay "$TMP/rec.txt" --json
expect_rc 0 rep_fix "$BIN" replay "$FIX/trace_pipe.txt" --json
python3 - "$TMP/rep_rec.out" "$TMP/rep_fix.out" <<'PY' || fail "recorded trace replays differently"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert a['events'] == b['events'] and a['policies'] == b['policies']
assert sum(a['events'].values()) > 0
PY
ok

# SIGINT ends the capture early and still restores (trace_pipe a plain file here)
rm "$FAKE/trace_pipe"
cp "$FIX/trace_pipe.txt" "$FAKE/trace_pipe"
"$BIN" record --tracefs "$FAKE" --seconds 60 --output "$TMP/int.txt" >"$TMP/int.out" 2>&1 &
REC=$!
for _ in $(seq 50); do [ "$(head -c1 "$FAKE/tracing_on")" = 1 ] && break; sleep 0.1; done
[ "$(head -c1 "$FAKE/tracing_on")" = 1 ] || fail "record did not turn tracing on"
kill -INT $REC
wait $REC || fail "record after SIGINT: status $?: $(cat "$TMP/int.out")"
[ "$(state "$FAKE")" = "$BEFORE" ] || fail "not restored after SIGINT: $(state "$FAKE")"
grep -q 'kmalloc' "$TMP/int.txt" || fail "nothing captured before SIGINT"
ok

# an enable file that cannot be written (a directory): one line, status 1, the rest restored
rm "$FAKE/events/kmem/kmem_cache_free/enable"
mkdir "$FAKE/events/kmem/kmem_cache_free/enable"
expect_rc 1 badenable "$BIN" record --tracefs "$FAKE" --seconds 0.1 --output "$TMP/bad.txt"
[ "$(wc -l <"$TMP/badenable.err")" = 1 ] || fail "badenable: $(cat "$TMP/badenable.err")"
grep -q 'kmem_cache_free' "$TMP/badenable.err" || fail "badenable: $(cat "$TMP/badenable.err")"
rmdir "$FAKE/events/kmem/kmem_cache_free/enable"
echo 0 >"$FAKE/events/kmem/kmem_cache_free/enable"
[ "$(state "$FAKE")" = "$BEFORE" ] || fail "not restored after a failure: $(state "$FAKE")"
ok

# no such directory; a directory without kmem events; bad --seconds
expect_rc 1 nodir "$BIN" record --tracefs "$TMP/none" --seconds 0.1 --output "$TMP/n.txt"
[ "$(wc -l <"$TMP/nodir.err")" = 1 ] || fail "nodir: $(cat "$TMP/nodir.err")"
ok
mkdir -p "$TMP/empty/events/sched/sched_switch"
echo 0 >"$TMP/empty/events/sched/sched_switch/enable"
echo 0 >"$TMP/empty/tracing_on"
expect_rc 1 nokmem "$BIN" record --tracefs "$TMP/empty" --seconds 0.1 --output "$TMP/e.txt"
grep -q 'no kmem events' "$TMP/nokmem.err" || fail "nokmem: $(cat "$TMP/nokmem.err")"
[ "$(head -c1 "$TMP/empty/tracing_on")" = 0 ] || fail "nokmem turned tracing on"
ok
expect_usage secs "--seconds" "$BIN" record --seconds 0
expect_usage secs2 "--seconds" "$BIN" record --seconds abc
expect_usage extra "unexpected" "$BIN" record foo
done_ok
