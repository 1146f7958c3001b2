/* SPDX-License-Identifier: MIT */
/*
 * dma/optin.h - naming the drivers that forgot the DMA opt-in (optin.c).
 *
 * mapping.c calls ma_dma_optin_note() on its bounce path only, after a bounce for cache-line
 * sharing succeeded, and only when ma_dma_optin_on() (DMA_OPT_IN, or BOUNCE with DMA-API
 * debug): a direct mapping pays nothing.  The exported dma_map_* entry points are placed in one
 * text section (MA_DMA_ENTRY) so that optin.c can find, in a backtrace, the first frame outside
 * them: the driver's call.
 */
#ifndef MINALIGN_DMA_OPTIN_PRIV_H
#define MINALIGN_DMA_OPTIN_PRIV_H

#include "core/core.h"

#include <minalign/device.h>

/* Put an exported dma_map_* function into the section optin.c searches backtraces for. */
#define MA_DMA_ENTRY __attribute__((section("ma_dma_entry"), noinline))

/* Is the bounce path to attribute its kmalloc bounces to callers? */
static inline bool ma_dma_optin_on(void)
{
	return ma_cfg.policy == MINALIGN_POLICY_DMA_OPT_IN ||
	       (ma_cfg.policy == MINALIGN_POLICY_BOUNCE && (ma_cfg.debug & MINALIGN_DEBUG_DMA));
}

/* Forget every site (ma_dma_init()). */
void ma_dma_optin_init(void);
/*
 * A bounce of [@phys, @phys+@size) for cache-line sharing was made for @dev by the API call
 * @what: if the buffer is a kmalloc object, count it for the calling site.  No allocation;
 * takes the table's mutex.
 */
void ma_dma_optin_note(struct device *dev, phys_addr_t phys, size_t size, const char *what);
/* fork: hold the table's mutex across fork (lib/fork.c). */
void ma_dma_optin_atfork(enum ma_fork_phase phase);

#endif /* MINALIGN_DMA_OPTIN_PRIV_H */
