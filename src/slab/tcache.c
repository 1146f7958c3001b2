/* SPDX-License-Identifier: MIT */
/*
 * slab/tcache.c - per-thread caches ("per-CPU" slabs): the slow paths behind the lock-free
 * fast paths of internal.h, remote-free collection, and draining at thread exit.
 *
 * Owns: struct ma_tcache (one per thread that allocates), its registry and pool, the TLS
 * pointer ma_tc and the thread-exit key.
 *
 * A thread cache has one entry per cache (kmalloc caches at fixed indexes, user caches at
 * indexes handed out by cache.c).  An entry owns slabs: the current one, whose free objects
 * feed the hot entry's list that kmalloc pops; partial slabs (free objects known); full slabs
 * (none known); empty slabs (kept for reuse for a while, see MA_TC_EMPTY_DECAY).  The owner
 * frees into any of them with plain stores onto the slab's local_free list (fast path in
 * internal.h); the slow path below runs when that free is the first into a full slab (it
 * becomes partial) or makes a partial slab empty.
 *
 * Remote frees land on the slab's rfree list (one compare-exchange).  The owner collects
 * them when the current slab runs dry.  A full slab is marked NOTIFY: the first remote free
 * into it takes the cache lock and queues the slab on the entry's notify list, which the owner
 * checks (one relaxed load) before taking a new slab, so no slab waits forever for its owner
 * to look.
 *
 * Invariants: a slab is on exactly one of the entry's lists unless it is current; on_notify
 * implies where == FULL; a FULL slab has no local or aux objects; a slab's free objects are
 * hot list (current only) + local_free (nlocal) + aux (naux) + rfree.
 *
 * Lifetime: thread caches are host memory that is never unmapped; a thread's cache goes back
 * to the pool when the thread exits, after its slabs are abandoned (shared) or freed.
 * minalign_exit() empties every registered cache's hot lists (ma_tc_exit_all), so the fast
 * paths need no generation check; the slow path resets a cache whose generation differs from
 * ma_slab_g.gen without following any of its stale pointers.  A new slab, or an empty one taken
 * back into use, is handed out by bumping through its slots (ma_tc_hot.bump), in address
 * order, with no free list to build.
 *
 * Locking: the fast paths take none.  ma_tc_lock guards the registry and pool (under
 * ma_slab_mutex when both are held).  Cache locks are taken for NOTIFY hand-over, adopting a
 * shared slab and abandoning.  Thread exit drains under ma_slab_mutex so that it never races
 * with kmem_cache_destroy().
 */
#include "slab/internal.h"

_Thread_local struct ma_tcache *ma_tc __attribute__((tls_model("initial-exec"))) = &ma_tc_null;
struct ma_tcache ma_tc_null;
char ma_slab_no_owner[1];

static ma_mutex_t ma_tc_lock = MA_MUTEX_INIT;
static struct ma_list ma_tc_registry = {&ma_tc_registry, &ma_tc_registry};
static struct ma_list ma_tc_pool = {&ma_tc_pool, &ma_tc_pool};
static ma_tls_key_t ma_tc_key;
static bool ma_tc_key_ready;

static size_t ma_slab_bytes(const struct ma_slab *s)
{
	return PAGE_SIZE << s->order;
}

void ma_tc_flush_stats(struct ma_tcache *tc)
{
	if (tc->nobj) {
		ma_stat_add(MA_STAT_slab_objects, tc->nobj);
		tc->nobj = 0;
	}
}

/* ---- lifecycle of thread caches --------------------------------------------------------- */

static void ma_tc_thread_exit(void *arg);

/* Create the thread-exit key once per process.  Called from ma_slab_init(). */
int ma_tc_init(void)
{
	int err = 0;

	ma_mutex_lock(&ma_tc_lock);
	if (!ma_tc_key_ready) {
		err = ma_tls_key_create(&ma_tc_key, ma_tc_thread_exit);
		ma_tc_key_ready = err == 0;
	}
	ma_mutex_unlock(&ma_tc_lock);
	return err ? -ENOMEM : 0;
}

