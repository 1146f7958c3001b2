/* SPDX-License-Identifier: MIT */
/*
 * slab_fault - every page and metadata allocation failure point of kmalloc, kmem_cache_alloc,
 * kmem_cache_create and minalign_slab_foreach, walked the SQLite way: fail the 1st
 * allocation, then the 2nd, ... until the call succeeds.  Each failure returns NULL (or an
 * error) cleanly and leaks nothing; the allocator stays consistent.  Run with and without slab
 * debug, through the thread cache and through shared (locked) caches.
 */
#include "test_util.h"

#include <stdio.h>
#include <string.h>

#include "slab/slab.h"
#include "walk.h" /* fw_start, fw_teardown */

#define FAULTS (MINALIGN_FAULT_PAGE | MINALIGN_FAULT_META)

typedef void *(*alloc_fn)(void *arg);

/*
 * Walk the failure points of @fn from an empty allocator state; returns how many failed
 * attempts there were before success (the caller checks it reached every point it expects).
 */
static unsigned long walk(alloc_fn fn, void *arg, void (*release)(void *obj, void *arg))
{
	unsigned long n;

	for (n = 1; n < 100; n++) {
		struct tu_snapshot snap;
		void *obj;

		minalign_slab_shrink();
		tu_snapshot(&snap);
		minalign_fault_set(n, FAULTS);
		obj = fn(arg);
		minalign_fault_set(0, 0);
		if (obj) {
			memset(obj, 0x11, 8);
			release(obj, arg);
			tu_expect_no_report();
			assert_int_equal(ma_slab_validate(), 0);
			return n - 1;
		}
		minalign_slab_shrink();
		tu_assert_no_leak(&snap);
		tu_expect_no_report();
		assert_int_equal(ma_slab_validate(), 0);
	}
	fail_msg("allocation never succeeded");
	return 0;
}

static void *do_kmalloc(void *arg)
{
	return kmalloc(*(size_t *)arg, GFP_KERNEL);
}

static void *do_kmalloc_dma(void *arg)
{
	return kmalloc(*(size_t *)arg, GFP_DMA | __GFP_ZERO);
}

static void rel_kfree(void *obj, void *arg)
{
	(void)arg;
	kfree(obj);
}

static void kmalloc_points(void)
{
	size_t sizes[] = {8, 96, 700, 8192, 8193, 300000};
	unsigned int i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		/* a slab (descriptor + pages) or a large block (pages): at least one point */
		assert_true(walk(do_kmalloc, &sizes[i], rel_kfree) >= 1);
		assert_true(walk(do_kmalloc_dma, &sizes[i], rel_kfree) >= 1);
	}
}

static void test_kmalloc(void **state)
{
	(void)state;
	fw_start(false);
	kmalloc_points();
}

static void test_kmalloc_debug(void **state)
{
	(void)state;
	fw_start(true);
	kmalloc_points();
}

static void ctor(void *p)
{
	memset(p, 0x22, 16);
}

static void *do_cache_alloc(void *arg)
{
	return kmem_cache_alloc(arg, GFP_KERNEL);
}

static void rel_cache(void *obj, void *arg)
{
	kmem_cache_free(arg, obj);
}

static void cache_points(void)
{
	struct kmem_cache *c[3];
	unsigned int i;

	c[0] = kmem_cache_create("fault-plain", 40, 0, 0, NULL);
	c[1] = kmem_cache_create("fault-ctor", 100, 64, 0, ctor);
	c[2] = kmem_cache_create("fault-big", 20000, 0, SLAB_HWCACHE_ALIGN, NULL);
	for (i = 0; i < 3; i++) {
		assert_non_null(c[i]);
		assert_true(walk(do_cache_alloc, c[i], rel_cache) >= 1);
	}
	for (i = 0; i < 3; i++)
		kmem_cache_destroy(c[i]);
}

static void test_cache_alloc(void **state)
{
	(void)state;
	fw_start(false);
	cache_points();
}

static void test_cache_alloc_debug(void **state)
{
	(void)state;
	fw_start(true);
	cache_points();
}

/* Caches beyond the thread-cache entries allocate in shared mode: walk that path too. */
static void test_shared_mode(void **state)
{
	struct kmem_cache *c[100];
	char name[16];
	int i;

	(void)state;
	fw_start(false);
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		c[i] = kmem_cache_create(name, 32, 0, 0, NULL);
	}
	assert_true(walk(do_cache_alloc, c[99], rel_cache) >= 1);
	for (i = 0; i < 100; i++)
		kmem_cache_destroy(c[i]);
}

static void test_cache_create(void **state)
{
	struct tu_snapshot snap;
	struct kmem_cache *c;
	unsigned long n;

	(void)state;
	fw_start(false);
	for (n = 1;; n++) {
		tu_snapshot(&snap);
		minalign_fault_set(n, FAULTS);
		c = kmem_cache_create("created", 64, 0, 0, NULL);
		minalign_fault_set(0, 0);
		if (c)
			break;
		tu_assert_no_leak(&snap);
	}
	assert_true(n > 1);
	kmem_cache_destroy(c);
	tu_assert_no_leak(&snap);
	tu_expect_no_report();
}

static int count_cb(const struct minalign_slabinfo *info, void *arg)
{
	(void)info;
	++*(int *)arg;
	return 0;
}

static void test_foreach(void **state)
{
	struct tu_snapshot snap;
	int count = 0;

	(void)state;
	fw_start(false);
	tu_snapshot(&snap);
	minalign_fault_set(1, FAULTS);
	assert_int_equal(minalign_slab_foreach(count_cb, &count), -ENOMEM);
	minalign_fault_set(0, 0);
	assert_int_equal(count, 0);
	tu_assert_no_leak(&snap);
	assert_int_equal(minalign_slab_foreach(count_cb, &count), 0);
	assert_true(count > 10);
}

/* minalign_init fails cleanly at every metadata/page allocation the slab module makes. */
static void test_init(void **state)
{
	struct minalign_config cfg;
	unsigned long n;
	int err;

	(void)state;
	tu_config_small(&cfg);
	for (n = 1; n < 1000; n++) {
		minalign_fault_set(n, FAULTS);
		err = minalign_init(&cfg);
		minalign_fault_set(0, 0);
		if (!err)
			break;
		assert_false(minalign_initialized());
	}
	assert_int_equal(err, 0);
	assert_true(n > 1);
	kfree(kmalloc(8, GFP_KERNEL));
	assert_int_equal(ma_slab_validate(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_kmalloc, fw_teardown),
		cmocka_unit_test_teardown(test_kmalloc_debug, fw_teardown),
		cmocka_unit_test_teardown(test_cache_alloc, fw_teardown),
		cmocka_unit_test_teardown(test_cache_alloc_debug, fw_teardown),
		cmocka_unit_test_teardown(test_shared_mode, fw_teardown),
		cmocka_unit_test_teardown(test_cache_create, fw_teardown),
		cmocka_unit_test_teardown(test_foreach, fw_teardown),
		cmocka_unit_test_teardown(test_init, fw_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
