/* SPDX-License-Identifier: MIT */
/*
 * minalign/dmapool.h - pools of small coherent DMA blocks (Linux's dma_pool).
 *
 * Blocks are carved from dma_alloc_coherent() pages.  Every block is aligned to the pool's
 * alignment and never crosses a multiple of its boundary.  The pool's bookkeeping lives out of
 * band: a device writing a block can never corrupt the pool.
 */
#ifndef MINALIGN_DMAPOOL_H
#define MINALIGN_DMAPOOL_H

#include <minalign/types.h>
#include <minalign/device.h>

MINALIGN_BEGIN_DECLS

struct dma_pool; /* opaque */

/**
 * dma_pool_create() - create a pool of @size-byte blocks for @dev.
 * @name: for reports; copied.
 * @dev: the device the blocks are for.
 * @size: block size (1..4 MiB); at least 16 bytes are used (Linux's minimum block), rounded
 *	  up to @align.
 * @align: block alignment, a power of two; 0 means 1.
 * @boundary: blocks never cross a multiple of it; a power of two no smaller than the block
 *	      size, or 0 for no boundary (beyond the pool's page size).
 *
 * Return: the pool, or NULL: a bad argument (reported) or out of metadata (no report).
 * Thread-safe.
 */
MINALIGN_API struct dma_pool *dma_pool_create(const char *name, struct device *dev, size_t size,
					      size_t align, size_t boundary);

/**
 * dma_pool_alloc() - take a block.
 * @pool: the pool.
 * @gfp: GFP flags; __GFP_ZERO zeroes the block.
 * @handle: receives the block's bus address.
 *
 * Return: the block's CPU address, or NULL when out of memory (no report) or @pool/@handle is
 * NULL (reported).  Thread-safe (the pool has its own lock).
 */
MINALIGN_API void *dma_pool_alloc(struct dma_pool *pool, gfp_t gfp, dma_addr_t *handle);
/** dma_pool_zalloc() - dma_pool_alloc() with __GFP_ZERO. */
MINALIGN_API void *dma_pool_zalloc(struct dma_pool *pool, gfp_t gfp, dma_addr_t *handle);

/**
 * dma_pool_free() - return a block.
 * @pool: its pool.
 * @vaddr: the block's CPU address; NULL is ignored.
 * @dma: its bus address.
 *
 * A block not from @pool, a wrong @dma or a double free is reported and changes nothing.
 * Thread-safe.
 */
MINALIGN_API void dma_pool_free(struct dma_pool *pool, void *vaddr, dma_addr_t dma);

/**
 * dma_pool_destroy() - free the pool and its pages; NULL is ignored.  Blocks still allocated
 * are reported (once, with their number) and freed with the pool.
 */
MINALIGN_API void dma_pool_destroy(struct dma_pool *pool);

/**
 * dmam_pool_create() - device-managed dma_pool_create(): destroyed when @dev is (in reverse
 * order with its other devm_* resources) or by dmam_pool_destroy().
 * Return: as dma_pool_create(); NULL too when the bookkeeping cannot be allocated.
 */
MINALIGN_API struct dma_pool *dmam_pool_create(const char *name, struct device *dev, size_t size,
					       size_t align, size_t allocation);
/**
 * dmam_pool_destroy() - destroy a dmam_pool_create() pool now; a pool its device does not
 * manage is reported and left alone.  NULL is ignored.
 */
MINALIGN_API void dmam_pool_destroy(struct dma_pool *pool);

MINALIGN_END_DECLS

#endif /* MINALIGN_DMAPOOL_H */
