/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fz_coherent.c - fuzzer operations on coherent memory (dma_alloc_coherent,
 * dmam_alloc_coherent, dma_pool) and its device-side access, and on device-managed resources
 * (devm_kmalloc family, devm actions, devres_alloc/add).  Release actions log their ids; at
 * minalign_device_destroy() the log must be the live actions newest first, and each action
 * checks that the device's older managed buffers are still intact when it runs.
 */
#include "fz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool fz_dev_live(int d)
{
	return fz.dev[d].d != NULL;
}

static bool fz_all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* ---- coherent memory --------------------------------------------------------------------- */

static bool fz_coh_freeable(const struct fz_obj *o)
{
	return o->kind == FZ_COHERENT || o->kind == FZ_DMAM;
}

static void fz_coherent_alloc(struct fz_in *in, bool managed)
{
	unsigned int sd = fz_u8(in), sz = fz_u16(in), seed = fz_u8(in);
	int d = fz_pick(sd, FZ_MAX_DEV, fz_dev_live), i = fz_obj_slot();
	size_t size = (sz & 0x8000) ? 1 + sz % 65536 : 1 + sz % 6000;
	struct fz_dev *dv;
	dma_addr_t h = 0;
	unsigned char *p;
	u64 lim;

	if (d < 0 || i < 0 || fz.live_bytes + size > FZ_LIVE_MAX)
		return;
	dv = &fz.dev[d];
	p = managed ? dmam_alloc_coherent(dv->d, size, &h, GFP_KERNEL)
		    : dma_alloc_coherent(dv->d, size, &h, GFP_KERNEL);
	fz_trace("%s dev %d %zu = %p", managed ? "dmam_alloc_coherent" : "dma_alloc_coherent", d,
		 size, (void *)p);
	if (!p) {
		FZ_CHECK(fz.faults || dv->dma_bits < 40 || fz_null_ok(size, GFP_DMA),
			 "dma_alloc_coherent failed");
		return;
	}
	lim = DMA_BIT_MASK(dv->dma_bits);
	FZ_CHECK(((uintptr_t)p & (PAGE_SIZE - 1)) == 0 && h == virt_to_phys(p),
		 "coherent block %p handle %#llx", (void *)p, (unsigned long long)h);
	FZ_CHECK(h + size - 1 <= lim, "coherent block beyond the device's reach");
	FZ_CHECK(fz_all_zero(p, size), "coherent memory not zeroed");
	FZ_CHECK(!fz_overlaps_live(p, size), "coherent block overlaps a live object");
	fz_obj_add(i, managed ? FZ_DMAM : FZ_COHERENT, p, size);
	fz.obj[i].dev = d;
	fz.obj[i].handle = h;
	fz.obj[i].order = get_order(size);
	if (managed)
		fz.obj[i].devm_seq = ++dv->devm_seq;
	if (seed & 1)
		fz_stamp(p, fz.obj[i].shadow, size, seed);
}

void fz_op_coherent(struct fz_in *in)
{
	unsigned int v = fz_u8(in);
	int i;

	switch (v % 3) {
	case 0:
		fz_coherent_alloc(in, false);
		break;
	case 1:
		fz_coherent_alloc(in, true);
		break;
	default:
		i = fz_pick_obj(fz_u8(in), fz_coh_freeable);
		if (i >= 0) {
			fz_trace("coherent free obj %d", i);
			fz_free_obj(i);
		}
	}
}

static bool fz_coh_obj(const struct fz_obj *o)
{
	return o->kind == FZ_COHERENT || o->kind == FZ_DMAM || o->kind == FZ_POOLBLK;
}

/* The device writes or reads a coherent block: the CPU sees it at once, and vice versa. */
void fz_op_coh_dev_io(struct fz_in *in)
{
	unsigned int sel = fz_u8(in), seed = fz_u8(in), a = fz_u16(in), b = fz_u16(in);
	int i = fz_pick_obj(sel, fz_coh_obj);
	struct fz_obj *o;
	struct device *d;
	unsigned char *buf;
	size_t off, len;

	if (i < 0)
		return;
	o = &fz.obj[i];
	d = fz.dev[o->dev].d;
	off = a % o->size;
	len = 1 + b % (o->size - off);
	buf = malloc(len);
	FZ_CHECK(buf, "host out of memory");
	fz_trace("coherent dev io obj %d [%zu, +%zu) %s", i, off, len, seed & 1 ? "w" : "r");
	if (seed & 1) {
		fz_stamp(buf, o->shadow + off, len, seed);
		FZ_CHECK(minalign_dma_write(d, o->handle + off, buf, len) == 0, "dma_write");
		FZ_CHECK(!memcmp(o->p + off, buf, len), "CPU does not see the device's write");
	} else {
		FZ_CHECK(minalign_dma_read(d, o->handle + off, buf, len) == 0, "dma_read");
		FZ_CHECK(!memcmp(o->shadow + off, buf, len), "device does not see the CPU's bytes");
	}
	free(buf);
}

