/* SPDX-License-Identifier: MIT */
/*
 * swiotlb/transient.c - transient pools: one mapping each, on the device's own RCU list.
 *
 * Owns the transient pools and the per-device lists (struct ma_tlb_devstate, embedded in dma/'s
 * per-device state).  When no global pool has room for a mapping (dynamic pools only), map.c
 * takes a transient pool: the smallest buddy block that holds the mapping's run at the
 * alignment it needs (so exactly the mapping's pages for an ordinary mapping; a block as large
 * as the alignment for a min_align_mask or alloc_align_mask beyond a page), below the device's
 * mask, with one area.  Its bytes count against the growth limit (dynamic.c).  The pool is
 * linked at the head of the device's list and on ma_tlb.transient (the list exit uses).
 *
 * Unmap: the pool is found on the device's list inside an RCU read-side section (urcu-bp), the
 * mapping is checked, the pool is unlinked from both lists under their locks (retired, once:
 * a racing second unmap of the same address is reported), the data is copied back, the
 * section ends, and call_rcu() frees the block and the metadata after a grace period, so a
 * reader still walking the device's list (another unmap, sync, is_swiotlb_buffer) never sees
 * freed memory.  ma_swiotlb_exit() waits for every callback (rcu_barrier) and then frees the
 * pools of leaked mappings, including those of destroyed devices (orphaned: off their device
 * list, still on ma_tlb.transient).
 *
 * Invariants: a transient pool holds exactly one live mapping from its link to its retirement;
 * it is on its device's list and on ma_tlb.transient exactly in that time (or on the latter
 * alone once orphaned); ma_tlb.transient_slots counts the slots of those mappings.
 *
 * Locking: ds->lock (spinlock) serialises the device list's updates and pool->retired;
 * ma_tlb.lock (spinlock) protects ma_tlb.transient.  They are never nested.  Readers of the
 * device list take no lock: links are C11 atomics, published with release stores and read with
 * acquire loads inside rcu_read_lock()/rcu_read_unlock(); a removed pool keeps its next link
 * for the readers inside it.  The flag ordering that makes a transient pool visible to another
 * thread's unmap is argued in swiotlb.h.
 *
 * liburcu links (rcu_assign_pointer, cds_list_*_rcu) are not used for the links: in liburcu
 * 0.13 they are volatile stores, which ThreadSanitizer takes for plain racing writes; C11
 * atomics say the same thing and TSan understands them.  liburcu's read-side sections and
 * call_rcu/rcu_barrier are opaque to TSan (an uninstrumented library), so under TSan the
 * section ends, the call_rcu hand-off and the barrier are annotated as release/acquire pairs
 * (__tsan_release/__tsan_acquire), which is the ordering the grace period guarantees.
 *
 * Paths: all slow.  The device-list check on unmap/sync of an address in no global pool is one
 * relaxed load when the device has no transient pool (no read-side section then).
 */
#include "swiotlb/internal.h"

#include <stddef.h>

#ifdef MA_TLB_TSAN
#include <sanitizer/tsan_interface.h>
static char tlb_rcu_readers, tlb_rcu_done; /* TSan sync objects */
#define tlb_tsan_release(a) __tsan_release(a)
#define tlb_tsan_acquire(a) __tsan_acquire(a)
#else
#define tlb_tsan_release(a) ((void)0)
#define tlb_tsan_acquire(a) ((void)0)
#endif

static inline void tlb_read_lock(void)
{
	rcu_read_lock();
}

static inline void tlb_read_unlock(void)
{
	tlb_tsan_release(&tlb_rcu_readers); /* what this reader did precedes the deferred frees */
	rcu_read_unlock();
}

void ma_swiotlb_dev_init(struct ma_tlb_devstate *ds)
{
	atomic_init(&ds->used, false);
	atomic_init(&ds->transient, NULL);
	ma_spin_init(&ds->lock);
	ds->epoch = 0;
}

void ma_swiotlb_dev_exit(struct ma_tlb_devstate *ds)
{
	struct ma_tlb_pool *t;

	ma_spin_lock(&ds->lock);
	if (ds->epoch == ma_tlb.epoch) { /* else exit already freed them */
		for (t = atomic_load_explicit(&ds->transient, memory_order_relaxed); t;
		     t = atomic_load_explicit(&t->next, memory_order_relaxed))
			t->pprev = NULL; /* orphaned: freed at exit with the leaked mapping */
	}
	atomic_store_explicit(&ds->transient, NULL, memory_order_relaxed);
	ma_spin_unlock(&ds->lock);
}

