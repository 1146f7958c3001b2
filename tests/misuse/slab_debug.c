/* SPDX-License-Identifier: MIT */
/*
 * slab_debug - every misuse class slab debugging catches: double free, free of a pointer that
 * is not an object start, free into the wrong cache, a write after free (caught at the next
 * allocation of the object), a red-zone overflow (caught at free).  Each produces exactly its
 * report; the allocator then keeps allocating correctly and validates clean.  Also: the
 * per-cache SLAB_RED_ZONE flag, ksize making the whole object usable, krealloc in debug mode,
 * the validator finding corruption, and the red zone hidden from the DMA slot query.
 */
#include "test_util.h"

#include <string.h>

#include "slab/slab.h"

static void start_debug(void)
{
	struct minalign_config cfg;

	tu_config_small(&cfg);
	cfg.debug |= MINALIGN_DEBUG_SLAB;
	cfg.policy = MINALIGN_POLICY_NAIVE;
	tu_init(&cfg);
	tu_reports_capture();
}

static int teardown(void **state)
{
	(void)state;
	tu_reports_release();
	minalign_exit();
	return 0;
}

/* After a misuse: the allocator still works and is consistent. */
static void keeps_working(void)
{
	void *p[64];
	int i;

	for (i = 0; i < 64; i++) {
		p[i] = kmalloc((size_t)i * 5 + 1, GFP_KERNEL);
		assert_non_null(p[i]);
		memset(p[i], i, (size_t)i * 5 + 1);
	}
	for (i = 0; i < 64; i++)
		kfree(p[i]);
	tu_expect_no_report();
	assert_int_equal(ma_slab_validate(), 0);
}

static void test_double_free(void **state)
{
	char *p, *q;

	(void)state;
	start_debug();
	p = kmalloc(40, GFP_KERNEL);
	q = kmalloc(40, GFP_KERNEL);
	kfree(p);
	kfree(q);
	kfree(p); /* not the last one freed: only debug sees it */
	tu_expect_report("slab", "double free");
	keeps_working();
}

static void test_not_object_start(void **state)
{
	char *p;

	(void)state;
	start_debug();
	p = kmalloc(100, GFP_KERNEL);
	kfree(p + 1);
	tu_expect_report("slab", "not the start of an object");
	kfree(p + 100); /* in the red zone */
	tu_expect_report("slab", "not the start of an object");
	kfree(p);
	keeps_working();
}

static void test_wrong_cache(void **state)
{
	struct kmem_cache *a, *b;
	void *p;

	(void)state;
	start_debug();
	a = kmem_cache_create("dbg-a", 48, 0, 0, NULL);
	b = kmem_cache_create("dbg-b", 48, 0, 0, NULL);
	p = kmem_cache_alloc(a, GFP_KERNEL);
	kmem_cache_free(b, p);
	tu_expect_report("slab", "belongs to cache dbg-a");
	kmem_cache_free(a, p);
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
	keeps_working();
}

static void test_use_after_free(void **state)
{
	char *p, *q;

	(void)state;
	start_debug();
	p = kmalloc(32, GFP_KERNEL);
	kfree(p);
	p[3] = 'x'; /* write after free */
	tu_expect_no_report();
	q = kmalloc(32, GFP_KERNEL);
	assert_ptr_equal(q, p); /* the most recently freed object comes back */
	tu_expect_report("slab", "use after free");
	memset(q, 0, 32);
	kfree(q);
	keeps_working();
}

static void test_red_zone(void **state)
{
	char *p;
	size_t n;

	(void)state;
	start_debug();
	p = kmalloc(20, GFP_KERNEL);
	p[20] = 1; /* one past the request, inside the 32-byte class */
	kfree(p);
	tu_expect_report("slab", "red zone overwritten");
	p = kmalloc(64, GFP_KERNEL);
	p[64 + 3] = 1; /* past the object, into the slot's red zone */
	kfree(p);
	tu_expect_report("slab", "red zone overwritten");
	/* ksize() hands the whole object to the caller: no report */
	p = kmalloc(20, GFP_KERNEL);
	n = ksize(p);
	assert_int_equal(n, 32);
	memset(p, 7, n);
	kfree(p);
	keeps_working();
}

