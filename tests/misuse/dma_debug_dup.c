/* SPDX-License-Identifier: MIT */
/*
 * dma_debug_dup - DMA-API debug with one buffer mapped more than once for DMA_TO_DEVICE (legal:
 * the device only reads it): two sg lists, two dma_map_single calls of different sizes, a
 * dma_map_single and an sg list.  All of these share one bus address (direct mappings), so every
 * unmap and sync must find the entry of its own call, and report only when none of the entries
 * at the address matches it (against the closest one).  The first test is the fuzzer's finding
 * (tests/fuzz/crashes/dma-debug-sg-same-buffer): a false "wrong nents" on the older list.
 *
 * Each test runs twice, with the mappings made, synced and unmapped in both orders.
 */
#include "../unit/dma_helpers.h"

#define BIG  256
#define HALF 128

static void start(void)
{
	th_debug_start(MINALIGN_POLICY_BOUNCE, MINALIGN_DEBUG_DMA);
}

static dma_addr_t map_checked(struct device *dev, void *p, size_t n, enum dma_data_direction dir)
{
	dma_addr_t a = dma_map_single(dev, p, n, dir);

	assert_false(dma_mapping_error(dev, a));
	return a;
}

/* Map @l3 (three parts of a and b) and check it lies where l1 and l2 are. */
static void map_parts(struct device *dev, struct scatterlist *l3, unsigned char *a,
		      unsigned char *b)
{
	sg_init_table(l3, 3);
	sg_set_buf(&l3[0], a + 64, 64);
	sg_set_buf(&l3[1], b + 64, 64);
	sg_set_buf(&l3[2], a + 192, 64);
	assert_int_equal(dma_map_sg(dev, l3, 3, DMA_TO_DEVICE), 3);
}

/*
 * Two sg lists holding a (the fuzzer's reproducer), and a third holding parts of a and b, which
 * a sync finds by containment inside the entries of both.
 */
static void test_sg_lists_share_buffer(void **state)
{
	struct scatterlist l1[2], l2[1], l3[3];
	unsigned char *a, *b;
	struct device *dev;

	(void)state;
	start();
	dev = th_dev("nic", false, 0, false);
	a = kmalloc(BIG, GFP_KERNEL);
	b = kmalloc(BIG, GFP_KERNEL);
	assert_non_null(a);
	assert_non_null(b);
	th_fill(a, 5, BIG);
	th_fill(b, 6, BIG);
	for (int round = 0; round < 2; round++) {
		/* a is segment 1 of l1 and the only segment of l2 */
		sg_init_table(l1, 2);
		sg_set_buf(&l1[0], b, BIG);
		sg_set_buf(&l1[1], a, BIG);
		sg_init_one(l2, a, BIG);
		if (round == 0) {
			assert_int_equal(dma_map_sg(dev, l1, 2, DMA_TO_DEVICE), 2);
			assert_int_equal(dma_map_sg(dev, l2, 1, DMA_TO_DEVICE), 1);
		} else {
			map_parts(dev, l3, a, b); /* the oldest: a sync meets the others first */
			assert_int_equal(dma_map_sg(dev, l2, 1, DMA_TO_DEVICE), 1);
			assert_int_equal(dma_map_sg(dev, l1, 2, DMA_TO_DEVICE), 2);
		}
		assert_true(sg_dma_address(l2) == sg_dma_address(&l1[1]));
		assert_true(th_dev_holds(dev, sg_dma_address(l2), 5, BIG));
		assert_true(th_dev_holds(dev, sg_dma_address(&l1[0]), 6, BIG));

		dma_sync_sg_for_cpu(dev, l1, 2, DMA_TO_DEVICE);
		dma_sync_sg_for_cpu(dev, l2, 1, DMA_TO_DEVICE);
		dma_sync_sg_for_device(dev, l2, 1, DMA_TO_DEVICE);
		dma_sync_sg_for_device(dev, l1, 2, DMA_TO_DEVICE);
		tu_expect_no_report();

		/* parts of a and b, inside the entries of l1 and l2: l3's own entries fit */
		if (round == 0)
			map_parts(dev, l3, a, b);
		assert_true(sg_dma_address(&l3[0]) == sg_dma_address(l2) + 64);
		assert_true(sg_dma_address(&l3[1]) == sg_dma_address(&l1[0]) + 64);
		assert_true(sg_dma_address(&l3[2]) == sg_dma_address(l2) + 192);
		dma_sync_sg_for_cpu(dev, l3, 3, DMA_TO_DEVICE);
		dma_sync_sg_for_cpu(dev, l1, 2, DMA_TO_DEVICE);
		dma_sync_sg_for_cpu(dev, l2, 1, DMA_TO_DEVICE);
		dma_sync_sg_for_device(dev, l3, 3, DMA_TO_DEVICE);
		tu_expect_no_report();
		/* a count no entry holding a + 64 was mapped with: one report */
		dma_sync_sg_for_cpu(dev, l3, 4, DMA_TO_DEVICE);
		tu_expect_report("dma", "wrong nents (4, mapped ");
		dma_unmap_sg(dev, l3, 3, DMA_TO_DEVICE);
		tu_expect_no_report();
		assert_int_equal(th_stats().dma_live_mappings, 3);

		/* a count that neither list was mapped with: still one report each */
		dma_sync_sg_for_cpu(dev, l2, 3, DMA_TO_DEVICE);
		tu_expect_report("dma", "wrong nents (3, mapped ");
		dma_unmap_sg(dev, l2, 3, DMA_TO_DEVICE);
		tu_expect_report("dma", "wrong nents (3, mapped ");
		dma_sync_sg_for_cpu(dev, l1, 1, DMA_TO_DEVICE); /* segment 0 (b) has one entry */
		tu_expect_report("dma", "wrong nents (1, mapped 2) (segment 0)");
		assert_int_equal(th_stats().dma_live_mappings, 3);

		if (round == 0) { /* the older list first */
			dma_unmap_sg(dev, l1, 2, DMA_TO_DEVICE);
			tu_expect_no_report();
			dma_sync_sg_for_cpu(dev, l2, 1, DMA_TO_DEVICE);
			dma_unmap_sg(dev, l2, 1, DMA_TO_DEVICE);
		} else {
			dma_unmap_sg(dev, l2, 1, DMA_TO_DEVICE);
			tu_expect_no_report();
			dma_sync_sg_for_cpu(dev, l1, 2, DMA_TO_DEVICE);
			dma_unmap_sg(dev, l1, 2, DMA_TO_DEVICE);
		}
		tu_expect_no_report();
		assert_int_equal(th_stats().dma_live_mappings, 0);
		dma_unmap_sg(dev, l2, 1, DMA_TO_DEVICE);
		tu_expect_report("dma", "already unmapped");
	}
	minalign_device_destroy(dev);
	tu_expect_no_report();
	kfree(a);
	kfree(b);
}

