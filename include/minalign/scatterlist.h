/* SPDX-License-Identifier: MIT */
/*
 * minalign/scatterlist.h - scatterlists, sg_table and their DMA mapping.
 *
 * Linux's layout and semantics: struct scatterlist keeps its page in page_link, whose low bits
 * mark the last entry (SG_END) or a chain entry (SG_CHAIN) that points at the next array of
 * entries instead of describing memory.  sg_next() and for_each_sg() walk chains;
 * sg_alloc_table() builds chained tables of at most SG_MAX_SINGLE_ALLOC entries per array.
 * dma_map_sg() judges every segment on its own: some may be bounced and others mapped directly.
 */
#ifndef MINALIGN_SCATTERLIST_H
#define MINALIGN_SCATTERLIST_H

#include <minalign/types.h>
#include <minalign/mm.h>
#include <minalign/device.h>

MINALIGN_BEGIN_DECLS

/**
 * struct scatterlist - one segment, or a chain link (Linux's layout).
 * @page_link:	 the page (struct page *) | SG_CHAIN | SG_END; for a chain entry, the next
 *		 array | SG_CHAIN.
 * @offset:	 byte offset into the page (may exceed PAGE_SIZE: RAM is contiguous).
 * @length:	 bytes.
 * @dma_address: set by dma_map_sg().
 * @dma_length:	 set by dma_map_sg().
 * @dma_flags:	 the library's (as Linux's SG_DMA_* bits): set by dma_map_sg() on the first entry
 *		 of a table an IOMMU device mapped as one merged IOVA range; leave it alone.
 */
struct scatterlist {
	unsigned long page_link;
	unsigned int offset;
	unsigned int length;
	dma_addr_t dma_address;
	unsigned int dma_length;
	unsigned int dma_flags;
};

/** struct sg_table - a (possibly chained) scatterlist and its entry counts. */
struct sg_table {
	struct scatterlist *sgl; /* the first entry */
	unsigned int nents;	 /* mapped entries (dma_map_sgtable() sets it) */
	unsigned int orig_nents; /* entries describing memory */
};

#define SG_CHAIN	    0x01UL
#define SG_END		    0x02UL
#define SG_PAGE_LINK_MASK   (SG_CHAIN | SG_END)
/* Kept for code written against minalign before the kernel layout. */
#define MINALIGN_SG_END	    SG_END
/* Entries per array that sg_alloc_table() chains (one page of entries, as Linux). */
#define SG_MAX_SINGLE_ALLOC (PAGE_SIZE / sizeof(struct scatterlist))

#define sg_dma_address(sg) ((sg)->dma_address)
#define sg_dma_len(sg)	   ((sg)->dma_length)

/** sg_is_chain() - @sg links to another array instead of describing memory. */
static inline bool sg_is_chain(struct scatterlist *sg)
{
	return (sg->page_link & SG_CHAIN) != 0;
}
/** sg_is_last() - @sg is the last entry of its table. */
static inline bool sg_is_last(struct scatterlist *sg)
{
	return (sg->page_link & SG_END) != 0;
}
/** sg_chain_ptr() - the array a chain entry links to. */
static inline struct scatterlist *sg_chain_ptr(struct scatterlist *sg)
{
	return (struct scatterlist *)(sg->page_link & ~SG_PAGE_LINK_MASK);
}
/** sg_page() - the page of a segment (NULL when none was set). */
static inline struct page *sg_page(struct scatterlist *sg)
{
	return (struct page *)(sg->page_link & ~SG_PAGE_LINK_MASK);
}
/** sg_assign_page() - set the page, keeping the end and chain marks. */
static inline void sg_assign_page(struct scatterlist *sg, struct page *page)
{
	sg->page_link = (sg->page_link & SG_PAGE_LINK_MASK) | (unsigned long)page;
}
/** sg_mark_end() - make @sg the last entry (it is no chain entry any more). */
static inline void sg_mark_end(struct scatterlist *sg)
{
	sg->page_link = (sg->page_link | SG_END) & ~SG_CHAIN;
}
/** sg_unmark_end() - @sg is no longer the last entry. */
static inline void sg_unmark_end(struct scatterlist *sg)
{
	sg->page_link &= ~SG_END;
}
/**
 * sg_chain() - link the last entry of @prv (@prv_nents entries, the last one spent on the
 * link) to the array @sgl.
 */
