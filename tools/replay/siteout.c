/* SPDX-License-Identifier: MIT */
/*
 * tools/replay/siteout.c - replay per call site: the order, the __GFP_PACKED selection and the
 * text and JSON output (replay.h, docs/cli.md).
 *
 * Order: waste_live at 128 descending, then waste_total at 128, allocs (both descending), key.
 * The curve: marking the top K sites that are not known to be DMA-mapped recovers their
 * waste_live[128] out of every site's (bounce's saving in object bytes at the end).
 * The packed policy's recovery: (legacy peak - packed peak) / (legacy peak - bounce peak) of
 * slab bytes in the replays, with no bounce pool.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "common/json.h"
#include "replay.h"

static const struct rp_trace *sort_t;

static int site_cmp(const void *pa, const void *pb)
{
	const struct rs_site *a = &sort_t->sites.v[*(const uint32_t *)pa];
	const struct rs_site *b = &sort_t->sites.v[*(const uint32_t *)pb];

	if (a->waste_live[1] != b->waste_live[1])
		return a->waste_live[1] > b->waste_live[1] ? -1 : 1;
	if (a->waste_total[1] != b->waste_total[1])
		return a->waste_total[1] > b->waste_total[1] ? -1 : 1;
	if (a->allocs != b->allocs)
		return a->allocs > b->allocs ? -1 : 1;
	return strcmp(a->key, b->key);
}

uint32_t *rp_sites_order(const struct rp_trace *t)
{
	uint32_t *o = malloc((t->sites.n ? t->sites.n : 1) * sizeof(*o));

	if (!o)
		return NULL;
	for (size_t i = 0; i < t->sites.n; i++)
		o[i] = (uint32_t)i;
	sort_t = t;
	qsort(o, t->sites.n, sizeof(*o), site_cmp);
	return o;
}

static void keep_name(char (*names)[RS_KEY_LEN], size_t *count, const char *name)
{
	if (*count < RP_PACKED_KEEP)
		snprintf(names[*count], RS_KEY_LEN, "%s", name);
	(*count)++;
}

static void mark(struct rp_trace *t, const struct rp_site_result *res, uint32_t i,
		 struct rp_packed *p)
{
	if (res->dma_mapped[i] == 1) {
		keep_name(p->refused_names, &p->refused, t->sites.v[i].key);
		return;
	}
	if (!t->sites.v[i].packed)
		p->marked++;
	t->sites.v[i].packed = true;
}

/* One site name a line; blank lines and '#' comments skipped; surrounding blanks trimmed. */
static int select_file(struct rp_trace *t, const struct rp_site_result *res, struct rp_packed *p,
		       char *err, size_t errlen)
{
	FILE *f = fopen(p->file, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f) {
		snprintf(err, errlen, "--packed-sites %s: %s", p->file, strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		char *s = line, *e = line + n;
		bool found = false;

		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			e--;
		*e = 0;
		if (!*s || *s == '#')
			continue;
		for (size_t i = 0; i < t->sites.n && !found; i++) {
			if (!strcmp(t->sites.v[i].key, s)) {
				mark(t, res, (uint32_t)i, p);
				found = true;
			}
		}
		if (!found)
			keep_name(p->unknown_names, &p->unknown, s);
	}
	free(line);
	fclose(f);
	return 0;
}

int rp_packed_select(struct rp_trace *t, const struct rp_site_result *res, const uint32_t *order,
		     struct rp_packed *p, char *err, size_t errlen)
{
	if (p->source == RP_PACKED_FILE)
		return select_file(t, res, p, err, errlen);
	for (size_t k = 0; p->source == RP_PACKED_TOP && k < t->sites.n && p->marked < p->top; k++)
		if (res->dma_mapped[order[k]] != 1 && t->sites.v[order[k]].waste_total[1])
			mark(t, res, order[k], p);
	return 0;
}

/* ---- the curve and the recovery ------------------------------------------------------------ */

/* waste_live[128] of the top @k candidate sites (not known DMA-mapped). */
static uint64_t top_waste(const struct rp_trace *t, const struct rp_site_result *res,
			  const uint32_t *order, size_t k)
{
	uint64_t sum = 0;

	for (size_t i = 0, taken = 0; i < t->sites.n && taken < k; i++) {
		if (res->dma_mapped[order[i]] == 1)
			continue;
		sum += t->sites.v[order[i]].waste_live[1];
		taken++;
	}
	return sum;
}

static double fraction(uint64_t part, uint64_t whole)
{
	return whole ? (double)part / (double)whole : 0.0;
}

static const size_t curve_points[] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};
#define NCURVE (sizeof(curve_points) / sizeof(curve_points[0]))