/* ---- dma_pool -------------------------------------------------------------------------- */

void fz_op_pool_create(struct fz_in *in)
{
	unsigned int sd = fz_u8(in), sz = fz_u16(in), ab = fz_u8(in);
	int d = fz_pick(sd, FZ_MAX_DEV, fz_dev_live), k;
	struct fz_pool *p = NULL;
	size_t bsz;
	char name[16];

	for (k = 0; k < FZ_MAX_POOL && !p; k++)
		if (!fz.pool[k].p)
			p = &fz.pool[k];
	if (!p || d < 0)
		return;
	k = (int)(p - fz.pool);
	memset(p, 0, sizeof(*p));
	p->dev = d;
	p->size = (sz & 0x8000) ? 1 + sz % 16384 : 1 + sz % 512;
	p->align = (size_t)1 << (ab % 13);
	bsz = (p->size + p->align - 1) & ~(p->align - 1);
	p->boundary = 0;
	if (ab & 0x80) {
		p->boundary = 1;
		while (p->boundary < bsz)
			p->boundary <<= 1;
		p->boundary <<= (ab >> 4) & 3;
	}
	snprintf(name, sizeof(name), "fzpool%d", k);
	p->p = dma_pool_create(name, fz.dev[d].d, p->size, p->align, p->boundary);
	fz_trace("dma_pool_create %d dev %d size %zu align %zu boundary %zu = %p", k, d, p->size,
		 p->align, p->boundary, (void *)p->p);
	if (!p->p)
		FZ_CHECK(fz.faults, "dma_pool_create failed");
}

static bool fz_pool_live(int k)
{
	return fz.pool[k].p != NULL;
}

static bool fz_is_poolblk(const struct fz_obj *o)
{
	return o->kind == FZ_POOLBLK;
}

void fz_op_pool_alloc(struct fz_in *in)
{
	unsigned int sel = fz_u8(in), v = fz_u8(in);
	int k = fz_pick(sel, FZ_MAX_POOL, fz_pool_live), i = fz_obj_slot();
	struct fz_pool *pl;
	dma_addr_t h = 0;
	unsigned char *p;

	if (v & 1) {
		i = fz_pick_obj(sel, fz_is_poolblk);
		if (i >= 0) {
			fz_trace("pool free obj %d", i);
			fz_free_obj(i);
		}
		return;
	}
	if (k < 0 || i < 0 || fz.live_bytes + fz.pool[k].size > FZ_LIVE_MAX)
		return;
	pl = &fz.pool[k];
	p = (v & 2) ? dma_pool_zalloc(pl->p, GFP_KERNEL, &h)
		    : dma_pool_alloc(pl->p, GFP_KERNEL, &h);
	fz_trace("dma_pool_alloc %d = %p %#llx", k, (void *)p, (unsigned long long)h);
	if (!p) {
		FZ_CHECK(fz.faults || fz_null_ok(pl->size, GFP_DMA), "dma_pool_alloc failed");
		return;
	}
	FZ_CHECK(((uintptr_t)p & (pl->align - 1)) == 0 && h == virt_to_phys(p),
		 "pool block %p misaligned or wrong handle", (void *)p);
	FZ_CHECK(!pl->boundary || h / pl->boundary == (h + pl->size - 1) / pl->boundary,
		 "pool block crosses its boundary");
	FZ_CHECK(!fz_overlaps_live(p, pl->size), "pool block overlaps a live object");
	if (v & 2)
		FZ_CHECK(fz_all_zero(p, pl->size), "dma_pool_zalloc not zeroed");
	fz_obj_add(i, FZ_POOLBLK, p, pl->size);
	fz.obj[i].dev = pl->dev;
	fz.obj[i].pool = k;
	fz.obj[i].handle = h;
	pl->live++;
	fz_stamp(p, fz.obj[i].shadow, pl->size, v);
}

static bool fz_pool_idle(int k)
{
	return fz.pool[k].p && fz.pool[k].live == 0;
}