static inline void sg_chain(struct scatterlist *prv, unsigned int prv_nents,
			    struct scatterlist *sgl)
{
	struct scatterlist *link = &prv[prv_nents - 1];

	link->offset = 0;
	link->length = 0;
	link->page_link = ((unsigned long)sgl | SG_CHAIN) & ~SG_END;
}

/** sg_init_table() - zero @nents entries and mark the last one as the end. */
MINALIGN_API void sg_init_table(struct scatterlist *sgl, unsigned int nents);
/** sg_init_one() - a one-entry table describing @buf (@buflen bytes). */
MINALIGN_API void sg_init_one(struct scatterlist *sg, const void __dma *buf, unsigned int buflen);
/**
 * sg_set_buf() - point @sg at @buflen bytes of @buf, a CPU address in RAM (anything else leaves
 * a segment without a page, which dma_map_sg() reports and refuses).
 */
MINALIGN_API void sg_set_buf(struct scatterlist *sg, const void __dma *buf, unsigned int buflen);
/** sg_set_page() - point @sg at @len bytes at @offset into @page (marks kept). */
MINALIGN_API void sg_set_page(struct scatterlist *sg, struct page *page, unsigned int len,
			      unsigned int offset);
/** sg_next() - the entry after @sg, following chain links; NULL when @sg is the last one. */
MINALIGN_API struct scatterlist *sg_next(struct scatterlist *sg);
/** sg_virt() - CPU address of the segment's first byte (NULL without a valid page). */
MINALIGN_API void *sg_virt(struct scatterlist *sg);
/** sg_phys() - physical address of the segment's first byte (a dma_addr_t, as Linux). */
MINALIGN_API dma_addr_t sg_phys(struct scatterlist *sg);
/** sg_nents() - entries from @sg to the end mark, chain links not counted (0 for NULL). */
MINALIGN_API int sg_nents(struct scatterlist *sg);
/**
 * sg_nents_for_len() - entries needed from @sg to cover @len bytes.
 * Return: the count (0 for @len 0), or -EINVAL when the list is shorter than @len.
 */
MINALIGN_API int sg_nents_for_len(struct scatterlist *sg, u64 len);
/** sg_last() - the last of @nents entries from @s (following chains). */
MINALIGN_API struct scatterlist *sg_last(struct scatterlist *s, unsigned int nents);

/**
 * sg_alloc_table() - allocate a table of @nents entries, chained arrays of at most
 * SG_MAX_SINGLE_ALLOC entries (kmalloc memory), initialised and end-marked.
 * Return: 0 (nents = orig_nents = @nents); -EINVAL for @nents 0 or a NULL @table; -ENOMEM,
 * with everything allocated freed and @table zeroed.
 */
MINALIGN_API int sg_alloc_table(struct sg_table *table, unsigned int nents, gfp_t gfp_mask);
/** sg_free_table() - free what sg_alloc_table*() allocated; @table is zeroed. */
MINALIGN_API void sg_free_table(struct sg_table *table);
/**
 * sg_alloc_table_from_pages_segment() - a table over @size bytes of @n_pages pages starting
 * @offset into the first one; physically contiguous pages are merged into one segment of at
 * most @max_segment bytes (rounded down to pages; at least PAGE_SIZE).
 * Return: 0; -EINVAL for bad arguments (n_pages 0, @max_segment below a page, @offset +
 * @size beyond the pages); -ENOMEM.
 */
MINALIGN_API int sg_alloc_table_from_pages_segment(struct sg_table *sgt, struct page **pages,
						   unsigned int n_pages, unsigned int offset,
						   unsigned long size, unsigned int max_segment,
						   gfp_t gfp_mask);
/** sg_alloc_table_from_pages() - the same with no segment limit (UINT_MAX). */
MINALIGN_API int sg_alloc_table_from_pages(struct sg_table *sgt, struct page **pages,
					   unsigned int n_pages, unsigned int offset,
					   unsigned long size, gfp_t gfp_mask);
