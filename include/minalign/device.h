/* SPDX-License-Identifier: MIT */
/*
 * minalign/device.h - simulated devices: creation, teardown and the device side of DMA.
 *
 * A struct device stands for one DMA-capable device.  Its DMA engine is simulated by
 * minalign_dma_write() and minalign_dma_read(): they reach RAM as the device sees it (the DRAM
 * view of the cache simulator for a non-coherent device on cacheable memory, the CPU view for a
 * coherent device and for uncached memory).
 */
#ifndef MINALIGN_DEVICE_H
#define MINALIGN_DEVICE_H

#include <minalign/types.h>

MINALIGN_BEGIN_DECLS

struct device; /* opaque */

/**
 * struct minalign_device_info - what a device is.
 * @name:	 name used in reports; copied; NULL gives "device".
 * @coherent:	 the device snoops the CPU caches: no cache maintenance, never bounced for
 *		 alignment.
 * @dma_bits:	 address bits the device drives (1..64); 0 means 64.  The DMA mask and the
 *		 coherent DMA mask start as DMA_BIT_MASK(@dma_bits).
 * @force_bounce: every streaming mapping goes through the bounce pool (like swiotlb=force).
 */
struct minalign_device_info {
	const char *name;
	bool coherent;
	unsigned int dma_bits;
	bool force_bounce;
};

/**
 * minalign_device_create() - create a device.
 * @info: its description; NULL gives a non-coherent 64-bit device named "device".
 *
 * Return: the device, or NULL when the library is not initialised or @info->dma_bits is above
 * 64 (both reported), or when metadata cannot be allocated (no report).  Thread-safe.
 */
MINALIGN_API struct device *minalign_device_create(const struct minalign_device_info *info);

/**
 * minalign_device_destroy() - destroy a device.
 * @dev: the device; NULL is ignored.
 *
 * Runs the device's release actions (devres and the DMA layer's teardown) in the reverse order
 * of their registration, then frees the device.  No other thread may use @dev.
 */
MINALIGN_API void minalign_device_destroy(struct device *dev);

/** dev_name() - the device's name ("(null)" for NULL). */
MINALIGN_API const char *dev_name(const struct device *dev);

/**
 * minalign_dma_write() - the device writes @len bytes of @src at DMA address @addr.
 * @dev: the device.
 * @addr: bus address, as returned by a mapping or dma_alloc_coherent().
 * @src: data.
 * @len: bytes; 0 is a no-op.
 *
 * Return: 0; -EFAULT (and one report) when the range lies beyond what the device can address
 * (DMA_BIT_MASK(dma_bits)) or outside RAM; -EINVAL (reported) for a NULL @dev or @src.
 * Thread-safe.
 */
MINALIGN_API int minalign_dma_write(struct device *dev, dma_addr_t addr, const void *src,
				    size_t len);

/**
 * minalign_dma_read() - the device reads @len bytes at DMA address @addr into @dst.
 *
 * Same arguments, checks and return values as minalign_dma_write().
 */
MINALIGN_API int minalign_dma_read(struct device *dev, dma_addr_t addr, void *dst, size_t len);

MINALIGN_END_DECLS

#endif /* MINALIGN_DEVICE_H */
