/* SPDX-License-Identifier: MIT */
/*
 * dma/sg.c - scatterlists: the table helpers and dma_map_sg() & co.
 *
 * A table is an array of struct scatterlist (possibly chained: sg_next() follows SG_CHAIN
 * links) whose last entry carries SG_END.  Every
 * segment is mapped on its own through ma_dma_map_phys(), so each one gets its own bounce
 * decision: a table may mix bounced and direct segments.  A failure part-way unmaps the
 * segments already mapped (without copying bounce buffers back: the CPU never gave them up)
 * and returns 0 (dma_map_sgtable(): -EIO; bad arguments -EINVAL).  sgtable.c owns the table
 * allocation and copy helpers.
 *
 * Behind an IOMMU with DMA debug off, a table no segment of which bounces is mapped into one
 * IOVA range instead and dma_map_sg() may return fewer entries (iommu.c); DMA debug tracks
 * mappings per segment, so with it on every segment gets its own IOVA range.
 *
 * Locking: none beyond what mapping a segment takes.
 */
#include "dma/internal.h"

void sg_init_table(struct scatterlist *sgl, unsigned int nents)
{
	if (!sgl || !nents)
		return;
	memset(sgl, 0, sizeof(*sgl) * nents);
	sg_mark_end(&sgl[nents - 1]);
}

void sg_set_page(struct scatterlist *sg, struct page *page, unsigned int len, unsigned int offset)
{
	sg_assign_page(sg, page);
	sg->offset = offset;
	sg->length = len;
}

void sg_set_buf(struct scatterlist *sg, const void *buf, unsigned int buflen)
{
	/* Not in RAM: no page; dma_map_sg() reports the segment (one report, not two). */
	struct page *pg = ma_virt_in_ram(buf, 1) ? ma_virt_to_page(buf) : NULL;

	sg_set_page(sg, pg, buflen, (unsigned int)((uintptr_t)buf & (PAGE_SIZE - 1)));
}

void sg_init_one(struct scatterlist *sg, const void *buf, unsigned int buflen)
{
	sg_init_table(sg, 1);
	sg_set_buf(sg, buf, buflen);
}

struct scatterlist *sg_next(struct scatterlist *sg)
{
	if (sg_is_last(sg))
		return NULL;
	sg++;
	if (ma_unlikely(sg_is_chain(sg)))
		sg = sg_chain_ptr(sg);
	return sg;
}

void *sg_virt(struct scatterlist *sg)
{
	if (!ma_page_valid(sg_page(sg)))
		return NULL;
	return (unsigned char *)ma_page_to_virt(sg_page(sg)) + sg->offset;
}

dma_addr_t sg_phys(struct scatterlist *sg)
{
	return (dma_addr_t)(page_to_phys(sg_page(sg)) + sg->offset);
}

/* The physical range of a segment, or false (reported) when it is not RAM. */
bool ma_dma_sg_phys(struct device *dev, struct scatterlist *sg, int i, phys_addr_t *phys,
		    const char *what)
{
	struct page *pg = sg_page(sg);

	if (!ma_page_valid(pg) || !sg->length ||
	    !ma_phys_in_ram(ma_page_to_phys(pg) + sg->offset, sg->length)) {
		ma_report("dma", dev->p->name, 0, sg->length,
			  "%s: segment %d (%u bytes) is empty or not in RAM", what, i, sg->length);
		return false;
	}
	*phys = ma_page_to_phys(pg) + sg->offset;
	return true;
}

static bool ma_sg_check(struct device *dev, struct scatterlist *sgl, int nents,
			enum dma_data_direction dir, const char *what)
{
	if (!ma_dma_check_args(dev, 1, dir, what))
		return false;
	if (!sgl || nents <= 0) {
		ma_report("dma", dev->p->name, 0, 0, "%s: %s", what,
			  sgl ? "nents <= 0" : "NULL table");
		return false;
	}
	return true;
}

/*
 * DMA-API debug's segment checks (Linux's check_sg_segment): reported, the segment is still
 * mapped.
 */
