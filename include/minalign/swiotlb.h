/* SPDX-License-Identifier: MIT */
/*
 * minalign/swiotlb.h - the bounce pool seen from drivers.
 *
 * Bounce slots are one cache line (minalign_config.cache_line) each; a mapping never crosses a
 * 256 KiB segment, so swiotlb_max_mapping_size() is 256 KiB (less the bytes a min_align_mask
 * may offset), like Linux.
 */
#ifndef MINALIGN_SWIOTLB_H
#define MINALIGN_SWIOTLB_H

#include <minalign/types.h>
#include <minalign/device.h>

MINALIGN_BEGIN_DECLS

/** is_swiotlb_buffer() - true if physical address @paddr lies in a bounce pool. */
MINALIGN_API bool is_swiotlb_buffer(struct device *dev, phys_addr_t paddr);
/** is_swiotlb_active() - true if a bounce pool exists that @dev can reach. */
MINALIGN_API bool is_swiotlb_active(struct device *dev);
/** swiotlb_max_mapping_size() - largest mapping the pool can bounce for @dev (SIZE_MAX without
 * a pool). */
MINALIGN_API size_t swiotlb_max_mapping_size(struct device *dev);

MINALIGN_END_DECLS

#endif /* MINALIGN_SWIOTLB_H */