static bool have_policies(const struct rp_result *pol)
{
	return !pol[MINALIGN_POLICY_LEGACY].init_err && !pol[MINALIGN_POLICY_BOUNCE].init_err &&
	       !pol[MINALIGN_POLICY_PACKED].init_err &&
	       pol[MINALIGN_POLICY_LEGACY].peak_slab_bytes >
		       pol[MINALIGN_POLICY_BOUNCE].peak_slab_bytes;
}

static double recovery(const struct rp_result *pol)
{
	uint64_t l = pol[MINALIGN_POLICY_LEGACY].peak_slab_bytes;
	uint64_t b = pol[MINALIGN_POLICY_BOUNCE].peak_slab_bytes;
	uint64_t k = pol[MINALIGN_POLICY_PACKED].peak_slab_bytes;

	return (double)sat_diff(l, k) / (double)(l - b);
}

/* ---- JSON --------------------------------------------------------------------------------- */

static void json_aligns(struct json *j, const char *key, const uint64_t *v)
{
	char k[8];

	json_key(j, key);
	json_begin_object(j);
	for (int a = 0; a < RS_NALIGN; a++) {
		snprintf(k, sizeof(k), "%u", rs_aligns[a]);
		json_kv_uint(j, k, v[a]);
	}
	json_end_object(j);
}

static void json_site(struct json *j, const struct rs_site *s, int dma)
{
	char buf[16];

	json_begin_object(j);
	json_kv_string(j, "site", s->key);
	json_kv_uint(j, "allocs", s->allocs);
	json_kv_uint(j, "frees", s->frees);
	json_kv_uint(j, "bytes_req", s->bytes_req);
	json_kv_uint(j, "live", s->live);
	json_kv_uint(j, "live_bytes_req", s->live_bytes_req);
	json_aligns(j, "waste_live", s->waste_live);
	json_aligns(j, "waste_total", s->waste_total);
	json_key(j, "sizes");
	json_begin_object(j);
	for (unsigned int i = 0; i < RS_NSIZES; i++)
		if (s->sizes[i])
			json_kv_uint(j, rs_size_name(i, buf, sizeof(buf)), s->sizes[i]);
	json_end_object(j);
	if (dma < 0)
		json_kv_null(j, "dma_mapped");
	else
		json_kv_bool(j, "dma_mapped", dma == 1);
	json_kv_uint(j, "dma_maps", s->dma_maps);
	json_kv_bool(j, "packed", s->packed);
	json_end_object(j);
}

/* @n names kept RS_KEY_LEN bytes apart from @first (at most RP_PACKED_KEEP of them) */
static void json_names(struct json *j, const char *key, const char *first, size_t n)
{
	json_key(j, key);
	json_begin_array(j);
	for (size_t i = 0; i < n && i < RP_PACKED_KEEP; i++)
		json_string(j, first + i * RS_KEY_LEN);
	json_end_array(j);
}

static void json_packed(struct json *j, const struct rp_packed *p, const struct rp_result *pol)
{
	static const char *const src[] = {"none", "file", "top"};

	json_key(j, "packed_sites");
	json_begin_object(j);
	json_kv_string(j, "source", src[p->source]);
	if (p->source == RP_PACKED_FILE)
		json_kv_string(j, "file", p->file);
	if (p->source == RP_PACKED_TOP)
		json_kv_uint(j, "top", p->top);
	json_kv_uint(j, "marked", p->marked);
	json_kv_uint(j, "unknown", p->unknown);
	json_names(j, "unknown_names", p->unknown_names[0], p->unknown);
	json_kv_uint(j, "refused_dma_mapped", p->refused);
	json_names(j, "refused_names", p->refused_names[0], p->refused);
	if (have_policies(pol)) {
		json_key(j, "recovery");
		json_begin_object(j);
		json_kv_uint(j, "legacy_peak_slab_bytes",
			     pol[MINALIGN_POLICY_LEGACY].peak_slab_bytes);
		json_kv_uint(j, "bounce_peak_slab_bytes",
			     pol[MINALIGN_POLICY_BOUNCE].peak_slab_bytes);
		json_kv_uint(j, "packed_peak_slab_bytes",
			     pol[MINALIGN_POLICY_PACKED].peak_slab_bytes);
		json_kv_double(j, "fraction_of_bounce_saving", recovery(pol));
		json_end_object(j);
	} else {
		json_kv_null(j, "recovery");
	}
	json_end_object(j);
}

