/* SPDX-License-Identifier: MIT */
/*
 * free_mapped - DMA debug sees CPU frees (issue 12, class 3).  Freeing memory that a live
 * streaming mapping covers - kfree (same thread, another thread), kmem_cache_free, kfree of
 * kmalloc-large, free_pages, dma_free_coherent - is one report naming the device and the
 * mapping, and the free is refused: the memory stays allocated and intact, the mapping is then
 * unmapped and the memory freed without a report.  Mapping memory that is not allocated (a freed
 * kmalloc object, a slab's free slot, a free page) fails with DMA_MAPPING_ERROR and one report.
 * Direct and bounced mappings; every case with and without MINALIGN_DEBUG_SLAB; then a correct
 * DMA cycle, exit and a fresh init.
 */
#include "misuse_helpers.h"

#include <pthread.h>

static void *free_thread(void *p)
{
	kfree(p);
	return NULL;
}

/* kfree of a mapped object of @size, here and from another thread; then the right order. */
static void kfree_mapped(size_t size, bool force, enum dma_data_direction dir)
{
	struct tu_snapshot snap;
	struct device *dev;
	unsigned char *p;
	pthread_t t;
	dma_addr_t a;

	minalign_slab_shrink();
	tu_snapshot(&snap);
	dev = th_dev("nic", false, 0, force);
	p = kmalloc(size, GFP_KERNEL);
	th_fill(p, 4, size);
	a = dma_map_single(dev, p, size, dir);
	assert_false(dma_mapping_error(dev, a));
	if (force)
		assert_true(is_swiotlb_buffer(dev, a));
	kfree(p);
	tu_expect_report("dma", "active mapping");
	assert_int_equal(pthread_create(&t, NULL, free_thread, p), 0);
	pthread_join(t, NULL);
	tu_expect_report("dma", "frees DMA memory");
	if (dir == DMA_TO_DEVICE) /* the CPU may read it: still allocated, untouched */
		assert_true(th_holds(p, 4, size));
	assert_int_equal(ksize(p) >= size, 1);
	dma_unmap_single(dev, a, size, dir);
	kfree(p);
	tu_expect_no_report();
	minalign_device_destroy(dev);
	minalign_slab_shrink();
	tu_assert_no_leak(&snap);
}

static void test_kfree_mapped(void **state)
{
	(void)state;
	start();
	kfree_mapped(64, false, DMA_FROM_DEVICE);
	kfree_mapped(64, true, DMA_TO_DEVICE);
	kfree_mapped(96, false, DMA_BIDIRECTIONAL);
	kfree_mapped(3000, false, DMA_FROM_DEVICE);
	kfree_mapped(20000, false, DMA_FROM_DEVICE); /* kmalloc-large */
	kfree_mapped(20000, true, DMA_TO_DEVICE);
	finish();
}

static void test_cache_free_mapped(void **state)
{
	struct device *dev;
	struct kmem_cache *c;
	dma_addr_t a;
	void *o;

	(void)state;
	start();
	dev = th_dev("cache", false, 0, false);
	c = kmem_cache_create("frames", 256, 64, 0, NULL);
	o = kmem_cache_alloc(c, GFP_KERNEL);
	a = dma_map_single(dev, o, 256, DMA_FROM_DEVICE);
	assert_false(dma_mapping_error(dev, a));
	kmem_cache_free(c, o);
	tu_expect_report("dma", "cache");
	dma_unmap_single(dev, a, 256, DMA_FROM_DEVICE);
	kmem_cache_free(c, o);
	kmem_cache_destroy(c);
	minalign_device_destroy(dev);
	tu_expect_no_report();
	finish();
}

static void test_pages_and_coherent_mapped(void **state)
{
	struct device *dev;
	unsigned char *pg;
	dma_addr_t a, h;
	void *c;

	(void)state;
	start();
	dev = th_dev("pages", false, 0, false);
	pg = th_pages(1);
	a = dma_map_single(dev, pg + 100, 1000, DMA_TO_DEVICE);
	assert_false(dma_mapping_error(dev, a));
	free_pages((unsigned long)pg, 1);
	tu_expect_report("dma", "__free_pages");
	pg[0] = 1; /* still ours */
	dma_unmap_single(dev, a, 1000, DMA_TO_DEVICE);
	free_pages((unsigned long)pg, 1);
	c = dma_alloc_coherent(dev, PAGE_SIZE, &h, GFP_KERNEL);
	a = dma_map_single(dev, c, 64, DMA_TO_DEVICE);
	assert_false(dma_mapping_error(dev, a));
	dma_free_coherent(dev, PAGE_SIZE, c, h);
	tu_expect_report("dma", "dma_free_coherent");
	dma_unmap_single(dev, a, 64, DMA_TO_DEVICE);
	dma_free_coherent(dev, PAGE_SIZE, c, h);
	minalign_device_destroy(dev);
	tu_expect_no_report();
	finish();
}

static void test_map_unallocated(void **state)
{
	struct device *dev;
	unsigned char *p, *q, *pg;
	struct page *page;
	dma_addr_t a;

	(void)state;
	start();
	dev = th_dev("wild", false, 0, false);
	p = kmalloc(128, GFP_KERNEL);
	q = kmalloc(128, GFP_KERNEL);
	kfree(p);
	a = dma_map_single(dev, p, 128, DMA_FROM_DEVICE);
	assert_true(dma_mapping_error(dev, a));
	tu_expect_report("dma", "not allocated");
	page = alloc_pages(GFP_KERNEL, 0);
	pg = page_address(page);
	__free_pages(page, 0);
	a = dma_map_single(dev, pg, 64, DMA_TO_DEVICE);
	assert_true(dma_mapping_error(dev, a));
	tu_expect_report("dma", "free page");
	/* the allocator is intact: the freed object comes back and works */
	p = kmalloc(128, GFP_KERNEL);
	a = dma_map_single(dev, p, 128, DMA_FROM_DEVICE);
	assert_false(dma_mapping_error(dev, a));
	th_dev_fill(dev, a, 5, 128);
	dma_unmap_single(dev, a, 128, DMA_FROM_DEVICE);
	assert_true(th_holds(p, 5, 128));
	kfree(p);
	kfree(q);
	minalign_device_destroy(dev);
	tu_expect_no_report();
	finish();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kfree_mapped),
		cmocka_unit_test(test_cache_free_mapped),
		cmocka_unit_test(test_pages_and_coherent_mapped),
		cmocka_unit_test(test_map_unallocated),
	};
	int fails = cmocka_run_group_tests_name("free while mapped", tests, NULL, NULL);

	debug_flags = MINALIGN_DEBUG_SLAB;
	return fails +
	       cmocka_run_group_tests_name("free while mapped, slab debug", tests, NULL, NULL);
}
