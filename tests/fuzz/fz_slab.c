/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fz_slab.c - fuzzer operations on the allocators: the kmalloc family, kmem_cache,
 * the page allocator, CPU reads and writes of live objects, and freeing any kind of object.
 */
#include "fz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- argument decoding ---------------------------------------------------------------- */

size_t fz_size(struct fz_in *in)
{
	unsigned int k = fz_u8(in), v = fz_u16(in);

	switch (k & 7) {
	case 0:
	case 1:
	case 2:
		return 1 + v % 32;
	case 3:
	case 4:
		return 1 + v % 256;
	case 5:
		return 1 + v % 2048;
	case 6:
		return 1 + v % 8192;
	default:
		return (k & 8) ? 8193 + (size_t)v * 4 : 0;
	}
}

gfp_t fz_gfp(struct fz_in *in)
{
	unsigned int b = fz_u8(in);
	gfp_t g = (b & 8) ? GFP_ATOMIC : GFP_KERNEL;

	if (b & 1)
		g |= __GFP_ZERO;
	if ((b & 6) == 6)
		g |= GFP_DMA;
	if (b & 0x10)
		g |= __GFP_PACKED;
	if (b & 0x20)
		g |= __GFP_ACCOUNT;
	if ((b & 0xc0) == 0xc0)
		g |= __GFP_RECLAIMABLE;
	return g;
}

/* An allocation may fail: injected, out of (small) RAM, below 4 GiB or large. */
bool fz_null_ok(size_t size, gfp_t gfp)
{
	struct minalign_stats st;

	if (fz.faults || size > KMALLOC_MAX_CACHE_SIZE || (gfp & (GFP_DMA | GFP_DMA32)))
		return true;
	minalign_get_stats(&st);
	return st.pages_free < 2048;
}

bool fz_overlaps_live(const void *p, size_t size)
{
	uintptr_t a = (uintptr_t)p, e = a + (size ? size : 1);

	for (int i = 0; i < FZ_MAX_OBJ; i++) {
		const struct fz_obj *o = &fz.obj[i];
		uintptr_t b = (uintptr_t)o->p;

		if (o->kind != FZ_FREE && o->size && b < e && a < b + o->size)
			return true;
	}
	return false;
}

/* Does the policy promise this kmalloc object lines of its own?  Then check that it has. */
void fz_set_line_owned(struct fz_obj *o)
{
	enum minalign_policy pol = fz.cfg.policy;
	bool packed =
		pol == MINALIGN_POLICY_PACKED && (o->gfp & __GFP_PACKED) && !(o->gfp & GFP_DMA);

	o->packed = packed && o->size <= KMALLOC_MAX_CACHE_SIZE;
	o->large = o->size > KMALLOC_MAX_CACHE_SIZE;
	o->ksz = (o->gfp & GFP_DMA) || o->packed ? 0 : kmalloc_size_roundup(o->size);
	o->line_owned = o->size > KMALLOC_MAX_CACHE_SIZE || (o->gfp & GFP_DMA) ||
			pol == MINALIGN_POLICY_LEGACY || (pol == MINALIGN_POLICY_PACKED && !packed);
	FZ_CHECK(!o->line_owned || ((uintptr_t)o->p & (fz.line - 1)) == 0,
		 "kmalloc(%zu, %#x) = %p is not aligned to the %zu-byte line its policy promises",
		 o->size, o->gfp, (void *)o->p, fz.line);
}

