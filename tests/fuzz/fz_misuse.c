/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fz_misuse.c - the deliberate-misuse class: each operation breaks one documented
 * rule of the API and must earn exactly one report and change nothing the model tracks (or
 * exactly what the API documents, e.g. a cache destroyed with live objects stays usable for
 * kfree).  Also calls that the API documents as harmless no-ops (NULL arguments), which must
 * earn no report.
 */
#include "fz.h"

#include <string.h>

static bool fz_dev_live(int d)
{
	return fz.dev[d].d != NULL;
}

static bool fz_is_kmalloc(const struct fz_obj *o)
{
	return o->kind == FZ_KMALLOC && o->nmaps == 0;
}

static bool fz_is_cacheobj(const struct fz_obj *o)
{
	return o->kind == FZ_CACHEOBJ && !fz.cache[o->cache].zombie && o->nmaps == 0;
}

static bool fz_is_coherent(const struct fz_obj *o)
{
	return o->kind == FZ_COHERENT;
}

static bool fz_is_poolblk(const struct fz_obj *o)
{
	return o->kind == FZ_POOLBLK;
}

/* A kmalloc or cache object (or kmalloc-large block) that a live streaming mapping covers. */
static bool fz_is_mapped_kmalloc(const struct fz_obj *o)
{
	return (o->kind == FZ_KMALLOC || o->kind == FZ_CACHEOBJ) && o->nmaps > 0;
}

static bool fz_is_mappable(const struct fz_obj *o)
{
	return o->size && (o->kind == FZ_KMALLOC || o->kind == FZ_CACHEOBJ || o->kind == FZ_PAGES);
}

static bool fz_cache_busy(int k)
{
	return fz.cache[k].c && !fz.cache[k].zombie && fz.cache[k].live;
}

static bool fz_cache_ok(int k)
{
	return fz.cache[k].c && !fz.cache[k].zombie;
}

static bool fz_pool_busy(int k)
{
	return fz.pool[k].p && fz.pool[k].live;
}

/* One report expected from the misuse just made. */
static void fz_one(void)
{
	fz_expect_reports(1, 1);
}

static void fz_misuse_free(unsigned int v, unsigned int sel)
{
	unsigned char stack[32] = {0};
	int i, k;

	switch (v) {
	case 0:
		kfree(stack);
		break;
	case 1:
		i = fz_pick_obj(sel, fz_is_kmalloc);
		if (i < 0)
			return;
		kfree(fz.obj[i].p + 1);
		break;
	case 2:
		i = fz_pick_obj(sel, fz_is_cacheobj);
		k = fz_pick(sel >> 4, FZ_MAX_CACHE, fz_cache_ok);
		if (i < 0 || k < 0 || k == fz.obj[i].cache)
			return;
		kmem_cache_free(fz.cache[k].c, fz.obj[i].p);
		break;
	case 3:
		(void)stack;
		FZ_CHECK(ksize(stack) == 0, "ksize of a stack pointer");
		break;
	case 4:
		i = fz_pick_obj(sel, fz_is_coherent);
		if (i < 0)
			return;
		kfree(fz.obj[i].p);
		break;
	case 5: /* DMA debug: a free of memory a live mapping covers is refused */
		i = fz_pick_obj(sel, fz_is_mapped_kmalloc);
		if (i < 0 || !(fz.cfg.debug & MINALIGN_DEBUG_DMA))
			return;
		kfree(fz.obj[i].p);
		break;
	default:
		return;
	}
	fz_trace("misuse free v%u", v);
	fz_one();
}

