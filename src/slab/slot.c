/* SPDX-License-Identifier: MIT */
/*
 * slab/slot.c - the slow paths of slot states and validated links (slot.h): frees that are not
 * the owner's fast path, corrupt links, quarantine.
 *
 * Owns: the quarantine of slabs whose free lists are corrupt.  A quarantined slab has owner
 * MA_QUARANTINED and rfree state SHARED, is on no list but cache->all and is never allocated
 * from again; frees of its live objects only flip their state bytes (ma_slab_free() and
 * ma_slab_free_locked() look at the owner first).  It goes back to the page allocator with its
 * cache (kmem_cache_destroy(), minalign_exit()).
 *
 * Locking: quarantine happens under cache->lock, so a remote freer that reaches the locked
 * path sees it; reports are made after the lock is dropped.
 */
#include "slab/internal.h"

char ma_slab_quarantine_owner[1];

void ma_slot_quarantine_locked(struct ma_slab *s, const void *bad, const char *what)
{
	(void)bad;
	(void)what;
	atomic_store_explicit(&s->owner, MA_QUARANTINED, memory_order_relaxed);
	atomic_store_explicit(&s->rfree, MA_RF_SHARED, memory_order_relaxed);
	s->local_free = NULL;
	s->aux = NULL;
	atomic_store_explicit(&s->nlocal, 0, memory_order_relaxed);
	atomic_store_explicit(&s->naux, 0, memory_order_relaxed);
	s->mark = UINT32_MAX;
	s->where = MA_SW_SHARED_FULL;
}

void ma_slot_bad_link_report(const struct ma_slab *s, const void *bad)
{
	ma_slab_report(s, (const void *)s->base,
		       "corrupted free list in %s: a link names %p, which is not a free object of "
		       "the slab at %p (a write past an object into its free neighbour, or after a "
		       "free?); the link is not followed and the slab is quarantined",
		       s->cache->name, bad, (void *)s->base);
}

void *ma_tc_bad_link(struct ma_tcache *tc, struct ma_tc_hot *h, const void *obj)
{
	struct ma_slab *s = h->cur;
	struct ma_tc_ent *e = &tc->ent[h - tc->hot];
	struct kmem_cache *c = s->cache;

	h->free = NULL;
	h->left = 0;
	h->cur = NULL;
	e->cur = NULL;
	ma_spin_lock(&c->lock);
	ma_slot_quarantine_locked(s, obj, "hot list");
	ma_spin_unlock(&c->lock);
	ma_slot_bad_link_report(s, obj);
	return NULL;
}

void ma_slot_init(struct ma_slab *s)
{
	_Atomic uint8_t *st = ma_slot_states(s);
	size_t n = ma_slot_nstates(PAGE_SIZE << s->order, s->stride), i;
	uint32_t per = s->stride >> s->gshift; /* granules per slot */

	for (i = 0; i < n; i++)
		atomic_init(&st[i], i % per == 0 && (i << s->gshift) < s->span ? MA_SLOT_FREE
									       : MA_SLOT_NONE);
}

void *ma_slot_next(const struct ma_slab *s, const void *obj, bool *bad)
{
	void *next = ma_fl_get(obj, s->secret, s->link_off);

	if (!next)
		return NULL;
	if ((uintptr_t)next - s->base < s->span && !((uintptr_t)next & s->amask) &&
	    atomic_load_explicit(ma_slot_state(s, next), memory_order_relaxed) == MA_SLOT_FREE)
		return next;
	*bad = true;
	return NULL;
}

bool ma_slot_release(struct ma_slab *s, void *p, const char *what)
{
	_Atomic uint8_t *st = ma_slot_state(s, p);
	uint8_t v = atomic_load_explicit(st, memory_order_relaxed);
	bool asked = false;

	for (;;) {
		if (v == MA_SLOT_LIVE) {
			if (atomic_compare_exchange_weak_explicit(st, &v, MA_SLOT_FREE,
								  memory_order_relaxed,
								  memory_order_relaxed))
				return true;
			continue;
		}
		if (!(v & 1))
			break;
		if (v & MA_SLOT_MANAGED) {
			ma_slab_report(s, p,
				       "%s(%p): the object belongs to devres (devm_kmalloc): "
				       "devm_kfree() or the device's destroy frees it (refused)",
				       what, p);
			return false;
		}
		/* held by a live DMA mapping: the watcher names it and the free is refused */
		if (ma_free_watched(p, s->stride, what))
			return false;
		if (asked) {
			ma_slab_report(s, p, "%s(%p): the object is mapped for DMA; refused", what,
				       p);
			return false;
		}
		asked = true; /* the mapping may just have gone: look again */
		v = atomic_load_explicit(st, memory_order_relaxed);
	}
	ma_slab_report(s, p, "%s(%p): double free (the object of %s is not allocated)", what, p,
		       s->cache->name);
	return false;
}

