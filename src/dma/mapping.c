/* SPDX-License-Identifier: MIT */
/*
 * dma/mapping.c - streaming DMA: dma_map_single/page, unmap, sync, dma_mapping_error.
 *
 * Owns the direct-mapping path and the choice between it and a bounce.  A mapping bounces
 * when the device is force_bounce, when the range is beyond the device's DMA mask (both in
 * every direction), or when bounce.c says the policy bounces it for cache-line sharing (inbound
 * directions on non-coherent devices only).  A bounce that cannot happen (no pool, pool full,
 * no pool within the mask) fails the mapping with DMA_MAPPING_ERROR: an unsafe or unreachable
 * buffer is never mapped directly.
 *
 * Direct mappings of a non-coherent device are maintained through cache/: for_device at map,
 * for_cpu at unmap of inbound mappings (TO_DEVICE needs nothing at unmap); a conflict the
 * simulator found there (the CPU wrote a byte sharing a line with the buffer while the device
 * owned it) is reported with the device's name.  DMA_ATTR_SKIP_CPU_SYNC skips the maintenance
 * (an inbound mapping's tracking is dropped at unmap).  Coherent devices need no maintenance.
 *
 * Unmap and sync find bounce mappings by address, so no per-mapping state is kept here: a
 * device that never bounced (its "has used swiotlb" flag clear, swiotlb.h) looks at no pool;
 * one that did asks swiotlb/, which checks the global pools' envelope (two compares) and the
 * device's transient pools.
 *
 * A bounce for cache-line sharing in the recording modes (optin.h) is attributed to the
 * driver that called dma_map_* (optin.c), on the bounce path only.  The exported map calls are
 * MA_DMA_ENTRY so that optin.c can find that caller in a backtrace.
 *
 * Locking: none on the direct path (no lock, no allocation); a bounce takes one swiotlb area
 * lock.  Statistics are per-thread counters.
 */
#include "dma/internal.h"

static dma_addr_t ma_dma_bounce(struct device *dev, phys_addr_t phys, size_t size,
				enum dma_data_direction dir, bool addressing, const char *what)
{
	struct ma_tlb_dev td;
	phys_addr_t tlb;

	if (!ma_swiotlb_active()) {
		ma_report("dma", dev->p->name, phys, size,
			  "%s: buffer must be bounced (%s) but there "
			  "is no bounce pool",
			  what,
			  dev->p->force_bounce ? "force_bounce"
			  : addressing	    ? "beyond the DMA mask"
					    : "shares a cache line");
		return DMA_MAPPING_ERROR;
	}
	ma_dma_tlb_dev(&td, dev);
	tlb = ma_swiotlb_map(&td, phys, size, 0, dir);
	if (tlb == MA_TLB_FAIL)
		return DMA_MAPPING_ERROR;
	if (addressing)
		ma_stat_add(MA_STAT_bounce_addressing, 1);
	return ma_phys_to_dma(dev, tlb);
}

dma_addr_t ma_dma_map_phys(struct device *dev, phys_addr_t phys, size_t size,
			   enum dma_data_direction dir, unsigned long attrs, const char *what)
{
	bool addressing = dev->p->force_bounce || !ma_dma_capable(dev, phys, size);
	bool align = !dev->p->coherent && ma_dma_inbound(dir) && ma_dma_align_bounce(phys, size);
	struct ma_dbg_entry *dbg = NULL;
	dma_addr_t addr;

	if (ma_dma_debug_on()) { /* checks before anything changes; may refuse the mapping */
		dbg = ma_dma_debug_map_begin(dev, phys, size, dir, attrs, addressing || align,
					     what);
		if (!dbg) {
			ma_stat_add(MA_STAT_dma_map_failures, 1);
			return DMA_MAPPING_ERROR;
		}
	}
	if (ma_unlikely(addressing || align)) {
		addr = ma_dma_bounce(dev, phys, size, dir, addressing, what);
		if (addr == DMA_MAPPING_ERROR) {
			if (dbg)
				ma_dma_debug_map_end(dev, dbg, addr);
			ma_stat_add(MA_STAT_dma_map_failures, 1);
			return addr;
		}
		if (!addressing && ma_dma_optin_on())
			ma_dma_optin_note(dev, phys, size, what);
	} else {
		if (ma_dma_maintained(dev) && !(attrs & DMA_ATTR_SKIP_CPU_SYNC))
			ma_cache_sync_for_device(phys, size, dir);
		addr = ma_phys_to_dma(dev, phys);
	}
	if (dbg)
		ma_dma_debug_map_end(dev, dbg, addr);
	ma_stat_add(MA_STAT_dma_maps, 1);
	ma_stat_add(MA_STAT_dma_live_mappings, 1);
	return addr;
}

