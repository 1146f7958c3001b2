/* SPDX-License-Identifier: MIT */
/*
 * slab/slab.c - slabs: creation and destruction, the slab map, shared (locked) mode, remote
 * frees, abandoning an owned slab, and the DMA layer's slot query.
 *
 * Owns: struct ma_slab descriptors, the slab map (ma_slab_g.map: one descriptor pointer per
 * page of RAM) and the owner/priv fields of slab head pages.
 *
 * Invariants:
 *  - every page of a live slab maps to its descriptor; the head page has owner MA_OWNER_SLAB
 *    and priv pointing at it; the descriptor's geometry (base, stride, nobj, cache) never
 *    changes while the slab lives;
 *  - a slab with a live object is never destroyed, so a thread holding an object may read its
 *    descriptor without a lock;
 *  - a shared slab (owner MA_NO_OWNER, rfree state SHARED) keeps all its free objects on aux
 *    (naux of them), and every change to it happens under cache->lock; where says which cache
 *    list holds it (partial, empty, or none when full).
 *
 * Locking: cache->lock for shared slabs, the cache's lists and the NOTIFY hand-over; a remote
 * free into an owned slab in state NORMAL is one compare-exchange.  Pages are freed and
 * descriptors released with no cache lock held.
 *
 * Fast path: none here (see internal.h).  Slow paths: everything in this file.
 */
#include "slab/internal.h"

#include <stdarg.h>

/* ---- reports ----------------------------------------------------------------------------- */

void ma_slab_report(const struct ma_slab *s, const void *p, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	uint64_t phys = 0;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p && ma_virt_in_ram(p, 1))
		phys = ma_virt_to_phys(p);
	ma_report("slab", NULL, phys, s ? s->cache->size : 0, "%s", msg);
}

/* ---- free lists -------------------------------------------------------------------------- */

uint32_t ma_fl_count(const void *list, uintptr_t secret, uint32_t off)
{
	uint32_t n = 0;

	for (; list; list = ma_fl_get(list, secret, off))
		n++;
	return n;
}

/*
 * Append list @b to list @a of slab @s; returns the head.  Every link is validated before it
 * is followed: at a corrupt one the walk stops, the list is cut there (the slots after it are
 * lost until the slab goes) and *@bad is set.
 */
static void *ma_fl_concat(struct ma_slab *s, void *a, void *b, bool *bad)
{
	bool cut = false;
	void *t, *next;

	if (!a)
		return b;
	if (!b)
		return a;
	for (t = a; (next = ma_slot_next(s, t, &cut)) != NULL; t = next)
		;
	if (cut)
		ma_slot_bad_walk(s, t);
	*bad |= cut;
	ma_fl_set(t, b, s->secret, s->link_off);
	return a;
}

/* Length of list @list of slab @s, cut at a corrupt link as ma_fl_concat() does. */
static uint32_t ma_fl_count_checked(struct ma_slab *s, void *list, bool *bad)
{
	uint32_t n = 0;
	bool cut = false;
	void *next;

	for (; list; list = next) {
		n++;
		next = ma_slot_next(s, list, &cut);
		if (cut) {
			ma_slot_bad_walk(s, list);
			ma_fl_set(list, NULL, s->secret, s->link_off);
			*bad = true;
			break;
		}
	}
	return n;
}

/* ---- creation and destruction ----------------------------------------------------------- */

static void ma_slab_map_set(struct ma_slab *s, struct ma_slab *val)
{
	uint32_t first = ma_page_idx(s->page), i, n = UINT32_C(1) << s->order;

	for (i = 0; i < n; i++)
		atomic_store_explicit(&ma_slab_g.map[first + i], val, memory_order_release);
}

static void ma_slab_geometry(struct ma_slab *s, struct kmem_cache *c)
{
	s->cache = c;
	s->secret = c->secret;
	s->link_off = c->link_off;
	s->stride = c->stride;
	s->nobj = c->nobj;
	s->order = c->order;
	s->objsize = c->debug ? c->size : c->stride;
	s->span = c->nobj * c->stride;
	s->gshift = ma_slot_gshift(c->stride);
	s->shift = MA_IS_POW2(c->stride) ? (uint8_t)__builtin_ctz(c->stride) : 0;
	s->amask = (c->stride & (0u - c->stride)) - 1;
	s->base = (uintptr_t)ma_page_to_virt(s->page);
}

