/* SPDX-License-Identifier: MIT */
/*
 * init_fault - minalign_init() with its 1st, 2nd, ... Nth page or metadata allocation failing,
 * until it succeeds, for configurations that allocate differently: every policy, slab and DMA
 * debug, no bounce pool, a pool made of several buddy blocks, dynamic pools (the worker
 * thread), RAM above 4 GiB, the coherent cache model; one failure at a time and every
 * allocation from the Nth on (MINALIGN_FAULT_PERSIST).  A failed init returns -ENOMEM, is not
 * initialised, leaves no metadata and makes no report; a successful one runs a small workload
 * (kmalloc, a device, a bounced mapping) and exits clean.  (slab_fault.c walks the default
 * configuration; swiotlb_pool.c a 6 MiB pool.)
 */
#include "../unit/dma_helpers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static void workload(void)
{
	struct device *dev = th_dev("after-init", false, 0, false);
	unsigned char *p = kmalloc(24, GFP_KERNEL), *q = kmalloc(24, GFP_KERNEL);
	dma_addr_t a;

	assert_non_null(p);
	assert_non_null(q);
	th_fill(p, 1, 24);
	a = dma_map_single(dev, p, 24, DMA_BIDIRECTIONAL);
	if (!dma_mapping_error(dev, a)) {
		th_dev_fill(dev, a, 2, 24);
		dma_unmap_single(dev, a, 24, DMA_BIDIRECTIONAL);
		assert_true(th_holds(p, 2, 24));
	} else {
		tu_reports_clear(); /* a configuration without a pool refuses the bounce */
	}
	kfree(p);
	kfree(q);
	minalign_device_destroy(dev);
}

/* Walk one configuration; returns the number of failing inits. */
static unsigned long walk(const struct minalign_config *c, unsigned int kinds)
{
	unsigned long n;

	for (n = 1; n < 5000; n++) {
		unsigned long hits;
		int err;

		tu_reports_clear();
		minalign_fault_set(n, kinds);
		err = minalign_init(c);
		hits = minalign_fault_hits();
		minalign_fault_set(0, 0);
		tu_expect_no_report();
		if (err) {
			assert_int_equal(err, -ENOMEM);
			assert_true(hits > 0);
			assert_false(minalign_initialized());
			assert_int_equal(th_stats().meta_live, 0);
			continue;
		}
		workload();
		tu_expect_no_report();
		minalign_exit();
		assert_int_equal(th_stats().meta_live, 0);
		if (!hits)
			return n - 1;
	}
	fail_msg("minalign_init still hitting faults after %lu attempts", n);
	return 0;
}

static void walk_both(const struct minalign_config *c, const char *what)
{
	unsigned long one = walk(c, MINALIGN_FAULT_PAGE | MINALIGN_FAULT_META);
	unsigned long all =
		walk(c, MINALIGN_FAULT_PAGE | MINALIGN_FAULT_META | MINALIGN_FAULT_PERSIST);

	if (getenv("FW_VERBOSE"))
		fprintf(stderr, "init (%s): %lu failure points, %lu from-n\n", what, one, all);
	assert_true(one > 3);
	assert_int_equal(one, all); /* the same points: init stops at the first failure */
}

static void test_policies(void **state)
{
	struct minalign_config c;

	(void)state;
	tu_reports_capture();
	for (int p = 0; p < MINALIGN_NR_POLICIES; p++) {
		th_config(&c, (enum minalign_policy)p, MINALIGN_SIM_LOSE_CPU_WRITES,
			  (size_t)1 << 20);
		walk_both(&c, minalign_policy_name((enum minalign_policy)p));
	}
	tu_reports_release();
}

static void test_debug(void **state)
{
	struct minalign_config c;

	(void)state;
	tu_reports_capture();
	th_config(&c, MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)1 << 20);
	c.debug = MINALIGN_DEBUG_DMA | MINALIGN_DEBUG_SLAB;
	walk_both(&c, "debug");
	tu_reports_release();
}

static void test_pools(void **state)
{
	struct minalign_config c;

	(void)state;
	tu_reports_capture();
	th_config(&c, MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 0);
	walk_both(&c, "no pool");
	th_config(&c, MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)9 << 20);
	walk_both(&c, "9 MiB pool");
	th_config(&c, MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)64 << 10);
	c.swiotlb_dynamic = true;
	walk_both(&c, "dynamic");
	tu_reports_release();
}

static void test_machines(void **state)
{
	struct minalign_config c;

	(void)state;
	tu_reports_capture();
	th_config(&c, MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)1 << 20);
	c.ram_base = (uint64_t)1 << 32;
	walk_both(&c, "RAM above 4 GiB");
	th_config(&c, MINALIGN_POLICY_NAIVE, MINALIGN_SIM_LOSE_DEVICE_WRITES, (size_t)1 << 20);
	c.cache_model = MINALIGN_CACHE_COHERENT;
	c.cache_line = 32;
	walk_both(&c, "coherent model");
	tu_reports_release();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policies),
		cmocka_unit_test(test_debug),
		cmocka_unit_test(test_pools),
		cmocka_unit_test(test_machines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