/* The smallest order whose block holds the run at a start meeting the request's stride. */
static bool tlb_transient_order(const struct ma_tlb_req *req, unsigned int *order)
{
	uint64_t slots = MA_MAX((uint64_t)req->stride, (uint64_t)req->want + req->nslots);
	uint64_t bytes = slots << ma_tlb.line_shift;

	for (*order = 0; *order <= MAX_PAGE_ORDER; (*order)++)
		if (((uint64_t)PAGE_SIZE << *order) >= bytes)
			return true;
	return false;
}

static void tlb_transient_destroy(struct ma_tlb_pool *t)
{
	uint64_t bytes = t->end - t->start;

	ma_tlb_pool_free(t);
	ma_tlb_uncharge(bytes);
}

struct ma_tlb_pool *ma_tlb_transient_new(const struct ma_tlb_dev *td, const struct ma_tlb_req *req,
					 long *idx, enum ma_tlb_why *why)
{
	phys_addr_t end = td->limit == UINT64_MAX ? UINT64_MAX : td->limit + 1;
	struct ma_tlb_pool *t;
	unsigned int order;

	*why = MA_TLB_WHY_NOMEM;
	if (!tlb_transient_order(req, &order))
		return NULL;
	if (!ma_tlb_charge((uint64_t)PAGE_SIZE << order)) {
		*why = MA_TLB_WHY_LIMIT;
		return NULL;
	}
	t = ma_tlb_pool_new(order, end, 1);
	if (!t) {
		ma_tlb_uncharge((uint64_t)PAGE_SIZE << order);
		return NULL;
	}
	t->transient = true;
	atomic_fetch_add_explicit(&ma_tlb.transient_slots, req->nslots, memory_order_relaxed);
	*idx = ma_tlb_alloc(t, req); /* a fresh area peaks: the high-water sum includes us */
	if (*idx < 0) {
		atomic_fetch_sub_explicit(&ma_tlb.transient_slots, req->nslots,
					  memory_order_relaxed);
		tlb_transient_destroy(t);
		return NULL;
	}
	ma_stat_add(MA_STAT_swiotlb_transient, 1);
	ma_stat_add(MA_STAT_swiotlb_transient_live, 1);
	ma_stat_add(MA_STAT_swiotlb_slots_total, t->nslots);
	return t;
}

void ma_tlb_transient_link(struct ma_tlb_devstate *ds, struct ma_tlb_pool *t)
{
	struct ma_tlb_pool *head;

	ma_spin_lock(&ds->lock);
	if (ds->epoch != ma_tlb.epoch) { /* first transient pool of this init */
		atomic_store_explicit(&ds->transient, NULL, memory_order_relaxed);
		ds->epoch = ma_tlb.epoch;
	}
	head = atomic_load_explicit(&ds->transient, memory_order_relaxed);
	atomic_store_explicit(&t->next, head, memory_order_relaxed);
	t->pprev = &ds->transient;
	if (head)
		head->pprev = &t->next;
	/* publish: the pool's fields and records before the link (pairs with tlb_find's loads) */
	atomic_store_explicit(&ds->transient, t, memory_order_release);
	ma_spin_unlock(&ds->lock);

	ma_spin_lock(&ma_tlb.lock);
	t->tprev = NULL;
	t->tnext = ma_tlb.transient;
	if (t->tnext)
		t->tnext->tprev = t;
	ma_tlb.transient = t;
	ma_spin_unlock(&ma_tlb.lock);
}

/* The device's transient pool holding @phys, or NULL.  Inside a read-side section. */
static struct ma_tlb_pool *tlb_find(const struct ma_tlb_devstate *ds, phys_addr_t phys)
{
	struct ma_tlb_pool *t = atomic_load_explicit(&ds->transient, memory_order_acquire);

	for (; t; t = atomic_load_explicit(&t->next, memory_order_acquire))
		if (phys >= t->start && phys < t->end)
			return t;
	return NULL;
}

/* Nothing on the device's list: no section needed (see the header comment). */
static inline bool tlb_none(const struct ma_tlb_devstate *ds)
{
	return !atomic_load_explicit(&ds->transient, memory_order_relaxed);
}

static void tlb_unlink_global(struct ma_tlb_pool *t)
{
	ma_spin_lock(&ma_tlb.lock);
	if (t->tprev)
		t->tprev->tnext = t->tnext;
	else
		ma_tlb.transient = t->tnext;
	if (t->tnext)
		t->tnext->tprev = t->tprev;
	ma_spin_unlock(&ma_tlb.lock);
}

/* Take @t off the device's list, once; false if a racing unmap already did. */
static bool tlb_retire(struct ma_tlb_devstate *ds, struct ma_tlb_pool *t)
{
	struct ma_tlb_pool *next;

	ma_spin_lock(&ds->lock);
	if (t->retired || !t->pprev) {
		ma_spin_unlock(&ds->lock);
		return false;
	}
	t->retired = true;
	next = atomic_load_explicit(&t->next, memory_order_relaxed);
	/* readers inside t keep following t->next; new readers skip t */
	atomic_store_explicit(t->pprev, next, memory_order_release);
	if (next)
		next->pprev = t->pprev;
	ma_spin_unlock(&ds->lock);
	tlb_unlink_global(t);
	return true;
}

