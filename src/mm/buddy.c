/* SPDX-License-Identifier: MIT */
/*
 * mm/buddy.c - the buddy page allocator: blocks of 2^0..2^MAX_PAGE_ORDER pages.
 *
 * Owns: the per-order free lists, the free-page count, and the allocator fields of struct page
 * (next, prev, order, state; head/owner/priv/flags are reset here when a block changes hands).
 *
 * Geometry: blocks are naturally aligned in physical frame-number space, not relative to
 * ram_base: a block of order o starts at a pfn that is a multiple of 2^o, and the buddy of the
 * block at pfn p is the block at p ^ 2^o.  At init [ram_base, ram_base + ram_size) is carved
 * into the largest aligned blocks that fit, so an unaligned ram_base (only page alignment is
 * guaranteed) yields small blocks at the edges and 4 MiB blocks in between.  Together with the
 * placement of the CPU view (arena.c), a block is also naturally aligned as a CPU pointer.
 *
 * Lazy carving: init carves nothing (it writes no struct page, so a 64 GiB machine costs no
 * resident memory until used).  RAM in [carve_lo, carve_hi) is free but on no list.  An
 * allocation that finds no block on the lists carves one more block: from the top of RAM down
 * for an unrestricted allocation (so low memory stays for GFP_DMA and device masks, as eager
 * carving's list order gave), from the bottom up for a restricted one that found nothing below
 * its limit.  The free count includes the uncarved pages.  Carving from either end yields the
 * same blocks as carving all at once (the unique split of RAM into the largest aligned blocks,
 * capped at MAX_PAGE_ORDER), so no two free buddies are ever left unmerged, and a block never
 * merges with uncarved RAM (its pages read RESERVED).
 *
 * Returning memory to the host: when a free makes a max-order block (4 MiB) while another
 * max-order block is already free, the new one's CPU view is given back to the host
 * (ma_plat_discard(): MADV_DONTNEED), under the lock, so the process's resident size follows
 * what is allocated.  One free max-order block may stay resident (a load that frees and
 * allocates a large block in turn does not fault its pages in every time).  The DRAM view of
 * the sim model is left alone.
 *
 * Page states (enum ma_page_state):
 *  - FREE: head of a free block, on free list `order`; FREE_TAIL: inside a free block.
 *  - HEAD/TAIL: an allocated block; every page's `head` is the index of the block's head.
 *  - RESERVED (0): never handed out since init.  The page array is committed lazily, so init
 *    writes only the head page of each free block and the tails of untouched free blocks still
 *    read RESERVED; they become FREE_TAIL once a block holding them has been freed.
 *
 * Locking: one spinlock (buddy.lock) protects the free lists, the free count and the state of
 * every page not currently allocated; an allocated block's pages belong to its owner.  The lock
 * is a leaf: callers (slab, swiotlb, dma) may hold their own locks when calling in, and nothing
 * is called with it held except ma_stat_set().  Reports are delivered after it is dropped.
 *
 * Fast path: an unrestricted allocation finds the smallest non-empty order from a bitmap and
 * pops its list head, O(1) plus the split and the marking of the block's pages.  Slow paths:
 * ma_alloc_pages_below() with a limit under the end of RAM scans the lists; __free_pages()
 * coalesces with free buddies up to MAX_PAGE_ORDER.  __GFP_ZERO zeroes outside the lock.
 *
 * Failure policy: running out of memory is not misuse, so a failed allocation makes no report
 * (whatever __GFP_NOWARN says); it returns NULL and counts page_alloc_failures.  Freeing misuse
 * (double free, foreign page, wrong order) makes exactly one report and changes nothing.
 */
#include "mm/mm.h"

#include <stdarg.h>

#define MA_DMA_LIMIT ((phys_addr_t)1 << 32) /* __GFP_DMA/__GFP_DMA32: end at or below 4 GiB */

