/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fz_dma.c - fuzzer operations on devices and streaming DMA: create/destroy, masks,
 * dma_map_single/page and sg mappings of live objects, unmap, sync, the device's reads and
 * writes of its mappings, and the swiotlb queries.
 *
 * A mapping records what the CPU held when the device got the buffer (`old`) and what the
 * device wrote since (`dval`/`dw`).  When the CPU gets the buffer back (sync_for_cpu, unmap)
 * every byte must be: what the device wrote; else, for outbound data or a bounce buffer (which
 * is filled at map time in every direction), what the CPU held; else (an unbounced
 * FROM_DEVICE byte the device never wrote) anything.  Bytes on a tainted line may be anything.
 */
#include "fz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool fz_inbound(enum dma_data_direction dir)
{
	return dir == DMA_FROM_DEVICE || dir == DMA_BIDIRECTIONAL;
}

/* ---- devices ---------------------------------------------------------------------------- */

void fz_op_dev_create(struct fz_in *in)
{
	static const unsigned int bits[8] = {0, 64, 48, 36, 33, 32, 31, 24};
	unsigned int b = fz_u8(in), k;
	struct minalign_device_info info = {0};
	struct fz_dev *d = NULL;
	char name[16];

	for (k = 0; k < FZ_MAX_DEV && !d; k++)
		if (!fz.dev[k].d)
			d = &fz.dev[k];
	if (!d)
		return;
	k = (unsigned int)(d - fz.dev);
	memset(d, 0, sizeof(*d));
	snprintf(name, sizeof(name), "fzdev%u", k);
	info.name = name;
	info.coherent = b & 1;
	info.force_bounce = (b & 6) == 6;
	info.dma_bits = bits[(b >> 3) & 7];
	d->d = minalign_device_create(&info);
	fz_trace("dev_create %u coherent %d force %d bits %u = %p", k, info.coherent,
		 info.force_bounce, info.dma_bits, (void *)d->d);
	if (!d->d) {
		FZ_CHECK(fz.faults, "minalign_device_create failed");
		return;
	}
	d->coherent = info.coherent;
	d->force_bounce = info.force_bounce;
	d->dma_bits = info.dma_bits ? info.dma_bits : 64;
	d->mask = DMA_BIT_MASK(d->dma_bits);
	FZ_CHECK(!strcmp(dev_name(d->d), name), "dev_name %s", dev_name(d->d));
	FZ_CHECK(dma_get_mask(d->d) == d->mask, "initial mask");
	FZ_CHECK(minalign_device_devres_count(d->d) == 0, "new device holds resources");
}

static bool fz_dev_live(int d)
{
	return fz.dev[d].d != NULL;
}

static bool fz_dev_idle(int d)
{
	return fz.dev[d].d && !fz_dev_busy(d);
}

void fz_dev_destroy(int d)
{
	fz_trace("dev_destroy %d", d);
	fz.act_nlog = 0;
	minalign_device_destroy(fz.dev[d].d);
	fz_devm_released(d);
	memset(&fz.dev[d], 0, sizeof(fz.dev[d]));
}

void fz_op_dev_destroy(struct fz_in *in)
{
	int d = fz_pick(fz_u8(in), FZ_MAX_DEV, fz_dev_idle);

	if (d >= 0)
		fz_dev_destroy(d);
}

static bool fz_dev_unmapped(int d)
{
	if (!fz.dev[d].d)
		return false;
	for (int m = 0; m < FZ_MAX_MAP; m++)
		if (fz.map[m].live && fz.map[m].dev == d)
			return false;
	return true;
}