/*
 * ma_slab_link_slots() - thread @n consecutive slots of @s from @first onto a list ending in
 * @tail, in address order; returns the head.
 */
void *ma_slab_link_slots(struct ma_slab *s, char *first, uint32_t n, void *tail)
{
	uintptr_t w = (uintptr_t)first + (uintptr_t)n * s->stride + s->link_off;
	uintptr_t next = (uintptr_t)tail, secret = s->secret;

	while (n-- > 0) {
		w -= s->stride;
		*(uintptr_t *)w = ma_fl_encode(next, secret, w);
		next = w - s->link_off;
	}
	return (void *)next;
}

/* Thread every slot onto aux (address order: friendly to the prefetcher). */
static void ma_slab_build_freelist(struct ma_slab *s)
{
	s->aux = ma_slab_link_slots(s, (char *)s->base, s->nobj, NULL);
}

/*
 * ma_slab_reset_lists() - owned slab @s with every object free forgets its free lists: the
 * owner hands its slots out by bumping again (the lists left by frees in random order are slow
 * to allocate from).  Remote frees into a slab with no live object can only be double frees:
 * they are dropped.
 */
void ma_slab_reset_lists(struct ma_slab *s)
{
	atomic_store_explicit(&s->rfree, MA_RF_NORMAL, memory_order_relaxed);
	s->local_free = NULL;
	s->aux = NULL;
	atomic_store_explicit(&s->nlocal, 0, memory_order_relaxed);
	atomic_store_explicit(&s->naux, 0, memory_order_relaxed);
}

/**
 * ma_slab_new() - allocate and format a slab for @c.
 * @threaded: for a thread cache, which will bump through the slots: build no free list.
 *
 * The slab starts shared (where SHARED_FULL), every object free: on aux (naux = nobj) unless
 * @threaded; the caller puts it where it belongs.  Takes and drops cache->lock; call without it.
 * Return: the slab, or NULL when the descriptor or the pages cannot be allocated.
 */
struct ma_slab *ma_slab_new(struct kmem_cache *c, bool threaded)
{
	size_t dbg = c->debug ? (size_t)c->nobj * sizeof(struct ma_dbg_obj) : 0;
	size_t states = c->debug ? 0 : ma_slot_nstates(PAGE_SIZE << c->order, c->stride);
	void *raw = ma_meta_alloc(sizeof(struct ma_slab) + 63 + dbg + states);
	struct ma_slab *s;
	struct page *pg;
	uint32_t i;

	if (!raw)
		return NULL;
	pg = ma_alloc_pages_below(c->page_gfp, c->order, c->limit);
	if (!pg) {
		ma_meta_free(raw);
		return NULL;
	}
	s = (struct ma_slab *)MA_ALIGN_UP((uintptr_t)raw, 64);
	s->raw = raw;
	s->page = pg;
	ma_slab_geometry(s, c);
	atomic_init(&s->owner, MA_NO_OWNER);
	atomic_init(&s->rfree, MA_RF_SHARED);
	atomic_init(&s->nlocal, 0);
	atomic_init(&s->naux, s->nobj);
	s->mark = UINT32_MAX;
	s->where = MA_SW_SHARED_FULL;
	ma_list_init(&s->link);
	ma_list_init(&s->nlink);
	if (c->ctor)
		for (i = 0; i < s->nobj; i++)
			c->ctor(ma_slab_obj(s, i));
	if (!c->debug)
		ma_slot_init(s);
	if (c->debug) {
		s->dbg = (struct ma_dbg_obj *)(void *)(s + 1);
		ma_dbg_slab_init(s);
	} else if (threaded) {
		atomic_store_explicit(&s->naux, 0, memory_order_relaxed);
	} else {
		ma_slab_build_freelist(s);
	}
	pg->owner = MA_OWNER_SLAB;
	pg->priv = s;
	ma_slab_map_set(s, s);
	ma_spin_lock(&c->lock);
	ma_list_add_tail(&s->all, &c->all);
	c->nslabs++;
	ma_spin_unlock(&c->lock);
	ma_stat_add(MA_STAT_slab_bytes, (int64_t)(PAGE_SIZE << s->order));
	return s;
}

