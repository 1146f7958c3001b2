/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/mm_arena.c - the RAM arena: init/exit, the views, the conversions at the edges
 * of RAM, and behaviour before init.
 */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/mman.h>

#include "mm/mm.h"

#define SMALL_RAM ((size_t)64 << 20)

static void cfg_small(struct minalign_config *cfg)
{
	tu_config_small(cfg);
	cfg->swiotlb_size = 0;
}

static int setup(void **state)
{
	struct minalign_config cfg;

	(void)state;
	cfg_small(&cfg);
	tu_init(&cfg);
	tu_reports_capture();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_reports_release();
	minalign_exit();
	return 0;
}

/* Number of host mappings of this process (a leak of a mapping shows here). */
static int count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	int c, n = 0;

	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static void test_not_initialised(void **state)
{
	int x = 0;
	struct page fake;

	(void)state;
	tu_reports_capture();
	assert_false(minalign_initialized());

	/* probes answer quietly */
	assert_null(phys_to_page(0x80000000));
	assert_null(pfn_to_page(0x80000));
	assert_null(page_address(&fake));
	assert_false(minalign_addr_in_ram(&x, 1));
	assert_null(alloc_pages(GFP_KERNEL, 0));
	assert_int_equal(__get_free_pages(GFP_KERNEL, 0), 0);
	assert_int_equal(get_zeroed_page(GFP_KERNEL), 0);
	assert_int_equal(ma_buddy_free_pages(), 0);
	assert_int_equal(ma_buddy_validate(), 0);
	__free_pages(NULL, 0);
	free_pages(0, 0);
	tu_expect_no_report();

	/* the reporting conversions report, once each */
	assert_true(virt_to_phys(&x) == MINALIGN_PHYS_INVALID);
	tu_expect_report("mm", "not initialised");
	assert_null(phys_to_virt(0x80000000));
	tu_expect_report("mm", "not initialised");
	assert_null(virt_to_page(&x));
	tu_expect_report("mm", "not initialised");
	assert_true(page_to_phys(&fake) == MINALIGN_PHYS_INVALID);
	tu_expect_report("mm", "not initialised");
	__free_pages(&fake, 0);
	tu_expect_report("mm", "not initialised");
	free_pages((unsigned long)(uintptr_t)&x, 0);
	tu_expect_report("mm", "not initialised");
	tu_reports_release();
}

static void test_get_order(void **state)
{
	(void)state;
	assert_int_equal(get_order(0), 0);
	assert_int_equal(get_order(1), 0);
	assert_int_equal(get_order(PAGE_SIZE), 0);
	assert_int_equal(get_order(PAGE_SIZE + 1), 1);
	assert_int_equal(get_order(2 * PAGE_SIZE), 1);
	assert_int_equal(get_order(2 * PAGE_SIZE + 1), 2);
	assert_int_equal(get_order(MA_MM_BLOCK), MAX_PAGE_ORDER);
	assert_int_equal(get_order(MA_MM_BLOCK + 1), MAX_PAGE_ORDER + 1);
	if (sizeof(size_t) == 8)
		assert_int_equal(get_order(SIZE_MAX), 64 - PAGE_SHIFT);
}

static void test_views(void **state)
{
	struct minalign_stats st;

	(void)state;
	assert_non_null(ma_mem.cpu);
	assert_non_null(ma_mem.dram); /* sim is the default model */
	assert_non_null(ma_mem.pages);
	assert_int_equal(ma_mem.base, 0x80000000ULL);
	assert_int_equal(ma_mem.size, SMALL_RAM);
	assert_int_equal(ma_mem.nr_pages, SMALL_RAM / PAGE_SIZE);
	/* CPU and DRAM views congruent to ram_base modulo the largest block */
	assert_int_equal(((uintptr_t)ma_mem.cpu - ma_mem.base) % MA_MM_BLOCK, 0);
	assert_int_equal(((uintptr_t)ma_mem.dram - ma_mem.base) % MA_MM_BLOCK, 0);

	minalign_get_stats(&st);
	assert_int_equal(st.ram_bytes, SMALL_RAM);
	assert_int_equal(st.pages_free, ma_buddy_free_pages());
	assert_true(st.pages_free <= SMALL_RAM / PAGE_SIZE);
	assert_int_equal(ma_buddy_validate(), 0);
	tu_expect_no_report();
}

