/* SPDX-License-Identifier: MIT */
/*
 * ownership - memory freed through the wrong API or by the wrong owner (issue 12, classes 1, 4
 * and the smaller fixes of 8).  The page allocator frees only blocks that alloc_pages() handed
 * out (page owner tags): a slab page, a kmalloc-large block, dma_alloc_coherent() memory, a
 * dma_pool chunk and the SWIOTLB pool are refused.  dma_free_coherent() refuses memory of another
 * device, of a dma_pool and of dmam_alloc_coherent().  Two live inbound mappings of one buffer
 * are refused whether bounced or not.
 *
 * Each case expects exactly its report and that nothing was freed (the memory is then freed
 * correctly, without a report, and no page leaks), then a correct DMA cycle, then exit and a
 * fresh init.  Every case runs with and without MINALIGN_DEBUG_SLAB.
 */
#include "misuse_helpers.h"

static void test_free_pages_of_slab_page(void **state)
{
	struct tu_snapshot snap;
	unsigned char *p;

	(void)state;
	start();
	tu_snapshot(&snap);
	p = kmalloc(64, GFP_KERNEL);
	assert_non_null(p);
	th_fill(p, 1, 64);
	__free_pages(virt_to_page(p), 0);
	tu_expect_report("mm", "kfree/kmem_cache_free");
	free_pages((unsigned long)p & ~(PAGE_SIZE - 1), 0);
	tu_expect_report("mm", "a slab");
	assert_true(th_holds(p, 1, 64));
	kfree(p);
	minalign_slab_shrink();
	tu_assert_no_leak(&snap);
	finish();
}

static void test_free_pages_of_kmalloc_large(void **state)
{
	struct tu_snapshot snap;
	unsigned char *p, *q;

	(void)state;
	start();
	tu_snapshot(&snap);
	p = kmalloc(3 * PAGE_SIZE, GFP_KERNEL);
	assert_non_null(p);
	free_pages((unsigned long)p, 2);
	tu_expect_report("mm", "kfree (kmalloc memory)");
	q = (unsigned char *)__get_free_pages(GFP_KERNEL, 2);
	assert_true(q != p); /* not handed out again */
	free_pages((unsigned long)q, 2);
	kfree(p);
	tu_expect_no_report();
	tu_assert_no_leak(&snap);
	finish();
}

static void test_free_pages_of_coherent_and_pool(void **state)
{
	struct device *dev;
	struct dma_pool *pool;
	dma_addr_t h, ph;
	void *c, *b;

	(void)state;
	start();
	dev = th_dev("coh", false, 0, false);
	c = dma_alloc_coherent(dev, PAGE_SIZE, &h, GFP_KERNEL);
	assert_non_null(c);
	free_pages((unsigned long)c, 0);
	tu_expect_report("mm", "dma_free_coherent");
	pool = dma_pool_create("p", dev, 64, 64, 0);
	assert_non_null(pool);
	b = dma_pool_alloc(pool, GFP_KERNEL, &ph);
	assert_non_null(b);
	free_pages((unsigned long)b, 0);
	tu_expect_report("mm", "dma_pool");
	dma_free_coherent(dev, PAGE_SIZE, b, ph);
	tu_expect_report("dma", "dma_pool");
	dma_pool_free(pool, b, ph);
	dma_pool_destroy(pool);
	dma_free_coherent(dev, PAGE_SIZE, c, h);
	minalign_device_destroy(dev);
	tu_expect_no_report();
	finish();
}

static void test_free_pages_of_swiotlb(void **state)
{
	struct device *dev;
	unsigned char *p;
	dma_addr_t a;
	uint64_t before;

	(void)state;
	start();
	dev = th_dev("bounced", false, 0, true);
	p = kmalloc(128, GFP_KERNEL);
	a = dma_map_single(dev, p, 128, DMA_TO_DEVICE);
	assert_false(dma_mapping_error(dev, a));
	assert_true(is_swiotlb_buffer(dev, a));
	before = th_stats().pages_free;
	free_pages((unsigned long)phys_to_virt((phys_addr_t)a) & ~(PAGE_SIZE - 1), 0);
	assert_int_equal(tu_reports_count(), 1);
	assert_string_equal(tu_report_get(0)->subsystem, "mm");
	tu_reports_clear();
	assert_int_equal(th_stats().pages_free, before);
	dma_unmap_single(dev, a, 128, DMA_TO_DEVICE);
	kfree(p);
	minalign_device_destroy(dev);
	tu_expect_no_report();
	finish();
}

static void test_coherent_other_device(void **state)
{
	struct device *a, *b;
	dma_addr_t h;
	void *c;

	(void)state;
	start();
	a = th_dev("a", false, 0, false);
	b = th_dev("b", false, 0, false);
	c = dma_alloc_coherent(a, 2 * PAGE_SIZE, &h, GFP_KERNEL);
	assert_non_null(c);
	dma_free_coherent(b, 2 * PAGE_SIZE, c, h);
	tu_expect_report("dma", "another device");
	memset(c, 1, 2 * PAGE_SIZE); /* still a's memory */
	dma_free_coherent(a, 2 * PAGE_SIZE, c, h);
	minalign_device_destroy(b);
	minalign_device_destroy(a);
	tu_expect_no_report();
	finish();
}