/* Two dma_map_single TO_DEVICE of one buffer, 256 and 128 bytes. */
static void test_singles_share_buffer(void **state)
{
	struct device *dev;
	unsigned char *buf;
	dma_addr_t x, y;

	(void)state;
	start();
	dev = th_dev("nic", false, 0, false);
	buf = kmalloc(BIG, GFP_KERNEL);
	assert_non_null(buf);
	th_fill(buf, 9, BIG);
	for (int round = 0; round < 2; round++) {
		if (round == 0) {
			x = map_checked(dev, buf, BIG, DMA_TO_DEVICE);
			y = map_checked(dev, buf, HALF, DMA_TO_DEVICE);
		} else {
			y = map_checked(dev, buf, HALF, DMA_TO_DEVICE);
			x = map_checked(dev, buf, BIG, DMA_TO_DEVICE);
		}
		assert_true(x == y);
		assert_true(th_dev_holds(dev, x, 9, BIG));
		dma_sync_single_for_cpu(dev, x, BIG, DMA_TO_DEVICE);
		dma_sync_single_for_cpu(dev, y, HALF, DMA_TO_DEVICE);
		dma_sync_single_for_device(dev, y, HALF, DMA_TO_DEVICE);
		dma_sync_single_for_device(dev, x, BIG, DMA_TO_DEVICE);
		tu_expect_no_report();

		/* a size neither was mapped with: one report */
		dma_unmap_single(dev, x, 64, DMA_TO_DEVICE);
		tu_expect_report("dma", "wrong size (64)");
		/* reported against the closest mapping: the one of the same size */
		dma_unmap_single(dev, x, BIG, DMA_FROM_DEVICE);
		tu_expect_report("dma", "(mapped by dma_map_single, 256 bytes, DMA_TO_DEVICE): "
					"wrong direction (DMA_FROM_DEVICE)");
		dma_unmap_single(dev, y, HALF, DMA_FROM_DEVICE);
		tu_expect_report("dma", "(mapped by dma_map_single, 128 bytes, DMA_TO_DEVICE): "
					"wrong direction (DMA_FROM_DEVICE)");
		assert_int_equal(th_stats().dma_live_mappings, 2);

		if (round == 0) {
			dma_unmap_single(dev, x, BIG, DMA_TO_DEVICE);
			tu_expect_no_report();
			/* exactly that one went: the 128-byte one is left */
			dma_unmap_single(dev, x, BIG, DMA_TO_DEVICE);
			tu_expect_report("dma", "(mapped by dma_map_single, 128 bytes, "
						"DMA_TO_DEVICE): wrong size (256)");
			dma_sync_single_for_cpu(dev, y, HALF, DMA_TO_DEVICE);
			dma_unmap_single(dev, y, HALF, DMA_TO_DEVICE);
		} else {
			dma_unmap_single(dev, y, HALF, DMA_TO_DEVICE);
			tu_expect_no_report();
			dma_unmap_single(dev, y, HALF, DMA_TO_DEVICE);
			tu_expect_report("dma", "(mapped by dma_map_single, 256 bytes, "
						"DMA_TO_DEVICE): wrong size (128)");
			dma_sync_single_for_cpu(dev, x, BIG, DMA_TO_DEVICE);
			dma_unmap_single(dev, x, BIG, DMA_TO_DEVICE);
		}
		tu_expect_no_report();
		assert_int_equal(th_stats().dma_live_mappings, 0);
	}

	/* dma_mapping_error() seen for the first mapping only: the unmap of the second says so */
	x = map_checked(dev, buf, BIG, DMA_TO_DEVICE);
	y = dma_map_single(dev, buf, HALF, DMA_TO_DEVICE);
	assert_true(x == y);
	dma_unmap_single(dev, x, BIG, DMA_TO_DEVICE);
	tu_expect_no_report();
	dma_unmap_single(dev, y, HALF, DMA_TO_DEVICE);
	tu_expect_report("dma", "dma_mapping_error() was never called");
	assert_int_equal(th_stats().dma_live_mappings, 0);

	minalign_device_destroy(dev);
	tu_expect_no_report();
	kfree(buf);
}