/* Common checks of a new kmalloc-family object of @size bytes at @p. */
static void fz_new_kmem(const void *p, size_t size, gfp_t gfp)
{
	uintptr_t a = (uintptr_t)p;

	FZ_CHECK(minalign_addr_in_ram(p, size), "%p+%zu outside RAM", p, size);
	FZ_CHECK((a & 7) == 0, "kmalloc(%zu) = %p not 8-aligned", size, p);
	if (size <= KMALLOC_MAX_CACHE_SIZE && !(size & (size - 1)))
		FZ_CHECK((a & (size - 1)) == 0, "kmalloc(%zu) = %p not naturally aligned", size, p);
	if (size > KMALLOC_MAX_CACHE_SIZE)
		FZ_CHECK((a & (PAGE_SIZE - 1)) == 0, "large kmalloc(%zu) = %p", size, p);
	if (gfp & GFP_DMA)
		FZ_CHECK(virt_to_phys(p) + size <= ((phys_addr_t)1 << 32), "GFP_DMA above 4 GiB");
	FZ_CHECK(!fz_overlaps_live(p, size), "new object %p+%zu overlaps a live one", p, size);
}

static bool fz_all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* ---- the kmalloc family ---------------------------------------------------------------- */

/* Variant @v of the family for @size bytes; @zeroed tells whether the bytes must be 0. */
static void *fz_kmalloc_call(unsigned int v, size_t size, gfp_t gfp, unsigned int seed,
			     bool *zeroed)
{
	static char src[8192 + 1];

	*zeroed = (gfp & __GFP_ZERO) != 0;
	switch (v % 7) {
	case 6: /* the DMA-safe kmalloc of docs/sparse.md: kmalloc with GFP_DMA */
		*zeroed |= (seed & 1) != 0;
		return dma_cpu_ptr(seed & 1 ? dma_kzalloc(size, gfp) : dma_kmalloc(size, gfp));
	case 1:
		*zeroed = true;
		return kzalloc(size, gfp);
	case 2:
		*zeroed = true;
		return size % 3 == 0 ? kcalloc(3, size / 3, gfp) : kcalloc(size, 1, gfp);
	case 3:
		return size % 2 == 0 ? kmalloc_array(2, size / 2, gfp)
				     : kmalloc_array(1, size, gfp);
	case 4:
		if (!size || size > sizeof(src))
			return kmalloc(size, gfp);
		for (size_t i = 0; i + 1 < size; i++)
			src[i] = (char)('a' + (seed + i) % 26);
		src[size - 1] = 0;
		*zeroed = false;
		return kstrdup(src, gfp);
	case 5:
		if (size > sizeof(src))
			return kmalloc(size, gfp);
		fz_stamp((unsigned char *)src, NULL, size, seed);
		*zeroed = false;
		return kmemdup(src, size, gfp);
	default:
		return kmalloc(size, gfp);
	}
}

/* Record a new kmalloc-family object (kind @kind) and stamp it. */
int fz_kmem_record(enum fz_kind kind, void *p, size_t size, gfp_t gfp, bool zeroed,
		   unsigned int seed)
{
	int i = fz_obj_slot();

	fz_new_kmem(p, size, gfp);
	if (zeroed)
		FZ_CHECK(fz_all_zero(p, size), "zeroed allocation of %zu bytes is not zero", size);
	fz_obj_add(i, kind, p, size);
	fz.obj[i].gfp = gfp;
	fz_set_line_owned(&fz.obj[i]);
	if (!(seed & 1))
		fz_stamp(fz.obj[i].p, fz.obj[i].shadow, size, seed);
	return i;
}

void fz_op_kmalloc(struct fz_in *in)
{
	unsigned int v = fz_u8(in), seed = fz_u8(in);
	size_t size = fz_size(in);
	gfp_t gfp = fz_gfp(in);
	bool zeroed;
	void *p;

	if (fz_obj_slot() < 0 || fz.live_bytes + size > FZ_LIVE_MAX)
		return;
	p = fz_kmalloc_call(v, size, gfp, seed, &zeroed);
	if (v % 7 == 6)
		gfp |= GFP_DMA;
	fz_trace("kmalloc v%u %zu gfp %#x = %p", v % 7, size, gfp, p);
	if (!size) {
		FZ_CHECK(p == ZERO_SIZE_PTR, "kmalloc(0) = %p", p);
		FZ_CHECK(ksize(p) == 0, "ksize(ZERO_SIZE_PTR)");
		kfree(p);
		return;
	}
	if (!p) {
		FZ_CHECK(fz_null_ok(size, gfp), "kmalloc(%zu, %#x) failed", size, gfp);
		return;
	}
	if (v % 7 == 4 && size <= 8193)
		FZ_CHECK(((char *)p)[size - 1] == 0 && strlen(p) == size - 1, "kstrdup copy");
	fz_kmem_record(FZ_KMALLOC, p, size, gfp, zeroed, seed);
}