void fz_op_dev_mask(struct fz_in *in)
{
	static const unsigned int mams[4] = {0, 63, 511, 4095};
	unsigned int sel = fz_u8(in), b = fz_u8(in), bits = 20 + b % 45;
	int d = fz_pick(sel, FZ_MAX_DEV, fz_dev_unmapped);
	struct fz_dev *dv;
	int err;

	if (d < 0)
		return;
	dv = &fz.dev[d];
	if (bits > dv->dma_bits)
		bits = dv->dma_bits; /* a mask wider than the hardware is the driver's bug */
	if (b & 0x80) {
		dv->min_align_mask = mams[(b >> 5) & 3];
		dma_set_min_align_mask(dv->d, dv->min_align_mask);
		FZ_CHECK(dma_get_min_align_mask(dv->d) == dv->min_align_mask, "min_align_mask");
		return;
	}
	err = (b & 0x40) ? dma_set_mask_and_coherent(dv->d, DMA_BIT_MASK(bits))
			 : dma_set_mask(dv->d, DMA_BIT_MASK(bits));
	fz_trace("dma_set_mask dev %d bits %u = %d", d, bits, err);
	FZ_CHECK(err == 0 || err == -EIO, "dma_set_mask = %d", err);
	if (!err)
		dv->mask = DMA_BIT_MASK(bits);
	FZ_CHECK(dma_get_mask(dv->d) == dv->mask, "mask after dma_set_mask");
}

/* ---- mappings ------------------------------------------------------------------------- */

int fz_map_slot(void)
{
	for (int m = 0; m < FZ_MAX_MAP; m++)
		if (!fz.map[m].live)
			return m;
	return -1;
}

static bool fz_mappable(const struct fz_obj *o)
{
	return o->size && (o->kind == FZ_KMALLOC || o->kind == FZ_CACHEOBJ || o->kind == FZ_PAGES ||
			   o->kind == FZ_DEVM);
}

/* Choose a range of object @i from two selector words; @whole maps all of it. */
static void fz_range(int i, unsigned int a, unsigned int b, bool whole, size_t *off, size_t *len)
{
	size_t n = fz.obj[i].size;

	if (whole) {
		*off = 0;
		*len = n;
		return;
	}
	*off = a % n;
	*len = 1 + b % (n - *off);
}

/* Fill map slot @m as a live mapping (not yet made) and take the CPU's bytes as `old`. */
void fz_map_begin(int m, int obj, size_t off, size_t len, enum dma_data_direction dir, int dev)
{
	struct fz_map *mp = &fz.map[m];

	memset(mp, 0, sizeof(*mp));
	mp->live = true;
	mp->obj = obj;
	mp->dev = dev;
	mp->sg = -1;
	mp->off = off;
	mp->len = len;
	mp->dir = dir;
	mp->old = malloc(len);
	mp->dval = malloc(len);
	mp->dw = calloc(1, len);
	FZ_CHECK(mp->old && mp->dval && mp->dw, "host out of memory");
	memcpy(mp->old, fz.obj[obj].p + off, len);
}

void fz_map_drop(int m)
{
	struct fz_map *mp = &fz.map[m];

	free(mp->old);
	free(mp->dval);
	free(mp->dw);
	memset(mp, 0, sizeof(*mp));
}

static void fz_sync_dev(int m);

static bool fz_exact_policy(void)
{
	return (fz.cfg.policy == MINALIGN_POLICY_BOUNCE ||
		fz.cfg.policy == MINALIGN_POLICY_DMA_OPT_IN) &&
	       !fz.cfg.bounce_linux_rule;
}

static bool fz_bouncing_policy(void)
{
	return fz.cfg.policy == MINALIGN_POLICY_BOUNCE ||
	       fz.cfg.policy == MINALIGN_POLICY_DMA_OPT_IN;
}

/*
 * The map call returned @addr for slot @m: check it against the device and the bounce rules
 * and account it.  @must: the exact rule must have bounced it.
 */
