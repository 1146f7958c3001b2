/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/dma_kmalloc.c - dma_kmalloc(), dma_kzalloc(), dma_kfree() (the DMA-safe kmalloc
 * behind the __dma sparse check, docs/sparse.md): under every policy and cache line the
 * objects own whole cache lines, so an inbound mapping of any of them on a non-coherent device
 * is never bounced for alignment and never conflicts with a neighbour the CPU writes.
 */
#include "dma_helpers.h"

static void check_policy(enum minalign_policy policy, unsigned int line)
{
	struct minalign_config c;
	struct device *dev;
	struct tu_snapshot snap;
	unsigned char *p[8];

	th_config(&c, policy, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)1 << 20);
	c.cache_line = line;
	tu_init(&c);
	tu_reports_capture();
	dev = th_dev("dk", false, 0, false);
	minalign_slab_shrink();
	tu_snapshot(&snap);
	for (int i = 0; i < 8; i++) {
		size_t size = (size_t)1 + (size_t)i * 37;

		p[i] = i & 1 ? dma_kzalloc(size, GFP_KERNEL) : dma_kmalloc(size, GFP_KERNEL);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] & (line - 1), 0);
		assert_true(ksize(p[i]) % line == 0);
		for (size_t k = 0; i & 1 && k < size; k++)
			assert_int_equal(p[i][k], 0);
	}
	/* a neighbour written during an inbound DMA: no bounce, no conflict, both intact */
	for (int i = 0; i + 1 < 8; i++) {
		size_t size = (size_t)1 + (size_t)i * 37;
		struct minalign_stats before = th_stats();
		dma_addr_t a = dma_map_single(dev, p[i], size, DMA_FROM_DEVICE);

		assert_false(dma_mapping_error(dev, a));
		assert_false(is_swiotlb_buffer(dev, a));
		th_fill(p[i + 1], 5, 1);
		th_dev_fill(dev, a, (unsigned char)i, size);
		dma_unmap_single(dev, a, size, DMA_FROM_DEVICE);
		assert_true(th_holds(p[i], (unsigned char)i, size));
		assert_true(th_holds(p[i + 1], 5, 1));
		assert_int_equal(th_stats().sim_conflicts, before.sim_conflicts);
		assert_int_equal(th_stats().bounce_maps, before.bounce_maps);
	}
	for (int i = 0; i < 8; i++)
		dma_kfree(p[i]);
	dma_kfree(NULL);
	assert_ptr_equal(dma_kmalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	dma_kfree(ZERO_SIZE_PTR);
	minalign_slab_shrink();
	tu_assert_no_leak(&snap);
	tu_expect_no_report();
	minalign_device_destroy(dev);
	tu_reports_release();
	minalign_exit();
}

static void test_every_policy(void **state)
{
	(void)state;
	for (int p = 0; p < MINALIGN_NR_POLICIES; p++)
		for (unsigned int line = 32; line <= 128; line *= 2)
			check_policy((enum minalign_policy)p, line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_policy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