struct ma_buddy {
	ma_spinlock_t lock;
	unsigned int nonempty;			/* bit o set when free list o is non-empty */
	uint32_t free_head[MAX_PAGE_ORDER + 1]; /* page index or MA_PAGE_NONE */
	uint32_t nr_blocks[MAX_PAGE_ORDER + 1]; /* blocks on each list */
	uint64_t nr_free;			/* free pages */
	uint64_t base_pfn;			/* pfn of page index 0 */
	uint64_t carve_lo, carve_hi;		/* pfns [lo, hi) are not carved yet */
};

static struct ma_buddy buddy = {.lock = MA_SPINLOCK_INIT};

static inline uint64_t buddy_pfn(uint32_t idx)
{
	return buddy.base_pfn + idx;
}

static inline bool buddy_aligned(uint32_t idx, unsigned int order)
{
	return (buddy_pfn(idx) & ((UINT64_C(1) << order) - 1)) == 0;
}

static inline size_t order_bytes(unsigned int order)
{
	return order <= MAX_PAGE_ORDER ? PAGE_SIZE << order : 0;
}

/* ---- free lists (buddy.lock held) ------------------------------------------------------ */

static void buddy_list_add(uint32_t idx, unsigned int order)
{
	struct page *pg = &ma_mem.pages[idx];
	uint32_t first = buddy.free_head[order];

	pg->state = MA_PAGE_FREE;
	pg->order = (uint8_t)order;
	pg->prev = MA_PAGE_NONE;
	pg->next = first;
	if (first != MA_PAGE_NONE)
		ma_mem.pages[first].prev = idx;
	buddy.free_head[order] = idx;
	buddy.nr_blocks[order]++;
	buddy.nonempty |= 1u << order;
}

static void buddy_list_del(uint32_t idx, unsigned int order)
{
	struct page *pg = &ma_mem.pages[idx];

	if (pg->prev != MA_PAGE_NONE)
		ma_mem.pages[pg->prev].next = pg->next;
	else
		buddy.free_head[order] = pg->next;
	if (pg->next != MA_PAGE_NONE)
		ma_mem.pages[pg->next].prev = pg->prev;
	pg->next = pg->prev = MA_PAGE_NONE;
	if (--buddy.nr_blocks[order] == 0)
		buddy.nonempty &= ~(1u << order);
}

static void buddy_set_free(uint64_t delta_pages, bool add)
{
	if (add)
		buddy.nr_free += delta_pages;
	else
		buddy.nr_free -= delta_pages;
	ma_stat_set(MA_STAT_pages_free, buddy.nr_free);
}

/* ---- init / exit ------------------------------------------------------------------------ */

/* Pages not carved yet (free, on no list). */
static inline uint64_t buddy_uncarved(void)
{
	return buddy.carve_hi - buddy.carve_lo;
}

/* The largest order of an aligned block of pfns starting (@up) or ending at @pfn, within @n. */
static unsigned int buddy_carve_order(uint64_t pfn, uint64_t n)
{
	unsigned int order = MAX_PAGE_ORDER;

	if (pfn && (unsigned int)__builtin_ctzll(pfn) < order)
		order = (unsigned int)__builtin_ctzll(pfn);
	while ((UINT64_C(1) << order) > n)
		order--;
	return order;
}

/*
 * Carve one more block (see the header comment): from the top when @limit is beyond the end of
 * RAM, else from the bottom.  False when everything is carved, or when what is left starts at
 * or beyond @limit.  buddy.lock held.
 */
static bool buddy_carve_next(phys_addr_t limit)
{
	uint64_t lo = buddy.carve_lo, hi = buddy.carve_hi;
	unsigned int order;

	if (lo >= hi)
		return false;
	if (limit >= ma_mem.end) {
		order = buddy_carve_order(hi, hi - lo);
		buddy.carve_hi = hi - (UINT64_C(1) << order);
		buddy_list_add((uint32_t)(buddy.carve_hi - buddy.base_pfn), order);
		return true;
	}
	if (((phys_addr_t)lo << PAGE_SHIFT) >= limit)
		return false;
	order = buddy_carve_order(lo, hi - lo);
	buddy_list_add((uint32_t)(lo - buddy.base_pfn), order);
	buddy.carve_lo = lo + (UINT64_C(1) << order);
	return true;
}

