/* SPDX-License-Identifier: MIT */
/*
 * swiotlb/map.c - bouncing: take slots, copy, maintain the bounce buffer, give slots back.
 *
 * Owns the slot records (written by the mapping that owns the slots) and the bounce copies.
 *
 * Geometry of a bounce.  With K_M the device's min_align_mask and K = K_M | alloc_align_mask |
 * (PAGE_SIZE - 1 for mappings of a page or more) | (line - 1), all of the form 2^k-1:
 *  - the bounce address keeps the bits K_M of the original address: its offset into the first
 *    slot is orig & K_M & (line - 1), and the first slot's number is chosen so that the bits
 *    of K_M above the line match (the request's stride/want);
 *  - the bits of K outside K_M are zero (alignment);
 *  - the run spans ceil((offset + size) / line) slots and never crosses a segment.
 * So a bounce of up to one line takes one line of the pool.
 *
 * Cache maintenance of the bounce buffer covers its whole slots, which belong to the mapping
 * alone, so it never shares a line and never conflicts (the simulator tracks nothing for it).
 * At map the copied-in data is cleaned to memory for every direction (FROM_DEVICE is
 * maintained as BIDIRECTIONAL: an invalidate would throw the copy away and let a short device
 * write expose stale pool bytes); at unmap and sync_for_cpu inbound mappings are invalidated
 * before the copy back.  A coherent device skips the maintenance.
 *
 * DMA_ATTR_SKIP_CPU_SYNC (@skip_sync) skips the copy back at unmap; the copy in at map is done
 * whatever the attributes (as Linux does: the pool's previous contents must never reach the
 * CPU through a short device write).
 *
 * Fast path: a bounce of one slot (up to a line, no alignment beyond it) pops a slot from the
 * thread's cache (magazine.c) and its unmap pushes it back: no lock, no atomic RMW.  Larger
 * runs take one area lock to allocate and one to free.  Unmap and sync find a global pool by
 * address (two compares outside the envelope, no lock, no RCU section: global pools live until
 * exit) and look at the device's transient pools only when the address is in none.
 *
 * Slow path (every pool full, or none within the device's mask): flush the thread's own slot
 * cache and retry; ask every thread to flush (ma_tlb.drain); then, with dynamic pools, take a
 * transient pool for this mapping (transient.c) and wake the worker (it adds a pool for later
 * mappings); if the transient pool fails and the worker had published a pool since the search
 * began, retry the list once.
 * A mapping that still finds no room fails with one report saying why (full, growth limit, no
 * memory to grow, no pool within the mask).
 *
 * Memory ordering: every successful bounce ends with [W1]/[W2] of the "has used swiotlb" flag
 * (tlb_mark_used(); the argument is in swiotlb.h), after the slots are taken and a transient
 * pool is linked.  Records are written outside any lock by the thread that just took the slots
 * and read by the thread that unmaps, which got the address from the mapper (the driver's own
 * synchronisation orders them, as for the buffer's bytes).  Misuse validation reads bitmap bits
 * with relaxed atomics.
 *
 * Locking: the slot allocator locks one area (slots.c); the transient path takes the device's
 * list lock and ma_tlb.lock, one after the other (never nested).
 */
#include "swiotlb/internal.h"

#define TLB_MAX_ALIGN ((u64)MA_MM_BLOCK - 1) /* larger alignments cannot be met by any pool */

static inline bool tlb_inbound(enum dma_data_direction dir)
{
	return dir == DMA_FROM_DEVICE || dir == DMA_BIDIRECTIONAL;
}

/* Maintenance direction for handing bounce lines to the device (see the header comment). */
static inline enum dma_data_direction tlb_dev_dir(enum dma_data_direction dir)
{
	return dir == DMA_FROM_DEVICE ? DMA_BIDIRECTIONAL : dir;
}