static bool fz_freeable(const struct fz_obj *o)
{
	return o->nmaps == 0 && !fz_obj_on_tainted_line(o);
}

/* Free object @i the way its kind is freed (the caller checked it has no mapping). */
void fz_free_obj(int i)
{
	struct fz_obj *o = &fz.obj[i];
	struct fz_cache *c = o->cache >= 0 ? &fz.cache[o->cache] : NULL;

	fz_trace("free obj %d kind %d %p", i, o->kind, (void *)o->p);
	fz_obj_check(i);
	switch (o->kind) {
	case FZ_KMALLOC:
		kfree(o->p);
		break;
	case FZ_CACHEOBJ:
		if (c->ctor)
			fz_stamp(o->p, NULL, FZ_CTOR_LEN, 0xc7); /* back to its constructed state */
		if (c->zombie || (o->p[0] & 1))
			kfree(o->p);
		else
			kmem_cache_free(c->c, o->p);
		if (--c->live == 0 && c->zombie)
			memset(c, 0, sizeof(*c));
		break;
	case FZ_PAGES:
		__free_pages(o->page, o->order);
		break;
	case FZ_COHERENT:
		dma_free_coherent(fz.dev[o->dev].d, o->size, o->p, o->handle);
		break;
	case FZ_DMAM:
		dmam_free_coherent(fz.dev[o->dev].d, o->size, o->p, o->handle);
		break;
	case FZ_POOLBLK:
		dma_pool_free(fz.pool[o->pool].p, o->p, o->handle);
		fz.pool[o->pool].live--;
		break;
	case FZ_DEVM:
		devm_kfree(fz.dev[o->dev].d, o->p);
		break;
	default:
		FZ_CHECK(0, "free of kind %d", o->kind);
	}
	fz_obj_del(i);
}

void fz_op_kfree(struct fz_in *in)
{
	int i = fz_pick_obj(fz_u8(in), fz_freeable);

	if (i < 0)
		return;
	fz_free_obj(i);
}

static bool fz_reallocable(const struct fz_obj *o)
{
	return o->kind == FZ_KMALLOC && o->nmaps == 0 && !fz_obj_on_tainted_line(o);
}

void fz_op_krealloc(struct fz_in *in)
{
	unsigned int sel = fz_u8(in), seed = fz_u8(in);
	size_t n = fz_size(in), keep;
	gfp_t gfp = fz_gfp(in);
	int i = fz_pick_obj(sel, fz_reallocable);
	struct fz_obj *o;
	unsigned char *r, *before;

	if (i < 0 || fz.live_bytes + n > FZ_LIVE_MAX)
		return;
	o = &fz.obj[i];
	fz_obj_check(i);
	before = malloc(o->size);
	FZ_CHECK(before, "host out of memory");
	memcpy(before, o->p, o->size);
	r = krealloc(o->p, n, gfp);
	fz_trace("krealloc obj %d %p %zu -> %zu gfp %#x = %p", i, (void *)o->p, o->size, n, gfp,
		 (void *)r);
	if (!n || !r) {
		free(before);
		FZ_CHECK(n || r == ZERO_SIZE_PTR, "krealloc(p, 0) = %p", (void *)r);
		FZ_CHECK(n == 0 || fz_null_ok(n, gfp), "krealloc to %zu failed", n);
		if (!n)
			fz_obj_del(i);
		else
			fz_obj_check(i);
		return;
	}
	keep = n < o->size ? n : o->size;
	FZ_CHECK(!memcmp(r, before, keep), "krealloc lost the contents");
	free(before);
	if (r != o->p) {
		unsigned char *old = o->shadow;

		fz.live_bytes -= o->size;
		o->size = 0;
		FZ_CHECK(!fz_overlaps_live(r, n), "krealloc result overlaps a live object");
		o->shadow = NULL;
		fz_obj_add(i, FZ_KMALLOC, r, n);
		fz.obj[i].gfp = gfp;
		fz_set_line_owned(&fz.obj[i]);
		free(old);
	} else {
		o->shadow = realloc(o->shadow, n);
		FZ_CHECK(o->shadow, "host out of memory");
		fz.live_bytes += n - o->size;
		o->size = n;
		memcpy(o->shadow, r, n);
	}
	if (seed & 1)
		fz_stamp(r, fz.obj[i].shadow, n, seed);
}

