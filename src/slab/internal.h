/* SPDX-License-Identifier: MIT */
/*
 * slab/internal.h - data structures shared by the slab module's files, and its fast paths.
 *
 * Objects: a cache (struct kmem_cache) owns slabs; a slab is one block of 2^order pages cut into
 * nobj slots of `stride` bytes starting at the block's first byte.  Every slab has an
 * out-of-band descriptor (struct ma_slab, host memory); the head page's owner is MA_OWNER_SLAB
 * and priv the descriptor, and the slab map (one pointer per page of RAM) points every page of
 * the slab at it, so kfree finds a descriptor with one load.
 *
 * Free lists are singly linked through a word inside free objects (at link_off: 0, or after
 * the object for caches with a constructor), obfuscated as rotl(next ^ secret) ^ &word with a
 * per-cache random secret, in every build.  Debug caches keep no link in objects (they poison
 * them) and use an index stack in the descriptor's debug array instead.
 *
 * Ownership (see tcache.c): a slab is either owned by one thread cache (struct ma_tcache) or
 * shared (no owner, all state under the cache lock).  The owner allocates from its current
 * slab through the thread cache's hot entry and frees into any slab it owns without a lock or
 * an atomic read-modify-write.  Other threads free into an owned slab through its atomic
 * remote free list (rfree).  The low bits of rfree hold the slab's remote state:
 *   NORMAL - owned: push with a compare-exchange;
 *   NOTIFY - owned and full: the first remote freer takes the cache lock, pushes, clears the
 *            state and puts the slab on the owner's notify list so the owner finds it again;
 *   SHARED - no owner: free under the cache lock into the descriptor's aux list.
 * State changes that involve another thread (NOTIFY consumed, abandon, adopt) happen under the
 * cache lock, and so does every access to a slab's nlink/on_notify and an entry's notify list:
 * the owner's relaxed switch to NOTIFY orders none of its plain stores before the remote
 * freer's, so anything both touch around a notification must be ordered by the lock.
 *
 * Lock order: ma_slab_mutex (cache list, thread-cache registry users) -> ma_tc_lock (registry)
 * -> cache->lock -> the page allocator's lock (a leaf).  No fast path takes any lock.
 */
#ifndef MINALIGN_SLAB_INTERNAL_H
#define MINALIGN_SLAB_INTERNAL_H

#include <urcu-bp.h>
#include "slab/slab.h"
#include "mm/mm.h"

/* ---- intrusive lists ------------------------------------------------------------------- */

struct ma_list {
	struct ma_list *next, *prev;
};

#define ma_container_of(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

static inline void ma_list_init(struct ma_list *h)
{
	h->next = h->prev = h;
}

static inline bool ma_list_empty(const struct ma_list *h)
{
	return h->next == h;
}

static inline void ma_list_add(struct ma_list *n, struct ma_list *h)
{
	n->next = h->next;
	n->prev = h;
	h->next->prev = n;
	h->next = n;
}

static inline void ma_list_add_tail(struct ma_list *n, struct ma_list *h)
{
	ma_list_add(n, h->prev);
}

static inline void ma_list_del(struct ma_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = n;
}

/* ---- kmalloc geometry ------------------------------------------------------------------ */

#define MA_KM_NR_CLASSES  13  /* 8 16 32 64 96 128 192 256 512 1k 2k 4k 8k */
#define MA_KM_SMALL_MAX	  256 /* sizes served by the small-size tables */
#define MA_KM_SMALL_SLOTS 33  /* (size + 7) >> 3 for size 0..256 */
#define MA_KM_BIG_SLOTS	  5   /* fls(size - 1) - 9 for size 257..8192 (classes 512..8k) */
#define MA_KM_NO_CLASS	  0xff

enum ma_km_type {
	MA_KM_NORMAL, /* kmalloc-N */
	MA_KM_DMA,    /* dma-kmalloc-N: cache-line aligned, below 4 GiB */
	MA_KM_PACKED, /* kmalloc-packed-N: PACKED policy with __GFP_PACKED */
	MA_KM_NR_TYPES,
	MA_KM_USER = 0xff, /* not a kmalloc cache */
};

