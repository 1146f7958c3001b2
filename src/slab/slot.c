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
	uint8_t old =
		atomic_exchange_explicit(ma_slot_state(s, p), MA_SLOT_FREE, memory_order_relaxed);

	if (ma_likely(old == MA_SLOT_LIVE))
		return true;
	ma_slab_report(s, p, "%s(%p): double free (the object of %s is not allocated)", what, p,
		       s->cache->name);
	return false;
}

/* Report a corrupt link found while walking a list of @s (the walk stopped there). */
void ma_slot_bad_walk(const struct ma_slab *s, const void *obj)
{
	ma_slot_bad_link_report(s, ma_fl_get(obj, s->secret, s->link_off));
}
