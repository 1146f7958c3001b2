/* SPDX-License-Identifier: MIT */
/*
 * iommu/iommu.h - IOMMU translation domains, private interface (used by dma/).
 *
 * A domain is one device's I/O virtual address space: an IOVA allocator (iova.c) and a page
 * table from IOVA granules to physical granules with read/write permissions (pgtable.c).
 * The granule is the IOMMU page size, a power of two in 4096..65536.  The address space
 * (the aperture) is [one granule, 2^48): IOVA 0 is never handed out, and 48 bits is what an
 * SMMU or a VT-d second-level table translates.  Allocations lie at or below the limit the
 * caller gives (the device's DMA mask), highest first, as Linux's allocator does.
 *
 * iommu/ knows no struct device and no DMA direction: dma/ describes the device by its name
 * (for reports) and asks for MA_IOMMU_READ (the device may read) and/or MA_IOMMU_WRITE.
 *
 * Statistics: iommu_maps / iommu_unmaps per range, iotlb_invalidations (one per unmapped range:
 * strict invalidation, no flush queue), iommu_faults, iova_rcache_hits.
 *
 * Locking: the IOVA allocator takes the domain's spinlock; page-table updates and lookups take
 * no lock (see pgtable.c for the ordering).  A domain must not be freed while any call on it
 * runs (the device is being destroyed, which the API forbids to race with its use).
 */
#ifndef MINALIGN_IOMMU_IOMMU_H
#define MINALIGN_IOMMU_IOMMU_H

#include "mm/mm.h"

#define MA_IOMMU_READ  0x1u /* the device may read the granule */
#define MA_IOMMU_WRITE 0x2u /* the device may write it */

#define MA_IOMMU_IAS	   48 /* input address bits */
#define MA_IOVA_RCACHE_MAX 6  /* size classes 1, 2, 4 ... 32 granules are cached */
#define MA_IOVA_RCACHE_DEP 64 /* IOVAs kept per class */

struct ma_iommu_pt; /* pgtable.c */

/*
 * struct ma_iommu_domain - one translation domain.
 * @free/@nfree/@cap: the free IOVA ranges [lo, hi) in granules, sorted, never adjacent.
 * @live:   IOVA ranges handed out and not given back to @free (the rcache's included).  The
 *          invariant @cap >= @live + 1 bounds @nfree, so a free never allocates.
 * @rcache: per size class, a stack of freed IOVAs (granule numbers) of that size.
 */
struct ma_iommu_domain {
	const char *name; /* the device's, for reports (lives as long as the device) */
	unsigned int shift;
	size_t granule;
	ma_spinlock_t lock; /* the fields below up to @rcache */
	struct ma_iova_range {
		u64 lo, hi;
	} * free;
	size_t nfree, cap, live;
	struct ma_iova_rcache {
		unsigned int n;
		u64 pfn[MA_IOVA_RCACHE_DEP];
	} rcache[MA_IOVA_RCACHE_MAX];
	_Atomic(uintptr_t) root; /* the top-level table (pgtable.c) */
	unsigned int levels;
};

/*
 * ma_iommu_domain_new() - an empty domain for the device @name with @granule (a power of two
 * in 4096..65536; the caller validated it).  Return: the domain, or NULL (no metadata; no
 * report: device creation fails with NULL as for any metadata failure).
 */
struct ma_iommu_domain *ma_iommu_domain_new(const char *name, size_t granule);
/* Free @d and its tables (NULL is ignored).  Mappings still in it are dropped silently. */
void ma_iommu_domain_free(struct ma_iommu_domain *d);

static inline size_t ma_iommu_granule(const struct ma_iommu_domain *d)
{
	return d->granule;
}

/* ---- iova.c ---------------------------------------------------------------------------- */
/*
 * ma_iova_alloc() - @n granules of IOVA ending at or below @limit (a byte address; capped at
 * the aperture).  Sizes up to 32 granules are rounded up to a power of two and served from the
 * rcache when it has one below @limit.  Return: the first granule's number, or 0 when no range
 * fits or the allocator's table cannot grow (MINALIGN_FAULT_META), no report.  Takes d->lock.
 */