void rp_sites_json(struct json *j, const struct rp_trace *t, const struct rp_site_result *res,
		   const uint32_t *order, const struct rp_packed *p, const struct rp_result *pol,
		   const struct rp_site_opts *o)
{
	json_key(j, "call_sites");
	json_begin_array(j);
	for (size_t i = 0; i < t->sites.n; i++)
		json_site(j, &t->sites.v[order[i]], res->dma_mapped[order[i]]);
	json_end_array(j);
	json_key(j, "call_site_totals");
	json_begin_object(j);
	json_kv_uint(j, "sites", t->sites.n);
	json_aligns(j, "waste_live", res->waste_live);
	json_aligns(j, "waste_total", res->waste_total);
	json_end_object(j);
	json_key(j, "packed_curve");
	json_begin_array(j);
	for (size_t k = 0; k < NCURVE && (k == 0 || curve_points[k - 1] < t->sites.n); k++) {
		uint64_t w = top_waste(t, res, order, curve_points[k]);

		json_begin_object(j);
		json_kv_uint(j, "top", curve_points[k]);
		json_kv_uint(j, "waste_live_128", w);
		json_kv_double(j, "fraction", fraction(w, res->waste_live[1]));
		json_end_object(j);
	}
	json_end_array(j);
	json_key(j, "dma");
	json_begin_object(j);
	json_kv_bool(j, "attributable", !res->dma_reason);
	if (res->dma_reason)
		json_kv_string(j, "reason", res->dma_reason);
	else
		json_kv_null(j, "reason");
	if (o->have_phys_offset)
		json_kv_uint(j, "phys_offset", o->phys_offset);
	else
		json_kv_null(j, "phys_offset");
	json_kv_uint(j, "ranges", t->ndma);
	json_kv_uint(j, "attributed", res->dma_attributed);
	json_kv_uint(j, "in_kmem_cache", res->dma_other);
	json_end_object(j);
	json_packed(j, p, pol);
}

/* ---- text --------------------------------------------------------------------------------- */

static void text_curve(const struct rp_trace *t, const struct rp_site_result *res,
		       const uint32_t *order)
{
	printf("\n  marking the top K sites __GFP_PACKED recovers of the live waste at 128 "
	       "(%" PRIu64 " bytes):\n ",
	       res->waste_live[1]);
	for (size_t k = 0; k < NCURVE && (k == 0 || curve_points[k - 1] < t->sites.n); k++)
		printf(" top %zu: %.1f%%", curve_points[k],
		       100.0 * fraction(top_waste(t, res, order, curve_points[k]),
					res->waste_live[1]));
	printf("\n");
}

static void text_packed(const struct rp_packed *p, const struct rp_result *pol)
{
	char h1[32], h2[32], h3[32];

	if (p->source == RP_PACKED_NONE) {
		printf("\n  packed: no site marked (--packed-top K or --packed-sites FILE), so it "
		       "costs what legacy costs\n");
		return;
	}
	printf("\n  packed: %zu site(s) marked __GFP_PACKED", p->marked);
	if (p->unknown)
		printf(", %zu name(s) in %s match no site", p->unknown, p->file);
	if (p->refused)
		printf(", %zu DMA-mapped site(s) refused", p->refused);
	printf("\n");
	if (!have_policies(pol))
		return;
	printf("  packed peak slab %s, legacy %s, bounce %s: recovers %.1f%% of bounce's saving "
	       "with no bounce pool\n",
	       cli_human(h1, sizeof(h1), pol[MINALIGN_POLICY_PACKED].peak_slab_bytes),
	       cli_human(h2, sizeof(h2), pol[MINALIGN_POLICY_LEGACY].peak_slab_bytes),
	       cli_human(h3, sizeof(h3), pol[MINALIGN_POLICY_BOUNCE].peak_slab_bytes),
	       100.0 * recovery(pol));
}

void rp_sites_text(const struct rp_trace *t, const struct rp_site_result *res,
		   const uint32_t *order, const struct rp_packed *p, const struct rp_result *pol,
		   unsigned int top)
{
	printf("\ncall sites: %zu kmalloc sites, top %u by live waste at 128 (bytes)\n", t->sites.n,
	       top < t->sites.n ? top : (unsigned int)t->sites.n);
	printf("  %-40s %9s %9s %11s %11s %12s %5s\n", "site", "allocs", "live", "waste_live64",
	       "waste_live128", "waste_total128", "dma");
	for (size_t i = 0; i < t->sites.n && i < top; i++) {
		const struct rs_site *s = &t->sites.v[order[i]];
		int d = res->dma_mapped[order[i]];

		printf("  %-40.40s %9" PRIu64 " %9" PRIu64 " %11" PRIu64 " %11" PRIu64 " %12" PRIu64
		       " %5s%s\n",
		       s->key, s->allocs, s->live, s->waste_live[0], s->waste_live[1],
		       s->waste_total[1],
		       d < 0 ? "?"
		       : d   ? "yes"
			     : "no",
		       s->packed ? " packed" : "");
	}
	if (t->sites.n)
		text_curve(t, res, order);
	if (res->dma_reason)
		printf("  dma: unknown for every site: %s\n", res->dma_reason);
	else
		printf("  dma: %" PRIu64
		       " of %zu mapped ranges fell in live kmalloc objects (%" PRIu64
		       " in kmem_cache objects)\n",
		       res->dma_attributed, t->ndma, res->dma_other);
	text_packed(p, pol);
}