static void ma_dma_conflicts(struct device *dev, phys_addr_t phys, size_t size,
			     unsigned int conflicts, const char *what)
{
	ma_report("dma", dev->p->name, phys, size,
		  "%s: %u cache line(s) shared with the buffer were written by the CPU while the "
		  "device owned them (data lost)",
		  what, conflicts);
}

/* False (reported) when @addr cannot be a streaming mapping of RAM. */
static bool ma_dma_addr_ok(struct device *dev, dma_addr_t addr, size_t size, const char *what)
{
	phys_addr_t phys = ma_dma_to_phys(dev, addr);

	if (ma_likely(addr != DMA_MAPPING_ERROR && ma_phys_in_ram(phys, size)))
		return true;
	ma_report("dma", dev->p->name, addr, size, "%s: %#llx is %s", what, (unsigned long long)addr,
		  addr == DMA_MAPPING_ERROR ? "DMA_MAPPING_ERROR" : "not a mapping of RAM");
	return false;
}

void ma_dma_unmap_addr(struct device *dev, dma_addr_t addr, size_t size,
		       enum dma_data_direction dir, unsigned long attrs, const char *what)
{
	phys_addr_t phys = ma_dma_to_phys(dev, addr);
	bool skip = attrs & DMA_ATTR_SKIP_CPU_SYNC;
	int conflicts = MA_TLB_NONE;
	struct ma_tlb_dev td;

	if (ma_unlikely(!ma_dma_addr_ok(dev, addr, size, what)))
		return;
	if (ma_dma_tlb_used(dev)) {
		ma_dma_tlb_dev(&td, dev);
		conflicts = ma_swiotlb_unmap(&td, phys, size, dir, skip);
		if (conflicts == -1)
			return;
	}
	if (conflicts == MA_TLB_NONE) { /* a direct mapping */
		conflicts = 0;
		if (ma_dma_maintained(dev) && ma_dma_inbound(dir)) {
			if (skip)
				ma_cache_forget(phys, size);
			else
				conflicts = (int)ma_cache_sync_for_cpu(phys, size, dir);
		}
	}
	if (ma_unlikely(conflicts > 0))
		ma_dma_conflicts(dev, phys, size, (unsigned int)conflicts, what);
	ma_stat_add(MA_STAT_dma_live_mappings, -1);
}

void ma_dma_sync_addr(struct device *dev, dma_addr_t addr, size_t size, enum dma_data_direction dir,
		      bool for_cpu, const char *what)
{
	phys_addr_t phys = ma_dma_to_phys(dev, addr);
	struct ma_tlb_dev td;
	unsigned int conflicts;

	if (ma_unlikely(!ma_dma_addr_ok(dev, addr, size, what)))
		return;
	if (ma_dma_tlb_used(dev)) {
		ma_dma_tlb_dev(&td, dev);
		if (ma_swiotlb_sync(&td, phys, size, dir, for_cpu) != MA_TLB_NONE)
			return;
	}
	if (!ma_dma_maintained(dev))
		return;
	if (!for_cpu) {
		ma_cache_sync_for_device(phys, size, dir);
		return;
	}
	conflicts = ma_cache_sync_for_cpu(phys, size, dir);
	if (ma_unlikely(conflicts))
		ma_dma_conflicts(dev, phys, size, conflicts, what);
}

/* ---- the exported calls ----------------------------------------------------------------- */

MA_DMA_ENTRY
dma_addr_t dma_map_single_attrs(struct device *dev, void *ptr, size_t size,
				enum dma_data_direction dir, unsigned long attrs)
{
	static const char what[] = "dma_map_single";

	if (ma_unlikely(!ma_dma_check_args(dev, size, dir, what)))
		goto fail;
	if (ma_unlikely(!ma_virt_in_ram(ptr, size))) {
		ma_report("dma", dev->p->name, (uint64_t)(uintptr_t)ptr, size,
			  "%s: buffer %p (%zu bytes) is not in RAM", what, ptr, size);
		goto fail;
	}
	return ma_dma_map_phys(dev, ma_virt_to_phys(ptr), size, dir, attrs & ~MA_DMA_ATTR_TYPE,
			       what);
fail:
	ma_stat_add(MA_STAT_dma_map_failures, 1);
	return DMA_MAPPING_ERROR;
}

