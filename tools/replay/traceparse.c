/* SPDX-License-Identifier: MIT */
/*
 * tools/replay/traceparse.c - the ftrace kmem event text parser (see traceparse.h).
 *
 * A line is split on blanks.  The event is the first token of the form "<event>:" or
 * "kmem:<event>:" naming a kmem event; the tokens after it that hold '=' are key=value fields.
 * Everything before the event (task-pid, [cpu], flags, timestamp) and tokens without '=' (such as
 * trace-cmd's "(func+0xoff)") are ignored, so the three tools' layouts all parse the same way.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <minalign/minalign.h>

#include "traceparse.h"

struct span {
	const char *p;
	size_t len;
};

static const char *const event_names[TR_NR_EVENTS] = {
	[TR_KMALLOC] = "kmalloc",
	[TR_KMALLOC_NODE] = "kmalloc_node",
	[TR_KMEM_CACHE_ALLOC] = "kmem_cache_alloc",
	[TR_KMEM_CACHE_ALLOC_NODE] = "kmem_cache_alloc_node",
	[TR_KFREE] = "kfree",
	[TR_KMEM_CACHE_FREE] = "kmem_cache_free",
};

static const char *const dma_event_names[TR_NR_DMA_EVENTS] = {
	[TR_DMA_MAP_PAGE] = "dma_map_page",	  [TR_DMA_MAP_SG] = "dma_map_sg",
	[TR_DMA_UNMAP_PAGE] = "dma_unmap_page",	  [TR_DMA_UNMAP_SG] = "dma_unmap_sg",
	[TR_SWIOTLB_BOUNCED] = "swiotlb_bounced",
};

/* event_of()'s value for DMA event e */
#define TR_DMA_BASE 100

const char *tr_event_name(enum tr_event e)
{
	return (unsigned int)e < TR_NR_EVENTS ? event_names[e] : "?";
}

const char *tr_dma_event_name(enum tr_dma_event e)
{
	return (unsigned int)e < TR_NR_DMA_EVENTS ? dma_event_names[e] : "?";
}

