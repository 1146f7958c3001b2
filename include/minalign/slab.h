/* SPDX-License-Identifier: MIT */
/*
 * minalign/slab.h - the slab allocator: kmem_cache and the kmalloc family, with Linux's names
 * and signatures, and the library's own slabinfo.
 *
 * The minimum alignment of kmalloc objects depends on the configured policy (DESIGN.md
 * section 4): LEGACY keeps every object cache-line aligned; BOUNCE, DMA_OPT_IN and NAIVE drop it
 * to 8 bytes (BOUNCE falls back to the cache line when no bounce pool is configured); PACKED
 * keeps the cache line unless the caller passes __GFP_PACKED.  GFP_DMA allocations always get
 * cache-line-aligned objects below 4 GiB.  Power-of-two sizes are naturally aligned.
 */
#ifndef MINALIGN_SLAB_H
#define MINALIGN_SLAB_H

#include <minalign/types.h>
#include <minalign/mm.h>

MINALIGN_BEGIN_DECLS

/* Largest kmalloc size served by a slab cache; larger requests go to the page allocator. */
#define KMALLOC_MAX_CACHE_SIZE 8192UL
/* Largest kmalloc size at all (one MAX_PAGE_ORDER block). */
#define KMALLOC_MAX_SIZE       (PAGE_SIZE << MAX_PAGE_ORDER)
/* The smallest alignment kmalloc ever gives (policies BOUNCE, DMA_OPT_IN, NAIVE). */
#define ARCH_KMALLOC_MINALIGN  8
/* The smallest alignment of kmem_cache objects. */
#define ARCH_SLAB_MINALIGN     8
/*
 * The DMA alignment as a compile-time constant.  The configured cache line is a runtime value
 * (minalign_config.cache_line, dma_get_cache_alignment()); the constant is the largest line
 * minalign supports, so a buffer aligned to it owns its lines under every configuration (at
 * the price of up to 256 bytes of padding where the real line is smaller).
 */
#define ARCH_DMA_MINALIGN      256
/* A member that a device writes, in a struct the CPU also uses: it starts its own lines. */
#define __dma_aligned	       __attribute__((__aligned__(ARCH_DMA_MINALIGN)))

/* What kmalloc(0) returns: not NULL, and faults on any access in the kernel. */
#define ZERO_SIZE_PTR	    ((void *)16)
#define ZERO_OR_NULL_PTR(x) ((uintptr_t)(x) <= (uintptr_t)ZERO_SIZE_PTR)

typedef unsigned int slab_flags_t;

/* kmem_cache_create() flags (Linux's names and values). */
#define SLAB_CONSISTENCY_CHECKS 0x00000100u /* the same as SLAB_RED_ZONE */
#define SLAB_RED_ZONE		0x00000400u /* debug this cache (red zones, poisoning, free checks) */
#define SLAB_POISON		0x00000800u /* the same as SLAB_RED_ZONE */
/*
 * Align objects to the cache line, halved while the object fits in half of it (Linux's
 * calculate_alignment(): a 24-byte object gets 32); objects of half a line or more own their
 * lines.
 */
#define SLAB_HWCACHE_ALIGN	0x00002000u
#define SLAB_CACHE_DMA		0x00004000u /* slabs below 4 GiB */
#define SLAB_CACHE_DMA32	0x00008000u /* slabs below 4 GiB */
#define SLAB_STORE_USER		0x00010000u /* accepted and ignored */
#define SLAB_RECLAIM_ACCOUNT	0x00020000u /* accepted and ignored */
#define SLAB_PANIC		0x00040000u /* a failed kmem_cache_create() aborts after its report */
/*
 * Objects stay objects of this cache until an RCU grace period (liburcu) has passed since their
 * slab emptied: a reader in an RCU read-side section may still look at a freed object (it may
 * be reused at once, so the reader must revalidate it, as in Linux).  The free-list link lives
 * outside the object.
 */
#define SLAB_TYPESAFE_BY_RCU	0x00080000u
#define SLAB_NOLEAKTRACE	0x00800000u /* accepted and ignored */
#define SLAB_NO_MERGE		0x01000000u /* accepted: caches are never merged */
#define SLAB_ACCOUNT		0x04000000u /* accepted and ignored */

struct kmem_cache; /* opaque */

/**
 * kmem_cache_create() - create a cache of fixed-size objects.
 * @name: name shown by slabinfo (copied; at most 63 characters are kept).
 * @size: object size in bytes, 1..KMALLOC_MAX_SIZE.
 * @align: minimum alignment, 0 or a power of two; at least ARCH_SLAB_MINALIGN is used.
 * @flags: SLAB_* flags; SLAB_HWCACHE_ALIGN raises the alignment to the cache line.
 * @ctor: called once for every object when its slab is created (objects keep their constructed
 *        state across free and allocation, as in Linux); may be NULL.
 *
 * Takes the global slab mutex.  Return: the cache, or NULL with a report for a bad argument or
 * when the library is not initialised; NULL without a report when metadata cannot be allocated.
 */
