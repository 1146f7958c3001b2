/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fz_debug.c - the deliberate misuse that only DMA-API debug (MINALIGN_DEBUG_DMA)
 * can see: unmap or sync of what was never mapped or with the wrong size, direction or
 * function, device DMA outside its mappings or against their direction, two inbound mappings
 * of one object on a cache line (EEXIST), a packed object mapped inbound, an address whose
 * dma_mapping_error() was never checked, and mappings left live at device destroy.  Each earns
 * exactly the reports docs/dma-debug.md lists and leaves the model's state as it was (or, for
 * destroy, as documented).  Without DMA debug these calls are undefined and not issued.
 */
#include "fz.h"

#include <string.h>

static bool fz_single(int m)
{
	return fz.map[m].live && fz.map[m].sg < 0;
}

static bool fz_dev_live(int d)
{
	return fz.dev[d].d != NULL;
}

static bool fz_plain(const struct fz_obj *o)
{
	return o->size && o->nmaps == 0 &&
	       (o->kind == FZ_KMALLOC || o->kind == FZ_CACHEOBJ || o->kind == FZ_PAGES);
}

static enum dma_data_direction fz_other_dir(enum dma_data_direction d)
{
	return d == DMA_TO_DEVICE ? DMA_FROM_DEVICE : DMA_TO_DEVICE;
}

/*
 * Does another live mapping of @m's device overlap [addr, addr + len]?  Then a "wrong" unmap or
 * sync of @m may legitimately be the right call for that other mapping (debug's lookup prefers
 * the call's own entry and syncs may name any range inside a live mapping), so the misuse is not
 * issued.
 */
static bool fz_overlapped(int m)
{
	const struct fz_map *mp = &fz.map[m];

	for (int k = 0; k < FZ_MAX_MAP; k++) {
		const struct fz_map *o = &fz.map[k];

		if (k != m && o->live && o->dev == mp->dev && o->addr <= mp->addr + mp->len &&
		    mp->addr <= o->addr + o->len)
			return true;
	}
	return false;
}

/* Unmap or sync a live single mapping wrongly: one report, the mapping unchanged. */
static bool fz_bad_unmap(unsigned int v, int m)
{
	struct fz_map *mp = &fz.map[m];
	struct device *d = fz.dev[mp->dev].d;

	if (fz_overlapped(m))
		return false;
	switch (v) {
	case 0: /* wrong size */
		if (mp->page_api)
			dma_unmap_page(d, mp->addr, mp->len + 1, mp->dir);
		else
			dma_unmap_single(d, mp->addr, mp->len + 1, mp->dir);
		return true;
	case 1: /* wrong direction */
		if (mp->dir == DMA_BIDIRECTIONAL)
			return false;
		dma_unmap_single(d, mp->addr, mp->len, fz_other_dir(mp->dir));
		return true;
	case 2: /* wrong function */
		if (mp->page_api)
			dma_unmap_single(d, mp->addr, mp->len, mp->dir);
		else
			dma_unmap_page(d, mp->addr, mp->len, mp->dir);
		return true;
	case 3: /* sync beyond the end */
		dma_sync_single_for_cpu(d, mp->addr, mp->len + 1, mp->dir);
		return true;
	default: /* sync in the wrong direction */
		if (mp->dir == DMA_BIDIRECTIONAL)
			return false;
		dma_sync_single_for_device(d, mp->addr, mp->len, fz_other_dir(mp->dir));
		return true;
	}
}

