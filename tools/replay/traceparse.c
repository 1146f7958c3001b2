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

const char *tr_event_name(enum tr_event e)
{
	return (unsigned int)e < TR_NR_EVENTS ? event_names[e] : "?";
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

/* "<event>:" or "kmem:<event>:" -> the event, else -1. */
static int event_of(struct span t)
{
	if (t.len < 2 || t.p[t.len - 1] != ':')
		return -1;
	t.len--;
	if (t.len > 5 && !memcmp(t.p, "kmem:", 5)) {
		t.p += 5;
		t.len -= 5;
	}
	for (int e = 0; e < TR_NR_EVENTS; e++)
		if (span_eq(t, event_names[e]))
			return e;
	return -1;
}

static bool parse_dec(struct span v, uint64_t *out)
{
	uint64_t x = 0;

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
	uint64_t x = 0;
	size_t i = 0;

	if (span_eq(v, "(null)") || span_eq(v, "(nil)")) {
		*out = 0;
		return true;
	}
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

unsigned int tr_parse_gfp(const char *s, size_t len, unsigned long *unknown)
{
	unsigned int bits = 0;
	size_t i = 0;

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
	bool ptr, req, alloc;
	struct span gfp;
};

/* Record one key=value token; returns a reason when its value is malformed. */
static const char *take_field(struct span t, struct tr_record *rec, struct fields *seen)
{
	const char *eq = memchr(t.p, '=', t.len);
	struct span k, v;

	if (!eq)
		return NULL;
	k = (struct span){t.p, (size_t)(eq - t.p)};
	v = (struct span){eq + 1, t.len - k.len - 1};
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
		size_t n = v.len < TR_NAME_LEN - 1 ? v.len : TR_NAME_LEN - 1;

		memcpy(rec->name, v.p, n);
		rec->name[n] = 0;
	}
	return NULL;
}

static const char *check_fields(const struct tr_record *rec, const struct fields *seen)
{
	if (!seen->ptr)
		return "no ptr";
	if ((rec->event == TR_KMALLOC || rec->event == TR_KMALLOC_NODE) && !seen->req &&
	    !seen->alloc)
		return "no bytes_req";
	if ((rec->event == TR_KMEM_CACHE_ALLOC || rec->event == TR_KMEM_CACHE_ALLOC_NODE) &&
	    !seen->req && !seen->alloc)
		return "no bytes_req or bytes_alloc";
	return NULL;
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
	rec->event = (enum tr_event)ev;
	if (memchr(line, 0, len)) {
		*why = "NUL byte";
		return -1;
	}
	while (next_token(&pos, end, &tok)) {
		*why = take_field(tok, rec, &seen);
		if (*why)
			return -1;
	}
	*why = check_fields(rec, &seen);
	if (*why)
		return -1;
	if (!seen.req)
		rec->bytes_req = rec->bytes_alloc;
	rec->gfp = seen.gfp.p ? tr_parse_gfp(seen.gfp.p, seen.gfp.len, unknown_gfp) : GFP_KERNEL;
	return 1;
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

		st->lines++;
		st->truncated = len == 0 || line[len - 1] != '\n';
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
		st->events[rec.event]++;
		rc = fn ? fn(&rec, arg) : 0;
		if (rc)
			break;
	}
	if (!rc && ferror(f))
		rc = -EIO;
	free(line);
	return rc;
}