MINALIGN_API struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
						  unsigned int align, slab_flags_t flags,
						  void (*ctor)(void *));

/**
 * kmem_cache_alloc() - allocate one object.
 * @cache: the cache.
 * @flags: GFP flags; __GFP_ZERO zeroes the object.
 *
 * Lock-free on the calling thread's own slabs.  Return: the object, or NULL when out of memory
 * (no report) or @cache is NULL (a report).
 */
MINALIGN_API void *kmem_cache_alloc(struct kmem_cache *cache, gfp_t flags);

/**
 * kmem_cache_create_usercopy() - kmem_cache_create() with a hardened-usercopy window
 * [@useroffset, @useroffset + @usersize) inside the object; the window is checked (it must lie
 * in the object: else a report and NULL) and otherwise unused (there is no user space here).
 */
MINALIGN_API struct kmem_cache *kmem_cache_create_usercopy(const char *name, unsigned int size,
							   unsigned int align, slab_flags_t flags,
							   unsigned int useroffset,
							   unsigned int usersize,
							   void (*ctor)(void *));

/* A cache for struct @__struct named after it (Linux's helpers). */
#define KMEM_CACHE(__struct, __flags)                                                       \
	kmem_cache_create(#__struct, sizeof(struct __struct), __alignof__(struct __struct), \
			  (__flags), NULL)
#define KMEM_CACHE_USERCOPY(__struct, __flags, __field)                                      \
	kmem_cache_create_usercopy(                                                          \
		#__struct, sizeof(struct __struct), __alignof__(struct __struct), (__flags), \
		offsetof(struct __struct, __field), sizeof(((struct __struct *)0)->__field), NULL)

/**
 * kmem_cache_alloc_bulk() - allocate @size objects into @p, all or nothing.
 * Return: @size, or 0 (nothing allocated, @p's contents undefined) when any allocation fails
 * or @s is NULL (reported).
 */
MINALIGN_API int kmem_cache_alloc_bulk(struct kmem_cache *s, gfp_t flags, size_t size, void **p);
/**
 * kmem_cache_free_bulk() - free @size objects of @s from @p; with a NULL @s each is a kmalloc
 * object (kfree()).  Each object is checked as kmem_cache_free() checks it.
 */
MINALIGN_API void kmem_cache_free_bulk(struct kmem_cache *s, size_t size, void **p);
/** kfree_bulk() - kfree() @size objects from @p. */
static inline void kfree_bulk(size_t size, void **p)
{
	kmem_cache_free_bulk(NULL, size, p);
}

/** kmem_cache_zalloc() - kmem_cache_alloc() with __GFP_ZERO. */
MINALIGN_API void *kmem_cache_zalloc(struct kmem_cache *cache, gfp_t flags);

/**
 * kmem_cache_free() - free an object of @cache.
 * @cache: the cache the object came from.
 * @obj: the object; NULL is ignored.
 *
 * A pointer that belongs to another cache, is not an object start, is already free or is not
 * slab memory is reported once and nothing changes.
 */
MINALIGN_API void kmem_cache_free(struct kmem_cache *cache, void *obj);

/**
 * kmem_cache_destroy() - destroy a cache.
 * @cache: the cache; NULL is ignored.
 *
 * No other thread may use @cache meanwhile.  Objects still allocated are reported (one report)
 * and their slabs stay allocated (and can still be freed with kfree) until they are empty.
 */
MINALIGN_API void kmem_cache_destroy(struct kmem_cache *cache);

/**
 * kmem_cache_shrink() - return @cache's empty slabs, including the calling thread's cached
 * slabs, to the page allocator.  Return: 0, or -EINVAL for a NULL cache.
 */
MINALIGN_API int kmem_cache_shrink(struct kmem_cache *cache);

/** kmem_cache_size() - the object size @cache was created with (0 for NULL). */
MINALIGN_API unsigned int kmem_cache_size(struct kmem_cache *cache);

/**
 * kmalloc() - allocate @size bytes.
 * @size: bytes; 0 returns ZERO_SIZE_PTR; above KMALLOC_MAX_CACHE_SIZE whole pages are used.
 * @flags: GFP flags: __GFP_ZERO zeroes, GFP_DMA gives a cache-line-aligned object below 4 GiB
 *         (the dma-kmalloc-N caches), __GFP_PACKED under the PACKED policy an 8-byte aligned one
 *         (the kmalloc-packed-N caches).
 *
 * Return: the memory, or NULL when out of memory or @size exceeds KMALLOC_MAX_SIZE (no report),
 * or when the library is not initialised (a report).
 */