/**
 * sg_copy_from_buffer() - copy @buflen bytes of @buf into the segments of @sgl (at most
 * @nents entries), through the CPU view.  Return: bytes copied.
 */
MINALIGN_API size_t sg_copy_from_buffer(struct scatterlist *sgl, unsigned int nents,
					const void *buf, size_t buflen);
/** sg_copy_to_buffer() - the other way.  Return: bytes copied. */
MINALIGN_API size_t sg_copy_to_buffer(struct scatterlist *sgl, unsigned int nents, void *buf,
				      size_t buflen);

#define for_each_sg(sglist, sg, nr, __i) \
	for ((__i) = 0, (sg) = (sglist); (__i) < (nr); (__i)++, (sg) = sg_next(sg))
/* Every entry describing memory (orig_nents): for the CPU side. */
#define for_each_sgtable_sg(sgt, sg, i)	    for_each_sg ((sgt)->sgl, sg, (sgt)->orig_nents, i)
/* Every mapped DMA segment (nents): for programming the device. */
#define for_each_sgtable_dma_sg(sgt, sg, i) for_each_sg ((sgt)->sgl, sg, (sgt)->nents, i)

/**
 * dma_map_sg_attrs() - map every segment of a scatterlist.
 * @dev: the device.
 * @sgl: the table.
 * @nents: entries to map (> 0).
 * @dir: direction.
 * @attrs: 0 or DMA_ATTR_SKIP_CPU_SYNC.
 *
 * Each segment is decided and mapped like dma_map_page_attrs(); sg_dma_address() and
 * sg_dma_len() are set on every entry.  Segments are never merged.  With MINALIGN_DEBUG_DMA a
 * segment longer than dma_get_max_seg_size() or crossing dma_get_seg_boundary() is reported
 * (and mapped), as Linux's DMA-API debug does.
 *
 * Return: the number of entries mapped (@nents), or 0 when any segment fails: then every
 * segment mapped so far is unmapped again (the failing one was reported).  Thread-safe.
 */
MINALIGN_API unsigned int dma_map_sg_attrs(struct device *dev, struct scatterlist *sgl, int nents,
					   enum dma_data_direction dir, unsigned long attrs);
/** dma_unmap_sg_attrs() - unmap; @nents is the value passed to dma_map_sg_attrs(). */
MINALIGN_API void dma_unmap_sg_attrs(struct device *dev, struct scatterlist *sgl, int nents,
				     enum dma_data_direction dir, unsigned long attrs);
/** dma_map_sg() - dma_map_sg_attrs() with no attributes. */
MINALIGN_API unsigned int dma_map_sg(struct device *dev, struct scatterlist *sgl, int nents,
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

/**
 * dma_map_sgtable() - dma_map_sg_attrs() of @sgt's orig_nents entries; sets @sgt->nents.
 * Return: 0; -EINVAL for bad arguments (reported); -EIO when a segment cannot be mapped (the
 * one report names it; nothing stays mapped).
 */
MINALIGN_API int dma_map_sgtable(struct device *dev, struct sg_table *sgt,
				 enum dma_data_direction dir, unsigned long attrs);
/** dma_unmap_sgtable() - unmap a dma_map_sgtable() mapping (orig_nents entries). */
MINALIGN_API void dma_unmap_sgtable(struct device *dev, struct sg_table *sgt,
				    enum dma_data_direction dir, unsigned long attrs);
/** dma_sync_sgtable_for_cpu() - dma_sync_sg_for_cpu() of @sgt's orig_nents entries. */
MINALIGN_API void dma_sync_sgtable_for_cpu(struct device *dev, struct sg_table *sgt,
					   enum dma_data_direction dir);
/** dma_sync_sgtable_for_device() - dma_sync_sg_for_device() of @sgt's orig_nents entries. */
MINALIGN_API void dma_sync_sgtable_for_device(struct device *dev, struct sg_table *sgt,
					      enum dma_data_direction dir);

MINALIGN_END_DECLS

#endif /* MINALIGN_SCATTERLIST_H */