/* The device touches what it must not: -EFAULT, one report, not a byte copied. */
static bool fz_bad_access(unsigned int v, unsigned int sel)
{
	unsigned char buf[16] = {0};
	int m = fz_pick(sel, FZ_MAX_MAP, fz_single), i;
	struct fz_map *mp;

	if (v == 0) { /* outside every mapping: an object nobody mapped */
		int d = fz_pick(sel, FZ_MAX_DEV, fz_dev_live);

		i = fz_pick_obj(sel >> 3, fz_plain);
		if (i < 0 || d < 0)
			return false;
		FZ_CHECK(minalign_dma_write(fz.dev[d].d, virt_to_phys(fz.obj[i].p), buf, 1) ==
				 -EFAULT,
			 "device write outside its mappings accepted");
		return true;
	}
	if (m < 0)
		return false;
	mp = &fz.map[m];
	if (mp->dir == DMA_TO_DEVICE)
		FZ_CHECK(minalign_dma_write(fz.dev[mp->dev].d, mp->addr, buf, 1) == -EFAULT,
			 "device write into a TO_DEVICE mapping accepted");
	else if (mp->dir == DMA_FROM_DEVICE)
		FZ_CHECK(minalign_dma_read(fz.dev[mp->dev].d, mp->addr, buf, 1) == -EFAULT,
			 "device read from a FROM_DEVICE mapping accepted");
	else
		return false;
	return true;
}

/* Is single mapping @m in the EEXIST line table (inbound, direct, maintained, no SKIP)? */
static bool fz_in_line_table(const struct fz_map *mp)
{
	return mp->dir != DMA_TO_DEVICE && !mp->bounced && !mp->skip && !fz.dev[mp->dev].coherent &&
	       fz.cfg.cache_model != MINALIGN_CACHE_COHERENT;
}

/*
 * Would [@off, @off+@len) of @o be mapped directly for @d?  Only when nothing can bounce it:
 * the device reaches it, is not force_bounce, and its edge lines are the object's own (or the
 * policy never bounces for alignment).
 */
static bool fz_would_be_direct(const struct fz_obj *o, size_t off, size_t len, int d)
{
	const struct fz_dev *dv = &fz.dev[d];
	enum minalign_policy pol = fz.cfg.policy;
	bool never = pol == MINALIGN_POLICY_LEGACY || pol == MINALIGN_POLICY_PACKED ||
		     pol == MINALIGN_POLICY_NAIVE;

	if (dv->force_bounce || virt_to_phys(o->p + off) + len - 1 > dv->mask)
		return false;
	return never || (!fz.cfg.bounce_linux_rule && !fz_maybe_shared(o, off, len));
}

/* A second inbound mapping of an object on a line of its live one: refused (EEXIST). */
static bool fz_eexist(unsigned int sel)
{
	int m = fz_pick(sel, FZ_MAX_MAP, fz_single);
	struct fz_map *mp;
	const struct fz_obj *o;
	size_t off, len;
	dma_addr_t a;

	if (m < 0 || !fz_in_line_table(&fz.map[m]))
		return false;
	mp = &fz.map[m];
	o = &fz.obj[mp->obj];
	/* one byte right after the mapping, or right before it, on its edge line */
	if (mp->off + mp->len < o->size &&
	    fz_line_down((uintptr_t)o->p + mp->off + mp->len) ==
		    fz_line_down((uintptr_t)o->p + mp->off + mp->len - 1))
		off = mp->off + mp->len;
	else if (mp->off && fz_line_down((uintptr_t)o->p + mp->off - 1) ==
				    fz_line_down((uintptr_t)o->p + mp->off))
		off = mp->off - 1;
	else
		return false;
	len = 1;
	if (!fz_would_be_direct(o, off, len, mp->dev))
		return false;
	a = dma_map_single(fz.dev[mp->dev].d, o->p + off, len, DMA_FROM_DEVICE);
	FZ_CHECK(dma_mapping_error(fz.dev[mp->dev].d, a), "EEXIST mapping accepted");
	return true;
}

static bool fz_packed_obj(const struct fz_obj *o)
{
	return o->packed && o->nmaps == 0;
}

static bool fz_packed(unsigned int sel)
{
	int i = fz_pick_obj(sel, fz_packed_obj), d = fz_pick(sel >> 4, FZ_MAX_DEV, fz_dev_live);
	dma_addr_t a;

	if (i < 0 || d < 0 || fz.dev[d].coherent ||
	    !fz_would_be_direct(&fz.obj[i], 0, fz.obj[i].size, d))
		return false;
	a = dma_map_single(fz.dev[d].d, fz.obj[i].p, fz.obj[i].size, DMA_FROM_DEVICE);
	FZ_CHECK(dma_mapping_error(fz.dev[d].d, a), "packed object mapped inbound");
	return true;
}

