/* SPDX-License-Identifier: MIT */
/*
 * minalign/scatterlist.h - scatterlists and their DMA mapping.
 *
 * A scatterlist is an array of segments (page + offset + length).  The last entry carries an
 * end mark (sg_init_table() and sg_init_one() set it; sg_mark_end() moves it).  Chained tables
 * are not supported.  dma_map_sg() judges every segment on its own: some may be bounced and
 * others mapped directly.
 */
#ifndef MINALIGN_SCATTERLIST_H
#define MINALIGN_SCATTERLIST_H

#include <minalign/types.h>
#include <minalign/mm.h>
#include <minalign/device.h>

MINALIGN_BEGIN_DECLS

#define MINALIGN_SG_END 0x2u /* last entry of the table */

struct scatterlist {
	struct page *page;	 /* first page of the segment */
	unsigned int offset;	 /* byte offset into @page (may exceed PAGE_SIZE) */
	unsigned int length;	 /* bytes */
	dma_addr_t dma_address;	 /* set by dma_map_sg() */
	unsigned int dma_length; /* set by dma_map_sg() */
	unsigned int flags;	 /* MINALIGN_SG_END */
};

#define sg_dma_address(sg) ((sg)->dma_address)
#define sg_dma_len(sg)	   ((sg)->dma_length)

/** sg_init_table() - zero @nents entries and mark the last one as the end. */
MINALIGN_API void sg_init_table(struct scatterlist *sgl, unsigned int nents);
/** sg_init_one() - a one-entry table describing @buf (@buflen bytes). */
MINALIGN_API void sg_init_one(struct scatterlist *sg, const void __dma *buf, unsigned int buflen);
/**
 * sg_set_buf() - point @sg at @buflen bytes of @buf, a CPU address in RAM (anything else leaves
 * a segment without a page, which dma_map_sg() reports and refuses).
 */
MINALIGN_API void sg_set_buf(struct scatterlist *sg, const void __dma *buf, unsigned int buflen);
/** sg_set_page() - point @sg at @len bytes at @offset into @page. */
MINALIGN_API void sg_set_page(struct scatterlist *sg, struct page *page, unsigned int len,
			      unsigned int offset);
/** sg_mark_end() - make @sg the last entry. */
MINALIGN_API void sg_mark_end(struct scatterlist *sg);
/** sg_next() - the entry after @sg, or NULL when @sg is the last one. */
MINALIGN_API struct scatterlist *sg_next(struct scatterlist *sg);
/** sg_virt() - CPU address of the segment's first byte. */
MINALIGN_API void *sg_virt(struct scatterlist *sg);

#define for_each_sg(sglist, sg, nr, __i) \
	for ((__i) = 0, (sg) = (sglist); (__i) < (nr); (__i)++, (sg) = sg_next(sg))

/**
 * dma_map_sg_attrs() - map every segment of a scatterlist.
 * @dev: the device.
 * @sgl: the table.
 * @nents: entries to map (> 0).
 * @dir: direction.
 * @attrs: 0 or DMA_ATTR_SKIP_CPU_SYNC.
 *
 * Each segment is decided and mapped like dma_map_page_attrs(); sg_dma_address() and
 * sg_dma_len() are set on every entry.  Segments are never merged.
 *
 * Return: the number of entries mapped (@nents), or 0 when any segment fails: then every
 * segment mapped so far is unmapped again (the failing one was reported).  Thread-safe.
 */
MINALIGN_API int dma_map_sg_attrs(struct device *dev, struct scatterlist *sgl, int nents,
				  enum dma_data_direction dir, unsigned long attrs);
/** dma_unmap_sg_attrs() - unmap; @nents is the value passed to dma_map_sg_attrs(). */
MINALIGN_API void dma_unmap_sg_attrs(struct device *dev, struct scatterlist *sgl, int nents,
				     enum dma_data_direction dir, unsigned long attrs);
/** dma_map_sg() - dma_map_sg_attrs() with no attributes. */
MINALIGN_API int dma_map_sg(struct device *dev, struct scatterlist *sgl, int nents,
			    enum dma_data_direction dir);
/** dma_unmap_sg() - dma_unmap_sg_attrs() with no attributes. */
MINALIGN_API void dma_unmap_sg(struct device *dev, struct scatterlist *sgl, int nents,
			       enum dma_data_direction dir);
/** dma_sync_sg_for_cpu() - dma_sync_single_for_cpu() on each of @nelems mapped entries. */
MINALIGN_API void dma_sync_sg_for_cpu(struct device *dev, struct scatterlist *sgl, int nelems,
				      enum dma_data_direction dir);
/** dma_sync_sg_for_device() - dma_sync_single_for_device() on each of @nelems entries. */
MINALIGN_API void dma_sync_sg_for_device(struct device *dev, struct scatterlist *sgl, int nelems,
					 enum dma_data_direction dir);

MINALIGN_END_DECLS

#endif /* MINALIGN_SCATTERLIST_H */
