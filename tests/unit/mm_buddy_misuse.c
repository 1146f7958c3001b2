/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/mm_buddy_misuse.c - freeing misuse: double free, foreign pages, bogus pointers
 * and wrong orders each make exactly one report and change nothing.
 */
#include "test_util.h"

#include <string.h>

#include "mm/mm.h"

static uint64_t free0;

static int setup(void **state)
{
	struct minalign_config cfg;

	(void)state;
	tu_config_small(&cfg);
	cfg.swiotlb_size = 0;
	tu_init(&cfg);
	tu_reports_capture();
	free0 = ma_buddy_free_pages();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_expect_no_report();
	assert_int_equal(ma_buddy_free_pages(), free0);
	assert_int_equal(ma_buddy_validate(), 0);
	tu_reports_release();
	minalign_exit();
	return 0;
}

/* The allocator is exactly as before the misuse: same free count, consistent. */
static void assert_unchanged(uint64_t expect_free)
{
	assert_int_equal(ma_buddy_free_pages(), expect_free);
	assert_int_equal(ma_buddy_validate(), 0);
	tu_expect_no_report();
}

static void test_double_free(void **state)
{
	struct page *a, *b;
	struct minalign_stats st0, st1;
	unsigned int o;

	(void)state;
	minalign_get_stats(&st0);
	for (o = 0; o <= MAX_PAGE_ORDER; o += 3) {
		a = alloc_pages(GFP_KERNEL, o);
		assert_non_null(a);
		__free_pages(a, o);
		assert_unchanged(free0);
		__free_pages(a, o);
		tu_expect_report("mm", "double free");
		assert_unchanged(free0);
	}

	/* a double free must not hand the block out twice */
	a = alloc_pages(GFP_KERNEL, 0);
	__free_pages(a, 0);
	__free_pages(a, 0);
	tu_expect_report("mm", "double free");
	a = alloc_pages(GFP_KERNEL, 0);
	b = alloc_pages(GFP_KERNEL, 0);
	assert_ptr_not_equal(a, b);
	__free_pages(a, 0);
	__free_pages(b, 0);

	/* by address */
	{
		unsigned long addr = __get_free_pages(GFP_KERNEL, 2);

		assert_true(addr != 0);
		free_pages(addr, 2);
		free_pages(addr, 2);
		tu_expect_report("mm", "double free");
	}
	assert_unchanged(free0);
	minalign_get_stats(&st1);
	assert_int_equal(st1.reports - st0.reports, 4 + 1 + 1);
}

static void test_tail_page(void **state)
{
	struct page *a;
	unsigned int i;

	(void)state;
	a = alloc_pages(GFP_KERNEL, 3);
	assert_non_null(a);
	for (i = 1; i < 8; i++) {
		__free_pages(pfn_to_page(page_to_pfn(a) + i), 0);
		tu_expect_report("mm", "inside an allocated block");
		assert_int_equal(a[i].state, MA_PAGE_TAIL);
		assert_int_equal(a[i].head, ma_page_idx(a));
		assert_unchanged(free0 - 8);
	}
	free_pages((unsigned long)(uintptr_t)page_address(a) + PAGE_SIZE, 0);
	tu_expect_report("mm", "inside an allocated block");
	assert_unchanged(free0 - 8);
	assert_int_equal(a->state, MA_PAGE_HEAD);
	__free_pages(a, 3);
	assert_unchanged(free0);

	/* a former tail of a freed block */
	__free_pages(pfn_to_page(page_to_pfn(a) + 1), 0);
	tu_expect_report("mm", "already free");
	assert_unchanged(free0);
}

