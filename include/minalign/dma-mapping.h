/* SPDX-License-Identifier: MIT */
/*
 * minalign/dma-mapping.h - the DMA API: masks, streaming mappings, coherent memory.
 *
 * Linux's names, signatures and semantics.  A dma_addr_t is the physical address the device
 * puts on the bus.  Streaming mappings hand a buffer to the device and back: the map call
 * cleans/invalidates the CPU cache as the direction needs (or bounces the buffer through the
 * SWIOTLB pool when it shares cache lines with other data, lies beyond the device's mask, or
 * the device is force_bounce); the unmap call gives the buffer back to the CPU.
 */
#ifndef MINALIGN_DMA_MAPPING_H
#define MINALIGN_DMA_MAPPING_H

#include <minalign/types.h>
#include <minalign/mm.h>
#include <minalign/device.h>

MINALIGN_BEGIN_DECLS

#define DMA_BIT_MASK(n)	  (((n) >= 64) ? ~0ULL : ((1ULL << (n)) - 1))
#define DMA_MAPPING_ERROR (~(dma_addr_t)0)

/* Attributes (Linux's values); what each does here is in docs/api.md. */
#define DMA_ATTR_WEAK_ORDERING	    (1UL << 1) /* no-op: the simulated bus is ordered */
#define DMA_ATTR_WRITE_COMBINE	    (1UL << 2) /* no-op: coherent memory is uncached anyway */
#define DMA_ATTR_NO_KERNEL_MAPPING  (1UL << 4) /* dma_alloc_attrs returns a cookie, not memory */
#define DMA_ATTR_SKIP_CPU_SYNC	    (1UL << 5) /* no cache maintenance and no bounce copies */
#define DMA_ATTR_FORCE_CONTIGUOUS   (1UL << 6) /* no-op: allocations are always contiguous */
#define DMA_ATTR_ALLOC_SINGLE_PAGES (1UL << 7) /* no-op */
#define DMA_ATTR_NO_WARN	    (1UL << 8) /* accepted; failures are still reported */
#define DMA_ATTR_PRIVILEGED	    (1UL << 9) /* no-op: the simulated bus has no privilege */

/* valid_dma_direction() - @dir is one a mapping may use. */
static inline int valid_dma_direction(enum dma_data_direction dir)
{
	return dir == DMA_BIDIRECTIONAL || dir == DMA_TO_DEVICE || dir == DMA_FROM_DEVICE;
}

/*
 * Unmap state kept in a driver's own structures (Linux's CONFIG_NEED_DMA_MAP_STATE form: the
 * fields always exist, so the address and length are there to pass back to the unmap).
 */
#define DEFINE_DMA_UNMAP_ADDR(ADDR_NAME)	dma_addr_t ADDR_NAME
#define DEFINE_DMA_UNMAP_LEN(LEN_NAME)		u32 LEN_NAME
#define dma_unmap_addr(PTR, ADDR_NAME)		((PTR)->ADDR_NAME)
#define dma_unmap_addr_set(PTR, ADDR_NAME, VAL) (((PTR)->ADDR_NAME) = (VAL))
#define dma_unmap_len(PTR, LEN_NAME)		((PTR)->LEN_NAME)
#define dma_unmap_len_set(PTR, LEN_NAME, VAL)	(((PTR)->LEN_NAME) = (VAL))

/**
 * dma_set_mask() - set the streaming DMA mask (*@dev->dma_mask).
 * @dev: the device.
 * @mask: DMA_BIT_MASK(n).
 *
 * As Linux's dma_direct_supported(): every mask of 32 bits or more is accepted (buffers beyond
 * it are bounced, or their mappings fail), as is a mask covering all RAM; a narrower one must
 * reach the bounce pool (or, without a pool, the first page of RAM).
 *
 * Return: 0; -EIO when the mask is not supported or @dev->dma_mask is NULL, in which case
 * nothing changes; -EINVAL for a NULL @dev (reported).  Not thread-safe against mappings on
 * @dev (set masks before using the device).
 */
MINALIGN_API int dma_set_mask(struct device *dev, u64 mask);

