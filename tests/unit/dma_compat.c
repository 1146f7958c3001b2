/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/dma_compat.c - the DMA names drivers use beyond map/unmap, against Linux's
 * include/linux/dma-mapping.h and kernel/dma/{mapping,direct}.c: DEFINE_DMA_UNMAP_ADDR/LEN,
 * dma_sync_single_range_for_cpu/_for_device, dma_alloc_attrs with DMA_ATTR_NO_KERNEL_MAPPING
 * (dma_direct_alloc_no_mapping's page cookie), dma_alloc_wc, dma_alloc_noncoherent /
 * dma_alloc_pages (__dma_alloc_pages: cached memory the driver syncs), dma_map_resource,
 * dma_max_mapping_size (dma_direct_max_mapping_size), dma_need_sync (dma_direct_need_sync),
 * dma_get_required_mask (dma_direct_get_required_mask), dma_addressing_limited,
 * dma_coerce_mask_and_coherent, valid_dma_direction, ARCH_DMA_MINALIGN/__dma_aligned, and
 * dma_pool_create's minimum block and boundary checks (mm/dmapool.c).
 */
#include "test_util.h"
#include "dma_helpers.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

struct rx_info {
	void *buf;
	DEFINE_DMA_UNMAP_ADDR(mapping);
	DEFINE_DMA_UNMAP_LEN(len);
};

struct with_dma_buf {
	u32 cpu_counter;
	u8 rx[40] __dma_aligned;
};

static void test_unmap_state_and_range_sync(void **state)
{
	struct rx_info ri;
	struct device *dev;
	unsigned char *buf;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)1 << 20);
	tu_reports_capture();
	dev = th_dev("rng", false, 0, false);
	buf = (unsigned char *)__get_free_page(GFP_KERNEL);
	assert_non_null(buf);
	memset(buf, 0, PAGE_SIZE);
	ri.buf = buf;
	dma_unmap_addr_set(&ri, mapping, dma_map_single(dev, buf, PAGE_SIZE, DMA_FROM_DEVICE));
	dma_unmap_len_set(&ri, len, PAGE_SIZE);
	assert_int_equal(dma_mapping_error(dev, dma_unmap_addr(&ri, mapping)), 0);
	/* the device writes 64 bytes at offset 1024; only that range is synced for the CPU */
	th_dev_fill(dev, dma_unmap_addr(&ri, mapping) + 1024, 7, 64);
	dma_sync_single_range_for_cpu(dev, dma_unmap_addr(&ri, mapping), 1024, 64, DMA_FROM_DEVICE);
	assert_true(th_holds(buf + 1024, 7, 64));
	dma_sync_single_range_for_device(dev, dma_unmap_addr(&ri, mapping), 1024, 64,
					 DMA_FROM_DEVICE);
	dma_unmap_single(dev, dma_unmap_addr(&ri, mapping), dma_unmap_len(&ri, len),
			 DMA_FROM_DEVICE);
	free_page((unsigned long)buf);
	/* valid_dma_direction: the three transfer directions only */
	assert_true(valid_dma_direction(DMA_BIDIRECTIONAL) && valid_dma_direction(DMA_TO_DEVICE) &&
		    valid_dma_direction(DMA_FROM_DEVICE));
	assert_false(valid_dma_direction(DMA_NONE));
	/* __dma_aligned: the member starts its own ARCH_DMA_MINALIGN block */
	assert_int_equal(offsetof(struct with_dma_buf, rx) % ARCH_DMA_MINALIGN, 0);
	assert_int_equal(sizeof(struct with_dma_buf) % ARCH_DMA_MINALIGN, 0);
	assert_true(ARCH_DMA_MINALIGN >= dma_get_cache_alignment());
	minalign_device_destroy(dev);
	tu_expect_no_report();
	minalign_exit();
}

