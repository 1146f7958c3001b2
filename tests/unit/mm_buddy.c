/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/mm_buddy.c - the buddy allocator: split, coalesce, exhaustion, every order,
 * __GFP_ZERO, GFP_DMA below 4 GiB, unaligned ram_base, statistics and fault injection.
 *
 * Other modules may hold pages after minalign_init(), so every test measures against the free
 * count it starts from, and the exact-placement tests first fill RAM so that the only free
 * memory is a block the test chose.
 */
#include "test_util.h"

#include <stdlib.h>
#include <string.h>

#include "mm/mm.h"

#define SMALL_RAM ((size_t)64 << 20)

struct blk {
	struct page *pg;
	unsigned int order;
};

struct blks {
	struct blk *v;
	size_t n, cap;
};

static void blks_push(struct blks *b, struct page *pg, unsigned int order)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 256;
		b->v = realloc(b->v, b->cap * sizeof(*b->v));
		assert_non_null(b->v);
	}
	b->v[b->n++] = (struct blk){pg, order};
}

static void blks_free_all(struct blks *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		__free_pages(b->v[i].pg, b->v[i].order);
	free(b->v);
	memset(b, 0, sizeof(*b));
}

/* Allocate every free page, largest blocks first.  Returns the pages taken. */
static uint64_t fill_all(struct blks *b, gfp_t gfp)
{
	uint64_t pages = 0;
	int o;

	for (o = MAX_PAGE_ORDER; o >= 0; o--) {
		struct page *pg;

		while ((pg = alloc_pages(gfp, (unsigned int)o))) {
			blks_push(b, pg, (unsigned int)o);
			pages += 1u << o;
		}
	}
	return pages;
}

static uint64_t pfn_of(struct page *pg)
{
	return page_to_pfn(pg);
}

static void init_with(uint64_t base, size_t size)
{
	struct minalign_config cfg;

	tu_config_small(&cfg);
	cfg.swiotlb_size = 0;
	cfg.ram_base = base;
	cfg.ram_size = size;
	tu_init(&cfg);
	tu_reports_capture();
}

static int setup(void **state)
{
	(void)state;
	init_with(0x80000000ULL, SMALL_RAM);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	minalign_fault_set(0, 0);
	tu_expect_no_report();
	assert_int_equal(ma_buddy_validate(), 0);
	tu_reports_release();
	minalign_exit();
	return 0;
}

static void test_all_orders(void **state)
{
	uint64_t free0 = ma_buddy_free_pages();
	struct minalign_stats st0, st1;
	unsigned int o;

	(void)state;
	minalign_get_stats(&st0);
	for (o = 0; o <= MAX_PAGE_ORDER; o++) {
		struct page *pg = alloc_pages(GFP_KERNEL, o);
		unsigned char *p;
		size_t bytes = PAGE_SIZE << o, i;

		assert_non_null(pg);
		assert_int_equal(pfn_of(pg) % (1u << o), 0);
		assert_int_equal(page_to_phys(pg) % bytes, 0);
		p = page_address(pg);
		assert_int_equal((uintptr_t)p % bytes, 0);
		assert_int_equal(pg->state, MA_PAGE_HEAD);
		assert_int_equal(pg->order, o);
		assert_int_equal(pg->owner, MA_OWNER_NONE);
		assert_null(pg->priv);
		for (i = 1; i < (1u << o); i++) {
			assert_int_equal(pg[i].state, MA_PAGE_TAIL);
			assert_int_equal(pg[i].head, ma_page_idx(pg));
			assert_ptr_equal(virt_to_page(p + i * PAGE_SIZE), &pg[i]);
		}
		p[0] = 1;
		p[bytes - 1] = 2;
		assert_int_equal(ma_buddy_free_pages(), free0 - (1u << o));
		assert_int_equal(ma_buddy_validate(), 0);
		__free_pages(pg, o);
		assert_int_equal(ma_buddy_free_pages(), free0);
	}
	/* too large: NULL, counted, no report */
	assert_null(alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER + 1));
	assert_null(alloc_pages(GFP_KERNEL | __GFP_NOWARN, 40));
	assert_int_equal(__get_free_pages(GFP_KERNEL, MAX_PAGE_ORDER + 1), 0);
	minalign_get_stats(&st1);
	assert_int_equal(st1.page_allocs - st0.page_allocs, MAX_PAGE_ORDER + 1);
	assert_int_equal(st1.page_alloc_failures - st0.page_alloc_failures, 3);
	assert_int_equal(st1.pages_free, free0);
}

