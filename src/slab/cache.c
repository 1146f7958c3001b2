/* SPDX-License-Identifier: MIT */
/*
 * slab/cache.c - kmem_cache: geometry, creation and destruction, the cache list, the
 * kmem_cache_* API, and the slab module's init/exit.
 *
 * Owns: the list of caches in creation order (ma_slab_caches), destroyed caches that still
 * have live objects (zombies), the thread-cache index of each cache, ma_slab_g.
 *
 * Geometry: a slot is the object rounded up to the alignment (at least 8 bytes: a free object
 * holds the free-list word); with a constructor the word goes after the object so constructed
 * state survives; debug caches add a red zone of at least MA_RZ bytes after the object.  The
 * slab order is the smallest (up to 3) giving 64 objects, else 3, else what one object needs.
 *
 * Locking: ma_slab_mutex serialises create/destroy/shrink/slabinfo/exit and thread-exit
 * drains; ma_zombie_lock (a leaf) guards the zombie list, whose caches are freed by the thread
 * that frees their last slab.  Allocation and free never take ma_slab_mutex.
 */
#include "slab/internal.h"

#define MA_RZ		 16 /* minimum red zone after a debug object */
#define MA_SLAB_MAX_ORD	 3
#define MA_SLAB_WANT_OBJ 128

struct ma_slab_glob ma_slab_g;
ma_mutex_t ma_slab_mutex = MA_MUTEX_INIT;
struct ma_list ma_slab_caches = {&ma_slab_caches, &ma_slab_caches};
static struct ma_list ma_slab_zombies = {&ma_slab_zombies, &ma_slab_zombies};
static ma_spinlock_t ma_zombie_lock = MA_SPINLOCK_INIT;
static unsigned long ma_slab_gen_next;
static size_t ma_slab_map_len;
static uint8_t ma_tc_used[MA_TC_NENT]; /* user-cache thread-cache indexes (ma_slab_mutex) */

/* ---- geometry ------------------------------------------------------------------------------ */

static unsigned int ma_cache_order(uint32_t stride)
{
	unsigned int o, min = (unsigned int)get_order(stride);

	for (o = min; o <= MA_SLAB_MAX_ORD; o++)
		if ((PAGE_SIZE << o) / stride >= MA_SLAB_WANT_OBJ)
			return o;
	return MA_MAX(min, MA_SLAB_MAX_ORD);
}

/*
 * ma_cache_setup() - fill in @c's geometry.  Return: 0, or -EINVAL for a bad size or
 * alignment.
 */
int ma_cache_setup(struct kmem_cache *c, const char *name, unsigned int size, unsigned int align,
		   slab_flags_t flags, void (*ctor)(void *), uint8_t km_type, uint16_t tc_idx)
{
	uint32_t stride;

	if (!size || size > KMALLOC_MAX_SIZE || (align && !MA_IS_POW2(align)) ||
	    align > KMALLOC_MAX_SIZE)
		return -EINVAL;
	align = MA_MAX(align, ARCH_SLAB_MINALIGN);
	if (flags & SLAB_HWCACHE_ALIGN) {
		/* Linux's calculate_alignment(): small objects share a line, halved to fit */
		unsigned int ralign = ma_cfg.cache_line;

		while (size <= ralign / 2)
			ralign /= 2;
		align = MA_MAX(align, ralign);
	}
	/* a freed object of a typesafe cache stays readable: no poisoning (as SLUB) */
	c->typesafe = flags & SLAB_TYPESAFE_BY_RCU;
	c->debug = !c->typesafe &&
		   (ma_slab_g.debug ||
		    (flags & (SLAB_RED_ZONE | SLAB_POISON | SLAB_CONSISTENCY_CHECKS)));
	c->size = size;
	c->align = align;
	c->ctor = ctor;
	if (c->debug) {
		c->link_off = 0;
		stride = MA_ALIGN_UP(size + MA_RZ, align);
		c->usable = size;
	} else if (ctor || c->typesafe) { /* the object's bytes survive a free */
		c->link_off = MA_ALIGN_UP(size, 8u);
		stride = MA_ALIGN_UP(c->link_off + 8, align);
		c->usable = c->link_off;
	} else {
		c->link_off = 0;
		stride = MA_ALIGN_UP(MA_MAX(size, 8u), align);
		c->usable = stride;
	}
	if (stride > KMALLOC_MAX_SIZE)
		return -EINVAL;
	c->stride = stride;
	/* a block is naturally aligned to its size, so it must be at least the alignment */
	c->order = (uint8_t)MA_MAX(ma_cache_order(stride), (unsigned int)get_order(align));
	c->nobj = (uint32_t)((PAGE_SIZE << c->order) / stride);
	c->km_type = km_type;
	c->tc_idx = c->debug ? MA_TC_NULL_IDX : tc_idx;
	c->secret = (uintptr_t)ma_plat_random() | 1;
	c->page_gfp = __GFP_NOWARN;
	c->limit = UINT64_MAX;
	if (km_type == MA_KM_DMA || (flags & (SLAB_CACHE_DMA | SLAB_CACHE_DMA32)))
		c->page_gfp |= __GFP_DMA;
	ma_spin_init(&c->lock);
	ma_list_init(&c->partial);
	ma_list_init(&c->empty);
	ma_list_init(&c->all);
	ma_list_init(&c->node);
	snprintf(c->name, sizeof(c->name), "%s", name);
	return 0;
}