/**
 * ma_buddy_init() - put all of RAM on the free lists (called by ma_mm_init()).
 *
 * Return: 0.
 */
int ma_buddy_init(void)
{
	unsigned int o;

	ma_spin_init(&buddy.lock);
	buddy.nonempty = 0;
	buddy.nr_free = 0;
	buddy.base_pfn = ma_mem.base >> PAGE_SHIFT;
	for (o = 0; o <= MAX_PAGE_ORDER; o++) {
		buddy.free_head[o] = MA_PAGE_NONE;
		buddy.nr_blocks[o] = 0;
	}
	buddy.carve_lo = buddy.base_pfn; /* nothing carved: see the header comment */
	buddy.carve_hi = buddy.base_pfn + ma_mem.nr_pages;
	buddy.nr_free = ma_mem.nr_pages;
	ma_stat_set(MA_STAT_pages_free, buddy.nr_free);
	return 0;
}

/** ma_buddy_exit() - forget the free lists (called by ma_mm_exit() before unmapping). */
void ma_buddy_exit(void)
{
	unsigned int o;

	buddy.nonempty = 0;
	buddy.nr_free = 0;
	buddy.carve_lo = buddy.carve_hi = buddy.base_pfn = 0;
	for (o = 0; o <= MAX_PAGE_ORDER; o++) {
		buddy.free_head[o] = MA_PAGE_NONE;
		buddy.nr_blocks[o] = 0;
	}
	ma_stat_set(MA_STAT_pages_free, 0);
}

/* ---- allocation ------------------------------------------------------------------------- */

/* Split the free block at @idx of order @high down to @low, freeing the upper halves. */
static void buddy_expand(uint32_t idx, unsigned int high, unsigned int low)
{
	while (high > low) {
		high--;
		buddy_list_add(idx + (UINT32_C(1) << high), high);
	}
}

/* First block on list @order whose low 2^@want pages end at or below @limit. */
static uint32_t buddy_find_below(unsigned int order, unsigned int want, phys_addr_t limit)
{
	uint32_t idx;

	for (idx = buddy.free_head[order]; idx != MA_PAGE_NONE; idx = ma_mem.pages[idx].next) {
		phys_addr_t start = ma_mem.base + ((phys_addr_t)idx << PAGE_SHIFT);

		if (start + order_bytes(want) <= limit)
			return idx;
	}
	return MA_PAGE_NONE;
}

/* buddy_take() on the carved blocks only. */
static uint32_t buddy_take_carved(unsigned int order, phys_addr_t limit)
{
	unsigned int o, avail = buddy.nonempty & ~((1u << order) - 1);
	uint32_t idx = MA_PAGE_NONE;

	if (!avail)
		return MA_PAGE_NONE;
	if (ma_likely(limit >= ma_mem.end)) {
		o = (unsigned int)__builtin_ctz(avail);
		idx = buddy.free_head[o];
	} else {
		if (limit < ma_mem.base + order_bytes(order))
			return MA_PAGE_NONE;
		for (o = order; o <= MAX_PAGE_ORDER; o++) {
			if (!(avail & (1u << o)))
				continue;
			idx = buddy_find_below(o, order, limit);
			if (idx != MA_PAGE_NONE)
				break;
		}
		if (idx == MA_PAGE_NONE)
			return MA_PAGE_NONE;
	}
	buddy_list_del(idx, o);
	buddy_expand(idx, o, order);
	return idx;
}

/*
 * Take a free block of @order ending at or below @limit off the lists, carving more RAM when
 * the lists have none (lazy carving); MA_PAGE_NONE if there is none.
 */
