/* SPDX-License-Identifier: MIT */
/*
 * swiotlb/swiotlb.h - bounce pools, private interface (used by dma/).
 *
 * A bounce pool is a block of ordinary cacheable RAM cut into slots of one cache line
 * (ma_cfg.cache_line bytes).  A mapping takes whole slots, never crosses a segment (256 KiB, or
 * the whole pool when it is smaller), keeps the low bits of the original address that the
 * device's min_align_mask asks for, and is page-aligned when it is a page or more.  The static
 * pool of ma_cfg.swiotlb_size bytes is made at init below 4 GiB as one or more pools of at most
 * one max-order buddy block (4 MiB) each.
 *
 * Dynamic pools (ma_cfg.swiotlb_dynamic): when no pool has room, the mapping takes a transient
 * pool sized to it, kept on the device's own list and freed after an RCU grace period at its
 * unmap, and a worker thread adds a new pool at the head of the global list.  Growth stops at
 * ma_tlb.limit bytes (RAM/16).  See swiotlb/dynamic.c and swiotlb/transient.c.
 *
 * swiotlb/ knows nothing of struct device: callers describe the device with struct ma_tlb_dev
 * and keep a struct ma_tlb_devstate per device (embedded in dma/'s per-device state).
 */
#ifndef MINALIGN_SWIOTLB_SWIOTLB_H
#define MINALIGN_SWIOTLB_SWIOTLB_H

#include "mm/mm.h"

#define MA_TLB_SEGMENT	 ((size_t)256 << 10) /* a mapping never crosses one */
#define MA_TLB_FAIL	 MINALIGN_PHYS_INVALID
#define MA_TLB_LOW_LIMIT ((phys_addr_t)1 << 32) /* the static pool lives below 4 GiB */
#define MA_TLB_NONE	 (-2) /* unmap/sync: the address is in none of the device's pools */

struct ma_tlb_pool;

/*
 * struct ma_tlb_devstate - what swiotlb/ keeps per device (zeroed, then ma_swiotlb_dev_init()).
 * @used:      set by the first successful bounce, never cleared while the device lives.  While
 *             it is clear, unmap, sync and is_swiotlb_buffer() of the device look at no pool.
 * @transient: the device's transient pools, an RCU list (readers: rcu_read_lock, updaters:
 *             @lock).  Each holds exactly one live mapping.
 * @lock:      serialises updates of @transient.
 */
struct ma_tlb_devstate {
	atomic_bool used;
	_Atomic(struct ma_tlb_pool *) transient;
	ma_spinlock_t lock;
	uint64_t epoch; /* ma_tlb.epoch the transient pools on the list belong to */
};

/* What a bounce needs to know of the device. */
struct ma_tlb_dev {
	const char *name;	     /* for reports */
	u64 limit;		     /* highest bus address the device may be handed */
	unsigned int min_align_mask; /* a 2^k-1 mask (0 = none) */
	bool coherent;		     /* no cache maintenance of the bounce buffer */
	struct ma_tlb_devstate *ds;  /* the device's flag and transient pools */
	/*
	 * Behind an IOMMU: 0, or log2 of the IOVA granule (12..16).  The bounce then starts on a
	 * granule and takes whole granules of slots (the IOMMU maps whole granules, so no other
	 * bounce may share one), and with @pad_zero the slots around the data are zeroed.
	 */
	unsigned int pad_shift;
	bool pad_zero;
};

/* The head of struct ma_tlb_pool (swiotlb/internal.h), for the inline lookup. */
struct ma_tlb_pool_range {
	_Atomic(struct ma_tlb_pool *) next;
	phys_addr_t start, end;
};

/* The worker's state (swiotlb/dynamic.c). */
struct ma_tlb_dyn {
	ma_mutex_t mu;		  /* protects the fields below up to @thread, and the condvars */
	ma_cond_t wake, idle;	  /* worker: a request or stop; waiters: the worker went idle */
	bool running, stop, busy; /* thread started; asked to stop; growing a pool now */
	bool ready;		  /* mu and the condvars are set up (init to exit) */
	uint64_t want;		  /* grow while ma_tlb.gen < want */
	u64 below;		  /* lowest device limit asking since the last pool */
	unsigned int hint;	  /* most slots one failed mapping needed since then */
	ma_thread_t thread;
};

/*
 * The pools.  @head is the global list, newest first: written under @lock by init, the worker
 * and exit, published with release stores and read with acquire loads.  Nothing is removed
 * from it before ma_swiotlb_exit(), when no mapping runs, so a reader needs no read-side
 * section: a pool it found stays valid until exit.  @lo/@hi bound every pool on it (lo only
 * falls and hi only rises while the library is up, so any mix of old and new values a reader
 * sees still bounds every pool it can have been handed).
 */