static void test_coherent_free_of_managed(void **state)
{
	struct tu_snapshot snap;
	struct device *dev;
	dma_addr_t h;
	void *c;

	(void)state;
	start();
	tu_snapshot(&snap);
	dev = th_dev("m", false, 0, false);
	c = dmam_alloc_coherent(dev, PAGE_SIZE, &h, GFP_KERNEL);
	assert_non_null(c);
	dma_free_coherent(dev, PAGE_SIZE, c, h);
	tu_expect_report("dma", "dmam_free_coherent");
	memset(c, 2, PAGE_SIZE);
	minalign_device_destroy(dev); /* devres frees it, once, silently */
	tu_expect_no_report();
	tu_assert_no_leak(&snap);
	finish();
}

/* kfree of devm_kmalloc memory: refused; the device's destroy frees it once, silently. */
static void test_kfree_of_devm(void **state)
{
	static const size_t sizes[] = {40, 96, 5000, 20000};
	struct tu_snapshot snap;
	struct device *dev;
	unsigned char *p[4], *q;

	(void)state;
	start();
	minalign_slab_shrink();
	tu_snapshot(&snap);
	dev = th_dev("devm", false, 0, false);
	for (int i = 0; i < 4; i++) {
		p[i] = devm_kmalloc(dev, sizes[i], GFP_KERNEL);
		assert_non_null(p[i]);
		th_fill(p[i], (unsigned char)i, sizes[i]);
		kfree(p[i]);
		tu_expect_report("slab", "devres");
		q = kmalloc(sizes[i], GFP_KERNEL); /* must not be handed p[i] */
		assert_true(q != p[i]);
		kfree(q);
		assert_true(th_holds(p[i], (unsigned char)i, sizes[i]));
	}
	devm_kfree(dev, p[1]); /* the right way */
	minalign_device_destroy(dev);
	tu_expect_no_report();
	minalign_slab_shrink();
	tu_assert_no_leak(&snap);
	finish();
}

/* One buffer mapped twice for inbound DMA: refused on the second map, bounced or direct. */
static void test_inbound_twice(void **state)
{
	for (int force = 0; force < 2; force++) {
		struct device *dev;
		unsigned char *p;
		dma_addr_t a, b;

		(void)state;
		start();
		dev = th_dev("twice", false, 0, force);
		p = kmalloc(512, GFP_KERNEL);
		a = dma_map_single(dev, p, 512, DMA_FROM_DEVICE);
		assert_false(dma_mapping_error(dev, a));
		assert_int_equal(is_swiotlb_buffer(dev, a), force);
		b = dma_map_single(dev, p + 64, 128, DMA_FROM_DEVICE);
		assert_true(dma_mapping_error(dev, b));
		tu_expect_report("dma", "EEXIST");
		dma_unmap_single(dev, a, 512, DMA_FROM_DEVICE);
		kfree(p);
		minalign_device_destroy(dev);
		tu_expect_no_report();
		finish();
	}
}

/* Bounced neighbours that share a cache line are legal (the bounce keeps them apart). */
static void test_bounced_neighbours(void **state)
{
	struct device *dev;
	unsigned char *p;
	dma_addr_t a, b;

	(void)state;
	start();
	dev = th_dev("nb", false, 0, true);
	p = kmalloc(256, GFP_KERNEL);
	a = dma_map_single(dev, p, 32, DMA_FROM_DEVICE);
	b = dma_map_single(dev, p + 32, 32, DMA_FROM_DEVICE);
	assert_false(dma_mapping_error(dev, a));
	assert_false(dma_mapping_error(dev, b));
	dma_unmap_single(dev, b, 32, DMA_FROM_DEVICE);
	dma_unmap_single(dev, a, 32, DMA_FROM_DEVICE);
	kfree(p);
	minalign_device_destroy(dev);
	tu_expect_no_report();
	finish();
}

static void test_min_align_mask(void **state)
{
	struct device *dev;

	(void)state;
	start();
	dev = th_dev("mask", false, 0, false);
	dma_set_min_align_mask(dev, 0x300);
	assert_int_equal(dma_get_min_align_mask(dev), 0x300);
	dma_set_min_align_mask(dev, 4095);
	assert_int_equal(swiotlb_max_mapping_size(dev), ((size_t)256 << 10) - 4096);
	minalign_device_destroy(dev);
	tu_expect_no_report();
	finish();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_free_pages_of_slab_page),
		cmocka_unit_test(test_free_pages_of_kmalloc_large),
		cmocka_unit_test(test_free_pages_of_coherent_and_pool),
		cmocka_unit_test(test_free_pages_of_swiotlb),
		cmocka_unit_test(test_coherent_other_device),
		cmocka_unit_test(test_coherent_free_of_managed),
		cmocka_unit_test(test_kfree_of_devm),
		cmocka_unit_test(test_inbound_twice),
		cmocka_unit_test(test_bounced_neighbours),
		cmocka_unit_test(test_min_align_mask),
	};
	int fails = cmocka_run_group_tests_name("ownership", tests, NULL, NULL);

	debug_flags = MINALIGN_DEBUG_SLAB;
	return fails + cmocka_run_group_tests_name("ownership, slab debug", tests, NULL, NULL);
}