static void test_alloc_attrs(void **state)
{
	struct tu_snapshot snap;
	struct device *dev;
	dma_addr_t h, hw;
	void *cookie, *wc;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 0);
	tu_reports_capture();
	dev = th_dev("attrs", false, 0, false);
	tu_snapshot(&snap);
	/* NO_KERNEL_MAPPING: the cookie is the block's page, not a CPU address */
	cookie = dma_alloc_attrs(dev, 3000, &h, GFP_KERNEL, DMA_ATTR_NO_KERNEL_MAPPING);
	assert_non_null(cookie);
	assert_false(minalign_addr_in_ram(cookie, 1));
	assert_int_equal(page_to_phys((struct page *)cookie), h);
	dma_free_attrs(dev, 3000, cookie, h, DMA_ATTR_NO_KERNEL_MAPPING);
	/* write-combined: coherent memory the device sees at once */
	wc = dma_alloc_wc(dev, 64, &hw, GFP_KERNEL);
	assert_non_null(wc);
	memset(wc, 0x3c, 64);
	{
		unsigned char seen[64];

		assert_int_equal(minalign_dma_read(dev, hw, seen, 64), 0);
		assert_true(seen[0] == 0x3c && seen[63] == 0x3c);
	}
	dma_free_wc(dev, 64, wc, hw);
	tu_assert_no_leak(&snap);
	/* a cookie that is no page is reported */
	dma_free_attrs(dev, 64, &snap, 0, DMA_ATTR_NO_KERNEL_MAPPING);
	tu_expect_report("dma", "cookie");
	minalign_device_destroy(dev);
	tu_expect_no_report();
	minalign_exit();
}

/* __dma_alloc_pages: cached, zeroed memory; the driver's syncs make the data move. */
static void test_noncoherent(void **state)
{
	struct tu_snapshot snap;
	struct device *dev;
	unsigned char *p, seen[128];
	dma_addr_t h;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 0);
	tu_reports_capture();
	dev = th_dev("noncoh", false, 0, false);
	tu_snapshot(&snap);
	p = dma_alloc_noncoherent(dev, 8192, &h, DMA_BIDIRECTIONAL, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(h, virt_to_phys(p));
	assert_true(p[0] == 0 && p[8191] == 0);
	th_fill(p, 1, 128);
	/* before the sync the device sees DRAM, not the CPU's cached write */
	assert_int_equal(minalign_dma_read(dev, h, seen, 128), 0);
	assert_false(th_holds(seen, 1, 128));
	dma_sync_single_for_device(dev, h, 128, DMA_BIDIRECTIONAL);
	assert_int_equal(minalign_dma_read(dev, h, seen, 128), 0);
	assert_true(th_holds(seen, 1, 128));
	th_dev_fill(dev, h + 4096, 9, 128);
	dma_sync_single_for_cpu(dev, h + 4096, 128, DMA_BIDIRECTIONAL);
	assert_true(th_holds(p + 4096, 9, 128));
	dma_free_noncoherent(dev, 8192, p, h, DMA_BIDIRECTIONAL);
	tu_assert_no_leak(&snap);
	/* a wrong handle frees nothing */
	p = dma_alloc_noncoherent(dev, 4096, &h, DMA_FROM_DEVICE, GFP_KERNEL);
	assert_non_null(p);
	dma_free_noncoherent(dev, 4096, p, h + PAGE_SIZE, DMA_FROM_DEVICE);
	tu_expect_report("dma", "not the pages' mapping");
	dma_free_noncoherent(dev, 4096, p, h, DMA_FROM_DEVICE);
	tu_assert_no_leak(&snap);
	minalign_device_destroy(dev);
	tu_expect_no_report();
	minalign_exit();
}