struct ma_tlb_global {
	_Atomic(struct ma_tlb_pool *) head;
	_Atomic phys_addr_t lo, hi; /* [lo, hi) bounds every pool of @head; hi 0 = no pool */
	unsigned int npools;	    /* on @head (under @lock) */
	unsigned int line_shift;
	size_t max_segment; /* largest mapping a pool can take (init-time constant) */
	uint64_t epoch;	    /* changes at every init: per-thread caches of older pools are void */
	atomic_uint drain;  /* bumped when the pools are full: threads give their caches back */
	bool dynamic;	    /* ma_cfg.swiotlb_dynamic and a static pool exists */
	ma_spinlock_t lock; /* writers of @head/@lo/@hi/@npools; the transient pool list */
	struct ma_tlb_pool *transient; /* every transient pool not yet retired (under @lock) */
	_Atomic uint64_t bytes;	       /* held by every pool, retired transient ones included */
	uint64_t limit; /* @bytes never exceeds it (RAM/16, at least the static pool) */
	atomic_uint transient_slots; /* slots of live transient pools (the high-water sum) */
	atomic_uint gen;	     /* pools the worker has published */
	struct ma_tlb_dyn dyn;
};
extern struct ma_tlb_global ma_tlb;

int ma_swiotlb_init(void);
void ma_swiotlb_exit(void);
/*
 * fork: PREPARE takes the worker's mutex, ma_tlb.lock and the area locks of the global pools
 * (in that order); PARENT releases them; CHILD releases them and forgets the worker thread (the
 * child's first growth starts its own).  Transient pools' area locks are not taken: a child
 * never frees another thread's transient mapping.
 */
void ma_swiotlb_atfork(enum ma_fork_phase phase);

struct ma_tlb_pool *ma_swiotlb_find_slow(phys_addr_t phys);

/*
 * The global pool holding @phys, or NULL.  Cheap: two compares for addresses outside every
 * pool; inside, the newest pool is checked inline.  Transient pools are not on this list.
 */
static inline struct ma_tlb_pool *ma_swiotlb_find(phys_addr_t phys)
{
	const struct ma_tlb_pool_range *first;

	if (ma_likely(phys < atomic_load_explicit(&ma_tlb.lo, memory_order_relaxed) ||
		      phys >= atomic_load_explicit(&ma_tlb.hi, memory_order_relaxed)))
		return NULL;
	first = (const void *)atomic_load_explicit(&ma_tlb.head, memory_order_acquire);
	if (ma_likely(phys >= first->start && phys < first->end))
		return (struct ma_tlb_pool *)first;
	return ma_swiotlb_find_slow(phys);
}

/* True when at least one bounce pool exists. */
static inline bool ma_swiotlb_active(void)
{
	return atomic_load_explicit(&ma_tlb.hi, memory_order_relaxed) != 0;
}

/* True when some pool lies entirely at or below @limit (a device mask can use it). */
bool ma_swiotlb_reachable(u64 limit);

/*
 * Largest mapping any pool can take for a device with @min_align_mask; SIZE_MAX if no pool.  As
 * Linux: the whole mask, rounded up to a slot, comes off the segment (a mapping keeps its
 * address's offset under the mask, up to the mask itself, in front of its bytes).
 */
static inline size_t ma_swiotlb_max_mapping(unsigned int min_align_mask)
{
	size_t slot = (size_t)1 << ma_tlb.line_shift;

	if (!ma_swiotlb_active())
		return SIZE_MAX;
	if (!min_align_mask)
		return ma_tlb.max_segment;
	return ma_tlb.max_segment - MA_ALIGN_UP((size_t)min_align_mask, slot);
}

/*
 * ---- the "has used swiotlb" flag: memory ordering -----------------------------------------
 *
 * The writer is ma_swiotlb_map() (map.c), after the slots (or the transient pool) are taken
 * and the transient pool, if any, is on the device's list:
 *	[W1] store ds->used = true (relaxed; skipped when a relaxed load already reads true)
 *	[W2] release fence			- pairs with [R1]
 *	return the bounce address; the driver hands it to thread B by a store X
 * The reader is thread B in unmap / sync / is_swiotlb_buffer (ma_swiotlb_dev_used()):
 *	the driver's load Y of the address, reading X
 *	[R1] acquire fence			- pairs with [W2]
 *	[R2] load ds->used (relaxed), then the envelope, ma_tlb.head and ds->transient
 *
 * Claim: B's [R2] reads true, and B's list walk finds the pool.  If X and Y are atomic (even
 * relaxed), [W2] synchronises with [R1], so everything thread A did before [W2] happens
 * before everything B does after [R1].  If the driver used a lock or another synchronising
 * channel, that channel gives the same happens-before, and the fences add nothing.  Then:
 *  - the flag: A's [W1] (or A's load that read true) happens before B's [R2], so by write-read
 *    (read-read) coherence [R2] reads that true or a later value; no later value is false.
 *  - a global pool P: A found P through an acquire load of a link published by a release store
 *    of the worker (or by init), after the worker had initialised P and widened lo/hi.  So the
 *    worker's writes happen before B's loads; B reads those values of lo, hi and head or later
 *    ones, and later ones still reach P (pools are only added, at the head; lo only falls and
 *    hi only rises).
 *  - a transient pool T: A linked T at the head of ds->transient with a release store before
 *    [W2]; B's load reads that link or a later one, and T leaves the list only at the unmap of
 *    its own mapping.
 * Without the fences, a relaxed hand-over would let B read a stale false and treat a bounce
 * address as a direct mapping (no copy back, a leaked slot).  Linux uses smp_mb() / smp_rmb()
 * for the same pair (dma_uses_io_tlb); C11's release fence already orders every earlier load
 * and store (the pool list reads included) before every later store, which is all [W2] needs.
 *
 * Under ThreadSanitizer the fences are compiler barriers: TSan does not model fences (GCC
 * warns, -Wtsan), and the suite hands addresses over through channels TSan understands.
 */
