/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/dma_bounce_rules.c - which mappings bounce, per policy, rule and device, and the
 * statistics that count the exact and Linux verdicts; the direct path's cache maintenance;
 * argument misuse.
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

static void setup_policy(enum minalign_policy policy, size_t pool, bool linux_rule)
{
	struct minalign_config c;

	th_config(&c, policy, MINALIGN_SIM_LOSE_CPU_WRITES, pool);
	c.bounce_linux_rule = linux_rule;
	tu_init(&c);
	tu_reports_capture();
}

/* Map @p for @dev, report whether it bounced, check the data arrives, unmap. */
static bool maps_bounced(struct device *dev, void *p, size_t n, enum dma_data_direction dir)
{
	dma_addr_t a;
	bool bounced;

	th_fill(p, 3, n);
	a = dma_map_single(dev, p, n, dir);
	assert_int_not_equal(a, DMA_MAPPING_ERROR);
	bounced = is_swiotlb_buffer(dev, a);
	assert_true(bounced || a == virt_to_phys(p));
	if (dir != DMA_FROM_DEVICE)
		assert_true(th_dev_holds(dev, a, 3, n));
	if (dir != DMA_TO_DEVICE)
		th_dev_fill(dev, a, 77, n);
	dma_unmap_single(dev, a, n, dir);
	assert_true(th_holds(p, dir == DMA_TO_DEVICE ? 3 : 77, n));
	return bounced;
}

static void expect_counts(uint64_t exact, uint64_t linux_rule)
{
	struct minalign_stats st = th_stats();

	assert_int_equal(st.bounce_exact, exact);
	assert_int_equal(st.bounce_linux, linux_rule);
}

static void test_to_device_and_coherent_never(void **state)
{
	struct device *dev, *coh;
	void *buf, *nb;

	(void)state;
	setup_policy(MINALIGN_POLICY_BOUNCE, (size_t)1 << 20, false);
	dev = th_dev("nc", false, 0, false);
	coh = th_dev("coh", true, 0, false);
	assert_true(th_pair(16, GFP_KERNEL, &buf, &nb));
	assert_false(maps_bounced(dev, buf, 16, DMA_TO_DEVICE));
	assert_false(maps_bounced(coh, buf, 16, DMA_FROM_DEVICE));
	assert_false(maps_bounced(coh, buf, 16, DMA_BIDIRECTIONAL));
	expect_counts(0, 0); /* neither is an inbound non-coherent mapping */
	assert_true(maps_bounced(dev, buf, 16, DMA_FROM_DEVICE));
	assert_true(maps_bounced(dev, buf, 16, DMA_BIDIRECTIONAL));
	expect_counts(2, 2);
	assert_int_equal(th_stats().dma_maps, 5);
	assert_int_equal(th_stats().bounce_maps, 2);
	assert_int_equal(th_stats().bounce_addressing, 0);
	kfree(buf);
	kfree(nb);
	minalign_device_destroy(dev);
	minalign_device_destroy(coh);
	tu_expect_no_report();
}

static void test_line_owning_objects(void **state)
{
	struct device *dev;
	unsigned char *big;
	void *o256, *o128;

	(void)state;
	setup_policy(MINALIGN_POLICY_BOUNCE, (size_t)1 << 20, false);
	dev = th_dev("nc", false, 0, false);
	o256 = kmalloc(256, GFP_KERNEL);
	o128 = kmalloc(128, GFP_KERNEL);
	big = kmalloc(1024, GFP_KERNEL);
	assert_false(maps_bounced(dev, o256, 256, DMA_FROM_DEVICE));
	assert_false(maps_bounced(dev, o256, 200, DMA_FROM_DEVICE)); /* tail line is its own */
	assert_false(maps_bounced(dev, o128, 100, DMA_BIDIRECTIONAL));
	expect_counts(0, 0);
	/* inside one object: the edge bytes are the object's own, so it is safe; Linux's size
	 * rule (40 -> kmalloc-64) would bounce it */
	assert_false(maps_bounced(dev, big + 8, 40, DMA_FROM_DEVICE));
	expect_counts(0, 1);
	kfree(o256);
	kfree(o128);
	kfree(big);
	minalign_device_destroy(dev);
	minalign_exit();

	/* LEGACY: every small object owns its line */
	setup_policy(MINALIGN_POLICY_LEGACY, (size_t)1 << 20, false);
	dev = th_dev("nc", false, 0, false);
	o128 = kmalloc(8, GFP_KERNEL);
	assert_int_equal((uintptr_t)o128 % LINE, 0);
	assert_false(maps_bounced(dev, o128, 8, DMA_FROM_DEVICE));
	expect_counts(0, 0);
	kfree(o128);
	minalign_device_destroy(dev);
	tu_expect_no_report();
}

