/* SPDX-License-Identifier: MIT */
/*
 * iommu/domain.c - a device's translation domain: creation, map/unmap of ranges, translation
 * and the device side's permission check (IOMMU faults).
 *
 * Owns struct ma_iommu_domain (library metadata).  A mapped range is the set of granules
 * covering a physical range, at a fresh IOVA range with the same offset inside the first
 * granule (so the device sees the buffer's bytes at IOVA + offset and the rest of the
 * granules around it, as on hardware).  map = allocate the IOVA (iova.c), write the PTEs
 * (pgtable.c); unmap = check that the caller names exactly one live range, clear the PTEs,
 * invalidate the IOTLB (counted), give the IOVA back.  The order of unmap matters: the IOVA is
 * reused only after its PTEs are clear.
 *
 * Faults: an access by the device to a granule that is not mapped, or mapped without the
 * permission it needs, is refused before any byte moves, counted in iommu_faults and reported
 * once (subsystem "iommu", the device's name, the first faulting IOVA), whatever the DMA
 * debug setting: the IOMMU enforces it, not the DMA-API checker.
 *
 * Locking: see iommu.h (the allocator's spinlock; lock-free tables).
 */
#include "iommu/iommu.h"

#define IOVA_INITIAL_CAP 8

struct ma_iommu_domain *ma_iommu_domain_new(const char *name, size_t granule)
{
	struct ma_iommu_domain *d = ma_meta_alloc(sizeof(*d));
	unsigned int bits;
	void *root;

	if (!d)
		return NULL;
	d->name = name;
	d->granule = granule;
	d->shift = (unsigned int)__builtin_ctzll(granule);
	bits = MA_IOMMU_IAS - d->shift;
	d->levels = (bits + 8) / 9;
	ma_spin_init(&d->lock);
	d->free = ma_meta_alloc(IOVA_INITIAL_CAP * sizeof(*d->free));
	root = ma_meta_alloc(512 * sizeof(uint64_t));
	if (!d->free || !root) {
		ma_meta_free(root);
		ma_meta_free(d->free);
		ma_meta_free(d);
		return NULL;
	}
	atomic_store_explicit(&d->root, (uintptr_t)root, memory_order_relaxed);
	d->cap = IOVA_INITIAL_CAP;
	d->free[0].lo = 1; /* IOVA 0 is never handed out */
	d->free[0].hi = ((u64)1 << MA_IOMMU_IAS) >> d->shift;
	d->nfree = 1;
	return d;
}

void ma_iommu_domain_free(struct ma_iommu_domain *d)
{
	if (!d)
		return;
	ma_iommu_pt_free(d);
	ma_meta_free(d->free);
	ma_meta_free(d);
}

u64 ma_iommu_map_range(struct ma_iommu_domain *d, phys_addr_t phys, size_t size, unsigned int prot,
		       u64 limit)
{
	size_t g = d->granule, off = (size_t)(phys & (g - 1));
	u64 n = ((u64)off + size + g - 1) >> d->shift;
	u64 pfn = ma_iova_alloc(d, n, limit);

	if (!pfn) {
		ma_report(
			"iommu", d->name, phys, size,
			"no IOVA space for %llu granule(s) below %#llx (or no memory to track it)",
			(unsigned long long)n, (unsigned long long)limit);
		return 0;
	}
	if (ma_iommu_pt_map(d, pfn, phys - off, n, prot, true)) {
		ma_iova_free(d, pfn, n);
		ma_report("iommu", d->name, phys, size,
			  "no memory for the page tables of %llu granule(s)",
			  (unsigned long long)n);
		return 0;
	}
	ma_stat_add(MA_STAT_iommu_maps, 1);
	return (pfn << d->shift) + off;
}

int ma_iommu_unmap_range(struct ma_iommu_domain *d, u64 iova, size_t size, phys_addr_t *phys,
			 const char *what)
{
	size_t g = d->granule, off = (size_t)(iova & (g - 1));
	u64 pfn = iova >> d->shift, n = ((u64)off + size + g - 1) >> d->shift;
	const char *why = size ? ma_iommu_pt_check(d, pfn, n) : "zero size";

	if (why) {
		ma_report("iommu", d->name, iova, size, "%s of IOVA %#llx+%zu: %s", what,
			  (unsigned long long)iova, size, why);
		return -EINVAL;
	}
	*phys = ma_iommu_pt_lookup(d, iova, 0, NULL);
	ma_iommu_pt_clear(d, pfn, n);
	ma_iova_free(d, pfn, n);
	ma_stat_add(MA_STAT_iommu_unmaps, 1);
	return 0;
}

phys_addr_t ma_iommu_translate(struct ma_iommu_domain *d, u64 iova, size_t len)
{
	phys_addr_t first = ma_iommu_pt_lookup(d, iova, 0, NULL);
	u64 g = d->granule;

	if (first == MINALIGN_PHYS_INVALID || !len || iova + len < iova)
		return MINALIGN_PHYS_INVALID;
	for (u64 a = (iova | (g - 1)) + 1; a < iova + len; a += g)
		if (ma_iommu_pt_lookup(d, a, 0, NULL) != first + (a - iova))
			return MINALIGN_PHYS_INVALID;
	return first;
}

int ma_iommu_access(struct ma_iommu_domain *d, u64 iova, size_t len, unsigned int prot,
		    void (*fn)(phys_addr_t phys, size_t off, size_t chunk, void *arg), void *arg,
		    const char *what)
{
	u64 g = d->granule, end = iova + len, a;
	unsigned int have = 0;

	for (a = iova; a < end; a = (a | (g - 1)) + 1) {
		if (ma_iommu_pt_lookup(d, a, prot, &have) == MINALIGN_PHYS_INVALID) {
			ma_stat_add(MA_STAT_iommu_faults, 1);
			ma_report("iommu", d->name, a, len,
				  "%s: IOMMU fault at IOVA %#llx (access %#llx+%zu): %s", what,
				  (unsigned long long)a, (unsigned long long)iova, len,
				  !have			    ? "not mapped"
				  : (prot & MA_IOMMU_WRITE) ? "no write permission"
							    : "no read permission");
			return -EFAULT;
		}
		if ((a | (g - 1)) >= end - 1)
			break;
	}
	for (a = iova; a < end;) { /* an unmap racing the transfer aborts it, as on hardware */
		u64 stop = MA_MIN((a | (g - 1)) + 1, end);
		phys_addr_t p = ma_iommu_pt_lookup(d, a, prot, NULL);

		if (p == MINALIGN_PHYS_INVALID) {
			ma_stat_add(MA_STAT_iommu_faults, 1);
			ma_report("iommu", d->name, a, len,
				  "%s: IOMMU fault at IOVA %#llx: unmapped during the transfer",
				  what, (unsigned long long)a);
			return -EFAULT;
		}
		fn(p, (size_t)(a - iova), (size_t)(stop - a), arg);
		if (stop == 0)
			break;
		a = stop;
	}
	return 0;
}
