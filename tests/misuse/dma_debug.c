/* SPDX-License-Identifier: MIT */
/*
 * dma_debug - DMA-API debug, the host side: every misuse of unmap, sync and dma_mapping_error()
 * the live-mapping table catches, mappings leaked at device destroy, buffers that are not in
 * RAM, the table's own allocation failing, and silence with debugging off.
 *
 * Each misuse gives exactly its report (subsystem "dma", the device's name), changes nothing
 * (a misused mapping is still live and a correct call afterwards ends it), and a correct
 * map / device DMA / unmap cycle works afterwards.  Direct mappings use kmalloc(256) objects
 * (whole cache lines); bounced ones an 8-byte object mapped FROM_DEVICE (it shares its line).
 */
#include "../unit/dma_helpers.h"

#include <stdlib.h>

#define BIG   256
#define SMALL 8

/* offset_in_page() is <minalign/mm.h>'s (Linux's macro) */

static void start(enum minalign_policy policy, unsigned int debug)
{
	th_debug_start(policy, debug);
}

static void expect_dev(const char *name)
{
	assert_true(tu_reports_count() >= 1);
	assert_string_equal(tu_report_get(0)->device, name);
}

/* A correct cycle in each direction, direct and bounced, with the data right. */
static void still_works(struct device *dev)
{
	uint64_t live = th_stats().dma_live_mappings;
	unsigned char *big = kmalloc(BIG, GFP_KERNEL);
	unsigned char *small = kmalloc(SMALL, GFP_KERNEL);
	dma_addr_t a;

	assert_non_null(big);
	assert_non_null(small);
	th_fill(big, 3, BIG);
	a = dma_map_single(dev, big, BIG, DMA_TO_DEVICE);
	assert_false(dma_mapping_error(dev, a));
	assert_true(th_dev_holds(dev, a, 3, BIG));
	dma_unmap_single(dev, a, BIG, DMA_TO_DEVICE);
	a = dma_map_single(dev, big, BIG, DMA_FROM_DEVICE);
	assert_false(dma_mapping_error(dev, a));
	th_dev_fill(dev, a, 77, BIG);
	dma_unmap_single(dev, a, BIG, DMA_FROM_DEVICE);
	assert_true(th_holds(big, 77, BIG));
	a = dma_map_single(dev, small, SMALL, DMA_FROM_DEVICE);
	assert_false(dma_mapping_error(dev, a));
	th_dev_fill(dev, a, 55, SMALL);
	dma_unmap_single(dev, a, SMALL, DMA_FROM_DEVICE);
	assert_true(th_holds(small, 55, SMALL));
	kfree(big);
	kfree(small);
	assert_int_equal(th_stats().dma_live_mappings, live);
	tu_expect_no_report();
}

static dma_addr_t map_checked(struct device *dev, void *p, size_t n, enum dma_data_direction dir)
{
	dma_addr_t a = dma_map_single(dev, p, n, dir);

	assert_false(dma_mapping_error(dev, a));
	return a;
}

/* ---- unmap of what is not mapped ------------------------------------------------------------ */

static void test_unmap_never_mapped(void **state)
{
	struct device *dev;
	unsigned char *buf;

	(void)state;
	start(MINALIGN_POLICY_BOUNCE, MINALIGN_DEBUG_DMA);
	dev = th_dev("nic", false, 0, false);
	buf = kmalloc(BIG, GFP_KERNEL);
	dma_unmap_single(dev, virt_to_phys(buf), BIG, DMA_TO_DEVICE);
	expect_dev("nic");
	tu_expect_report("dma", "never mapped or already unmapped");
	dma_unmap_single(dev, DMA_MAPPING_ERROR, BIG, DMA_TO_DEVICE);
	tu_expect_report("dma", "DMA_MAPPING_ERROR");
	still_works(dev);
	kfree(buf);
	minalign_device_destroy(dev);
	tu_expect_no_report();
}