/* Return @s's pages and descriptor.  @s is on no list any more. */
void ma_slab_release(struct ma_slab *s)
{
	struct page *pg = s->page;
	unsigned int order = s->order;

	ma_slab_map_set(s, NULL);
	ma_stat_add(MA_STAT_slab_bytes, -(int64_t)(PAGE_SIZE << order));
	if (ma_unlikely(s->cache->typesafe) && ma_slab_rcu_defer(s))
		return;
	ma_meta_free(s->raw);
	ma_free_pages_owned(pg, order, MA_OWNER_SLAB);
}

/**
 * ma_slab_destroy() - take @s off its cache and free it.
 *
 * @s must be on no list but cache->all, and have no live object.  Call without cache->lock.
 * The last slab of a destroyed (dead) cache frees the cache.
 */
void ma_slab_destroy(struct ma_slab *s)
{
	struct kmem_cache *c = s->cache;
	bool last;

	ma_spin_lock(&c->lock);
	ma_list_del(&s->all);
	c->nslabs--;
	last = c->dead && c->nslabs == 0;
	ma_spin_unlock(&c->lock);
	ma_slab_release(s);
	if (last)
		ma_cache_free_zombie(c);
}

/*
 * A shared slab just became empty: keep it in the cache's reserve, or return true when the
 * caller must destroy it (after dropping cache->lock).  Caller holds cache->lock; @s is on no
 * list but cache->all.
 */
bool ma_slab_put_empty_locked(struct ma_slab *s)
{
	struct kmem_cache *c = s->cache;

	if (!c->dead && c->nempty < MA_CACHE_RESERVE) {
		s->where = MA_SW_SHARED_EMPTY;
		ma_list_add(&s->link, &c->empty);
		c->nempty++;
		return false;
	}
	return true;
}

/* ---- shared mode ------------------------------------------------------------------------- */

/*
 * Free @p into shared slab @s (cache->lock held, checks done).  Returns true when @s is now
 * empty and must be destroyed by the caller after unlocking.
 */
static bool ma_slab_free_shared_locked(struct ma_slab *s, void *p)
{
	struct kmem_cache *c = s->cache;
	uint32_t n;

	if (c->debug) {
		ma_dbg_free_locked(s, p);
	} else {
		ma_fl_set(p, s->aux, s->secret, s->link_off);
		s->aux = p;
		atomic_store_explicit(&s->naux,
				      atomic_load_explicit(&s->naux, memory_order_relaxed) + 1,
				      memory_order_relaxed);
	}
	n = atomic_load_explicit(&s->naux, memory_order_relaxed);
	if (n == s->nobj) {
		if (s->where == MA_SW_SHARED)
			ma_list_del(&s->link);
		return ma_slab_put_empty_locked(s);
	}
	if (s->where == MA_SW_SHARED_FULL) {
		s->where = MA_SW_SHARED;
		ma_list_add(&s->link, &c->partial);
	}
	return false;
}

/* Pop one object of shared slab @s (cache->lock held, naux > 0). */
static void *ma_slab_pop_shared_locked(struct ma_slab *s, size_t req)
{
	void *obj;

	if (s->cache->debug) {
		obj = ma_dbg_alloc_locked(s, req);
	} else {
		obj = s->aux;
		if (!ma_slot_take(s, obj)) {
			/* a corrupt link named it: never follow it, take the slab out of use */
			ma_list_del(&s->link);
			ma_slot_quarantine_locked(s, obj, "shared list");
			return NULL;
		}
		s->aux = ma_fl_get(obj, s->secret, s->link_off);
		atomic_store_explicit(&s->naux,
				      atomic_load_explicit(&s->naux, memory_order_relaxed) - 1,
				      memory_order_relaxed);
	}
	if (atomic_load_explicit(&s->naux, memory_order_relaxed) == 0) {
		ma_list_del(&s->link);
		s->where = MA_SW_SHARED_FULL;
	}
	return obj;
}

/* A shared slab of @c with a free object, taken off its list; NULL if none.  Lock held. */
struct ma_slab *ma_slab_take_shared_locked(struct kmem_cache *c)
{
	struct ma_slab *s;

