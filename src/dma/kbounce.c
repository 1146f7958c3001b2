/* SPDX-License-Identifier: MIT */
/*
 * dma/kbounce.c - the kmalloc bounce backend (config.bounce_backend = MINALIGN_BOUNCE_KMALLOC).
 *
 * Seed 003's alternative to a reserved pool: each bounce is a DMA-safe kmalloc object
 * (GFP_DMA: cache-line aligned, its size class a multiple of the line, so it shares no line)
 * sized to the mapping; behind an IOMMU, whole IOVA granules, granule-aligned (kmalloc of a
 * multiple of the granule is naturally aligned to it).  It lives in dma/ because swiotlb/
 * knows no objects.  No pool is reserved: BOUNCE drops kmalloc's minimum alignment to 8 even
 * with swiotlb_size = 0, and is_swiotlb_buffer() is false for these buffers.
 *
 * "DMA unmapping cannot be easily tracked back to the bounce buffer" (seed 003) is solved by a
 * table of records keyed by the bounce object's start: unmap and sync get the object holding
 * the bounce address from the slab (ma_slab_slot(), no lock), then look the record up in one
 * of 1024 buckets, each with its own spinlock and its own list of spare records, so a
 * steady state allocates no metadata and two CPUs rarely share a bucket.  A record names the
 * device, the original buffer, the size and the data's offset in the object.
 *
 * The per-device flag (struct ma_dma_dev.kb_used), read by every unmap and sync: a device that
 * never bounced through kmalloc looks at no bucket.  Memory ordering (the same pattern as the
 * swiotlb flag, whose full argument is in swiotlb/swiotlb.h):
 *	mapper A: insert the record under the bucket lock, unlock;
 *	          [K1] store kb_used = true (relaxed, skipped when already true);
 *	          [K2] release fence; return the address, which the driver hands to B (store X)
 *	unmapper B: the driver's load Y reads X; [K3] acquire fence; [K4] load kb_used (relaxed);
 *	          lock the bucket and search.
 * If X/Y are atomics, [K2] synchronises with [K3]: A's unlock happens before B's lock, so B's
 * critical section follows A's in the lock's order and sees the record; [K4] reads true by
 * coherence.  If the driver hands the address over through a lock, that lock gives the same
 * happens-before.  Without the fences a relaxed hand-over could let B read a stale false and
 * take a bounce address for a direct mapping (no copy back, a leaked object).  The flag is
 * never cleared while the device lives; records of other devices are never matched (the
 * record's owner is compared).
 *
 * Failures: no memory for the object or the record is DMA_MAPPING_ERROR with one report;
 * MINALIGN_FAULT_PAGE (the object's slab page) and MINALIGN_FAULT_META (a record, when no
 * spare one is left) inject them.
 *
 * Statistics: bounce_maps (every bounce), kmalloc_bounce_bytes (ksize() of live objects) and
 * its high-water mark kmalloc_bounce_bytes_peak.
 *
 * Locking: one bucket spinlock at a time (leaf); kmalloc/kfree and the copies run outside it.
 */
#include "dma/internal.h"

#define KB_BUCKETS 1024u

struct ma_kb_rec {
	struct ma_kb_rec *next;
	const struct ma_dma_dev *owner;
	uintptr_t obj;	  /* the kmalloc object (CPU address): the key */
	phys_addr_t orig; /* the driver's buffer */
	size_t size;	  /* bytes mapped */
	size_t off;	  /* the data's offset in the object */
	size_t span;	  /* bytes of the object the device may reach (whole lines / granules) */
};

struct ma_kb_bucket {
	ma_spinlock_t lock;
	struct ma_kb_rec *live, *spare;
} __attribute__((aligned(MA_CACHELINE_HOST)));

static struct ma_kb_bucket ma_kb_table[KB_BUCKETS];
static _Atomic uint64_t ma_kb_bytes; /* exact live bytes, for the high-water mark */

static struct ma_kb_bucket *kb_bucket(uintptr_t obj)
{
	uint64_t h = (uint64_t)(obj >> 4) * UINT64_C(0x9e3779b97f4a7c15);

	return &ma_kb_table[h >> (64 - 10)];
}