MINALIGN_API void *kmalloc(size_t size, gfp_t flags);
/** kzalloc() - kmalloc() with __GFP_ZERO. */
MINALIGN_API void *kzalloc(size_t size, gfp_t flags);
/** kmalloc_array() - kmalloc(@n * @size); NULL when the product overflows. */
MINALIGN_API void *kmalloc_array(size_t n, size_t size, gfp_t flags);
/** kcalloc() - zeroed kmalloc_array(). */
MINALIGN_API void *kcalloc(size_t n, size_t size, gfp_t flags);

/**
 * krealloc() - resize a kmalloc allocation, keeping its contents.
 * @p: the allocation, or NULL (then this is kmalloc()).
 * @new_size: bytes; 0 frees @p and returns ZERO_SIZE_PTR.
 * @flags: GFP flags for a new allocation; __GFP_ZERO zeroes the bytes beyond the old size.
 *
 * Stays in place when the object is large enough and of the kind @flags asks for (DMA, packed).
 * Return: the (possibly moved) memory; NULL on failure, leaving @p untouched.
 */
MINALIGN_API void *krealloc(const void *p, size_t new_size, gfp_t flags);

/**
 * kfree() - free a kmalloc allocation.
 * @p: the allocation; NULL and ZERO_SIZE_PTR are ignored.
 *
 * Lock-free for objects of the calling thread's slabs; objects of other threads' slabs go to
 * their slab's remote free list.  A pointer outside RAM, into a page that is not slab or
 * kmalloc memory, or (cheaply detectable) not at an object start is reported and ignored.
 */
MINALIGN_API void kfree(const void *p);

/** ksize() - usable size of the allocation at @p (0 for NULL/ZERO_SIZE_PTR or a bad pointer). */
MINALIGN_API size_t ksize(const void *p);

/**
 * kmalloc_size_roundup() - the size kmalloc(@size) really allocates: 0 for 0, the size class
 * up to KMALLOC_MAX_CACHE_SIZE, whole pages (PAGE_SIZE << get_order()) above, and @size itself
 * when kmalloc could never satisfy it.  Uses the active policy (GFP_KERNEL allocations).
 */
MINALIGN_API size_t kmalloc_size_roundup(size_t size);

/** kmalloc_node() - kmalloc(); @node is accepted and ignored (one memory node). */
MINALIGN_API void *kmalloc_node(size_t size, gfp_t flags, int node);
/** kzalloc_node() - kzalloc(); @node ignored. */
MINALIGN_API void *kzalloc_node(size_t size, gfp_t flags, int node);
/** kmalloc_array_node() - kmalloc_array(); @node ignored. */
MINALIGN_API void *kmalloc_array_node(size_t n, size_t size, gfp_t flags, int node);
/** kcalloc_node() - kcalloc(); @node ignored. */
MINALIGN_API void *kcalloc_node(size_t n, size_t size, gfp_t flags, int node);
/**
 * krealloc_array() - krealloc(@p, @new_n * @new_size); NULL (and @p untouched) when the
 * product overflows or the allocation fails.
 */
MINALIGN_API void *krealloc_array(void *p, size_t new_n, size_t new_size, gfp_t flags);
/**
 * kfree_sensitive() - zero the whole allocation (ksize() bytes) and kfree() it; NULL and
 * ZERO_SIZE_PTR are ignored.
 */
MINALIGN_API void kfree_sensitive(const void *objp);

/**
 * kvmalloc() - kmalloc(), falling back to vmalloc() (host memory outside the simulated RAM:
 * not DMA-able) for sizes kmalloc cannot give, when @flags allow sleeping (__GFP_DIRECT_RECLAIM).
 * Free with kvfree().
 */
MINALIGN_API void *kvmalloc(size_t size, gfp_t flags);
/** kvzalloc() - kvmalloc() with __GFP_ZERO. */
MINALIGN_API void *kvzalloc(size_t size, gfp_t flags);
/** kvmalloc_array() - kvmalloc(@n * @size); NULL when it overflows. */
MINALIGN_API void *kvmalloc_array(size_t n, size_t size, gfp_t flags);
/** kvcalloc() - zeroed kvmalloc_array(). */
MINALIGN_API void *kvcalloc(size_t n, size_t size, gfp_t flags);
/** kvfree() - free kvmalloc() memory: vfree() or kfree() as it was allocated; NULL ignored. */
MINALIGN_API void kvfree(const void *addr);
/** kvfree_sensitive() - zero @len bytes of @addr, then kvfree(). */
MINALIGN_API void kvfree_sensitive(const void *addr, size_t len);