	if (!ma_list_empty(&c->partial)) {
		s = ma_container_of(c->partial.next, struct ma_slab, link);
	} else if (!ma_list_empty(&c->empty)) {
		s = ma_container_of(c->empty.next, struct ma_slab, link);
		c->nempty--;
	} else {
		return NULL;
	}
	ma_list_del(&s->link);
	return s;
}

/**
 * ma_slab_alloc_shared() - allocate from @c's shared slabs under its lock (debug caches, caches
 * without a thread-cache entry, threads without a thread cache).
 * @req: bytes requested (debug red zones start there).
 * Return: the object, or NULL when a new slab cannot be allocated.
 */
void *ma_slab_alloc_shared(struct kmem_cache *c, size_t req)
{
	struct ma_slab *s;
	void *obj, *bad;

	ma_spin_lock(&c->lock);
	do {
		s = ma_slab_take_shared_locked(c);
		if (!s) {
			ma_spin_unlock(&c->lock);
			s = ma_slab_new(c, false);
			if (!s)
				return NULL;
			ma_spin_lock(&c->lock);
		}
		s->where = MA_SW_SHARED;
		ma_list_add(&s->link, &c->partial);
		bad = s->aux;
		obj = ma_slab_pop_shared_locked(s, req);
		if (!obj) {
			ma_spin_unlock(&c->lock);
			ma_slot_bad_link_report(s, bad);
			ma_spin_lock(&c->lock);
		}
	} while (!obj);
	ma_spin_unlock(&c->lock);
	ma_stat_add(MA_STAT_slab_objects, 1);
	return obj;
}

/* ---- frees that are not the owner's fast path ------------------------------------------- */

/*
 * Hand a NOTIFY slab to its owner (cache->lock held; @p already pushed on rfree).
 *
 * Ordering: the owner published NOTIFY with a relaxed compare-exchange (ma_tc_retire()), which
 * orders none of its earlier plain stores before what we do here.  That is enough because
 * everything written below - s->nlink, s->on_notify, the entry's notify list - is accessed by
 * every thread only under cache->lock (the owner included: see ma_tc_take_notified(),
 * ma_tc_unfull(), ma_slab_abandon_locked()), so the lock orders each access after the previous
 * one; the owner's entry (e->notify's head) was initialised before the slab was owned, which
 * happened under this lock.  The owner collects the pushed objects with an acquire exchange
 * of rfree, pairing with our release compare-exchange.
 */
static void ma_slab_notify_owner_locked(struct ma_slab *s)
{
	struct ma_tcache *tc = atomic_load_explicit(&s->owner, memory_order_relaxed);
	struct ma_tc_ent *e = &tc->ent[s->cache->tc_idx];

	ma_list_add_tail(&s->nlink, &e->notify);
	s->on_notify = true;
	atomic_store_explicit(&e->notified, true, memory_order_release);
}

/*
 * Free @p into a slab whose remote state is not NORMAL, under the cache lock.  Returns false
 * when the state turned NORMAL meanwhile (the caller retries the lock-free push).
 */
static bool ma_slab_free_locked(struct ma_slab *s, void *p)
{
	struct kmem_cache *c = s->cache;
	uint64_t rf;
	bool destroy = false;

	ma_spin_lock(&c->lock);
	rf = atomic_load_explicit(&s->rfree, memory_order_relaxed);
	for (;;) {
		if (atomic_load_explicit(&s->owner, memory_order_relaxed) == MA_QUARANTINED)
			break; /* quarantined meanwhile: its lists are never used again */
		if ((rf & MA_RF_STATE) == MA_RF_NORMAL) {
			ma_spin_unlock(&c->lock);
			return false;
		}
		if ((rf & MA_RF_STATE) == MA_RF_SHARED) {
			destroy = ma_slab_free_shared_locked(s, p);
			break;
		}
		/* NOTIFY: push, make the state NORMAL, tell the owner where to look. */
		ma_fl_set(p, ma_rf_list(rf), s->secret, s->link_off);
		if (atomic_compare_exchange_weak_explicit(&s->rfree, &rf, ma_rf_push(rf, p),
							  memory_order_release,
							  memory_order_relaxed)) {
			ma_slab_notify_owner_locked(s);
			break;
		}
	}
	ma_spin_unlock(&c->lock);
	if (destroy)
		ma_slab_destroy(s);
	return true;
}