static void test_edges(void **state)
{
	phys_addr_t first = ma_mem.base, last = ma_mem.end - 1;
	unsigned char *cfirst, *clast;
	struct page *pg;

	(void)state;
	cfirst = phys_to_virt(first);
	clast = phys_to_virt(last);
	assert_ptr_equal(cfirst, ma_mem.cpu);
	assert_ptr_equal(clast, ma_mem.cpu + SMALL_RAM - 1);
	assert_true(virt_to_phys(cfirst) == first);
	assert_true(virt_to_phys(clast) == last);
	*cfirst = 1; /* both are really mapped */
	*clast = 2;

	/* pages and pfns */
	pg = virt_to_page(cfirst);
	assert_ptr_equal(pg, &ma_mem.pages[0]);
	assert_ptr_equal(page_address(pg), cfirst);
	assert_true(page_to_phys(pg) == first);
	assert_int_equal(page_to_pfn(pg), first >> PAGE_SHIFT);
	assert_ptr_equal(pfn_to_page(first >> PAGE_SHIFT), pg);
	assert_ptr_equal(phys_to_page(first), pg);
	pg = virt_to_page(clast);
	assert_ptr_equal(pg, &ma_mem.pages[ma_mem.nr_pages - 1]);
	assert_ptr_equal(page_address(pg), clast - (PAGE_SIZE - 1));
	assert_true(page_to_phys(pg) == (last & ~(phys_addr_t)(PAGE_SIZE - 1)));
	assert_int_equal(page_to_pfn(pg), last >> PAGE_SHIFT);
	assert_ptr_equal(pfn_to_page(last >> PAGE_SHIFT), pg);
	assert_ptr_equal(phys_to_page(last), pg);

	assert_true(minalign_addr_in_ram(cfirst, SMALL_RAM));
	assert_true(minalign_addr_in_ram(clast, 1));
	assert_false(minalign_addr_in_ram(cfirst, SMALL_RAM + 1));
	assert_false(minalign_addr_in_ram(clast, 2));
	assert_false(minalign_addr_in_ram(cfirst - 1, 1));
	assert_false(minalign_addr_in_ram(clast + 1, 1));
	tu_expect_no_report();

	/* probes just outside: NULL, quietly */
	assert_null(phys_to_page(first - 1));
	assert_null(phys_to_page(last + 1));
	assert_null(pfn_to_page((first >> PAGE_SHIFT) - 1));
	assert_null(pfn_to_page((last >> PAGE_SHIFT) + 1));
	assert_null(page_address(&ma_mem.pages[ma_mem.nr_pages]));
	assert_null(page_address(ma_mem.pages - 1));
	assert_null(page_address((struct page *)((char *)ma_mem.pages + 1)));
	tu_expect_no_report();

	/* reporting conversions just outside: one report each */
	assert_null(phys_to_virt(first - 1));
	tu_expect_report("mm", "not in RAM");
	assert_null(phys_to_virt(last + 1));
	tu_expect_report("mm", "not in RAM");
	assert_true(virt_to_phys(cfirst - 1) == MINALIGN_PHYS_INVALID);
	tu_expect_report("mm", "not in RAM");
	assert_true(virt_to_phys(clast + 1) == MINALIGN_PHYS_INVALID);
	tu_expect_report("mm", "not in RAM");
	assert_null(virt_to_page(cfirst - 1));
	tu_expect_report("mm", "not in RAM");
	assert_null(virt_to_page(clast + 1));
	tu_expect_report("mm", "not in RAM");
	assert_true(page_to_phys(&ma_mem.pages[ma_mem.nr_pages]) == MINALIGN_PHYS_INVALID);
	tu_expect_report("mm", "not a page");
	assert_true(page_to_pfn(ma_mem.pages - 1) == (unsigned long)-1);
	tu_expect_report("mm", "not a page");
}

