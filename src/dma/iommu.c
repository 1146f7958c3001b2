/* SPDX-License-Identifier: MIT */
/*
 * dma/iommu.c - streaming DMA for devices behind an IOMMU (Linux's dma-iommu).
 *
 * The device's DMA addresses are IOVAs of its own domain (iommu/).  A mapping of
 * [phys, phys+size) maps the IOVA granules covering it, with IOMMU_READ for TO_DEVICE,
 * IOMMU_WRITE for FROM_DEVICE and both for BIDIRECTIONAL, and returns IOVA + the offset of
 * phys in its granule.  Unmap (mapping.c) clears the range, invalidates the IOTLB and gives
 * the IOVA back before the buffer is released to the CPU.
 *
 * The bounce decision (Linux 6.5's dev_use_swiotlb + iova_offset, sharpened):
 *  - untrusted device: bounce when (phys | size) is not granule-aligned, in every direction,
 *    so the granules the device can reach hold nothing but the data and zeroed padding;
 *  - otherwise: an inbound mapping of a non-coherent device that the policy finds unsafe (the
 *    exact rule by default: an edge line holds someone else's bytes; Linux's size heuristic
 *    with bounce_linux_rule) is bounced only when it is also not granule-aligned; a granule-
 *    aligned buffer owns whole granules and lines, so it maps directly;
 *  - force_bounce devices bounce everything; the IOMMU removes addressing bounces (any RAM is
 *    reachable through an IOVA within the mask).
 * The bounce buffer is whole granules, granule-aligned (a padded swiotlb run, or a kmalloc
 * object of a multiple of the granule), and it is what gets mapped.
 *
 * Scatterlists (debug off): when no segment bounces, the table goes into one IOVA range: each
 * segment at its offset in its first granule, a new DMA segment whenever the previous one did
 * not end on a granule boundary or this one does not start on one (or the DMA segment would
 * pass 64 KiB, Linux's default max_segment_size), so dma_map_sg() may return fewer entries
 * than it was given (three page-aligned pages: one).  When a segment bounces, every segment
 * is mapped on its own (Linux: dev_use_sg_swiotlb).  A merged table carries
 * MA_SG_IOMMU_MERGED on its first entry until it is mapped again.
 *
 * Locking: the domain's (iommu.h); the bounce backends' own.
 */
#include "dma/internal.h"

#define MA_SG_MAX_SEGMENT 65536u /* Linux's default dma_get_max_seg_size() */

static unsigned int ma_iommu_prot(enum dma_data_direction dir)
{
	if (dir == DMA_TO_DEVICE)
		return MA_IOMMU_READ;
	if (dir == DMA_FROM_DEVICE)
		return MA_IOMMU_WRITE;
	return MA_IOMMU_READ | MA_IOMMU_WRITE;
}

static bool ma_iommu_partial(const struct device *dev, phys_addr_t phys, size_t size)
{
	return ((phys | (phys_addr_t)size) & (dev->p->iova_granule - 1)) != 0;
}

bool ma_dma_iommu_bounces(struct device *dev, phys_addr_t phys, size_t size,
			  enum dma_data_direction dir)
{
	if (dev->p->untrusted)
		return ma_iommu_partial(dev, phys, size);
	if (dev->p->coherent || !ma_dma_inbound(dir))
		return false;
	/* both verdicts counted, as on dma-direct; the granule decides what acts */
	return ma_dma_align_bounce(phys, size) && ma_iommu_partial(dev, phys, size);
}

/* A granule-padded bounce of [@phys, @phys+@size); MINALIGN_PHYS_INVALID after a report. */
static phys_addr_t ma_iommu_bounce(struct device *dev, phys_addr_t phys, size_t size,
				   enum dma_data_direction dir, const char *what)
{
	struct ma_tlb_dev td;
	phys_addr_t b;

	if (ma_cfg.bounce_backend == MINALIGN_BOUNCE_KMALLOC)
		return ma_kb_map(dev, phys, size, dir, dev->p->iova_granule, dev->p->untrusted);
	if (!ma_swiotlb_active()) {
		ma_report("dma", dev->p->name, phys, size,
			  "%s: buffer must be bounced (%s) but there is no bounce pool", what,
			  dev->p->untrusted ? "untrusted device" : "shares a cache line");
		return MINALIGN_PHYS_INVALID;
	}
	ma_dma_tlb_dev(&td, dev);
	td.limit = UINT64_MAX; /* the IOMMU reaches any RAM */
	td.pad_shift = (unsigned int)__builtin_ctz(dev->p->iova_granule);
	td.pad_zero = dev->p->untrusted;
	b = ma_swiotlb_map(&td, phys, size, 0, dir);
	return b == MA_TLB_FAIL ? MINALIGN_PHYS_INVALID : b;
}