static bool fz_ksizeable(const struct fz_obj *o)
{
	return o->kind == FZ_KMALLOC || o->kind == FZ_CACHEOBJ || o->kind == FZ_DEVM;
}

void fz_op_ksize(struct fz_in *in)
{
	int i = fz_pick_obj(fz_u8(in), fz_ksizeable);
	struct fz_obj *o;
	size_t k;

	if (i < 0)
		return;
	o = &fz.obj[i];
	k = ksize(o->p);
	fz_trace("ksize obj %d %zu = %zu", i, o->size, k);
	FZ_CHECK(k >= o->size, "ksize %zu below the %zu bytes asked for", k, o->size);
	if (o->ksz)
		FZ_CHECK(k == o->ksz, "ksize %zu, kmalloc_size_roundup %zu", k, o->ksz);
}

/* ---- kmem_cache ------------------------------------------------------------------------ */

static void fz_ctor(void *p)
{
	fz_stamp(p, NULL, FZ_CTOR_LEN, 0xc7);
}

/*
 * The object alignment Linux's calculate_alignment() gives (mm/slab_common.c): at least 8,
 * SLAB_HWCACHE_ALIGN raises it to the line halved while the object fits in half of it.
 */
static size_t fz_cache_align(const struct fz_cache *c)
{
	size_t al = c->align > 8 ? c->align : 8, ralign = fz.line;

	if (c->flags & SLAB_HWCACHE_ALIGN) {
		while (c->size <= ralign / 2)
			ralign /= 2;
		al = al > ralign ? al : ralign;
	}
	return al;
}

void fz_op_cache_create(struct fz_in *in)
{
	static const unsigned int aligns[8] = {0, 8, 16, 32, 64, 128, 256, 4096};
	unsigned int a = fz_u8(in), sz = fz_u16(in), fl = fz_u8(in);
	struct fz_cache *c = NULL;
	char name[32];
	int k;

	for (k = 0; k < FZ_MAX_CACHE && !c; k++)
		if (!fz.cache[k].c)
			c = &fz.cache[k];
	if (!c)
		return;
	k = (int)(c - fz.cache);
	memset(c, 0, sizeof(*c));
	c->size = (a & 0x80) ? 1 + sz % 20000 : 1 + sz % 600;
	c->align = aligns[a % 8];
	c->flags = ((fl & 1) ? SLAB_HWCACHE_ALIGN : 0) | ((fl & 2) ? SLAB_CACHE_DMA : 0) |
		   ((fl & 4) ? SLAB_RED_ZONE : 0) | ((fl & 8) ? SLAB_ACCOUNT : 0);
	c->ctor = (fl & 0x10) && c->size >= FZ_CTOR_LEN;
	snprintf(name, sizeof(name), "fz-cache-%d", k);
	c->c = kmem_cache_create(name, c->size, c->align, c->flags, c->ctor ? fz_ctor : NULL);
	fz_trace("cache_create %d size %u align %u flags %#x ctor %d = %p", k, c->size, c->align,
		 c->flags, c->ctor, (void *)c->c);
	if (!c->c) {
		FZ_CHECK(fz.faults, "kmem_cache_create failed");
		return;
	}
	FZ_CHECK(kmem_cache_size(c->c) == c->size, "kmem_cache_size");
	c->line_owned = fz_cache_align(c) >= fz.line;
}