/* Zero every entry and adopt generation @gen.  ma_tc_lock held. */
static void ma_tc_reset_locked(struct ma_tcache *tc, unsigned long gen)
{
	memset(tc->hot, 0, sizeof(tc->hot));
	memset(tc->ent, 0, sizeof(tc->ent));
	tc->nobj = 0;
	tc->empty_bytes = 0;
	tc->gen = gen;
}

static struct ma_tcache *ma_tc_new(void)
{
	struct ma_tcache *tc = NULL;

	ma_mutex_lock(&ma_tc_lock);
	if (!ma_list_empty(&ma_tc_pool)) {
		tc = ma_container_of(ma_tc_pool.next, struct ma_tcache, reg);
		ma_list_del(&tc->reg);
	} else {
		tc = ma_plat_map(sizeof(*tc));
	}
	if (tc) {
		ma_tc_reset_locked(tc, 0);
		ma_list_add(&tc->reg, &ma_tc_registry);
	}
	ma_mutex_unlock(&ma_tc_lock);
	return tc;
}

/**
 * ma_tc_get() - the calling thread's thread cache for the current generation.
 *
 * Creates it on first use (and registers the thread-exit callback), resets a stale one.
 * Return: the cache, or NULL when the library is down or host memory ran out (callers then
 * use the shared slabs).
 */
struct ma_tcache *ma_tc_get(void)
{
	struct ma_tcache *tc = ma_tc;
	unsigned long gen = ma_slab_g.gen;

	if (ma_likely(tc->gen == gen && tc != &ma_tc_null))
		return tc;
	if (!gen || !ma_tc_key_ready)
		return NULL;
	if (tc == &ma_tc_null) {
		tc = ma_tc_new();
		if (!tc)
			return NULL;
		ma_tls_set(ma_tc_key, tc);
		ma_tc = tc;
	}
	ma_mutex_lock(&ma_tc_lock);
	ma_tc_reset_locked(tc, gen);
	ma_mutex_unlock(&ma_tc_lock);
	return tc;
}

static void ma_tc_ent_init(struct ma_tcache *tc, struct kmem_cache *c)
{
	struct ma_tc_ent *e = &tc->ent[c->tc_idx];

	e->cache = c;
	e->cur = NULL;
	ma_list_init(&e->partial);
	ma_list_init(&e->full);
	ma_list_init(&e->empty);
	ma_list_init(&e->notify);
	atomic_store_explicit(&e->notified, false, memory_order_relaxed);
	tc->hot[c->tc_idx] = (struct ma_tc_hot){.secret = c->secret, .stride = c->stride};
}

/* ---- draining ----------------------------------------------------------------------------- */

/* Abandon every slab of entry @idx of @tc and clear the entry.  ma_slab_mutex held. */
static void ma_tc_drain_entry(struct ma_tcache *tc, unsigned int idx)
{
	struct ma_tc_ent *e = &tc->ent[idx];
	struct ma_tc_hot *h = &tc->hot[idx];
	struct kmem_cache *c = e->cache;
	struct ma_list *lists[] = {&e->partial, &e->full, &e->empty};
	struct ma_list doomed;
	struct ma_slab *s;
	unsigned int i;

	if (!c)
		return;
	ma_list_init(&doomed);
	ma_spin_lock(&c->lock);
	if (e->cur) {
		s = e->cur;
		e->cur = NULL;
		/* the hot list and the never-used slots are free objects too */
		if (ma_slab_abandon_locked(s, ma_slab_link_slots(s, h->bump, h->left, h->free)))
			ma_list_add(&s->link, &doomed);
	}
	h->free = NULL;
	h->left = 0;
	h->cur = NULL;
	for (i = 0; i < MA_ARRAY_SIZE(lists); i++) {
		while (!ma_list_empty(lists[i])) {
			s = ma_container_of(lists[i]->next, struct ma_slab, link);
			ma_list_del(&s->link);
			if (s->where == MA_SW_EMPTY) {
				tc->empty_bytes -= ma_slab_bytes(s);
				if (ma_slab_abandon_empty_locked(s))
					ma_list_add(&s->link, &doomed);
			} else if (ma_slab_abandon_locked(s, NULL)) {
				ma_list_add(&s->link, &doomed);
			}
		}
	}
	ma_spin_unlock(&c->lock);
	e->cache = NULL;
	while (!ma_list_empty(&doomed)) {
		s = ma_container_of(doomed.next, struct ma_slab, link);
		ma_list_del(&s->link);
		ma_slab_destroy(s);
	}
}