static void test_double_unmap(void **state)
{
	struct device *dev;
	unsigned char *big, *small;
	dma_addr_t a, b;

	(void)state;
	start(MINALIGN_POLICY_BOUNCE, MINALIGN_DEBUG_DMA);
	dev = th_dev("nic", false, 0, false);
	big = kmalloc(BIG, GFP_KERNEL);
	small = kmalloc(SMALL, GFP_KERNEL);
	a = map_checked(dev, big, BIG, DMA_FROM_DEVICE);
	b = map_checked(dev, small, SMALL, DMA_FROM_DEVICE);
	assert_false(is_swiotlb_buffer(dev, a));
	assert_true(is_swiotlb_buffer(dev, b));
	dma_unmap_single(dev, a, BIG, DMA_FROM_DEVICE);
	dma_unmap_single(dev, b, SMALL, DMA_FROM_DEVICE);
	tu_expect_no_report();
	dma_unmap_single(dev, a, BIG, DMA_FROM_DEVICE); /* direct: nothing else would notice */
	tu_expect_report("dma", "already unmapped");
	dma_unmap_single(dev, b, SMALL, DMA_FROM_DEVICE); /* bounced: one report, not two */
	tu_expect_report("dma", "already unmapped");
	still_works(dev);
	kfree(big);
	kfree(small);
	minalign_device_destroy(dev);
}

static void test_unmap_inside_mapping(void **state)
{
	struct device *dev;
	unsigned char *big;
	dma_addr_t a;

	(void)state;
	start(MINALIGN_POLICY_BOUNCE, MINALIGN_DEBUG_DMA);
	dev = th_dev("nic", false, 0, false);
	big = kmalloc(BIG, GFP_KERNEL);
	a = map_checked(dev, big, BIG, DMA_TO_DEVICE);
	dma_unmap_single(dev, a + 16, 32, DMA_TO_DEVICE);
	tu_expect_report("dma", "not the start of a live mapping");
	dma_unmap_single(dev, a, BIG, DMA_TO_DEVICE); /* still live */
	tu_expect_no_report();
	still_works(dev);
	kfree(big);
	minalign_device_destroy(dev);
}

/* ---- unmap with the wrong arguments -----------------------------------------------------------
 */

static void test_unmap_wrong_size_dir(void **state)
{
	struct device *dev;
	unsigned char *big, *small;
	dma_addr_t a, b;

	(void)state;
	start(MINALIGN_POLICY_BOUNCE, MINALIGN_DEBUG_DMA);
	dev = th_dev("nic", false, 0, false);
	big = kmalloc(BIG, GFP_KERNEL);
	small = kmalloc(SMALL, GFP_KERNEL);
	a = map_checked(dev, big, BIG, DMA_FROM_DEVICE);
	b = map_checked(dev, small, SMALL, DMA_FROM_DEVICE);
	th_dev_fill(dev, a, 11, BIG);
	th_dev_fill(dev, b, 12, SMALL);
	dma_unmap_single(dev, a, BIG / 2, DMA_FROM_DEVICE);
	tu_expect_report("dma", "wrong size (128)");
	dma_unmap_single(dev, a, BIG, DMA_TO_DEVICE);
	tu_expect_report("dma", "wrong direction (DMA_TO_DEVICE)");
	dma_unmap_single(dev, b, SMALL + 8, DMA_BIDIRECTIONAL); /* both wrong: one report */
	tu_expect_report("dma", "wrong size (16), wrong direction (DMA_BIDIRECTIONAL)");
	assert_int_equal(th_stats().dma_live_mappings, 2);
	/* nothing happened: the correct unmaps bring the device's data back */
	dma_unmap_single(dev, a, BIG, DMA_FROM_DEVICE);
	dma_unmap_single(dev, b, SMALL, DMA_FROM_DEVICE);
	tu_expect_no_report();
	assert_true(th_holds(big, 11, BIG));
	assert_true(th_holds(small, 12, SMALL));
	still_works(dev);
	kfree(big);
	kfree(small);
	minalign_device_destroy(dev);
}