static bool fz_cache_usable(int k)
{
	return fz.cache[k].c && !fz.cache[k].zombie;
}

void fz_op_cache_alloc(struct fz_in *in)
{
	unsigned int sel = fz_u8(in), seed = fz_u8(in);
	int k = fz_pick(sel, FZ_MAX_CACHE, fz_cache_usable), i = fz_obj_slot();
	struct fz_cache *c;
	size_t al;
	bool zero;
	void *p;

	if (k < 0 || i < 0 || fz.live_bytes + fz.cache[k].size > FZ_LIVE_MAX)
		return;
	c = &fz.cache[k];
	zero = (seed & 2) && !c->ctor;
	p = zero ? kmem_cache_zalloc(c->c, GFP_KERNEL) : kmem_cache_alloc(c->c, GFP_KERNEL);
	fz_trace("cache_alloc %d = %p", k, p);
	if (!p) {
		FZ_CHECK(fz_null_ok(c->size, (c->flags & SLAB_CACHE_DMA) ? GFP_DMA : 0),
			 "kmem_cache_alloc failed");
		return;
	}
	al = fz_cache_align(c);
	FZ_CHECK(((uintptr_t)p & (al - 1)) == 0, "cache object %p not %zu-aligned", p, al);
	FZ_CHECK(minalign_addr_in_ram(p, c->size) && !fz_overlaps_live(p, c->size),
		 "cache object %p outside RAM or overlapping", p);
	if (zero)
		FZ_CHECK(fz_all_zero(p, c->size), "kmem_cache_zalloc not zeroed");
	if (c->ctor) {
		unsigned char want[FZ_CTOR_LEN];

		fz_stamp(want, NULL, FZ_CTOR_LEN, 0xc7);
		FZ_CHECK(!memcmp(p, want, FZ_CTOR_LEN), "object %p lost its constructed state", p);
	}
	fz_obj_add(i, FZ_CACHEOBJ, p, c->size);
	fz.obj[i].cache = k;
	fz.obj[i].line_owned = c->line_owned;
	c->live++;
	if (seed & 1)
		fz_stamp(p, fz.obj[i].shadow, c->size, seed);
}

static bool fz_cache_idle(int k)
{
	return fz.cache[k].c && !fz.cache[k].zombie && fz.cache[k].live == 0;
}

void fz_op_cache_destroy(struct fz_in *in)
{
	int k = fz_pick(fz_u8(in), FZ_MAX_CACHE, fz_cache_idle);

	if (k < 0)
		return;
	fz_trace("cache_destroy %d", k);
	if (fz_u8(in) & 1)
		FZ_CHECK(kmem_cache_shrink(fz.cache[k].c) == 0, "kmem_cache_shrink");
	kmem_cache_destroy(fz.cache[k].c);
	memset(&fz.cache[k], 0, sizeof(fz.cache[k]));
}

/* ---- pages ---------------------------------------------------------------------------- */

