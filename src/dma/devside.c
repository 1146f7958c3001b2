/* SPDX-License-Identifier: MIT */
/*
 * dma/devside.c - the device's DMA engine: minalign_dma_write() and minalign_dma_read().
 *
 * Owns nothing; checks the bus range against what the engine can drive (DMA_BIT_MASK of the
 * device's dma_bits) and against RAM, then copies through cache/: a non-coherent device on
 * cacheable memory reaches the DRAM view, a coherent device or uncached memory the CPU view.
 *
 * Locking: none; the copies race with CPU stores to the same lines exactly as hardware would.
 */
#include "dma/internal.h"

static int ma_dma_engine_check(struct device *dev, dma_addr_t addr, const void *buf, size_t len,
			       const char *what)
{
	phys_addr_t phys;

	if (!ma_dma_dev_valid(dev, what))
		return -EINVAL;
	if (!buf) {
		ma_report("dma", dev->p->name, addr, len, "%s: NULL buffer", what);
		return -EINVAL;
	}
	if (addr > dev->p->dma_limit || len - 1 > dev->p->dma_limit - addr) {
		ma_report("dma", dev->p->name, addr, len,
			  "%s: %#llx+%zu is beyond the device's %u-bit reach", what,
			  (unsigned long long)addr, len, dev->p->dma_bits);
		return -EFAULT;
	}
	phys = ma_dma_to_phys(dev, addr);
	if (!ma_phys_in_ram(phys, len)) {
		ma_report("dma", dev->p->name, addr, len, "%s: %#llx+%zu is outside RAM", what,
			  (unsigned long long)addr, len);
		return -EFAULT;
	}
	return 0;
}

int minalign_dma_write(struct device *dev, dma_addr_t addr, const void *src, size_t len)
{
	int err;

	if (!len)
		return 0;
	err = ma_dma_engine_check(dev, addr, src, len, "minalign_dma_write");
	if (!err && ma_dma_debug_on())
		err = ma_dma_debug_access(dev, addr, len, true, "minalign_dma_write");
	if (!err)
		ma_dev_write(ma_dma_to_phys(dev, addr), src, len, dev->p->coherent);
	return err;
}

int minalign_dma_read(struct device *dev, dma_addr_t addr, void *dst, size_t len)
{
	int err;

	if (!len)
		return 0;
	err = ma_dma_engine_check(dev, addr, dst, len, "minalign_dma_read");
	if (!err && ma_dma_debug_on())
		err = ma_dma_debug_access(dev, addr, len, false, "minalign_dma_read");
	if (!err)
		ma_dev_read(ma_dma_to_phys(dev, addr), dst, len, dev->p->coherent);
	return err;
}