static void fz_misuse_double(unsigned int v, unsigned int sel)
{
	int k = fz_pick(sel, FZ_MAX_CACHE, fz_cache_ok);
	struct page *pg;
	void *p;

	if (v == 0) { /* out-of-band slot states: caught with and without slab debug */
		if (k < 0)
			return;
		p = kmem_cache_alloc(fz.cache[k].c, GFP_KERNEL);
		if (!p)
			return;
		kmem_cache_free(fz.cache[k].c, p);
		kmem_cache_free(fz.cache[k].c, p);
	} else if (v == 2) { /* not the list head any more: kfree(p); kfree(q); kfree(p) */
		size_t n = 1 + (sel * 37u) % 9000u;
		void *q;

		p = kmalloc(n, GFP_KERNEL);
		q = kmalloc(n, GFP_KERNEL);
		if (!p || !q) {
			kfree(p);
			kfree(q);
			return;
		}
		kfree(p);
		kfree(q);
		kfree(p);
	} else {
		pg = alloc_pages(GFP_KERNEL, sel % 3);
		if (!pg)
			return;
		__free_pages(pg, sel % 3);
		__free_pages(pg, sel % 3);
	}
	fz_trace("misuse double free v%u", v);
	fz_one();
}

static void fz_misuse_map(unsigned int v, unsigned int sel)
{
	int d = fz_pick(sel, FZ_MAX_DEV, fz_dev_live), i = fz_pick_obj(sel >> 2, fz_is_mappable);
	unsigned char stack[64] = {0};
	struct scatterlist sg[1];
	struct device *dv;
	dma_addr_t a = 0;

	if (d < 0)
		return;
	dv = fz.dev[d].d;
	switch (v) {
	case 0:
		a = dma_map_single(dv, stack, sizeof(stack), DMA_TO_DEVICE);
		break;
	case 1:
		if (i < 0)
			return;
		a = dma_map_single(dv, fz.obj[i].p, 0, DMA_FROM_DEVICE);
		break;
	case 2:
		if (i < 0)
			return;
		a = dma_map_single(dv, fz.obj[i].p, fz.obj[i].size, DMA_NONE);
		break;
	case 3:
		dma_unmap_single(dv, DMA_MAPPING_ERROR, 16, DMA_FROM_DEVICE);
		a = DMA_MAPPING_ERROR;
		break;
	case 4:
		if (i < 0)
			return;
		sg_init_one(sg, fz.obj[i].p, 1);
		FZ_CHECK(dma_map_sg(dv, sg, 0, DMA_TO_DEVICE) == 0, "dma_map_sg of 0 entries");
		a = DMA_MAPPING_ERROR;
		break;
	case 5:
		if (fz.dev[d].dma_bits >= 64 || fz.dev[d].dma_bits < 32)
			return;
		FZ_CHECK(minalign_dma_write(dv, DMA_BIT_MASK(fz.dev[d].dma_bits) + 1, stack, 8) ==
				 -EFAULT,
			 "device write beyond its reach");
		a = DMA_MAPPING_ERROR;
		break;
	case 6:
		FZ_CHECK(dma_alloc_coherent(dv, 0, &a, GFP_KERNEL) == NULL, "coherent of 0 bytes");
		a = DMA_MAPPING_ERROR;
		break;
	case 7: { /* DMA debug: mapping freed memory is refused */
		size_t n = 1 + (sel * 53u) % 9000u;
		void *p;

		if (!(fz.cfg.debug & MINALIGN_DEBUG_DMA))
			return;
		p = kmalloc(n, GFP_KERNEL);
		if (!p)
			return;
		kfree(p);
		a = dma_map_single(dv, p, n, DMA_FROM_DEVICE);
		break;
	}
	default:
		return;
	}
	fz_trace("misuse map v%u dev %d", v, d);
	FZ_CHECK(a == DMA_MAPPING_ERROR, "a misused map call returned %#llx",
		 (unsigned long long)a);
	fz_one();
}

static void fz_misuse_coherent(unsigned int v, unsigned int sel)
{
	int i;
	struct fz_obj *o;

	if (v == 0) {
		i = fz_pick_obj(sel, fz_is_coherent);
		if (i < 0)
			return;
		o = &fz.obj[i];
		dma_free_coherent(fz.dev[o->dev].d, (PAGE_SIZE << o->order) * 2, o->p, o->handle);
	} else {
		i = fz_pick_obj(sel, fz_is_poolblk);
		if (i < 0)
			return;
		o = &fz.obj[i];
		dma_pool_free(fz.pool[o->pool].p, o->p, o->handle + 1);
	}
	fz_trace("misuse coherent v%u obj %d", v, i);
	fz_obj_check(i);
	fz_one();
}

