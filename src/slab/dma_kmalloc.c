/* SPDX-License-Identifier: MIT */
/*
 * slab/dma_kmalloc.c - dma_kmalloc(), dma_kzalloc(), dma_kfree(): kmalloc with GFP_DMA, typed
 * __dma for sparse (docs/sparse.md).  The only place the library turns plain kmalloc memory
 * into __dma memory, with a forced cast; checked by scripts/check-sparse.sh in opt-in mode.
 */
#include <minalign/slab.h>

void __dma *dma_kmalloc(size_t size, gfp_t flags)
{
	return (void __dma __force_dma *)kmalloc(size, flags | GFP_DMA);
}

void __dma *dma_kzalloc(size_t size, gfp_t flags)
{
	return dma_kmalloc(size, flags | __GFP_ZERO);
}

void dma_kfree(const void __dma *p)
{
	kfree((const void __force_dma *)p);
}
