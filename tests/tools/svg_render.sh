#!/bin/bash
# The SVG charts of `report` (what-if and SoC panels) and `whatif` render in a real browser:
# headless Chromium screenshots each to a PNG, which must have the SVG's size and more than one
# colour, with the bars drawn in the policies' colours (in the report's SoC corruption panel,
# only naive's bar).  The PNG is decoded with zlib by hand (no imaging library needed).
# Skipped, saying so, when Debian's chromium is not installed.

source "$(dirname "$0")/lib.bash" "$@"

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	echo "SKIP: svg_render.sh: chromium is not installed (apt-get install chromium); SVG rendering not checked"
	exit 0
fi

# render SVG PNG HEIGHT
render() {
	local profile
	profile=$(mktemp -d "$TMP/chromium.XXXXXX")
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$profile" --screenshot="$2" --window-size="1000,$3" "file://$1" \
		>"$TMP/chromium.log" 2>&1 || fail "chromium failed on $1: $(tail -5 "$TMP/chromium.log")"
	[ -s "$2" ] || fail "chromium wrote no screenshot of $1: $(tail -5 "$TMP/chromium.log")"
	ok
}

svg_height() {
	python3 -c 'import sys, xml.etree.ElementTree as ET; print(ET.parse(sys.argv[1]).getroot().get("height"))' "$1"
}

# png_check PNG WIDTH HEIGHT PYTHON: decode PNG into `rows` (bytes per row, `bpp` bytes per
# pixel), check its size and colours, then run the PYTHON statements with `count(rgb, y0, y1)`.
png_check() {
	python3 - "$@" <<'PY' || fail "$1: rendered PNG check failed"
import collections, struct, sys, zlib

def decode(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, hdr = 8, [], None
    while pos < len(data):
        n, typ = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if typ == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif typ == b"IDAT":
            idat.append(body)
        elif typ == b"IEND":
            break
    w, h, depth, ctype, _, _, interlace = hdr
    assert depth == 8 and ctype in (2, 6) and interlace == 0, hdr
    bpp = 3 if ctype == 2 else 4
    raw, stride, prev, rows = zlib.decompress(b"".join(idat)), w * bpp, bytearray(w * bpp), []
    for y in range(h):
        i = y * (stride + 1)
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        if f == 1:
            for x in range(bpp, stride):
                line[x] = (line[x] + line[x - bpp]) & 255
        elif f == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif f == 3:
            for x in range(stride):
                a = line[x - bpp] if x >= bpp else 0
                line[x] = (line[x] + ((a + prev[x]) >> 1)) & 255
        elif f == 4:
            for x in range(stride):
                a, b = (line[x - bpp] if x >= bpp else 0), prev[x]
                c = prev[x - bpp] if x >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        else:
            assert f == 0, "bad filter %d" % f
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows

path, want_w, want_h, code = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
w, h, bpp, rows = decode(path)
assert (w, h) == (want_w, want_h), (w, h)
colours = set()
for r in rows:
    colours.update(r[x:x + 3] for x in range(0, len(r), bpp))
assert len(colours) > 1, "blank screenshot"
assert len(colours) >= 6, "only %d colours" % len(colours)

regions = {}

def count(rgb, y0=0, y1=None):
    """Pixels of colour rgb (each channel within 3) in rows y0..y1."""
    if (y0, y1) not in regions:
        hist = collections.Counter()
        for r in rows[y0:y1]:
            hist.update(r[x:x + 3] for x in range(0, len(r), bpp))
        regions[(y0, y1)] = hist
    want = bytes.fromhex(rgb.lstrip("#"))
    return sum(n for c, n in regions[(y0, y1)].items()
               if all(abs(c[k] - want[k]) <= 3 for k in range(3)))

exec(code)
PY
	ok
}

LEGACY='#4e79a7' NAIVE='#76b7b2'

# ---- whatif: two panels --------------------------------------------------------------------
expect_rc 0 whatif "$BIN" whatif "$FIX/whatif_mixed.txt" --cpus 2 --ram 1G --svg "$TMP/whatif.svg"
H=$(svg_height "$TMP/whatif.svg")
[ "$H" = 770 ] || fail "whatif svg height $H"
render "$TMP/whatif.svg" "$TMP/whatif.png" "$H"
png_check "$TMP/whatif.png" 1000 "$H" "
for c in ('$LEGACY', '#f28e2b', '#59a14f', '#e15759', '$NAIVE'):
    assert count(c, 70, 420) > 2000, c   # every policy's slab, pool and total bars
"

# ---- report: four what-if panels, then the SoC's two -------------------------------------------
expect_rc 0 report "$BIN" report --slabinfo "$FIX/whatif_mixed.txt" --cpus 2 --ram 1G \
	--seconds 0.2 --svg "$TMP/report.svg"
H=$(svg_height "$TMP/report.svg")
[ "$H" = 2170 ] || fail "report svg height $H"
render "$TMP/report.svg" "$TMP/report.png" "$H"
png_check "$TMP/report.png" 1000 "$H" "
soc_mem, soc_bad = 70 + 350 * 4, 70 + 350 * 5
for c in ('$LEGACY', '#f28e2b', '#59a14f', '#e15759', '$NAIVE'):
    assert count(c, soc_mem, soc_bad) > 2000, c   # slab and pool peaks: bars for all
# corrupted bytes: a tall bar for naive; the others show only their legend swatch
assert count('$NAIVE', soc_bad) > 5000, count('$NAIVE', soc_bad)
assert count('$LEGACY', soc_bad) < 400, count('$LEGACY', soc_bad)
"
done_ok