static void tlb_free_rcu(struct rcu_head *head)
{
	struct ma_tlb_pool *t =
		(struct ma_tlb_pool *)((char *)head - offsetof(struct ma_tlb_pool, rcu));

	tlb_tsan_acquire(t);
	tlb_tsan_acquire(&tlb_rcu_readers);
	tlb_transient_destroy(t);
	tlb_tsan_release(&tlb_rcu_done);
}

int ma_tlb_transient_unmap(const struct ma_tlb_dev *td, phys_addr_t tlb, size_t size,
			   enum dma_data_direction dir, bool skip_sync)
{
	struct ma_tlb_pool *t;
	struct ma_tlb_slot *s;
	unsigned int n, conflicts;

	if (tlb_none(td->ds))
		return MA_TLB_NONE;
	tlb_read_lock();
	t = tlb_find(td->ds, tlb);
	if (!t) {
		tlb_read_unlock();
		return MA_TLB_NONE;
	}
	s = ma_tlb_unmap_head(td, t, tlb, size);
	if (s && !tlb_retire(td->ds, t)) {
		ma_report("swiotlb", td->name, tlb, size,
			  "unmap of %#llx: not the start of a live bounce mapping (unmapped twice)",
			  (unsigned long long)tlb);
		s = NULL;
	}
	if (!s) {
		tlb_read_unlock();
		return -1;
	}
	conflicts = ma_tlb_unmap_copy(td, s, tlb, dir, skip_sync);
	n = ma_tlb_rec_nslots(s);
	s->live = 0;
	tlb_read_unlock();
	atomic_fetch_sub_explicit(&ma_tlb.transient_slots, n, memory_order_relaxed);
	ma_stat_add(MA_STAT_swiotlb_slots_used, -(int64_t)n);
	ma_stat_add(MA_STAT_swiotlb_slots_total, -(int64_t)t->nslots);
	ma_stat_add(MA_STAT_swiotlb_transient_live, -1);
	tlb_tsan_release(t);
	call_rcu(&t->rcu, tlb_free_rcu);
	return (int)conflicts;
}

int ma_tlb_transient_sync(const struct ma_tlb_dev *td, phys_addr_t tlb, size_t size,
			  enum dma_data_direction dir, bool for_cpu)
{
	struct ma_tlb_pool *t;

	if (tlb_none(td->ds))
		return MA_TLB_NONE;
	tlb_read_lock();
	t = tlb_find(td->ds, tlb);
	if (t)
		ma_tlb_sync_pool(td, t, tlb, size, dir, for_cpu);
	tlb_read_unlock();
	return t ? 0 : MA_TLB_NONE;
}

bool ma_tlb_transient_holds(const struct ma_tlb_devstate *ds, phys_addr_t phys)
{
	struct ma_tlb_pool *t;

	if (!ds) { /* any device: the global list of transient pools */
		ma_spin_lock(&ma_tlb.lock);
		for (t = ma_tlb.transient; t; t = t->tnext)
			if (phys >= t->start && phys < t->end)
				break;
		ma_spin_unlock(&ma_tlb.lock);
		return t != NULL;
	}
	if (tlb_none(ds))
		return false;
	tlb_read_lock();
	t = tlb_find(ds, phys);
	tlb_read_unlock();
	return t != NULL;
}

void ma_tlb_transient_barrier(void)
{
	rcu_barrier();
	tlb_tsan_acquire(&tlb_rcu_done);
}

void ma_tlb_transient_exit(void)
{
	struct ma_tlb_pool *t;

	if (!ma_tlb.dynamic)
		return;
	ma_tlb_transient_barrier();
	while ((t = ma_tlb.transient) != NULL) { /* leaked mappings (reported by the caller) */
		ma_tlb.transient = t->tnext;
		ma_stat_add(MA_STAT_swiotlb_slots_total, -(int64_t)t->nslots);
		ma_stat_add(MA_STAT_swiotlb_transient_live, -1);
		tlb_transient_destroy(t);
	}
	atomic_store(&ma_tlb.transient_slots, 0);
}

int ma_tlb_transient_validate(void)
{
	struct ma_tlb_pool *t;
	int err = 0;

	ma_spin_lock(&ma_tlb.lock);
	for (t = ma_tlb.transient; t && !err; t = t->tnext)
		err = ma_tlb_validate_pool(t);
	ma_spin_unlock(&ma_tlb.lock);
	return err;
}