/*
 * ma_tc_drain_self() - give the calling thread's slabs of @only (every cache if NULL) back to
 * the caches.  ma_slab_mutex held.
 */
void ma_tc_drain_self(struct kmem_cache *only)
{
	struct ma_tcache *tc = ma_tc;
	unsigned int i;

	if (tc == &ma_tc_null || tc->gen != ma_slab_g.gen || !tc->gen)
		return;
	ma_tc_flush_stats(tc);
	for (i = 0; i < MA_TC_NENT; i++)
		if (tc->ent[i].cache && (!only || tc->ent[i].cache == only))
			ma_tc_drain_entry(tc, i);
}

/*
 * ma_tc_drain_cache() - take every thread's slabs of @c back (kmem_cache_destroy()).  Other
 * threads must not be using @c; their entries for it are cleared.  ma_slab_mutex held.
 */
void ma_tc_drain_cache(struct kmem_cache *c)
{
	struct ma_list *pos;

	if (c->tc_idx >= MA_TC_NENT)
		return;
	ma_mutex_lock(&ma_tc_lock);
	for (pos = ma_tc_registry.next; pos != &ma_tc_registry; pos = pos->next) {
		struct ma_tcache *tc = ma_container_of(pos, struct ma_tcache, reg);

		if (tc->gen == ma_slab_g.gen && tc->ent[c->tc_idx].cache == c)
			ma_tc_drain_entry(tc, c->tc_idx);
	}
	ma_mutex_unlock(&ma_tc_lock);
}

/*
 * ma_tc_exit_all() - minalign_exit(): empty the hot lists of every thread cache, so that the
 * fast paths of threads that outlive this generation find nothing and reach the slow path
 * (which resets their cache).  No thread may be using the library.
 */
void ma_tc_exit_all(void)
{
	struct ma_list *pos;

	ma_mutex_lock(&ma_tc_lock);
	for (pos = ma_tc_registry.next; pos != &ma_tc_registry; pos = pos->next) {
		struct ma_tcache *tc = ma_container_of(pos, struct ma_tcache, reg);

		memset(tc->hot, 0, sizeof(tc->hot));
	}
	ma_mutex_unlock(&ma_tc_lock);
}

static void ma_tc_thread_exit(void *arg)
{
	struct ma_tcache *tc = arg;

	ma_tc = &ma_tc_null;
	ma_mutex_lock(&ma_slab_mutex);
	if (tc->gen && tc->gen == ma_slab_g.gen) {
		unsigned int i;

		ma_stat_add(MA_STAT_slab_objects, tc->nobj);
		tc->nobj = 0;
		for (i = 0; i < MA_TC_NENT; i++)
			ma_tc_drain_entry(tc, i);
	}
	ma_mutex_lock(&ma_tc_lock);
	ma_list_del(&tc->reg);
	tc->gen = 0;
	ma_list_add(&tc->reg, &ma_tc_pool);
	ma_mutex_unlock(&ma_tc_lock);
	ma_mutex_unlock(&ma_slab_mutex);
}

/* ---- owner-side slab state changes ------------------------------------------------------ */

/* Give owned empty slab @s (off every list) back to its cache. */
static void ma_tc_release_empty(struct ma_slab *s)
{
	struct kmem_cache *c = s->cache;
	bool destroy;

	ma_spin_lock(&c->lock);
	destroy = ma_slab_abandon_empty_locked(s);
	ma_spin_unlock(&c->lock);
	if (destroy)
		ma_slab_destroy(s);
}

/* Release the entry's empty slabs that have been unused for MA_TC_EMPTY_DECAY ticks. */
static void ma_tc_decay(struct ma_tcache *tc, struct ma_tc_ent *e, uint64_t now)
{
	while (!ma_list_empty(&e->empty)) {
		struct ma_slab *s = ma_container_of(e->empty.prev, struct ma_slab, link);

		if (now - s->empty_since < MA_TC_EMPTY_DECAY)
			break;
		ma_list_del(&s->link);
		tc->empty_bytes -= ma_slab_bytes(s);
		ma_tc_release_empty(s);
	}
}