#if defined(__SANITIZE_THREAD__)
#define MA_TLB_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MA_TLB_TSAN 1
#endif
#endif

#ifdef MA_TLB_TSAN
#define ma_tlb_fence_release() __asm__ volatile("" ::: "memory")
#define ma_tlb_fence_acquire() __asm__ volatile("" ::: "memory")
#else
#define ma_tlb_fence_release() atomic_thread_fence(memory_order_release)
#define ma_tlb_fence_acquire() atomic_thread_fence(memory_order_acquire)
#endif

/* [R1] + [R2]: has the device ever bounced?  False means no address of it is a bounce buffer. */
static inline bool ma_swiotlb_dev_used(const struct ma_tlb_devstate *ds)
{
	ma_tlb_fence_acquire(); /* [R1] pairs with [W2] in ma_swiotlb_map() */
	return atomic_load_explicit(&ds->used, memory_order_relaxed);
}

void ma_swiotlb_dev_init(struct ma_tlb_devstate *ds);
/* The device goes away: its transient pools (leaked mappings) are kept until exit. */
void ma_swiotlb_dev_exit(struct ma_tlb_devstate *ds);

/*
 * ma_swiotlb_map() - bounce [@orig, @orig+@size) (in RAM).
 * @alloc_align_mask: the bounce buffer's start is aligned to it (a 2^k-1 mask, 0 = a line).
 * Copies the original into the bounce buffer (every direction, even with @skip_sync, so a
 * device writing less than the mapping never exposes stale pool bytes) and cleans it.  With
 * dynamic pools, a mapping no pool has room for takes a transient pool and wakes the worker.
 * Return: the bounce buffer's physical address, or MA_TLB_FAIL with one "swiotlb" report (pools
 * full and no growth, no pool the device reaches, too large).  Thread-safe.
 */
phys_addr_t ma_swiotlb_map(const struct ma_tlb_dev *td, phys_addr_t orig, size_t size,
			   u64 alloc_align_mask, enum dma_data_direction dir);

/*
 * ma_swiotlb_unmap() - end the bounce mapping of @td's device at @tlb.  Copies back for
 * DMA_FROM_DEVICE and DMA_BIDIRECTIONAL unless @skip_sync, then frees the slots (a transient
 * pool after a grace period).  Call only when ma_swiotlb_dev_used(td->ds).
 * Return: MA_TLB_NONE when @tlb is in none of the device's pools (a direct mapping), -1 when it
 * is not the start of a live mapping (reported, nothing freed), else the number of cache
 * conflicts found on the bounce buffer (always 0: it shares no line).  Thread-safe.
 */
int ma_swiotlb_unmap(const struct ma_tlb_dev *td, phys_addr_t tlb, size_t size,
		     enum dma_data_direction dir, bool skip_sync);

/*
 * ma_swiotlb_sync() - sync [@tlb, @tlb+@size), inside a live mapping: for_cpu copies back
 * (FROM_DEVICE, BIDIRECTIONAL), for_device copies in (TO_DEVICE, BIDIRECTIONAL).  A range in a
 * pool but outside any live mapping is reported.  Call only when ma_swiotlb_dev_used(td->ds).
 * Return: MA_TLB_NONE when @tlb is in none of the device's pools, else 0.  Thread-safe.
 */
int ma_swiotlb_sync(const struct ma_tlb_dev *td, phys_addr_t tlb, size_t size,
		    enum dma_data_direction dir, bool for_cpu);

/* Is @phys in a bounce pool of the device with state @ds (NULL: of any device)? */
bool ma_swiotlb_is_bounce(const struct ma_tlb_devstate *ds, phys_addr_t phys);

/* Slots taken in every pool now, per-thread caches included (exact while nothing runs). */
uint64_t ma_swiotlb_used(void);
/* Debug walker: the bitmaps, used counts and slot records agree.  0 or -EUCLEAN (reported). */
int ma_swiotlb_validate(void);
/*
 * Tests: wait until the worker has served every request made so far and, with @frees, every
 * transient pool retired so far is freed (an RCU barrier).  Not from inside the library.
 */
void ma_swiotlb_quiesce(bool frees);

#endif /* MINALIGN_SWIOTLB_SWIOTLB_H */