/*
 * Fill RAM, free one 4 MiB block B: now B is the only free memory, so the split is exact.
 * Allocating order 0 takes B's first page and leaves one free block of every order 0..9 at
 * B + 2^k; allocating each order then returns exactly those.  Freeing everything merges B back.
 */
static void test_split_coalesce_exact(void **state)
{
	struct blks all = {0};
	struct blk mine[MAX_PAGE_ORDER + 1];
	struct page *b, *pg;
	uint64_t free0 = ma_buddy_free_pages(), bpfn;
	size_t i;
	unsigned int o;

	(void)state;
	assert_int_equal(fill_all(&all, GFP_KERNEL), free0);
	assert_int_equal(ma_buddy_free_pages(), 0);
	assert_true(all.n > 0 && all.v[0].order == MAX_PAGE_ORDER);
	for (o = 0; o <= MAX_PAGE_ORDER; o++)
		assert_null(alloc_pages(GFP_KERNEL, o));

	b = all.v[0].pg;
	bpfn = pfn_of(b);
	all.v[0] = all.v[--all.n];
	__free_pages(b, MAX_PAGE_ORDER);
	assert_int_equal(ma_buddy_free_pages(), 1u << MAX_PAGE_ORDER);

	pg = alloc_pages(GFP_KERNEL, 0);
	assert_int_equal(pfn_of(pg), bpfn);
	mine[0] = (struct blk){pg, 0};
	assert_int_equal(ma_buddy_validate(), 0);
	for (o = 0; o < MAX_PAGE_ORDER; o++) {
		assert_int_equal(phys_to_page(page_to_phys(b) + (PAGE_SIZE << o))->state,
				 MA_PAGE_FREE);
		pg = alloc_pages(GFP_KERNEL, o);
		assert_non_null(pg);
		assert_int_equal(pfn_of(pg), bpfn + (1u << o));
		mine[o + 1] = (struct blk){pg, o};
	}
	assert_int_equal(ma_buddy_free_pages(), 0);
	assert_null(alloc_pages(GFP_KERNEL, 0));

	/* free in an interleaved order; every step stays consistent */
	for (i = 0; i <= MAX_PAGE_ORDER; i += 2)
		__free_pages(mine[i].pg, mine[i].order);
	assert_int_equal(ma_buddy_validate(), 0);
	for (i = 1; i <= MAX_PAGE_ORDER; i += 2)
		__free_pages(mine[i].pg, mine[i].order);
	assert_int_equal(ma_buddy_free_pages(), 1u << MAX_PAGE_ORDER);
	assert_int_equal(b->state, MA_PAGE_FREE);
	assert_int_equal(b->order, MAX_PAGE_ORDER);
	assert_int_equal(ma_buddy_validate(), 0);

	pg = alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER);
	assert_ptr_equal(pg, b);
	blks_push(&all, pg, MAX_PAGE_ORDER);
	blks_free_all(&all);
	assert_int_equal(ma_buddy_free_pages(), free0);
}

static uint64_t count_max_blocks(void)
{
	struct blks b = {0};
	struct page *pg;
	uint64_t n;

	while ((pg = alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER)))
		blks_push(&b, pg, MAX_PAGE_ORDER);
	n = b.n;
	blks_free_all(&b);
	return n;
}

/* Take every free page one at a time, free them in random order: everything merges back. */
static void test_exhaust_order0_coalesce(void **state)
{
	uint64_t free0 = ma_buddy_free_pages(), big0, seed = 42;
	struct blks all = {0};
	struct page *pg;
	size_t i;

	(void)state;
	big0 = count_max_blocks();
	assert_true(big0 >= 1);
	while ((pg = alloc_pages(GFP_KERNEL, 0)))
		blks_push(&all, pg, 0);
	assert_int_equal(all.n, free0);
	assert_int_equal(ma_buddy_free_pages(), 0);
	assert_null(alloc_pages(GFP_KERNEL, 0));
	assert_null(alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER));
	assert_int_equal(__get_free_pages(GFP_KERNEL, 0), 0);
	assert_int_equal(get_zeroed_page(GFP_KERNEL), 0);
	assert_int_equal(ma_buddy_validate(), 0);

	for (i = all.n; i > 1; i--) { /* shuffle */
		size_t j = tu_rand(&seed) % i;
		struct blk t = all.v[i - 1];

		all.v[i - 1] = all.v[j];
		all.v[j] = t;
	}
	blks_free_all(&all);
	assert_int_equal(ma_buddy_free_pages(), free0);
	assert_int_equal(ma_buddy_validate(), 0);
	assert_int_equal(count_max_blocks(), big0);
}