/* The request for a bounce of @size bytes of @orig; false when the alignment is impossible. */
static bool tlb_request(struct ma_tlb_req *r, size_t *off, const struct ma_tlb_dev *td,
			phys_addr_t orig, size_t size, u64 align_mask)
{
	u64 line_mask = ((u64)1 << ma_tlb.line_shift) - 1;
	u64 km = td->min_align_mask;
	u64 k = km | align_mask | line_mask;

	if (size >= PAGE_SIZE)
		k |= PAGE_SIZE - 1;
	if (k > TLB_MAX_ALIGN)
		return false;
	*off = (size_t)(orig & km & line_mask);
	r->stride = (unsigned int)((k >> ma_tlb.line_shift) + 1);
	r->want = (unsigned int)((orig & km) >> ma_tlb.line_shift);
	if (td->pad_shift) /* whole granules (align_mask asked for the granule) */
		size = MA_ALIGN_UP(*off + size, (size_t)1 << td->pad_shift) - *off;
	r->nslots = ma_tlb_nslots(*off, size);
	return true;
}

/*
 * The common small bounce: no alignment beyond a line and the bytes fit the first slot, so the
 * request is one slot at any slot number (what tlb_request() would compute, without its masks
 * and the size limit check, which a line always passes).  Sets @off; false otherwise.
 */
static inline bool tlb_request_one(size_t *off, const struct ma_tlb_dev *td, phys_addr_t orig,
				   size_t size, u64 align_mask)
{
	size_t line = (size_t)1 << ma_tlb.line_shift;

	if (align_mask || td->min_align_mask >= line)
		return false;
	*off = (size_t)(orig & td->min_align_mask);
	return size <= line - *off;
}

static void tlb_record(struct ma_tlb_pool *p, unsigned int idx, phys_addr_t orig, size_t size,
		       size_t off, unsigned int n, unsigned int pad_shift)
{
	struct ma_tlb_slot *s = &p->slots[idx];

	s->orig = orig;
	s->size = (uint32_t)size;
	s->head = 0;
	s->off = (uint8_t)off;
	s->live = (uint8_t)(pad_shift ? 2 + pad_shift - 12 : 1);
	for (unsigned int k = 1; k < n; k++)
		s[k].head = (uint16_t)k;
}

static const char *const tlb_why[] = {
	[MA_TLB_WHY_FULL] = "bounce pool full",
	[MA_TLB_WHY_LIMIT] = "bounce pools full and at their growth limit",
	[MA_TLB_WHY_NOMEM] = "bounce pools full and no memory to grow them",
};

static void tlb_map_failed(const struct ma_tlb_dev *td, phys_addr_t orig, size_t size,
			   bool reachable, unsigned int nslots, enum ma_tlb_why why)
{
	if (!reachable && !ma_tlb.dynamic)
		ma_report("swiotlb", td->name, orig, size,
			  "no bounce pool within the device's DMA mask %#llx",
			  (unsigned long long)td->limit);
	else if (!reachable)
		ma_report("swiotlb", td->name, orig, size,
			  "no bounce pool within the device's DMA mask %#llx and no transient pool "
			  "below it (%s)",
			  (unsigned long long)td->limit,
			  why == MA_TLB_WHY_LIMIT ? "growth limit" : "no memory");
	else
		ma_report("swiotlb", td->name, orig, size,
			  "%s: no room for %zu bytes (%u slots; %llu of %llu in use, %llu of %llu "
			  "bytes held)",
			  tlb_why[why], size, nslots,
			  (unsigned long long)ma_stat_get(MA_STAT_swiotlb_slots_used),
			  (unsigned long long)ma_stat_get(MA_STAT_swiotlb_slots_total),
			  (unsigned long long)atomic_load(&ma_tlb.bytes),
			  (unsigned long long)ma_tlb.limit);
}

/* A run for @req in the first pool within @limit that has one (area locks); -1 if none. */
static long tlb_alloc_locked(const struct ma_tlb_req *req, u64 limit, bool *reachable,
			     struct ma_tlb_pool **pool)
{
	struct ma_tlb_pool *p;

