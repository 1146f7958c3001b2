/* SPDX-License-Identifier: MIT */
/*
 * iommu/iova.c - the IOVA allocator of a domain.
 *
 * Owns d->free (the free ranges, in granules, sorted by address, never adjacent: a free merges
 * with its neighbours) and d->rcache.  Allocation is first fit from the top: the highest free
 * range with room below the limit gives its highest granules, as Linux's allocator does (so
 * devices with a small mask keep the low space).  A range is found by a scan from the top
 * (O(free ranges)); the rcache makes the common case O(1): sizes up to 32 granules are rounded
 * up to a power of two (Linux does the same), and a freed range of such a size goes onto its
 * class's stack instead of back into the table, where the next allocation of that class pops
 * it.  The rcache holds at most 64 IOVAs per class; a full stack sends frees to the table.
 *
 * Invariants: @live counts ranges handed out (the rcache's included); @nfree <= @live + 1
 * (free ranges are the gaps between live ones), and @cap >= @live + 1, kept by growing the
 * table before an allocation that would break it, so that a free never needs memory and
 * never fails.  The growth (ma_meta_alloc) is where an IOVA allocation can fail for lack of
 * metadata, and MINALIGN_FAULT_META injects it.
 *
 * Locking: d->lock (a spinlock; the growth allocates outside it and retries).  Everything
 * here is short: a pop, or a scan of the table.
 */
#include "iommu/iommu.h"

#define IOVA_TOP(d) (((u64)1 << MA_IOMMU_IAS) >> (d)->shift) /* first granule past the space */

/* Granules an allocation of @n really takes (rcache classes are powers of two). */
static u64 iova_round(u64 n, int *cls)
{
	*cls = -1;
	if (n > ((u64)1 << (MA_IOVA_RCACHE_MAX - 1)))
		return n;
	*cls = n <= 1 ? 0 : 64 - __builtin_clzll(n - 1);
	return (u64)1 << *cls;
}

/* Grow the table to @want entries; called without the lock.  False when out of metadata. */
static bool iova_grow(struct ma_iommu_domain *d, size_t want)
{
	struct ma_iova_range *n = ma_meta_alloc(want * sizeof(*n)), *old = NULL;

	if (!n)
		return false;
	ma_spin_lock(&d->lock);
	if (d->cap < want) {
		memcpy(n, d->free, d->nfree * sizeof(*n));
		old = d->free;
		d->free = n;
		d->cap = want;
		n = NULL;
	}
	ma_spin_unlock(&d->lock);
	ma_meta_free(n);
	ma_meta_free(old);
	return true;
}

/* Take @n granules below granule @lim from the table; 0 when nothing fits.  Locked. */
static u64 iova_take(struct ma_iommu_domain *d, u64 n, u64 lim)
{
	for (size_t i = d->nfree; i-- > 0;) {
		struct ma_iova_range *r = &d->free[i];
		u64 top = MA_MIN(r->hi, lim);

		if (top <= r->lo || top - r->lo < n)
			continue;
		if (top == r->hi) {
			r->hi -= n;
		} else { /* split around [top - n, top); cap >= live + 2 leaves room */
			memmove(r + 2, r + 1, (d->nfree - i - 1) * sizeof(*r));
			r[1].lo = top;
			r[1].hi = r->hi;
			r->hi = top - n;
			d->nfree++;
		}
		if (r->lo == r->hi) {
			memmove(r, r + 1, (d->nfree - i - 1) * sizeof(*r));
			d->nfree--;
		}
		d->live++;
		return top - n;
	}
	return 0;
}

u64 ma_iova_alloc(struct ma_iommu_domain *d, u64 n, u64 limit)
{
	u64 lim = limit == UINT64_MAX ? IOVA_TOP(d) : MA_MIN((limit + 1) >> d->shift, IOVA_TOP(d));
	u64 pfn;
	int cls;

	n = iova_round(n, &cls);
	ma_spin_lock(&d->lock);
	while (d->cap < d->live + 2) { /* keep the invariant: a later free must not allocate */
		size_t want = (d->live + 2) * 2;

		ma_spin_unlock(&d->lock);
		if (!iova_grow(d, want))
			return 0;
		ma_spin_lock(&d->lock);
	}
	if (cls >= 0) {
		struct ma_iova_rcache *rc = &d->rcache[cls];

		for (unsigned int k = rc->n; k-- > 0;) {
			if (rc->pfn[k] + n > lim)
				continue;
			pfn = rc->pfn[k];
			rc->pfn[k] = rc->pfn[--rc->n];
			ma_spin_unlock(&d->lock);
			ma_stat_add(MA_STAT_iova_rcache_hits, 1);
			return pfn;
		}
	}
	pfn = iova_take(d, n, lim);
	ma_spin_unlock(&d->lock);
	return pfn;
}

/* Put [@pfn, @pfn+@n) back into the table, merging with its neighbours.  Locked. */
static void iova_insert(struct ma_iommu_domain *d, u64 pfn, u64 n)
{
	size_t lo = 0, hi = d->nfree, i;

	while (lo < hi) { /* the first range above pfn */
		size_t mid = (lo + hi) / 2;

		if (d->free[mid].lo > pfn)
			hi = mid;
		else
			lo = mid + 1;
	}
	i = lo;
	if (i > 0 && d->free[i - 1].hi == pfn) {
		d->free[i - 1].hi += n;
		if (i < d->nfree && d->free[i].lo == pfn + n) {
			d->free[i - 1].hi = d->free[i].hi;
			memmove(&d->free[i], &d->free[i + 1],
				(d->nfree - i - 1) * sizeof(*d->free));
			d->nfree--;
		}
	} else if (i < d->nfree && d->free[i].lo == pfn + n) {
		d->free[i].lo = pfn;
	} else {
		MA_BUG_ON(d->nfree >= d->cap);
		memmove(&d->free[i + 1], &d->free[i], (d->nfree - i) * sizeof(*d->free));
		d->free[i].lo = pfn;
		d->free[i].hi = pfn + n;
		d->nfree++;
	}
	d->live--;
}

void ma_iova_free(struct ma_iommu_domain *d, u64 pfn, u64 n)
{
	int cls;

	n = iova_round(n, &cls);
	ma_spin_lock(&d->lock);
	if (cls >= 0 && d->rcache[cls].n < MA_IOVA_RCACHE_DEP)
		d->rcache[cls].pfn[d->rcache[cls].n++] = pfn;
	else
		iova_insert(d, pfn, n);
	ma_spin_unlock(&d->lock);
}

int ma_iova_validate(struct ma_iommu_domain *d)
{
	int err = 0;

	ma_spin_lock(&d->lock);
	for (size_t i = 0; i < d->nfree && !err; i++) {
		const struct ma_iova_range *r = &d->free[i];

		if (r->lo >= r->hi || r->lo == 0 || r->hi > IOVA_TOP(d) ||
		    (i > 0 && d->free[i - 1].hi >= r->lo))
			err = -EUCLEAN;
	}
	if (d->nfree > d->live + 1 || d->cap < d->live + 1)
		err = -EUCLEAN;
	ma_spin_unlock(&d->lock);
	if (err)
		ma_report("iommu", d->name, 0, 0, "IOVA allocator of the domain is corrupt");
	return err;
}