/* Allocate and set up a cache; not yet on the cache list.  NULL on failure. */
struct kmem_cache *ma_cache_new(const char *name, unsigned int size, unsigned int align,
				slab_flags_t flags, void (*ctor)(void *), uint8_t km_type,
				uint16_t tc_idx)
{
	struct kmem_cache *c =
		ma_cachetab_alloc(); /* never unmapped: stale handles stay readable */

	if (!c)
		return NULL;
	c->raw = c;
	if (ma_cache_setup(c, name, size, align, flags, ctor, km_type, tc_idx)) {
		ma_cachetab_free(c);
		return NULL;
	}
	return c;
}

static void ma_cache_release(struct kmem_cache *c)
{
	if (c->tc_idx >= MA_TC_KM_NENT && c->tc_idx < MA_TC_NENT)
		ma_tc_used[c->tc_idx] = 0;
	ma_cachetab_free(c);
}

/* Free every slab of @c, live objects or not (exit, or destroy of an empty cache). */
void ma_cache_free_all(struct kmem_cache *c)
{
	while (!ma_list_empty(&c->all)) {
		struct ma_slab *s = ma_container_of(c->all.next, struct ma_slab, all);

		ma_spin_lock(&c->lock);
		ma_list_del(&s->all);
		c->nslabs--;
		ma_spin_unlock(&c->lock);
		ma_slab_release(s);
	}
	c->nempty = 0;
}

/* Called by the thread that destroyed the last slab of a dead cache. */
void ma_cache_free_zombie(struct kmem_cache *c)
{
	ma_spin_lock(&ma_zombie_lock);
	ma_list_del(&c->node);
	ma_spin_unlock(&ma_zombie_lock);
	ma_cachetab_free(c);
}

/* Return the empty slabs on @c's reserve list to the page allocator. */
void ma_cache_shrink(struct kmem_cache *c)
{
	struct ma_list doomed;

	ma_list_init(&doomed);
	ma_spin_lock(&c->lock);
	while (!ma_list_empty(&c->empty)) {
		struct ma_list *l = c->empty.next;

		ma_list_del(l);
		ma_list_add(l, &doomed);
	}
	c->nempty = 0;
	ma_spin_unlock(&c->lock);
	while (!ma_list_empty(&doomed)) {
		struct ma_slab *s = ma_container_of(doomed.next, struct ma_slab, link);

		ma_list_del(&s->link);
		ma_slab_destroy(s);
	}
}

/* ---- allocation -------------------------------------------------------------------------- */

static void ma_not_up(const char *what)
{
	ma_report("slab", NULL, 0, 0, "%s called while minalign is not initialised", what);
}

/**
 * ma_cache_alloc() - allocate from @c, slow path (the fast paths pop the hot entry first).
 * @req: bytes the caller asked for (debug red zones start there; __GFP_ZERO clears them).
 * Return: the object, or NULL when out of memory.
 */