/* A dma_map_single and a one-segment sg list of the same buffer. */
static void test_single_and_sg_share_buffer(void **state)
{
	struct scatterlist sg[1];
	struct device *dev;
	unsigned char *buf;
	dma_addr_t x;

	(void)state;
	start();
	dev = th_dev("nic", false, 0, false);
	buf = kmalloc(BIG, GFP_KERNEL);
	assert_non_null(buf);
	th_fill(buf, 4, BIG);
	for (int round = 0; round < 2; round++) {
		sg_init_one(sg, buf, BIG);
		if (round == 0) {
			x = map_checked(dev, buf, BIG, DMA_TO_DEVICE);
			assert_int_equal(dma_map_sg(dev, sg, 1, DMA_TO_DEVICE), 1);
		} else {
			assert_int_equal(dma_map_sg(dev, sg, 1, DMA_TO_DEVICE), 1);
			x = map_checked(dev, buf, BIG, DMA_TO_DEVICE);
		}
		assert_true(x == sg_dma_address(sg));
		assert_true(th_dev_holds(dev, x, 4, BIG));
		dma_sync_sg_for_cpu(dev, sg, 1, DMA_TO_DEVICE);
		dma_sync_single_for_cpu(dev, x, BIG, DMA_TO_DEVICE);
		dma_sync_single_for_device(dev, x, BIG, DMA_TO_DEVICE);
		dma_sync_sg_for_device(dev, sg, 1, DMA_TO_DEVICE);
		tu_expect_no_report();

		/* a function neither was mapped with, and a wrong count: one report each */
		dma_unmap_page(dev, x, BIG, DMA_TO_DEVICE);
		tu_expect_report("dma", "wrong function (dma_unmap_page)");
		dma_unmap_sg(dev, sg, 2, DMA_TO_DEVICE);
		tu_expect_report("dma", "(mapped by dma_map_sg, 256 bytes, DMA_TO_DEVICE): wrong "
					"nents (2, mapped 1)");
		assert_int_equal(th_stats().dma_live_mappings, 2);

		if (round == 0) {
			dma_unmap_single(dev, x, BIG, DMA_TO_DEVICE);
			tu_expect_no_report();
			dma_unmap_single(dev, x, BIG, DMA_TO_DEVICE); /* the sg entry is left */
			tu_expect_report("dma", "mapped by dma_map_sg");
			dma_sync_sg_for_cpu(dev, sg, 1, DMA_TO_DEVICE);
			dma_unmap_sg(dev, sg, 1, DMA_TO_DEVICE);
		} else {
			dma_unmap_sg(dev, sg, 1, DMA_TO_DEVICE);
			tu_expect_no_report();
			dma_unmap_sg(dev, sg, 1, DMA_TO_DEVICE); /* the single entry is left */
			tu_expect_report("dma", "mapped by dma_map_single");
			dma_sync_single_for_cpu(dev, x, BIG, DMA_TO_DEVICE);
			dma_unmap_single(dev, x, BIG, DMA_TO_DEVICE);
		}
		tu_expect_no_report();
		assert_int_equal(th_stats().dma_live_mappings, 0);
	}
	minalign_device_destroy(dev);
	tu_expect_no_report();
	kfree(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_sg_lists_share_buffer, th_debug_teardown),
		cmocka_unit_test_teardown(test_singles_share_buffer, th_debug_teardown),
		cmocka_unit_test_teardown(test_single_and_sg_share_buffer, th_debug_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