/** kstrdup() - kmalloc'ed copy of @s; NULL for NULL or on failure. */
MINALIGN_API char *kstrdup(const char *s, gfp_t flags);
/** kmemdup() - kmalloc'ed copy of @len bytes at @src; NULL on failure. */
MINALIGN_API void *kmemdup(const void *src, size_t len, gfp_t flags);
/** kstrndup() - kmalloc'ed copy of at most @max bytes of @s, NUL-terminated; NULL for NULL. */
MINALIGN_API char *kstrndup(const char *s, size_t max, gfp_t gfp);
/** kmemdup_nul() - kmalloc'ed copy of @len bytes of @s plus a NUL; NULL for NULL. */
MINALIGN_API char *kmemdup_nul(const char *s, size_t len, gfp_t gfp);
/**
 * kstrdup_const() - kstrdup(); Linux returns @s itself when it is in .rodata, minalign always
 * copies (which kfree_const() handles).
 */
MINALIGN_API const char *kstrdup_const(const char *s, gfp_t gfp);
/** kfree_const() - kfree() @x unless it is not kmalloc memory (then nothing). */
MINALIGN_API void kfree_const(const void *x);

/**
 * dma_get_cache_alignment() - the DMA alignment: the configured cache line, or 128 when the
 * library is not initialised.  An int, as in Linux.
 */
MINALIGN_API int dma_get_cache_alignment(void);

/*
 * DMA-safe kmalloc (Linus's opt-in proposal, the DMA_OPT_IN policy): an object that owns whole
 * cache lines, so it may be mapped for any direction without a bounce.  The pointer is __dma:
 * sparse checks that code which opts in (docs/sparse.md) maps only such memory.
 */

/**
 * dma_kmalloc() - kmalloc(@size, @flags | GFP_DMA): a cache-line-aligned object of the
 * dma-kmalloc-N caches (below 4 GiB, so NULL on a machine without RAM there), or whole pages
 * beyond KMALLOC_MAX_CACHE_SIZE.  Same size, zeroing and failure rules as kmalloc().
 */
MINALIGN_API void __dma *dma_kmalloc(size_t size, gfp_t flags);
/** dma_kzalloc() - dma_kmalloc() with __GFP_ZERO. */
MINALIGN_API void __dma *dma_kzalloc(size_t size, gfp_t flags);
/** dma_kfree() - free a dma_kmalloc() object (kfree(); NULL and ZERO_SIZE_PTR are ignored). */
MINALIGN_API void dma_kfree(const void __dma *p);

/* ---- minalign extensions -------------------------------------------------------------- */

/*
 * RCU read-side sections for readers of SLAB_TYPESAFE_BY_RCU objects (liburcu underneath;
 * <minalign/linux.h> maps rcu_read_lock(), rcu_read_unlock() and synchronize_rcu() onto them).
 * Sections nest; minalign_synchronize_rcu() must not be called inside one.
 */
MINALIGN_API void minalign_rcu_read_lock(void);
MINALIGN_API void minalign_rcu_read_unlock(void);
MINALIGN_API void minalign_synchronize_rcu(void);

/* One cache as /proc/slabinfo 2.1 shows it. */
struct minalign_slabinfo {
	const char *name;
	unsigned long active_objs, num_objs;
	unsigned int objsize, objperslab, pagesperslab;
	unsigned long active_slabs, num_slabs;
};

/**
 * minalign_slab_foreach() - call @fn for every cache, in creation order.
 * @fn: callback; @info and the strings in it are valid during the call only.  @fn may call
 *      any allocator function.
 * @arg: passed to @fn.
 *
 * active_objs is approximate while other threads allocate: objects in a thread's current slab
 * count as active (as in Linux's SLUB).
 *
 * Return: 0; the first nonzero value @fn returns (iteration stops); -ENODEV when not
 * initialised; -ENOMEM when the snapshot cannot be allocated; -EINVAL for a NULL @fn.
 */
MINALIGN_API int minalign_slab_foreach(int (*fn)(const struct minalign_slabinfo *info, void *arg),
				       void *arg);

/**
 * minalign_slab_shrink() - give the calling thread's cached slabs back to their caches and
 * return every empty slab of every cache to the page allocator.  Tests call it before
 * comparing free pages; long-lived idle threads may call it to release memory.
 */
MINALIGN_API void minalign_slab_shrink(void);

MINALIGN_END_DECLS

#endif /* MINALIGN_SLAB_H */
