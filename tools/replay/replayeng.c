/* SPDX-License-Identifier: MIT */
/*
 * tools/replay/replayeng.c - the replay engine: load a kmem trace into compact events,
 * then run them through kmalloc/kmem_cache_alloc/kfree under one configuration,
 * pairing frees with allocations through a map from the trace's pointers to the
 * replay's objects.
 *
 * Trace quirks handled: an allocation that returned NULL in the trace is not
 * replayed; a free of NULL is skipped; a free of a pointer the trace never
 * allocated (allocated before tracing began, or its event was lost) is counted
 * and skipped; a pointer allocated twice without a free between (a lost free
 * event) frees the first object before the second allocation. kmem_cache_alloc
 * events create one cache per name= (object size from the first event); a name
 * of the kmalloc family is replayed as kmalloc.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"

/* ---- the trace in memory
 * ------------------------------------------------------------------ */

void rp_trace_init(struct rp_trace *t)
{
	memset(t, 0, sizeof(*t));
}

void rp_trace_free(struct rp_trace *t)
{
	const struct rs_symtab *syms = t->syms;
	bool offsets = t->site_offsets;

	free(t->ev);
	free(t->caches);
	free(t->dma);
	rs_table_free(&t->sites);
	rp_trace_init(t);
	t->syms = syms;
	t->site_offsets = offsets;
}

/* The physical ranges of a DMA map event, kept in trace order with the kmem events. */
static int push_dma(struct rp_trace *t, const struct tr_record *rec)
{
	if (rec->dma_event == TR_DMA_UNMAP_PAGE || rec->dma_event == TR_DMA_UNMAP_SG)
		return 0;
	for (unsigned int i = 0; i < rec->nphys; i++) {
		if (t->ndma == t->capdma) {
			size_t cap = t->capdma ? t->capdma * 2 : 256;
			struct rp_dma *n = realloc(t->dma, cap * sizeof(*n));

			if (!n)
				return -ENOMEM;
			t->dma = n;
			t->capdma = cap;
		}
		t->dma[t->ndma++] = (struct rp_dma){.phys = rec->phys[i],
						    .len = rec->len[i],
						    .at = t->nev,
						    .event = (uint8_t)rec->dma_event};
	}
	return 0;
}

/* The call site's index (interned), or RS_NO_SITE for events without call_site=. */
static int site_of(struct rp_trace *t, const struct tr_record *rec, uint32_t *out)
{
	char key[RS_KEY_LEN];

	rs_site_key(rec->site, rec->module, t->syms, t->site_offsets, key, sizeof(key));
	return rs_intern(&t->sites, key, out);
}