	*reachable = false;
	for (p = ma_tlb_first(); p; p = ma_tlb_next(p)) {
		long idx;

		if (p->end - 1 > limit)
			continue;
		*reachable = true;
		if (req->nslots > p->seg_slots)
			continue;
		idx = ma_tlb_alloc(p, req);
		if (idx >= 0) {
			*pool = p;
			return idx;
		}
	}
	return -1;
}

/* No room on the fast path: flush caches, then grow (see the header comment). */
static long tlb_alloc_slow(const struct ma_tlb_dev *td, const struct ma_tlb_req *req,
			   phys_addr_t orig, size_t size, struct ma_tlb_pool **p)
{
	unsigned int gen = atomic_load_explicit(&ma_tlb.gen, memory_order_relaxed);
	enum ma_tlb_why why = MA_TLB_WHY_FULL;
	bool reachable;
	long idx;

	idx = tlb_alloc_locked(req, td->limit, &reachable, p);
	if (idx < 0 && reachable && ma_tlb_mag_flush()) /* our own cache held the room */
		idx = tlb_alloc_locked(req, td->limit, &reachable, p);
	if (idx >= 0)
		return idx;
	if (reachable) /* ask every thread to give its cached slots back */
		atomic_fetch_add_explicit(&ma_tlb.drain, 1, memory_order_relaxed);
	if (ma_tlb.dynamic) {
		bool grew;

		/* the transient pool before the kick: its allocations precede the worker's */
		*p = ma_tlb_transient_new(td, req, &idx, &why);
		grew = atomic_load_explicit(&ma_tlb.gen, memory_order_relaxed) != gen;
		ma_tlb_dyn_kick(gen, td->limit, req->nslots);
		if (*p)
			return idx;
		if (grew) { /* a pool was published since our search began */
			idx = tlb_alloc_locked(req, td->limit, &grew, p);
			if (idx >= 0)
				return idx;
		}
	}
	tlb_map_failed(td, orig, size, reachable, req->nslots, why);
	return -1;
}

/* [W1] + [W2] of the "has used swiotlb" flag (swiotlb.h). */
static inline void tlb_mark_used(struct ma_tlb_devstate *ds)
{
	if (ma_unlikely(!atomic_load_explicit(&ds->used, memory_order_relaxed)))
		atomic_store_explicit(&ds->used, true, memory_order_relaxed); /* [W1] */
	ma_tlb_fence_release(); /* [W2] pairs with [R1] in ma_swiotlb_dev_used() */
}

phys_addr_t ma_swiotlb_map(const struct ma_tlb_dev *td, phys_addr_t orig, size_t size,
			   u64 alloc_align_mask, enum dma_data_direction dir)
{
	struct ma_tlb_pool *p = NULL;
	struct ma_tlb_req req;
	phys_addr_t tlb, first;
	long idx = -1;
	size_t off;

	if (td->pad_shift) /* whole granules behind an IOMMU: never the one-slot path */
		alloc_align_mask |= ((u64)1 << td->pad_shift) - 1;
	if (ma_likely(tlb_request_one(&off, td, orig, size, alloc_align_mask))) {
		req = (struct ma_tlb_req){.nslots = 1, .stride = 1, .want = 0};
		idx = ma_tlb_mag_pop(td->limit, &p); /* the common small bounce: no lock */
	} else if (!tlb_request(&req, &off, td, orig, size, alloc_align_mask) ||
		   size > ma_swiotlb_max_mapping(td->min_align_mask)) {
		ma_report("swiotlb", td->name, orig, size,
			  "cannot bounce %zu bytes: above swiotlb_max_mapping_size %zu", size,
			  ma_swiotlb_max_mapping(td->min_align_mask));
		return MA_TLB_FAIL;
	} else if (req.nslots == 1 && req.stride == 1) {
		idx = ma_tlb_mag_pop(td->limit, &p);
	}
	if (idx < 0) {
		idx = tlb_alloc_slow(td, &req, orig, size, &p);
		if (idx < 0)
			return MA_TLB_FAIL;
	}
	tlb_record(p, (unsigned int)idx, orig, size, off, req.nslots, td->pad_shift);
	if (ma_unlikely(p->transient))
		ma_tlb_transient_link(td->ds, p);
	first = ma_tlb_slot_phys(p, (unsigned int)idx);
	tlb = first + off;
	memcpy(ma_phys_to_virt(tlb), ma_phys_to_virt(orig), size);
	if (td->pad_zero) { /* an untrusted device sees zeros around the data, never old bytes */
		size_t all = (size_t)req.nslots << ma_tlb.line_shift;

		memset(ma_phys_to_virt(first), 0, off);
		memset(ma_phys_to_virt(tlb + size), 0, all - off - size);
	}
	if (!td->coherent)
		ma_cache_sync_for_device(first, (size_t)req.nslots << ma_tlb.line_shift,
					 tlb_dev_dir(dir));
	ma_stat_add(MA_STAT_swiotlb_slots_used, req.nslots);
	ma_stat_add(MA_STAT_bounce_maps, 1);
	tlb_mark_used(td->ds);
	return tlb;
}

