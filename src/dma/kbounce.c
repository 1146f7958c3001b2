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
 * steady state allocates no metadata, a map and an unmap take one lock round trip each, and
 * two CPUs rarely share a bucket.  A record names the
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
	size_t bytes;	  /* ksize() of the object */
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

/**
 * ma_kb_atfork() - pthread_atfork step of the kmalloc bounce backend (lib/fork.c).
 * @phase: PREPARE takes every bucket lock in index order (they are leaves: nothing is taken
 *         under one, and one is never held with another); PARENT and CHILD release them.
 */
void ma_kb_atfork(enum ma_fork_phase phase)
{
	for (unsigned int i = 0; i < KB_BUCKETS; i++) {
		if (phase == MA_FORK_PREPARE)
			ma_spin_lock(&ma_kb_table[i].lock);
		else
			ma_spin_unlock(&ma_kb_table[KB_BUCKETS - 1 - i].lock);
	}
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

/*
 * Put a copy of @rec on @b's live list: in a spare record of the bucket, else in new metadata
 * (allocated outside the lock).  One lock round trip in the steady state.  False when out of
 * metadata.  Linking before the bounce buffer is filled is safe: nobody can look the object up
 * before ma_kb_map() has returned its address.
 */
static bool kb_link(struct ma_kb_bucket *b, const struct ma_kb_rec *rec)
{
	struct ma_kb_rec *r;

	ma_spin_lock(&b->lock);
	r = b->spare;
	if (ma_unlikely(!r)) {
		ma_spin_unlock(&b->lock);
		r = ma_meta_alloc(sizeof(*r));
		if (!r)
			return false;
		ma_spin_lock(&b->lock);
	} else {
		b->spare = r->next;
	}
	*r = *rec;
	r->next = b->live;
	b->live = r;
	ma_spin_unlock(&b->lock);
	return true;
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
	struct ma_kb_rec rec;
	const char *why = NULL;

	if (!obj)
		why = "out of memory";
	else if (granule && (ma_virt_to_phys(obj) & (granule - 1)))
		why = "object not aligned to the IOVA granule";
	if (!why) {
		rec = (struct ma_kb_rec){.owner = d,
					 .obj = (uintptr_t)obj,
					 .orig = orig,
					 .size = size,
					 .off = off,
					 .span = span,
					 .bytes = ksize(obj)};
		if (!kb_link(kb_bucket((uintptr_t)obj), &rec))
			why = "no memory to track it";
	}
	if (why) {
		ma_report("dma", dev->p->name, orig, size,
			  "kmalloc bounce of %zu bytes failed (%s)", n, why);
		kfree(obj);
		return MINALIGN_PHYS_INVALID;
	}
	if (pad_zero) {
		memset(obj, 0, off);
		memset(obj + off + size, 0, span - off - size);
	}
	memcpy(obj + off, ma_phys_to_virt(orig), size);
	if (ma_dma_maintained(dev))
		ma_cache_sync_for_device(ma_virt_to_phys(obj), span, kb_dev_dir(dir));
	if (ma_unlikely(!atomic_load_explicit(&d->kb_used, memory_order_relaxed)))
		atomic_store_explicit(&d->kb_used, true, memory_order_relaxed); /* [K1] */
	ma_tlb_fence_release();							/* [K2] */
	kb_stat((int64_t)rec.bytes);
	ma_stat_add(MA_STAT_bounce_maps, 1);
	return ma_virt_to_phys(obj) + off;
}

static phys_addr_t kb_data(const struct ma_kb_rec *r)
{
	return ma_virt_to_phys((void *)r->obj) + r->off;
}

/*
 * Copy the live record of @d's device whose object holds @phys into @out: true when found.
 * With @take it is also unlinked and becomes a spare (one lock round trip), but only when
 * @phys is its data's start (else *@misuse is set and it stays).
 */
static bool kb_find(const struct ma_dma_dev *d, phys_addr_t phys, bool take, bool *misuse,
		    struct ma_kb_rec *out)
{
	struct ma_slab_slot slot;
	struct ma_kb_bucket *b;
	struct ma_kb_rec **pp, *r;
	bool found = false;

	if (!ma_phys_in_ram(phys, 1) || !ma_slab_slot(ma_phys_to_virt(phys), &slot))
		return false;
	b = kb_bucket(slot.start);
	ma_spin_lock(&b->lock);
	for (pp = &b->live; *pp; pp = &(*pp)->next) {
		r = *pp;
		if (r->obj != slot.start || r->owner != d)
			continue;
		if (take && kb_data(r) != phys) {
			*misuse = true;
			break;
		}
		*out = *r;
		found = true;
		if (take) {
			*pp = r->next;
			r->next = b->spare;
			b->spare = r;
		}
		break;
	}
	ma_spin_unlock(&b->lock);
	return found;
}

int ma_kb_unmap(struct device *dev, phys_addr_t addr, size_t size, enum dma_data_direction dir,
		bool skip_sync)
{
	bool misuse = false;
	struct ma_kb_rec r;

	if (!kb_find(dev->p->dma, addr, true, &misuse, &r)) {
		if (!misuse)
			return MA_TLB_NONE;
		ma_report("dma", dev->p->name, addr, size,
			  "unmap of %#llx: not the start of a live kmalloc bounce mapping",
			  (unsigned long long)addr);
		return -1;
	}
	if (!skip_sync && ma_dma_inbound(dir)) {
		if (ma_dma_maintained(dev))
			ma_cache_sync_for_cpu(addr - r.off, r.span, dir);
		memcpy(ma_phys_to_virt(r.orig), ma_phys_to_virt(addr), r.size);
	}
	kfree((void *)r.obj);
	kb_stat(-(int64_t)r.bytes);
	return 0;
}

int ma_kb_sync(struct device *dev, phys_addr_t addr, size_t size, enum dma_data_direction dir,
	       bool for_cpu)
{
	phys_addr_t data, lo, line = ma_cfg.cache_line;
	struct ma_kb_rec rec, *r = &rec;
	size_t at, lines;

	if (!kb_find(dev->p->dma, addr, false, NULL, &rec))
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