static int push_event(struct rp_trace *t, const struct rp_event *e)
{
	if (t->nev == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		struct rp_event *n = realloc(t->ev, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		t->ev = n;
		t->cap = cap;
	}
	t->ev[t->nev++] = *e;
	return 0;
}

/* Index of the cache named @name (or sized @size when unnamed), creating the
 * entry. */
static int intern_cache(struct rp_trace *t, const char *name, uint64_t size, uint32_t *out)
{
	char key[TR_NAME_LEN];

	if (name[0])
		snprintf(key, sizeof(key), "%s", name);
	else
		snprintf(key, sizeof(key), "trace-cache-%llu", (unsigned long long)size);
	for (size_t i = 0; i < t->ncaches; i++) {
		if (!strcmp(t->caches[i].name, key)) {
			*out = (uint32_t)i;
			return 0;
		}
	}
	if (t->ncaches == t->caps) {
		size_t cap = t->caps ? t->caps * 2 : 16;
		struct rp_cache *n = realloc(t->caches, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		t->caches = n;
		t->caps = cap;
	}
	memcpy(t->caches[t->ncaches].name, key, sizeof(key));
	t->caches[t->ncaches].size = size;
	*out = (uint32_t)t->ncaches++;
	return 0;
}

static int load_one(const struct tr_record *rec, void *arg)
{
	struct rp_trace *t = arg;
	struct rp_event e = {
		.ptr = rec->ptr, .size = rec->bytes_req, .gfp = rec->gfp, .site = RS_NO_SITE};
	struct km_name km;
	int err;

	if (rec->dma)
		return push_dma(t, rec);
	if (rec->ptr && rec->ptr <= UINT32_MAX)
		t->hashed_ptrs++;
	if (!tr_is_alloc(rec->event)) {
		if (!rec->ptr) {
			t->null_frees++;
			return 0;
		}
		e.kind = RP_FREE;
		return push_event(t, &e);
	}
	if (!rec->ptr) {
		t->null_allocs++;
		return 0;
	}
	e.kind = RP_KMALLOC;
	e.extent = rec->bytes_alloc ? rec->bytes_alloc : rs_roundup(rec->bytes_req, 8);
	if (rec->event == TR_KMEM_CACHE_ALLOC || rec->event == TR_KMEM_CACHE_ALLOC_NODE) {
		if (km_parse_name(rec->name, &km) != KM_KMALLOC) {
			err = intern_cache(t, rec->name, rec->bytes_req, &e.cache);
			if (err)
				return err;
			e.kind = RP_CACHE_ALLOC;
		}
	}
	if (e.kind == RP_KMALLOC) {
		err = site_of(t, rec, &e.site);
		if (err)
			return err;
	}
	return push_event(t, &e);
}

int rp_trace_load(FILE *f, struct rp_trace *t)
{
	return tr_parse_stream(f, &t->st, load_one, t);
}

/* ---- pointer map: open addressing, linear probing, backward-shift deletion
 * ---------------- */

static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static int map_grow(struct rp_ptrmap *m)
{
	size_t n = m->s ? (m->mask + 1) * 2 : 1024;
	struct rp_slot *s = calloc(n, sizeof(*s)), *old = m->s;
	size_t oldn = m->s ? m->mask + 1 : 0;

	if (!s)
		return -ENOMEM;
	m->s = s;
	m->mask = n - 1;
	for (size_t i = 0; i < oldn; i++) {
		size_t j;

		if (!old[i].key)
			continue;
		for (j = mix(old[i].key) & m->mask; s[j].key; j = (j + 1) & m->mask)
			;
		s[j] = old[i];
	}
	free(old);
	return 0;
}

struct rp_slot *rp_map_find(struct rp_ptrmap *m, uint64_t key)
{
	if (!m->s)
		return NULL;
	for (size_t j = mix(key) & m->mask; m->s[j].key; j = (j + 1) & m->mask)
		if (m->s[j].key == key)
			return &m->s[j];
	return NULL;
}

int rp_map_put(struct rp_ptrmap *m, const struct rp_slot *v)
{
	size_t j;

	if (!m->s || (m->used + 1) * 4 > (m->mask + 1) * 3) {
		int err = map_grow(m);

		if (err)
			return err;
	}
	for (j = mix(v->key) & m->mask; m->s[j].key; j = (j + 1) & m->mask)
		;
	m->s[j] = *v;
	m->used++;
	return 0;
}

void rp_map_del(struct rp_ptrmap *m, struct rp_slot *hole)
{
	size_t i = (size_t)(hole - m->s), j = i;

	for (;;) {
		size_t home;

		j = (j + 1) & m->mask;
		if (!m->s[j].key)
			break;
		home = mix(m->s[j].key) & m->mask;
		/* move j into the hole unless its home lies cyclically in (i, j] */
		if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
			m->s[i] = m->s[j];
			i = j;
		}
	}
	m->s[i].key = 0;
	m->used--;
}

/* ---- one run
 * ------------------------------------------------------------------------------
 */

struct run {
	const struct rp_trace *t;
	struct rp_result *r;
	struct rp_ptrmap map;
	struct kmem_cache **caches;
	bool packed; /* the packed policy: sites marked packed use __GFP_PACKED */
};

static void count_report(const struct minalign_report *rep, void *arg)
{
	struct rp_result *r = arg;

	if (!r->reports++)
		snprintf(r->first_report, sizeof(r->first_report), "%s",
			 rep->message ? rep->message : "?");
}

static unsigned int slot_of(size_t usable)
{
	int idx;

	if (usable > KM_MAX_CACHE_SIZE)
		return RP_SLOT_LARGE;
	idx = km_class_index((unsigned int)usable);
	return idx < 0 ? RP_SLOT_LARGE : (unsigned int)idx;
}

static void release(struct run *run, struct rp_slot *s)
{
	if (s->cache == UINT32_MAX)
		kfree(s->obj);
	else
		kmem_cache_free(run->caches[s->cache], s->obj);
	run->r->slots[s->cls].live--;
}

static void sample_peak(struct rp_result *r)
{
	struct minalign_stats st;

	minalign_get_stats(&st);
	if (st.slab_bytes > r->peak_slab_bytes)
		r->peak_slab_bytes = st.slab_bytes;
	if (st.kmalloc_large_bytes > r->peak_large_bytes)
		r->peak_large_bytes = st.kmalloc_large_bytes;
}

static void *do_alloc(struct run *run, const struct rp_event *e, struct rp_slot *v)
{
	struct kmem_cache *c;

	v->cache = UINT32_MAX;
	if (e->kind == RP_KMALLOC) {
		bool packed =
			run->packed && e->site != RS_NO_SITE && run->t->sites.v[e->site].packed;
		void *p = kmalloc(e->size, e->gfp | (packed ? __GFP_PACKED : 0));

		if (p && p != ZERO_SIZE_PTR)
			v->cls = (uint8_t)slot_of(ksize(p));
		return p;
	}
	c = run->caches[e->cache];
	if (!c) {
		const struct rp_cache *rc = &run->t->caches[e->cache];

		if (!rc->size || rc->size > KMALLOC_MAX_SIZE)
			return NULL;
		c = kmem_cache_create(rc->name, (unsigned int)rc->size, 0, 0, NULL);
		run->caches[e->cache] = c;
		if (!c)
			return NULL;
	}
	v->cache = e->cache;
	v->cls = RP_SLOT_CACHE;
	return kmem_cache_alloc(c, e->gfp);
}

static int replay_alloc(struct run *run, const struct rp_event *e)
{
	struct rp_slot *old = rp_map_find(&run->map, e->ptr);
	struct rp_slot v = {.key = e->ptr};

	if (old) {
		run->r->reused_ptrs++;
		release(run, old);
		rp_map_del(&run->map, old);
	}
	v.obj = do_alloc(run, e, &v);
	if (!v.obj) {
		run->r->failed_allocs++;
		return 0;
	}
	if (v.obj == ZERO_SIZE_PTR)
		v.cls = RP_SLOT_ZERO; /* kmalloc(0): counted, holds nothing */
	run->r->allocs++;
	run->r->slots[v.cls].allocs++;
	run->r->slots[v.cls].live++;
	sample_peak(run->r);
	return rp_map_put(&run->map, &v);
}

static void replay_free(struct run *run, const struct rp_event *e)
{
	struct rp_slot *s = rp_map_find(&run->map, e->ptr);

	if (!s) {
		run->r->unmatched_frees++;
		return;
	}
	release(run, s);
	rp_map_del(&run->map, s);
	run->r->frees++;
}

/* Free everything still live and destroy the caches, so minalign_exit finds
 * nothing. */
static void teardown(struct run *run)
{
	for (size_t i = 0; run->map.s && i <= run->map.mask; i++)
		if (run->map.s[i].key)
			release(run, &run->map.s[i]);
	for (size_t i = 0; i < run->t->ncaches; i++)
		kmem_cache_destroy(run->caches[i]);
}

int rp_run(const struct rp_trace *t, const struct minalign_config *cfg, struct rp_result *r)
{
	struct run run = {.t = t, .r = r, .packed = cfg->policy == MINALIGN_POLICY_PACKED};
	struct minalign_stats st;
	uint64_t live[RP_NSLOTS];
	int err = 0;

	memset(r, 0, sizeof(*r));
	run.caches = calloc(t->ncaches ? t->ncaches : 1, sizeof(*run.caches));
	if (!run.caches)
		return -ENOMEM;
	minalign_set_report_handler(count_report, r);
	r->init_err = minalign_init(cfg);
	if (r->init_err) {
		minalign_set_report_handler(NULL, NULL);
		free(run.caches);
		return 0;
	}
	for (size_t i = 0; i < t->nev && !err; i++) {
		if (t->ev[i].kind == RP_FREE)
			replay_free(&run, &t->ev[i]);
		else
			err = replay_alloc(&run, &t->ev[i]);
	}
	minalign_get_stats(&st);
	r->final_slab_bytes = st.slab_bytes;
	r->final_large_bytes = st.kmalloc_large_bytes;
	for (unsigned int i = 0; i < RP_NSLOTS; i++)
		live[i] = r->slots[i].live;
	teardown(&run);
	minalign_exit();
	minalign_set_report_handler(NULL, NULL);
	for (unsigned int i = 0; i < RP_NSLOTS; i++)
		r->slots[i].live = live[i]; /* as at the end of the trace, not after teardown */
	free(run.map.s);
	free(run.caches);
	return err;
}