static void ma_sg_debug_segment(struct device *dev, struct scatterlist *sg, int i)
{
	unsigned int max = dma_get_max_seg_size(dev);
	u64 boundary = dma_get_seg_boundary(dev);
	u64 start = sg->dma_address, end = start + sg->dma_length - 1;

	if (sg->dma_length > max)
		ma_report("dma", dev->p->name, sg->dma_address, sg->dma_length,
			  "dma_map_sg: segment %d longer than the device supports (%u > %u)", i,
			  sg->dma_length, max);
	if ((start & ~boundary) != (end & ~boundary))
		ma_report("dma", dev->p->name, sg->dma_address, sg->dma_length,
			  "dma_map_sg: segment %d crosses the device's %#llx boundary", i,
			  (unsigned long long)boundary + 1);
}

/* dma_map_sg_attrs() with Linux's __dma_map_sg_attrs() errors: count, or -EINVAL / -EIO. */
static int ma_dma_map_sg(struct device *dev, struct scatterlist *sgl, int nents,
			 enum dma_data_direction dir, unsigned long attrs)
{
	static const char what[] = "dma_map_sg";
	struct scatterlist *sg = sgl;
	phys_addr_t phys;
	int i, n;

	if (!ma_sg_check(dev, sgl, nents, dir, what)) {
		ma_stat_add(MA_STAT_dma_map_failures, 1);
		return -EINVAL;
	}
	sgl->dma_flags &= ~MA_SG_IOMMU_MERGED;
	if (dev->p->iommu && !ma_dma_debug_on()) { /* one IOVA range when no segment bounces */
		n = ma_dma_iommu_map_sg(dev, sgl, nents, dir, attrs);
		if (n >= 0)
			return n;
	}
	for (i = 0; i < nents; i++, sg = sg_next(sg)) {
		if (!sg) {
			ma_report("dma", dev->p->name, 0, 0,
				  "%s: the table ends before entry %d of %d", what, i, nents);
			goto undo;
		}
		if (!ma_dma_sg_phys(dev, sg, i, &phys, what))
			goto undo;
		sg->dma_address =
			ma_dma_map_phys(dev, phys, sg->length, dir,
					(attrs & ~MA_DMA_ATTR_TYPE) | MA_DMA_ATTR_SG, what);
		if (sg->dma_address == DMA_MAPPING_ERROR)
			goto undo;
		sg->dma_length = sg->length;
		if (ma_dma_debug_on())
			ma_sg_debug_segment(dev, sg, i);
	}
	if (ma_dma_debug_on())
		ma_dma_debug_sg_done(dev, sgl, nents, nents, true);
	return nents;

undo:
	ma_stat_add(MA_STAT_dma_map_failures, 1);
	if (ma_dma_debug_on())
		ma_dma_debug_sg_done(dev, sgl, i, nents, false);
	for (n = 0, sg = sgl; n < i; n++, sg = sg_next(sg))
		ma_dma_unmap_addr(dev, sg->dma_address, sg->dma_length, dir,
				  attrs | DMA_ATTR_SKIP_CPU_SYNC, what);
	return -EIO;
}

MA_DMA_ENTRY
unsigned int dma_map_sg_attrs(struct device *dev, struct scatterlist *sgl, int nents,
			      enum dma_data_direction dir, unsigned long attrs)
{
	int n = ma_dma_map_sg(dev, sgl, nents, dir, attrs);

	return n < 0 ? 0 : (unsigned int)n;
}

MA_DMA_ENTRY
unsigned int dma_map_sg(struct device *dev, struct scatterlist *sgl, int nents,
			enum dma_data_direction dir)
{
	return dma_map_sg_attrs(dev, sgl, nents, dir, 0);
}

void dma_unmap_sg_attrs(struct device *dev, struct scatterlist *sgl, int nents,
			enum dma_data_direction dir, unsigned long attrs)
{
	struct scatterlist *sg = sgl;