static bool all_zero(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Dirty the only free block, then __GFP_ZERO / get_zeroed_page must hand it back zeroed. */
static void test_gfp_zero(void **state)
{
	struct blks all = {0};
	struct page *b, *pg;
	unsigned long addr;
	unsigned char *p;

	(void)state;
	fill_all(&all, GFP_KERNEL);
	b = all.v[0].pg;
	all.v[0] = all.v[--all.n];
	p = page_address(b);
	memset(p, 0xa5, MA_MM_BLOCK);
	__free_pages(b, MAX_PAGE_ORDER);

	pg = alloc_pages(GFP_KERNEL | __GFP_ZERO, MAX_PAGE_ORDER);
	assert_ptr_equal(pg, b);
	assert_true(all_zero(p, MA_MM_BLOCK));
	memset(p, 0x5a, MA_MM_BLOCK);
	__free_pages(pg, MAX_PAGE_ORDER);

	addr = get_zeroed_page(GFP_KERNEL);
	assert_int_equal(addr, (uintptr_t)p);
	assert_true(all_zero(p, PAGE_SIZE));
	free_page(addr);

	/* without __GFP_ZERO the old contents stay (no hidden zeroing cost) */
	addr = __get_free_pages(GFP_KERNEL, 1);
	assert_int_equal(addr, (uintptr_t)p);
	assert_int_equal(p[0], 0); /* zeroed above */
	assert_int_equal(p[PAGE_SIZE], 0x5a);
	assert_int_equal(p[2 * PAGE_SIZE - 1], 0x5a);
	free_pages(addr, 1);

	blks_free_all(&all);
}

/* Every page below @limit is allocated (the DMA allocations exhausted that range). */
static void assert_all_allocated_below(phys_addr_t limit)
{
	phys_addr_t p;

	for (p = ma_mem.base; p < limit && p < ma_mem.end; p += PAGE_SIZE) {
		uint8_t st = phys_to_page(p)->state;

		assert_true(st == MA_PAGE_HEAD || st == MA_PAGE_TAIL);
	}
}

static void test_gfp_dma_straddle(void **state)
{
	const phys_addr_t four_g = (phys_addr_t)1 << 32;
	struct blks dma = {0};
	struct page *pg;
	uint64_t free0, n10 = 0;
	int o;

	(void)state;
	minalign_exit();
	init_with(0xF0000000ULL, (size_t)512 << 20);
	free0 = ma_buddy_free_pages();

	for (o = MAX_PAGE_ORDER; o >= 0; o--) {
		gfp_t gfp = (o & 1) ? GFP_DMA : GFP_DMA32 | GFP_KERNEL;

		while ((pg = alloc_pages(gfp, (unsigned int)o))) {
			assert_true(page_to_phys(pg) + (PAGE_SIZE << o) <= four_g);
			blks_push(&dma, pg, (unsigned int)o);
			n10 += o == MAX_PAGE_ORDER;
		}
	}
	assert_true(n10 >= 32 && n10 <= 64); /* 256 MiB below 4 GiB */
	assert_all_allocated_below(four_g);
	assert_null(alloc_pages(GFP_DMA, 0));

	/* unrestricted memory is still there, above 4 GiB */
	pg = alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER);
	assert_non_null(pg);
	assert_true(page_to_phys(pg) >= four_g);
	__free_pages(pg, MAX_PAGE_ORDER);
	assert_int_equal(ma_buddy_validate(), 0);

	blks_free_all(&dma);
	assert_int_equal(ma_buddy_free_pages(), free0);

	/* an arbitrary limit through the internal entry point */
	pg = ma_alloc_pages_below(0, 2, ma_mem.base + (64 << 10));
	assert_non_null(pg);
	assert_true(page_to_phys(pg) + (PAGE_SIZE << 2) <= ma_mem.base + (64 << 10));
	assert_null(ma_alloc_pages_below(0, 5, ma_mem.base + (64 << 10))); /* cannot fit */
	__free_pages(pg, 2);
	assert_int_equal(ma_buddy_free_pages(), free0);
}