u64 ma_iova_alloc(struct ma_iommu_domain *d, u64 n, u64 limit);
/* Give back @n granules at granule number @pfn (as allocated).  Takes d->lock; never fails. */
void ma_iova_free(struct ma_iommu_domain *d, u64 pfn, u64 n);
/* Debug walker: the free ranges are sorted, disjoint, inside the aperture.  0 or -EUCLEAN. */
int ma_iova_validate(struct ma_iommu_domain *d);

/* ---- pgtable.c ------------------------------------------------------------------------- */
/*
 * ma_iommu_pt_map() - map @n granules at granule @pfn to physical granules from @phys (granule-
 * aligned) with @prot; with @head the first granule is marked as a range's head (a range made
 * of several pieces, a merged scatterlist, has one head).  The granules must be unmapped (the
 * caller owns them through the IOVA allocator).
 * Return: 0, or -ENOMEM when a table cannot be allocated (what this call mapped is cleared).
 */
int ma_iommu_pt_map(struct ma_iommu_domain *d, u64 pfn, phys_addr_t phys, u64 n, unsigned int prot,
		    bool head);
/*
 * ma_iommu_pt_check() - is [@pfn, @pfn+@n) exactly one mapped range (head at @pfn, no other
 * head inside, none continuing past it)?  Return: NULL, or why not (static string).
 */
const char *ma_iommu_pt_check(struct ma_iommu_domain *d, u64 pfn, u64 n);
/* Clear @n granules at @pfn (checked by the caller) and count one IOTLB invalidation. */
void ma_iommu_pt_clear(struct ma_iommu_domain *d, u64 pfn, u64 n);
/*
 * ma_iommu_pt_lookup() - the physical address @iova translates to, when its granule is mapped
 * with every permission in @prot; MINALIGN_PHYS_INVALID otherwise (@have: the granule's
 * permissions, 0 when unmapped).  Lock-free.
 */
phys_addr_t ma_iommu_pt_lookup(struct ma_iommu_domain *d, u64 iova, unsigned int prot,
			       unsigned int *have);
void ma_iommu_pt_free(struct ma_iommu_domain *d);

/* ---- domain.c: what dma/ calls --------------------------------------------------------- */
/*
 * ma_iommu_map_range() - map [@phys, @phys+@size) with @prot: the granules covering it get a
 * fresh IOVA range ending at or below @limit.  Return: the IOVA of @phys (its offset in the
 * granule kept), or 0 after one "iommu" report naming the device (IOVA space exhausted below
 * the limit, or no metadata for the allocator or a table).
 */
u64 ma_iommu_map_range(struct ma_iommu_domain *d, phys_addr_t phys, size_t size, unsigned int prot,
		       u64 limit);
/*
 * ma_iommu_unmap_range() - unmap the range ma_iommu_map_range() returned @iova for (@size
 * bytes), invalidate the IOTLB and give the IOVA back.  @phys: set to what @iova translated
 * to.  Return: 0, or -EINVAL after one "iommu" report (@iova/@size are not exactly one live
 * range of the domain; nothing changes).
 */
int ma_iommu_unmap_range(struct ma_iommu_domain *d, u64 iova, size_t size, phys_addr_t *phys,
			 const char *what);
/*
 * ma_iommu_translate() - the physical address of [@iova, @iova+@len) inside one mapped range
 * with @prot on every granule, when it is physically contiguous; used by unmap/sync to find
 * the buffer (not by the device side).  MINALIGN_PHYS_INVALID when not.
 */
phys_addr_t ma_iommu_translate(struct ma_iommu_domain *d, u64 iova, size_t len);
/*
 * ma_iommu_access() - the device accesses [@iova, @iova+@len): check every granule for
 * @prot (no transfer happens unless all pass), then call @fn(@phys, @off, @chunk, @arg) per
 * physically contiguous piece.  Return: 0, or -EFAULT after one "iommu" report naming the
 * device and the first faulting IOVA (counted in iommu_faults).
 */
int ma_iommu_access(struct ma_iommu_domain *d, u64 iova, size_t len, unsigned int prot,
		    void (*fn)(phys_addr_t phys, size_t off, size_t chunk, void *arg), void *arg,
		    const char *what);

#endif /* MINALIGN_IOMMU_IOMMU_H */
