/* SPDX-License-Identifier: MIT */
/*
 * iommu/pgtable.c - the page table of a domain: IOVA granule -> physical granule, permissions.
 *
 * Owns the tables: a radix tree of 512-entry tables (9 bits of the granule number per level,
 * as many levels as 48 - granule_shift bits need: 4 for 4 KiB and for 64 KiB granules).  Inner
 * entries hold a child table's host address; leaf entries (PTEs) hold the physical granule
 * with PTE_VALID, PTE_READ, PTE_WRITE and PTE_HEAD (the first granule of a mapped range, so
 * that an unmap can be checked to name exactly one range).  Tables are library metadata (host
 * memory, ma_meta_alloc: MINALIGN_FAULT_META injects a page-table allocation failure), made on
 * demand and kept until the domain is freed (an IOVA range is reused often; Linux frees empty
 * tables lazily too).
 *
 * Ordering, without a lock:
 *  - a table is zeroed before it is published with a release compare-and-swap into its parent
 *    entry (a racing mapper of a neighbouring range that loses frees its own and uses the
 *    winner's), and read with acquire loads, so a walker never sees a table's old bytes;
 *  - a range's PTEs are written only by the thread that owns the range through the IOVA
 *    allocator (map before the IOVA is returned, clear before it is given back), with release
 *    stores; the device side reads them with acquire loads.  A device racing an unmap of the
 *    range it uses sees either the old PTE or 0 (a fault), as on hardware;
 *  - tables are never freed while the domain lives, so a walker's pointers stay valid.
 *
 * Fast path: map and lookup are a walk of 4 loads; a range inside one leaf table is one walk.
 */
#include "iommu/iommu.h"

#define PT_BITS	   9u
#define PT_ENTRIES (1u << PT_BITS)
#define PTE_VALID  0x1u
#define PTE_READ   0x2u
#define PTE_WRITE  0x4u
#define PTE_HEAD   0x8u

typedef _Atomic uint64_t pt_entry;

static unsigned int pt_index(const struct ma_iommu_domain *d, u64 pfn, unsigned int level)
{
	return (unsigned int)(pfn >> (PT_BITS * (d->levels - 1 - level))) & (PT_ENTRIES - 1);
}

/* The leaf table holding granule @pfn; made on demand with @alloc.  NULL when absent / no memory.
 */
static pt_entry *pt_leaf(struct ma_iommu_domain *d, u64 pfn, bool alloc)
{
	pt_entry *t = (pt_entry *)atomic_load_explicit(&d->root, memory_order_acquire);

	for (unsigned int l = 0; l + 1 < d->levels; l++) {
		pt_entry *e = &t[pt_index(d, pfn, l)];
		uint64_t child = atomic_load_explicit(e, memory_order_acquire);

		if (!child) {
			uint64_t expect = 0;
			pt_entry *n;

			if (!alloc)
				return NULL;
			n = ma_meta_alloc(PT_ENTRIES * sizeof(pt_entry));
			if (!n)
				return NULL;
			if (atomic_compare_exchange_strong_explicit(e, &expect, (uintptr_t)n,
								    memory_order_acq_rel,
								    memory_order_acquire)) {
				child = (uintptr_t)n;
			} else {
				ma_meta_free(n);
				child = expect;
			}
		}
		t = (pt_entry *)(uintptr_t)child;
	}
	return t;
}

static uint64_t pt_pte(phys_addr_t phys, unsigned int prot, bool head)
{
	return (uint64_t)phys | PTE_VALID | ((prot & MA_IOMMU_READ) ? PTE_READ : 0) |
	       ((prot & MA_IOMMU_WRITE) ? PTE_WRITE : 0) | (head ? PTE_HEAD : 0);
}

