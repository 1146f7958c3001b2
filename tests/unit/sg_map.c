/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/sg_map.c - scatterlist helpers and dma_map_sg(): per-segment bounce decisions,
 * data in both directions, sync cycles, and the undo of a failed mapping.
 */
#include "dma_helpers.h"

#include <errno.h>

#define LINE 128u

static int teardown(void **state)
{
	(void)state;
	tu_reports_release();
	minalign_exit();
	return 0;
}

static void test_helpers(void **state)
{
	struct scatterlist sg[4], *s;
	unsigned char *pg;
	int i, n = 0;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 0);
	pg = th_pages(1);
	sg_init_table(sg, 4);
	assert_null(sg_next(&sg[3]));
	assert_ptr_equal(sg_next(&sg[0]), &sg[1]);
	sg_set_buf(&sg[0], pg + 100, 50);
	assert_ptr_equal(sg_page(&sg[0]), virt_to_page(pg));
	assert_int_equal(sg[0].offset, 100);
	assert_int_equal(sg[0].length, 50);
	assert_ptr_equal(sg_virt(&sg[0]), pg + 100);
	sg_set_page(&sg[1], virt_to_page(pg + PAGE_SIZE), 10, 20);
	assert_ptr_equal(sg_virt(&sg[1]), pg + PAGE_SIZE + 20);
	sg_mark_end(&sg[1]);
	for_each_sg (sg, s, 2, i)
		n++;
	assert_int_equal(n, 2);
	assert_null(sg_next(&sg[1]));
	sg_init_one(sg, pg, 77);
	assert_int_equal(sg[0].length, 77);
	assert_null(sg_next(&sg[0]));
	free_pages((unsigned long)pg, 1);
}

/* Safe and unsafe segments in one table: only the unsafe one is bounced; all data right. */
static void test_mixed_segments(void **state)
{
	enum dma_data_direction dirs[] = {DMA_FROM_DEVICE, DMA_BIDIRECTIONAL, DMA_TO_DEVICE};
	struct scatterlist sg[3], *s;
	void *small, *nb, *obj;
	unsigned char *pg;
	struct device *dev;
	size_t len[3] = {PAGE_SIZE, 16, 256};
	int i;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)1 << 20);
	tu_reports_capture();
	dev = th_dev("sgdev", false, 0, false);
	pg = th_pages(0);
	assert_true(th_pair(16, GFP_KERNEL, &small, &nb));
	obj = kmalloc(256, GFP_KERNEL);
	for (unsigned int d = 0; d < 3; d++) {
		void *buf[3] = {pg, small, obj};

		sg_init_table(sg, 3);
		for_each_sg (sg, s, 3, i) {
			sg_set_buf(s, buf[i], (unsigned int)len[i]);
			th_fill(buf[i], (unsigned char)i, len[i]);
		}
		assert_int_equal(dma_map_sg(dev, sg, 3, dirs[d]), 3);
		for_each_sg (sg, s, 3, i) {
			bool bounced = is_swiotlb_buffer(dev, sg_dma_address(s));

			assert_int_equal(sg_dma_len(s), len[i]);
			assert_int_equal(bounced, i == 1 && dirs[d] != DMA_TO_DEVICE);
			if (dirs[d] != DMA_FROM_DEVICE)
				assert_true(th_dev_holds(dev, sg_dma_address(s), (unsigned char)i,
							 len[i]));
			if (dirs[d] != DMA_TO_DEVICE)
				th_dev_fill(dev, sg_dma_address(s), (unsigned char)(40 + i),
					    len[i]);
		}
		memset(nb, 0x5a, 16); /* the neighbour of the unsafe segment, while mapped */
		dma_unmap_sg(dev, sg, 3, dirs[d]);
		for (i = 0; i < 3; i++)
			assert_true(th_holds(buf[i],
					     (unsigned char)(dirs[d] == DMA_TO_DEVICE ? i : 40 + i),
					     len[i]));
		for (i = 0; i < 16; i++)
			assert_int_equal(((unsigned char *)nb)[i], 0x5a);
	}
	assert_int_equal(th_stats().bounce_maps, 2);
	assert_int_equal(th_stats().dma_maps, 9);
	assert_int_equal(th_stats().dma_live_mappings, 0);
	assert_int_equal(th_stats().sim_conflicts, 0);
	kfree(small);
	kfree(nb);
	kfree(obj);
	free_pages((unsigned long)pg, 0);
	minalign_device_destroy(dev);
	tu_expect_no_report();
}

