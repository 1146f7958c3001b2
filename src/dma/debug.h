/* SPDX-License-Identifier: MIT */
/*
 * dma/debug.h - DMA-API debug (MINALIGN_DEBUG_DMA), the hooks the other files of dma/ call.
 *
 * Every hook is called only when ma_dma_debug_on() is true, so with debugging off the cost on a
 * mapping path is one load and one branch.  debug.c's header comment describes the table, the
 * checks and the locking; docs/dma-debug.md the reports.
 */
#ifndef MINALIGN_DMA_DEBUG_H
#define MINALIGN_DMA_DEBUG_H

#include "dma/internal.h"

/*
 * Private attribute bits: which API call made a streaming mapping, passed to ma_dma_map_phys()
 * by dma_map_page_attrs() and dma_map_sg_attrs() (none = dma_map_single).  The exported calls
 * strip them from the caller's attributes.
 */
#define MA_DMA_ATTR_PAGE (1UL << 30)
#define MA_DMA_ATTR_SG	 (1UL << 31)
#define MA_DMA_ATTR_TYPE (MA_DMA_ATTR_PAGE | MA_DMA_ATTR_SG)

enum ma_dbg_type { MA_DBG_SINGLE, MA_DBG_PAGE, MA_DBG_SG };

struct ma_dbg_entry;
struct ma_dma_debug;

static inline bool ma_dma_debug_on(void)
{
	return ma_unlikely(ma_cfg.debug & MINALIGN_DEBUG_DMA);
}

/* Reset the global cache-line table (ma_dma_init()). */
void ma_dma_debug_init(void);
/* debug_free.c: the page counters and the free watch (debug on only); init from the above. */
void ma_dbgf_init(void);
void ma_dbgf_exit(void);
/* Give a device its live-mapping table (with room for 32 mappings): 0 or -ENOMEM. */
int ma_dma_debug_attach(struct ma_dma_dev *d);
/* At device destroy: report every mapping still live, unmap it, free the table. */
void ma_dma_debug_detach(struct device *dev, struct ma_dma_dev *d);
void ma_dma_debug_atfork(enum ma_fork_phase phase);

/*
 * ma_dma_debug_map_begin() - before a streaming mapping of [@phys, @phys+@size) touches
 * anything (@bounce: it will be bounced).  Return: a reserved entry to pass to
 * ma_dma_debug_map_end(), or NULL when the mapping must fail with DMA_MAPPING_ERROR: refused
 * after one report (packed object, cache line shared with another live inbound mapping), or
 * no metadata for the entry (no report).
 */
struct ma_dbg_entry *ma_dma_debug_map_begin(struct device *dev, phys_addr_t phys, size_t size,
					    enum dma_data_direction dir, unsigned long attrs,
					    bool bounce, const char *what);
/* After the mapping: enter it at @addr, or drop the entry when @addr is DMA_MAPPING_ERROR. */
void ma_dma_debug_map_end(struct device *dev, struct ma_dbg_entry *e, dma_addr_t addr);
/* dma_map_sg: @ok - set the call's @nents on its @count segments; else forget them. */
void ma_dma_debug_sg_done(struct device *dev, struct scatterlist *sgl, int count, int nents,
			  bool ok);

/* dma_mapping_error() was called on @addr. */
void ma_dma_debug_mapping_error(struct device *dev, dma_addr_t addr);

/*
 * Checks before an unmap or a sync: true when it may proceed (an unmap then forgets the
 * mapping); false after one report, with nothing changed.
 */
bool ma_dma_debug_unmap(struct device *dev, dma_addr_t addr, size_t size,
			enum dma_data_direction dir, enum ma_dbg_type type, const char *what);
bool ma_dma_debug_sync(struct device *dev, dma_addr_t addr, size_t size,
		       enum dma_data_direction dir, const char *what);
bool ma_dma_debug_unmap_sg(struct device *dev, struct scatterlist *sgl, int nents,
			   enum dma_data_direction dir, const char *what);
bool ma_dma_debug_sync_sg(struct device *dev, struct scatterlist *sgl, int nents,
			  enum dma_data_direction dir, const char *what);

/* The device's engine accesses [@addr, @addr+@len): 0, or -EFAULT after one report. */
int ma_dma_debug_access(struct device *dev, dma_addr_t addr, size_t len, bool write,
			const char *what);

#endif /* MINALIGN_DMA_DEBUG_H */
