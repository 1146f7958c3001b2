/* SPDX-License-Identifier: MIT */
/*
 * dma/alloc.c - the allocation calls around coherent.c: dma_alloc_attrs() and its attributes,
 * write-combined memory, and non-coherent memory (dma_alloc_pages, dma_alloc_noncoherent).
 *
 * Coherent memory (dma_alloc_attrs) is coherent.c's block; DMA_ATTR_NO_KERNEL_MAPPING returns
 * Linux's dma-direct cookie instead of a CPU address (the block's struct page, which the driver
 * must not dereference) and dma_free_attrs() takes it back.  WRITE_COMBINE, WEAK_ORDERING,
 * FORCE_CONTIGUOUS, ALLOC_SINGLE_PAGES, NO_WARN and PRIVILEGED change nothing here (the memory
 * is uncached and contiguous already).
 *
 * Non-coherent memory (dma_alloc_pages) is ordinary cacheable pages, zeroed, below every mask
 * of the device, and mapped like dma_map_page() with DMA_ATTR_SKIP_CPU_SYNC in direction @dir
 * (as Linux's __dma_alloc_pages() registers it with DMA-API debug): the driver owns the cache
 * maintenance, with dma_sync_single_for_device()/for_cpu() around each transfer, exactly as on
 * a non-coherent Linux machine; without them the simulator shows the stale data.
 *
 * Locking: none here (the buddy allocator and DMA debug lock themselves).
 */
#include "dma/internal.h"

void *dma_alloc_attrs(struct device *dev, size_t size, dma_addr_t *dma_handle, gfp_t gfp,
		      unsigned long attrs)
{
	void *cpu = dma_alloc_coherent(dev, size, dma_handle, gfp);

	if (cpu && (attrs & DMA_ATTR_NO_KERNEL_MAPPING))
		return ma_virt_to_page(cpu); /* an opaque cookie, as Linux's dma-direct */
	return cpu;
}

void dma_free_attrs(struct device *dev, size_t size, void *cpu_addr, dma_addr_t dma_handle,
		    unsigned long attrs)
{
	if (cpu_addr && (attrs & DMA_ATTR_NO_KERNEL_MAPPING)) {
		struct page *pg = cpu_addr;

		if (!ma_page_valid(pg)) {
			ma_report("dma", ma_dev_name(dev), (uint64_t)dma_handle, size,
				  "dma_free_attrs: %p is not a DMA_ATTR_NO_KERNEL_MAPPING cookie",
				  cpu_addr);
			return;
		}
		cpu_addr = ma_page_to_virt(pg);
	}
	dma_free_coherent(dev, size, cpu_addr, dma_handle);
}

void *dma_alloc_wc(struct device *dev, size_t size, dma_addr_t *dma_addr, gfp_t gfp)
{
	return dma_alloc_attrs(dev, size, dma_addr, gfp, DMA_ATTR_WRITE_COMBINE);
}

void dma_free_wc(struct device *dev, size_t size, void *cpu_addr, dma_addr_t dma_addr)
{
	dma_free_attrs(dev, size, cpu_addr, dma_addr, DMA_ATTR_WRITE_COMBINE);
}

/* The highest physical address + 1 every mask of @dev and its engine reach. */
static phys_addr_t ma_noncoherent_limit(const struct device *dev)
{
	u64 m = MA_MIN(MA_MIN(ma_dev_coherent_mask(dev), ma_dev_dma_mask(dev)), dev->p->dma_limit);

	return m == UINT64_MAX ? UINT64_MAX : (phys_addr_t)m + 1;
}

MA_DMA_ENTRY
struct page *dma_alloc_pages(struct device *dev, size_t size, dma_addr_t *dma_handle,
			     enum dma_data_direction dir, gfp_t gfp)
{
	static const char what[] = "dma_alloc_pages";
	struct page *pg;
	int order;

	if (!ma_dma_check_args(dev, size, dir, what))
		return NULL;
	if (!dma_handle) {
		ma_report("dma", dev->p->name, 0, size, "%s: NULL dma_handle", what);
		return NULL;
	}
	order = get_order(size);
	if (order > MAX_PAGE_ORDER)
		return NULL;
	pg = ma_alloc_pages_below(gfp & ~__GFP_ZERO, (unsigned int)order,
				  ma_noncoherent_limit(dev));
	if (!pg)
		return NULL;
	memset(ma_page_to_virt(pg), 0, size);
	*dma_handle = dma_map_page_attrs(dev, pg, 0, size, dir, DMA_ATTR_SKIP_CPU_SYNC);
	if (dma_mapping_error(dev, *dma_handle)) { /* the mapping reported why */
		__free_pages(pg, (unsigned int)order);
		return NULL;
	}
	return pg;
}

void dma_free_pages(struct device *dev, size_t size, struct page *page, dma_addr_t dma_handle,
		    enum dma_data_direction dir)
{
	if (!page)
		return;
	if (!ma_page_valid(page)) {
		ma_report("dma", ma_dev_name(dev), (uint64_t)dma_handle, size,
			  "dma_free_pages: %p is not a page of RAM", (void *)page);
		return;
	}
	if (dev && dma_handle != ma_phys_to_dma(dev, ma_page_to_phys(page)) &&
	    !is_swiotlb_buffer(dev, ma_dma_to_phys(dev, dma_handle))) {
		ma_report("dma", ma_dev_name(dev), (uint64_t)dma_handle, size,
			  "dma_free_pages: dma_handle %#llx is not the pages' mapping",
			  (unsigned long long)dma_handle);
		return;
	}
	dma_unmap_page_attrs(dev, dma_handle, size, dir, DMA_ATTR_SKIP_CPU_SYNC);
	__free_pages(page, (unsigned int)get_order(size));
}

MA_DMA_ENTRY
void *dma_alloc_noncoherent(struct device *dev, size_t size, dma_addr_t *dma_handle,
			    enum dma_data_direction dir, gfp_t gfp)
{
	struct page *pg = dma_alloc_pages(dev, size, dma_handle, dir, gfp);

	return pg ? ma_page_to_virt(pg) : NULL;
}

void dma_free_noncoherent(struct device *dev, size_t size, void *vaddr, dma_addr_t dma_handle,
			  enum dma_data_direction dir)
{
	if (!vaddr)
		return;
	if (!ma_virt_in_ram(vaddr, 1)) {
		ma_report("dma", ma_dev_name(dev), (uint64_t)dma_handle, size,
			  "dma_free_noncoherent: %p is not in RAM", vaddr);
		return;
	}
	dma_free_pages(dev, size, ma_virt_to_page(vaddr), dma_handle, dir);
}