static uint32_t buddy_take(unsigned int order, phys_addr_t limit)
{
	uint32_t idx;

	while ((idx = buddy_take_carved(order, limit)) == MA_PAGE_NONE)
		if (!buddy_carve_next(limit))
			break;
	return idx;
}

/* Hand the block at @idx out: head/tail states, head index, owner and flags reset. */
static void buddy_mark_allocated(uint32_t idx, unsigned int order)
{
	struct page *pg = &ma_mem.pages[idx];
	uint32_t i, n = UINT32_C(1) << order;

	for (i = 0; i < n; i++) {
		pg[i].state = i ? MA_PAGE_TAIL : MA_PAGE_HEAD;
		pg[i].head = idx;
		pg[i].order = i ? 0 : (uint8_t)order;
		pg[i].next = pg[i].prev = MA_PAGE_NONE;
		pg[i].flags = 0;
		pg[i].owner = MA_OWNER_NONE;
		pg[i].priv = NULL;
	}
}

/**
 * ma_alloc_pages_below() - alloc_pages() restricted to blocks ending at or below a limit.
 * @gfp: GFP flags (__GFP_ZERO zeroes; __GFP_DMA/__GFP_DMA32 lower the limit to 4 GiB).
 * @order: 0..MAX_PAGE_ORDER.
 * @limit: physical address the block must end at or below; UINT64_MAX for any.
 *
 * Consults MINALIGN_FAULT_PAGE fault injection first.  Counts page_allocs or
 * page_alloc_failures (not before init).  Thread-safe.
 *
 * Return: the head page, or NULL without a report.
 */
struct page *ma_alloc_pages_below(gfp_t gfp, unsigned int order, phys_addr_t limit)
{
	uint32_t idx;

	if (ma_unlikely(!ma_mem.pages))
		return NULL;
	if (ma_unlikely(ma_fault_fail(MINALIGN_FAULT_PAGE)))
		goto fail;
	if (ma_unlikely(order > MAX_PAGE_ORDER))
		goto fail;
	if (gfp & (__GFP_DMA | __GFP_DMA32))
		limit = MA_MIN(limit, MA_DMA_LIMIT);

	ma_spin_lock(&buddy.lock);
	idx = buddy_take(order, limit);
	if (idx != MA_PAGE_NONE) {
		buddy_mark_allocated(idx, order);
		buddy_set_free(UINT64_C(1) << order, false);
	}
	ma_spin_unlock(&buddy.lock);
	if (idx == MA_PAGE_NONE)
		goto fail;

	if (gfp & __GFP_ZERO)
		memset(ma_mem.cpu + ((size_t)idx << PAGE_SHIFT), 0, PAGE_SIZE << order);
	ma_stat_add(MA_STAT_page_allocs, 1);
	return &ma_mem.pages[idx];

fail:
	ma_stat_add(MA_STAT_page_alloc_failures, 1);
	return NULL;
}

/**
 * alloc_pages() - allocate 2^@order physically contiguous, naturally aligned pages.
 * @gfp: GFP flags.
 * @order: 0..MAX_PAGE_ORDER.
 *
 * Return: the first page, or NULL (no report) when out of memory, @order is too large, the
 * library is not initialised or fault injection fails the call.
 */
struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	return ma_alloc_pages_below(gfp, order, UINT64_MAX);
}

/**
 * __get_free_pages() - alloc_pages() returning the CPU address.
 * @gfp: GFP flags.
 * @order: 0..MAX_PAGE_ORDER.
 *
 * Return: the CPU address of the block, or 0 on failure.
 */
unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *pg = alloc_pages(gfp, order);

	return pg ? (unsigned long)(uintptr_t)ma_page_to_virt(pg) : 0;
}

/**
 * get_zeroed_page() - one zeroed page.
 * @gfp: GFP flags (__GFP_ZERO is implied).
 *
 * Return: its CPU address, or 0 on failure.
 */