static void test_unmap_wrong_function(void **state)
{
	struct device *dev;
	unsigned char *big;
	struct scatterlist sg[1];
	dma_addr_t a;

	(void)state;
	start(MINALIGN_POLICY_BOUNCE, MINALIGN_DEBUG_DMA);
	dev = th_dev("nic", false, 0, false);
	big = kmalloc(BIG, GFP_KERNEL);
	a = map_checked(dev, big, BIG, DMA_TO_DEVICE);
	dma_unmap_page(dev, a, BIG, DMA_TO_DEVICE);
	tu_expect_report("dma", "wrong function (dma_unmap_page)");
	dma_unmap_single(dev, a, BIG, DMA_TO_DEVICE);
	tu_expect_no_report();

	a = dma_map_page(dev, virt_to_page(big), offset_in_page(big), BIG, DMA_TO_DEVICE);
	assert_false(dma_mapping_error(dev, a));
	dma_unmap_single(dev, a, BIG, DMA_TO_DEVICE);
	tu_expect_report("dma", "mapped by dma_map_page");
	dma_unmap_page(dev, a, BIG, DMA_TO_DEVICE);
	tu_expect_no_report();

	sg_init_one(sg, big, BIG);
	assert_int_equal(dma_map_sg(dev, sg, 1, DMA_TO_DEVICE), 1);
	dma_unmap_single(dev, sg_dma_address(sg), BIG, DMA_TO_DEVICE);
	tu_expect_report("dma", "mapped by dma_map_sg");
	dma_unmap_sg(dev, sg, 1, DMA_TO_DEVICE);
	tu_expect_no_report();
	still_works(dev);
	kfree(big);
	minalign_device_destroy(dev);
}

static void test_unmap_sg_wrong_nents(void **state)
{
	struct device *dev;
	unsigned char *buf[3];
	struct scatterlist sg[3], *s;
	int i;

	(void)state;
	start(MINALIGN_POLICY_BOUNCE, MINALIGN_DEBUG_DMA);
	dev = th_dev("nic", false, 0, false);
	sg_init_table(sg, 3);
	for_each_sg (sg, s, 3, i) {
		buf[i] = kmalloc(i == 1 ? SMALL : BIG, GFP_KERNEL); /* segment 1 bounces */
		sg_set_buf(s, buf[i], i == 1 ? SMALL : BIG);
	}
	assert_int_equal(dma_map_sg(dev, sg, 3, DMA_FROM_DEVICE), 3);
	for_each_sg (sg, s, 3, i)
		th_dev_fill(dev, sg_dma_address(s), (unsigned char)(20 + i), sg_dma_len(s));
	dma_unmap_sg(dev, sg, 2, DMA_FROM_DEVICE);
	tu_expect_report("dma", "wrong nents (2, mapped 3)");
	dma_unmap_sg(dev, sg, 3, DMA_TO_DEVICE);
	tu_expect_report("dma", "wrong direction");
	dma_sync_sg_for_cpu(dev, sg, 2, DMA_FROM_DEVICE);
	tu_expect_report("dma", "wrong nents (2, mapped 3)");
	assert_int_equal(th_stats().dma_live_mappings, 3);
	dma_unmap_sg(dev, sg, 3, DMA_FROM_DEVICE);
	tu_expect_no_report();
	for (i = 0; i < 3; i++) {
		assert_true(th_holds(buf[i], (unsigned char)(20 + i), i == 1 ? SMALL : BIG));
		kfree(buf[i]);
	}
	dma_unmap_sg(dev, sg, 3, DMA_FROM_DEVICE); /* twice: one report for the call */
	tu_expect_report("dma", "already unmapped");
	still_works(dev);
	minalign_device_destroy(dev);
}

/* ---- sync ------------------------------------------------------------------------------------ */