void *ma_cache_alloc(struct kmem_cache *c, gfp_t gfp, size_t req)
{
	struct ma_tcache *tc;
	void *obj = NULL;

	if (ma_unlikely(c->dead)) {
		ma_report("slab", NULL, 0, c->size, "kmem_cache_alloc(%s): the cache was destroyed",
			  c->name);
		return NULL;
	}
	if (c->tc_idx != MA_TC_NULL_IDX && (tc = ma_tc_get()) != NULL) {
		obj = ma_tc_pop(c->tc_idx, c->link_off);
		if (!obj)
			obj = ma_tc_refill(tc, c);
	} else {
		obj = ma_slab_alloc_shared(c, req);
	}
	if (obj && (gfp & __GFP_ZERO))
		memset(obj, 0, c->debug ? req : c->usable);
	return obj;
}

/* ---- the kmem_cache API ----------------------------------------------------------------- */

static uint16_t ma_tc_idx_get(void)
{
	unsigned int i;

	for (i = MA_TC_KM_NENT; i < MA_TC_NENT; i++) {
		if (!ma_tc_used[i]) {
			ma_tc_used[i] = 1;
			return (uint16_t)i;
		}
	}
	return MA_TC_NULL_IDX;
}

static struct kmem_cache *ma_kmem_cache_create(const char *name, unsigned int size,
					       unsigned int align, slab_flags_t flags,
					       void (*ctor)(void *))
{
	struct kmem_cache *c;
	uint16_t idx;

	if (!ma_is_up()) {
		ma_not_up("kmem_cache_create");
		return NULL;
	}
	if (!name || !size || size > KMALLOC_MAX_SIZE || (align && !MA_IS_POW2(align)) ||
	    align > KMALLOC_MAX_SIZE) {
		ma_report("slab", NULL, 0, size, "kmem_cache_create(%s, %u, %u): bad argument",
			  name ? name : "(null)", size, align);
		return NULL;
	}
	ma_mutex_lock(&ma_slab_mutex);
	idx = ma_tc_idx_get();
	c = ma_cache_new(name, size, align, flags, ctor, MA_KM_USER, idx);
	if (!c) {
		if (idx != MA_TC_NULL_IDX)
			ma_tc_used[idx] = 0;
	} else {
		if (c->tc_idx != idx && idx != MA_TC_NULL_IDX)
			ma_tc_used[idx] = 0; /* debug cache: no entry */
		ma_list_add_tail(&c->node, &ma_slab_caches);
	}
	ma_mutex_unlock(&ma_slab_mutex);
	return c;
}

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align,
				     slab_flags_t flags, void (*ctor)(void *))
{
	struct kmem_cache *c = ma_kmem_cache_create(name, size, align, flags, ctor);

	if (ma_unlikely(!c && (flags & SLAB_PANIC))) { /* Linux panics */
		ma_report("slab", NULL, 0, size, "kmem_cache_create(%s): failed with SLAB_PANIC",
			  name ? name : "(null)");
		abort();
	}
	return c;
}

void *kmem_cache_alloc(struct kmem_cache *cache, gfp_t flags)
{
	void *obj;

	if (ma_likely(cache && !(flags & __GFP_ZERO))) {
		obj = ma_tc_pop(cache->tc_idx, cache->link_off);
		if (ma_likely(obj))
			return obj;
	}
	if (!cache) {
		ma_report("slab", NULL, 0, 0, "kmem_cache_alloc(NULL)");
		return NULL;
	}
	if (!ma_is_up()) {
		ma_not_up("kmem_cache_alloc");
		return NULL;
	}
	return ma_cache_alloc(cache, flags, cache->size);
}

void *kmem_cache_zalloc(struct kmem_cache *cache, gfp_t flags)
{
	return kmem_cache_alloc(cache, flags | __GFP_ZERO);
}

void kmem_cache_free(struct kmem_cache *cache, void *obj)
{
	struct ma_slab *s;

	if (!obj)
		return;
	s = ma_slab_of(obj);
	if (ma_likely(s && s->cache == cache && ma_slab_free_fast(s, obj)))
		return;
	if (!cache) {
		ma_report("slab", NULL, 0, 0, "kmem_cache_free(NULL, %p)", obj);
		return;
	}
	if (!ma_slab_g.ram_size) {
		ma_not_up("kmem_cache_free");
		return;
	}
	if (!s) {
		ma_slab_report(NULL, obj, "kmem_cache_free(%s, %p): not an object of a slab cache",
			       cache->name, obj);
		return;
	}
	ma_slab_free(s, obj, cache);
}

