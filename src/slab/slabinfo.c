/* SPDX-License-Identifier: MIT */
/*
 * slab/slabinfo.c - what the caches hold (minalign_slab_foreach, for `minalign slabinfo`) and
 * the consistency walker ma_slab_validate().
 *
 * Counting: num_slabs and num_objs are exact.  active_objs is num_objs minus the free objects
 * each slab knows about: for shared slabs aux (exact, under the cache lock); for owned slabs
 * the owner's local and aux counts (read relaxed; remote frees not yet collected and the
 * objects on the owner's hot list count as active, as Linux's SLUB counts cpu slabs).
 *
 * Locking: ma_slab_mutex while walking the cache list, each cache's lock while walking its
 * slabs.  The callback runs with no lock held, on a snapshot.
 */
#include "slab/internal.h"

struct ma_slabinfo_snap {
	struct minalign_slabinfo info;
	char name[64];
};

static void ma_slabinfo_fill(struct kmem_cache *c, struct ma_slabinfo_snap *sn)
{
	unsigned long freeobj = 0;
	struct ma_list *pos;

	memcpy(sn->name, c->name, sizeof(sn->name));
	sn->info.name = sn->name;
	sn->info.objsize = c->stride;
	sn->info.objperslab = c->nobj;
	sn->info.pagesperslab = 1u << c->order;
	ma_spin_lock(&c->lock);
	for (pos = c->all.next; pos != &c->all; pos = pos->next) {
		struct ma_slab *s = ma_container_of(pos, struct ma_slab, all);
		unsigned long f = atomic_load_explicit(&s->naux, memory_order_relaxed);

		if (atomic_load_explicit(&s->owner, memory_order_relaxed) != MA_NO_OWNER)
			f += atomic_load_explicit(&s->nlocal, memory_order_relaxed);
		freeobj += MA_MIN(f, (unsigned long)s->nobj);
	}
	sn->info.num_slabs = sn->info.active_slabs = c->nslabs;
	sn->info.num_objs = c->nslabs * c->nobj;
	ma_spin_unlock(&c->lock);
	sn->info.active_objs = sn->info.num_objs - freeobj;
}

int minalign_slab_foreach(int (*fn)(const struct minalign_slabinfo *info, void *arg), void *arg)
{
	struct ma_slabinfo_snap *snap;
	struct ma_list *pos;
	size_t n = 0, i = 0;
	int ret = 0;

	if (!fn)
		return -EINVAL;
	if (!ma_is_up())
		return -ENODEV;
	ma_mutex_lock(&ma_slab_mutex);
	for (pos = ma_slab_caches.next; pos != &ma_slab_caches; pos = pos->next)
		n++;
	snap = ma_meta_alloc(MA_MAX(n, (size_t)1) * sizeof(*snap));
	if (!snap) {
		ma_mutex_unlock(&ma_slab_mutex);
		return -ENOMEM;
	}
	for (pos = ma_slab_caches.next; pos != &ma_slab_caches; pos = pos->next)
		ma_slabinfo_fill(ma_container_of(pos, struct kmem_cache, node), &snap[i++]);
	ma_mutex_unlock(&ma_slab_mutex);
	for (i = 0; i < n && !ret; i++)
		ret = fn(&snap[i].info, arg);
	ma_meta_free(snap);
	return ret;
}

/* ---- validation ---------------------------------------------------------------------------- */

static int ma_validate_fail(const struct ma_slab *s, const char *what)
{
	ma_slab_report(s, s ? (void *)s->base : NULL, "slab validate: %s: %s",
		       s ? s->cache->name : "-", what);
	return -EUCLEAN;
}

/* Walk a free list of @s: every element an object start of @s, @expect of them. */
static int ma_validate_list(const struct ma_slab *s, const void *list, uint32_t expect)
{
	uint32_t n = 0;

	for (; list; list = ma_fl_get(list, s->secret, s->link_off)) {
		uintptr_t rel = (uintptr_t)list - s->base;

		if (rel >= (uintptr_t)s->nobj * s->stride || rel % s->stride)
			return ma_validate_fail(s, "free list points outside the slab");
		if (atomic_load_explicit(ma_slot_state(s, list), memory_order_relaxed) !=
		    MA_SLOT_FREE)
			return ma_validate_fail(s, "free list holds an allocated object");
		if (++n > s->nobj)
			return ma_validate_fail(s, "free list longer than the slab");
	}
	if (expect != UINT32_MAX && n != expect)
		return ma_validate_fail(s, "free list length does not match its count");
	return 0;
}

static int ma_validate_slab(struct kmem_cache *c, struct ma_slab *s)
{
	uint32_t first = ma_page_idx(s->page), i;
	struct ma_tcache *owner = atomic_load_explicit(&s->owner, memory_order_relaxed);
	int err;

	if (s->cache != c || s->page->owner != MA_OWNER_SLAB || s->page->priv != s ||
	    s->page->state != MA_PAGE_HEAD || s->order != c->order)
		return ma_validate_fail(s, "descriptor and page disagree");
	for (i = 0; i < (UINT32_C(1) << s->order); i++)
		if (atomic_load_explicit(&ma_slab_g.map[first + i], memory_order_relaxed) != s)
			return ma_validate_fail(s, "slab map does not point at the slab");
	if (atomic_load_explicit(&s->naux, memory_order_relaxed) > s->nobj)
		return ma_validate_fail(s, "more free objects than slots");
	if (c->debug)
		return ma_dbg_validate_locked(s);
	if (owner == MA_NO_OWNER) {
		if ((atomic_load_explicit(&s->rfree, memory_order_relaxed) & MA_RF_STATE) !=
		    MA_RF_SHARED)
			return ma_validate_fail(s, "shared slab not in shared state");
		return ma_validate_list(s, s->aux,
					atomic_load_explicit(&s->naux, memory_order_relaxed));
	}
	if (owner != ma_tc)
		return 0; /* another thread's private lists */
	err = ma_validate_list(s, s->local_free,
			       atomic_load_explicit(&s->nlocal, memory_order_relaxed));
	if (!err)
		err = ma_validate_list(s, s->aux,
				       atomic_load_explicit(&s->naux, memory_order_relaxed));
	return err;
}

static int ma_validate_cache(struct kmem_cache *c)
{
	unsigned long n = 0;
	struct ma_list *pos;
	int err = 0;

	ma_spin_lock(&c->lock);
	for (pos = c->all.next; pos != &c->all && !err; pos = pos->next, n++)
		err = ma_validate_slab(c, ma_container_of(pos, struct ma_slab, all));
	if (!err && n != c->nslabs)
		err = ma_validate_fail(NULL, "slab count does not match the slab list");
	ma_spin_unlock(&c->lock);
	return err;
}

int ma_slab_validate(void)
{
	struct ma_list *pos;
	int err = 0;

	if (!ma_is_up())
		return 0;
	ma_mutex_lock(&ma_slab_mutex);
	for (pos = ma_slab_caches.next; pos != &ma_slab_caches && !err; pos = pos->next)
		err = ma_validate_cache(ma_container_of(pos, struct kmem_cache, node));
	ma_mutex_unlock(&ma_slab_mutex);
	return err;
}