void fz_pool_destroy(int k)
{
	fz_trace("dma_pool_destroy %d", k);
	dma_pool_destroy(fz.pool[k].p);
	memset(&fz.pool[k], 0, sizeof(fz.pool[k]));
}

void fz_op_pool_destroy(struct fz_in *in)
{
	int k = fz_pick(fz_u8(in), FZ_MAX_POOL, fz_pool_idle);

	if (k >= 0)
		fz_pool_destroy(k);
}

/* ---- devres ---------------------------------------------------------------------------- */

static void fz_devm_alloc(struct fz_in *in, int d)
{
	unsigned int v = fz_u8(in), seed = fz_u8(in);
	size_t size = fz_size(in);
	gfp_t gfp = fz_gfp(in);
	struct device *dv = fz.dev[d].d;
	static char src[8192];
	bool zeroed = (gfp & __GFP_ZERO) != 0;
	void *p;
	int i;

	if (fz_obj_slot() < 0 || fz.live_bytes + size > FZ_LIVE_MAX)
		return;
	switch (v % 5) {
	case 1:
		p = devm_kzalloc(dv, size, gfp);
		zeroed = true;
		break;
	case 2:
		p = devm_kcalloc(dv, size, 1, gfp);
		zeroed = true;
		break;
	case 3:
		if (!size || size > sizeof(src)) {
			p = devm_kmalloc_array(dv, 1, size, gfp);
			break;
		}
		for (size_t k = 0; k + 1 < size; k++)
			src[k] = (char)('A' + (seed + k) % 26);
		src[size - 1] = 0;
		p = devm_kstrdup(dv, src, gfp);
		zeroed = false;
		break;
	case 4:
		if (size > sizeof(src)) {
			p = devm_kmalloc(dv, size, gfp);
			break;
		}
		fz_stamp((unsigned char *)src, NULL, size, seed);
		p = devm_kmemdup(dv, src, size, gfp);
		zeroed = false;
		break;
	default:
		p = devm_kmalloc(dv, size, gfp);
	}
	fz_trace("devm alloc v%u dev %d %zu gfp %#x = %p", v % 5, d, size, gfp, p);
	if (!size) {
		FZ_CHECK(p == ZERO_SIZE_PTR, "devm allocation of 0 bytes = %p", p);
		return;
	}
	if (!p) {
		FZ_CHECK(fz_null_ok(size, gfp), "devm allocation of %zu failed", size);
		return;
	}
	i = fz_kmem_record(FZ_DEVM, p, size, gfp, zeroed, seed);
	fz.obj[i].dev = d;
	fz.obj[i].devm_seq = ++fz.dev[d].devm_seq;
}

void fz_op_devm(struct fz_in *in)
{
	int d = fz_pick(fz_u8(in), FZ_MAX_DEV, fz_dev_live);

	if (d >= 0)
		fz_devm_alloc(in, d);
}

/* Log a release action's call; check the device's older managed buffers are intact. */
static void fz_action_ran(int id, int d)
{
	unsigned int seq = 0, k;

	FZ_CHECK(fz.act_nlog < sizeof(fz.act_log) / sizeof(fz.act_log[0]), "action log full");
	fz.act_log[fz.act_nlog++] = id;
	for (k = 0; k < fz.dev[d].nact; k++)
		if (fz.dev[d].act[k] == id)
			seq = fz.dev[d].act_seq[k];
	for (int i = 0; i < FZ_MAX_OBJ; i++)
		if ((fz.obj[i].kind == FZ_DEVM || fz.obj[i].kind == FZ_DMAM) &&
		    fz.obj[i].dev == d && fz.obj[i].devm_seq < seq)
			fz_obj_check(i);
}

static void fz_action(void *data)
{
	intptr_t v = (intptr_t)data;

	fz_action_ran((int)(v >> 3), (int)(v & 7));
}

struct fz_dr {
	int id, dev;
};

static void fz_dr_release(struct device *dev, void *res)
{
	const struct fz_dr *r = res;

	(void)dev;
	fz_action_ran(r->id, r->dev);
}

static int fz_dr_match(struct device *dev, void *res, void *match_data)
{
	(void)dev;
	return ((struct fz_dr *)res)->id == (int)(intptr_t)match_data;
}

static void fz_act_add(int d, int id)
{
	struct fz_dev *dv = &fz.dev[d];

	dv->act[dv->nact] = id;
	dv->act_seq[dv->nact++] = ++dv->devm_seq;
}