/* Objects of @c still allocated (all its slabs are shared; ma_slab_mutex held). */
static unsigned long ma_cache_live(struct kmem_cache *c)
{
	unsigned long live = 0;
	struct ma_list *pos;

	ma_spin_lock(&c->lock);
	for (pos = c->all.next; pos != &c->all; pos = pos->next) {
		struct ma_slab *s = ma_container_of(pos, struct ma_slab, all);

		live += s->nobj - atomic_load_explicit(&s->naux, memory_order_relaxed);
	}
	ma_spin_unlock(&c->lock);
	return live;
}

void kmem_cache_destroy(struct kmem_cache *cache)
{
	unsigned long live;

	if (!cache)
		return;
	if (!ma_is_up()) {
		ma_not_up("kmem_cache_destroy");
		return;
	}
	if (cache->km_type != MA_KM_USER || cache->dead) {
		ma_report("slab", NULL, 0, cache->size, "kmem_cache_destroy(%s): %s", cache->name,
			  cache->dead ? "already destroyed"
				      : "a kmalloc cache cannot be destroyed");
		return;
	}
	ma_mutex_lock(&ma_slab_mutex);
	ma_list_del(&cache->node);
	ma_tc_drain_cache(cache);
	ma_cache_shrink(cache);
	live = ma_cache_live(cache);
	if (!live) {
		bool typesafe = cache->typesafe;

		ma_cache_free_all(cache);
		ma_cache_release(cache);
		ma_mutex_unlock(&ma_slab_mutex);
		if (typesafe) /* as Linux: the slabs are back when destroy returns */
			ma_slab_rcu_barrier();
		return;
	}
	ma_report("slab", NULL, 0, cache->size,
		  "kmem_cache_destroy(%s): %lu objects still allocated; their slabs stay until "
		  "freed",
		  cache->name, live);
	if (cache->tc_idx >= MA_TC_KM_NENT && cache->tc_idx < MA_TC_NENT)
		ma_tc_used[cache->tc_idx] = 0;
	ma_spin_lock(&cache->lock);
	cache->tc_idx = MA_TC_NULL_IDX;
	cache->dead = true;
	ma_spin_unlock(&cache->lock);
	ma_spin_lock(&ma_zombie_lock);
	ma_list_add_tail(&cache->node, &ma_slab_zombies);
	ma_spin_unlock(&ma_zombie_lock);
	ma_mutex_unlock(&ma_slab_mutex);
}

int kmem_cache_shrink(struct kmem_cache *cache)
{
	if (!cache)
		return -EINVAL;
	if (!ma_is_up())
		return -ENODEV;
	ma_mutex_lock(&ma_slab_mutex);
	ma_tc_drain_self(cache);
	ma_cache_shrink(cache);
	ma_mutex_unlock(&ma_slab_mutex);
	return 0;
}

unsigned int kmem_cache_size(struct kmem_cache *cache)
{
	return cache ? cache->size : 0;
}

void minalign_slab_shrink(void)
{
	struct ma_list *pos;

	if (!ma_is_up())
		return;
	ma_mutex_lock(&ma_slab_mutex);
	ma_tc_drain_self(NULL);
	for (pos = ma_slab_caches.next; pos != &ma_slab_caches; pos = pos->next)
		ma_cache_shrink(ma_container_of(pos, struct kmem_cache, node));
	ma_mutex_unlock(&ma_slab_mutex);
}

/* ---- init and exit -------------------------------------------------------------------------- */

