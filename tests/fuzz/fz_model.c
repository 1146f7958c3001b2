/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fz_model.c - the fuzzer's shadow model: object table, content checks, which
 * bytes may legitimately change (volatile), cache-line sharing rules for new mappings, and the
 * report and statistics invariants checked after every step.
 */
#include "fz.h"

#include <stdlib.h>
#include <string.h>

struct fz_state fz;

void fz_stamp(unsigned char *dst, unsigned char *shadow, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++) {
		dst[i] = fz_pat(seed, i);
		if (shadow)
			shadow[i] = dst[i];
	}
}

uintptr_t fz_line_down(uintptr_t a)
{
	return a & ~((uintptr_t)fz.line - 1);
}

/* ---- objects --------------------------------------------------------------------------- */

int fz_obj_slot(void)
{
	for (int i = 0; i < FZ_MAX_OBJ; i++)
		if (fz.obj[i].kind == FZ_FREE)
			return i;
	return -1;
}

/* The @sel-th (modulo) object for which @ok holds, or -1. */
int fz_pick_obj(unsigned int sel, bool (*ok)(const struct fz_obj *o))
{
	int cand[FZ_MAX_OBJ], n = 0;

	for (int i = 0; i < FZ_MAX_OBJ; i++)
		if (fz.obj[i].kind != FZ_FREE && (!ok || ok(&fz.obj[i])))
			cand[n++] = i;
	return n ? cand[sel % (unsigned int)n] : -1;
}

/* The @sel-th (modulo) index below @n for which @ok holds, or -1. */
int fz_pick(unsigned int sel, unsigned int n, bool (*ok)(int i))
{
	int cand[64], k = 0;

	for (unsigned int i = 0; i < n && i < 64; i++)
		if (ok((int)i))
			cand[k++] = (int)i;
	return k ? cand[sel % (unsigned int)k] : -1;
}

/*
 * Enter a new object in slot @i.  Its current bytes become the shadow (the caller stamps or
 * checks them right after).  False when the model has no room for its shadow.
 */
bool fz_obj_add(int i, enum fz_kind kind, void *p, size_t size)
{
	struct fz_obj *o = &fz.obj[i];

	memset(o, 0, sizeof(*o));
	o->shadow = malloc(size ? size : 1);
	FZ_CHECK(o->shadow, "host out of memory");
	o->kind = kind;
	o->p = p;
	o->size = size;
	o->cache = o->dev = o->pool = -1;
	if (size)
		memcpy(o->shadow, p, size);
	fz.live_bytes += size;
	return true;
}

void fz_obj_del(int i)
{
	struct fz_obj *o = &fz.obj[i];

	FZ_CHECK(o->nmaps == 0, "object %d freed with %u live mappings", i, o->nmaps);
	fz.live_bytes -= o->size;
	free(o->shadow);
	memset(o, 0, sizeof(*o));
}

/* True when @a lies on a cache line of a live tainted mapping. */
bool fz_tainted_addr(uintptr_t a)
{
	uintptr_t l = fz_line_down(a);

	for (int m = 0; m < FZ_MAX_MAP; m++) {
		const struct fz_map *mp = &fz.map[m];
		uintptr_t s;

		if (!mp->live || !mp->tainted)
			continue;
		s = (uintptr_t)fz.obj[mp->obj].p + mp->off;
		if (l >= fz_line_down(s) && l <= fz_line_down(s + mp->len - 1))
			return true;
	}
	return false;
}

bool fz_tainted_live(void)
{
	for (int m = 0; m < FZ_MAX_MAP; m++)
		if (fz.map[m].live && fz.map[m].tainted)
			return true;
	return false;
}

/*
 * Does @o share a line with a live tainted mapping?  Then it must not be freed meanwhile: the
 * allocator's free-list link written into it could be lost with the CPU's other writes (the
 * NAIVE corruption), which would hand out a wild pointer later.
 */
