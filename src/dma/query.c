/* SPDX-License-Identifier: MIT */
/*
 * dma/query.c - what a driver may ask of the DMA layer (dma_max_mapping_size,
 * dma_opt_mapping_size, dma_need_sync, dma_addressing_limited, dma_get_required_mask), mask
 * coercion, and resource (MMIO) mappings.
 *
 * Linux's dma-direct answers (kernel/dma/direct.c, mapping.c), with minalign's machine: the
 * required mask covers the last page of RAM; a device needs syncs unless it is coherent (or the
 * cache model is) and the address is no bounce buffer; the largest mapping is the bounce pool's
 * when the device's mappings may bounce for addressing (mask below RAM, force_bounce).
 * dma_map_resource() maps a physical range that is not RAM (a peer's MMIO): no maintenance, no
 * bounce, the DMA address is the physical address when the mask reaches it.
 *
 * Locking: none; everything reads fields set at probe time.
 */
#include "dma/internal.h"

u64 dma_get_required_mask(struct device *dev)
{
	u64 last = ma_phys_to_dma(dev, ma_mem.end - PAGE_SIZE);
	int bit = 63 - __builtin_clzll(last | 1);

	return bit >= 63 ? ~0ULL : (1ULL << (bit + 1)) - 1;
}

bool dma_addressing_limited(struct device *dev)
{
	if (!ma_dma_dev_valid(dev, "dma_addressing_limited"))
		return false;
	return ma_dev_dma_mask(dev) < dma_get_required_mask(dev);
}

size_t dma_max_mapping_size(struct device *dev)
{
	if (!ma_dma_dev_valid(dev, "dma_max_mapping_size"))
		return 0;
	if (is_swiotlb_active(dev) && (dma_addressing_limited(dev) || dev->p->force_bounce))
		return swiotlb_max_mapping_size(dev);
	return SIZE_MAX;
}

size_t dma_opt_mapping_size(struct device *dev)
{
	return dma_max_mapping_size(dev); /* dma-direct has no smaller optimum */
}

bool dma_need_sync(struct device *dev, dma_addr_t dma_addr)
{
	if (!ma_dma_dev_valid(dev, "dma_need_sync"))
		return false;
	return ma_dma_maintained(dev) || is_swiotlb_buffer(dev, ma_dma_to_phys(dev, dma_addr));
}

int dma_coerce_mask_and_coherent(struct device *dev, u64 mask)
{
	if (!ma_dma_dev_valid(dev, "dma_coerce_mask_and_coherent"))
		return -EINVAL;
	dev->dma_mask = &dev->coherent_dma_mask;
	return dma_set_mask_and_coherent(dev, mask);
}

dma_addr_t dma_map_resource(struct device *dev, phys_addr_t phys_addr, size_t size,
			    enum dma_data_direction dir, unsigned long attrs)
{
	static const char what[] = "dma_map_resource";
	dma_addr_t addr;

	(void)attrs;
	if (!ma_dma_check_args(dev, size, dir, what))
		return DMA_MAPPING_ERROR;
	if (phys_addr < ma_mem.end && phys_addr + size > ma_mem.base) {
		ma_report("dma", dev->p->name, phys_addr, size,
			  "%s: %#llx+%zu is RAM (map it with dma_map_page)", what,
			  (unsigned long long)phys_addr, size);
		return DMA_MAPPING_ERROR;
	}
	addr = ma_phys_to_dma(dev, phys_addr);
	if (!ma_dma_capable(dev, phys_addr, size)) {
		ma_report("dma", dev->p->name, phys_addr, size,
			  "%s: %#llx+%zu is beyond the DMA mask", what,
			  (unsigned long long)phys_addr, size);
		return DMA_MAPPING_ERROR;
	}
	return addr;
}

void dma_unmap_resource(struct device *dev, dma_addr_t addr, size_t size,
			enum dma_data_direction dir, unsigned long attrs)
{
	(void)addr;
	(void)attrs;
	(void)ma_dma_check_args(dev, size, dir, "dma_unmap_resource");
}