void ma_kb_exit(void)
{
	for (unsigned int i = 0; i < KB_BUCKETS; i++) {
		struct ma_kb_bucket *b = &ma_kb_table[i];
		struct ma_kb_rec *lists[2] = {b->live, b->spare};

		for (int l = 0; l < 2; l++)
			for (struct ma_kb_rec *r = lists[l], *n; r; r = n) {
				n = r->next;
				ma_meta_free(r);
			}
		b->live = b->spare = NULL;
		ma_spin_init(&b->lock);
	}
	atomic_store(&ma_kb_bytes, 0);
}

/* A record: a spare of the bucket, else new metadata (NULL when out of it). */
static struct ma_kb_rec *kb_rec_get(struct ma_kb_bucket *b)
{
	struct ma_kb_rec *r;

	ma_spin_lock(&b->lock);
	r = b->spare;
	if (r)
		b->spare = r->next;
	ma_spin_unlock(&b->lock);
	return r ? r : ma_meta_alloc(sizeof(*r));
}

/* Bytes to allocate and the data's offset for a bounce of @size bytes of @orig. */
static size_t kb_geometry(const struct device *dev, phys_addr_t orig, size_t size, size_t granule,
			  size_t *off, size_t *span)
{
	size_t line = ma_cfg.cache_line, align = granule ? granule : line, n;
	size_t km = ma_dev_min_align_mask(dev);

	*off = (size_t)(orig & km & (align - 1));
	if (granule) { /* whole granules: kmalloc of a multiple of the granule is aligned to it */
		n = MA_ALIGN_UP(*off + size, granule);
		*span = n;
		return n;
	}
	n = *off + size;
	*span = MA_ALIGN_UP(n, line);
	if (km >= line) { /* keep the bits of min_align_mask: a power of two is aligned to itself */
		size_t want = MA_MAX(n, km + 1);

		n = (size_t)1 << (64 - __builtin_clzll((unsigned long long)want - 1));
	}
	return n;
}

static void kb_stat(int64_t bytes)
{
	uint64_t now = atomic_fetch_add(&ma_kb_bytes, (uint64_t)bytes) + (uint64_t)bytes;

	ma_stat_add(MA_STAT_kmalloc_bounce_bytes, bytes);
	if (bytes > 0)
		ma_stat_max(MA_STAT_kmalloc_bounce_bytes_peak, now);
}

static inline enum dma_data_direction kb_dev_dir(enum dma_data_direction dir)
{
	return dir == DMA_FROM_DEVICE ? DMA_BIDIRECTIONAL : dir;
}

phys_addr_t ma_kb_map(struct device *dev, phys_addr_t orig, size_t size,
		      enum dma_data_direction dir, size_t granule, bool pad_zero)
{
	struct ma_dma_dev *d = dev->p->dma;
	size_t off, span, n = kb_geometry(dev, orig, size, granule, &off, &span);
	unsigned char *obj = kmalloc(n, GFP_ATOMIC | GFP_DMA);
	struct ma_kb_bucket *b;
	struct ma_kb_rec *r;
	phys_addr_t data;

	if (!obj) {
		ma_report("dma", dev->p->name, orig, size,
			  "kmalloc bounce of %zu bytes failed (out of memory)", n);
		return MINALIGN_PHYS_INVALID;
	}
	data = ma_virt_to_phys(obj) + off;
	b = kb_bucket((uintptr_t)obj);
	r = kb_rec_get(b);
	if (!r || (granule && (ma_virt_to_phys(obj) & (granule - 1)))) {
		ma_report("dma", dev->p->name, orig, size,
			  "kmalloc bounce of %zu bytes failed (%s)", n,
			  r ? "object not aligned to the IOVA granule" : "no memory to track it");
		ma_meta_free(r);
		kfree(obj);
		return MINALIGN_PHYS_INVALID;
	}
	*r = (struct ma_kb_rec){.owner = d,
				.obj = (uintptr_t)obj,
				.orig = orig,
				.size = size,
				.off = off,
				.span = span};
	if (pad_zero) {
		memset(obj, 0, off);
		memset(obj + off + size, 0, span - off - size);
	}
	memcpy(obj + off, ma_phys_to_virt(orig), size);
	if (ma_dma_maintained(dev))
		ma_cache_sync_for_device(ma_virt_to_phys(obj), span, kb_dev_dir(dir));
	ma_spin_lock(&b->lock);
	r->next = b->live;
	b->live = r;
	ma_spin_unlock(&b->lock);
	if (ma_unlikely(!atomic_load_explicit(&d->kb_used, memory_order_relaxed)))
		atomic_store_explicit(&d->kb_used, true, memory_order_relaxed); /* [K1] */
	ma_tlb_fence_release();							/* [K2] */
	kb_stat((int64_t)ksize(obj));
	ma_stat_add(MA_STAT_bounce_maps, 1);
	return data;
}