static void test_never_allocated(void **state)
{
	struct page *pg = NULL;
	uint32_t i;

	(void)state;
	/* a page inside a free block that nobody has touched since init */
	for (i = ma_mem.nr_pages; i-- > 0;) {
		if (ma_mem.pages[i].state == MA_PAGE_RESERVED) {
			pg = &ma_mem.pages[i];
			break;
		}
	}
	assert_non_null(pg);
	__free_pages(pg, 0);
	tu_expect_report("mm", "never handed out");
	assert_int_equal(pg->state, MA_PAGE_RESERVED);
	assert_unchanged(free0);

	/* the head of a free block (carving is lazy: make sure one exists) */
	__free_pages(alloc_pages(GFP_KERNEL, 0), 0);
	for (i = 0; i < ma_mem.nr_pages; i++) {
		if (ma_mem.pages[i].state == MA_PAGE_FREE)
			break;
	}
	assert_true(i < ma_mem.nr_pages);
	__free_pages(&ma_mem.pages[i], ma_mem.pages[i].order);
	tu_expect_report("mm", "already free");
	assert_unchanged(free0);
}

static void test_bogus_pointers(void **state)
{
	struct page fake;
	unsigned long stack_addr = (unsigned long)(uintptr_t)&fake;
	struct page *a = alloc_pages(GFP_KERNEL, 0);

	(void)state;
	memset(&fake, 0, sizeof(fake));
	fake.state = MA_PAGE_HEAD;
	__free_pages(&fake, 0);
	tu_expect_report("mm", "not a page of RAM");
	__free_pages((struct page *)((char *)a + 1), 0);
	tu_expect_report("mm", "not a page of RAM");
	__free_pages(&ma_mem.pages[ma_mem.nr_pages], 0);
	tu_expect_report("mm", "not a page of RAM");
	__free_pages(ma_mem.pages - 1, 0);
	tu_expect_report("mm", "not a page of RAM");
	free_pages(stack_addr, 0);
	tu_expect_report("mm", "not in RAM");
	free_pages((unsigned long)(uintptr_t)ma_mem.cpu + ma_mem.size, 0);
	tu_expect_report("mm", "not in RAM");
	free_pages((unsigned long)(uintptr_t)page_address(a) + 8, 0);
	tu_expect_report("mm", "not page-aligned");
	assert_int_equal(a->state, MA_PAGE_HEAD);
	assert_unchanged(free0 - 1);
	__free_pages(a, 0);
	__free_pages(NULL, 3); /* ignored */
	free_pages(0, 3);
	assert_unchanged(free0);
}

static void test_wrong_order(void **state)
{
	struct page *a = alloc_pages(GFP_KERNEL, 2);

	(void)state;
	assert_non_null(a);
	__free_pages(a, 1);
	tu_expect_report("mm", "wrong order");
	assert_unchanged(free0 - 4);
	__free_pages(a, 3);
	tu_expect_report("mm", "wrong order");
	assert_unchanged(free0 - 4);
	__free_pages(a, 0);
	tu_expect_report("mm", "wrong order");
	__free_pages(a, 99);
	tu_expect_report("mm", "wrong order");
	free_pages((unsigned long)(uintptr_t)page_address(a), 1);
	tu_expect_report("mm", "wrong order");
	assert_int_equal(a->state, MA_PAGE_HEAD);
	assert_int_equal(a->order, 2);
	assert_unchanged(free0 - 4);
	__free_pages(a, 2);
	assert_unchanged(free0);
}

/* Reports carry the physical address and size of the block. */
static void test_report_fields(void **state)
{
	struct page *a = alloc_pages(GFP_KERNEL, 1);
	const struct tu_report *r;

	(void)state;
	__free_pages(a, 1);
	__free_pages(a, 1);
	assert_int_equal(tu_reports_count(), 1);
	r = tu_report_get(0);
	assert_string_equal(r->subsystem, "mm");
	assert_string_equal(r->device, "-");
	assert_int_equal(r->addr, page_to_phys(a));
	assert_int_equal(r->size, 2 * PAGE_SIZE);
	tu_reports_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_double_free, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tail_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_allocated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bogus_pointers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_fields, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
