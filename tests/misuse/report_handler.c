/* SPDX-License-Identifier: MIT */
/*
 * report_handler - a report handler may call any API (issue 12, class 7): reports are delivered
 * with no library lock held, from every subsystem (those made under a lock wait until the
 * thread's last lock is dropped).  The handler here allocates from the very cache that reported,
 * maps and unmaps a buffer on a device, frees, and destroys a kmem_cache; the misuse comes from
 * slab debug (reported under the cache lock: this deadlocked before), the slab without debug,
 * the page allocator, DMA debug and dma_pool.  Each case expects exactly its report and the
 * handler's work done once, then a correct DMA cycle, exit and a fresh init.
 */
#include "../unit/dma_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct device *hdev;
static unsigned int calls;
static char last_sub[32], last_msg[256];

/* The handler: allocate, map, unmap, free, create and destroy a cache. */
static void busy_handler(const struct minalign_report *r, void *arg)
{
	struct kmem_cache *c;
	unsigned char *p, *q;
	dma_addr_t a;

	(void)arg;
	calls++;
	if (getenv("RH_DEBUG"))
		fprintf(stderr, "report: %s: %s\n", r->subsystem, r->message);
	snprintf(last_sub, sizeof(last_sub), "%s", r->subsystem);
	snprintf(last_msg, sizeof(last_msg), "%s", r->message);
	p = kmalloc(64, GFP_KERNEL); /* the cache that reported, in the slab cases */
	q = kmalloc(700, GFP_KERNEL);
	assert_non_null(p);
	assert_non_null(q);
	a = dma_map_single(hdev, q, 700, DMA_FROM_DEVICE);
	assert_false(dma_mapping_error(hdev, a));
	dma_unmap_single(hdev, a, 700, DMA_FROM_DEVICE);
	kfree(q);
	kfree(p);
	c = kmem_cache_create("in-handler", 24, 8, 0, NULL);
	assert_non_null(c);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(p);
	kmem_cache_free(c, p);
	kmem_cache_destroy(c);
}

static void start(unsigned int debug)
{
	struct minalign_config c;

	tu_config_small(&c);
	c.policy = MINALIGN_POLICY_BOUNCE;
	c.swiotlb_dynamic = false;
	c.debug = MINALIGN_DEBUG_DMA | debug;
	tu_init(&c);
	hdev = th_dev("handler-dev", false, 0, false);
	calls = 0;
	minalign_set_report_handler(busy_handler, NULL);
}

static void expect_one(const char *sub, const char *needle)
{
	assert_int_equal(calls, 1);
	assert_string_equal(last_sub, sub);
	assert_non_null(strstr(last_msg, needle));
	calls = 0;
}

static void finish(void)
{
	unsigned char *p = kmalloc(200, GFP_KERNEL);
	dma_addr_t a;

	minalign_set_report_handler(NULL, NULL);
	a = dma_map_single(hdev, p, 200, DMA_FROM_DEVICE);
	assert_false(dma_mapping_error(hdev, a));
	th_dev_fill(hdev, a, 3, 200);
	dma_unmap_single(hdev, a, 200, DMA_FROM_DEVICE);
	assert_true(th_holds(p, 3, 200));
	kfree(p);
	minalign_device_destroy(hdev);
	minalign_exit();
	tu_init(NULL);
	minalign_exit();
}

/* Slab debug reports a double free under the cache lock. */
static void test_slab_debug_double_free(void **state)
{
	void *p;

	(void)state;
	start(MINALIGN_DEBUG_SLAB);
	p = kmalloc(64, GFP_KERNEL);
	kfree(p);
	kfree(p);
	expect_one("slab", "double free");
	finish();
}

/* Slab debug: the red zone, found at free under the lock. */
static void test_slab_debug_red_zone(void **state)
{
	unsigned char *p;

	(void)state;
	start(MINALIGN_DEBUG_SLAB);
	p = kmalloc(50, GFP_KERNEL);
	p[50] = 1;
	kfree(p);
	expect_one("slab", "red zone");
	finish();
}

static void test_slab_double_free(void **state)
{
	void *p, *q;

	(void)state;
	start(0);
	p = kmalloc(64, GFP_KERNEL);
	q = kmalloc(64, GFP_KERNEL);
	kfree(p);
	kfree(q);
	kfree(p);
	expect_one("slab", "double free");
	finish();
}

static void test_page_and_dma(void **state)
{
	unsigned char *p;
	dma_addr_t a, b;
	struct dma_pool *pool;
	void *blk;
	dma_addr_t h;

	(void)state;
	start(0);
	p = kmalloc(64, GFP_KERNEL);
	free_pages((unsigned long)p & ~(PAGE_SIZE - 1), 0);
	expect_one("mm", "slab");
	a = dma_map_single(hdev, p, 64, DMA_FROM_DEVICE);
	assert_false(dma_mapping_error(hdev, a));
	b = dma_map_single(hdev, p, 64, DMA_FROM_DEVICE);
	assert_true(dma_mapping_error(hdev, b));
	expect_one("dma", "EEXIST");
	dma_unmap_single(hdev, a + 8, 64, DMA_FROM_DEVICE);
	expect_one("dma", "not the start of a live mapping");
	dma_unmap_single(hdev, a, 64, DMA_FROM_DEVICE);
	kfree(p);
	pool = dma_pool_create("hp", hdev, 32, 32, 0);
	blk = dma_pool_alloc(pool, GFP_KERNEL, &h);
	dma_pool_free(pool, blk, h + 32);
	expect_one("dma", "handle differs");
	dma_pool_free(pool, blk, h);
	dma_pool_destroy(pool);
	assert_int_equal(calls, 0);
	finish();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slab_debug_double_free),
		cmocka_unit_test(test_slab_debug_red_zone),
		cmocka_unit_test(test_slab_double_free),
		cmocka_unit_test(test_page_and_dma),
	};

	return cmocka_run_group_tests_name("report handler", tests, NULL, NULL);
}