static void fz_map_done(int m, dma_addr_t addr, bool must)
{
	struct fz_map *mp = &fz.map[m];
	struct fz_obj *o = &fz.obj[mp->obj];
	struct fz_dev *d = &fz.dev[mp->dev];
	phys_addr_t phys = virt_to_phys(o->p + mp->off);
	bool capable = phys + mp->len - 1 <= d->mask;

	mp->addr = addr;
	mp->dev_known = !mp->skip;
	mp->bounced = is_swiotlb_buffer(d->d, addr);
	FZ_CHECK(addr + mp->len - 1 <= d->mask, "mapping %#llx+%zu beyond the device's mask",
		 (unsigned long long)addr, mp->len);
	if (!mp->bounced)
		FZ_CHECK(addr == phys, "direct mapping %#llx of phys %#llx",
			 (unsigned long long)addr, (unsigned long long)phys);
	else
		FZ_CHECK(((addr ^ phys) & d->min_align_mask) == 0, "bounce ignores min_align_mask");
	FZ_CHECK(mp->bounced || (capable && !d->force_bounce),
		 "unreachable or force_bounce buffer mapped directly");
	FZ_CHECK(!mp->bounced || !capable || d->force_bounce ||
			 (fz_inbound(mp->dir) && !d->coherent && fz_bouncing_policy()),
		 "bounced without a reason");
	FZ_CHECK(mp->bounced || !must, "exact rule: a buffer sharing a line with another mapped "
				       "object was mapped directly");
	if (fz_inbound(mp->dir) && !d->coherent && !mp->bounced &&
	    fz.cfg.cache_model == MINALIGN_CACHE_SIM && !fz_exact_policy() &&
	    fz_maybe_shared(o, mp->off, mp->len)) {
		mp->tainted = true;
		fz.relaxed = true;
	}
	o->nmaps++;
	fz.nmaps++;
	fz.nbounced += mp->bounced;
}

/* A map call failed: one report (none when an injected fault made it fail: the DMA-debug
 * table's chunk is refused silently). */
static void fz_map_failed(void)
{
	bool maybe = fz.faults;

	fz_expect_reports(maybe ? 0 : 1, 1);
}

void fz_op_map(struct fz_in *in)
{
	unsigned int so = fz_u8(in), sd = fz_u8(in), v = fz_u8(in);
	unsigned int a = fz_u16(in), b = fz_u16(in);
	enum dma_data_direction dir = (enum dma_data_direction)((v & 3) % 3);
	unsigned long attrs = (v & 0x40) ? DMA_ATTR_SKIP_CPU_SYNC : 0;
	int i = fz_pick_obj(so, fz_mappable), d = fz_pick(sd, FZ_MAX_DEV, fz_dev_live);
	int m = fz_map_slot();
	struct fz_obj *o;
	dma_addr_t addr;
	size_t off, len;
	bool must;

	if (i < 0 || d < 0 || m < 0)
		return;
	o = &fz.obj[i];
	fz_range(i, a, b, v & 8, &off, &len);
	if (!fz_map_allowed(i, off, len, dir, d, -1))
		return;
	fz_obj_check(i);
	must = fz_must_bounce(i, off, len, dir, d);
	fz_map_begin(m, i, off, len, dir, d);
	fz.map[m].skip = attrs != 0;
	fz.map[m].page_api = v & 0x10;
	if (fz.map[m].page_api) {
		uintptr_t base = (uintptr_t)o->p & ~(uintptr_t)(PAGE_SIZE - 1);

		addr = dma_map_page_attrs(fz.dev[d].d, virt_to_page((void *)base),
					  (uintptr_t)o->p - base + off, len, dir, attrs);
	} else {
		addr = dma_map_single_attrs(fz.dev[d].d, o->p + off, len, dir, attrs);
	}
	fz_trace("map %d: obj %d [%zu, +%zu) dev %d dir %d attrs %#lx page %d = %#llx", m, i, off,
		 len, d, dir, attrs, fz.map[m].page_api, (unsigned long long)addr);
	if (dma_mapping_error(fz.dev[d].d, addr)) {
		FZ_CHECK(addr == DMA_MAPPING_ERROR, "dma_mapping_error");
		fz_map_drop(m);
		fz_map_failed();
		return;
	}
	fz_map_done(m, addr, must);
	if (attrs) /* the driver owns the maintenance: hand the buffer over as page_pool does */
		fz_sync_dev(m);
}

static bool fz_dev_sees_cpu(const struct fz_map *mp)
{
	return mp->bounced || fz.dev[mp->dev].coherent || fz.cfg.cache_model != MINALIGN_CACHE_SIM;
}

