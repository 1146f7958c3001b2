/* SPDX-License-Identifier: MIT */
/*
 * slab/debug.c - slab debugging (MINALIGN_DEBUG_SLAB, or SLAB_RED_ZONE/SLAB_POISON per cache).
 *
 * Owns the debug array of a debug slab (struct ma_dbg_obj per slot) and the byte patterns:
 *   free object	MA_POISON_FREE over the object (skipped for caches with a constructor)
 *   red zone, free	MA_RZ_INACTIVE from the object's end to the end of its slot
 *   red zone, live	MA_RZ_ACTIVE from the requested size to the end of the slot (so the
 *			slack between a kmalloc request and its class size is guarded too)
 *   slab tail		MA_PAD after the last slot
 * Checks: at allocation, the poison and red zone of the object handed out (a use-after-free
 * write); at free, the start of the object, double free, the live red zone (an overflow).
 * Each problem is one report; the operation then completes (or, for a bad free, does nothing)
 * so the allocator stays consistent.
 *
 * Debug slabs are always shared: every operation here runs under cache->lock, and the free
 * slots form a LIFO index stack (s->dbg_free), so a freed object is the next one handed out
 * and a write after free is caught at once.  Links never live inside objects.
 */
#include "slab/internal.h"

#define MA_POISON_FREE 0x6b
#define MA_RZ_INACTIVE 0xbb
#define MA_RZ_ACTIVE   0xcc
#define MA_PAD	       0x5a

/* Offset of the first byte in [p, p + n) that is not @v, or n. */
static size_t ma_dbg_scan(const void *p, size_t n, uint8_t v)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != v)
			return i;
	return n;
}

static bool ma_dbg_poisons(const struct ma_slab *s)
{
	return !s->cache->ctor;
}

static void ma_dbg_make_free(struct ma_slab *s, uint32_t i)
{
	uint8_t *obj = ma_slab_obj(s, i);
	uint32_t size = s->cache->size;

	if (ma_dbg_poisons(s))
		memset(obj, MA_POISON_FREE, size);
	memset(obj + size, MA_RZ_INACTIVE, s->stride - size);
	s->dbg[i].state = MA_DBG_FREE;
	s->dbg[i].req = 0;
	atomic_store_explicit(&s->dbg[i].mapped, 0, memory_order_relaxed);
	s->dbg[i].managed = false;
}

/* Format a new debug slab: every slot free and poisoned, the tail padded. */
void ma_dbg_slab_init(struct ma_slab *s)
{
	uint32_t i;
	size_t used = (size_t)s->nobj * s->stride;

	for (i = 0; i < s->nobj; i++) {
		ma_dbg_make_free(s, i);
		s->dbg[i].next = i + 1 < s->nobj ? i + 1 : MA_DBG_NONE;
	}
	s->dbg_free = 0;
	memset((uint8_t *)s->base + used, MA_PAD, (PAGE_SIZE << s->order) - used);
}

/**
 * ma_dbg_alloc_locked() - hand out the most recently freed slot of debug slab @s.
 * @req: bytes requested; the live red zone starts there.
 *
 * A free object whose poison or red zone changed was written after it was freed: one report,
 * then the object is handed out normally.  Caller holds cache->lock and knows naux > 0.
 */
void *ma_dbg_alloc_locked(struct ma_slab *s, size_t req)
{
	uint32_t i = s->dbg_free, size = s->cache->size;
	uint8_t *obj = ma_slab_obj(s, i);
	size_t bad = size;

	if (ma_dbg_poisons(s))
		bad = ma_dbg_scan(obj, size, MA_POISON_FREE);
	if (bad == size)
		bad = size + ma_dbg_scan(obj + size, s->stride - size, MA_RZ_INACTIVE);
	if (bad < s->stride)
		ma_slab_report(s, obj,
			       "use after free: %p in %s was written at offset %zu after it was "
			       "freed",
			       (void *)obj, s->cache->name, bad);
	s->dbg_free = s->dbg[i].next;
	atomic_store_explicit(&s->naux, atomic_load_explicit(&s->naux, memory_order_relaxed) - 1,
			      memory_order_relaxed);
	req = MA_MIN(MA_MAX(req, (size_t)1), (size_t)size);
	s->dbg[i].state = MA_DBG_LIVE;
	s->dbg[i].req = (uint32_t)req;
	memset(obj + req, MA_RZ_ACTIVE, s->stride - req);
	return obj;
}

/* Slot of @p if it is the start of a slot of @s, else MA_DBG_NONE. */
static uint32_t ma_dbg_slot(const struct ma_slab *s, const void *p)
{
	uintptr_t rel = (uintptr_t)p - s->base;

	if (rel >= (uintptr_t)s->nobj * s->stride || rel % s->stride)
		return MA_DBG_NONE;
	return (uint32_t)(rel / s->stride);
}

/**
 * ma_dbg_check_free() - may @p be freed into debug slab @s?  Reports (once) a pointer that is
 * not an object start and a double free, returning false; reports an overwritten red zone and
 * returns true (the free proceeds).  Caller holds cache->lock.
 */