/*
 * The decay that does not wait for a cache to be used again: every MA_TC_SWEEP_TICKS slow
 * paths (of any cache), each entry keeps its newest empty slab (the entry's reserve, which
 * decays only on its own cache's slow paths, as above) and gives back every other empty slab
 * that has stayed unused for MA_TC_SWEEP_AGE ticks.  A program that moves from one size to the
 * next so returns the slabs of the sizes it left to the page allocator, where the next sizes'
 * slabs find them.  The pass reads each entry's list head: 96 loads per MA_TC_SWEEP_TICKS slow
 * paths.
 */
static void ma_tc_sweep(struct ma_tcache *tc)
{
	for (unsigned int i = 0; i < MA_TC_NENT; i++) {
		struct ma_tc_ent *e = &tc->ent[i];

		if (!e->cache)
			continue;
		while (e->empty.prev != e->empty.next) { /* two or more */
			struct ma_slab *s = ma_container_of(e->empty.prev, struct ma_slab, link);

			if (tc->ticks - s->empty_since < MA_TC_SWEEP_AGE)
				break;
			ma_list_del(&s->link);
			tc->empty_bytes -= ma_slab_bytes(s);
			ma_tc_release_empty(s);
		}
	}
}

/* One more slow path: advance the decay clock, sweeping now and then. */
static inline void ma_tc_tick(struct ma_tcache *tc)
{
	if (ma_unlikely((++tc->ticks & (MA_TC_SWEEP_TICKS - 1)) == 0))
		ma_tc_sweep(tc);
}

/* Owned slab @s (not current) has every object free: keep it for a while or give it back. */
static void ma_tc_slab_empty(struct ma_tcache *tc, struct ma_tc_ent *e, struct ma_slab *s)
{
	uint64_t now;

	ma_list_del(&s->link);
	if (tc->empty_bytes + ma_slab_bytes(s) > ma_slab_g.empty_max || s->cache->dead) {
		ma_tc_release_empty(s);
		return;
	}
	now = tc->ticks;
	s->where = MA_SW_EMPTY;
	s->empty_since = now;
	ma_list_add(&s->link, &e->empty);
	tc->empty_bytes += ma_slab_bytes(s);
	/* any further free into it is a double free: let the fast path send it here */
	s->mark = atomic_load_explicit(&s->nlocal, memory_order_relaxed) + 1;
	ma_tc_decay(tc, e, now);
}

/* Full slab @s got its first free from the owner: it becomes partial. */
static void ma_tc_unfull(struct ma_tc_ent *e, struct ma_slab *s)
{
	uint64_t rf = MA_RF_NOTIFY;

	if (!atomic_compare_exchange_strong_explicit(&s->rfree, &rf, MA_RF_NORMAL,
						     memory_order_relaxed, memory_order_relaxed)) {
		/* a remote freer consumed NOTIFY (under the lock): off the notify list */
		struct kmem_cache *c = s->cache;

		ma_spin_lock(&c->lock);
		if (s->on_notify) {
			ma_list_del(&s->nlink);
			s->on_notify = false;
			if (ma_list_empty(&e->notify))
				atomic_store_explicit(&e->notified, false, memory_order_relaxed);
		}
		ma_spin_unlock(&c->lock);
	}
	ma_list_del(&s->link);
	ma_list_add(&s->link, &e->partial);
	s->where = MA_SW_PARTIAL;
	s->mark = s->nobj - atomic_load_explicit(&s->naux, memory_order_relaxed);
}

/**
 * ma_tc_free_local() - the owner frees @p into its slab @s, slow path.
 *
 * Runs when the fast path saw something to do: an immediate double free, an object whose
 * address cannot be an object start (already reported by the caller's exact check if so), the
 * first free into a full slab, or the slab becoming empty.
 */
void ma_tc_free_local(struct ma_tcache *tc, struct ma_slab *s, void *p)
{
	struct ma_tc_ent *e = &tc->ent[s->cache->tc_idx];
	uint32_t n;

	if (s->local_free == p || s->where == MA_SW_EMPTY) {
		ma_slab_report(s, p, "double free of %p in %s", p, s->cache->name);
		return;
	}
	ma_fl_set(p, s->local_free, s->secret, s->link_off);
	s->local_free = p;
	n = atomic_load_explicit(&s->nlocal, memory_order_relaxed) + 1;
	atomic_store_explicit(&s->nlocal, n, memory_order_relaxed);
	tc->nobj--;
	ma_tc_tick(tc);
	ma_tc_flush_stats(tc);
	if (s->where == MA_SW_FULL)
		ma_tc_unfull(e, s);
	if (s->where == MA_SW_PARTIAL && n == s->mark)
		ma_tc_slab_empty(tc, e, s);
}