bool fz_obj_on_tainted_line(const struct fz_obj *o)
{
	uintptr_t b = (uintptr_t)o->p, e = b + (o->size ? o->size : 1);

	for (int m = 0; m < FZ_MAX_MAP; m++) {
		const struct fz_map *mp = &fz.map[m];
		uintptr_t s, lo, hi;

		if (!mp->live || !mp->tainted)
			continue;
		s = (uintptr_t)fz.obj[mp->obj].p + mp->off;
		lo = fz_line_down(s);
		hi = fz_line_down(s + mp->len - 1) + fz.line;
		if (b < hi && lo < e)
			return true;
	}
	return false;
}

/*
 * May the CPU view of byte @off of @o differ from its shadow?  Yes inside a device-owned
 * inbound mapping of it (the device or an invalidate may change it) and on the lines of a
 * tainted mapping.
 */
bool fz_byte_volatile(const struct fz_obj *o, size_t off)
{
	int idx = (int)(o - fz.obj);

	for (int m = 0; m < FZ_MAX_MAP; m++) {
		const struct fz_map *mp = &fz.map[m];

		if (mp->live && mp->obj == idx && !mp->cpu_owned && mp->dir != DMA_TO_DEVICE &&
		    off >= mp->off && off < mp->off + mp->len)
			return true;
	}
	return fz_tainted_addr((uintptr_t)o->p + off);
}

void fz_obj_check(int i)
{
	const struct fz_obj *o = &fz.obj[i];

	if (o->kind == FZ_FREE || !o->size || !memcmp(o->p, o->shadow, o->size))
		return;
	for (size_t k = 0; k < o->size; k++)
		if (o->p[k] != o->shadow[k] && !fz_byte_volatile(o, k))
			fz_fail(__FILE__, __LINE__, "contents",
				"object %d (kind %d, %zu bytes at %p) "
				"byte %zu is %#x, expected %#x",
				i, o->kind, o->size, (void *)o->p, k, o->p[k], o->shadow[k]);
}

void fz_obj_check_all(void)
{
	for (int i = 0; i < FZ_MAX_OBJ; i++)
		fz_obj_check(i);
}

/* Take [@off, @off+@len) of object @i from memory as the new truth. */
void fz_obj_resync(int i, size_t off, size_t len)
{
	struct fz_obj *o = &fz.obj[i];

	if (o->kind != FZ_FREE && off < o->size)
		memcpy(o->shadow + off, o->p + off, len < o->size - off ? len : o->size - off);
}

/* Take every live object's bytes in [@lo, @hi) from memory (a tainted mapping ended). */
void fz_resync_lines(uintptr_t lo, uintptr_t hi)
{
	for (int i = 0; i < FZ_MAX_OBJ; i++) {
		struct fz_obj *o = &fz.obj[i];
		uintptr_t b = (uintptr_t)o->p, e = b + o->size;

		if (o->kind == FZ_FREE || e <= lo || b >= hi)
			continue;
		b = b > lo ? b : lo;
		e = e < hi ? e : hi;
		fz_obj_resync(i, b - (uintptr_t)o->p, e - b);
	}
}

/* ---- the cache-line rules of mappings --------------------------------------------------- */

/*
 * May an edge line of [@off, @off+@len) of @o hold bytes that are not @o's?  Not when the
 * lines lie inside the object's bytes, nor when the policy promises the object its own lines.
 */
bool fz_maybe_shared(const struct fz_obj *o, size_t off, size_t len)
{
	uintptr_t base = (uintptr_t)o->p, a = base + off;
	uintptr_t lo = fz_line_down(a), hi = fz_line_down(a + len - 1) + fz.line;
	uintptr_t own = (o->size + fz.line - 1) & ~((uintptr_t)fz.line - 1);

	if (lo >= base && hi <= base + o->size)
		return false;
	return !(o->line_owned && lo >= base && hi <= base + own);
}