static void test_gfp_dma_outside(void **state)
{
	struct page *pg;

	(void)state;
	/* RAM entirely below 4 GiB: the fast path serves GFP_DMA */
	pg = alloc_pages(GFP_DMA, MAX_PAGE_ORDER);
	assert_non_null(pg);
	__free_pages(pg, MAX_PAGE_ORDER);

	/* RAM entirely above 4 GiB: GFP_DMA fails, quietly */
	minalign_exit();
	init_with(0x100000000ULL, SMALL_RAM);
	assert_null(alloc_pages(GFP_DMA, 0));
	assert_null(alloc_pages(GFP_DMA32, 0));
	pg = alloc_pages(GFP_KERNEL, 0);
	assert_non_null(pg);
	__free_pages(pg, 0);
}

/* ram_base only page-aligned: blocks are still naturally aligned in phys and virt space. */
static void test_unaligned_base(void **state)
{
	struct blks all = {0};
	uint64_t free0;
	size_t i, n10 = 0;

	(void)state;
	minalign_exit();
	init_with(0x80001000ULL, SMALL_RAM + 5 * PAGE_SIZE);
	assert_int_equal(ma_buddy_validate(), 0);
	free0 = ma_buddy_free_pages();
	assert_int_equal(fill_all(&all, GFP_KERNEL), free0);
	for (i = 0; i < all.n; i++) {
		size_t bytes = PAGE_SIZE << all.v[i].order;

		assert_int_equal(page_to_phys(all.v[i].pg) % bytes, 0);
		assert_int_equal((uintptr_t)page_address(all.v[i].pg) % bytes, 0);
		n10 += all.v[i].order == MAX_PAGE_ORDER;
	}
	/* [0x80001000, 0x84006000) holds the 4 MiB blocks 0x80400000..0x83c00000: 15 */
	assert_true(n10 >= 13 && n10 <= 15);
	assert_int_equal(ma_buddy_validate(), 0);
	blks_free_all(&all);
	assert_int_equal(ma_buddy_free_pages(), free0);
	assert_int_equal(ma_buddy_validate(), 0);
}

static void test_fault_injection(void **state)
{
	struct minalign_stats st0, st1;
	uint64_t free0 = ma_buddy_free_pages();
	struct page *a, *b, *c, *d;

	(void)state;
	minalign_get_stats(&st0);
	minalign_fault_set(1, MINALIGN_FAULT_PAGE);
	assert_null(alloc_pages(GFP_KERNEL, 0));
	assert_int_equal(ma_buddy_free_pages(), free0);
	a = alloc_pages(GFP_KERNEL, 0);
	assert_non_null(a);
	assert_int_equal(minalign_fault_hits(), 1);
	__free_pages(a, 0);

	minalign_fault_set(3, MINALIGN_FAULT_PAGE);
	a = alloc_pages(GFP_KERNEL, 1);
	b = alloc_pages(GFP_KERNEL, 0);
	c = alloc_pages(GFP_KERNEL, 2);
	d = alloc_pages(GFP_KERNEL, 0);
	assert_non_null(a);
	assert_non_null(b);
	assert_null(c);
	assert_non_null(d);
	assert_int_equal(minalign_fault_hits(), 1);
	assert_int_equal(minalign_fault_count(), 4);
	__free_pages(a, 1);
	__free_pages(b, 0);
	__free_pages(d, 0);

	/* every entry point consults it; PERSIST keeps failing */
	minalign_fault_set(2, MINALIGN_FAULT_PAGE | MINALIGN_FAULT_PERSIST);
	a = alloc_pages(GFP_KERNEL, 0);
	assert_non_null(a);
	assert_int_equal(__get_free_pages(GFP_KERNEL, 0), 0);
	assert_int_equal(get_zeroed_page(GFP_KERNEL), 0);
	assert_null(ma_alloc_pages_below(GFP_KERNEL, 0, UINT64_MAX));
	assert_null(alloc_pages(GFP_DMA, 0));
	assert_int_equal(minalign_fault_hits(), 4);
	minalign_fault_set(0, 0);
	__free_pages(a, 0);

	/* META faults do not touch the page allocator */
	minalign_fault_set(1, MINALIGN_FAULT_META);
	a = alloc_pages(GFP_KERNEL, 0);
	assert_non_null(a);
	__free_pages(a, 0);
	minalign_fault_set(0, 0);

	minalign_get_stats(&st1);
	assert_int_equal(st1.page_alloc_failures - st0.page_alloc_failures, 1 + 1 + 4);
	assert_int_equal(st1.page_allocs - st0.page_allocs, 1 + 3 + 1 + 1);
	assert_int_equal(ma_buddy_free_pages(), free0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_all_orders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_coalesce_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exhaust_order0_coalesce, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gfp_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gfp_dma_straddle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gfp_dma_outside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unaligned_base, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_injection, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