/* Give a bounce buffer back without copying (its IOVA mapping failed). */
static void ma_iommu_unbounce(struct device *dev, phys_addr_t b, size_t size,
			      enum dma_data_direction dir)
{
	struct ma_tlb_dev td;

	if (ma_cfg.bounce_backend == MINALIGN_BOUNCE_KMALLOC) {
		ma_kb_unmap(dev, b, size, dir, true);
		return;
	}
	ma_dma_tlb_dev(&td, dev);
	ma_swiotlb_unmap(&td, b, size, dir, true);
}

dma_addr_t ma_dma_iommu_map(struct device *dev, phys_addr_t phys, size_t size,
			    enum dma_data_direction dir, unsigned long attrs, bool *bounced,
			    const char *what)
{
	phys_addr_t b = phys;
	u64 iova;

	if (*bounced) {
		b = ma_iommu_bounce(dev, phys, size, dir, what);
		if (b == MINALIGN_PHYS_INVALID)
			return DMA_MAPPING_ERROR;
	}
	iova = ma_iommu_map_range(ma_dma_dom(dev), b, size, ma_iommu_prot(dir), ma_dma_limit(dev));
	if (!iova) {
		if (*bounced)
			ma_iommu_unbounce(dev, b, size, dir);
		return DMA_MAPPING_ERROR;
	}
	if (!*bounced)
		ma_dma_direct_for_device(dev, phys, size, dir, attrs);
	return (dma_addr_t)iova;
}

/* ---- scatterlists ------------------------------------------------------------------------ */

/* Granules of the merged layout, and whether any segment bounces (-1: bad segment, reported). */
static int ma_iommu_sg_plan(struct device *dev, struct scatterlist *sgl, int nents,
			    enum dma_data_direction dir, u64 *granules)
{
	size_t g = dev->p->iova_granule;
	struct scatterlist *sg = sgl;
	phys_addr_t phys;
	bool bounce = false;
	int i;

	*granules = 0;
	for (i = 0; i < nents; i++, sg = sg_next(sg)) {
		if (!sg) {
			ma_report("dma", dev->p->name, 0, 0,
				  "dma_map_sg: the table ends before entry %d of %d", i, nents);
			return -1;
		}
		if (!ma_dma_sg_phys(dev, sg, i, &phys, "dma_map_sg"))
			return -1;
		if (dev->p->force_bounce ||
		    (dev->p->untrusted && ma_iommu_partial(dev, phys, sg->length)))
			bounce = true;
		else if (!dev->p->untrusted && !dev->p->coherent && ma_dma_inbound(dir) &&
			 ma_iommu_partial(dev, phys, sg->length) &&
			 ma_dma_policy_bounces(phys, sg->length, false))
			bounce = true;
		*granules += ((phys & (g - 1)) + sg->length + g - 1) / g;
	}
	return bounce;
}

int ma_dma_iommu_map_sg(struct device *dev, struct scatterlist *sgl, int nents,
			enum dma_data_direction dir, unsigned long attrs)
{
	struct ma_iommu_domain *dom = ma_dma_dom(dev);
	size_t g = dev->p->iova_granule;
	struct scatterlist *sg, *out = NULL;
	u64 n, pfn, at;
	bool open_end = false; /* the DMA segment being built ends inside a granule */
	int plan = ma_iommu_sg_plan(dev, sgl, nents, dir, &n), count = 0, i;

