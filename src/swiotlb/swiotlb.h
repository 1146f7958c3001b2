/* SPDX-License-Identifier: MIT */
/*
 * swiotlb/swiotlb.h - bounce pools, private interface (used by dma/).
 *
 * A bounce pool is a block of ordinary cacheable RAM cut into slots of one cache line
 * (ma_cfg.cache_line bytes).  A mapping takes whole slots, never crosses a segment (256 KiB, or
 * the whole pool when it is smaller), keeps the low bits of the original address that the
 * device's min_align_mask asks for, and is page-aligned when it is a page or more.  The static
 * pool of ma_cfg.swiotlb_size bytes is made at init below 4 GiB as one or more pools of at most
 * one max-order buddy block (4 MiB) each; all pools sit on one list.
 *
 * swiotlb/ knows nothing of struct device: callers describe the device with struct ma_tlb_dev.
 */
#ifndef MINALIGN_SWIOTLB_SWIOTLB_H
#define MINALIGN_SWIOTLB_SWIOTLB_H

#include "mm/mm.h"

#define MA_TLB_SEGMENT	 ((size_t)256 << 10) /* a mapping never crosses one */
#define MA_TLB_FAIL	 MINALIGN_PHYS_INVALID
#define MA_TLB_LOW_LIMIT ((phys_addr_t)1 << 32) /* the static pool lives below 4 GiB */

/* What a bounce needs to know of the device. */
struct ma_tlb_dev {
	const char *name;	     /* for reports */
	u64 limit;		     /* highest bus address the device may be handed */
	unsigned int min_align_mask; /* a 2^k-1 mask (0 = none) */
	bool coherent;		     /* no cache maintenance of the bounce buffer */
};

/* The head of struct ma_tlb_pool (swiotlb/internal.h), for the inline lookup. */
struct ma_tlb_pool_range {
	struct ma_tlb_pool *next;
	phys_addr_t start, end;
};
struct ma_tlb_pool;

/*
 * The pools, for the address lookup.  @lo/@span bound every pool (span 0 = no pool), so an
 * address outside all pools is rejected with one compare.  Written only by init and exit while
 * no mapping runs; issue 5 (dynamic pools) turns @head into an RCU-protected list and widens
 * the envelope before publishing a pool.
 */
struct ma_tlb_global {
	struct ma_tlb_pool *head;
	phys_addr_t lo;
	u64 span;
	unsigned int npools;
	unsigned int line_shift;
	size_t max_segment; /* largest segment of any pool, bytes */
	uint64_t epoch;	    /* changes at every init: per-thread caches of older pools are void */
	atomic_uint drain;  /* bumped when the pools are full: threads give their caches back */
};
extern struct ma_tlb_global ma_tlb;

int ma_swiotlb_init(void);
void ma_swiotlb_exit(void);

struct ma_tlb_pool *ma_swiotlb_find_slow(phys_addr_t phys);

/* The pool holding @phys, or NULL.  Cheap: one compare for addresses outside every pool. */
static inline struct ma_tlb_pool *ma_swiotlb_find(phys_addr_t phys)
{
	const struct ma_tlb_pool_range *first = (const void *)ma_tlb.head;

	if (ma_likely(phys - ma_tlb.lo >= ma_tlb.span))
		return NULL;
	if (ma_likely(phys >= first->start && phys < first->end))
		return ma_tlb.head;
	return ma_swiotlb_find_slow(phys);
}

/* True when at least one bounce pool exists. */
static inline bool ma_swiotlb_active(void)
{
	return ma_tlb.span != 0;
}

/* True when some pool lies entirely at or below @limit (a device mask can use it). */
bool ma_swiotlb_reachable(u64 limit);

/* Largest mapping any pool can take for a device with @min_align_mask; SIZE_MAX if no pool. */
static inline size_t ma_swiotlb_max_mapping(unsigned int min_align_mask)
{
	if (!ma_tlb.head)
		return SIZE_MAX;
	return ma_tlb.max_segment - (min_align_mask & (((size_t)1 << ma_tlb.line_shift) - 1));
}

/*
 * ma_swiotlb_map() - bounce [@orig, @orig+@size) (in RAM).
 * @alloc_align_mask: the bounce buffer's start is aligned to it (a 2^k-1 mask, 0 = a line).
 * Copies the original into the bounce buffer (every direction, even with @skip_sync, so a
 * device writing less than the mapping never exposes stale pool bytes) and cleans it.
 * Return: the bounce buffer's physical address, or MA_TLB_FAIL with one "swiotlb" report (pool
 * full, no pool the device reaches, too large).  Thread-safe: takes one area lock.
 */
phys_addr_t ma_swiotlb_map(const struct ma_tlb_dev *td, phys_addr_t orig, size_t size,
			   u64 alloc_align_mask, enum dma_data_direction dir);

/*
 * ma_swiotlb_unmap() - end a bounce mapping of @pool at @tlb.  Copies back for DMA_FROM_DEVICE
 * and DMA_BIDIRECTIONAL unless @skip_sync, then frees the slots.  Return: the number of cache
 * conflicts found on the bounce buffer (always 0: it shares no line), or -1 when @tlb is not
 * the start of a live mapping (reported, nothing freed).  Thread-safe.
 */
int ma_swiotlb_unmap(const struct ma_tlb_dev *td, struct ma_tlb_pool *pool, phys_addr_t tlb,
		     size_t size, enum dma_data_direction dir, bool skip_sync);

/*
 * Sync [@tlb, @tlb+@size), inside a live mapping of @pool: for_cpu copies back (FROM_DEVICE,
 * BIDIRECTIONAL), for_device copies in (TO_DEVICE, BIDIRECTIONAL).  A range outside any live
 * mapping is reported.  Thread-safe.
 */
void ma_swiotlb_sync_for_cpu(const struct ma_tlb_dev *td, struct ma_tlb_pool *pool, phys_addr_t tlb,
			     size_t size, enum dma_data_direction dir);
void ma_swiotlb_sync_for_device(const struct ma_tlb_dev *td, struct ma_tlb_pool *pool,
				phys_addr_t tlb, size_t size, enum dma_data_direction dir);

/* Slots taken in every pool now, per-thread caches included (exact while nothing runs). */
uint64_t ma_swiotlb_used(void);
/* Debug walker: the bitmaps, used counts and slot records agree.  0 or -EUCLEAN (reported). */
int ma_swiotlb_validate(void);

#endif /* MINALIGN_SWIOTLB_SWIOTLB_H */