/*
 * The CPU gets [@r, @r+@rl) of mapping @m back (sync_for_cpu or unmap, @skipping: the unmap
 * skipped the maintenance): check every byte, then take it as the object's truth.
 */
static void fz_regain(int m, size_t r, size_t rl, bool skipping)
{
	struct fz_map *mp = &fz.map[m];
	struct fz_obj *o = &fz.obj[mp->obj];

	for (size_t k = r; k < r + rl; k++) {
		unsigned char *p = o->p + mp->off + k, want;
		bool any;

		if (mp->cpu_owned) {
			want = o->shadow[mp->off + k];
			any = false;
		} else {
			want = mp->dw[k] ? mp->dval[k] : mp->old[k];
			any = (mp->dw[k] && skipping) ||
			      (!mp->dw[k] && !fz_dev_sees_cpu(mp) &&
			       (mp->dir == DMA_FROM_DEVICE || !mp->dev_known || skipping));
		}
		if (!any && *p != want && !fz_tainted_addr((uintptr_t)p))
			fz_fail(__FILE__, __LINE__, "dma data",
				"mapping %d (obj %d [%zu, +%zu) dir %d "
				"bounced %d dev %d) byte %zu is %#x, expected %#x (%s)",
				m, mp->obj, mp->off, mp->len, mp->dir, mp->bounced, mp->dev, k, *p,
				want, mp->dw[k] ? "device wrote it" : "the CPU's");
		o->shadow[mp->off + k] = *p;
	}
}

/* After a tainted mapping's lines were maintained for the CPU: take them from memory. */
static void fz_untaint(int m)
{
	struct fz_map *mp = &fz.map[m];
	uintptr_t s = (uintptr_t)fz.obj[mp->obj].p + mp->off;

	if (mp->tainted)
		fz_resync_lines(fz_line_down(s), fz_line_down(s + mp->len - 1) + fz.line);
}

/* Full ownership to the CPU (after a full sync_for_cpu): `old` becomes the CPU's bytes. */
static void fz_to_cpu(int m)
{
	struct fz_map *mp = &fz.map[m];

	fz_regain(m, 0, mp->len, false);
	fz_untaint(m);
	mp->cpu_owned = true;
	mp->cpu_dirty = false;
}

/* Ownership back to the device (after a full sync_for_device). */
static void fz_to_dev(int m)
{
	struct fz_map *mp = &fz.map[m];

	memcpy(mp->old, fz.obj[mp->obj].shadow + mp->off, mp->len);
	memset(mp->dw, 0, mp->len);
	mp->cpu_owned = false;
	mp->cpu_dirty = false;
	mp->dev_known = true;
}

static void fz_sync_dev(int m)
{
	struct fz_map *mp = &fz.map[m];

	dma_sync_single_for_device(fz.dev[mp->dev].d, mp->addr, mp->len, mp->dir);
	fz_to_dev(m);
}

/* Account the end of mapping @m after its unmap call (or the sg unmap). */
static void fz_unmapped(int m)
{
	struct fz_map *mp = &fz.map[m];

	fz_regain(m, 0, mp->len, mp->skip);
	fz_untaint(m);
	fz.obj[mp->obj].nmaps--;
	fz.nmaps--;
	fz.nbounced -= mp->bounced;
	fz_map_drop(m);
}

/*
 * Mapping @m ended without a sync (its device was destroyed under it): its bytes are whatever
 * the cache left there.
 */
void fz_map_forget(int m)
{
	struct fz_map *mp = &fz.map[m];

	fz_obj_resync(mp->obj, mp->off, mp->len);
	fz_untaint(m);
	fz.obj[mp->obj].nmaps--;
	fz.nmaps--;
	fz.nbounced -= mp->bounced;
	if (mp->sg >= 0)
		fz.sg[mp->sg].live = false;
	fz_map_drop(m);
}

