/* SPDX-License-Identifier: MIT */
/*
 * swiotlb/dynamic.c - dynamic pools: the worker thread that grows the global pool list, and the
 * growth limit.
 *
 * Owns ma_tlb.dyn (the worker's state), ma_tlb.limit and ma_tlb.gen.  With
 * ma_cfg.swiotlb_dynamic and a static pool (swiotlb_size 0 means no SWIOTLB at all, dynamic or
 * not), the first request starts one worker thread (nothing is paid at init: a process that
 * never outgrows its static pool stays single-threaded) and ma_swiotlb_exit() stops and joins
 * it.  A fork child has no worker (ma_tlb_dyn_atfork_child()); its first request starts one.
 *
 * Requests.  A mapping that found no room (map.c) calls ma_tlb_dyn_kick() with the number of
 * pools it had seen published (ma_tlb.gen), its device's limit and the slots it needed, and
 * takes a transient pool for itself.  The worker grows while ma_tlb.gen < want: a burst of
 * failures that all saw the same list asks for one pool, not one each; a failure that started
 * before a pool was published asks for nothing more.
 *
 * Sizing.  A new pool doubles the bytes of the global pools (the first one is the size of the
 * static pool), is at least big enough for the largest request since the last pool (its
 * segment holds the run), and at most one max-order block (4 MiB).  When its pages or metadata
 * cannot be allocated, or it would pass the limit, the size is halved down to the smallest
 * that still serves the request; then the worker gives up until the next request.  It is put
 * below 4 GiB when RAM reaches there and below the lowest device limit that asked.
 *
 * Policy: grown pools stay until minalign_exit().  They are then never freed while a mapping
 * or a per-thread slot cache may point into them, so the global list needs no read-side
 * sections (pool.c), and a steady load that once needed the room keeps it without churning
 * page allocations.  Transient pools, one per mapping, are the ones returned at unmap.
 *
 * The limit.  ma_tlb.bytes (every pool: static, grown, transient until freed) never exceeds
 * ma_tlb.limit = max(ram_size / 16, the static pool).  A transient pool or a grown pool that
 * would pass it is not made; a mapping that then finds no room fails with DMA_MAPPING_ERROR
 * and one report.  One sixteenth of RAM is four times Linux's arm64 sizing for kmalloc
 * bouncing (1 MiB per GiB) and keeps a runaway driver from starving the page allocator.
 *
 * Locking: dyn.mu (a mutex) protects want, below, hint, busy and stop, and pairs with the two
 * condition variables; the worker drops it while it allocates.  Publishing takes ma_tlb.lock
 * (pool.c), never under dyn.mu.  ma_tlb.gen is an atomic bumped after a pool is linked.
 */
#include "swiotlb/internal.h"

#define MA_TLB_LIMIT_SHIFT 4 /* bounce memory is at most RAM / 16 */