/** dma_set_coherent_mask() - the same for dma_alloc_coherent() memory (@dev->coherent_dma_mask). */
MINALIGN_API int dma_set_coherent_mask(struct device *dev, u64 mask);

/** dma_set_mask_and_coherent() - dma_set_mask(), then the coherent mask when it succeeded. */
MINALIGN_API int dma_set_mask_and_coherent(struct device *dev, u64 mask);

/** dma_get_mask() - *@dev->dma_mask, or DMA_BIT_MASK(32) when there is none (as Linux). */
MINALIGN_API u64 dma_get_mask(struct device *dev);

/**
 * dma_set_min_align_mask() - keep the low bits of original addresses in bounce addresses.
 * @dev: the device.
 * @min_align_mask: e.g. 4095 for NVMe; stored as given in @dev->dma_parms (bounce pools use
 *	the 2^k-1 mask covering it).  No dma_parms (or a NULL @dev): reported, nothing stored.
 */
MINALIGN_API void dma_set_min_align_mask(struct device *dev, unsigned int min_align_mask);

/** dma_get_min_align_mask() - what dma_set_min_align_mask() stored (0 without dma_parms). */
MINALIGN_API unsigned int dma_get_min_align_mask(struct device *dev);

/**
 * dma_set_max_seg_size() - the longest scatterlist segment @dev takes (DMA-API debug checks
 * mapped segments against it).
 * Return: 0, or -EIO (reported) when @dev has no dma_parms or is NULL.  (Linux 6.11 made this
 * void; int keeps callers of both generations compiling.)
 */
MINALIGN_API int dma_set_max_seg_size(struct device *dev, unsigned int size);
/** dma_get_max_seg_size() - @dev's max segment size, or 65536 when unset (as Linux). */
MINALIGN_API unsigned int dma_get_max_seg_size(struct device *dev);
/**
 * dma_set_seg_boundary() - no segment of @dev may cross a multiple of @mask + 1.
 * Return: 0, or -EIO (reported) when @dev has no dma_parms or is NULL.
 */
MINALIGN_API int dma_set_seg_boundary(struct device *dev, unsigned long mask);
/** dma_get_seg_boundary() - @dev's segment boundary mask, or ULONG_MAX when unset. */
MINALIGN_API unsigned long dma_get_seg_boundary(struct device *dev);

/**
 * dma_map_single_attrs() - map a CPU buffer for streaming DMA.
 * @dev: the device.
 * @ptr: buffer in RAM (__dma: code that opts in to the sparse check must pass DMA-safe memory,
 *	docs/sparse.md).
 * @size: bytes (> 0).
 * @dir: DMA_TO_DEVICE, DMA_FROM_DEVICE or DMA_BIDIRECTIONAL.
 * @attrs: 0 or DMA_ATTR_SKIP_CPU_SYNC.
 *
 * Return: the bus address, or DMA_MAPPING_ERROR with one report when an argument is wrong (NULL
 * device, buffer not in RAM, size 0, bad direction), the buffer must be bounced and no bounce
 * pool can take it (none configured, full, beyond the device's reach, or larger than
 * swiotlb_max_mapping_size()), or the buffer is beyond the device's mask and cannot be bounced;
 * with MINALIGN_DEBUG_DMA also when an inbound mapping for a non-coherent device would map a
 * packed object or share a cache line with another live inbound direct mapping (refused before
 * any cache maintenance), or (without a report) when the debug table has no memory left.
 * No lock is taken and nothing is allocated unless the buffer is bounced (then one per-CPU area
 * lock), or DMA-API debug is on (then the device's table lock).  Thread-safe.
 */
MINALIGN_API dma_addr_t dma_map_single_attrs(struct device *dev, void __dma *ptr, size_t size,
					     enum dma_data_direction dir, unsigned long attrs);