static void fz_act_del(int d, unsigned int k)
{
	struct fz_dev *dv = &fz.dev[d];

	memmove(&dv->act[k], &dv->act[k + 1], (dv->nact - k - 1) * sizeof(dv->act[0]));
	memmove(&dv->act_seq[k], &dv->act_seq[k + 1], (dv->nact - k - 1) * sizeof(dv->act_seq[0]));
	dv->nact--;
}

static void fz_action_add(int d, unsigned int v)
{
	int id = ++fz.act_next, err;
	void *data = (void *)(((intptr_t)id << 3) | d);
	struct fz_dr *r;

	fz.act_nlog = 0;
	if (v & 4) {
		r = devres_alloc(fz_dr_release, sizeof(*r), GFP_KERNEL);
		if (!r) {
			FZ_CHECK(fz.faults, "devres_alloc failed");
			return;
		}
		r->id = id;
		r->dev = d;
		devres_add(fz.dev[d].d, r);
		FZ_CHECK(devres_find(fz.dev[d].d, fz_dr_release, fz_dr_match,
				     (void *)(intptr_t)id) == r,
			 "devres_find");
		fz_act_add(d, id);
		return;
	}
	err = (v & 2) ? devm_add_action_or_reset(fz.dev[d].d, fz_action, data)
		      : devm_add_action(fz.dev[d].d, fz_action, data);
	fz_trace("devm_add_action%s dev %d id %d = %d", (v & 2) ? "_or_reset" : "", d, id, err);
	if (err) {
		FZ_CHECK(err == -ENOMEM && fz.faults, "devm_add_action = %d", err);
		FZ_CHECK(fz.act_nlog == ((v & 2) ? 1u : 0u), "or_reset must run the action once");
		return;
	}
	FZ_CHECK(fz.act_nlog == 0, "action ran at registration");
	fz_act_add(d, id);
}

/* Remove (without calling) or release (calling) live action @k of device @d. */
static void fz_action_drop(int d, unsigned int k, bool release)
{
	int id = fz.dev[d].act[k];
	struct device *dv = fz.dev[d].d;
	void *data = (void *)(((intptr_t)id << 3) | d);
	void *r;

	fz.act_nlog = 0;
	fz_trace("devm action %d of dev %d: %s", id, d, release ? "release" : "remove");
	r = devres_find(dv, fz_dr_release, fz_dr_match, (void *)(intptr_t)id);
	if (r) {
		if (release)
			FZ_CHECK(devres_release(dv, fz_dr_release, fz_dr_match,
						(void *)(intptr_t)id) == 0,
				 "devres_release");
		else
			FZ_CHECK(devres_destroy(dv, fz_dr_release, fz_dr_match,
						(void *)(intptr_t)id) == 0,
				 "devres_destroy");
	} else if (release) {
		devm_release_action(dv, fz_action, data);
	} else {
		devm_remove_action(dv, fz_action, data);
	}
	FZ_CHECK(fz.act_nlog == (release ? 1u : 0u) && (!release || fz.act_log[0] == id),
		 "action %d ran %u times", id, fz.act_nlog);
	fz_act_del(d, k);
}

void fz_op_devm_action(struct fz_in *in)
{
	unsigned int sel = fz_u8(in), v = fz_u8(in);
	int d = fz_pick(sel, FZ_MAX_DEV, fz_dev_live);

	if (d < 0)
		return;
	if (v & 1 && fz.dev[d].nact)
		fz_action_drop(d, (v >> 4) % fz.dev[d].nact, v & 8);
	else if (fz.dev[d].nact < FZ_MAX_ACT)
		fz_action_add(d, v);
	FZ_CHECK(minalign_device_devres_count(fz.dev[d].d) >= fz.dev[d].nact, "devres count");
}

/*
 * Device @d was destroyed: its actions must have run newest first, and its managed buffers
 * are gone from the model.
 */
void fz_devm_released(int d)
{
	struct fz_dev *dv = &fz.dev[d];

	FZ_CHECK(fz.act_nlog == dv->nact, "%u actions ran, %u were live", fz.act_nlog, dv->nact);
	for (unsigned int k = 0; k < dv->nact; k++)
		FZ_CHECK(fz.act_log[k] == dv->act[dv->nact - 1 - k],
			 "release order: action %d ran as number %u", fz.act_log[k], k);
	for (int i = 0; i < FZ_MAX_OBJ; i++)
		if ((fz.obj[i].kind == FZ_DEVM || fz.obj[i].kind == FZ_DMAM) && fz.obj[i].dev == d)
			fz_obj_del(i);
	dv->nact = 0;
}