static bool fz_lines_meet(uintptr_t a, size_t alen, uintptr_t b, size_t blen)
{
	return fz_line_down(a) <= fz_line_down(b + blen - 1) &&
	       fz_line_down(b) <= fz_line_down(a + alen - 1);
}

static bool fz_inbound(enum dma_data_direction dir)
{
	return dir == DMA_FROM_DEVICE || dir == DMA_BIDIRECTIONAL;
}

static bool fz_exact_policy(void)
{
	return (fz.cfg.policy == MINALIGN_POLICY_BOUNCE ||
		fz.cfg.policy == MINALIGN_POLICY_DMA_OPT_IN) &&
	       !fz.cfg.bounce_linux_rule;
}

/*
 * Is a new mapping of [@off, @off+@len) of object @obj for device @dev in direction @dir a
 * legal request?  Checks the object kind, PACKED objects, the policies that never bounce for
 * alignment, and cache lines shared with live mappings (including the segments of the sg
 * table being built, group @sg_skip's maps are already live in the table).
 */
bool fz_map_allowed(int obj, size_t off, size_t len, enum dma_data_direction dir, int dev,
		    int sg_skip)
{
	const struct fz_obj *o = &fz.obj[obj];
	const struct fz_dev *d = &fz.dev[dev];
	uintptr_t a = (uintptr_t)o->p + off;
	bool in = fz_inbound(dir), nc = !d->coherent;
	enum minalign_policy pol = fz.cfg.policy;

	(void)sg_skip;
	if (!len || off + len > o->size)
		return false;
	if (o->packed && in && nc)
		return false; /* DMA debug reports it: the misuse class does that */
	if ((pol == MINALIGN_POLICY_LEGACY || pol == MINALIGN_POLICY_PACKED) && in && nc &&
	    !d->force_bounce && fz_maybe_shared(o, off, len))
		return false; /* not DMA-safe memory under a policy that never bounces for it */
	for (int m = 0; m < FZ_MAX_MAP; m++) {
		const struct fz_map *y = &fz.map[m];
		uintptr_t b;

		if (!y->live)
			continue;
		b = (uintptr_t)fz.obj[y->obj].p + y->off;
		if (!fz_lines_meet(a, len, b, y->len) || (!in && !fz_inbound(y->dir)))
			continue;
		if (y->obj == obj)
			return false; /* the owner's own lines: never two mappings on one */
		if (pol == MINALIGN_POLICY_LEGACY || pol == MINALIGN_POLICY_PACKED) {
			if (fz_inbound(y->dir) && !y->bounced && !fz.dev[y->dev].coherent)
				return false;
		}
	}
	return true;
}

/*
 * Must the library bounce this (successful) mapping?  Under the exact rule an inbound mapping
 * for a non-coherent device that shares a line with another live mapping's object must be.
 */
bool fz_must_bounce(int obj, size_t off, size_t len, enum dma_data_direction dir, int dev)
{
	uintptr_t a = (uintptr_t)fz.obj[obj].p + off;

	if (!fz_exact_policy() || !fz_inbound(dir) || fz.dev[dev].coherent)
		return false;
	for (int m = 0; m < FZ_MAX_MAP; m++) {
		const struct fz_map *y = &fz.map[m];

		if (y->live && y->obj != obj &&
		    fz_lines_meet(a, len, (uintptr_t)fz.obj[y->obj].p + y->off, y->len))
			return true;
	}
	return false;
}

/* ---- reports and statistics ---------------------------------------------------------------- */

void fz_expect_reports(unsigned int lo, unsigned int hi)
{
	fz.rep_lo += lo;
	fz.rep_hi += hi;
}

void fz_check_reports(const char *what)
{
	if (!fz.relaxed)
		FZ_CHECK(fz.reports >= fz.rep_lo && fz.reports <= fz.rep_hi,
			 "%s: %llu reports, expected %llu..%llu (last: %s)", what,
			 (unsigned long long)fz.reports, (unsigned long long)fz.rep_lo,
			 (unsigned long long)fz.rep_hi, fz.last_report);
	fz.rep_lo = fz.rep_hi = fz.reports;
}