/**
 * dma_unmap_single_attrs() - give a mapped buffer back to the CPU.
 * @dev, @size, @dir, @attrs: as mapped.
 * @addr: the address dma_map_single_attrs() returned.
 *
 * Invalidates inbound mappings (or copies a bounce buffer back).  A cache-line conflict the
 * simulator detected (the CPU wrote bytes sharing a line with the buffer while the device owned
 * it) is reported once per unmap.  Unmapping DMA_MAPPING_ERROR or an address that is no live
 * bounce mapping is reported.  With MINALIGN_DEBUG_DMA (docs/dma-debug.md) an unmap that does
 * not match a live mapping exactly (address, size, direction, map function) is reported and does
 * nothing, and one whose address dma_mapping_error() never saw is reported, then done.
 * Thread-safe.
 */
MINALIGN_API void dma_unmap_single_attrs(struct device *dev, dma_addr_t addr, size_t size,
					 enum dma_data_direction dir, unsigned long attrs);

/** dma_map_single() - dma_map_single_attrs() with no attributes. */
MINALIGN_API dma_addr_t dma_map_single(struct device *dev, void __dma *ptr, size_t size,
				       enum dma_data_direction dir);
/** dma_unmap_single() - dma_unmap_single_attrs() with no attributes. */
MINALIGN_API void dma_unmap_single(struct device *dev, dma_addr_t addr, size_t size,
				   enum dma_data_direction dir);

/**
 * dma_map_page_attrs() - map @size bytes at @offset into @page; see dma_map_single_attrs().
 * An invalid @page is reported and gives DMA_MAPPING_ERROR.
 */
MINALIGN_API dma_addr_t dma_map_page_attrs(struct device *dev, struct page *page, size_t offset,
					   size_t size, enum dma_data_direction dir,
					   unsigned long attrs);
/** dma_unmap_page_attrs() - unmap a dma_map_page_attrs() mapping; see dma_unmap_single_attrs(). */
MINALIGN_API void dma_unmap_page_attrs(struct device *dev, dma_addr_t addr, size_t size,
				       enum dma_data_direction dir, unsigned long attrs);
/** dma_map_page() - dma_map_page_attrs() with no attributes. */
MINALIGN_API dma_addr_t dma_map_page(struct device *dev, struct page *page, size_t offset,
				     size_t size, enum dma_data_direction dir);
/** dma_unmap_page() - dma_unmap_page_attrs() with no attributes. */
MINALIGN_API void dma_unmap_page(struct device *dev, dma_addr_t addr, size_t size,
				 enum dma_data_direction dir);

/**
 * dma_mapping_error() - -ENOMEM when @dma_addr is DMA_MAPPING_ERROR, else 0.
 *
 * With MINALIGN_DEBUG_DMA it also records that the driver checked the mapping at @dma_addr: an
 * unmap of a dma_map_single/page mapping never checked is reported (as Linux's DMA-API debug).
 */
MINALIGN_API int dma_mapping_error(struct device *dev, dma_addr_t dma_addr);

/**
 * dma_sync_single_for_cpu() - give a live mapping to the CPU without unmapping it.
 * @dev, @dir: as mapped.
 * @addr: an address inside the mapping (normally the one the map call returned).
 * @size: bytes from @addr.
 *
 * Invalidates (or copies the bounce buffer back) for DMA_FROM_DEVICE and DMA_BIDIRECTIONAL;
 * reports a detected conflict like unmap does.  Thread-safe.
 */
MINALIGN_API void dma_sync_single_for_cpu(struct device *dev, dma_addr_t addr, size_t size,
					  enum dma_data_direction dir);
/**
 * dma_sync_single_for_device() - give a live mapping back to the device.
 *
 * Cleans the CPU cache as the direction needs (or copies the buffer into its bounce buffer for
 * DMA_TO_DEVICE and DMA_BIDIRECTIONAL).  Thread-safe.
 */
MINALIGN_API void dma_sync_single_for_device(struct device *dev, dma_addr_t addr, size_t size,
					     enum dma_data_direction dir);

/** dma_sync_single_range_for_cpu() - dma_sync_single_for_cpu() of @size bytes at @addr + @offset.
 */
static inline void dma_sync_single_range_for_cpu(struct device *dev, dma_addr_t addr,
						 unsigned long offset, size_t size,
						 enum dma_data_direction dir)
{
	dma_sync_single_for_cpu(dev, addr + offset, size, dir);
}