static void test_sync_misuse(void **state)
{
	struct device *dev;
	unsigned char *big, *small;
	dma_addr_t a, b;

	(void)state;
	start(MINALIGN_POLICY_BOUNCE, MINALIGN_DEBUG_DMA);
	dev = th_dev("nic", false, 0, false);
	big = kmalloc(BIG, GFP_KERNEL);
	small = kmalloc(SMALL, GFP_KERNEL);
	a = map_checked(dev, big, BIG, DMA_TO_DEVICE);
	b = map_checked(dev, small, SMALL, DMA_FROM_DEVICE);
	th_fill(small, 1, SMALL);
	th_dev_fill(dev, b, 44, SMALL);

	dma_sync_single_for_cpu(dev, a + BIG - 16, 32, DMA_TO_DEVICE);
	tu_expect_report("dma", "beyond the end of the mapping");
	dma_sync_single_for_device(dev, a, BIG, DMA_FROM_DEVICE);
	tu_expect_report("dma", "wrong direction (DMA_FROM_DEVICE");
	/* a refused sync for the CPU copies nothing back from the bounce buffer */
	dma_sync_single_for_cpu(dev, b, SMALL, DMA_TO_DEVICE);
	tu_expect_report("dma", "wrong direction (DMA_TO_DEVICE");
	dma_sync_single_for_cpu(dev, b, SMALL * 2, DMA_FROM_DEVICE);
	tu_expect_report("dma", "beyond the end");
	assert_true(th_holds(small, 1, SMALL));
	dma_sync_single_for_cpu(dev, b, SMALL, DMA_FROM_DEVICE); /* the right one does */
	tu_expect_no_report();
	assert_true(th_holds(small, 44, SMALL));
	dma_sync_single_for_cpu(dev, a + 64, 64, DMA_TO_DEVICE); /* part of a mapping: fine */
	tu_expect_no_report();

	dma_unmap_single(dev, a, BIG, DMA_TO_DEVICE);
	dma_unmap_single(dev, b, SMALL, DMA_FROM_DEVICE);
	tu_expect_no_report();
	dma_sync_single_for_cpu(dev, a, BIG, DMA_TO_DEVICE);
	tu_expect_report("dma", "not inside a live mapping");
	dma_sync_single_for_device(dev, b, SMALL, DMA_FROM_DEVICE); /* bounced: one report */
	tu_expect_report("dma", "not inside a live mapping");
	still_works(dev);
	kfree(big);
	kfree(small);
	minalign_device_destroy(dev);
}

/* ---- dma_mapping_error() never called ------------------------------------------------------- */

static void test_mapping_error_unchecked(void **state)
{
	struct device *dev;
	unsigned char *big, *small;
	dma_addr_t a, b;

	(void)state;
	start(MINALIGN_POLICY_BOUNCE, MINALIGN_DEBUG_DMA);
	dev = th_dev("nic", false, 0, false);
	big = kmalloc(BIG, GFP_KERNEL);
	small = kmalloc(SMALL, GFP_KERNEL);
	a = dma_map_single(dev, big, BIG, DMA_TO_DEVICE);
	b = dma_map_page(dev, virt_to_page(small), offset_in_page(small), SMALL, DMA_FROM_DEVICE);
	th_dev_fill(dev, b, 66, SMALL);
	dma_unmap_single(dev, a, BIG, DMA_TO_DEVICE);
	tu_expect_report("dma", "dma_mapping_error() was never called");
	dma_unmap_page(dev, b, SMALL, DMA_FROM_DEVICE);
	tu_expect_report("dma", "dma_mapping_error() was never called");
	/* reported, and unmapped all the same (the data came back) */
	assert_true(th_holds(small, 66, SMALL));
	assert_int_equal(th_stats().dma_live_mappings, 0);
	dma_unmap_single(dev, a, BIG, DMA_TO_DEVICE);
	tu_expect_report("dma", "already unmapped");
	still_works(dev);
	kfree(big);
	kfree(small);
	minalign_device_destroy(dev);
}

/* ---- mappings left at device destroy ------------------------------------------------------- */

