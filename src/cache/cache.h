/* SPDX-License-Identifier: MIT */
/*
 * cache/cache.h - cache maintenance and the device's view of memory, private interface.
 *
 * Three models (minalign_config.cache_model):
 *  - SIM: RAM has a CPU view (what plain pointers see) and a DRAM view (ma_mem.dram, what a
 *    device sees).  clean copies CPU -> DRAM, invalidate copies DRAM -> CPU, on whole lines.
 *    Streaming-DMA ownership transfers track the partial edge lines of inbound mappings and
 *    detect conflicts (CPU bytes outside the mapping that changed while the device owned the
 *    line), applying the configured victim.
 *  - NATIVE: the host's instructions on the CPU view (arm64 dc cvac/ivac/civac + dsb, riscv
 *    Zicbom cbo.* + fence, nothing on x86); devices use the CPU view.
 *  - COHERENT: no maintenance; devices use the CPU view.
 * Pages flagged MA_PAGE_UNCACHED are never maintained; devices use their CPU view.
 *
 * All functions take physical ranges and round them out to whole lines.
 */
#ifndef MINALIGN_CACHE_CACHE_H
#define MINALIGN_CACHE_CACHE_H

#include "mm/mm.h"

int ma_cache_init(void);
void ma_cache_exit(void);

/* Raw line operations (no conflict tracking). */
void ma_cache_clean(phys_addr_t phys, size_t size);
void ma_cache_inval(phys_addr_t phys, size_t size);
void ma_cache_flush(phys_addr_t phys, size_t size); /* clean + invalidate */

/*
 * Ownership transfers for streaming DMA (arm64 semantics):
 *  for_device: TO_DEVICE/BIDIRECTIONAL clean; FROM_DEVICE clean+invalidate the partial end
 *              lines and invalidate the rest.  Inbound directions (FROM_DEVICE, BIDIRECTIONAL)
 *              start tracking the partial end lines of [phys, phys+size) (sim only).
 *  for_cpu:    FROM_DEVICE/BIDIRECTIONAL invalidate; in the sim, each tracked partial end line
 *              whose CPU bytes outside the range changed is a conflict: with LOSE_DEVICE_WRITES
 *              the dirty line is written back first.  Tracking of the range ends.
 * Return (for_cpu): the number of conflicts found (also added to sim_conflicts).
 */
void ma_cache_sync_for_device(phys_addr_t phys, size_t size, enum dma_data_direction dir);
unsigned int ma_cache_sync_for_cpu(phys_addr_t phys, size_t size, enum dma_data_direction dir);
/* Stop tracking a range without maintenance (unmap with DMA_ATTR_SKIP_CPU_SYNC, TO_DEVICE). */
void ma_cache_forget(phys_addr_t phys, size_t size);
/* Number of ranges tracked now (tests: nothing left behind). */
size_t ma_cache_tracked(void);

/*
 * The device side: copy to or from memory as a device sees it.  @coherent devices, uncached
 * pages and the NATIVE/COHERENT models use the CPU view; otherwise the DRAM view.  The caller
 * has checked that [phys, phys+len) is in RAM.
 */
void ma_dev_write(phys_addr_t phys, const void *src, size_t len, bool coherent);
void ma_dev_read(phys_addr_t phys, void *dst, size_t len, bool coherent);

/* Line size used for maintenance (the configured cache_line, or the hardware's if smaller). */
unsigned int ma_cache_line(void);

#endif /* MINALIGN_CACHE_CACHE_H */
