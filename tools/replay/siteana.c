/* SPDX-License-Identifier: MIT */
/*
 * tools/replay/siteana.c - the per-call-site pass over a loaded trace (replay.h).
 *
 * It walks the kmem events in trace order with its own pointer map (no allocator involved):
 * an allocation of a kmalloc site counts `allocs`, `bytes_req`, its class at minimum alignment
 * 8 (`sizes`) and `waste_total[L]` += roundup_L(bytes_req) - roundup_8(bytes_req), for L = 64
 * and 128; a free of it counts `frees`; a pointer allocated again without a free ends the old
 * object (as the replay does).  The objects left at the end give `live`, `live_bytes_req` and
 * `waste_live[L]`.  Named kmem_cache objects are tracked (for DMA) but belong to no site.
 *
 * DMA: the physical ranges of dma_map_page/dma_map_sg (Linux 6.8+, phys_addr=) and
 * swiotlb_bounced (dev_addr=) events are attributed, in trace order, to the live object that
 * holds their first byte, at virt = phys + --phys-offset.  That needs raw pointers (hashed ones
 * cannot be placed), the offset, and such events; otherwise every site's dma_mapped is unknown
 * and dma_reason says why.  The object is found by looking up the 8-byte-aligned addresses from
 * the range's start down to 8 KiB below it (kmalloc objects start 8-byte aligned and are at
 * most 8 KiB, beyond which they are pages and start page-aligned): one map lookup each.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"

#define RS_BACK_LIMIT (KM_MAX_CACHE_SIZE + 8)

static void count_alloc(struct rs_site *s, const struct rp_event *e)
{
	uint64_t r8 = rs_roundup(e->size, 8);

	s->allocs++;
	s->bytes_req += e->size;
	s->sizes[rs_size_slot(e->size)]++;
	for (int a = 0; a < RS_NALIGN; a++)
		s->waste_total[a] += rs_roundup(e->size, rs_aligns[a]) - r8;
}

static void count_live(struct rs_site *s, const struct rp_slot *o)
{
	uint64_t r8 = rs_roundup(o->size, 8);

	s->live++;
	s->live_bytes_req += o->size;
	for (int a = 0; a < RS_NALIGN; a++)
		s->waste_live[a] += rs_roundup(o->size, rs_aligns[a]) - r8;
}

/* The live object holding @virt, or NULL. */
static struct rp_slot *holder(struct rp_ptrmap *m, uint64_t virt)
{
	uint64_t a = virt & ~(uint64_t)7;

	/* the nearest object start at or below (kmalloc objects: 8-byte aligned, <= 8 KiB) */
	for (uint64_t back = 0; back <= RS_BACK_LIMIT && back <= a; back += 8) {
		struct rp_slot *o = rp_map_find(m, a - back);

		if (o && virt - o->key < (o->extent ? o->extent : 1))
			return o;
		if (o)
			break;
	}
	/* a page allocation (beyond 8 KiB) starts page-aligned below, up to 8 MiB */
	for (uint64_t p = virt & ~(uint64_t)(KM_PAGE_SIZE - 1), n = 0; n < 2048 && p;
	     n++, p -= KM_PAGE_SIZE) {
		struct rp_slot *o = rp_map_find(m, p);

		if (o && o->extent > KM_MAX_CACHE_SIZE && virt - o->key < o->extent)
			return o;
	}
	return NULL;
}

static void attribute(struct rp_trace *t, struct rp_ptrmap *m, const struct rp_site_opts *o,
		      const struct rp_dma *d, struct rp_site_result *res)
{
	struct rp_slot *obj = holder(m, d->phys + o->phys_offset);

	res->dma_ranges++;
	if (!obj)
		return;
	if (obj->site == RS_NO_SITE) {
		res->dma_other++;
		return;
	}
	res->dma_attributed++;
	t->sites.v[obj->site].dma_maps++;
	res->dma_mapped[obj->site] = 1;
}

static const char *dma_reason(const struct rp_trace *t, const struct rp_site_opts *o)
{
	if (!t->ndma)
		return "the trace has no DMA map events with physical addresses (Linux 6.8+ "
		       "dma:dma_map_page/dma_map_sg with phys_addr=, or swiotlb:swiotlb_bounced)";
	if (t->hashed_ptrs)
		return "the kmem pointers are hashed (boot with no_hash_pointers to trace raw "
		       "ones)";
	if (!o->have_phys_offset)
		return "no --phys-offset (the linear map's virtual minus physical address)";
	return NULL;
}

/* Walk the events; DMA ranges are attributed before the kmem event they preceded. */
static int walk(struct rp_trace *t, struct rp_ptrmap *m, const struct rp_site_opts *o,
		struct rp_site_result *res)
{
	size_t d = 0;

	for (size_t i = 0; i <= t->nev; i++) {
		const struct rp_event *e;
		struct rp_slot *old, v;

		for (; !res->dma_reason && d < t->ndma && t->dma[d].at == i; d++)
			attribute(t, m, o, &t->dma[d], res);
		if (i == t->nev)
			break;
		e = &t->ev[i];
		old = rp_map_find(m, e->ptr);
		if (e->kind == RP_FREE) {
			if (old && old->site != RS_NO_SITE)
				t->sites.v[old->site].frees++;
			if (old)
				rp_map_del(m, old);
			continue;
		}
		if (old)
			rp_map_del(m, old);
		v = (struct rp_slot){.key = e->ptr,
				     .size = e->size,
				     .extent = e->extent,
				     .site = e->site,
				     .cache = e->cache};
		if (e->site != RS_NO_SITE)
			count_alloc(&t->sites.v[e->site], e);
		if (rp_map_put(m, &v))
			return -ENOMEM;
	}
	return 0;
}

int rp_sites_analyse(struct rp_trace *t, const struct rp_site_opts *o, struct rp_site_result *res)
{
	struct rp_ptrmap m = {0};
	int err;

	memset(res, 0, sizeof(*res));
	res->dma_mapped = malloc((t->sites.n ? t->sites.n : 1) * sizeof(*res->dma_mapped));
	if (!res->dma_mapped)
		return -ENOMEM;
	res->dma_reason = dma_reason(t, o);
	memset(res->dma_mapped, res->dma_reason ? -1 : 0, t->sites.n ? t->sites.n : 1);
	err = walk(t, &m, o, res);
	for (size_t i = 0; !err && m.s && i <= m.mask; i++)
		if (m.s[i].key && m.s[i].site != RS_NO_SITE)
			count_live(&t->sites.v[m.s[i].site], &m.s[i]);
	for (size_t i = 0; !err && i < t->sites.n; i++) {
		for (int a = 0; a < RS_NALIGN; a++) {
			res->waste_live[a] += t->sites.v[i].waste_live[a];
			res->waste_total[a] += t->sites.v[i].waste_total[a];
		}
	}
	free(m.s);
	return err;
}

void rp_site_result_free(struct rp_site_result *res)
{
	free(res->dma_mapped);
	res->dma_mapped = NULL;
}