static void test_leaked_at_destroy(void **state)
{
	struct tu_snapshot snap;
	struct device *dev;
	unsigned char *big, *small, *sgbuf;
	struct scatterlist sg[1];
	uint64_t slots;

	(void)state;
	start(MINALIGN_POLICY_BOUNCE, MINALIGN_DEBUG_DMA);
	big = kmalloc(BIG, GFP_KERNEL);
	small = kmalloc(SMALL, GFP_KERNEL);
	sgbuf = kmalloc(BIG, GFP_KERNEL);
	slots = th_stats().swiotlb_slots_used;
	tu_snapshot(&snap);
	dev = th_dev("leaky", false, 0, false);
	map_checked(dev, big, BIG, DMA_FROM_DEVICE);
	map_checked(dev, small, SMALL, DMA_FROM_DEVICE); /* bounced */
	sg_init_one(sg, sgbuf, BIG);
	assert_int_equal(dma_map_sg(dev, sg, 1, DMA_BIDIRECTIONAL), 1);
	assert_int_equal(th_stats().dma_live_mappings, 3);
	assert_true(th_stats().swiotlb_slots_used > slots);
	minalign_device_destroy(dev);
	assert_int_equal(tu_reports_count(), 3);
	for (unsigned int i = 0; i < 3; i++) {
		assert_string_equal(tu_report_get(i)->subsystem, "dma");
		assert_string_equal(tu_report_get(i)->device, "leaky");
		assert_non_null(strstr(tu_report_get(i)->message, "still live"));
	}
	tu_reports_clear();
	assert_int_equal(th_stats().dma_live_mappings, 0);
	assert_int_equal(th_stats().swiotlb_slots_used, slots);
	tu_assert_no_leak(&snap);
	dev = th_dev("nic", false, 0, false);
	still_works(dev);
	minalign_device_destroy(dev);
	kfree(big);
	kfree(small);
	kfree(sgbuf);
	tu_expect_no_report();
}

/* ---- buffers that are not in RAM ------------------------------------------------------------ */

static unsigned char static_buf[BIG];

static void test_not_in_ram(void **state)
{
	unsigned char stack_buf[BIG];
	unsigned char *heap = malloc(BIG);
	struct scatterlist sg[1];
	struct device *dev;

	(void)state;
	start(MINALIGN_POLICY_BOUNCE, MINALIGN_DEBUG_DMA);
	dev = th_dev("nic", false, 0, false);
	assert_non_null(heap);
	assert_true(dma_mapping_error(dev, dma_map_single(dev, stack_buf, BIG, DMA_FROM_DEVICE)));
	tu_expect_report("dma", "not in RAM");
	assert_true(dma_mapping_error(dev, dma_map_single(dev, static_buf, BIG, DMA_TO_DEVICE)));
	tu_expect_report("dma", "not in RAM");
	assert_true(dma_mapping_error(dev, dma_map_single(dev, heap, BIG, DMA_BIDIRECTIONAL)));
	tu_expect_report("dma", "not in RAM");
	sg_init_one(sg, stack_buf, BIG);
	assert_int_equal(dma_map_sg(dev, sg, 1, DMA_TO_DEVICE), 0);
	tu_expect_report("dma", "not in RAM");
	assert_int_equal(th_stats().dma_live_mappings, 0);
	still_works(dev);
	free(heap);
	minalign_device_destroy(dev);
}

/* ---- the table's own allocation failing ----------------------------------------------------- */