/* ---- thread caches --------------------------------------------------------------------- */

#define MA_TC_NENT     96 /* per-thread entries: 39 kmalloc caches, then user caches */
#define MA_TC_KM_NENT  (MA_KM_NR_TYPES * MA_KM_NR_CLASSES)
#define MA_TC_NULL_IDX MA_TC_NENT /* a hot entry that is always empty: forces the slow path */

/*
 * The allocation side of one entry: what kmalloc's fast path touches.  A fresh or emptied
 * current slab is handed out by bumping (no free list to build or read): its slots from bump
 * on, `left` of them, are free and on no list.
 */
struct ma_tc_hot {
	void *free;	     /* objects of the current slab, obfuscated links */
	uintptr_t secret;    /* the cache's secret */
	char *bump;	     /* next never-used slot of the current slab */
	uint32_t left;	     /* never-used slots from bump on */
	uint32_t stride;     /* the cache's slot size */
	struct ma_slab *cur; /* the current slab (validates what the hot list hands out) */
};

/* The rest of one entry, touched on slow paths only.  Owner-private except `notify`. */
struct ma_tc_ent {
	struct kmem_cache *cache; /* NULL: entry unused */
	struct ma_slab *cur;	  /* current slab, or NULL */
	struct ma_list partial;	  /* owned slabs with free objects */
	struct ma_list full;	  /* owned slabs with no free object known */
	struct ma_list empty;	  /* owned slabs with every object free */
	struct ma_list notify;	  /* full slabs that got remote frees: under cache->lock */
	atomic_bool notified;	  /* notify is not empty */
};

struct ma_tcache {
	unsigned long gen;  /* ma_slab_g.gen when the entries were last valid */
	int64_t nobj;	    /* slab_objects delta not yet added to the statistics */
	size_t empty_bytes; /* bytes of slabs on the entries' empty lists */
	uint64_t ticks;	    /* slow paths so far: the clock of empty-slab decay */
	struct ma_list reg; /* registry (in use) or pool (free) link, under ma_tc_lock */
	struct ma_tc_hot hot[MA_TC_NENT + 1];
	struct ma_tc_ent ent[MA_TC_NENT];
};

/* The calling thread's cache; &ma_tc_null (gen 0, every hot entry empty) until it has one. */
extern _Thread_local struct ma_tcache *ma_tc __attribute__((tls_model("initial-exec")));
extern struct ma_tcache ma_tc_null;
/* The owner of shared slabs: never equal to a thread cache. */
extern char ma_slab_no_owner[1];
#define MA_NO_OWNER ((struct ma_tcache *)(void *)ma_slab_no_owner)

/*
 * Empty slabs a thread keeps for reuse (so a burst of allocations after a burst of frees does
 * not go back to the page allocator): each goes back to its cache once it has stayed unused
 * while the thread went through MA_TC_EMPTY_DECAY slow paths (refills and slow frees: a clock
 * that costs nothing and stops while the thread leaves the allocator alone; thread exit and
 * minalign_slab_shrink() drain the rest), and a
 * thread never keeps more than ma_slab_g.empty_max bytes (1/32 of RAM, at least
 * MA_TC_EMPTY_MIN).
 */
#define MA_TC_EMPTY_DECAY 4096u
/* Beyond each entry's newest empty slab: a sweep every 256 slow paths, an age of 1024. */
#define MA_TC_SWEEP_TICKS 256u
#define MA_TC_SWEEP_AGE	  1024u
#define MA_TC_EMPTY_MIN	  ((size_t)512 << 10)
/* Empty slabs a cache keeps before returning them to the page allocator. */
#define MA_CACHE_RESERVE  1

/* ---- slabs ----------------------------------------------------------------------------- */

/*
 * The rfree word, 64 bits on every host: bits 0-1 the remote state, bits 2-47 the head of the
 * remote list (objects are 8-byte aligned, and the RAM mapping lies below 2^48), bits 48-63
 * how many objects the list holds (a slab has fewer than 2^16), so the owner learns the count
 * without walking the list.
 */