static void test_krealloc_debug(void **state)
{
	char *p;
	int i;

	(void)state;
	start_debug();
	p = kmalloc(10, GFP_KERNEL);
	memset(p, 'a', 10);
	p = krealloc(p, 14, GFP_KERNEL); /* in place, red zone moves */
	memset(p + 10, 'b', 4);
	p = krealloc(p, 200, GFP_KERNEL);
	for (i = 0; i < 10; i++)
		assert_int_equal(p[i], 'a');
	for (i = 10; i < 14; i++)
		assert_int_equal(p[i], 'b');
	p = krealloc(p, 5, GFP_KERNEL);
	p[4] = 'c';
	kfree(p);
	keeps_working();
}

static void test_per_cache_flag(void **state)
{
	struct minalign_config cfg;
	struct kmem_cache *c;
	char *p;

	(void)state;
	tu_config_small(&cfg);
	tu_init(&cfg); /* no global slab debug */
	tu_reports_capture();
	c = kmem_cache_create("guarded", 24, 0, SLAB_RED_ZONE, NULL);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	p[24] = 0;
	kmem_cache_free(c, p);
	tu_expect_report("slab", "red zone overwritten");
	p = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_free(c, p);
	kmem_cache_free(c, p);
	tu_expect_report("slab", "double free");
	kmem_cache_destroy(c);
	keeps_working();
}

static void test_validate_finds_corruption(void **state)
{
	char *p;

	(void)state;
	start_debug();
	p = kmalloc(48, GFP_KERNEL);
	kfree(p);
	p[0] = 0; /* corrupt a free object */
	assert_int_equal(ma_slab_validate(), -EUCLEAN);
	tu_expect_report("slab", "validate");
	p[0] = 0x6b; /* restore the poison */
	assert_int_equal(ma_slab_validate(), 0);
	keeps_working();
}

static void test_slot_excludes_red_zone(void **state)
{
	struct ma_slab_slot slot;
	char *p;

	(void)state;
	start_debug();
	p = kmalloc(64, GFP_KERNEL);
	assert_true(ma_slab_slot(p + 63, &slot));
	assert_int_equal(slot.start, (uintptr_t)p);
	assert_int_equal(slot.end, (uintptr_t)p + 64);
	assert_false(ma_slab_slot(p + 64, &slot));
	kfree(p);
	keeps_working();
}

/* Without slab debug the cheap checks still see some misuse, once each. */
static void test_cheap_checks(void **state)
{
	struct minalign_config cfg;
	char *p;

	(void)state;
	tu_config_small(&cfg);
	cfg.policy = MINALIGN_POLICY_NAIVE;
	tu_init(&cfg);
	tu_reports_capture();
	p = kmalloc(128, GFP_KERNEL);
	kfree(p + 16);
	tu_expect_report("slab", "not the start");
	kfree(p);
	kfree(p);
	tu_expect_report("slab", "double free");
	keeps_working();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_double_free, teardown),
		cmocka_unit_test_teardown(test_not_object_start, teardown),
		cmocka_unit_test_teardown(test_wrong_cache, teardown),
		cmocka_unit_test_teardown(test_use_after_free, teardown),
		cmocka_unit_test_teardown(test_red_zone, teardown),
		cmocka_unit_test_teardown(test_krealloc_debug, teardown),
		cmocka_unit_test_teardown(test_per_cache_flag, teardown),
		cmocka_unit_test_teardown(test_validate_finds_corruption, teardown),
		cmocka_unit_test_teardown(test_slot_excludes_red_zone, teardown),
		cmocka_unit_test_teardown(test_cheap_checks, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