/* Documented teardown of something still in use: one report, then the documented state. */
static void fz_misuse_teardown(unsigned int v, unsigned int sel)
{
	int k, i;

	if (v == 0) {
		k = fz_pick(sel, FZ_MAX_CACHE, fz_cache_busy);
		if (k < 0)
			return;
		fz_trace("misuse: destroy cache %d with %u objects", k, fz.cache[k].live);
		kmem_cache_destroy(fz.cache[k].c);
		fz.cache[k].zombie = true;
	} else {
		k = fz_pick(sel, FZ_MAX_POOL, fz_pool_busy);
		if (k < 0)
			return;
		fz_trace("misuse: destroy pool %d with %u blocks", k, fz.pool[k].live);
		for (i = 0; i < FZ_MAX_OBJ; i++)
			if (fz.obj[i].kind == FZ_POOLBLK && fz.obj[i].pool == k)
				fz_obj_del(i);
		fz_pool_destroy(k);
	}
	fz_one();
}

static void fz_never(void *data)
{
	(void)data;
	FZ_CHECK(0, "an action never registered ran");
}

static void fz_misuse_dev(unsigned int v, unsigned int sel)
{
	int d = fz_pick(sel, FZ_MAX_DEV, fz_dev_live), i = fz_pick_obj(sel >> 2, fz_is_kmalloc);
	struct minalign_device_info info = {.name = "bad", .dma_bits = 65};

	switch (v) {
	case 0:
		FZ_CHECK(minalign_device_create(&info) == NULL, "device with 65 address bits");
		break;
	case 1:
		if (d < 0 || i < 0)
			return;
		devm_kfree(fz.dev[d].d, fz.obj[i].p);
		fz_obj_check(i);
		break;
	case 2:
		if (d < 0)
			return;
		devm_remove_action(fz.dev[d].d, fz_never, NULL);
		break;
	case 3:
		FZ_CHECK(minalign_init(&fz.cfg) == -EBUSY, "second minalign_init");
		break;
	default:
		return;
	}
	fz_trace("misuse dev v%u", v);
	fz_one();
}

void fz_op_misuse(struct fz_in *in)
{
	unsigned int c = fz_u8(in), sel = fz_u8(in);

	switch (c % 6) {
	case 0:
		fz_misuse_free((c / 6) % 6, sel);
		break;
	case 1:
		fz_misuse_double((c / 6) % 3, sel);
		break;
	case 2:
		fz_misuse_map((c / 6) % 8, sel);
		break;
	case 3:
		fz_misuse_coherent((c / 6) % 2, sel);
		break;
	case 4:
		fz_misuse_teardown((c / 6) % 2, sel);
		break;
	default:
		fz_misuse_dev((c / 6) % 4, sel);
	}
}

/* Calls the API documents as no-ops: no report, nothing changes. */
void fz_op_noop(struct fz_in *in)
{
	unsigned int sel = fz_u8(in);
	int d = fz_pick(sel, FZ_MAX_DEV, fz_dev_live);

	kfree(NULL);
	kfree(ZERO_SIZE_PTR);
	kmem_cache_destroy(NULL);
	minalign_device_destroy(NULL);
	dma_pool_destroy(NULL);
	__free_pages(NULL, 0);
	free_pages(0, 0);
	FZ_CHECK(ksize(NULL) == 0 && kstrdup(NULL, GFP_KERNEL) == NULL, "NULL ksize/kstrdup");
	if (d >= 0) {
		dma_free_coherent(fz.dev[d].d, PAGE_SIZE, NULL, 0);
		devm_kfree(fz.dev[d].d, NULL);
		devm_kfree(fz.dev[d].d, ZERO_SIZE_PTR);
	}
	for (int k = 0; k < FZ_MAX_POOL; k++)
		if (fz.pool[k].p)
			dma_pool_free(fz.pool[k].p, NULL, 0);
}