/* ---- allocation slow path ---------------------------------------------------------------- */

/*
 * Give the hot list more objects of current slab @s: its aux, local or remote list.  Returns
 * false when @s has no free object at all.
 */
static bool ma_tc_cur_more(struct ma_tc_hot *h, struct ma_slab *s)
{
	uint64_t rf;

	if (s->aux) {
		h->free = s->aux;
		s->aux = NULL;
		atomic_store_explicit(&s->naux, 0, memory_order_relaxed);
		return true;
	}
	if (s->local_free) {
		h->free = s->local_free;
		s->local_free = NULL;
		atomic_store_explicit(&s->nlocal, 0, memory_order_relaxed);
		return true;
	}
	rf = atomic_load_explicit(&s->rfree, memory_order_relaxed);
	if (ma_rf_list(rf)) {
		rf = atomic_exchange_explicit(&s->rfree, MA_RF_NORMAL, memory_order_acquire);
		h->free = ma_rf_list(rf);
		return true;
	}
	return false;
}

/*
 * Current slab @s has no free object: file it as full and mark it NOTIFY so that the first
 * remote free brings it back.  Returns true if remote frees arrived meanwhile (then @s stays
 * current with them on the hot list).
 */
static bool ma_tc_retire(struct ma_tc_ent *e, struct ma_tc_hot *h, struct ma_slab *s)
{
	uint64_t rf = MA_RF_NORMAL;

	/*
	 * Relaxed: the notifier that consumes NOTIFY touches only what the cache lock orders
	 * (nlink, on_notify, the notify list; see ma_tc_take_notified()), nothing we wrote before.
	 */
	if (!atomic_compare_exchange_strong_explicit(&s->rfree, &rf, MA_RF_NOTIFY,
						     memory_order_relaxed, memory_order_relaxed)) {
		rf = atomic_exchange_explicit(&s->rfree, MA_RF_NORMAL, memory_order_acquire);
		h->free = ma_rf_list(rf);
		return true;
	}
	e->cur = NULL;
	s->where = MA_SW_FULL;
	s->mark = 1; /* the owner's first free into it takes the slow path: it becomes partial */
	ma_list_add(&s->link, &e->full);
	return false;
}

/*
 * Collect the slabs remote freers queued on the entry's notify list into partial.
 *
 * A slab's nlink and on_notify, and the entry's notify list, are touched under cache->lock
 * only (besides their initialisation before the slab or the entry is in use).  That is what
 * makes the hand-over safe: the only store the owner makes before a remote freer reads NOTIFY
 * is ma_tc_retire()'s relaxed compare-exchange, so any plain store the owner made to nlink
 * outside the lock would not happen-before the remote freer's ma_list_add_tail() onto the same
 * nlink in ma_slab_notify_owner_locked() (a data race; on a weakly ordered CPU the owner's
 * self-link could land after the remote freer's links and leave the notify list pointing at a
 * slab whose nlink points at itself).  So the slabs are unlinked from the notify list, and
 * moved from the full list to a private list through their owner-private `link`, inside the
 * locked section; outside it only `link`, rfree and owner-private fields are touched.  Every
 * store to nlink/on_notify is then ordered by the lock: our unlock here happens-before the next
 * notifier's lock.
 */