void ma_slot_set_managed(struct ma_slab *s, const void *p, bool managed)
{
	_Atomic uint8_t *st;
	uint8_t v;

	if (s->cache->debug) {
		uint32_t i = (uint32_t)(((uintptr_t)p - s->base) / s->stride);

		ma_spin_lock(&s->cache->lock);
		s->dbg[i].managed = managed;
		ma_spin_unlock(&s->cache->lock);
		return;
	}
	st = ma_slot_state(s, p);
	v = atomic_load_explicit(st, memory_order_relaxed);
	while ((v & 1) &&
	       !atomic_compare_exchange_weak_explicit(st, &v,
						      managed ? (uint8_t)(v | MA_SLOT_MANAGED)
							      : (uint8_t)(v & ~MA_SLOT_MANAGED),
						      memory_order_relaxed, memory_order_relaxed))
		;
}

/* Hold (@delta > 0), let go of (< 0) or check (0) the object of debug slab @s at slot @i. */
static int ma_slot_hold_dbg(struct ma_slab *s, uint32_t i, int delta)
{
	bool live;

	if (delta < 0) {
		atomic_fetch_sub_explicit(&s->dbg[i].mapped, 1, memory_order_relaxed);
		return 0;
	}
	ma_spin_lock(&s->cache->lock);
	live = s->dbg[i].state == MA_DBG_LIVE;
	if (live && delta > 0 &&
	    atomic_load_explicit(&s->dbg[i].mapped, memory_order_relaxed) < MA_SLOT_MAX)
		atomic_fetch_add_explicit(&s->dbg[i].mapped, 1, memory_order_relaxed);
	ma_spin_unlock(&s->cache->lock);
	return live ? 0 : -ENOENT;
}

/* The same for the slot at @obj of non-debug slab @s. */
static int ma_slot_hold_one(struct ma_slab *s, uintptr_t obj, int delta)
{
	_Atomic uint8_t *st = ma_slot_state(s, (const void *)obj);
	uint8_t v = atomic_load_explicit(st, memory_order_relaxed);

	if (delta < 0) {
		atomic_fetch_sub_explicit(st, MA_SLOT_HELD, memory_order_relaxed);
		return 0;
	}
	do {
		if (!(v & 1))
			return -ENOENT;
		if (!delta)
			return 0;
		if (v >= MA_SLOT_MAX)
			return -EBUSY;
	} while (!atomic_compare_exchange_weak_explicit(
		st, &v, (uint8_t)(v + MA_SLOT_HELD), memory_order_relaxed, memory_order_relaxed));
	return 0;
}

/* Hold, let go of or check slot @i of @s (any kind of slab). */
static int ma_slot_hold(struct ma_slab *s, uint32_t i, int delta)
{
	if (s->cache->debug)
		return ma_slot_hold_dbg(s, i, delta);
	return ma_slot_hold_one(s, s->base + (uintptr_t)i * s->stride, delta);
}

int ma_slab_dma_hold(const void *addr, size_t size, int delta)
{
	uintptr_t a = (uintptr_t)addr, rel;
	uint32_t first, last, i;
	struct ma_slab *s;
	int err = 0;

	if (!size || a - ma_slab_g.ram >= ma_slab_g.ram_size)
		return 1;
	s = ma_slab_of(addr);
	if (!s)
		return 1;
	rel = a - s->base;
	if (rel >= s->span)
		return -ENOENT; /* the slab's tail */
	first = (uint32_t)(rel / s->stride);
	last = (uint32_t)((MA_MIN(rel + size, (uintptr_t)s->span) - 1) / s->stride);
	for (i = first; i <= last && !err; i++)
		err = ma_slot_hold(s, i, delta);
	if (err && delta > 0) /* let go of the slots held before the one that failed */
		for (i -= 2; i + 1 > first; i--)
			ma_slot_hold(s, i, -1);
	return err;
}

/* Report a corrupt link found while walking a list of @s (the walk stopped there). */
void ma_slot_bad_walk(const struct ma_slab *s, const void *obj)
{
	ma_slot_bad_link_report(s, ma_fl_get(obj, s->secret, s->link_off));
}