unsigned long get_zeroed_page(gfp_t gfp)
{
	return __get_free_pages(gfp | __GFP_ZERO, 0);
}

/* ---- freeing ---------------------------------------------------------------------------- */

static const char *const buddy_owner_free[MA_OWNER_NR] = {
	[MA_OWNER_NONE] = "__free_pages/free_pages",
	[MA_OWNER_SLAB] = "kfree/kmem_cache_free (a slab)",
	[MA_OWNER_KMALLOC_LARGE] = "kfree (kmalloc memory)",
	[MA_OWNER_SWIOTLB] = "nothing: the SWIOTLB bounce pool",
	[MA_OWNER_COHERENT] = "dma_free_coherent",
	[MA_OWNER_DMA_POOL] = "dma_pool_destroy (a dma_pool chunk)",
};

const char *ma_page_owner_name(unsigned int owner)
{
	return owner < MA_OWNER_NR ? buddy_owner_free[owner] : "an unknown owner";
}

/*
 * Why freeing (@idx, @order) as @owner would be misuse, or NULL when it is fine (buddy.lock
 * held).  The owner tag is written by the block's owner outside the lock, so a racing free of
 * someone else's block (itself misuse) may see the old tag; nothing is freed twice either way
 * because the state check is under the lock.
 */
static const char *buddy_free_misuse(uint32_t idx, unsigned int order, unsigned int owner,
				     unsigned int *held, unsigned int *held_owner)
{
	const struct page *pg = &ma_mem.pages[idx];

	*held = pg->order;
	*held_owner = owner;
	switch (pg->state) {
	case MA_PAGE_FREE:
	case MA_PAGE_FREE_TAIL:
		return "double free: the page is already free";
	case MA_PAGE_TAIL:
		return "page is inside an allocated block, not its first page";
	case MA_PAGE_HEAD:
		if (pg->owner != owner) {
			*held_owner = pg->owner;
			return "the block belongs to another allocator; it is freed by";
		}
		if (pg->order != order)
			return "wrong order";
		return NULL;
	default:
		return "page was never handed out by the page allocator";
	}
}

/* A max-order block became free (buddy.lock held): give its pages back if another is free. */
static void buddy_discard(uint32_t idx, unsigned int order)
{
	if (order < MAX_PAGE_ORDER || buddy.nr_blocks[MAX_PAGE_ORDER] < 2)
		return;
	(void)ma_plat_discard(ma_mem.cpu + ((size_t)idx << PAGE_SHIFT), order_bytes(order));
}

/* Put the allocated block (@idx, @order) back, merging with free buddies (buddy.lock held). */
static void buddy_free_block(uint32_t idx, unsigned int order)
{
	struct page *pg = &ma_mem.pages[idx];
	uint32_t i, n = UINT32_C(1) << order;

	for (i = 0; i < n; i++) {
		pg[i].state = MA_PAGE_FREE_TAIL;
		pg[i].flags = 0;
	}
	pg->owner = MA_OWNER_NONE;
	pg->priv = NULL;
	buddy_set_free(n, true);

	while (order < MAX_PAGE_ORDER) {
		uint64_t bpfn = buddy_pfn(idx) ^ (UINT64_C(1) << order);
		uint32_t bidx;
		struct page *b;

		if (bpfn < buddy.base_pfn || bpfn - buddy.base_pfn >= ma_mem.nr_pages)
			break;
		bidx = (uint32_t)(bpfn - buddy.base_pfn);
		b = &ma_mem.pages[bidx];
		if (b->state != MA_PAGE_FREE || b->order != order)
			break;
		buddy_list_del(bidx, order);
		b->state = MA_PAGE_FREE_TAIL;
		idx = MA_MIN(idx, bidx);
		order++;
	}
	buddy_list_add(idx, order);
	buddy_discard(idx, order);
}