MA_DMA_ENTRY
dma_addr_t dma_map_single(struct device *dev, void *ptr, size_t size, enum dma_data_direction dir)
{
	return dma_map_single_attrs(dev, ptr, size, dir, 0);
}

void dma_unmap_single_attrs(struct device *dev, dma_addr_t addr, size_t size,
			    enum dma_data_direction dir, unsigned long attrs)
{
	if (ma_dma_check_args(dev, size, dir, "dma_unmap_single") &&
	    (!ma_dma_debug_on() ||
	     ma_dma_debug_unmap(dev, addr, size, dir, MA_DBG_SINGLE, "dma_unmap_single")))
		ma_dma_unmap_addr(dev, addr, size, dir, attrs, "dma_unmap_single");
}

void dma_unmap_single(struct device *dev, dma_addr_t addr, size_t size, enum dma_data_direction dir)
{
	dma_unmap_single_attrs(dev, addr, size, dir, 0);
}

MA_DMA_ENTRY
dma_addr_t dma_map_page_attrs(struct device *dev, struct page *page, size_t offset, size_t size,
			      enum dma_data_direction dir, unsigned long attrs)
{
	static const char what[] = "dma_map_page";
	phys_addr_t phys;

	if (ma_unlikely(!ma_dma_check_args(dev, size, dir, what)))
		goto fail;
	if (ma_unlikely(!ma_page_valid(page))) {
		ma_report("dma", dev->p->name, 0, size, "%s: %p is not a page of RAM", what,
			  (void *)page);
		goto fail;
	}
	phys = ma_page_to_phys(page);
	if (ma_unlikely(offset > ma_mem.end - phys || !ma_phys_in_ram(phys + offset, size))) {
		ma_report("dma", dev->p->name, phys, size, "%s: offset %zu + %zu bytes run past RAM",
			  what, offset, size);
		goto fail;
	}
	return ma_dma_map_phys(dev, phys + offset, size, dir,
			       (attrs & ~MA_DMA_ATTR_TYPE) | MA_DMA_ATTR_PAGE, what);
fail:
	ma_stat_add(MA_STAT_dma_map_failures, 1);
	return DMA_MAPPING_ERROR;
}

MA_DMA_ENTRY
dma_addr_t dma_map_page(struct device *dev, struct page *page, size_t offset, size_t size,
			enum dma_data_direction dir)
{
	return dma_map_page_attrs(dev, page, offset, size, dir, 0);
}

void dma_unmap_page_attrs(struct device *dev, dma_addr_t addr, size_t size,
			  enum dma_data_direction dir, unsigned long attrs)
{
	if (ma_dma_check_args(dev, size, dir, "dma_unmap_page") &&
	    (!ma_dma_debug_on() ||
	     ma_dma_debug_unmap(dev, addr, size, dir, MA_DBG_PAGE, "dma_unmap_page")))
		ma_dma_unmap_addr(dev, addr, size, dir, attrs, "dma_unmap_page");
}

void dma_unmap_page(struct device *dev, dma_addr_t addr, size_t size, enum dma_data_direction dir)
{
	dma_unmap_page_attrs(dev, addr, size, dir, 0);
}

int dma_mapping_error(struct device *dev, dma_addr_t dma_addr)
{
	if (ma_dma_debug_on())
		ma_dma_debug_mapping_error(dev, dma_addr);
	return dma_addr == DMA_MAPPING_ERROR ? -ENOMEM : 0;
}

void dma_sync_single_for_cpu(struct device *dev, dma_addr_t addr, size_t size,
			     enum dma_data_direction dir)
{
	if (ma_dma_check_args(dev, size, dir, "dma_sync_single_for_cpu") &&
	    (!ma_dma_debug_on() ||
	     ma_dma_debug_sync(dev, addr, size, dir, "dma_sync_single_for_cpu")))
		ma_dma_sync_addr(dev, addr, size, dir, true, "dma_sync_single_for_cpu");
}

void dma_sync_single_for_device(struct device *dev, dma_addr_t addr, size_t size,
				enum dma_data_direction dir)
{
	if (ma_dma_check_args(dev, size, dir, "dma_sync_single_for_device") &&
	    (!ma_dma_debug_on() ||
	     ma_dma_debug_sync(dev, addr, size, dir, "dma_sync_single_for_device")))
		ma_dma_sync_addr(dev, addr, size, dir, false, "dma_sync_single_for_device");
}