/* Map a legal TO_DEVICE buffer and unmap it without asking dma_mapping_error(). */
static bool fz_unchecked(unsigned int sel)
{
	int i = fz_pick_obj(sel, fz_plain), d = fz_pick(sel >> 4, FZ_MAX_DEV, fz_dev_live);
	struct device *dv;
	dma_addr_t a;

	if (i < 0 || d < 0 || !fz_map_allowed(i, 0, fz.obj[i].size, DMA_TO_DEVICE, d, -1))
		return false;
	dv = fz.dev[d].d;
	a = dma_map_single(dv, fz.obj[i].p, fz.obj[i].size, DMA_TO_DEVICE);
	if (a == DMA_MAPPING_ERROR) {
		fz_expect_reports(fz.faults ? 0 : 1, 1);
		return false;
	}
	dma_unmap_single(dv, a, fz.obj[i].size, DMA_TO_DEVICE);
	return true;
}

/* Destroy a device with live mappings: one report per mapping, each unmapped without a sync. */
static bool fz_destroy_mapped(unsigned int sel)
{
	int d = fz_pick(sel, FZ_MAX_DEV, fz_dev_live);
	unsigned int n = 0;

	if (d < 0)
		return false;
	for (int m = 0; m < FZ_MAX_MAP; m++) {
		const struct fz_map *mp = &fz.map[m];

		if (!mp->live)
			continue;
		if (mp->dev != d && fz.obj[mp->obj].dev == d)
			return false; /* its devm buffer would be freed under another device */
		if (mp->dev == d && fz.obj[mp->obj].dev == d)
			return false; /* a devm buffer of its own: freed before the report */
		n += mp->dev == d;
	}
	for (int i = 0; i < FZ_MAX_OBJ; i++)
		if ((fz.obj[i].kind == FZ_COHERENT || fz.obj[i].kind == FZ_POOLBLK) &&
		    fz.obj[i].dev == d)
			return false;
	for (int p = 0; p < FZ_MAX_POOL; p++)
		if (fz.pool[p].p && fz.pool[p].dev == d)
			return false;
	if (!n)
		return false;
	for (int m = 0; m < FZ_MAX_MAP; m++)
		if (fz.map[m].live && fz.map[m].dev == d)
			fz_map_forget(m);
	for (int g = 0; g < FZ_MAX_SG; g++)
		if (fz.sg[g].dev == d)
			memset(&fz.sg[g], 0, sizeof(fz.sg[g]));
	fz_dev_destroy(d);
	fz_expect_reports(n - 1, n - 1); /* and one more for being made */
	return true;
}

void fz_op_debug_misuse(struct fz_in *in)
{
	unsigned int c = fz_u8(in), sel = fz_u8(in), v = (c / 7) % 5;
	int m = fz_pick(sel, FZ_MAX_MAP, fz_single), i, d;
	bool done;

	if (!(fz.cfg.debug & MINALIGN_DEBUG_DMA))
		return;
	switch (c % 7) {
	case 0: /* unmap of an address never mapped */
		i = fz_pick_obj(sel, fz_plain);
		d = fz_pick(sel >> 4, FZ_MAX_DEV, fz_dev_live);
		done = d >= 0 && i >= 0;
		if (done)
			dma_unmap_single(fz.dev[d].d, virt_to_phys(fz.obj[i].p), 8, DMA_TO_DEVICE);
		break;
	case 1:
		done = m >= 0 && fz_bad_unmap(v, m);
		break;
	case 2:
		done = fz_bad_access(v & 1, sel);
		break;
	case 3:
		done = fz_eexist(sel);
		break;
	case 4:
		done = fz_packed(sel);
		break;
	case 5:
		done = fz_unchecked(sel);
		break;
	default:
		done = fz_destroy_mapped(sel);
	}
	fz_trace("debug misuse %u/%u: %s", c % 7, v, done ? "made" : "skipped");
	if (done)
		fz_expect_reports(1, 1);
}