/**
 * ma_slab_free_remote() - free @p into slab @s that the calling thread does not own.
 *
 * Owned slab in state NORMAL: one compare-exchange onto rfree (the owner collects the list
 * when its current slab runs dry).  NOTIFY or SHARED: ma_slab_free_locked().  Lock-free in
 * the common case; @p has passed the start-of-object check.
 */
void ma_slab_free_remote(struct ma_slab *s, void *p)
{
	uint64_t rf = atomic_load_explicit(&s->rfree, memory_order_relaxed);
	struct ma_tcache *tc;

	for (;;) {
		if ((rf & MA_RF_STATE) != MA_RF_NORMAL) {
			if (ma_slab_free_locked(s, p))
				break;
			rf = atomic_load_explicit(&s->rfree, memory_order_relaxed);
			continue;
		}
		ma_fl_set(p, ma_rf_list(rf), s->secret, s->link_off);
		if (atomic_compare_exchange_weak_explicit(&s->rfree, &rf, ma_rf_push(rf, p),
							  memory_order_release,
							  memory_order_relaxed))
			break;
	}
	tc = ma_tc;
	if (tc != &ma_tc_null && tc->gen == ma_slab_g.gen)
		tc->nobj--; /* folded into the statistics on this thread's next slow path */
	else
		ma_stat_add(MA_STAT_slab_objects, -1);
}

/**
 * ma_slab_free() - every free that the owner's fast path did not take.
 * @s: the slab holding @p.
 * @p: the pointer being freed.
 * @expect: the cache kmem_cache_free() was given, or NULL for kfree().
 *
 * Misuse (wrong cache, not an object start, double free the checks can see) is reported once
 * and changes nothing.
 */
void ma_slab_free(struct ma_slab *s, void *p, struct kmem_cache *expect)
{
	struct kmem_cache *c = s->cache;
	uintptr_t rel = (uintptr_t)p - s->base;
	bool destroy;

	if (expect && expect != c) {
		ma_slab_report(s, p, "kmem_cache_free(%s, %p): the object belongs to cache %s",
			       expect->name, p, c->name);
		return;
	}
	if (c->debug) {
		bool ok;

		ma_spin_lock(&c->lock);
		ok = ma_dbg_check_free(s, p);
		destroy = ok && ma_slab_free_shared_locked(s, p);
		ma_spin_unlock(&c->lock);
		if (ok)
			ma_stat_add(MA_STAT_slab_objects, -1);
		if (destroy)
			ma_slab_destroy(s);
		return;
	}
	if (rel >= (uintptr_t)s->nobj * s->stride ||
	    (s->shift ? rel & (s->stride - 1) : rel % s->stride)) {
		ma_slab_report(s, p, "free of %p: not the start of an object of %s", p, c->name);
		return;
	}
	if (!ma_slot_release(s, p, expect ? "kmem_cache_free" : "kfree"))
		return;
	if (atomic_load_explicit(&s->owner, memory_order_relaxed) == MA_QUARANTINED) {
		ma_stat_add(MA_STAT_slab_objects, -1);
		return;
	}
	if (atomic_load_explicit(&s->owner, memory_order_relaxed) == ma_tc)
		ma_tc_free_local(ma_tc, s, p);
	else
		ma_slab_free_remote(s, p);
}

/* ---- ownership changes ------------------------------------------------------------------ */

/**
 * ma_slab_own_locked() - make shared slab @s (off every list) owned by @tc.
 * Caller holds cache->lock.  Free objects stay on aux; remote frees go lock-free from now on.
 */
void ma_slab_own_locked(struct ma_slab *s, struct ma_tcache *tc)
{
	atomic_store_explicit(&s->owner, tc, memory_order_relaxed);
	atomic_store_explicit(&s->rfree, MA_RF_NORMAL, memory_order_release);
	s->local_free = NULL;
	atomic_store_explicit(&s->nlocal, 0, memory_order_relaxed);
}

/**
 * ma_slab_abandon_locked() - turn owned slab @s (off its entry's lists) into a shared slab.
 * @extra: free objects of @s held elsewhere (the owner's hot list), or NULL.
 *
 * Collects the remote list, clears a pending notification, merges every free list into aux.
 * Caller holds cache->lock and is the owner (or stands in for it, see ma_tc_drain_cache()).
 * Return: true when @s is empty and must be destroyed after unlocking.
 */
