/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/device_basic.c - devices: creation, names, masks, release actions, the engine's
 * reach, misuse and metadata failures.
 */
#include "dma_helpers.h"

#include <errno.h>

#include "device/device.h"

static int teardown(void **state)
{
	(void)state;
	tu_reports_release();
	minalign_exit();
	return 0;
}

static void test_create(void **state)
{
	struct minalign_device_info info = {.name = "nic0", .dma_bits = 40};
	struct tu_snapshot snap;
	struct device *dev, *d64;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)1 << 20);
	tu_reports_capture();
	tu_snapshot(&snap);
	dev = minalign_device_create(&info);
	assert_non_null(dev);
	assert_string_equal(dev_name(dev), "nic0");
	assert_int_equal(dma_get_mask(dev), DMA_BIT_MASK(40));
	assert_int_equal(dev->coherent_dma_mask, DMA_BIT_MASK(40));
	assert_non_null(dev->p->dma);
	d64 = minalign_device_create(NULL);
	assert_non_null(d64);
	assert_string_equal(dev_name(d64), "device");
	assert_int_equal(dma_get_mask(d64), DMA_BIT_MASK(64));
	assert_int_equal(DMA_BIT_MASK(64), ~0ULL);
	assert_int_equal(DMA_BIT_MASK(32), 0xffffffffULL);
	minalign_device_destroy(dev);
	minalign_device_destroy(d64);
	minalign_device_destroy(NULL);
	assert_string_equal(dev_name(NULL), "(null)");
	tu_assert_no_leak(&snap);
	tu_expect_no_report();

	info.dma_bits = 65;
	assert_null(minalign_device_create(&info));
	tu_expect_report("device", "dma_bits");
	minalign_exit();
	assert_null(minalign_device_create(&info));
	tu_expect_report("device", "not initialised");
}

static void test_masks(void **state)
{
	struct device *dev;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)1 << 20);
	tu_reports_capture();
	dev = th_dev("d", false, 0, false);
	/* RAM is at 2 GiB..2 GiB+64 MiB, the pool inside it */
	assert_int_equal(dma_set_mask(dev, DMA_BIT_MASK(32)), 0);
	assert_int_equal(dma_get_mask(dev), DMA_BIT_MASK(32));
	assert_int_equal(dma_set_mask(dev, DMA_BIT_MASK(24)), -EIO);
	assert_int_equal(dma_get_mask(dev), DMA_BIT_MASK(32)); /* unchanged */
	assert_int_equal(dma_set_coherent_mask(dev, DMA_BIT_MASK(31)), -EIO);
	assert_int_equal(dma_set_mask_and_coherent(dev, DMA_BIT_MASK(20)), -EIO);
	assert_int_equal(dma_set_mask_and_coherent(dev, DMA_BIT_MASK(33)), 0);
	assert_int_equal(dev->coherent_dma_mask, DMA_BIT_MASK(33));
	assert_int_equal(dma_set_mask(NULL, DMA_BIT_MASK(32)), -EINVAL);
	tu_expect_report("dma", "NULL device");
	assert_int_equal(dma_get_mask(NULL), DMA_BIT_MASK(32));
	minalign_device_destroy(dev);
	minalign_exit();

	/* without a pool a mask must reach some RAM */
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 0);
	dev = th_dev("d", false, 0, false);
	assert_int_equal(dma_set_mask(dev, 0x80000000ull + PAGE_SIZE - 1), 0);
	assert_int_equal(dma_set_mask(dev, 0x7fffffffull), -EIO);
	minalign_device_destroy(dev);
	tu_expect_no_report();
}

static int order_log[8];
static int order_n;

static void act(struct device *dev, void *data)
{
	(void)dev;
	order_log[order_n++] = (int)(intptr_t)data;
}

static void test_release_actions(void **state)
{
	struct tu_snapshot snap;
	struct device *dev;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 0);
	tu_snapshot(&snap);
	dev = th_dev("d", false, 0, false);
	order_n = 0;
	for (int i = 1; i <= 4; i++)
		assert_int_equal(ma_device_add_action(dev, act, (void *)(intptr_t)i), 0);
	assert_int_equal(ma_device_remove_action(dev, act, (void *)(intptr_t)2), 0);
	assert_int_equal(ma_device_remove_action(dev, act, (void *)(intptr_t)2), -ENOENT);
	minalign_device_destroy(dev);
	assert_int_equal(order_n, 3);
	assert_int_equal(order_log[0], 4);
	assert_int_equal(order_log[1], 3);
	assert_int_equal(order_log[2], 1);
	tu_assert_no_leak(&snap);
}

/* Every metadata allocation of device creation can fail; nothing leaks. */
static void test_create_faults(void **state)
{
	struct tu_snapshot snap;
	struct device *dev = NULL;
	unsigned long n;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 0);
	tu_reports_capture();
	tu_snapshot(&snap);
	for (n = 1; n < 20; n++) {
		minalign_fault_set(n, MINALIGN_FAULT_META);
		dev = minalign_device_create(NULL);
		minalign_fault_set(0, 0);
		if (dev)
			break;
		tu_assert_no_leak(&snap);
	}
	assert_true(n >= 4); /* device, name, DMA state, its release action */
	minalign_device_destroy(dev);
	tu_assert_no_leak(&snap);
	tu_expect_no_report();
}

static void test_engine(void **state)
{
	unsigned char buf[16] = {1, 2, 3}, *pg;
	struct device *dev, *coh;
	dma_addr_t a;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 0);
	tu_reports_capture();
	dev = th_dev("d", false, 0, false);
	coh = th_dev("c", true, 0, false);
	pg = th_pages(0);
	a = virt_to_phys(pg);
	/* non-coherent: the device writes RAM behind the cache */
	assert_int_equal(minalign_dma_write(dev, a, buf, 3), 0);
	assert_int_equal(pg[0], 0);
	/* coherent: the CPU sees it at once */
	assert_int_equal(minalign_dma_write(coh, a, buf, 3), 0);
	assert_int_equal(pg[2], 3);
	assert_int_equal(minalign_dma_write(dev, a, buf, 0), 0);
	assert_int_equal(minalign_dma_write(dev, 0x1000, buf, 4), -EFAULT);
	tu_expect_report("dma", "outside RAM");
	assert_int_equal(minalign_dma_read(dev, a + (64u << 20), buf, 4), -EFAULT);
	tu_expect_report("dma", "outside RAM");
	assert_int_equal(minalign_dma_read(NULL, a, buf, 4), -EINVAL);
	tu_expect_report("dma", "NULL device");
	assert_int_equal(minalign_dma_read(dev, a, NULL, 4), -EINVAL);
	tu_expect_report("dma", "NULL buffer");
	free_pages((unsigned long)pg, 0);
	minalign_device_destroy(dev);
	minalign_device_destroy(coh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_create, teardown),
		cmocka_unit_test_teardown(test_masks, teardown),
		cmocka_unit_test_teardown(test_release_actions, teardown),
		cmocka_unit_test_teardown(test_create_faults, teardown),
		cmocka_unit_test_teardown(test_engine, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