/** dma_sync_single_range_for_device() - the same towards the device. */
static inline void dma_sync_single_range_for_device(struct device *dev, dma_addr_t addr,
						    unsigned long offset, size_t size,
						    enum dma_data_direction dir)
{
	dma_sync_single_for_device(dev, addr + offset, size, dir);
}

/**
 * dma_alloc_coherent() - allocate memory that CPU and device see alike, without maintenance.
 * @dev: the device.
 * @size: bytes (> 0); whole pages are allocated.
 * @dma_handle: receives the bus address.
 * @gfp: GFP flags (__GFP_ZERO is implied: the memory is always zeroed).
 *
 * The pages lie within the device's coherent mask and are mapped uncached.
 *
 * Return: the CPU address, or NULL when out of memory below the mask (no report), or for a NULL
 * @dev/@dma_handle or a zero @size (reported).  Thread-safe.
 */
MINALIGN_API void *dma_alloc_coherent(struct device *dev, size_t size, dma_addr_t *dma_handle,
				      gfp_t gfp);

/**
 * dma_free_coherent() - free dma_alloc_coherent() memory.
 * @dev: the device.
 * @size: the size it was allocated with.
 * @cpu_addr: its CPU address; NULL is ignored.
 * @dma_handle: its bus address.
 *
 * A pointer that is not coherent memory, a wrong size or a wrong handle is reported and nothing
 * is freed.  Thread-safe.
 */
MINALIGN_API void dma_free_coherent(struct device *dev, size_t size, void *cpu_addr,
				    dma_addr_t dma_handle);

/**
 * dmam_alloc_coherent() - device-managed dma_alloc_coherent().
 * @dev, @size, @dma_handle, @gfp: as for dma_alloc_coherent().
 *
 * The memory is returned with dma_free_coherent() when @dev is destroyed (in reverse order of
 * acquisition with @dev's other devm_* resources), or by dmam_free_coherent().
 *
 * Return: as dma_alloc_coherent(); NULL too when the bookkeeping cannot be allocated (nothing
 * is left allocated, no report).  Thread-safe (takes @dev's devres lock).
 */
MINALIGN_API void *dmam_alloc_coherent(struct device *dev, size_t size, dma_addr_t *dma_handle,
				       gfp_t gfp);

/**
 * dmam_free_coherent() - free dmam_alloc_coherent() memory now.
 * @dev, @size, @vaddr, @dma_handle: as given to and returned by dmam_alloc_coherent();
 * a NULL @vaddr is ignored.
 *
 * Memory @dev does not manage with exactly this size, address and handle is reported once
 * (subsystem "dma") and nothing is freed.  Thread-safe.
 */
MINALIGN_API void dmam_free_coherent(struct device *dev, size_t size, void *vaddr,
				     dma_addr_t dma_handle);

/**
 * dma_alloc_attrs() - dma_alloc_coherent() with attributes.
 * @attrs: DMA_ATTR_NO_KERNEL_MAPPING returns an opaque cookie (the block's struct page, as
 *	   Linux's dma-direct) instead of a CPU address: the driver must not touch it and frees it
 *	   with dma_free_attrs() and the same attribute.  The other attributes change nothing.
 * Return: as dma_alloc_coherent().
 */
MINALIGN_API void *dma_alloc_attrs(struct device *dev, size_t size, dma_addr_t *dma_handle,
				   gfp_t flag, unsigned long attrs);
/** dma_free_attrs() - free dma_alloc_attrs() memory (or its NO_KERNEL_MAPPING cookie). */
MINALIGN_API void dma_free_attrs(struct device *dev, size_t size, void *cpu_addr,
				 dma_addr_t dma_handle, unsigned long attrs);
/** dma_alloc_wc() - dma_alloc_attrs() with DMA_ATTR_WRITE_COMBINE. */
MINALIGN_API void *dma_alloc_wc(struct device *dev, size_t size, dma_addr_t *dma_addr, gfp_t gfp);
/** dma_free_wc() - free dma_alloc_wc() memory. */
MINALIGN_API void dma_free_wc(struct device *dev, size_t size, void *cpu_addr, dma_addr_t dma_addr);