bool ma_slab_abandon_locked(struct ma_slab *s, void *extra)
{
	struct kmem_cache *c = s->cache;
	uint64_t rf = atomic_exchange_explicit(&s->rfree, MA_RF_SHARED, memory_order_acq_rel);
	void *list = ma_rf_list(rf);
	bool bad = false;
	uint32_t n;

	if (s->on_notify) {
		struct ma_tcache *tc = atomic_load_explicit(&s->owner, memory_order_relaxed);
		struct ma_tc_ent *e = &tc->ent[c->tc_idx];

		ma_list_del(&s->nlink);
		s->on_notify = false;
		if (ma_list_empty(&e->notify))
			atomic_store_explicit(&e->notified, false, memory_order_relaxed);
	}
	list = ma_fl_concat(s, extra, list, &bad);
	list = ma_fl_concat(s, s->local_free, list, &bad);
	s->aux = ma_fl_concat(s, s->aux, list, &bad);
	n = ma_fl_count_checked(s, s->aux, &bad);
	atomic_store_explicit(&s->naux, n, memory_order_relaxed);
	s->local_free = NULL;
	atomic_store_explicit(&s->nlocal, 0, memory_order_relaxed);
	s->mark = UINT32_MAX;
	atomic_store_explicit(&s->owner, MA_NO_OWNER, memory_order_relaxed);
	if (n == s->nobj)
		return ma_slab_put_empty_locked(s);
	if (n) {
		s->where = MA_SW_SHARED;
		ma_list_add_tail(&s->link, &c->partial);
	} else {
		s->where = MA_SW_SHARED_FULL;
	}
	return false;
}

/**
 * ma_slab_abandon_empty_locked() - ma_slab_abandon_locked() for an owned slab whose every
 * object is free (no list needs walking).  Caller holds cache->lock.
 * Return: true when @s must be destroyed after unlocking.
 */
bool ma_slab_abandon_empty_locked(struct ma_slab *s)
{
	atomic_store_explicit(&s->rfree, MA_RF_SHARED, memory_order_relaxed);
	s->local_free = NULL;
	atomic_store_explicit(&s->nlocal, 0, memory_order_relaxed);
	s->mark = UINT32_MAX;
	atomic_store_explicit(&s->owner, MA_NO_OWNER, memory_order_relaxed);
	if (ma_slab_put_empty_locked(s))
		return true;
	ma_slab_build_freelist(s);
	atomic_store_explicit(&s->naux, s->nobj, memory_order_relaxed);
	return false;
}

/* ---- the DMA layer's query ------------------------------------------------------------- */

static bool ma_slab_large_slot(const void *addr, struct ma_slab_slot *slot)
{
	struct page *pg = ma_virt_to_page(addr), *head;

	if (pg->state != MA_PAGE_HEAD && pg->state != MA_PAGE_TAIL)
		return false;
	head = ma_page_head(pg);
	if (head->state != MA_PAGE_HEAD || head->owner != MA_OWNER_KMALLOC_LARGE)
		return false;
	slot->start = (uintptr_t)ma_page_to_virt(head);
	slot->end = slot->start + (PAGE_SIZE << head->order);
	slot->packed = false;
	slot->cache = "kmalloc-large";
	return true;
}

bool ma_slab_slot(const void *addr, struct ma_slab_slot *slot)
{
	uintptr_t a = (uintptr_t)addr, rel, start;
	struct ma_slab *s;

	if (a - ma_slab_g.ram >= ma_slab_g.ram_size)
		return false;
	s = ma_slab_of(addr);
	if (!s)
		return ma_slab_large_slot(addr, slot);
	rel = a - s->base;
	if (rel >= (uintptr_t)s->nobj * s->stride)
		return false;
	start = s->base + (uintptr_t)ma_slab_index(s, addr) * s->stride;
	if (a - start >= s->objsize)
		return false;
	slot->start = start;
	slot->end = start + s->objsize;
	slot->packed = s->cache->km_type == MA_KM_PACKED;
	slot->cache = s->cache->name;
	return true;
}
