/* SPDX-License-Identifier: MIT */
/*
 * handles - stale device handles (issue 12, classes 5 and 6): a device is looked up in the
 * registry of live devices before any byte of it is read, so destroying it twice, devm_*,
 * devres_* and coherent calls on a destroyed device, and a device kept across
 * minalign_exit() + minalign_init() are each one report and do nothing.  minalign_exit()
 * destroys the devices still alive: one report each, their release actions run, their managed
 * memory is freed (LeakSanitizer and the metadata count see nothing left).  Each case then runs
 * a correct DMA cycle, exits and starts fresh.
 */
#include "../unit/dma_helpers.h"

#include <errno.h>
#include <stdlib.h>

static int action_runs;

static void action(void *data)
{
	(void)data;
	action_runs++;
}

static void start(void)
{
	struct minalign_config c;

	tu_config_small(&c);
	c.policy = MINALIGN_POLICY_BOUNCE;
	c.swiotlb_dynamic = false;
	c.debug = MINALIGN_DEBUG_DMA;
	tu_init(&c);
	tu_reports_capture();
}

static void cycle(void)
{
	struct device *dev = th_dev("after", false, 0, false);
	unsigned char *p = kmalloc(200, GFP_KERNEL);
	dma_addr_t a;

	a = dma_map_single(dev, p, 200, DMA_FROM_DEVICE);
	assert_false(dma_mapping_error(dev, a));
	th_dev_fill(dev, a, 9, 200);
	dma_unmap_single(dev, a, 200, DMA_FROM_DEVICE);
	assert_true(th_holds(p, 9, 200));
	kfree(p);
	minalign_device_destroy(dev);
	tu_expect_no_report();
}

static void finish(void)
{
	cycle();
	tu_reports_release();
	minalign_exit();
	tu_init(NULL);
	minalign_exit();
}

static void test_destroyed_device(void **state)
{
	struct device *dev;
	dma_addr_t h;

	(void)state;
	start();
	dev = th_dev("gone", false, 0, false);
	minalign_device_destroy(dev);
	tu_expect_no_report();
	minalign_device_destroy(dev);
	tu_expect_report("device", "not an initialised device");
	assert_null(devm_kmalloc(dev, 64, GFP_KERNEL));
	tu_expect_report("device", "not a live device");
	assert_int_equal(devm_add_action(dev, action, NULL), -EINVAL);
	tu_expect_report("device", "not a live device");
	assert_null(dma_alloc_coherent(dev, PAGE_SIZE, &h, GFP_KERNEL));
	tu_expect_report("dma", "not a live device");
	assert_null(dma_pool_create("p", dev, 64, 8, 0));
	tu_expect_report("dma", "not a live device");
	finish();
}

static void test_exit_destroys_live_devices(void **state)
{
	struct device *a, *b;
	unsigned char *m, *x;
	dma_addr_t h, ma;
	void *c;

	(void)state;
	start();
	a = th_dev("left-a", false, 0, false);
	b = th_dev("left-b", false, 0, false);
	m = devm_kmalloc(a, 300, GFP_KERNEL);
	assert_non_null(m);
	assert_int_equal(devm_add_action(a, action, NULL), 0);
	c = dmam_alloc_coherent(b, PAGE_SIZE, &h, GFP_KERNEL);
	assert_non_null(c);
	x = kmalloc(64, GFP_KERNEL);
	ma = dma_map_single(b, x, 64, DMA_TO_DEVICE);
	assert_false(dma_mapping_error(b, ma));
	action_runs = 0;
	tu_reports_clear();
	minalign_exit();
	/* two devices destroyed (one report each), b's mapping left live (one report) */
	assert_int_equal(tu_reports_count(), 3);
	assert_int_equal(action_runs, 1);
	tu_reports_clear();
	tu_init(NULL);
	minalign_device_destroy(a); /* kept across exit + init: stale */
	tu_expect_report("device", "not an initialised device");
	assert_null(devm_kmalloc(b, 8, GFP_KERNEL));
	tu_expect_report("device", "not a live device");
	tu_reports_release();
	minalign_exit();
	start();
	finish();
}