static void test_table_alloc_fails(void **state)
{
	struct tu_snapshot snap;
	struct device *dev;
	unsigned char *big;
	dma_addr_t a, a32[32];

	(void)state;
	start(MINALIGN_POLICY_BOUNCE, MINALIGN_DEBUG_DMA);
	big = kmalloc(BIG, GFP_KERNEL);
	dev = th_dev("warm-up", false, 0, false); /* the slabs still_works() uses */
	still_works(dev);
	minalign_device_destroy(dev);
	tu_snapshot(&snap);
	/* the per-device table itself: device creation fails cleanly */
	for (unsigned long n = 1;; n++) {
		minalign_fault_set(n, MINALIGN_FAULT_META);
		dev = minalign_device_create(NULL);
		minalign_fault_set(0, 0);
		if (dev)
			break;
		tu_assert_no_leak(&snap);
	}
	/* the table holds the first 32 mappings; the 33rd needs entries: it fails cleanly, without
	 * a report, and the 32 are intact */
	for (int i = 0; i < 32; i++)
		a32[i] = map_checked(dev, big + 8 * i, 8, DMA_TO_DEVICE);
	minalign_fault_set(1, MINALIGN_FAULT_META);
	a = dma_map_single(dev, big, BIG, DMA_TO_DEVICE);
	assert_int_equal(minalign_fault_hits(), 1);
	minalign_fault_set(0, 0);
	assert_true(dma_mapping_error(dev, a));
	tu_expect_no_report();
	assert_int_equal(th_stats().dma_live_mappings, 32);
	a = map_checked(dev, big, BIG, DMA_TO_DEVICE); /* now it can have more */
	dma_unmap_single(dev, a, BIG, DMA_TO_DEVICE);
	for (int i = 0; i < 32; i++)
		dma_unmap_single(dev, a32[i], 8, DMA_TO_DEVICE);
	tu_expect_no_report();
	still_works(dev);
	minalign_device_destroy(dev);
	tu_assert_no_leak(&snap);
	kfree(big);
}

/* ---- debugging off: none of these is noticed ------------------------------------------------ */

static void test_debug_off_is_silent(void **state)
{
	struct device *dev;
	unsigned char *big, *nb;
	dma_addr_t a;

	(void)state;
	start(MINALIGN_POLICY_BOUNCE, 0);
	dev = th_dev("nic", false, 0, false);
	big = kmalloc(BIG, GFP_KERNEL);
	nb = kmalloc(BIG, GFP_KERNEL);
	dma_unmap_single(dev, virt_to_phys(big), BIG, DMA_TO_DEVICE); /* never mapped */
	a = dma_map_single(dev, big, BIG, DMA_FROM_DEVICE);	      /* never checked */
	dma_sync_single_for_cpu(dev, a, BIG, DMA_TO_DEVICE);	      /* wrong direction */
	assert_int_equal(minalign_dma_write(dev, virt_to_phys(nb), "x", 1), 0); /* unmapped */
	dma_unmap_single(dev, a, BIG, DMA_FROM_DEVICE);
	dma_unmap_single(dev, a, BIG, DMA_FROM_DEVICE); /* twice */
	a = dma_map_single(dev, big, BIG, DMA_TO_DEVICE);
	assert_int_equal(minalign_dma_write(dev, a, "x", 1), 0); /* against the direction */
	minalign_device_destroy(dev);				 /* with the mapping live */
	tu_expect_no_report();
	kfree(big);
	kfree(nb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_unmap_never_mapped, th_debug_teardown),
		cmocka_unit_test_teardown(test_double_unmap, th_debug_teardown),
		cmocka_unit_test_teardown(test_unmap_inside_mapping, th_debug_teardown),
		cmocka_unit_test_teardown(test_unmap_wrong_size_dir, th_debug_teardown),
		cmocka_unit_test_teardown(test_unmap_wrong_function, th_debug_teardown),
		cmocka_unit_test_teardown(test_unmap_sg_wrong_nents, th_debug_teardown),
		cmocka_unit_test_teardown(test_sync_misuse, th_debug_teardown),
		cmocka_unit_test_teardown(test_mapping_error_unchecked, th_debug_teardown),
		cmocka_unit_test_teardown(test_leaked_at_destroy, th_debug_teardown),
		cmocka_unit_test_teardown(test_not_in_ram, th_debug_teardown),
		cmocka_unit_test_teardown(test_table_alloc_fails, th_debug_teardown),
		cmocka_unit_test_teardown(test_debug_off_is_silent, th_debug_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