static void test_sync_cycles(void **state)
{
	struct scatterlist sg[2];
	unsigned char *pg;
	struct device *dev;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)1 << 20);
	tu_reports_capture();
	dev = th_dev("sgdev", false, 0, false);
	pg = th_pages(0);
	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], pg, 2 * LINE);   /* direct */
	sg_set_buf(&sg[1], pg + 1000, 100); /* bounced */
	assert_int_equal(dma_map_sg(dev, sg, 2, DMA_FROM_DEVICE), 2);
	for (unsigned char k = 0; k < 3; k++) {
		th_dev_fill(dev, sg_dma_address(&sg[0]), k, 2 * LINE);
		th_dev_fill(dev, sg_dma_address(&sg[1]), (unsigned char)(k + 9), 100);
		dma_sync_sg_for_cpu(dev, sg, 2, DMA_FROM_DEVICE);
		assert_true(th_holds(pg, k, 2 * LINE));
		assert_true(th_holds(pg + 1000, (unsigned char)(k + 9), 100));
		dma_sync_sg_for_device(dev, sg, 2, DMA_FROM_DEVICE);
	}
	dma_unmap_sg(dev, sg, 2, DMA_FROM_DEVICE);
	free_pages((unsigned long)pg, 0);
	minalign_device_destroy(dev);
	tu_expect_no_report();
}

/* A segment that cannot be mapped fails the whole table, and what was mapped is undone. */
static void test_failure_undoes(void **state)
{
	struct scatterlist sg[40];
	unsigned char *pg, local[8];
	struct device *dev;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)16 << 10);
	tu_reports_capture();
	dev = th_dev("sgdev", false, 0, false);
	pg = th_pages(4); /* 64 KiB */
	/* 40 x 1 KiB unaligned segments need 360 lines; the pool has 128 */
	sg_init_table(sg, 40);
	for (int i = 0; i < 40; i++)
		sg_set_buf(&sg[i], pg + (size_t)i * 1600 + 8, 1024);
	th_fill(pg, 1, (size_t)64 << 10);
	assert_int_equal(dma_map_sg(dev, sg, 40, DMA_BIDIRECTIONAL), 0);
	tu_expect_report("swiotlb", "full");
	assert_int_equal(th_stats().swiotlb_slots_used, 0);
	assert_int_equal(th_stats().dma_live_mappings, 0);
	assert_true(th_holds(pg, 1, (size_t)64 << 10)); /* nothing was copied back */

	sg_init_table(sg, 3);
	sg_set_buf(&sg[0], pg, 64);
	sg_set_buf(&sg[1], local, 8); /* not RAM */
	sg_set_buf(&sg[2], pg + 512, 64);
	assert_int_equal(dma_map_sg(dev, sg, 3, DMA_FROM_DEVICE), 0);
	tu_expect_report("dma", "segment 1");
	assert_int_equal(dma_map_sg(dev, sg, 4, DMA_FROM_DEVICE), 0); /* past the end mark */
	tu_expect_report("dma", "segment 1");
	sg_set_buf(&sg[1], pg + 256, 8);
	assert_int_equal(dma_map_sg(dev, sg, 4, DMA_FROM_DEVICE), 0);
	tu_expect_report("dma", "the table ends before entry 3");
	assert_int_equal(dma_map_sg(dev, sg, 0, DMA_FROM_DEVICE), 0);
	tu_expect_report("dma", "nents");
	assert_int_equal(dma_map_sg(dev, NULL, 1, DMA_FROM_DEVICE), 0);
	tu_expect_report("dma", "NULL table");
	assert_int_equal(th_stats().swiotlb_slots_used, 0);
	assert_int_equal(th_stats().dma_live_mappings, 0);
	free_pages((unsigned long)pg, 4);
	minalign_device_destroy(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_helpers, teardown),
		cmocka_unit_test_teardown(test_mixed_segments, teardown),
		cmocka_unit_test_teardown(test_sync_cycles, teardown),
		cmocka_unit_test_teardown(test_failure_undoes, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