static bool span_eq(struct span s, const char *lit)
{
	size_t n = strlen(lit);

	return s.len == n && !memcmp(s.p, lit, n);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Next blank-separated token of [*pos, end); false at the end. */
static bool next_token(const char **pos, const char *end, struct span *tok)
{
	const char *p = *pos;

	while (p < end && is_blank(*p))
		p++;
	if (p == end)
		return false;
	tok->p = p;
	while (p < end && !is_blank(*p))
		p++;
	tok->len = (size_t)(p - tok->p);
	*pos = p;
	return true;
}

/* Drop a "<system>:" prefix from @t if it is @sys. */
static void drop_prefix(struct span *t, const char *sys)
{
	size_t n = strlen(sys);

	if (t->len > n + 1 && !memcmp(t->p, sys, n) && t->p[n] == ':') {
		t->p += n + 1;
		t->len -= n + 1;
	}
}

/*
 * "<event>:" or "kmem:<event>:" -> the kmem event; "dma_map_page:", "dma:dma_map_page:",
 * "swiotlb:swiotlb_bounced:" ... -> TR_DMA_BASE + the DMA event; else -1.
 */
static int event_of(struct span t)
{
	if (t.len < 2 || t.p[t.len - 1] != ':')
		return -1;
	t.len--;
	drop_prefix(&t, "kmem");
	for (int e = 0; e < TR_NR_EVENTS; e++)
		if (span_eq(t, event_names[e]))
			return e;
	drop_prefix(&t, "dma");
	drop_prefix(&t, "swiotlb");
	for (int e = 0; e < TR_NR_DMA_EVENTS; e++)
		if (span_eq(t, dma_event_names[e]))
			return TR_DMA_BASE + e;
	return -1;
}

static bool parse_hex(struct span v, uint64_t *out);

/* A decimal number, or a 0x-prefixed hex one (the `fields` trace option prints those). */
static bool parse_dec(struct span v, uint64_t *out)
{
	uint64_t x = 0;

	if (v.len > 2 && v.p[0] == '0' && (v.p[1] == 'x' || v.p[1] == 'X'))
		return parse_hex(v, out);
	if (!v.len)
		return false;
	for (size_t i = 0; i < v.len; i++) {
		unsigned int d = (unsigned char)v.p[i] - '0';

		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*out = x;
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hashed or raw pointer, with or without 0x; NULL forms give 0. */
static bool parse_ptr(struct span v, uint64_t *out)
{
	if (span_eq(v, "(null)") || span_eq(v, "(nil)")) {
		*out = 0;
		return true;
	}
	return parse_hex(v, out);
}

/* Up to 16 hex digits, with or without 0x. */
static bool parse_hex(struct span v, uint64_t *out)
{
	uint64_t x = 0;
	size_t i = 0;

	if (v.len > 2 && v.p[0] == '0' && (v.p[1] == 'x' || v.p[1] == 'X'))
		i = 2;
	if (i == v.len || v.len - i > 16)
		return false;
	for (; i < v.len; i++) {
		int h = hexval(v.p[i]);

		if (h < 0)
			return false;
		x = x << 4 | (uint64_t)h;
	}
	*out = x;
	return true;
}

static const struct {
	const char *name;
	unsigned int bits;
} gfp_names[] = {
	{"GFP_KERNEL", GFP_KERNEL},
	{"GFP_KERNEL_ACCOUNT", GFP_KERNEL_ACCOUNT},
	{"GFP_ATOMIC", GFP_ATOMIC},
	{"GFP_NOWAIT", GFP_NOWAIT},
	{"GFP_NOIO", __GFP_RECLAIM},
	{"GFP_NOFS", __GFP_RECLAIM | __GFP_IO},
	{"GFP_USER", GFP_KERNEL},
	{"GFP_HIGHUSER", GFP_KERNEL},
	{"GFP_HIGHUSER_MOVABLE", GFP_KERNEL},
	{"GFP_DMA", GFP_DMA},
	{"GFP_DMA32", GFP_DMA32},
	{"__GFP_DMA", __GFP_DMA},
	{"__GFP_DMA32", __GFP_DMA32},
	{"__GFP_HIGH", __GFP_HIGH},
	{"__GFP_IO", __GFP_IO},
	{"__GFP_FS", __GFP_FS},
	{"__GFP_RECLAIM", __GFP_RECLAIM},
	{"__GFP_DIRECT_RECLAIM", __GFP_DIRECT_RECLAIM},
	{"__GFP_KSWAPD_RECLAIM", __GFP_KSWAPD_RECLAIM},
	{"__GFP_ZERO", __GFP_ZERO},
	{"__GFP_NOWARN", __GFP_NOWARN},
	{"__GFP_ACCOUNT", __GFP_ACCOUNT},
	{"__GFP_RECLAIMABLE", __GFP_RECLAIMABLE},
	{"__GFP_PACKED", __GFP_PACKED},
};

/* gfp bits Linux 4.x..6.7 number alike, and minalign's meaning of each */
static const struct {
	uint64_t kernel;
	unsigned int bits;
} gfp_hex_bits[] = {
	{0x01, __GFP_DMA},
	{0x04, __GFP_DMA32},
	{0x10, __GFP_RECLAIMABLE},
	{0x20, __GFP_HIGH},
	{0x40, __GFP_IO},
	{0x80, __GFP_FS},
	{0x100, __GFP_ZERO},
	{0x400, __GFP_DIRECT_RECLAIM},
	{0x800, __GFP_KSWAPD_RECLAIM},
	{0x2000, __GFP_NOWARN},
};

static unsigned int gfp_from_hex(uint64_t v, unsigned long *unknown)
{
	unsigned int bits = 0;

	for (size_t k = 0; k < sizeof(gfp_hex_bits) / sizeof(gfp_hex_bits[0]); k++) {
		if (v & gfp_hex_bits[k].kernel) {
			bits |= gfp_hex_bits[k].bits;
			v &= ~gfp_hex_bits[k].kernel;
		}
	}
	if (unknown)
		*unknown += (unsigned long)__builtin_popcountll(v);
	return bits;
}

unsigned int tr_parse_gfp(const char *s, size_t len, unsigned long *unknown)
{
	unsigned int bits = 0;
	size_t i = 0;
	uint64_t hex;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
	    parse_hex((struct span){s, len}, &hex))
		return gfp_from_hex(hex, unknown);

	while (i < len) {
		size_t j = i;
		struct span f;
		bool found = false;

		while (j < len && s[j] != '|')
			j++;
		f = (struct span){s + i, j - i};
		for (size_t k = 0; k < sizeof(gfp_names) / sizeof(gfp_names[0]); k++) {
			if (span_eq(f, gfp_names[k].name)) {
				bits |= gfp_names[k].bits;
				found = true;
				break;
			}
		}
		if (!found && f.len && !span_eq(f, "0x0") && !span_eq(f, "none") && unknown)
			(*unknown)++;
		i = j + 1;
	}
	return bits;
}

struct fields {
	bool ptr, req, alloc, site;
	struct span gfp;
};

static void copy_span(char *dst, size_t room, struct span v)
{
	size_t n = v.len < room - 1 ? v.len : room - 1;

	memcpy(dst, v.p, n);
	dst[n] = 0;
}

/* "{0x1,0x2}" (__print_array) or one number into @out[0..TR_DMA_MAX); count or -1. */
static int parse_list(struct span v, uint64_t *out, bool hex)
{
	int n = 0;
	size_t i = 0;

	if (!v.len || v.p[0] != '{')
		return (hex ? parse_hex(v, out) : parse_dec(v, out)) ? 1 : -1;
	if (v.p[v.len - 1] != '}')
		return -1;
	v.p++;
	v.len -= 2;
	while (i < v.len) {
		size_t j = i;

		while (j < v.len && v.p[j] != ',')
			j++;
		struct span e = {v.p + i, j - i};

		if (n < TR_DMA_MAX && !(hex ? parse_hex(e, &out[n]) : parse_dec(e, &out[n])))
			return -1;
		n += n < TR_DMA_MAX;
		i = j + 1;
	}
	return n;
}

/* A DMA event's field; returns a reason when its value is malformed. */
static const char *take_dma_field(struct span k, struct span v, struct tr_record *rec)
{
	uint64_t tmp[TR_DMA_MAX];
	int n;

	if (span_eq(k, "phys_addr") || span_eq(k, "phys_addrs") || span_eq(k, "dev_addr")) {
		n = parse_list(v, tmp, true);
		if (n < 0)
			return "bad phys_addr";
		rec->nphys = (unsigned int)n;
		memcpy(rec->phys, tmp, sizeof(tmp[0]) * (size_t)n);
	} else if (span_eq(k, "size") || span_eq(k, "sizes")) {
		n = parse_list(v, tmp, false);
		if (n < 0)
			return "bad size";
		memcpy(rec->len, tmp, sizeof(tmp[0]) * (size_t)n);
	}
	return NULL;
}

/* Record one key=value token; returns a reason when its value is malformed. */
static const char *take_field(struct span t, struct tr_record *rec, struct fields *seen)
{
	const char *eq = memchr(t.p, '=', t.len);
	struct span k, v;

	if (!eq)
		return NULL;
	k = (struct span){t.p, (size_t)(eq - t.p)};
	v = (struct span){eq + 1, t.len - k.len - 1};
	if (rec->dma)
		return take_dma_field(k, v, rec);
	if (span_eq(k, "ptr")) {
		if (!parse_ptr(v, &rec->ptr))
			return "bad ptr";
		seen->ptr = true;
	} else if (span_eq(k, "bytes_req")) {
		if (!parse_dec(v, &rec->bytes_req))
			return "bad bytes_req";
		seen->req = true;
	} else if (span_eq(k, "bytes_alloc")) {
		if (!parse_dec(v, &rec->bytes_alloc))
			return "bad bytes_alloc";
		seen->alloc = true;
	} else if (span_eq(k, "gfp_flags")) {
		seen->gfp = v;
	} else if (span_eq(k, "name")) {
		copy_span(rec->name, sizeof(rec->name), v);
	} else if (span_eq(k, "call_site")) {
		copy_span(rec->site, sizeof(rec->site), v);
		seen->site = true;
	}
	return NULL;
}

/* kmalloc needs bytes_req: sizing it by bytes_alloc would hide what a smaller alignment saves */
static const char *check_fields(const struct tr_record *rec, const struct fields *seen)
{
	if (rec->dma)
		return NULL;
	if (!seen->ptr)
		return "no ptr";
	if ((rec->event == TR_KMALLOC || rec->event == TR_KMALLOC_NODE) && !seen->req)
		return "no bytes_req";
	if ((rec->event == TR_KMEM_CACHE_ALLOC || rec->event == TR_KMEM_CACHE_ALLOC_NODE) &&
	    !seen->req && !seen->alloc)
		return "no bytes_req or bytes_alloc";
	return NULL;
}

/* A token without '=' after the event: a "[module]" after call_site, or a DMA device name. */
static void take_word(struct span t, struct tr_record *rec, const struct fields *seen)
{
	if (seen->site && !rec->module[0] && t.len > 2 && t.p[0] == '[' && t.p[t.len - 1] == ']') {
		copy_span(rec->module, sizeof(rec->module), (struct span){t.p + 1, t.len - 2});
		return;
	}
	if (rec->dma && !rec->device[0] && !span_eq(t, "dev_name:"))
		copy_span(rec->device, sizeof(rec->device), t);
}

int tr_parse_line(const char *line, size_t len, struct tr_record *rec, const char **why,
		  unsigned long *unknown_gfp)
{
	const char *pos = line, *end = line + len;
	struct fields seen = {0};
	struct span tok;
	int ev = -1;

	memset(rec, 0, sizeof(*rec));
	while (ev < 0 && next_token(&pos, end, &tok))
		ev = event_of(tok);
	if (ev < 0)
		return 0;
	if (ev >= TR_DMA_BASE) {
		rec->dma = true;
		rec->dma_event = (enum tr_dma_event)(ev - TR_DMA_BASE);
	} else {
		rec->event = (enum tr_event)ev;
	}
	if (memchr(line, 0, len)) {
		*why = "NUL byte";
		return -1;
	}
	while (next_token(&pos, end, &tok)) {
		if (!memchr(tok.p, '=', tok.len)) {
			take_word(tok, rec, &seen);
			continue;
		}
		*why = take_field(tok, rec, &seen);
		if (*why)
			return -1;
	}
	*why = check_fields(rec, &seen);
	if (*why)
		return -1;
	if (rec->dma)
		return 1;
	if (!seen.req)
		rec->bytes_req = rec->bytes_alloc;
	rec->gfp_hex = seen.gfp.len > 2 && seen.gfp.p[0] == '0' &&
		       (seen.gfp.p[1] == 'x' || seen.gfp.p[1] == 'X');
	rec->gfp = seen.gfp.p ? tr_parse_gfp(seen.gfp.p, seen.gfp.len, unknown_gfp) : GFP_KERNEL;
	return 1;
}

bool tr_lost_marker(const char *line, size_t len, uint64_t *n)
{
	static const char lost[] = "[LOST ", dropped[] = " EVENTS DROPPED]";
	const char *p = memmem(line, len, lost, sizeof(lost) - 1), *q;
	char *endp;

	if (p) { /* trace_pipe: "CPU:1 [LOST 12 EVENTS]" */
		p += sizeof(lost) - 1;
		*n = strtoull(p, &endp, 10);
		if (endp == p || strncmp(endp, " EVENTS]", 8))
			return false;
		return true;
	}
	if (memmem(line, len, "[EVENTS DROPPED]", 16)) {
		*n = UINT64_MAX;
		return true;
	}
	q = memmem(line, len, dropped, sizeof(dropped) - 1);
	if (!q) /* trace-cmd: "CPU:1 [12 EVENTS DROPPED]" */
		return false;
	for (p = q; p > line && p[-1] >= '0' && p[-1] <= '9'; p--)
		;
	if (p == q || p == line || p[-1] != '[')
		return false;
	*n = strtoull(p, NULL, 10);
	return true;
}

int tr_parse_stream(FILE *f, struct tr_stats *st, int (*fn)(const struct tr_record *, void *),
		    void *arg)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0;

	while ((len = getline(&line, &cap, f)) >= 0) {
		struct tr_record rec;
		const char *why = NULL;
		int r;

		uint64_t lost;

		st->lines++;
		st->truncated = len == 0 || line[len - 1] != '\n';
		if (tr_lost_marker(line, (size_t)len, &lost)) {
			st->lost_markers++;
			if (lost == UINT64_MAX)
				st->lost_unknown++;
			else
				st->lost_events = sat_add(st->lost_events, lost);
			continue;
		}
		r = tr_parse_line(line, (size_t)len, &rec, &why, &st->unknown_gfp);
		if (r == 0) {
			st->ignored++;
			continue;
		}
		if (r < 0) {
			cli_bad_add(&st->bad, st->lines, NULL, why);
			continue;
		}
		rec.line = st->lines;
		if (rec.dma)
			st->dma_events[rec.dma_event]++;
		else
			st->events[rec.event]++;
		st->hex_gfp += rec.gfp_hex;
		rc = fn ? fn(&rec, arg) : 0;
		if (rc)
			break;
	}
	if (!rc && ferror(f))
		rc = -EIO;
	free(line);
	return rc;
}