void fz_unmap(int m)
{
	struct fz_map *mp = &fz.map[m];
	struct device *d = fz.dev[mp->dev].d;
	unsigned long attrs = mp->skip ? DMA_ATTR_SKIP_CPU_SYNC : 0;

	if (mp->cpu_owned && mp->cpu_dirty)
		fz_sync_dev(m);
	fz_trace("unmap %d", m);
	if (mp->page_api)
		dma_unmap_page_attrs(d, mp->addr, mp->len, mp->dir, attrs);
	else
		dma_unmap_single_attrs(d, mp->addr, mp->len, mp->dir, attrs);
	fz_unmapped(m);
}

static bool fz_single_live(int m)
{
	return fz.map[m].live && fz.map[m].sg < 0;
}

void fz_op_unmap(struct fz_in *in)
{
	int m = fz_pick(fz_u8(in), FZ_MAX_MAP, fz_single_live);

	if (m >= 0)
		fz_unmap(m);
}

/* sync: full to the CPU, back to the device, or a sub-range round trip (device-owned). */
void fz_op_sync(struct fz_in *in)
{
	unsigned int sel = fz_u8(in), v = fz_u8(in), a = fz_u16(in), b = fz_u16(in);
	int m = fz_pick(sel, FZ_MAX_MAP, fz_single_live);
	struct fz_map *mp;
	struct device *d;
	size_t r, rl;

	if (m < 0)
		return;
	mp = &fz.map[m];
	d = fz.dev[mp->dev].d;
	fz_trace("sync %d v%u cpu_owned %d", m, v % 3, mp->cpu_owned);
	if (mp->cpu_owned) {
		fz_sync_dev(m);
		return;
	}
	if (v % 3 == 0) {
		dma_sync_single_for_cpu(d, mp->addr, mp->len, mp->dir);
		fz_to_cpu(m);
		return;
	}
	r = a % mp->len;
	rl = 1 + b % (mp->len - r);
	fz_trace("  sub-range [%zu, +%zu)", r, rl);
	dma_sync_single_for_cpu(d, mp->addr + r, rl, mp->dir);
	fz_regain(m, r, rl, false);
	dma_sync_single_for_device(d, mp->addr + r, rl, mp->dir);
}

/* ---- the device side ------------------------------------------------------------------- */

static bool fz_dev_may_write(int m)
{
	return fz.map[m].live && !fz.map[m].cpu_owned && fz_inbound(fz.map[m].dir);
}

static bool fz_dev_may_read(int m)
{
	return fz.map[m].live && !fz.map[m].cpu_owned && fz.map[m].dir != DMA_FROM_DEVICE;
}

void fz_op_dev_write(struct fz_in *in)
{
	unsigned int sel = fz_u8(in), seed = fz_u8(in), a = fz_u16(in), b = fz_u16(in);
	int m = fz_pick(sel, FZ_MAX_MAP, fz_dev_may_write);
	struct fz_map *mp;
	unsigned char *buf;
	size_t r, rl;

	if (m < 0)
		return;
	mp = &fz.map[m];
	r = (seed & 0x80) ? 0 : a % mp->len;
	rl = (seed & 0x80) ? mp->len : 1 + b % (mp->len - r);
	buf = malloc(rl);
	FZ_CHECK(buf, "host out of memory");
	fz_stamp(buf, NULL, rl, seed);
	fz_trace("dev_write map %d [%zu, +%zu)", m, r, rl);
	FZ_CHECK(minalign_dma_write(fz.dev[mp->dev].d, mp->addr + r, buf, rl) == 0,
		 "minalign_dma_write to a live mapping failed");
	memcpy(mp->dval + r, buf, rl);
	memset(mp->dw + r, 1, rl);
	free(buf);
}

