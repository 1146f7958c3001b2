/* SPDX-License-Identifier: MIT */
/*
 * tests/scenario/dma_subrange_sync.c - syncing one mapping in overlapping unaligned sub-ranges
 * (common in network drivers) is not a conflict: a whole line of one sync that is a partial
 * edge line of an earlier sub-range keeps that sub-range's clean point current.  Found by the
 * API fuzzer (tests/fuzz/crashes/sim-overlapping-sync-ranges).  The control at the end shows a
 * real CPU write in the same pattern is still caught.
 */
#include "test_util.h"

#include <string.h>

static struct device *setup(void)
{
	struct minalign_device_info info = {.name = "nic", .coherent = false, .dma_bits = 0};
	struct minalign_config cfg;

	tu_config_small(&cfg);
	tu_init(&cfg);
	tu_reports_capture();
	return minalign_device_create(&info);
}

static void run(bool cpu_writes_outside)
{
	static unsigned char data[8192];
	struct minalign_stats st;
	struct device *d = setup();
	unsigned char *p;
	dma_addr_t a;

	assert_non_null(d);
	p = (unsigned char *)__get_free_pages(GFP_KERNEL, 1);
	assert_non_null(p);
	memset(p, 0x11, 8192);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7 + 3);
	a = dma_map_single(d, p, 8192, DMA_BIDIRECTIONAL);
	assert_int_equal(dma_mapping_error(d, a), 0);
	dma_sync_single_for_cpu(d, a + 7388, 261, DMA_BIDIRECTIONAL);
	dma_sync_single_for_device(d, a + 7388, 261, DMA_BIDIRECTIONAL); /* edges 7296, 7552 */
	assert_int_equal(minalign_dma_write(d, a, data, 8192), 0);
	dma_sync_single_for_cpu(d, a + 7424, 477, DMA_BIDIRECTIONAL); /* 7552 whole here */
	dma_sync_single_for_device(d, a + 7424, 477, DMA_BIDIRECTIONAL);
	if (cpu_writes_outside)
		p[7300] ^= 0xff; /* outside 7388+261, in its head edge line: a real conflict */
	dma_sync_single_for_cpu(d, a + 7388, 261, DMA_BIDIRECTIONAL);
	minalign_get_stats(&st);
	if (cpu_writes_outside) {
		assert_int_equal(st.sim_conflicts, 1);
		tu_expect_report("dma", "written by the CPU");
	} else {
		assert_int_equal(st.sim_conflicts, 0);
		tu_expect_no_report();
		assert_memory_equal(p + 7388, data + 7388, 261);
	}
	dma_unmap_single(d, a, 8192, DMA_BIDIRECTIONAL);
	tu_reports_clear();
	free_pages((unsigned long)p, 1);
	minalign_device_destroy(d);
	tu_reports_release();
	minalign_exit();
}

static void test_overlapping_subranges(void **state)
{
	(void)state;
	run(false);
}

static void test_real_write_still_caught(void **state)
{
	(void)state;
	run(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overlapping_subranges),
		cmocka_unit_test(test_real_write_still_caught),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
