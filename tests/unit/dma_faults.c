/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/dma_faults.c - the Nth page or metadata allocation of a DMA workload fails, for
 * every N until the workload runs clean: every call fails cleanly, nothing leaks, nothing
 * crashes, no report (allocation failure is not misuse).
 */
#include "dma_helpers.h"

/* Devices, coherent memory, a dma_pool spanning chunks, a bounced and a direct mapping. */
static void workload(void)
{
	struct minalign_device_info info = {.name = "f"};
	struct device *dev = minalign_device_create(&info);
	struct dma_pool *pool;
	void *coh, *blk[4] = {NULL}, *buf;
	dma_addr_t h, hb[4];

	if (!dev)
		return;
	coh = dma_alloc_coherent(dev, 3 * PAGE_SIZE, &h, GFP_KERNEL);
	pool = dma_pool_create("f", dev, 2048, 64, 0);
	for (int i = 0; pool && i < 4; i++)
		blk[i] = dma_pool_zalloc(pool, GFP_KERNEL, &hb[i]);
	buf = kmalloc(24, GFP_KERNEL);
	if (buf) {
		dma_addr_t a = dma_map_single(dev, buf, 24, DMA_FROM_DEVICE);

		if (!dma_mapping_error(dev, a))
			dma_unmap_single(dev, a, 24, DMA_FROM_DEVICE);
		a = dma_map_single(dev, buf, 24, DMA_TO_DEVICE);
		if (!dma_mapping_error(dev, a))
			dma_unmap_single(dev, a, 24, DMA_TO_DEVICE);
		kfree(buf);
	}
	for (int i = 0; pool && i < 4; i++)
		dma_pool_free(pool, blk[i], hb[i]);
	dma_pool_destroy(pool);
	dma_free_coherent(dev, 3 * PAGE_SIZE, coh, h);
	minalign_device_destroy(dev);
}

static void test_every_failure(void **state)
{
	static const unsigned int kinds[] = {MINALIGN_FAULT_PAGE, MINALIGN_FAULT_META,
					     MINALIGN_FAULT_PAGE | MINALIGN_FAULT_META};

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)1 << 20);
	tu_reports_capture();
	workload(); /* warm the slab caches so later runs allocate the same way */
	for (unsigned int k = 0; k < 3; k++) {
		unsigned long n, hits = 1;

		for (n = 1; hits && n < 200; n++) {
			struct tu_snapshot snap;

			tu_snapshot(&snap);
			minalign_fault_set(n, kinds[k]);
			workload();
			hits = minalign_fault_hits();
			minalign_fault_set(0, 0);
			tu_assert_no_leak(&snap);
			assert_int_equal(th_stats().dma_live_mappings, 0);
			assert_int_equal(th_stats().coherent_bytes, 0);
		}
		assert_int_equal(hits, 0);
		assert_true(n > 3); /* the workload does allocate */
	}
	tu_expect_no_report();
	tu_reports_release();
	minalign_exit();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