void fz_op_dev_read(struct fz_in *in)
{
	unsigned int sel = fz_u8(in), a = fz_u16(in), b = fz_u16(in);
	int m = fz_pick(sel, FZ_MAX_MAP, fz_dev_may_read);
	struct fz_map *mp;
	unsigned char *buf;
	size_t r, rl;

	if (m < 0)
		return;
	mp = &fz.map[m];
	r = a % mp->len;
	rl = 1 + b % (mp->len - r);
	buf = malloc(rl);
	FZ_CHECK(buf, "host out of memory");
	fz_trace("dev_read map %d [%zu, +%zu)", m, r, rl);
	FZ_CHECK(minalign_dma_read(fz.dev[mp->dev].d, mp->addr + r, buf, rl) == 0,
		 "minalign_dma_read of a live mapping failed");
	for (size_t k = 0; k < rl; k++) {
		size_t j = r + k;
		unsigned char want = mp->dw[j] ? mp->dval[j] : mp->old[j];
		bool any = !mp->dw[j] && !mp->dev_known && !fz_dev_sees_cpu(mp);

		if (!any && buf[k] != want &&
		    !fz_tainted_addr((uintptr_t)fz.obj[mp->obj].p + mp->off + j))
			fz_fail(__FILE__, __LINE__, "device view",
				"mapping %d (obj %d dir %d bounced "
				"%d) byte %zu: the device read %#x, expected %#x",
				m, mp->obj, mp->dir, mp->bounced, j, buf[k], want);
	}
	free(buf);
}

/* ---- scatterlists --------------------------------------------------------------------- */

static int fz_sg_slot(void)
{
	for (int g = 0; g < FZ_MAX_SG; g++)
		if (!fz.sg[g].live)
			return g;
	return -1;
}

/* Choose up to @n segments; returns how many (their maps are live but not accounted). */
static int fz_sg_pick(struct fz_in *in, struct fz_sg *g, int n, bool *must)
{
	int k = 0;

	for (int s = 0; s < n; s++) {
		unsigned int so = fz_u8(in), a = fz_u16(in), b = fz_u16(in);
		int i = fz_pick_obj(so, fz_mappable), m = fz_map_slot();
		size_t off, len;

		if (i < 0 || m < 0)
			break;
		fz_range(i, a, b, so & 0x80, &off, &len);
		if (len > 65536 || !fz_map_allowed(i, off, len, g->dir, g->dev, -1))
			continue;
		fz_obj_check(i);
		must[k] = fz_must_bounce(i, off, len, g->dir, g->dev);
		fz_map_begin(m, i, off, len, g->dir, g->dev);
		fz.map[m].sg = (int)(g - fz.sg);
		g->map[k++] = m;
	}
	return k;
}

void fz_op_sg_map(struct fz_in *in)
{
	unsigned int sd = fz_u8(in), v = fz_u8(in);
	int gi = fz_sg_slot(), d = fz_pick(sd, FZ_MAX_DEV, fz_dev_live), n;
	unsigned int ret;
	bool must[FZ_SG_SEGS];
	struct fz_sg *g;

	if (gi < 0 || d < 0)
		return;
	g = &fz.sg[gi];
	memset(g, 0, sizeof(*g));
	g->dev = d;
	g->dir = (enum dma_data_direction)((v & 3) % 3);
	n = fz_sg_pick(in, g, 1 + (int)((v >> 2) % FZ_SG_SEGS), must);
	if (!n)
		return;
	g->nents = n;
	sg_init_table(g->sgl, (unsigned int)n);
	for (int s = 0; s < n; s++) {
		struct fz_map *mp = &fz.map[g->map[s]];
		unsigned char *p = fz.obj[mp->obj].p + mp->off;

		if (v & 0x40)
			sg_set_page(&g->sgl[s], virt_to_page(p), (unsigned int)mp->len,
				    (unsigned int)((uintptr_t)p & (PAGE_SIZE - 1)));
		else
			sg_set_buf(&g->sgl[s], p, (unsigned int)mp->len);
		FZ_CHECK(sg_virt(&g->sgl[s]) == p, "sg_virt");
	}
	ret = dma_map_sg(fz.dev[d].d, g->sgl, n, g->dir);
	fz_trace("sg_map %d: %d segments dev %d dir %d = %u", gi, n, d, g->dir, ret);
	if (!ret) {
		/*
		 * Segments mapped before the failing one were unmapped without a sync: for
		 * FROM_DEVICE their full lines were invalidated at map time (the simulator's
		 * arm64 semantics), so their bytes are undefined, as after any FROM_DEVICE map.
		 */
		for (int s = 0; s < n; s++) {
			struct fz_map *mp = &fz.map[g->map[s]];

			if (g->dir == DMA_FROM_DEVICE)
				fz_obj_resync(mp->obj, mp->off, mp->len);
			fz_map_drop(g->map[s]);
		}
		fz_map_failed();
		return;
	}
	FZ_CHECK(ret == (unsigned int)n, "dma_map_sg = %u of %d", ret, n);
	g->live = true;
	for (int s = 0; s < n; s++) {
		FZ_CHECK(sg_dma_len(&g->sgl[s]) == fz.map[g->map[s]].len, "sg_dma_len");
		fz_map_done(g->map[s], sg_dma_address(&g->sgl[s]), must[s]);
	}
}