void fz_op_pages(struct fz_in *in)
{
	unsigned int b = fz_u8(in), order = b % 4, seed = fz_u8(in);
	gfp_t gfp = ((b & 4) ? __GFP_ZERO : 0) | ((b & 8) ? GFP_DMA : 0) | GFP_KERNEL;
	struct page *pg;
	size_t size = PAGE_SIZE << order;
	int i = fz_obj_slot();
	void *p;

	if (i < 0 || fz.live_bytes + size > FZ_LIVE_MAX)
		return;
	pg = alloc_pages(gfp, order);
	fz_trace("alloc_pages order %u = %p", order, (void *)pg);
	if (!pg) {
		FZ_CHECK(fz_null_ok(size, gfp), "alloc_pages failed");
		return;
	}
	p = page_address(pg);
	FZ_CHECK(p && ((uintptr_t)p & (size - 1)) == 0, "block %p not naturally aligned", p);
	FZ_CHECK(virt_to_page(p) == pg && page_to_phys(pg) == virt_to_phys(p), "page <-> virt");
	FZ_CHECK(phys_to_virt(page_to_phys(pg)) == p && pfn_to_page(page_to_pfn(pg)) == pg,
		 "phys/pfn round trip");
	FZ_CHECK(!fz_overlaps_live(p, size), "page block overlaps a live object");
	if (gfp & __GFP_ZERO)
		FZ_CHECK(fz_all_zero(p, size), "__GFP_ZERO pages not zeroed");
	fz_obj_add(i, FZ_PAGES, p, size);
	fz.obj[i].page = pg;
	fz.obj[i].order = order;
	fz.obj[i].line_owned = true;
	fz_stamp(p, fz.obj[i].shadow, size, seed);
}

/* ---- the CPU side ---------------------------------------------------------------------- */

/*
 * May the CPU write [@off, @off+@len) of @o now?  Not while a mapping of it is live, except
 * inside its only mapping while the CPU owns that (after sync_for_cpu, outbound directions).
 */
static int fz_writable(const struct fz_obj *o, size_t off, size_t len)
{
	int idx = (int)(o - fz.obj), mine = -1;

	if (!o->nmaps)
		return FZ_MAX_MAP;
	if (o->nmaps != 1)
		return -1;
	for (int m = 0; m < FZ_MAX_MAP; m++)
		if (fz.map[m].live && fz.map[m].obj == idx)
			mine = m;
	if (mine < 0 || !fz.map[mine].cpu_owned || fz.map[mine].dir == DMA_FROM_DEVICE ||
	    off < fz.map[mine].off || off + len > fz.map[mine].off + fz.map[mine].len)
		return -1;
	return mine;
}

void fz_op_cpu_write(struct fz_in *in)
{
	unsigned int sel = fz_u8(in), seed = fz_u8(in), a = fz_u16(in), b = fz_u16(in);
	int i = fz_pick_obj(sel, NULL), m;
	struct fz_obj *o;
	size_t off, len;

	if (i < 0 || !fz.obj[i].size)
		return;
	o = &fz.obj[i];
	off = a % o->size;
	len = 1 + b % (o->size - off);
	m = fz_writable(o, off, len);
	if (m < 0)
		return;
	fz_trace("cpu_write obj %d [%zu, +%zu)", i, off, len);
	fz_stamp(o->p + off, o->shadow + off, len, seed);
	if (m < FZ_MAX_MAP)
		fz.map[m].cpu_dirty = true;
}

void fz_op_cpu_check(struct fz_in *in)
{
	int i = fz_pick_obj(fz_u8(in), NULL);

	if (i >= 0)
		fz_obj_check(i);
}

static int fz_count_cache(const struct minalign_slabinfo *info, void *arg)
{
	FZ_CHECK(info->name && info->active_objs <= info->num_objs, "slabinfo row");
	++*(unsigned int *)arg;
	return 0;
}

void fz_op_shrink(struct fz_in *in)
{
	unsigned int b = fz_u8(in), n = 0;
	int err;

	if (b & 1) {
		minalign_slab_shrink();
		fz_check_slab_objects();
		return;
	}
	err = minalign_slab_foreach(fz_count_cache, &n);
	FZ_CHECK(err == 0 || (err == -ENOMEM && fz.faults), "minalign_slab_foreach = %d", err);
	FZ_CHECK(err || n > 0, "no caches listed");
}