static void test_queries(void **state)
{
	struct minalign_config c;
	struct device *dev, *coh, *d30;
	unsigned char *buf;
	dma_addr_t a;

	(void)state;
	/* RAM 2 GiB..2 GiB+64 MiB: the required mask is 32 bits (dma_direct_get_required_mask) */
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)1 << 20);
	tu_reports_capture();
	dev = th_dev("q", false, 0, false);
	coh = th_dev("qc", true, 0, false);
	d30 = th_dev("q30", false, 0, true);
	assert_int_equal(dma_get_required_mask(dev), DMA_BIT_MASK(32));
	assert_false(dma_addressing_limited(dev));
	assert_int_equal(dma_max_mapping_size(dev), SIZE_MAX);
	assert_int_equal(dma_opt_mapping_size(dev), SIZE_MAX);
	/* force_bounce: limited by the pool (dma_direct_max_mapping_size) */
	assert_int_equal(dma_max_mapping_size(d30), swiotlb_max_mapping_size(d30));
	buf = kmalloc(256, GFP_KERNEL);
	a = dma_map_single(coh, buf, 256, DMA_TO_DEVICE);
	/* dma_direct_need_sync: a coherent device's direct mapping needs none */
	assert_false(dma_need_sync(coh, a));
	dma_unmap_single(coh, a, 256, DMA_TO_DEVICE);
	a = dma_map_single(dev, buf, 256, DMA_TO_DEVICE);
	assert_true(dma_need_sync(dev, a));
	dma_unmap_single(dev, a, 256, DMA_TO_DEVICE);
	kfree(buf);
	/* dma_map_resource: MMIO outside RAM maps to itself; RAM is refused */
	a = dma_map_resource(dev, 0x10000000ULL, 4096, DMA_BIDIRECTIONAL, 0);
	assert_int_equal(a, 0x10000000ULL);
	dma_unmap_resource(dev, a, 4096, DMA_BIDIRECTIONAL, 0);
	assert_int_equal(dma_map_resource(dev, 0x80000000ULL, 64, DMA_TO_DEVICE, 0),
			 DMA_MAPPING_ERROR);
	tu_expect_report("dma", "is RAM");
	/* dma_coerce_mask_and_coherent: the mask pointer becomes &coherent_dma_mask */
	dev->dma_mask = NULL;
	assert_int_equal(dma_set_mask(dev, DMA_BIT_MASK(32)), -EIO);
	assert_int_equal(dma_coerce_mask_and_coherent(dev, DMA_BIT_MASK(36)), 0);
	assert_ptr_equal(dev->dma_mask, &dev->coherent_dma_mask);
	assert_int_equal(dev->coherent_dma_mask, DMA_BIT_MASK(36));
	minalign_device_destroy(d30);
	minalign_device_destroy(coh);
	minalign_device_destroy(dev);
	tu_expect_no_report();
	minalign_exit();

	/* RAM above 4 GiB: a 32-bit device is addressing-limited */
	th_config(&c, MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 0);
	c.ram_base = UINT64_C(5) << 30;
	tu_init(&c);
	d30 = th_dev("lim", false, 32, false);
	assert_int_equal(dma_get_required_mask(d30), DMA_BIT_MASK(33));
	assert_true(dma_addressing_limited(d30));
	minalign_device_destroy(d30);
	minalign_exit();
}

/* mm/dmapool.c dma_pool_create(): blocks of at least 16 bytes, boundary >= the block. */
static void test_dmapool_geometry(void **state)
{
	struct dma_pool *pool;
	struct device *dev;
	dma_addr_t h1, h2;
	void *a, *b;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 0);
	tu_reports_capture();
	dev = th_dev("pool", false, 0, false);
	pool = dma_pool_create("tiny", dev, 4, 4, 0);
	assert_non_null(pool);
	a = dma_pool_alloc(pool, GFP_KERNEL, &h1);
	b = dma_pool_alloc(pool, GFP_KERNEL, &h2);
	assert_int_equal(h2 - h1, 16); /* size 4 became the 16-byte minimum block */
	dma_pool_free(pool, a, h1);
	dma_pool_free(pool, b, h2);
	dma_pool_destroy(pool);
	/* boundary 8 is below the 16-byte block: refused, as Linux's boundary < size check */
	assert_null(dma_pool_create("bad", dev, 4, 4, 8));
	tu_expect_report("dma", "boundary");
	pool = dma_pool_create("ok", dev, 4, 4, 16);
	assert_non_null(pool);
	dma_pool_destroy(pool);
	minalign_device_destroy(dev);
	tu_expect_no_report();
	minalign_exit();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unmap_state_and_range_sync),
		cmocka_unit_test(test_alloc_attrs),
		cmocka_unit_test(test_noncoherent),
		cmocka_unit_test(test_queries),
		cmocka_unit_test(test_dmapool_geometry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