#define MA_RF_NORMAL	0u
#define MA_RF_NOTIFY	1u
#define MA_RF_SHARED	2u
#define MA_RF_STATE	3u
#define MA_RF_CNT_SHIFT 48
#define MA_RF_PTR_MASK	(((UINT64_C(1) << MA_RF_CNT_SHIFT) - 1) & ~(uint64_t)MA_RF_STATE)

static inline void *ma_rf_list(uint64_t w)
{
	return (void *)(uintptr_t)(w & MA_RF_PTR_MASK);
}

static inline uint32_t ma_rf_count(uint64_t w)
{
	return (uint32_t)(w >> MA_RF_CNT_SHIFT);
}

/* @w with @p pushed on its list, in state NORMAL. */
static inline uint64_t ma_rf_push(uint64_t w, const void *p)
{
	return (((w >> MA_RF_CNT_SHIFT) + 1) << MA_RF_CNT_SHIFT) | (uint64_t)(uintptr_t)p;
}

enum ma_slab_where {
	MA_SW_CURRENT, /* owned; its objects feed the owner's hot entry */
	MA_SW_PARTIAL, /* owned; on the entry's partial list */
	MA_SW_FULL,    /* owned; on the entry's full list (rfree NOTIFY or a notification due) */
	MA_SW_EMPTY,   /* owned; on the entry's empty list */
	MA_SW_SHARED,  /* shared; on the cache's partial list */
	MA_SW_SHARED_FULL,  /* shared; no free object, on no list */
	MA_SW_SHARED_EMPTY, /* shared; every object free, on the cache's empty list */
};

/* Per-object debug state (debug caches only). */
struct ma_dbg_obj {
	uint32_t req;		/* bytes requested (kmalloc) or the object size */
	uint32_t next;		/* free index stack */
	uint8_t state;		/* MA_DBG_FREE / MA_DBG_LIVE */
	_Atomic uint8_t mapped; /* live DMA mappings holding it (ma_slab_dma_hold()) */
	bool managed;		/* devm_kmalloc() memory: plain kfree() refused */
};
#define MA_DBG_FREE 0
#define MA_DBG_LIVE 1
#define MA_DBG_NONE UINT32_MAX

struct ma_slab {
	/* line 0: the owner's kfree fast path and the hot list's checks */
	_Atomic(struct ma_tcache *) owner;
	void *local_free;	 /* frees by the owner */
	uintptr_t secret;	 /* the cache's secret */
	_Atomic uint32_t nlocal; /* objects on local_free (relaxed: slabinfo reads it) */
	uint32_t mark;		 /* nlocal value that needs the slow path (full->partial, empty) */
	uint32_t amask;		 /* object starts have these address bits clear */
	uint32_t link_off;	 /* offset of the free-list word in a free object */
	uintptr_t base;		 /* CPU address of slot 0 */
	uint32_t stride;	 /* slot size */
	uint32_t span;		 /* nobj * stride: bytes of slots */
	uint8_t gshift;		 /* log2 of the slot-state granule (slot.h) */

	/* line 1: remote frees, then cold fields */
	_Alignas(64) _Atomic uint64_t rfree;
	void *aux;	       /* more free objects: collected remote frees, or shared-mode list */
	_Atomic uint32_t naux; /* objects on aux */
	uint32_t nobj;	       /* slot count */
	struct kmem_cache *cache;
	uint32_t objsize;	/* bytes of a slot that belong to the object (debug: no red zone) */
	uint8_t order, where;	/* enum ma_slab_where */
	uint8_t shift;		/* log2(stride) when stride is a power of two, else 0 */
	bool on_notify;		/* on the owner entry's notify list (cache->lock only) */
	uint32_t dbg_free;	/* debug: top of the free index stack */
	struct ma_dbg_obj *dbg; /* debug: one per object */
	struct ma_list link;	/* entry list (owned) or cache list (shared) */
	struct ma_list all;	/* cache->all */
	struct ma_list nlink;	/* owner entry's notify list (cache->lock only, see tcache.c) */
	struct page *page;	/* head page */
	void *raw;		/* what ma_meta_alloc returned */
	uint64_t empty_since;	/* where == EMPTY: owner's ticks when it became empty */
	struct rcu_head rcu;	/* SLAB_TYPESAFE_BY_RCU: the deferred free (rcu.c) */
};