/* Free (@page, @order) if it is an allocated block of @owner; else one report. */
static bool buddy_free_as(struct page *page, unsigned int order, unsigned int owner)
{
	unsigned int held, held_owner;
	const char *why;
	uint32_t idx;

	if (ma_unlikely(!ma_page_valid(page))) {
		ma_report("mm", NULL, 0, order_bytes(order), "__free_pages(%p, %u): %s",
			  (void *)page, order,
			  ma_mem.pages ? "not a page of RAM" : "minalign is not initialised");
		return false;
	}
	idx = ma_page_idx(page);

	ma_spin_lock(&buddy.lock);
	why = buddy_free_misuse(idx, order, owner, &held, &held_owner);
	if (ma_likely(!why))
		buddy_free_block(idx, order);
	ma_spin_unlock(&buddy.lock);

	if (ma_unlikely(why)) {
		bool foreign = held_owner != owner;

		ma_report("mm", NULL, ma_page_to_phys(page), order_bytes(order),
			  "__free_pages(pfn %#llx, order %u): %s%s%s (block order %u)",
			  (unsigned long long)buddy_pfn(idx), order, why, foreign ? " " : "",
			  foreign ? ma_page_owner_name(held_owner) : "", held);
	}
	return !why;
}

/**
 * __free_pages() - return a block from alloc_pages().
 * @page: first page of the block; NULL is ignored.
 * @order: the order it was allocated with.
 *
 * A double free, a free of a page never handed out (a tail page, a page of a free block, a
 * pointer that is not a page), a block that another allocator owns (a slab, kmalloc-large,
 * coherent, dma_pool or SWIOTLB block: free it through its own API), a wrong @order, or (DMA
 * debug) a block a live streaming mapping covers makes one report and changes nothing.
 */
void __free_pages(struct page *page, unsigned int order)
{
	if (!page)
		return;
	if (ma_page_valid(page) && order <= MAX_PAGE_ORDER &&
	    ma_page_idx(page) + (UINT64_C(1) << order) <= ma_mem.nr_pages &&
	    ma_free_watched(ma_page_to_virt(page), order_bytes(order), "__free_pages"))
		return; /* mapped for DMA: reported, refused */
	buddy_free_as(page, order, MA_OWNER_NONE);
}

bool ma_free_pages_owned(struct page *page, unsigned int order, unsigned int owner)
{
	return buddy_free_as(page, order, owner);
}

/**
 * free_pages() - free a block by its CPU address.
 * @addr: address __get_free_pages() returned; 0 is ignored.
 * @order: the order it was allocated with.
 *
 * An address outside RAM or not page-aligned is reported; the rest is as __free_pages().
 */
void free_pages(unsigned long addr, unsigned int order)
{
	const void *p = (const void *)(uintptr_t)addr;

	if (!addr)
		return;
	if (ma_unlikely(!ma_virt_in_ram(p, 1))) {
		ma_report("mm", NULL, addr, order_bytes(order), "free_pages(%#lx, %u): %s", addr,
			  order,
			  ma_mem.pages ? "address is not in RAM" : "minalign is not initialised");
		return;
	}
	if (ma_unlikely(addr & (PAGE_SIZE - 1))) {
		ma_report("mm", NULL, ma_virt_to_phys(p), order_bytes(order),
			  "free_pages(%#lx, %u): address is not page-aligned", addr, order);
		return;
	}
	__free_pages(ma_virt_to_page(p), order);
}

/* ---- helpers for other modules ---------------------------------------------------------- */

/**
 * ma_pages_set_uncached() - set or clear MA_PAGE_UNCACHED on every page of an allocated block.
 * @head: head page of the block (owned by the caller).
 * @order: its order.
 * @uncached: the new attribute.
 */
void ma_pages_set_uncached(struct page *head, unsigned int order, bool uncached)
{
	uint32_t i, n;

	MA_BUG_ON(!ma_page_valid(head) || order > MAX_PAGE_ORDER);
	n = UINT32_C(1) << order;
	MA_BUG_ON(ma_page_idx(head) + (uint64_t)n > ma_mem.nr_pages);
	for (i = 0; i < n; i++) {
		if (uncached)
			head[i].flags |= MA_PAGE_UNCACHED;
		else
			head[i].flags &= (uint8_t)~MA_PAGE_UNCACHED;
	}
}

