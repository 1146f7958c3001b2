/* SPDX-License-Identifier: MIT */
/*
 * swiotlb/pool.c - bounce pools: creation, publication, lookup by address, teardown.
 *
 * Owns ma_tlb (the global pool list, the address envelope, the byte count and its limit) and
 * every pool's memory: a buddy block of the simulated RAM (page owner MA_OWNER_SWIOTLB, priv =
 * the pool) plus one metadata block holding the descriptor, the areas, the bitmap and the slot
 * records, laid out so that each area's part of the bitmap and of the records starts on a host
 * cache line of its own.
 *
 * The static pool of ma_cfg.swiotlb_size bytes (rounded up to pages) is built at init from the
 * largest buddy blocks that fit, at most one max-order block (4 MiB) each, below 4 GiB physical
 * when RAM reaches below 4 GiB (else wherever RAM is: devices whose mask cannot reach it fail
 * their bounces, or take transient pools below their mask with dynamic pools).  Each block is a
 * pool of its own, appended to the list in order.  Pools the worker grows (dynamic.c) are put
 * at the head; transient pools (transient.c) use the same constructor but are never on the
 * global list.
 *
 * Invariants: ma_tlb.lo/hi bound every pool on the list; a pool on the list is fully
 * initialised before the release store that links it; pools never overlap (they are distinct
 * buddy blocks); ma_tlb.bytes = bytes of every pool not yet freed <= ma_tlb.limit once init
 * is done (the static pool alone may set the limit).
 *
 * Locking and memory ordering: ma_tlb.lock (a spinlock, leaf) serialises writers of the list,
 * the envelope and npools.  Readers take no lock and no RCU read-side section: the list is
 * only ever added to while the library is up (removal happens in ma_swiotlb_exit(), when no
 * mapping runs), so a reader needs only to see a linked pool fully initialised.  Publication:
 * initialise the pool, widen lo/hi (relaxed; lo only falls, hi only rises), then link it with
 * a release store; readers load links with acquire (ma_tlb_first/ma_tlb_next).  Why a reader
 * on another thread always finds the pool of a mapping it was handed: swiotlb.h ("the has used
 * swiotlb flag").  The byte count is an atomic charged before a block is allocated.
 *
 * Fast path: ma_swiotlb_find() (swiotlb.h) rejects addresses outside the envelope with two
 * compares and checks the newest pool inline; the slow path walks the list.
 */
#include "swiotlb/internal.h"

struct ma_tlb_global ma_tlb;

struct ma_tlb_pool *ma_swiotlb_find_slow(phys_addr_t phys)
{
	struct ma_tlb_pool *p;

	for (p = ma_tlb_first(); p; p = ma_tlb_next(p))
		if (phys >= p->start && phys < p->end)
			return p;
	return NULL;
}

bool ma_swiotlb_reachable(u64 limit)
{
	struct ma_tlb_pool *p;

	for (p = ma_tlb_first(); p; p = ma_tlb_next(p))
		if (p->end - 1 <= limit)
			return true;
	return false;
}

/* Areas: CPUs rounded up to a power of two, halved until each holds a whole segment. */
unsigned int ma_tlb_nareas(unsigned int nslots, unsigned int seg_slots)
{
	unsigned int n = 1, cpus = ma_plat_ncpus();

	while (n < cpus && n < 1024)
		n <<= 1;
	while (n > 1 && nslots / n < seg_slots)
		n >>= 1;
	return n;
}

/* The descriptor and its arrays in one metadata block, each part host-line aligned. */
static struct ma_tlb_pool *tlb_pool_meta(unsigned int nslots, unsigned int nareas)
{
	size_t line = MA_CACHELINE_HOST;
	size_t o_areas = MA_ALIGN_UP(sizeof(struct ma_tlb_pool), line);
	size_t o_bitmap = o_areas + nareas * sizeof(struct ma_tlb_area);
	size_t words = MA_ALIGN_UP((size_t)nslots, 64) / 64;
	size_t o_slots = o_bitmap + MA_ALIGN_UP(words * sizeof(uint64_t), line);
	size_t total = o_slots + (size_t)nslots * sizeof(struct ma_tlb_slot);
	unsigned char *raw = ma_meta_alloc(total + line), *base;
	struct ma_tlb_pool *p;

	if (!raw)
		return NULL;
	base = (unsigned char *)MA_ALIGN_UP((uintptr_t)raw, (uintptr_t)line);
	p = (struct ma_tlb_pool *)base;
	p->meta = raw;
	p->areas = (struct ma_tlb_area *)(base + o_areas);
	p->bitmap = (_Atomic uint64_t *)(base + o_bitmap);
	p->slots = (struct ma_tlb_slot *)(base + o_slots);
	for (size_t w = 0; w < words; w++)
		atomic_init(&p->bitmap[w], 0);
	atomic_init(&p->next, NULL);
	return p;
}