/* ---- caches ---------------------------------------------------------------------------- */

struct kmem_cache {
	/* read-mostly */
	uint16_t tc_idx; /* thread-cache entry, or MA_TC_NONE */
	uint8_t km_type; /* enum ma_km_type */
	bool debug;	 /* red zones, poisoning, free checks; shared mode only */
	bool typesafe;	 /* SLAB_TYPESAFE_BY_RCU: slab pages freed after a grace period */
	uint32_t link_off;
	uint32_t size;	  /* object size asked for (kmalloc: the class size) */
	uint32_t usable;  /* ksize() */
	uint32_t stride;  /* slot size */
	uint32_t align;	  /* object alignment */
	uint32_t nobj;	  /* objects per slab */
	uint8_t order;	  /* slab order */
	uintptr_t secret; /* free-list obfuscation */
	void (*ctor)(void *);
	gfp_t page_gfp;
	phys_addr_t limit;

	/* shared state */
	_Alignas(64) ma_spinlock_t lock;
	struct ma_list partial; /* shared slabs with free objects */
	struct ma_list empty;	/* shared empty slabs (the reserve) */
	struct ma_list all;	/* every slab */
	unsigned long nslabs;	/* slabs in `all` */
	unsigned long nempty;	/* slabs on `empty` */
	bool dead;		/* destroyed with live objects; freed with its last slab */

	struct ma_list node; /* ma_slab_caches or ma_slab_zombies (ma_slab_mutex) */
	void *raw;	     /* what ma_meta_alloc returned */
	char name[64];
};

/* ---- module globals -------------------------------------------------------------------- */

struct ma_slab_glob {
	uintptr_t ram;	 /* CPU address of RAM; 0 when down */
	size_t ram_size; /* 0 when down: every kfree takes the slow path */
	_Atomic(struct ma_slab *) *map;
	unsigned long gen; /* nonzero while up; thread caches of another value are stale */
	bool debug;	   /* MINALIGN_DEBUG_SLAB */
	size_t empty_max;  /* bytes of empty slabs one thread may keep */
	unsigned int minalign[MA_KM_NR_TYPES];
	uint8_t kidx[MA_KM_NR_TYPES][MA_KM_SMALL_SLOTS];   /* hot entry for small sizes */
	uint8_t kclass[MA_KM_NR_TYPES][MA_KM_SMALL_SLOTS]; /* class for small sizes */
	uint8_t kidx_big[MA_KM_BIG_SLOTS];		   /* hot entry of kmalloc-512..8k */
	struct kmem_cache *kcache[MA_KM_NR_TYPES][MA_KM_NR_CLASSES];
};
extern struct ma_slab_glob ma_slab_g;

extern ma_mutex_t ma_slab_mutex;
extern struct ma_list ma_slab_caches;

/* ---- free-list words ------------------------------------------------------------------- */

/*
 * A link is stored as rotl(next ^ secret, MA_FL_ROT) ^ &word: a write that changes any of the
 * word's three low bytes (an overflow of up to three bytes past an object into its free
 * neighbour) changes the decoded pointer in bits 40 and up, far outside the slab, so the
 * range check made before a link is followed (slot.h) catches it without a memory load.
 */
#define MA_FL_ROT 24

static inline uintptr_t ma_fl_encode(uintptr_t next, uintptr_t secret, uintptr_t where)
{
	uintptr_t v = next ^ secret;

	return ((v << MA_FL_ROT) | (v >> (sizeof(v) * 8 - MA_FL_ROT))) ^ where;
}