/**
 * ma_buddy_atfork() - pthread_atfork step of the page allocator.
 * @phase: PREPARE takes buddy.lock; PARENT and CHILD release it.
 */
void ma_buddy_atfork(enum ma_fork_phase phase)
{
	if (phase == MA_FORK_PREPARE)
		ma_spin_lock(&buddy.lock);
	else
		ma_spin_unlock(&buddy.lock);
}

/** ma_buddy_free_pages() - the number of free pages now (exact); 0 before init. */
uint64_t ma_buddy_free_pages(void)
{
	uint64_t n;

	if (!ma_mem.pages)
		return 0;
	ma_spin_lock(&buddy.lock);
	n = buddy.nr_free;
	ma_spin_unlock(&buddy.lock);
	return n;
}

/* ---- validation ------------------------------------------------------------------------- */

struct buddy_err {
	bool set;
	phys_addr_t phys;
	size_t size;
	char msg[160];
};

static void __attribute__((format(printf, 4, 5)))
buddy_err(struct buddy_err *e, uint32_t idx, unsigned int order, const char *fmt, ...)
{
	va_list ap;

	if (e->set)
		return;
	e->set = true;
	e->phys = ma_mem.base + ((phys_addr_t)idx << PAGE_SHIFT);
	e->size = order_bytes(order);
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

/* Walk every free list; returns the pages found on them (buddy.lock held). */
static uint64_t buddy_check_lists(struct buddy_err *e, uint64_t *blocks)
{
	uint64_t pages = 0;
	unsigned int o;

	for (o = 0; o <= MAX_PAGE_ORDER && !e->set; o++) {
		uint32_t idx, prev = MA_PAGE_NONE, count = 0;

		for (idx = buddy.free_head[o]; idx != MA_PAGE_NONE && !e->set;
		     prev = idx, idx = ma_mem.pages[idx].next) {
			const struct page *pg = &ma_mem.pages[idx];

			if (idx >= ma_mem.nr_pages || ++count > ma_mem.nr_pages) {
				buddy_err(e, prev, o, "free list %u is corrupt", o);
				break;
			}
			if (pg->state != MA_PAGE_FREE || pg->order != o || pg->prev != prev)
				buddy_err(e, idx, o,
					  "bad entry on free list %u (state %u order %u)", o,
					  pg->state, pg->order);
			else if (!buddy_aligned(idx, o) ||
				 idx + (UINT64_C(1) << o) > ma_mem.nr_pages)
				buddy_err(e, idx, o, "misplaced block on free list %u", o);
		}
		if (!e->set && count != buddy.nr_blocks[o])
			buddy_err(e, 0, o, "free list %u holds %u blocks, counted %u", o, count,
				  buddy.nr_blocks[o]);
		if (!e->set && !count != !(buddy.nonempty & (1u << o)))
			buddy_err(e, 0, o, "non-empty bitmap is wrong for order %u", o);
		pages += (uint64_t)count << o;
		*blocks += count;
	}
	return pages;
}

/* Check the tail pages of the block at @idx against its head (buddy.lock held). */
static void buddy_check_tails(struct buddy_err *e, uint32_t idx, unsigned int order)
{
	const struct page *pg = &ma_mem.pages[idx];
	bool is_free = pg->state == MA_PAGE_FREE;
	uint32_t i, n = UINT32_C(1) << order;

	for (i = 1; i < n && !e->set; i++) {
		uint8_t st = pg[i].state;

		if (is_free && st != MA_PAGE_FREE_TAIL && st != MA_PAGE_RESERVED)
			buddy_err(e, idx + i, 0, "page %u inside free block has state %u", idx + i,
				  st);
		else if (!is_free && (st != MA_PAGE_TAIL || pg[i].head != idx))
			buddy_err(e, idx + i, 0, "tail page %u of block %u is inconsistent",
				  idx + i, idx);
	}
}

/* A free block whose buddy is free at the same order was not merged (buddy.lock held). */
static void buddy_check_merged(struct buddy_err *e, uint32_t idx, unsigned int order)
{
	uint64_t bpfn = buddy_pfn(idx) ^ (UINT64_C(1) << order);
	const struct page *b;

	if (order >= MAX_PAGE_ORDER || bpfn < buddy.base_pfn ||
	    bpfn - buddy.base_pfn >= ma_mem.nr_pages)
		return;
	b = &ma_mem.pages[bpfn - buddy.base_pfn];
	if (b->state == MA_PAGE_FREE && b->order == order)
		buddy_err(e, idx, order, "free buddies at order %u were not merged", order);
}

/* Walk the page array block by block; returns the free pages found (buddy.lock held). */
static uint64_t buddy_check_pages(struct buddy_err *e, uint64_t *blocks)
{
	uint64_t free = 0;
	uint32_t idx = 0;

	while (idx < ma_mem.nr_pages && !e->set) {
		const struct page *pg;
		unsigned int o;

		if (idx == buddy.carve_lo - buddy.base_pfn && buddy_uncarved()) { /* skip it */
			idx = (uint32_t)(buddy.carve_hi - buddy.base_pfn);
			continue;
		}
		pg = &ma_mem.pages[idx];
		o = pg->order;

		if (pg->state != MA_PAGE_FREE && pg->state != MA_PAGE_HEAD) {
			buddy_err(e, idx, 0, "page %u has state %u where a block starts", idx,
				  pg->state);
			break;
		}
		if (o > MAX_PAGE_ORDER || !buddy_aligned(idx, o) ||
		    idx + (UINT64_C(1) << o) > ma_mem.nr_pages) {
			buddy_err(e, idx, 0, "block at page %u has a bad order %u", idx, o);
			break;
		}
		if (pg->state == MA_PAGE_HEAD && pg->head != idx)
			buddy_err(e, idx, o, "head page %u points at %u", idx, pg->head);
		buddy_check_tails(e, idx, o);
		if (pg->state == MA_PAGE_FREE) {
			buddy_check_merged(e, idx, o);
			free += UINT64_C(1) << o;
			(*blocks)++;
		}
		idx += UINT32_C(1) << o;
	}
	return free;
}

/**
 * ma_buddy_validate() - check the free lists and every page's state.
 *
 * Expensive (walks the whole page array, committing it): for tests and debug builds.
 *
 * Return: 0 when consistent (or before init); -EUCLEAN with one report on the first
 * inconsistency found.
 */
int ma_buddy_validate(void)
{
	struct buddy_err e = {0};
	uint64_t list_pages, walk_pages, list_blocks = 0, walk_blocks = 0;

	if (!ma_mem.pages)
		return 0;
	ma_spin_lock(&buddy.lock);
	list_pages = buddy_check_lists(&e, &list_blocks) + buddy_uncarved();
	walk_pages = e.set ? 0 : buddy_check_pages(&e, &walk_blocks) + buddy_uncarved();
	if (!e.set && (list_pages != buddy.nr_free || walk_pages != buddy.nr_free ||
		       list_blocks != walk_blocks))
		buddy_err(&e, 0, 0,
			  "free pages: count %llu, on lists %llu, in page array %llu (blocks "
			  "%llu/%llu)",
			  (unsigned long long)buddy.nr_free, (unsigned long long)list_pages,
			  (unsigned long long)walk_pages, (unsigned long long)list_blocks,
			  (unsigned long long)walk_blocks);
	ma_spin_unlock(&buddy.lock);

	if (!e.set)
		return 0;
	ma_report("mm", NULL, e.phys, e.size, "buddy allocator inconsistent: %s", e.msg);
	return -EUCLEAN;
}