static void ma_slab_teardown(void)
{
	struct ma_list *lists[] = {&ma_slab_caches, &ma_slab_zombies};
	unsigned int i;

	ma_slab_g.gen = 0;
	ma_slab_g.ram_size = 0;
	ma_tc_exit_all();
	for (i = 0; i < MA_ARRAY_SIZE(lists); i++) {
		while (!ma_list_empty(lists[i])) {
			struct kmem_cache *c =
				ma_container_of(lists[i]->next, struct kmem_cache, node);

			ma_list_del(&c->node);
			ma_cache_free_all(c);
			ma_cache_release(c);
		}
	}
	memset(ma_tc_used, 0, sizeof(ma_tc_used));
	ma_kmalloc_exit();
	if (ma_slab_g.map)
		ma_plat_unmap((void *)ma_slab_g.map, ma_slab_map_len);
	ma_slab_g.map = NULL;
	ma_slab_g.ram = 0;
}

/**
 * ma_slab_init() - start the slab allocator: the slab map and the kmalloc caches.
 * Return: 0, or -ENOMEM (everything started is undone).
 */
int ma_slab_init(void)
{
	int err = ma_tc_init();

	if (err)
		return err;
	ma_mutex_lock(&ma_slab_mutex);
	if ((uint64_t)(uintptr_t)ma_mem.cpu + ma_mem.size > MA_RF_PTR_MASK) {
		/* remote-free words keep pointers in 48 bits */
		ma_mutex_unlock(&ma_slab_mutex);
		ma_report("slab", NULL, 0, ma_mem.size, "RAM mapped above 2^48: not supported");
		return -ENOMEM;
	}
	/* like the page array: host memory committed lazily, returned to the host at exit */
	ma_slab_map_len = MA_ALIGN_UP((size_t)ma_mem.nr_pages * sizeof(*ma_slab_g.map), PAGE_SIZE);
	ma_slab_g.map = ma_plat_map(ma_slab_map_len);
	if (!ma_slab_g.map) {
		ma_mutex_unlock(&ma_slab_mutex);
		return -ENOMEM;
	}
	ma_slab_g.debug = (ma_cfg.debug & MINALIGN_DEBUG_SLAB) != 0;
	ma_slab_g.ram = (uintptr_t)ma_mem.cpu;
	ma_slab_g.ram_size = ma_mem.size;
	ma_slab_g.empty_max = MA_MAX(MA_TC_EMPTY_MIN, ma_mem.size / 32);
	ma_slab_g.gen = ++ma_slab_gen_next;
	err = ma_kmalloc_init();
	if (err)
		ma_slab_teardown();
	ma_mutex_unlock(&ma_slab_mutex);
	return err;
}

/** ma_slab_exit() - free every cache and slab; stale thread caches are reset on next use. */
void ma_slab_exit(void)
{
	ma_slab_rcu_barrier(); /* deferred frees of typesafe slabs run while the buddy is up */
	ma_mutex_lock(&ma_slab_mutex);
	ma_slab_teardown();
	ma_mutex_unlock(&ma_slab_mutex);
}

static void ma_slab_locks_atfork(struct ma_list *head, bool lock)
{
	for (struct ma_list *pos = head->next; pos != head; pos = pos->next) {
		struct kmem_cache *c = ma_container_of(pos, struct kmem_cache, node);

		if (lock)
			ma_spin_lock(&c->lock);
		else
			ma_spin_unlock(&c->lock);
	}
}

/**
 * ma_slab_atfork() - pthread_atfork step of the slab allocator (lib/fork.c).
 * @phase: PREPARE takes ma_slab_mutex, ma_tc_lock, every cache's lock (live caches, then
 *         zombies) and ma_zombie_lock, in the order the allocator nests them; PARENT and CHILD
 *         release them.  Other threads' thread caches stay registered in the child; their slabs
 *         keep taking remote frees and are never used again (a fork child's usual leak).
 */
void ma_slab_atfork(enum ma_fork_phase phase)
{
	bool lock = phase == MA_FORK_PREPARE;

	if (lock) {
		ma_mutex_lock(&ma_slab_mutex);
		ma_tc_atfork(true);
	}
	ma_slab_locks_atfork(&ma_slab_caches, lock);
	ma_slab_locks_atfork(&ma_slab_zombies, lock);
	if (lock) {
		ma_spin_lock(&ma_zombie_lock);
		ma_cachetab_atfork(true);
		return;
	}
	ma_cachetab_atfork(false);
	ma_spin_unlock(&ma_zombie_lock);
	ma_tc_atfork(false);
	ma_mutex_unlock(&ma_slab_mutex);
}