static inline void *ma_fl_get(const void *obj, uintptr_t secret, uint32_t off)
{
	const uintptr_t *w = (const uintptr_t *)(const void *)((const char *)obj + off);
	uintptr_t v = *w ^ (uintptr_t)w;

	return (void *)(((v >> MA_FL_ROT) | (v << (sizeof(v) * 8 - MA_FL_ROT))) ^ secret);
}

static inline void ma_fl_set(void *obj, const void *next, uintptr_t secret, uint32_t off)
{
	uintptr_t *w = (uintptr_t *)(void *)((char *)obj + off);

	*w = ma_fl_encode((uintptr_t)next, secret, (uintptr_t)w);
}

/* ---- lookups --------------------------------------------------------------------------- */

/* The slab holding @p, or NULL (not RAM, or not a slab page).  One load. */
static inline struct ma_slab *ma_slab_of(const void *p)
{
	uintptr_t off = (uintptr_t)p - ma_slab_g.ram;

	if (ma_unlikely(off >= ma_slab_g.ram_size))
		return NULL;
	return atomic_load_explicit(&ma_slab_g.map[off >> PAGE_SHIFT], memory_order_acquire);
}

/* Slot index of @p in @s (p inside the slab). */
static inline uint32_t ma_slab_index(const struct ma_slab *s, const void *p)
{
	uint32_t rel = (uint32_t)((uintptr_t)p - s->base);

	return s->shift ? rel >> s->shift : rel / s->stride;
}

#include "slab/slot.h" /* out-of-band slot states and validated free-list links */

static inline void *ma_slab_obj(const struct ma_slab *s, uint32_t i)
{
	return (void *)(s->base + (uintptr_t)i * s->stride);
}

/* ---- fast paths ------------------------------------------------------------------------ */

/*
 * Pop one object from the calling thread's hot entry @idx, else bump one off the current
 * slab's never-used slots; NULL when both are exhausted (the caller then takes the slow path).
 * No generation check: minalign_exit() empties the hot entries of every thread cache, so a
 * stale cache always looks empty here.
 */
static inline void *ma_tc_pop(unsigned int idx, uint32_t link_off)
{
	struct ma_tcache *tc = ma_tc;
	struct ma_tc_hot *h = &tc->hot[idx];
	void *obj = h->free;

	if (ma_likely(obj)) {
		/* never follow a link before the object it names is known to be a free slot */
		if (ma_unlikely(!ma_slot_take(h->cur, obj)))
			return ma_tc_bad_link(tc, h, obj);
		h->free = ma_fl_get(obj, h->secret, link_off);
		/* the next pop reads that object's link: start fetching it now */
		__builtin_prefetch(h->free);
	} else if (ma_likely(h->left)) {
		obj = h->bump;
		ma_slot_take_new(h->cur, obj);
		h->bump += h->stride;
		h->left--;
	} else {
		return NULL;
	}
	tc->nobj++;
	return obj;
}

/*
 * Free @p into @s when the calling thread owns @s and nothing unusual happens: no lock, no
 * atomic read-modify-write.  @p must be the start of a live slot (its out-of-band state byte
 * says LIVE; a multiply and a compare check the start, exactly for every slot size).  False
 * sends the caller to ma_slab_free(), which handles every other case (remote, shared, debug,
 * misuse, and through s->mark: the first free into a full slab, the slab becoming empty).
 */
static inline bool ma_slab_free_fast(struct ma_slab *s, void *p)
{
	struct ma_tcache *tc = ma_tc;
	_Atomic uint8_t *st;
	void *old;
	uint32_t n;

	if (atomic_load_explicit(&s->owner, memory_order_relaxed) != tc)
		return false;
	old = s->local_free;
	n = atomic_load_explicit(&s->nlocal, memory_order_relaxed) + 1;
	st = ma_slot_live(s, p);
	if (ma_unlikely(!st || n == s->mark))
		return false;
	atomic_store_explicit(st, MA_SLOT_FREE, memory_order_relaxed);
	ma_fl_set(p, old, s->secret, s->link_off);
	s->local_free = p;
	atomic_store_explicit(&s->nlocal, n, memory_order_relaxed);
	tc->nobj--;
	return true;
}