bool ma_dbg_check_free(struct ma_slab *s, void *p)
{
	uint32_t i = ma_dbg_slot(s, p), req;
	size_t bad;

	if (i == MA_DBG_NONE) {
		ma_slab_report(s, p, "free of %p: not the start of an object of %s", p,
			       s->cache->name);
		return false;
	}
	if (s->dbg[i].state != MA_DBG_LIVE) {
		ma_slab_report(s, p, "double free of %p in %s", p, s->cache->name);
		return false;
	}
	if (s->dbg[i].managed) {
		ma_slab_report(
			s, p,
			"kfree(%p): the object belongs to devres (devm_kmalloc): devm_kfree() "
			"or the device's destroy frees it (refused)",
			p);
		return false;
	}
	if (atomic_load_explicit(&s->dbg[i].mapped, memory_order_relaxed) &&
	    ma_free_watched(p, s->stride, "kfree")) /* reported: the free is refused */
		return false;
	req = s->dbg[i].req;
	bad = ma_dbg_scan((uint8_t *)p + req, s->stride - req, MA_RZ_ACTIVE);
	if (bad < s->stride - req)
		ma_slab_report(s, p,
			       "red zone overwritten: %p in %s, %zu bytes after the %u requested",
			       p, s->cache->name, bad, req);
	return true;
}

/* Free checked object @p: poison it and push its slot.  Caller holds cache->lock. */
void ma_dbg_free_locked(struct ma_slab *s, void *p)
{
	uint32_t i = ma_dbg_slot(s, p);

	ma_dbg_make_free(s, i);
	s->dbg[i].next = s->dbg_free;
	s->dbg_free = i;
	atomic_store_explicit(&s->naux, atomic_load_explicit(&s->naux, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

/* The requested size of live debug object @p (for krealloc's copy). */
size_t ma_dbg_req(struct ma_slab *s, const void *p)
{
	uint32_t i = ma_dbg_slot(s, p);
	size_t req;

	ma_spin_lock(&s->cache->lock);
	req = i == MA_DBG_NONE ? 0 : s->dbg[i].req;
	ma_spin_unlock(&s->cache->lock);
	return req;
}

/* True if @p is a live object of debug slab @s; reports otherwise (@what names the call). */
bool ma_dbg_is_live(struct ma_slab *s, const void *p, const char *what)
{
	uint32_t i = ma_dbg_slot(s, p);
	bool live;

	ma_spin_lock(&s->cache->lock);
	live = i != MA_DBG_NONE && s->dbg[i].state == MA_DBG_LIVE;
	ma_spin_unlock(&s->cache->lock);
	if (!live)
		ma_slab_report(s, p, "%s(%p): not an allocated object of %s", what, p,
			       s->cache->name);
	return live;
}

/* Live debug object @p now holds @req bytes: move its red zone. */
void ma_dbg_resize(struct ma_slab *s, void *p, size_t req)
{
	uint32_t i = ma_dbg_slot(s, p);

	if (i == MA_DBG_NONE)
		return;
	ma_spin_lock(&s->cache->lock);
	if (s->dbg[i].state == MA_DBG_LIVE) {
		req = MA_MIN(MA_MAX(req, (size_t)1), (size_t)s->cache->size);
		if (req < s->dbg[i].req)
			memset((uint8_t *)p + req, MA_RZ_ACTIVE, s->dbg[i].req - req);
		s->dbg[i].req = (uint32_t)req;
	}
	ma_spin_unlock(&s->cache->lock);
}

/*
 * ma_dbg_validate_locked() - check every slot of debug slab @s: the free stack matches naux
 * and the states, free objects keep their poison, live ones their red zone, the tail its
 * padding.  Reports the first problem.  Return: 0 or -EUCLEAN.  Caller holds cache->lock.
 */
int ma_dbg_validate_locked(struct ma_slab *s)
{
	uint32_t i, n = 0, nfree = 0, size = s->cache->size;
	size_t used = (size_t)s->nobj * s->stride;

	for (i = s->dbg_free; i != MA_DBG_NONE && n <= s->nobj; i = s->dbg[i].next, n++)
		if (i >= s->nobj || s->dbg[i].state != MA_DBG_FREE)
			goto bad_stack;
	if (n != atomic_load_explicit(&s->naux, memory_order_relaxed))
		goto bad_stack;
	for (i = 0; i < s->nobj; i++) {
		uint8_t *obj = ma_slab_obj(s, i);
		uint32_t req = s->dbg[i].req;

		if (s->dbg[i].state == MA_DBG_FREE) {
			nfree++;
			if ((ma_dbg_poisons(s) && ma_dbg_scan(obj, size, MA_POISON_FREE) != size) ||
			    ma_dbg_scan(obj + size, s->stride - size, MA_RZ_INACTIVE) !=
				    s->stride - size) {
				ma_slab_report(s, obj,
					       "slab validate: free object %p of %s modified",
					       (void *)obj, s->cache->name);
				return -EUCLEAN;
			}
		} else if (ma_dbg_scan(obj + req, s->stride - req, MA_RZ_ACTIVE) !=
			   s->stride - req) {
			ma_slab_report(s, obj, "slab validate: red zone of %p in %s overwritten",
				       (void *)obj, s->cache->name);
			return -EUCLEAN;
		}
	}
	if (nfree != n)
		goto bad_stack;
	if (ma_dbg_scan((uint8_t *)s->base + used, (PAGE_SIZE << s->order) - used, MA_PAD) !=
	    (PAGE_SIZE << s->order) - used) {
		ma_slab_report(s, (void *)(s->base + used),
			       "slab validate: padding of %s overwritten", s->cache->name);
		return -EUCLEAN;
	}
	return 0;
bad_stack:
	ma_slab_report(s, (void *)s->base, "slab validate: free stack of a %s slab corrupt",
		       s->cache->name);
	return -EUCLEAN;
}