static void tlb_pool_init(struct ma_tlb_pool *p, struct page *page, unsigned int order,
			  unsigned int nslots, unsigned int seg_slots, unsigned int nareas)
{
	unsigned int per = nslots / nareas;

	p->page = page;
	p->order = order;
	p->start = ma_page_to_phys(page);
	p->end = p->start + ((phys_addr_t)PAGE_SIZE << order);
	p->nslots = nslots;
	p->seg_slots = seg_slots;
	p->nareas = nareas;
	p->area_shift = (unsigned int)__builtin_ctz(per);
	for (unsigned int k = 0; k < nareas; k++) {
		struct ma_tlb_area *a = &p->areas[k];

		ma_spin_init(&a->lock);
		a->lo = k * per;
		a->hi = a->lo + per;
		a->cursor = a->lo;
		atomic_init(&a->used, 0);
		a->peak = 0;
	}
}

/* Link @p (at the head, or at the tail for the static pools) after widening the envelope. */
static void tlb_link(struct ma_tlb_pool *p, bool at_head)
{
	_Atomic(struct ma_tlb_pool *) *pp = &ma_tlb.head;
	phys_addr_t lo = atomic_load_explicit(&ma_tlb.lo, memory_order_relaxed);
	phys_addr_t hi = atomic_load_explicit(&ma_tlb.hi, memory_order_relaxed);

	if (!hi || p->start < lo)
		atomic_store_explicit(&ma_tlb.lo, p->start, memory_order_relaxed);
	if (p->end > hi)
		atomic_store_explicit(&ma_tlb.hi, p->end, memory_order_relaxed);
	if (at_head) {
		atomic_store_explicit(&p->next, ma_tlb_first(), memory_order_relaxed);
	} else {
		while (atomic_load_explicit(pp, memory_order_relaxed))
			pp = &atomic_load_explicit(pp, memory_order_relaxed)->next;
	}
	atomic_store_explicit(pp, p, memory_order_release); /* pairs with ma_tlb_first/next */
}

void ma_tlb_publish(struct ma_tlb_pool *p)
{
	tlb_link(p, true);
	ma_tlb.npools++;
	ma_stat_add(MA_STAT_swiotlb_pools, 1);
	ma_stat_add(MA_STAT_swiotlb_slots_total, p->nslots);
}

bool ma_tlb_charge(uint64_t bytes)
{
	uint64_t now =
		atomic_fetch_add_explicit(&ma_tlb.bytes, bytes, memory_order_relaxed) + bytes;

	if (ma_tlb.limit && now > ma_tlb.limit) {
		atomic_fetch_sub_explicit(&ma_tlb.bytes, bytes, memory_order_relaxed);
		return false;
	}
	ma_stat_add(MA_STAT_swiotlb_bytes, (int64_t)bytes);
	ma_stat_max(MA_STAT_swiotlb_bytes_peak, now);
	return true;
}

void ma_tlb_uncharge(uint64_t bytes)
{
	atomic_fetch_sub_explicit(&ma_tlb.bytes, bytes, memory_order_relaxed);
	ma_stat_add(MA_STAT_swiotlb_bytes, -(int64_t)bytes);
}

/* A block of @order ending at or below @limit: below 4 GiB first when RAM reaches there. */
static struct page *tlb_block(unsigned int order, phys_addr_t limit)
{
	struct page *pg = NULL;

	if (ma_mem.base < MA_TLB_LOW_LIMIT && limit > MA_TLB_LOW_LIMIT)
		pg = ma_alloc_pages_below(0, order, MA_TLB_LOW_LIMIT);
	if (!pg && (ma_mem.end > MA_TLB_LOW_LIMIT || limit <= MA_TLB_LOW_LIMIT))
		pg = ma_alloc_pages_below(0, order, limit);
	return pg;
}

struct ma_tlb_pool *ma_tlb_pool_new(unsigned int order, phys_addr_t limit, unsigned int nareas)
{
	unsigned int nslots = (unsigned int)((PAGE_SIZE << order) >> ma_tlb.line_shift);
	unsigned int seg_slots =
		MA_MIN(nslots, (unsigned int)(MA_TLB_SEGMENT >> ma_tlb.line_shift));
	struct ma_tlb_pool *p;
	struct page *pg;