/* Natural alignment in physical space is natural alignment of the CPU pointer. */
static void test_alignment_congruent(void **state)
{
	phys_addr_t p;

	(void)state;
	for (p = ma_mem.base; p < ma_mem.end; p += MA_MM_BLOCK / 2) {
		uintptr_t v = (uintptr_t)phys_to_virt(p);

		assert_int_equal(v % MA_MM_BLOCK, p % MA_MM_BLOCK);
	}
	tu_expect_no_report();
}

/* True when no host mapping covers @addr any more. */
static bool unmapped(void *addr)
{
	unsigned char vec;

	return mincore((void *)((uintptr_t)addr & ~(uintptr_t)(PAGE_SIZE - 1)), PAGE_SIZE, &vec) ==
		       -1 &&
	       errno == ENOMEM;
}

static void one_cycle(enum minalign_cache_model model, uint64_t base, size_t size)
{
	void *cpu_map, *dram_map, *pages_map;
	struct minalign_config cfg;

	cfg_small(&cfg);
	cfg.cache_model = model;
	cfg.ram_base = base;
	cfg.ram_size = size;
	tu_init(&cfg);
	cpu_map = ma_mem.cpu_map;
	dram_map = ma_mem.dram_map;
	pages_map = ma_mem.pages;
	assert_int_equal(ma_mem.base, base);
	assert_int_equal(ma_mem.size, size);
	if (model == MINALIGN_CACHE_SIM)
		assert_non_null(ma_mem.dram);
	else
		assert_null(ma_mem.dram);
	assert_int_equal(((uintptr_t)ma_mem.cpu - base) % MA_MM_BLOCK, 0);
	memset(ma_mem.cpu + size - PAGE_SIZE, 0x5a, PAGE_SIZE);
	assert_int_equal(ma_buddy_validate(), 0);
	minalign_exit();
	assert_null(ma_mem.pages);
	assert_null(ma_mem.cpu);
	assert_null(ma_mem.dram);
	assert_null(alloc_pages(GFP_KERNEL, 0));
	/* Every host mapping of this cycle is gone. */
	assert_true(unmapped(cpu_map));
	assert_true(unmapped(pages_map));
	if (dram_map)
		assert_true(unmapped(dram_map));
}

static void test_repeat_init_exit(void **state)
{
	int i, before;

	(void)state;
	one_cycle(MINALIGN_CACHE_SIM, 0x80000000ULL, SMALL_RAM); /* warm up lazy allocations */
	before = count_maps();
	assert_true(before > 0);
	for (i = 0; i < 12; i++) {
		one_cycle(MINALIGN_CACHE_SIM, 0x80000000ULL, SMALL_RAM);
		one_cycle(MINALIGN_CACHE_COHERENT, 0x40001000ULL, SMALL_RAM + 3 * PAGE_SIZE);
		one_cycle(MINALIGN_CACHE_SIM, 0x100000000ULL, (size_t)8 << 20);
	}
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
	/* The sanitizer runtimes (and valgrind's allocator: MINALIGN_VALGRIND) map memory of their
	 * own as the host allocator is used, so the whole-process count is exact only without
	 * them; one_cycle() checks our own maps. */
	if (!getenv("MINALIGN_VALGRIND"))
		assert_int_equal(count_maps(), before);
#else
	(void)before;
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_initialised),
		cmocka_unit_test(test_get_order),
		cmocka_unit_test_setup_teardown(test_views, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alignment_congruent, setup, teardown),
		cmocka_unit_test(test_repeat_init_exit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