static void test_page_buffers(void **state)
{
	struct device *dev;
	unsigned char *pg;

	(void)state;
	setup_policy(MINALIGN_POLICY_BOUNCE, (size_t)1 << 20, false);
	dev = th_dev("nc", false, 0, false);
	pg = th_pages(1);
	assert_false(maps_bounced(dev, pg, PAGE_SIZE, DMA_FROM_DEVICE));
	assert_false(maps_bounced(dev, pg + LINE, 3 * LINE, DMA_BIDIRECTIONAL));
	expect_counts(0, 0);
	/* any unaligned end of non-slab memory is unsafe; Linux misses the large one */
	assert_true(maps_bounced(dev, pg + 8, 2 * LINE, DMA_FROM_DEVICE));
	assert_true(maps_bounced(dev, pg, 64, DMA_FROM_DEVICE));
	assert_true(maps_bounced(dev, pg + LINE + 1, 600, DMA_BIDIRECTIONAL));
	expect_counts(3, 1);
	free_pages((unsigned long)pg, 1);
	minalign_device_destroy(dev);
	tu_expect_no_report();
}

/* LEGACY, PACKED and NAIVE never bounce for alignment, but count the verdicts. */
static void test_policies_that_never_bounce(void **state)
{
	static const enum minalign_policy pol[] = {MINALIGN_POLICY_LEGACY, MINALIGN_POLICY_PACKED,
						   MINALIGN_POLICY_NAIVE};

	(void)state;
	for (unsigned int i = 0; i < 3; i++) {
		struct device *dev, *force;
		unsigned char *pg;

		setup_policy(pol[i], (size_t)1 << 20, false);
		dev = th_dev("nc", false, 0, false);
		force = th_dev("force", false, 0, true);
		pg = th_pages(0);
		assert_false(maps_bounced(dev, pg + 8, 16, DMA_FROM_DEVICE));
		/* Linux's rule rounds 16 up to the policy's kmalloc class: 128 unless NAIVE */
		expect_counts(1, pol[i] == MINALIGN_POLICY_NAIVE);
		/* addressing and force_bounce bounce in every policy */
		assert_true(maps_bounced(force, pg, 16, DMA_TO_DEVICE));
		free_pages((unsigned long)pg, 0);
		minalign_device_destroy(dev);
		minalign_device_destroy(force);
		tu_expect_no_report();
		minalign_exit();
	}
}

static void test_linux_rule_acting(void **state)
{
	struct device *dev;
	unsigned char *pg, *big;

	(void)state;
	setup_policy(MINALIGN_POLICY_BOUNCE, (size_t)1 << 20, true);
	dev = th_dev("nc", false, 0, false);
	pg = th_pages(0);
	big = kmalloc(1024, GFP_KERNEL);
	assert_false(maps_bounced(dev, pg + 8, 2 * LINE, DMA_FROM_DEVICE)); /* Linux: safe size */
	assert_true(maps_bounced(dev, big + 8, 40, DMA_FROM_DEVICE));	    /* Linux: small */
	expect_counts(1, 1);
	kfree(big);
	free_pages((unsigned long)pg, 0);
	minalign_device_destroy(dev);
	tu_expect_no_report();
}

/* BOUNCE without a pool: kmalloc is line-aligned, and an unsafe mapping fails loudly. */
static void test_bounce_without_pool(void **state)
{
	struct device *dev;
	unsigned char *pg;
	void *o;

	(void)state;
	setup_policy(MINALIGN_POLICY_BOUNCE, 0, false);
	dev = th_dev("nc", false, 0, false);
	o = kmalloc(8, GFP_KERNEL);
	assert_int_equal((uintptr_t)o % LINE, 0);
	assert_false(maps_bounced(dev, o, 8, DMA_FROM_DEVICE));
	pg = th_pages(0);
	assert_int_equal(dma_map_single(dev, pg + 8, 16, DMA_FROM_DEVICE), DMA_MAPPING_ERROR);
	tu_expect_report("dma", "no bounce pool");
	assert_int_equal(th_stats().dma_map_failures, 1);
	assert_int_equal(th_stats().dma_live_mappings, 0);
	kfree(o);
	free_pages((unsigned long)pg, 0);
	minalign_device_destroy(dev);
}

static void test_dma_opt_in(void **state)
{
	struct device *dev;
	void *buf, *nb, *d;

	(void)state;
	setup_policy(MINALIGN_POLICY_DMA_OPT_IN, (size_t)1 << 20, false);
	dev = th_dev("nc", false, 0, false);
	d = kmalloc(8, GFP_KERNEL | GFP_DMA);
	assert_int_equal((uintptr_t)d % LINE, 0);
	assert_false(maps_bounced(dev, d, 8, DMA_FROM_DEVICE));
	expect_counts(0, 1);
	/* a missing opt-in is bounced as a safety net, and counted */
	assert_true(th_pair(8, GFP_KERNEL, &buf, &nb));
	assert_true(maps_bounced(dev, buf, 8, DMA_FROM_DEVICE));
	expect_counts(1, 2);
	kfree(buf);
	kfree(nb);
	kfree(d);
	minalign_device_destroy(dev);
	tu_expect_no_report();
}

