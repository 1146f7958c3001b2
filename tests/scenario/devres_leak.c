/* SPDX-License-Identifier: MIT */
/*
 * tests/scenario/devres_leak.c - a driver destroys its device with devm_kmalloc() buffers still
 * mapped.  Release order matters here: the devres entries (newest first) free the buffers, and
 * only then does the DMA layer's teardown (the device's oldest entry) find the live mappings,
 * report each once and unmap them without a sync.  So nothing is written into the freed buffers
 * (slab debug poison intact: no copy-back from a bounce slot, no invalidate of their lines), the
 * bounce slots come back, and nothing leaks.  Bounced (BOUNCE) and direct (LEGACY) mappings,
 * both victim modes.
 */
#include "../unit/dma_helpers.h"

#include <stdio.h>

#include "device/device.h"
#include "slab/slab.h"

struct sc {
	enum minalign_policy policy;
	enum minalign_sim_victim victim;
};

static int sc_setup(void **state)
{
	const struct sc *p = *state;
	struct minalign_config c;

	th_config(&c, p->policy, p->victim, (size_t)1 << 20);
	c.debug = MINALIGN_DEBUG_DMA | MINALIGN_DEBUG_SLAB;
	tu_init(&c);
	tu_reports_capture();
	return 0;
}

static int sc_teardown(void **state)
{
	(void)state;
	tu_reports_release();
	minalign_exit();
	return 0;
}

static void test_destroy_mapped(void **state)
{
	const struct sc *p = *state;
	struct tu_snapshot snap;
	struct device *dev;
	unsigned char *rx, *tx, *nb;
	dma_addr_t a_rx, a_tx;
	uint64_t used0;

	minalign_slab_shrink();
	tu_snapshot(&snap);
	used0 = th_stats().swiotlb_slots_used;
	nb = kmalloc(24, GFP_KERNEL); /* a neighbour that outlives the device */
	assert_non_null(nb);
	memset(nb, 0x77, 24);
	dev = th_dev("leaky", false, 0, false);
	rx = devm_kmalloc(dev, 24, GFP_KERNEL);
	tx = devm_kmalloc(dev, 200, GFP_KERNEL);
	assert_non_null(rx);
	assert_non_null(tx);
	th_fill(rx, 1, 24);
	th_fill(tx, 2, 200);
	a_rx = dma_map_single(dev, rx, 24, DMA_FROM_DEVICE);
	a_tx = dma_map_single(dev, tx, 200, DMA_TO_DEVICE);
	assert_int_equal(dma_mapping_error(dev, a_rx), 0);
	assert_int_equal(dma_mapping_error(dev, a_tx), 0);
	assert_int_equal(is_swiotlb_buffer(dev, a_rx), p->policy == MINALIGN_POLICY_BOUNCE);
	th_dev_fill(dev, a_rx, 90, 24);
	tu_expect_no_report();

	minalign_device_destroy(dev);

	/* one report per live mapping, from the DMA layer, after devres ran */
	assert_int_equal(tu_reports_count(), 2);
	for (unsigned int i = 0; i < 2; i++) {
		assert_string_equal(tu_report_get(i)->subsystem, "dma");
		assert_non_null(strstr(tu_report_get(i)->message, "still live"));
	}
	tu_reports_clear();
	/* no write reached the freed buffers (their poison is intact), none the neighbour */
	assert_int_equal(ma_slab_validate(), 0);
	for (int i = 0; i < 24; i++)
		assert_int_equal(nb[i], 0x77);
	assert_int_equal(th_stats().swiotlb_slots_used, used0);
	assert_int_equal(th_stats().devres_live, 0);
	kfree(nb);
	minalign_slab_shrink();
	tu_assert_no_leak(&snap);
	tu_expect_no_report();
}

static const struct sc cases[] = {
	{MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES},
	{MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_DEVICE_WRITES},
	{MINALIGN_POLICY_LEGACY, MINALIGN_SIM_LOSE_CPU_WRITES},
	{MINALIGN_POLICY_LEGACY, MINALIGN_SIM_LOSE_DEVICE_WRITES},
};

int main(void)
{
	struct CMUnitTest tests[MA_ARRAY_SIZE(cases)];
	static char names[MA_ARRAY_SIZE(cases)][64];

	for (unsigned int i = 0; i < MA_ARRAY_SIZE(cases); i++) {
		snprintf(names[i], sizeof(names[i]), "devres_leak/%s/%s",
			 minalign_policy_name(cases[i].policy),
			 cases[i].victim == MINALIGN_SIM_LOSE_CPU_WRITES ? "lose_cpu" : "lose_dev");
		tests[i] = (struct CMUnitTest){names[i], test_destroy_mapped, sc_setup, sc_teardown,
					       (void *)&cases[i]};
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