static phys_addr_t kb_data(const struct ma_kb_rec *r)
{
	return ma_virt_to_phys((void *)r->obj) + r->off;
}

/*
 * The live record of @d's device whose object holds @phys, or NULL.  With @take, it is
 * unlinked, but only when @phys is its data's start (else *@misuse is set and it stays).
 */
static struct ma_kb_rec *kb_find(const struct ma_dma_dev *d, phys_addr_t phys, bool take,
				 bool *misuse)
{
	struct ma_slab_slot slot;
	struct ma_kb_bucket *b;
	struct ma_kb_rec **pp, *r = NULL;

	if (!ma_phys_in_ram(phys, 1) || !ma_slab_slot(ma_phys_to_virt(phys), &slot))
		return NULL;
	b = kb_bucket(slot.start);
	ma_spin_lock(&b->lock);
	for (pp = &b->live; *pp; pp = &(*pp)->next) {
		if ((*pp)->obj != slot.start || (*pp)->owner != d)
			continue;
		r = *pp;
		if (take && kb_data(r) != phys) {
			*misuse = true;
			r = NULL;
		} else if (take) {
			*pp = r->next;
		}
		break;
	}
	ma_spin_unlock(&b->lock);
	return r;
}

static void kb_rec_put(struct ma_kb_rec *r)
{
	struct ma_kb_bucket *b = kb_bucket(r->obj);

	ma_spin_lock(&b->lock);
	r->next = b->spare;
	b->spare = r;
	ma_spin_unlock(&b->lock);
}

int ma_kb_unmap(struct device *dev, phys_addr_t addr, size_t size, enum dma_data_direction dir,
		bool skip_sync)
{
	bool misuse = false;
	struct ma_kb_rec *r = kb_find(dev->p->dma, addr, true, &misuse);
	size_t bytes;

	if (misuse) {
		ma_report("dma", dev->p->name, addr, size,
			  "unmap of %#llx: not the start of a live kmalloc bounce mapping",
			  (unsigned long long)addr);
		return -1;
	}
	if (!r)
		return MA_TLB_NONE;
	if (!skip_sync && ma_dma_inbound(dir)) {
		if (ma_dma_maintained(dev))
			ma_cache_sync_for_cpu(addr - r->off, r->span, dir);
		memcpy(ma_phys_to_virt(r->orig), ma_phys_to_virt(addr), r->size);
	}
	bytes = ksize((void *)r->obj);
	kfree((void *)r->obj);
	kb_stat(-(int64_t)bytes);
	kb_rec_put(r);
	return 0;
}

int ma_kb_sync(struct device *dev, phys_addr_t addr, size_t size, enum dma_data_direction dir,
	       bool for_cpu)
{
	struct ma_kb_rec *r = kb_find(dev->p->dma, addr, false, NULL);
	phys_addr_t data, lo, line = ma_cfg.cache_line;
	size_t at, lines;

	if (!r)
		return MA_TLB_NONE;
	data = kb_data(r);
	if (addr < data || size > r->size || addr - data > r->size - size) {
		ma_report("dma", dev->p->name, addr, size,
			  "%s of %#llx+%zu: not inside a live kmalloc bounce mapping",
			  for_cpu ? "sync_for_cpu" : "sync_for_device", (unsigned long long)addr,
			  size);
		return 0;
	}
	at = (size_t)(addr - data);
	lo = MA_ALIGN_DOWN(addr, line);
	lines = (size_t)(MA_ALIGN_UP(addr + size, line) - lo);
	if (for_cpu) {
		if (!ma_dma_inbound(dir))
			return 0;
		if (ma_dma_maintained(dev))
			ma_cache_sync_for_cpu(lo, lines, dir);
		memcpy(ma_phys_to_virt(r->orig + at), ma_phys_to_virt(addr), size);
		return 0;
	}
	if (dir != DMA_FROM_DEVICE)
		memcpy(ma_phys_to_virt(addr), ma_phys_to_virt(r->orig + at), size);
	if (ma_dma_maintained(dev))
		ma_cache_sync_for_device(lo, lines, kb_dev_dir(dir));
	return 0;
}