	if (plan != 0)
		return plan < 0 ? (ma_stat_add(MA_STAT_dma_map_failures, 1), 0) : -1;
	pfn = ma_iova_alloc(dom, n, ma_dma_limit(dev));
	if (!pfn) {
		ma_report(
			"iommu", dev->p->name, 0, 0,
			"dma_map_sg: no IOVA space for %llu granule(s) (or no memory to track it)",
			(unsigned long long)n);
		ma_stat_add(MA_STAT_dma_map_failures, 1);
		return 0;
	}
	at = pfn;
	for (i = 0, sg = sgl; i < nents; i++, sg = sg_next(sg)) {
		phys_addr_t phys = ma_page_to_phys(sg_page(sg)) + sg->offset;
		size_t off = (size_t)(phys & (g - 1));
		u64 k = (off + sg->length + g - 1) / g;
		dma_addr_t iova = (dma_addr_t)(at << dom->shift) + off;

		if (ma_iommu_pt_map(dom, at, phys - off, k, ma_iommu_prot(dir), i == 0)) {
			ma_iommu_pt_clear(dom, pfn, at - pfn);
			ma_iova_free(dom, pfn, n);
			ma_report("iommu", dev->p->name, phys, sg->length,
				  "dma_map_sg: no memory for the page tables");
			ma_stat_add(MA_STAT_dma_map_failures, 1);
			return 0;
		}
		at += k;
		if (out && !open_end && !off && out->dma_length + sg->length <= MA_SG_MAX_SEGMENT) {
			out->dma_length += sg->length;
		} else {
			out = out ? sg_next(out) : sgl;
			out->dma_address = iova;
			out->dma_length = sg->length;
			count++;
		}
		open_end = ((phys + sg->length) & (g - 1)) != 0;
	}
	for (i = 0, sg = sgl; i < nents; i++, sg = sg_next(sg)) { /* maintenance; unused entries */
		ma_dma_direct_for_device(dev, ma_page_to_phys(sg_page(sg)) + sg->offset, sg->length,
					 dir, attrs);
		if (i >= count) {
			sg->dma_address = DMA_MAPPING_ERROR;
			sg->dma_length = 0;
		}
	}
	sgl->dma_flags |= MA_SG_IOMMU_MERGED;
	ma_stat_add(MA_STAT_iommu_maps, 1);
	ma_stat_add(MA_STAT_dma_maps, nents);
	ma_stat_add(MA_STAT_dma_live_mappings, nents);
	return count;
}

/* The IOVA range [@start, @end) a merged table occupies. */
static void ma_iommu_sg_span(struct device *dev, struct scatterlist *sgl, int nents, u64 *start,
			     u64 *end)
{
	u64 g = dev->p->iova_granule;
	struct scatterlist *sg = sgl;

	*start = sgl->dma_address & ~(g - 1);
	*end = *start;
	for (int i = 0; i < nents && sg && sg->dma_length; i++, sg = sg_next(sg))
		*end = MA_ALIGN_UP((u64)sg->dma_address + sg->dma_length, g);
}

bool ma_dma_iommu_unmap_sg(struct device *dev, struct scatterlist *sgl, int nents,
			   enum dma_data_direction dir, unsigned long attrs)
{
	struct scatterlist *sg = sgl;
	phys_addr_t phys;
	u64 start, end;

	if (!(sgl->dma_flags & MA_SG_IOMMU_MERGED))
		return false;
	ma_iommu_sg_span(dev, sgl, nents, &start, &end);
	if (ma_iommu_unmap_range(ma_dma_dom(dev), start, (size_t)(end - start), &phys,
				 "dma_unmap_sg"))
		return true;
	sgl->dma_flags &= ~MA_SG_IOMMU_MERGED;
	for (int i = 0; i < nents && sg; i++, sg = sg_next(sg))
		ma_dma_unmap_phys(dev, ma_page_to_phys(sg_page(sg)) + sg->offset, sg->length, dir,
				  attrs, "dma_unmap_sg");
	return true;
}

bool ma_dma_iommu_sync_sg(struct device *dev, struct scatterlist *sgl, int nents,
			  enum dma_data_direction dir, bool for_cpu)
{
	const char *what = for_cpu ? "dma_sync_sg_for_cpu" : "dma_sync_sg_for_device";
	struct scatterlist *sg = sgl;

	if (!(sgl->dma_flags & MA_SG_IOMMU_MERGED))
		return false;
	for (int i = 0; i < nents && sg; i++, sg = sg_next(sg)) {
		phys_addr_t phys = ma_page_to_phys(sg_page(sg)) + sg->offset;

		if (for_cpu && !ma_dma_inbound(dir))
			continue;
		ma_dma_sync_direct(dev, phys, sg->length, dir, for_cpu, what);
	}
	return true;
}