/**
 * dma_alloc_pages() - cacheable pages the device may use, zeroed, below every mask of @dev.
 * @dev, @size, @dma_handle: as dma_alloc_coherent().
 * @dir: the direction the memory will be used in.
 * @gfp: GFP flags.
 *
 * The memory is cached: the driver calls dma_sync_single_for_device() before the device
 * accesses it and dma_sync_single_for_cpu() before the CPU reads what the device wrote, as on
 * a non-coherent Linux machine.  With MINALIGN_DEBUG_DMA it is a live page mapping (syncs are
 * checked against it).
 *
 * Return: the first page; NULL when out of memory (no report) or for bad arguments (reported).
 */
MINALIGN_API struct page *dma_alloc_pages(struct device *dev, size_t size, dma_addr_t *dma_handle,
					  enum dma_data_direction dir, gfp_t gfp);
/** dma_free_pages() - free dma_alloc_pages() memory; a wrong handle is reported, nothing freed. */
MINALIGN_API void dma_free_pages(struct device *dev, size_t size, struct page *page,
				 dma_addr_t dma_handle, enum dma_data_direction dir);
/** dma_alloc_noncoherent() - dma_alloc_pages() returning the CPU address. */
MINALIGN_API void *dma_alloc_noncoherent(struct device *dev, size_t size, dma_addr_t *dma_handle,
					 enum dma_data_direction dir, gfp_t gfp);
/** dma_free_noncoherent() - free dma_alloc_noncoherent() memory (NULL @vaddr is ignored). */
MINALIGN_API void dma_free_noncoherent(struct device *dev, size_t size, void *vaddr,
				       dma_addr_t dma_handle, enum dma_data_direction dir);

/**
 * dma_map_resource() - map @size bytes of a physical range that is not RAM (a peer's MMIO).
 * Return: the DMA address (the physical address); DMA_MAPPING_ERROR and a report for RAM, a
 * range beyond the mask, or bad arguments.  No cache maintenance, never bounced.
 */
MINALIGN_API dma_addr_t dma_map_resource(struct device *dev, phys_addr_t phys_addr, size_t size,
					 enum dma_data_direction dir, unsigned long attrs);
/** dma_unmap_resource() - unmap a dma_map_resource() mapping (nothing to undo). */
MINALIGN_API void dma_unmap_resource(struct device *dev, dma_addr_t addr, size_t size,
				     enum dma_data_direction dir, unsigned long attrs);

/**
 * dma_max_mapping_size() - the largest streaming mapping @dev can make: the bounce pool's
 * (swiotlb_max_mapping_size()) when its mappings may bounce for addressing (its mask is below
 * dma_get_required_mask(), or force_bounce) and a pool is active, else SIZE_MAX (Linux's
 * dma_direct_max_mapping_size()).
 */
MINALIGN_API size_t dma_max_mapping_size(struct device *dev);
/** dma_opt_mapping_size() - the largest efficient mapping: dma_max_mapping_size() here. */
MINALIGN_API size_t dma_opt_mapping_size(struct device *dev);
/**
 * dma_need_sync() - whether syncs of the mapping at @dma_addr do anything: true for a
 * non-coherent device (cache model not COHERENT) or a bounced mapping.
 */
MINALIGN_API bool dma_need_sync(struct device *dev, dma_addr_t dma_addr);
/** dma_addressing_limited() - @dev's mask (under bus_dma_limit) does not cover all RAM. */
MINALIGN_API bool dma_addressing_limited(struct device *dev);
/** dma_get_required_mask() - the smallest 2^n-1 mask that reaches all RAM. */
MINALIGN_API u64 dma_get_required_mask(struct device *dev);
/**
 * dma_coerce_mask_and_coherent() - point @dev->dma_mask at @dev->coherent_dma_mask, then
 * dma_set_mask_and_coherent() (for buses that never set up a mask pointer).
 */
MINALIGN_API int dma_coerce_mask_and_coherent(struct device *dev, u64 mask);

MINALIGN_END_DECLS

#endif /* MINALIGN_DMA_MAPPING_H */