/* The head record of the live mapping containing [@tlb, @tlb+@size), or NULL. */
static struct ma_tlb_slot *tlb_live(struct ma_tlb_pool *p, phys_addr_t tlb, size_t size,
				    phys_addr_t *start)
{
	unsigned int idx = ma_tlb_slot_idx(p, tlb), head;
	struct ma_tlb_slot *s;

	if (!ma_tlb_test(p, idx) || p->slots[idx].head > idx)
		return NULL;
	head = idx - p->slots[idx].head;
	s = &p->slots[head];
	*start = ma_tlb_slot_phys(p, head) + s->off;
	if (!ma_tlb_test(p, head) || !s->live || s->head != 0 || tlb < *start || size > s->size ||
	    tlb - *start > s->size - size)
		return NULL;
	return s;
}

static inline struct ma_tlb_slot *tlb_unmap_head(const struct ma_tlb_dev *td, struct ma_tlb_pool *p,
						 phys_addr_t tlb, size_t size, unsigned int *pidx)
{
	unsigned int idx = *pidx = ma_tlb_slot_idx(p, tlb);
	struct ma_tlb_slot *s = &p->slots[idx];

	if (!ma_tlb_test(p, idx) || !s->live || s->head != 0 ||
	    tlb != ma_tlb_slot_phys(p, idx) + s->off) {
		ma_report("swiotlb", td->name, tlb, size,
			  "unmap of %#llx: not the start of a live bounce mapping",
			  (unsigned long long)tlb);
		return NULL;
	}
	return s;
}

/* @n: the mapping's slots (ma_tlb_nslots() of the head record). */
static inline unsigned int tlb_unmap_copy(const struct ma_tlb_dev *td, const struct ma_tlb_slot *s,
					  unsigned int n, phys_addr_t tlb,
					  enum dma_data_direction dir, bool skip_sync)
{
	unsigned int conflicts = 0;

	if (skip_sync)
		return 0;
	if (!td->coherent)
		conflicts =
			ma_cache_sync_for_cpu(tlb - s->off, (size_t)n << ma_tlb.line_shift, dir);
	if (tlb_inbound(dir))
		memcpy(ma_phys_to_virt(s->orig), ma_phys_to_virt(tlb), s->size);
	return conflicts;
}

struct ma_tlb_slot *ma_tlb_unmap_head(const struct ma_tlb_dev *td, struct ma_tlb_pool *p,
				      phys_addr_t tlb, size_t size)
{
	unsigned int idx;

	return tlb_unmap_head(td, p, tlb, size, &idx);
}