	if (!ma_sg_check(dev, sgl, nents, dir, "dma_unmap_sg"))
		return;
	if (ma_dma_debug_on() && !ma_dma_debug_unmap_sg(dev, sgl, nents, dir, "dma_unmap_sg"))
		return;
	if (dev->p->iommu && ma_dma_iommu_unmap_sg(dev, sgl, nents, dir, attrs))
		return;
	for (int i = 0; i < nents && sg; i++, sg = sg_next(sg))
		ma_dma_unmap_addr(dev, sg->dma_address, sg->dma_length, dir, attrs, "dma_unmap_sg");
}

void dma_unmap_sg(struct device *dev, struct scatterlist *sgl, int nents,
		  enum dma_data_direction dir)
{
	dma_unmap_sg_attrs(dev, sgl, nents, dir, 0);
}

static void ma_sg_sync(struct device *dev, struct scatterlist *sgl, int nelems,
		       enum dma_data_direction dir, bool for_cpu, const char *what)
{
	struct scatterlist *sg = sgl;

	if (!ma_sg_check(dev, sgl, nelems, dir, what))
		return;
	if (ma_dma_debug_on() && !ma_dma_debug_sync_sg(dev, sgl, nelems, dir, what))
		return;
	if (dev->p->iommu && ma_dma_iommu_sync_sg(dev, sgl, nelems, dir, for_cpu))
		return;
	for (int i = 0; i < nelems && sg; i++, sg = sg_next(sg))
		ma_dma_sync_addr(dev, sg->dma_address, sg->dma_length, dir, for_cpu, what);
}

void dma_sync_sg_for_cpu(struct device *dev, struct scatterlist *sgl, int nelems,
			 enum dma_data_direction dir)
{
	ma_sg_sync(dev, sgl, nelems, dir, true, "dma_sync_sg_for_cpu");
}

void dma_sync_sg_for_device(struct device *dev, struct scatterlist *sgl, int nelems,
			    enum dma_data_direction dir)
{
	ma_sg_sync(dev, sgl, nelems, dir, false, "dma_sync_sg_for_device");
}

MA_DMA_ENTRY
int dma_map_sgtable(struct device *dev, struct sg_table *sgt, enum dma_data_direction dir,
		    unsigned long attrs)
{
	int n;

	if (!sgt) {
		ma_report("dma", ma_dev_name(dev), 0, 0, "dma_map_sgtable: NULL table");
		return -EINVAL;
	}
	n = ma_dma_map_sg(dev, sgt->sgl, (int)sgt->orig_nents, dir, attrs);
	if (n < 0)
		return n;
	sgt->nents = (unsigned int)n;
	return 0;
}

void dma_unmap_sgtable(struct device *dev, struct sg_table *sgt, enum dma_data_direction dir,
		       unsigned long attrs)
{
	if (!sgt) {
		ma_report("dma", ma_dev_name(dev), 0, 0, "dma_unmap_sgtable: NULL table");
		return;
	}
	dma_unmap_sg_attrs(dev, sgt->sgl, (int)sgt->orig_nents, dir, attrs);
}

void dma_sync_sgtable_for_cpu(struct device *dev, struct sg_table *sgt, enum dma_data_direction dir)
{
	if (!sgt) {
		ma_report("dma", ma_dev_name(dev), 0, 0, "dma_sync_sgtable_for_cpu: NULL table");
		return;
	}
	ma_sg_sync(dev, sgt->sgl, (int)sgt->orig_nents, dir, true, "dma_sync_sgtable_for_cpu");
}

void dma_sync_sgtable_for_device(struct device *dev, struct sg_table *sgt,
				 enum dma_data_direction dir)
{
	if (!sgt) {
		ma_report("dma", ma_dev_name(dev), 0, 0, "dma_sync_sgtable_for_device: NULL table");
		return;
	}
	ma_sg_sync(dev, sgt->sgl, (int)sgt->orig_nents, dir, false, "dma_sync_sgtable_for_device");
}