static bool fz_sg_live(int g)
{
	return fz.sg[g].live;
}

void fz_sg_unmap(int gi)
{
	struct fz_sg *g = &fz.sg[gi];
	bool dirty = false;

	for (int s = 0; s < g->nents; s++)
		dirty |= fz.map[g->map[s]].cpu_dirty;
	if (dirty) {
		dma_sync_sg_for_device(fz.dev[g->dev].d, g->sgl, g->nents, g->dir);
		for (int s = 0; s < g->nents; s++)
			fz_to_dev(g->map[s]);
	}
	fz_trace("sg_unmap %d", gi);
	dma_unmap_sg(fz.dev[g->dev].d, g->sgl, g->nents, g->dir);
	for (int s = 0; s < g->nents; s++)
		fz_unmapped(g->map[s]);
	memset(g, 0, sizeof(*g));
}

void fz_op_sg_unmap(struct fz_in *in)
{
	int g = fz_pick(fz_u8(in), FZ_MAX_SG, fz_sg_live);

	if (g >= 0)
		fz_sg_unmap(g);
}

void fz_op_sg_sync(struct fz_in *in)
{
	int gi = fz_pick(fz_u8(in), FZ_MAX_SG, fz_sg_live);
	struct fz_sg *g;

	if (gi < 0)
		return;
	g = &fz.sg[gi];
	fz_trace("sg_sync %d cpu_owned %d", gi, fz.map[g->map[0]].cpu_owned);
	if (fz.map[g->map[0]].cpu_owned) {
		dma_sync_sg_for_device(fz.dev[g->dev].d, g->sgl, g->nents, g->dir);
		for (int s = 0; s < g->nents; s++)
			fz_to_dev(g->map[s]);
		return;
	}
	dma_sync_sg_for_cpu(fz.dev[g->dev].d, g->sgl, g->nents, g->dir);
	for (int s = 0; s < g->nents; s++)
		fz_to_cpu(g->map[s]);
}

/* ---- queries ------------------------------------------------------------------------- */

void fz_op_query(struct fz_in *in)
{
	unsigned int sel = fz_u8(in);
	int d = fz_pick(sel, FZ_MAX_DEV, fz_dev_live), i = fz_pick_obj(fz_u8(in), NULL);
	size_t sz = fz_size(in);

	FZ_CHECK((size_t)dma_get_cache_alignment() == fz.line, "dma_get_cache_alignment");
	FZ_CHECK(kmalloc_size_roundup(sz) >= sz, "kmalloc_size_roundup(%zu)", sz);
	if (i >= 0 && fz.obj[i].size && fz.obj[i].kind != FZ_COHERENT &&
	    fz.obj[i].kind != FZ_POOLBLK && fz.obj[i].kind != FZ_DMAM)
		FZ_CHECK(!is_swiotlb_buffer(NULL, virt_to_phys(fz.obj[i].p)),
			 "a live object inside a bounce pool");
	if (d >= 0) {
		struct device *dv = fz.dev[d].d;

		(void)is_swiotlb_active(dv);
		FZ_CHECK(swiotlb_max_mapping_size(dv) > 0, "swiotlb_max_mapping_size");
	}
}
