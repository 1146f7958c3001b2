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

/**
 * ma_cache_init() - start the configured cache model.
 *
 * Called by minalign_init() after ma_mm_init().  Validates ma_cfg.cache_model, sets up the
 * conflict-tracking table (SIM) and the line size (NATIVE reads the hardware's).
 *
 * Return: 0, -EINVAL for an unknown model or a SIM model without a DRAM view, -ENOMEM.
 */
int ma_cache_init(void);

/**
 * ma_cache_exit() - stop the cache model and free every tracking record.
 *
 * Called by minalign_exit() before ma_mm_exit(); no other thread may be mapping.
 */
void ma_cache_exit(void);

/* fork: the simulator's bucket locks (leaves; lib/fork.c calls this after slab and swiotlb). */
void ma_cache_atfork(enum ma_fork_phase phase);

/*
 * Raw line operations (no tracking of their own).  Every line [@phys, @phys+@size) touches is
 * maintained whole; @size 0 does nothing.  In the sim, partial edge lines that an inbound
 * mapping tracks keep that mapping's conflict bookkeeping right (see docs/cache.md).
 */
/** ma_cache_clean() - write back: CPU view -> DRAM view of every line touched. */
void ma_cache_clean(phys_addr_t phys, size_t size);
/** ma_cache_inval() - discard: DRAM view -> CPU view of every line touched. */
void ma_cache_inval(phys_addr_t phys, size_t size);
/** ma_cache_flush() - clean, then invalidate, every line touched. */
void ma_cache_flush(phys_addr_t phys, size_t size);

/**
 * ma_cache_sync_for_device() - hand [@phys, @phys+@size) to the device (arm64 semantics).
 * @dir: TO_DEVICE and BIDIRECTIONAL clean; FROM_DEVICE cleans+invalidates the partial end lines
 *       and invalidates the rest; DMA_NONE does nothing.
 *
 * In the sim, inbound directions (FROM_DEVICE, BIDIRECTIONAL) start tracking the partial end
 * lines of the range (a line-aligned range has none and is not tracked).  Calling it again for
 * the same (@phys, @size) while tracked (a sync cycle) keeps one record and makes a new clean
 * point; tracking is keyed by (@phys, @size), so two live mappings of exactly the same range
 * share one record.
 */
void ma_cache_sync_for_device(phys_addr_t phys, size_t size, enum dma_data_direction dir);

/**
 * ma_cache_sync_for_cpu() - hand [@phys, @phys+@size) back to the CPU.
 * @dir: FROM_DEVICE and BIDIRECTIONAL invalidate; TO_DEVICE and DMA_NONE do nothing.
 *
 * In the sim, each tracked partial end line of the range is checked: if the CPU view of its bytes
 * outside the range changed while the device owned the line, it is a conflict.  With
 * LOSE_DEVICE_WRITES the dirty line is written back before the invalidate (the device's data in
 * that line is lost); with LOSE_CPU_WRITES the invalidate wins (the neighbour's CPU writes are
 * lost).  Tracking of the range ends.
 *
 * Return: the number of conflicting lines found (0..2; also added to sim_conflicts); 0 for the
 * other models.
 */
unsigned int ma_cache_sync_for_cpu(phys_addr_t phys, size_t size, enum dma_data_direction dir);

/**
 * ma_cache_forget() - stop tracking (@phys, @size) without maintenance.
 *
 * For unmaps with DMA_ATTR_SKIP_CPU_SYNC and any other end of device ownership that does no
 * sync_for_cpu.  Untracked ranges are ignored.
 */
void ma_cache_forget(phys_addr_t phys, size_t size);

/** ma_cache_tracked() - number of ranges tracked now (tests: nothing left behind). */
size_t ma_cache_tracked(void);

/**
 * ma_dev_write() - a device's DMA write of @len bytes from @src at @phys.
 * @coherent: the device snoops the CPU cache.
 *
 * Coherent devices, uncached pages and the NATIVE/COHERENT models write the CPU view; otherwise
 * the DRAM view.  Decided page by page.  The caller has checked that [@phys, @phys+@len) is RAM.
 */
void ma_dev_write(phys_addr_t phys, const void *src, size_t len, bool coherent);

/** ma_dev_read() - a device's DMA read of @len bytes at @phys into @dst; views as ma_dev_write. */
void ma_dev_read(phys_addr_t phys, void *dst, size_t len, bool coherent);

/**
 * ma_cache_line() - the line size maintenance works on.
 *
 * The configured cache_line; with the NATIVE model the hardware's line if that is smaller.
 */
unsigned int ma_cache_line(void);

/*
 * Test hook: lines the NATIVE model stepped over on the calling thread (every host counts, even
 * where no instruction is issued), so tests can prove unaligned ranges are fully covered.
 */
extern _Thread_local uint64_t ma_cache_native_lines_touched MA_TLS_IE;

#endif /* MINALIGN_CACHE_CACHE_H */