/* ---- cross-file functions ---------------------------------------------------------------- */

/* cache.c */
int ma_cache_setup(struct kmem_cache *c, const char *name, unsigned int size, unsigned int align,
		   slab_flags_t flags, void (*ctor)(void *), uint8_t km_type, uint16_t tc_idx);
struct kmem_cache *ma_cache_new(const char *name, unsigned int size, unsigned int align,
				slab_flags_t flags, void (*ctor)(void *), uint8_t km_type,
				uint16_t tc_idx);
void ma_cache_free_all(struct kmem_cache *c);
void ma_cache_free_zombie(struct kmem_cache *c);
void *ma_cache_alloc(struct kmem_cache *c, gfp_t gfp, size_t req);
void ma_cache_shrink(struct kmem_cache *c);

/* cachetab.c: struct kmem_cache storage that is never unmapped (stale handles read "dead") */
struct kmem_cache *ma_cachetab_alloc(void);
void ma_cachetab_free(struct kmem_cache *c);
void ma_cachetab_atfork(bool lock);

/* slab.c */
struct ma_slab *ma_slab_new(struct kmem_cache *c, bool threaded);
void ma_slab_release(struct ma_slab *s);
void ma_slab_reset_lists(struct ma_slab *s);
void *ma_slab_link_slots(struct ma_slab *s, char *first, uint32_t n, void *tail);
void ma_slab_destroy(struct ma_slab *s);
bool ma_slab_put_empty_locked(struct ma_slab *s);
struct ma_slab *ma_slab_take_shared_locked(struct kmem_cache *c);
void ma_slab_own_locked(struct ma_slab *s, struct ma_tcache *tc);
bool ma_slab_abandon_locked(struct ma_slab *s, void *extra);
bool ma_slab_abandon_empty_locked(struct ma_slab *s);
void ma_slab_free(struct ma_slab *s, void *p, struct kmem_cache *expect);
void ma_slab_free_remote(struct ma_slab *s, void *p);
void *ma_slab_alloc_shared(struct kmem_cache *c, size_t req);
uint32_t ma_fl_count(const void *list, uintptr_t secret, uint32_t off);
void ma_slab_report(const struct ma_slab *s, const void *p, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* tcache.c */
int ma_tc_init(void);
struct ma_tcache *ma_tc_get(void);
void *ma_tc_refill(struct ma_tcache *tc, struct kmem_cache *c);
void ma_tc_free_local(struct ma_tcache *tc, struct ma_slab *s, void *p);
void ma_tc_flush_stats(struct ma_tcache *tc);
void ma_tc_drain_cache(struct kmem_cache *c);
void ma_tc_drain_self(struct kmem_cache *only);
void ma_tc_exit_all(void);
/* fork: take (true) or release the thread-cache registry lock. */
void ma_tc_atfork(bool lock);

/* debug.c */
void ma_dbg_slab_init(struct ma_slab *s);
void *ma_dbg_alloc_locked(struct ma_slab *s, size_t req);
bool ma_dbg_check_free(struct ma_slab *s, void *p);
void ma_dbg_free_locked(struct ma_slab *s, void *p);
size_t ma_dbg_req(struct ma_slab *s, const void *p);
bool ma_dbg_is_live(struct ma_slab *s, const void *p, const char *what);
void ma_dbg_resize(struct ma_slab *s, void *p, size_t req);
int ma_dbg_validate_locked(struct ma_slab *s);

/* kmalloc.c */
int ma_kmalloc_init(void);
void ma_kmalloc_exit(void);

/* ---- rcu.c: SLAB_TYPESAFE_BY_RCU -------------------------------------------------------- */
/* Free @s's pages and descriptor after a grace period; false (caller frees now) at exit. */
bool ma_slab_rcu_defer(struct ma_slab *s);
/* Wait until every deferred slab free has run (kmem_cache_destroy, exit). */
void ma_slab_rcu_barrier(void);

#endif /* MINALIGN_SLAB_INTERNAL_H */