	if (!nareas)
		nareas = ma_tlb_nareas(nslots, seg_slots);
	p = tlb_pool_meta(nslots, nareas);
	if (!p)
		return NULL;
	pg = tlb_block(order, limit);
	if (!pg) {
		ma_meta_free(p->meta);
		return NULL;
	}
	tlb_pool_init(p, pg, order, nslots, seg_slots, nareas);
	pg->owner = MA_OWNER_SWIOTLB;
	pg->priv = p;
	return p;
}

void ma_tlb_pool_free(struct ma_tlb_pool *p)
{
	ma_free_pages_owned(p->page, p->order, MA_OWNER_SWIOTLB);
	ma_meta_free(p->meta);
}

static unsigned int tlb_floor_order(size_t pages)
{
	unsigned int order = 0;

	while (order < MAX_PAGE_ORDER && ((size_t)2 << order) <= pages)
		order++;
	return order;
}

/* The static pool: the largest blocks that fit, appended in order. */
static int tlb_static_pools(void)
{
	size_t left = MA_ALIGN_UP(ma_cfg.swiotlb_size, (size_t)PAGE_SIZE) >> PAGE_SHIFT;

	while (left) {
		unsigned int order = tlb_floor_order(left);
		struct ma_tlb_pool *p = ma_tlb_pool_new(order, UINT64_MAX, 0);

		if (!p)
			return -ENOMEM;
		ma_tlb_charge((uint64_t)PAGE_SIZE << order);
		tlb_link(p, false);
		ma_tlb.npools++;
		ma_tlb.max_segment =
			MA_MAX(ma_tlb.max_segment, (size_t)p->seg_slots << ma_tlb.line_shift);
		ma_stat_add(MA_STAT_swiotlb_pools, 1);
		ma_stat_add(MA_STAT_swiotlb_slots_total, p->nslots);
		left -= (size_t)1 << order;
	}
	return 0;
}

int ma_swiotlb_init(void)
{
	static uint64_t epochs;
	int err;

	memset(&ma_tlb, 0, sizeof(ma_tlb));
	ma_spin_init(&ma_tlb.lock);
	ma_tlb.epoch = ++epochs;
	ma_tlb.line_shift = (unsigned int)__builtin_ctz(ma_cfg.cache_line);
	ma_tlb_mag_init();
	err = tlb_static_pools();
	if (!err)
		err = ma_tlb_dyn_init();
	if (err)
		ma_swiotlb_exit();
	return err;
}

void ma_swiotlb_exit(void)
{
	uint64_t live = ma_swiotlb_active() ? ma_stat_get(MA_STAT_swiotlb_slots_used) : 0;
	struct ma_tlb_pool *p, *next;

	ma_tlb_dyn_exit();
	if (live)
		ma_report("swiotlb", NULL, atomic_load(&ma_tlb.lo),
			  (size_t)(atomic_load(&ma_tlb.hi) - atomic_load(&ma_tlb.lo)),
			  "exit: %llu bounce slots still mapped", (unsigned long long)live);
	ma_tlb_transient_exit();
	for (p = ma_tlb_first(); p; p = next) {
		next = ma_tlb_next(p);
		ma_stat_add(MA_STAT_swiotlb_pools, -1);
		ma_stat_add(MA_STAT_swiotlb_slots_total, -(int64_t)p->nslots);
		ma_tlb_uncharge((uint64_t)(p->end - p->start));
		ma_tlb_pool_free(p);
	}
	atomic_store(&ma_tlb.head, NULL);
	atomic_store(&ma_tlb.lo, 0);
	atomic_store(&ma_tlb.hi, 0);
	ma_tlb.npools = 0;
	ma_tlb.epoch = 0; /* every per-thread cache is stale now */
}

static void tlb_areas_atfork(bool lock)
{
	for (struct ma_tlb_pool *p = ma_tlb_first(); p; p = ma_tlb_next(p))
		for (unsigned int a = 0; a < p->nareas; a++) {
			if (lock)
				ma_spin_lock(&p->areas[a].lock);
			else
				ma_spin_unlock(&p->areas[a].lock);
		}
}

void ma_swiotlb_atfork(enum ma_fork_phase phase)
{
	switch (phase) {
	case MA_FORK_PREPARE:
		ma_tlb_dyn_atfork_prepare();
		ma_spin_lock(&ma_tlb.lock);
		tlb_areas_atfork(true);
		break;
	case MA_FORK_PARENT:
	case MA_FORK_CHILD:
		tlb_areas_atfork(false);
		ma_spin_unlock(&ma_tlb.lock);
		if (phase == MA_FORK_PARENT)
			ma_tlb_dyn_atfork_parent();
		else
			ma_tlb_dyn_atfork_child();
		break;
	}
}