static void ma_tc_take_notified(struct ma_tcache *tc, struct ma_tc_ent *e, struct kmem_cache *c)
{
	struct ma_list got;

	ma_list_init(&got);
	ma_spin_lock(&c->lock);
	while (!ma_list_empty(&e->notify)) {
		struct ma_slab *s = ma_container_of(e->notify.next, struct ma_slab, nlink);

		ma_list_del(&s->nlink);
		s->on_notify = false;
		ma_list_del(&s->link); /* off the full list (owner-private) */
		ma_list_add_tail(&s->link, &got);
	}
	atomic_store_explicit(&e->notified, false, memory_order_relaxed);
	ma_spin_unlock(&c->lock);
	while (!ma_list_empty(&got)) {
		struct ma_slab *s = ma_container_of(got.next, struct ma_slab, link);
		uint64_t rf;
		uint32_t n;

		ma_list_del(&s->link);
		/* acquire: pairs with the remote freers' release push (the list's links) */
		rf = atomic_exchange_explicit(&s->rfree, MA_RF_NORMAL, memory_order_acquire);
		s->aux = ma_rf_list(rf);
		n = ma_rf_count(rf);
		atomic_store_explicit(&s->naux, n, memory_order_relaxed);
		ma_list_add(&s->link, &e->partial);
		s->where = MA_SW_PARTIAL;
		s->mark = s->nobj - n;
		if (atomic_load_explicit(&s->nlocal, memory_order_relaxed) == s->mark)
			ma_tc_slab_empty(tc, e, s);
	}
}

/*
 * The next slab for entry @e: partial, notified, own empty, adopted shared, or new.  *fresh
 * says it has every object free and no free list (to be bumped through).
 */
static struct ma_slab *ma_tc_next_slab(struct ma_tcache *tc, struct ma_tc_ent *e,
				       struct kmem_cache *c, bool *fresh)
{
	struct ma_slab *s;

	*fresh = false;
	if (ma_list_empty(&e->partial) && atomic_load_explicit(&e->notified, memory_order_acquire))
		ma_tc_take_notified(tc, e, c);
	if (!ma_list_empty(&e->partial)) {
		s = ma_container_of(e->partial.next, struct ma_slab, link);
		ma_list_del(&s->link);
		return s;
	}
	if (!ma_list_empty(&e->empty)) {
		s = ma_container_of(e->empty.next, struct ma_slab, link);
		ma_list_del(&s->link);
		tc->empty_bytes -= ma_slab_bytes(s);
		ma_tc_decay(tc, e, tc->ticks);
		ma_slab_reset_lists(s);
		*fresh = true;
		return s;
	}
	ma_spin_lock(&c->lock);
	s = ma_slab_take_shared_locked(c);
	if (s)
		ma_slab_own_locked(s, tc);
	ma_spin_unlock(&c->lock);
	if (s)
		return s;
	s = ma_slab_new(c, true);
	if (!s)
		return NULL;
	ma_spin_lock(&c->lock);
	ma_slab_own_locked(s, tc);
	ma_spin_unlock(&c->lock);
	*fresh = true;
	return s;
}

/**
 * ma_tc_refill() - allocate from @c through thread cache @tc when the hot list is empty.
 *
 * Refills the hot list from the current slab's other lists, else retires it as full and makes
 * the next slab current.  Return: an object, or NULL when no slab can be had.
 */
void *ma_tc_refill(struct ma_tcache *tc, struct kmem_cache *c)
{
	struct ma_tc_hot *h = &tc->hot[c->tc_idx];
	struct ma_tc_ent *e = &tc->ent[c->tc_idx];
	struct ma_slab *s;
	bool fresh;
	void *obj;

	ma_tc_flush_stats(tc);
	ma_tc_tick(tc);
	if (e->cache != c)
		ma_tc_ent_init(tc, c);
	do {
		while (!h->free && !h->left) {
			s = e->cur;
			if (s) {
				if (ma_tc_cur_more(h, s) || ma_tc_retire(e, h, s))
					break;
			}
			s = ma_tc_next_slab(tc, e, c, &fresh);
			if (!s)
				return NULL;
			e->cur = s;
			h->cur = s;
			s->where = MA_SW_CURRENT;
			s->mark = UINT32_MAX;
			if (fresh) {
				h->bump = (char *)s->base;
				h->left = s->nobj;
			}
		}
		/* validated like the fast path; NULL when the slab was quarantined: next slab */
		obj = ma_tc_pop((unsigned int)c->tc_idx, c->link_off);
	} while (!obj);
	return obj;
}

/* fork (ma_slab_atfork()): take or release the registry lock. */
void ma_tc_atfork(bool lock)
{
	if (lock)
		ma_mutex_lock(&ma_tc_lock);
	else
		ma_mutex_unlock(&ma_tc_lock);
}