/* The smallest order whose block holds @bytes (0 for 0). */
static unsigned int tlb_order_for(uint64_t bytes)
{
	unsigned int order = 0;

	while (order < MAX_PAGE_ORDER && ((uint64_t)PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

/* Bytes of the global pools now (the worker, their only writer after init, walks them). */
static uint64_t tlb_global_bytes(void)
{
	uint64_t sum = 0;
	struct ma_tlb_pool *p;

	for (p = ma_tlb_first(); p; p = ma_tlb_next(p))
		sum += p->end - p->start;
	return sum;
}

/* Add one pool for a request (@below: device limit, @hint: slots); false if none was made. */
static bool tlb_grow(u64 below, unsigned int hint)
{
	uint64_t need = (uint64_t)hint << ma_tlb.line_shift;
	unsigned int min = tlb_order_for(need);
	unsigned int order = MA_MAX(tlb_order_for(tlb_global_bytes()), min);
	phys_addr_t end = below == UINT64_MAX ? UINT64_MAX : below + 1;

	for (;; order--) {
		uint64_t bytes = (uint64_t)PAGE_SIZE << order;
		struct ma_tlb_pool *p = NULL;

		if (ma_tlb_charge(bytes)) {
			p = ma_tlb_pool_new(order, end, 0);
			if (!p)
				ma_tlb_uncharge(bytes);
		}
		if (p) {
			ma_spin_lock(&ma_tlb.lock);
			ma_tlb_publish(p);
			ma_spin_unlock(&ma_tlb.lock);
			atomic_fetch_add_explicit(&ma_tlb.gen, 1, memory_order_relaxed);
			return true;
		}
		if (order <= min)
			return false;
	}
}

static void *tlb_worker(void *arg)
{
	struct ma_tlb_dyn *d = &ma_tlb.dyn;

	(void)arg;
	ma_thread_set_name("minalign-tlb"); /* what tests and ps see */
	ma_mutex_lock(&d->mu);
	for (;;) {
		u64 below;
		unsigned int hint;
		bool grew;

		while (!d->stop &&
		       d->want <= atomic_load_explicit(&ma_tlb.gen, memory_order_relaxed))
			ma_cond_wait(&d->wake, &d->mu);
		if (d->stop)
			break;
		below = d->below;
		hint = d->hint;
		d->below = UINT64_MAX;
		d->hint = 0;
		d->busy = true;
		ma_mutex_unlock(&d->mu);
		grew = tlb_grow(below, hint);
		ma_mutex_lock(&d->mu);
		d->busy = false;
		if (!grew) /* wait for the next request */
			d->want = atomic_load_explicit(&ma_tlb.gen, memory_order_relaxed);
		ma_cond_broadcast(&d->idle);
	}
	ma_mutex_unlock(&d->mu);
	return NULL;
}

/* Start the worker on the first request (d->mu held); false when the thread cannot start. */
static bool tlb_worker_start(struct ma_tlb_dyn *d)
{
	if (d->running)
		return true;
	if (d->stop || ma_thread_start(&d->thread, tlb_worker, NULL))
		return false;
	d->running = true;
	return true;
}

void ma_tlb_dyn_kick(unsigned int gen, u64 limit, unsigned int nslots)
{
	struct ma_tlb_dyn *d = &ma_tlb.dyn;

	ma_mutex_lock(&d->mu);
	if (!tlb_worker_start(d)) { /* no growth this time; the mapping has its transient pool */
		ma_mutex_unlock(&d->mu);
		return;
	}
	if (d->want < (uint64_t)gen + 1)
		d->want = (uint64_t)gen + 1;
	d->below = MA_MIN(d->below, limit);
	d->hint = MA_MAX(d->hint, nslots);
	ma_cond_signal(&d->wake);
	ma_mutex_unlock(&d->mu);
}

int ma_tlb_dyn_init(void)
{
	struct ma_tlb_dyn *d = &ma_tlb.dyn;
	uint64_t bytes = atomic_load_explicit(&ma_tlb.bytes, memory_order_relaxed);

	ma_tlb.limit = MA_MAX((uint64_t)ma_cfg.ram_size >> MA_TLB_LIMIT_SHIFT, bytes);
	ma_tlb.dynamic = ma_cfg.swiotlb_dynamic && bytes;
	if (!ma_tlb.dynamic)
		return 0;
	/* a transient pool can take any mapping up to one segment */
	ma_tlb.max_segment = MA_TLB_SEGMENT;
	ma_mutex_init(&d->mu);
	ma_cond_init(&d->wake);
	ma_cond_init(&d->idle);
	d->below = UINT64_MAX;
	d->want = 0;
	d->hint = 0;
	d->stop = d->busy = d->running = false;
	d->ready = true; /* the thread starts at the first request (ma_tlb_dyn_kick()) */
	return 0;
}

void ma_tlb_dyn_exit(void)
{
	struct ma_tlb_dyn *d = &ma_tlb.dyn;
	bool running;

	if (!d->ready)
		return;
	ma_mutex_lock(&d->mu);
	d->stop = true;
	running = d->running;
	ma_cond_signal(&d->wake);
	ma_mutex_unlock(&d->mu);
	if (running)
		ma_thread_join(d->thread);
	ma_cond_destroy(&d->idle);
	ma_cond_destroy(&d->wake);
	ma_mutex_destroy(&d->mu);
	d->running = d->ready = false;
}

/* fork: hold d->mu across it, so the child's copy of the worker's state is consistent. */
void ma_tlb_dyn_atfork_prepare(void)
{
	if (ma_tlb.dyn.ready)
		ma_mutex_lock(&ma_tlb.dyn.mu);
}

void ma_tlb_dyn_atfork_parent(void)
{
	if (ma_tlb.dyn.ready)
		ma_mutex_unlock(&ma_tlb.dyn.mu);
}

/* The child has no worker thread: forget it (the next request starts one) and reset the sync. */
void ma_tlb_dyn_atfork_child(void)
{
	struct ma_tlb_dyn *d = &ma_tlb.dyn;

	if (!d->ready)
		return;
	ma_mutex_init(&d->mu);
	ma_cond_init(&d->wake);
	ma_cond_init(&d->idle);
	d->running = d->busy = false;
	d->want = atomic_load_explicit(&ma_tlb.gen, memory_order_relaxed);
}

/**
 * ma_swiotlb_quiesce() - wait until the worker has served every request made so far and, with
 * @frees, until every transient pool retired so far has been freed (an RCU barrier: up to tens
 * of milliseconds).
 *
 * For tests and benchmarks that want settled statistics.  Must not be called from an RCU
 * callback or with a library lock held.
 */
void ma_swiotlb_quiesce(bool frees)
{
	struct ma_tlb_dyn *d = &ma_tlb.dyn;

	if (!d->ready)
		return;
	ma_mutex_lock(&d->mu);
	while (!d->stop && d->running &&
	       (d->busy || d->want > atomic_load_explicit(&ma_tlb.gen, memory_order_relaxed)))
		ma_cond_wait(&d->idle, &d->mu);
	ma_mutex_unlock(&d->mu);
	if (frees)
		ma_tlb_transient_barrier();
}