static void pt_clear_n(struct ma_iommu_domain *d, u64 pfn, u64 n)
{
	for (u64 i = 0; i < n;) {
		pt_entry *t = pt_leaf(d, pfn + i, false);
		unsigned int k = pt_index(d, pfn + i, d->levels - 1);
		u64 run = MA_MIN(n - i, (u64)(PT_ENTRIES - k));

		for (u64 j = 0; t && j < run; j++)
			atomic_store_explicit(&t[k + j], 0, memory_order_release);
		i += run;
	}
}

int ma_iommu_pt_map(struct ma_iommu_domain *d, u64 pfn, phys_addr_t phys, u64 n, unsigned int prot,
		    bool head)
{
	for (u64 i = 0; i < n;) {
		pt_entry *t = pt_leaf(d, pfn + i, true);
		unsigned int k = pt_index(d, pfn + i, d->levels - 1);
		u64 run = MA_MIN(n - i, (u64)(PT_ENTRIES - k));

		if (!t) {
			pt_clear_n(d, pfn, i);
			return -ENOMEM;
		}
		for (u64 j = 0; j < run; j++)
			atomic_store_explicit(
				&t[k + j],
				pt_pte(phys + ((i + j) << d->shift), prot, head && i + j == 0),
				memory_order_release);
		i += run;
	}
	return 0;
}

static uint64_t pt_get(struct ma_iommu_domain *d, u64 pfn)
{
	pt_entry *t;

	if (pfn >= ((u64)1 << MA_IOMMU_IAS) >> d->shift)
		return 0;
	t = pt_leaf(d, pfn, false);
	return t ? atomic_load_explicit(&t[pt_index(d, pfn, d->levels - 1)], memory_order_acquire)
		 : 0;
}

const char *ma_iommu_pt_check(struct ma_iommu_domain *d, u64 pfn, u64 n)
{
	uint64_t pte = pt_get(d, pfn), next;

	if (!(pte & PTE_VALID))
		return "not mapped";
	if (!(pte & PTE_HEAD))
		return "not the start of a mapped range";
	for (u64 i = 1; i < n; i++) {
		pte = pt_get(d, pfn + i);
		if (!(pte & PTE_VALID) || (pte & PTE_HEAD))
			return "longer than the mapped range";
	}
	next = pt_get(d, pfn + n);
	if ((next & PTE_VALID) && !(next & PTE_HEAD))
		return "shorter than the mapped range";
	return NULL;
}

void ma_iommu_pt_clear(struct ma_iommu_domain *d, u64 pfn, u64 n)
{
	pt_clear_n(d, pfn, n);
	ma_stat_add(MA_STAT_iotlb_invalidations, 1); /* strict mode: one range invalidation */
}

phys_addr_t ma_iommu_pt_lookup(struct ma_iommu_domain *d, u64 iova, unsigned int prot,
			       unsigned int *have)
{
	uint64_t pte = pt_get(d, iova >> d->shift);
	unsigned int p = 0;

	if (pte & PTE_VALID)
		p = ((pte & PTE_READ) ? MA_IOMMU_READ : 0) |
		    ((pte & PTE_WRITE) ? MA_IOMMU_WRITE : 0);
	if (have)
		*have = p;
	if (!(pte & PTE_VALID) || (p & prot) != prot)
		return MINALIGN_PHYS_INVALID;
	return (phys_addr_t)(pte & ~(uint64_t)(d->granule - 1)) | (iova & (d->granule - 1));
}

static void pt_free_table(pt_entry *t, unsigned int levels_below)
{
	if (levels_below)
		for (unsigned int i = 0; i < PT_ENTRIES; i++) {
			uint64_t c = atomic_load_explicit(&t[i], memory_order_relaxed);

			if (c)
				pt_free_table((pt_entry *)(uintptr_t)c, levels_below - 1);
		}
	ma_meta_free(t);
}

void ma_iommu_pt_free(struct ma_iommu_domain *d)
{
	uintptr_t r = atomic_load_explicit(&d->root, memory_order_relaxed);

	if (r)
		pt_free_table((pt_entry *)r, d->levels - 1);
	atomic_store_explicit(&d->root, 0, memory_order_relaxed);
}