unsigned int ma_tlb_unmap_copy(const struct ma_tlb_dev *td, const struct ma_tlb_slot *s,
			       phys_addr_t tlb, enum dma_data_direction dir, bool skip_sync)
{
	return tlb_unmap_copy(td, s, ma_tlb_rec_nslots(s), tlb, dir, skip_sync);
}

int ma_swiotlb_unmap(const struct ma_tlb_dev *td, phys_addr_t tlb, size_t size,
		     enum dma_data_direction dir, bool skip_sync)
{
	struct ma_tlb_pool *p = ma_swiotlb_find(tlb);
	unsigned int idx, n, conflicts;
	struct ma_tlb_slot *s;

	if (ma_unlikely(!p))
		return ma_tlb_transient_unmap(td, tlb, size, dir, skip_sync);
	/* the recorded size rules; DMA-API debug reports a mismatch */
	s = tlb_unmap_head(td, p, tlb, size, &idx);
	if (!s)
		return -1;
	n = ma_tlb_rec_nslots(s);
	conflicts = tlb_unmap_copy(td, s, n, tlb, dir, skip_sync);
	s->live = 0;
	if (n == 1)
		ma_tlb_mag_push(p, idx);
	else
		ma_tlb_free(p, idx, n);
	ma_stat_add(MA_STAT_swiotlb_slots_used, -(int64_t)n);
	return (int)conflicts;
}

/* Whole lines of the bounce buffer covering [@tlb, @tlb+@size). */
static void tlb_lines(phys_addr_t tlb, size_t size, phys_addr_t *lo, size_t *len)
{
	phys_addr_t line = (phys_addr_t)1 << ma_tlb.line_shift;

	*lo = MA_ALIGN_DOWN(tlb, line);
	*len = (size_t)(MA_ALIGN_UP(tlb + size, line) - *lo);
}

void ma_tlb_sync_pool(const struct ma_tlb_dev *td, struct ma_tlb_pool *p, phys_addr_t tlb,
		      size_t size, enum dma_data_direction dir, bool for_cpu)
{
	struct ma_tlb_slot *s;
	phys_addr_t start, lo;
	size_t len;

	s = tlb_live(p, tlb, size, &start);
	if (!s) {
		ma_report("swiotlb", td->name, tlb, size,
			  "%s of %#llx+%zu: not inside a live bounce mapping",
			  for_cpu ? "sync_for_cpu" : "sync_for_device", (unsigned long long)tlb,
			  size);
		return;
	}
	tlb_lines(tlb, size, &lo, &len);
	if (for_cpu) {
		if (!tlb_inbound(dir))
			return;
		if (!td->coherent)
			ma_cache_sync_for_cpu(lo, len, dir);
		memcpy(ma_phys_to_virt(s->orig + (tlb - start)), ma_phys_to_virt(tlb), size);
		return;
	}
	if (dir == DMA_TO_DEVICE || dir == DMA_BIDIRECTIONAL)
		memcpy(ma_phys_to_virt(tlb), ma_phys_to_virt(s->orig + (tlb - start)), size);
	if (!td->coherent)
		ma_cache_sync_for_device(lo, len, tlb_dev_dir(dir));
}

int ma_swiotlb_sync(const struct ma_tlb_dev *td, phys_addr_t tlb, size_t size,
		    enum dma_data_direction dir, bool for_cpu)
{
	struct ma_tlb_pool *p = ma_swiotlb_find(tlb);

	if (ma_unlikely(!p))
		return ma_tlb_transient_sync(td, tlb, size, dir, for_cpu);
	ma_tlb_sync_pool(td, p, tlb, size, dir, for_cpu);
	return 0;
}

bool ma_swiotlb_is_bounce(const struct ma_tlb_devstate *ds, phys_addr_t phys)
{
	if (ds && !ma_swiotlb_dev_used(ds))
		return false;
	return ma_swiotlb_find(phys) || ma_tlb_transient_holds(ds, phys);
}
