/* SPDX-License-Identifier: MIT */
/*
 * swiotlb/pool.c - bounce pools: creation at init, lookup by address, teardown at exit.
 *
 * Owns ma_tlb (the pool list and the address envelope) and every pool's memory: a buddy block
 * of the simulated RAM (page owner MA_OWNER_SWIOTLB, priv = the pool) plus one metadata block
 * holding the descriptor, the areas, the bitmap and the slot records, laid out so that each
 * area's part of the bitmap and of the records starts on a host cache line of its own.
 *
 * The static pool of ma_cfg.swiotlb_size bytes (rounded up to pages) is built from the largest
 * buddy blocks that fit, at most one max-order block (4 MiB) each, below 4 GiB physical when
 * RAM reaches below 4 GiB (else wherever RAM is: devices whose mask cannot reach it fail their
 * bounces).  Each block is a pool of its own on the list.
 *
 * Invariants: ma_tlb.lo/span bound every pool on the list; a pool on the list is fully
 * initialised; pools never overlap.
 *
 * Locking: the list and the envelope are written only by init and exit, when no mapping runs,
 * so readers take no lock.  Issue 5 (dynamic pools) makes the list RCU-protected: a new pool is
 * published with rcu_assign_pointer after its envelope is widened, and readers walk it inside
 * an RCU read-side section.
 *
 * Fast path: ma_swiotlb_find() (swiotlb.h) rejects addresses outside the envelope with one
 * compare; inside it, the list is walked (one pool by default).
 */
#include "swiotlb/internal.h"

struct ma_tlb_global ma_tlb;

struct ma_tlb_pool *ma_swiotlb_find_slow(phys_addr_t phys)
{
	for (struct ma_tlb_pool *p = ma_tlb.head; p; p = p->next)
		if (phys >= p->start && phys < p->end)
			return p;
	return NULL;
}

bool ma_swiotlb_reachable(u64 limit)
{
	for (struct ma_tlb_pool *p = ma_tlb.head; p; p = p->next)
		if (p->end - 1 <= limit)
			return true;
	return false;
}

/* Areas: CPUs rounded up to a power of two, halved until each holds a whole segment. */
static unsigned int tlb_nareas(unsigned int nslots, unsigned int seg_slots)
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

/* Append @p to the list and widen the envelope. */
static void tlb_publish(struct ma_tlb_pool *p)
{
	struct ma_tlb_pool **pp = &ma_tlb.head;
	phys_addr_t lo = ma_tlb.span ? MA_MIN(ma_tlb.lo, p->start) : p->start;
	phys_addr_t hi = ma_tlb.span ? MA_MAX(ma_tlb.lo + ma_tlb.span, p->end) : p->end;
	size_t seg = (size_t)p->seg_slots << ma_tlb.line_shift;

	while (*pp)
		pp = &(*pp)->next;
	*pp = p;
	ma_tlb.lo = lo;
	ma_tlb.span = hi - lo;
	ma_tlb.npools++;
	ma_tlb.max_segment = MA_MAX(ma_tlb.max_segment, seg);
	ma_stat_add(MA_STAT_swiotlb_pools, 1);
	ma_stat_add(MA_STAT_swiotlb_slots_total, p->nslots);
	ma_stat_add(MA_STAT_swiotlb_bytes, (int64_t)(p->end - p->start));
	ma_stat_max(MA_STAT_swiotlb_bytes_peak, ma_stat_get(MA_STAT_swiotlb_bytes));
}

/* A block for a pool: below 4 GiB when RAM reaches there, else anywhere. */
static struct page *tlb_block(unsigned int order)
{
	struct page *pg = NULL;

	if (ma_mem.base < MA_TLB_LOW_LIMIT)
		pg = ma_alloc_pages_below(0, order, MA_TLB_LOW_LIMIT);
	if (!pg && ma_mem.end > MA_TLB_LOW_LIMIT)
		pg = ma_alloc_pages_below(0, order, UINT64_MAX);
	return pg;
}

static int tlb_pool_add(unsigned int order)
{
	unsigned int nslots = (unsigned int)((PAGE_SIZE << order) >> ma_tlb.line_shift);
	unsigned int seg_slots =
		MA_MIN(nslots, (unsigned int)(MA_TLB_SEGMENT >> ma_tlb.line_shift));
	unsigned int nareas = tlb_nareas(nslots, seg_slots);
	struct ma_tlb_pool *p;
	struct page *pg;

	p = tlb_pool_meta(nslots, nareas);
	if (!p)
		return -ENOMEM;
	pg = tlb_block(order);
	if (!pg) {
		ma_meta_free(p->meta);
		return -ENOMEM;
	}
	tlb_pool_init(p, pg, order, nslots, seg_slots, nareas);
	pg->owner = MA_OWNER_SWIOTLB;
	pg->priv = p;
	tlb_publish(p);
	return 0;
}

static unsigned int tlb_floor_order(size_t pages)
{
	unsigned int order = 0;

	while (order < MAX_PAGE_ORDER && ((size_t)2 << order) <= pages)
		order++;
	return order;
}

int ma_swiotlb_init(void)
{
	size_t left;
	int err;

	static uint64_t epochs;

	memset(&ma_tlb, 0, sizeof(ma_tlb));
	ma_tlb.epoch = ++epochs;
	ma_tlb.line_shift = (unsigned int)__builtin_ctz(ma_cfg.cache_line);
	ma_tlb_mag_init();
	left = MA_ALIGN_UP(ma_cfg.swiotlb_size, (size_t)PAGE_SIZE) >> PAGE_SHIFT;
	while (left) {
		unsigned int order = tlb_floor_order(left);

		err = tlb_pool_add(order);
		if (err) {
			ma_swiotlb_exit();
			return err;
		}
		left -= (size_t)1 << order;
	}
	return 0;
}

void ma_swiotlb_exit(void)
{
	uint64_t live = ma_tlb.head ? ma_stat_get(MA_STAT_swiotlb_slots_used) : 0;
	struct ma_tlb_pool *p, *next;

	if (live)
		ma_report("swiotlb", NULL, ma_tlb.lo, (size_t)ma_tlb.span,
			  "exit: %llu bounce slots still mapped", (unsigned long long)live);
	for (p = ma_tlb.head; p; p = next) {
		next = p->next;
		ma_stat_add(MA_STAT_swiotlb_pools, -1);
		ma_stat_add(MA_STAT_swiotlb_slots_total, -(int64_t)p->nslots);
		ma_stat_add(MA_STAT_swiotlb_bytes, -(int64_t)(p->end - p->start));
		p->page->owner = MA_OWNER_NONE;
		p->page->priv = NULL;
		__free_pages(p->page, p->order);
		ma_meta_free(p->meta);
	}
	ma_tlb.head = NULL;
	ma_tlb.span = 0;
	ma_tlb.npools = 0;
	ma_tlb.epoch = 0; /* every per-thread cache is stale now */
}