static void release_nothing(struct device *dev, void *res)
{
	(void)dev;
	(void)res;
}

/* devres data pointers are looked up, never a header read in front of them. */
static void test_devres_foreign_pointers(void **state)
{
	struct device *dev;
	char stack[64] = {0};
	char *heap = malloc(64);
	void *r;

	(void)state;
	start();
	dev = th_dev("dr", false, 0, false);
	devres_free(stack);
	tu_expect_report("device", "not a devres_alloc() resource");
	devres_free(heap + 16);
	tu_expect_report("device", "not a devres_alloc() resource");
	devres_add(dev, stack);
	tu_expect_report("device", "not a devres_alloc() resource");
	r = devres_alloc(release_nothing, 32, GFP_KERNEL);
	assert_non_null(r);
	devres_free(r);
	tu_expect_no_report();
	devres_free(r); /* twice: already freed */
	tu_expect_report("device", "not a devres_alloc() resource");
	minalign_device_destroy(dev);
	free(heap);
	finish();
}

/* A destroyed cache and one that outlived minalign_exit(): every use reports, does nothing. */
static void test_stale_caches(void **state)
{
	struct kmem_cache *c, *kept;
	void *o;

	(void)state;
	start();
	c = kmem_cache_create("short-lived", 48, 8, 0, NULL);
	o = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_free(c, o);
	kmem_cache_destroy(c);
	tu_expect_no_report();
	assert_null(kmem_cache_alloc(c, GFP_KERNEL));
	tu_expect_report("slab", "destroyed");
	kmem_cache_destroy(c);
	tu_expect_report("slab", "already destroyed");
	kept = kmem_cache_create("kept", 64, 8, 0, NULL);
	assert_non_null(kmem_cache_alloc(kept, GFP_KERNEL)); /* freed by exit */
	tu_reports_release();
	minalign_exit();
	start();
	assert_null(kmem_cache_alloc(kept, GFP_KERNEL)); /* outlived exit: stale */
	tu_expect_report("slab", "destroyed");
	kmem_cache_destroy(kept);
	tu_expect_report("slab", "already destroyed");
	finish();
}

/* A destroyed pool: every use reports and does nothing; a pool alive at exit is destroyed. */
static void test_stale_pools(void **state)
{
	struct dma_pool *pool, *left;
	struct device *dev;
	dma_addr_t h;
	void *b;

	(void)state;
	start();
	dev = th_dev("pools", false, 0, false);
	pool = dma_pool_create("gone", dev, 64, 64, 0);
	b = dma_pool_alloc(pool, GFP_KERNEL, &h);
	dma_pool_free(pool, b, h);
	dma_pool_destroy(pool);
	tu_expect_no_report();
	assert_null(dma_pool_alloc(pool, GFP_KERNEL, &h));
	tu_expect_report("dma", "not a live dma_pool");
	dma_pool_free(pool, b, h);
	tu_expect_report("dma", "not a live dma_pool");
	dma_pool_destroy(pool);
	tu_expect_report("dma", "not a live dma_pool");
	left = dma_pool_create("left", dev, 32, 32, 0);
	assert_non_null(dma_pool_alloc(left, GFP_KERNEL, &h));
	tu_reports_clear();
	minalign_exit(); /* the pool (with a block), then the device */
	assert_int_equal(tu_reports_count(), 3);
	tu_reports_clear();
	start();
	dma_pool_destroy(left); /* outlived exit */
	tu_expect_report("dma", "not a live dma_pool");
	finish();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_destroyed_device),
		cmocka_unit_test(test_exit_destroys_live_devices),
		cmocka_unit_test(test_devres_foreign_pointers),
		cmocka_unit_test(test_stale_caches),
		cmocka_unit_test(test_stale_pools),
	};

	return cmocka_run_group_tests_name("handles", tests, NULL, NULL);
}