/* The direct path cleans for the device and invalidates for the CPU. */
static void test_direct_maintenance(void **state)
{
	struct device *dev;
	unsigned char *pg;
	dma_addr_t a;

	(void)state;
	setup_policy(MINALIGN_POLICY_BOUNCE, (size_t)1 << 20, false);
	dev = th_dev("nc", false, 0, false);
	pg = th_pages(0);
	th_fill(pg, 1, PAGE_SIZE);
	assert_false(th_dev_holds(dev, virt_to_phys(pg), 1, 256)); /* still in the cache */
	a = dma_map_single(dev, pg, PAGE_SIZE, DMA_TO_DEVICE);
	assert_true(th_dev_holds(dev, a, 1, PAGE_SIZE));
	dma_unmap_single(dev, a, PAGE_SIZE, DMA_TO_DEVICE);

	a = dma_map_single(dev, pg, PAGE_SIZE, DMA_FROM_DEVICE);
	th_dev_fill(dev, a, 2, PAGE_SIZE);
	dma_sync_single_for_cpu(dev, a, PAGE_SIZE, DMA_FROM_DEVICE);
	assert_true(th_holds(pg, 2, PAGE_SIZE));
	dma_sync_single_for_device(dev, a, PAGE_SIZE, DMA_FROM_DEVICE);
	th_dev_fill(dev, a, 3, PAGE_SIZE);
	assert_true(th_holds(pg, 2, PAGE_SIZE)); /* not yet the CPU's */
	dma_unmap_single(dev, a, PAGE_SIZE, DMA_FROM_DEVICE);
	assert_true(th_holds(pg, 3, PAGE_SIZE));

	/* dma_map_page: the same, by page and offset */
	th_fill(pg + 2 * LINE, 4, LINE);
	a = dma_map_page(dev, virt_to_page(pg), 2 * LINE, LINE, DMA_BIDIRECTIONAL);
	assert_int_equal(a, virt_to_phys(pg) + 2 * LINE);
	assert_true(th_dev_holds(dev, a, 4, LINE));
	th_dev_fill(dev, a, 5, LINE);
	dma_unmap_page(dev, a, LINE, DMA_BIDIRECTIONAL);
	assert_true(th_holds(pg + 2 * LINE, 5, LINE));
	assert_int_equal(th_stats().dma_live_mappings, 0);
	free_pages((unsigned long)pg, 0);
	minalign_device_destroy(dev);
	tu_expect_no_report();
}

static void test_misuse(void **state)
{
	struct device *dev;
	unsigned char *pg, local[32];

	(void)state;
	setup_policy(MINALIGN_POLICY_BOUNCE, (size_t)1 << 20, false);
	dev = th_dev("nc", false, 0, false);
	pg = th_pages(0);
	assert_int_equal(dma_map_single(NULL, pg, 8, DMA_TO_DEVICE), DMA_MAPPING_ERROR);
	tu_expect_report("dma", "NULL device");
	assert_int_equal(dma_map_single(dev, pg, 8, DMA_NONE), DMA_MAPPING_ERROR);
	tu_expect_report("dma", "invalid direction");
	assert_int_equal(dma_map_single(dev, pg, 0, DMA_TO_DEVICE), DMA_MAPPING_ERROR);
	tu_expect_report("dma", "zero-length");
	assert_int_equal(dma_map_single(dev, local, 8, DMA_TO_DEVICE), DMA_MAPPING_ERROR);
	tu_expect_report("dma", "not in RAM");
	assert_int_equal(dma_map_page(dev, (struct page *)local, 0, 8, DMA_TO_DEVICE),
			 DMA_MAPPING_ERROR);
	tu_expect_report("dma", "not a page of RAM");
	assert_int_equal(dma_map_page(dev, virt_to_page(pg), 64u << 20, 8, DMA_TO_DEVICE),
			 DMA_MAPPING_ERROR);
	tu_expect_report("dma", "past RAM");
	assert_int_equal(th_stats().dma_map_failures, 6);
	dma_unmap_single(dev, 0x1000, 8, DMA_TO_DEVICE);
	tu_expect_report("dma", "not a mapping of RAM");
	dma_sync_single_for_cpu(dev, DMA_MAPPING_ERROR, 8, DMA_FROM_DEVICE);
	tu_expect_report("dma", "DMA_MAPPING_ERROR");
	dma_unmap_single(dev, virt_to_phys(pg), 8, (enum dma_data_direction)7);
	tu_expect_report("dma", "invalid direction");
	assert_int_equal(dma_mapping_error(dev, virt_to_phys(pg)), 0);
	free_pages((unsigned long)pg, 0);
	minalign_device_destroy(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_to_device_and_coherent_never, teardown),
		cmocka_unit_test_teardown(test_line_owning_objects, teardown),
		cmocka_unit_test_teardown(test_page_buffers, teardown),
		cmocka_unit_test_teardown(test_policies_that_never_bounce, teardown),
		cmocka_unit_test_teardown(test_linux_rule_acting, teardown),
		cmocka_unit_test_teardown(test_bounce_without_pool, teardown),
		cmocka_unit_test_teardown(test_dma_opt_in, teardown),
		cmocka_unit_test_teardown(test_direct_maintenance, teardown),
		cmocka_unit_test_teardown(test_misuse, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