bool fz_dev_busy(int d)
{
	for (int m = 0; m < FZ_MAX_MAP; m++)
		if (fz.map[m].live && (fz.map[m].dev == d || fz.obj[fz.map[m].obj].dev == d))
			return true;
	for (int i = 0; i < FZ_MAX_OBJ; i++)
		if (fz.obj[i].kind != FZ_FREE && fz.obj[i].dev == d &&
		    (fz.obj[i].kind == FZ_COHERENT || fz.obj[i].kind == FZ_POOLBLK ||
		     fz_obj_on_tainted_line(&fz.obj[i])))
			return true;
	for (int p = 0; p < FZ_MAX_POOL; p++)
		if (fz.pool[p].p && fz.pool[p].dev == d)
			return true;
	return false;
}

struct fz_expect_stats {
	uint64_t slab_objects, coherent_bytes, devres;
	bool pools;
};

static void fz_expected_stats(struct fz_expect_stats *e)
{
	memset(e, 0, sizeof(*e));
	for (int i = 0; i < FZ_MAX_OBJ; i++) {
		const struct fz_obj *o = &fz.obj[i];
		bool small = o->size && !o->large;

		if (o->kind == FZ_CACHEOBJ ||
		    ((o->kind == FZ_KMALLOC || o->kind == FZ_DEVM) && small))
			e->slab_objects++;
		if (o->kind == FZ_COHERENT || o->kind == FZ_DMAM)
			e->coherent_bytes += PAGE_SIZE << o->order;
		if ((o->kind == FZ_DEVM && o->size) || o->kind == FZ_DMAM)
			e->devres++;
	}
	for (int d = 0; d < FZ_MAX_DEV; d++)
		if (fz.dev[d].d)
			e->devres += fz.dev[d].nact;
	for (int p = 0; p < FZ_MAX_POOL; p++)
		e->pools |= fz.pool[p].p != NULL;
}

void fz_check_stats(void)
{
	struct minalign_stats st;
	struct fz_expect_stats e;

	minalign_get_stats(&st);
	fz_expected_stats(&e);
	FZ_CHECK(st.reports == fz.reports, "stats.reports %llu, handler saw %llu",
		 (unsigned long long)st.reports, (unsigned long long)fz.reports);
	FZ_CHECK(st.dma_live_mappings == fz.nmaps, "dma_live_mappings %llu, model %u",
		 (unsigned long long)st.dma_live_mappings, fz.nmaps);
	FZ_CHECK(fz.nbounced || st.swiotlb_slots_used == 0,
		 "swiotlb_slots_used %llu with no bounced mapping live",
		 (unsigned long long)st.swiotlb_slots_used);
	FZ_CHECK(e.pools ? st.coherent_bytes >= e.coherent_bytes
			 : st.coherent_bytes == e.coherent_bytes,
		 "coherent_bytes %llu, model %llu%s", (unsigned long long)st.coherent_bytes,
		 (unsigned long long)e.coherent_bytes, e.pools ? " + pools" : "");
	FZ_CHECK(st.devres_live == e.devres, "devres_live %llu, model %llu",
		 (unsigned long long)st.devres_live, (unsigned long long)e.devres);
	FZ_CHECK(fz.relaxed || st.sim_conflicts == fz.conflicts0,
		 "sim_conflicts %llu -> %llu with no tainted mapping",
		 (unsigned long long)fz.conflicts0, (unsigned long long)st.sim_conflicts);
}

/* slab_objects is exact once the calling thread's cached counts are folded in (a shrink). */
void fz_check_slab_objects(void)
{
	struct minalign_stats st;
	struct fz_expect_stats e;

	minalign_get_stats(&st);
	fz_expected_stats(&e);
	FZ_CHECK(st.slab_objects == e.slab_objects, "slab_objects %llu, model %llu",
		 (unsigned long long)st.slab_objects, (unsigned long long)e.slab_objects);
}
