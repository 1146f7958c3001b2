/* SPDX-License-Identifier: MIT */
/*
 * swiotlb/magazine.c - per-thread caches ("magazines") of single bounce slots.
 *
 * Most bounces are small: a buffer of up to one cache line takes one slot.  Taking that slot
 * from an area and giving it back costs two lock round trips, which are most of a small
 * bounce.  Each thread (a "CPU", DESIGN.md section 3) therefore keeps up to MA_TLB_MAG single
 * slots of one pool: a one-slot bounce pops one and its unmap pushes it back, with no lock and
 * no atomic read-modify-write.  An empty cache takes MA_TLB_MAG_BATCH slots from an area (from
 * the current CPU's first, one lock round); a full one gives the oldest MA_TLB_MAG_BATCH back.
 * Pops are last-in first-out, so a map/unmap loop reuses one cache-hot line.
 *
 * Cached slots are set in the area bitmap and counted in the area's used count (the
 * allocator sees them as taken) but their records say not live, so unmap and sync refuse
 * them and ma_swiotlb_validate() accepts them.  The swiotlb_slots_used statistic counts live
 * mappings only; the high-water mark counts cached slots too.
 *
 * Giving slots back: when a thread exits (a thread-exit callback), when the pools are full
 * (the failing thread flushes its own cache and retries, and bumps ma_tlb.drain so every
 * other thread flushes its cache at its next bounce and then bypasses it for its next
 * MA_TLB_MAG_COOL single-slot bounces), and never for a stale cache: a cache
 * whose epoch is not ma_tlb.epoch belongs to pools an earlier minalign_init() made and is
 * simply forgotten.  At most MA_TLB_MAG slots per idle thread stay cached.  Only global pools
 * (which live until exit) are ever cached; transient pools never are.
 *
 * Locking: the cache is the thread's own (no lock); refills and flushes take area locks
 * (slots.c); a refill walks the global list with acquire loads (pool.c).  ma_tlb.drain is
 * read relaxed: a thread that sees the bump late flushes later, which only delays the slots'
 * return.  Records of cached slots are ordered by the area lock taken when they moved
 * between threads.
 */
#include "swiotlb/internal.h"

_Thread_local struct ma_tlb_mag ma_tlb_mag MA_TLS_IE;

static ma_tls_key_t ma_tlb_key;
static bool ma_tlb_key_ready;
static _Thread_local bool ma_tlb_key_set;

/* Give @n slots from the start of @m back, keeping the rest in order. */
static void mag_give(struct ma_tlb_mag *m, unsigned int n)
{
	ma_tlb_put(m->pool, m->slot, n);
	memmove(m->slot, m->slot + n, (m->n - n) * sizeof(m->slot[0]));
	m->n -= n;
}

void ma_tlb_mag_resync(struct ma_tlb_mag *m)
{
	if (m->epoch != ma_tlb.epoch) {
		m->n = 0; /* the pools these slots came from are gone */
		m->cool = 0;
	} else {
		if (m->n)
			mag_give(m, m->n);
		m->cool = MA_TLB_MAG_COOL; /* the pools are full: do not hoard for a while */
	}
	m->epoch = ma_tlb.epoch;
	m->drain = atomic_load_explicit(&ma_tlb.drain, memory_order_relaxed);
}

static void mag_thread_exit(void *arg)
{
	struct ma_tlb_mag *m = arg;

	if (m->n && m->epoch == ma_tlb.epoch && ma_is_up())
		mag_give(m, m->n);
	m->n = 0;
}

bool ma_tlb_mag_refill(struct ma_tlb_mag *m, u64 limit)
{
	struct ma_tlb_pool *p;

	if (ma_unlikely(!ma_tlb_key_set) && ma_tlb_key_ready) {
		ma_tls_set(ma_tlb_key, m);
		ma_tlb_key_set = true;
	}
	for (p = ma_tlb_first(); p; p = ma_tlb_next(p)) {
		if (p->end - 1 > limit)
			continue;
		m->n = ma_tlb_grab(p, m->slot, MA_TLB_MAG_BATCH);
		if (m->n) {
			m->pool = p;
			return true;
		}
	}
	return false;
}

void ma_tlb_mag_overflow(struct ma_tlb_mag *m)
{
	mag_give(m, MA_TLB_MAG_BATCH);
}

bool ma_tlb_mag_flush(void)
{
	struct ma_tlb_mag *m = ma_tlb_mag_mine();
	bool had = m->n != 0;

	if (had)
		mag_give(m, m->n);
	return had;
}

/* Once per process: the thread-exit callback that returns a thread's cached slots. */
int ma_tlb_mag_init(void)
{
	if (!ma_tlb_key_ready)
		ma_tlb_key_ready = ma_tls_key_create(&ma_tlb_key, mag_thread_exit) == 0;
	return 0;
}
