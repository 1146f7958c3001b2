/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/device_embed.c - struct device public and embeddable: minalign_device_init() /
 * minalign_device_release() beside create/destroy, the fields drivers read (dma_mask pointing at
 * the device's own mask unless the caller sets it, coherent_dma_mask, bus_dma_limit, dma_parms,
 * parent, init_name, driver_data) and the setters with Linux's semantics (include/linux/
 * dma-mapping.h: dma_set_mask, dma_get_mask, dma_set_max_seg_size, dma_get_max_seg_size,
 * dma_set_seg_boundary, dma_get_seg_boundary, dma_set_min_align_mask; kernel/dma/direct.c:
 * dma_direct_supported; drivers/base/core.c: device_initialize, dev_name).
 */
#include "test_util.h"
#include "dma_helpers.h"

#include <errno.h>
#include <string.h>

/* A bus device as a driver writes it: struct device embedded, not first. */
struct spi_ctlr {
	int bus_num;
	struct device dev;
	u64 platform_dma_mask; /* what platform_device keeps for dev.dma_mask */
};

static void test_embed_defaults(void **state)
{
	struct spi_ctlr c;
	struct minalign_device_info info = {.name = "spi0", .dma_bits = 40};
	struct tu_snapshot snap;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)1 << 20);
	tu_reports_capture();
	tu_snapshot(&snap);
	memset(&c, 0, sizeof(c));
	assert_int_equal(minalign_device_init(&c.dev, &info), 0);
	assert_string_equal(dev_name(&c.dev), "spi0");
	/* dma_mask points at the device's own mask, not at anything of the caller's */
	assert_non_null(c.dev.dma_mask);
	assert_true((void *)c.dev.dma_mask < (void *)&c ||
		    (void *)c.dev.dma_mask >= (void *)(&c + 1));
	assert_int_equal(*c.dev.dma_mask, DMA_BIT_MASK(40));
	assert_int_equal(c.dev.coherent_dma_mask, DMA_BIT_MASK(40));
	assert_int_equal(dma_get_mask(&c.dev), DMA_BIT_MASK(40));
	assert_non_null(c.dev.dma_parms);
	/* unset parms: Linux's defaults (64 KiB segments, no boundary) */
	assert_int_equal(dma_get_max_seg_size(&c.dev), 65536);
	assert_int_equal(dma_get_seg_boundary(&c.dev), ~0UL);
	assert_int_equal(dma_set_max_seg_size(&c.dev, 1u << 20), 0);
	assert_int_equal(c.dev.dma_parms->max_segment_size, 1u << 20);
	assert_int_equal(dma_get_max_seg_size(&c.dev), 1u << 20);
	assert_int_equal(dma_set_seg_boundary(&c.dev, 0xffff), 0);
	assert_int_equal(dma_get_seg_boundary(&c.dev), 0xffff);
	dma_set_min_align_mask(&c.dev, 0x300);
	assert_int_equal(c.dev.dma_parms->min_align_mask, 0x300);
	/* dma_set_mask writes through the pointer */
	assert_int_equal(dma_set_mask(&c.dev, DMA_BIT_MASK(36)), 0);
	assert_int_equal(*c.dev.dma_mask, DMA_BIT_MASK(36));
	dev_set_drvdata(&c.dev, &c);
	assert_ptr_equal(dev_get_drvdata(&c.dev), &c);
	/* it is a full device: devm memory is released at release */
	assert_non_null(devm_kmalloc(&c.dev, 64, GFP_KERNEL));
	assert_int_equal(minalign_device_devres_count(&c.dev), 1);
	minalign_device_release(&c.dev);
	assert_null(c.dev.p);
	assert_null(c.dev.dma_mask); /* pointed at library storage: cleared */
	assert_null(c.dev.dma_parms);
	assert_ptr_equal(c.dev.driver_data, &c); /* the caller's own fields are kept */
	tu_assert_no_leak(&snap);
	/* it may be initialised again */
	assert_int_equal(minalign_device_init(&c.dev, &info), 0);
	minalign_device_release(&c.dev);
	tu_expect_no_report();
	minalign_exit();
}

static void test_embed_caller_fields(void **state)
{
	struct spi_ctlr c;
	struct device parent;
	struct device_dma_parameters parms = {.max_segment_size = 4096};
	struct minalign_device_info info = {.dma_bits = 64};
	struct tu_snapshot snap;
	unsigned char *buf;
	dma_addr_t a;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)1 << 20);
	tu_reports_capture();
	tu_snapshot(&snap);
	memset(&c, 0, sizeof(c));
	memset(&parent, 0, sizeof(parent));
	assert_int_equal(minalign_device_init(&parent, NULL), 0);
	assert_string_equal(dev_name(&parent), "device");
	c.platform_dma_mask = DMA_BIT_MASK(64);
	c.dev.dma_mask = &c.platform_dma_mask;
	c.dev.dma_parms = &parms;
	c.dev.parent = &parent;
	c.dev.init_name = "spi-ctlr.1"; /* the name when the info has none */
	assert_int_equal(minalign_device_init(&c.dev, &info), 0);
	assert_string_equal(dev_name(&c.dev), "spi-ctlr.1");
	assert_ptr_equal(c.dev.dma_mask, &c.platform_dma_mask);
	assert_ptr_equal(c.dev.dma_parms, &parms);
	assert_ptr_equal(c.dev.parent, &parent);
	assert_int_equal(dma_get_max_seg_size(&c.dev), 4096);
	assert_int_equal(dma_set_mask(&c.dev, DMA_BIT_MASK(48)), 0);
	assert_int_equal(c.platform_dma_mask, DMA_BIT_MASK(48));

	/* bus_dma_limit caps the mask: a buffer above it is bounced (dma_capable's
	 * min_not_zero(*dma_mask, bus_dma_limit)) */
	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	assert_non_null(buf);
	a = dma_map_single(&c.dev, buf, 256, DMA_TO_DEVICE);
	assert_int_equal(a, virt_to_phys(buf)); /* direct */
	dma_unmap_single(&c.dev, a, 256, DMA_TO_DEVICE);
	c.dev.bus_dma_limit = virt_to_phys(buf) - 1;
	a = dma_map_single(&c.dev, buf, 256, DMA_TO_DEVICE);
	assert_int_not_equal(a, DMA_MAPPING_ERROR); /* the pool lies below the buffer */
	assert_true(is_swiotlb_buffer(&c.dev, a));
	assert_true(a < virt_to_phys(buf));
	dma_unmap_single(&c.dev, a, 256, DMA_TO_DEVICE);
	c.dev.bus_dma_limit = 0;
	kfree(buf);

	/* NULL dma_mask: dma_set_mask fails with -EIO (Linux: !dev->dma_mask) */
	c.dev.dma_mask = NULL;
	assert_int_equal(dma_set_mask(&c.dev, DMA_BIT_MASK(32)), -EIO);
	assert_int_equal(dma_get_mask(&c.dev), DMA_BIT_MASK(32));
	/* NULL dma_parms: the setters fail with -EIO and one report (Linux's WARN_ON_ONCE) */
	c.dev.dma_parms = NULL;
	assert_int_equal(dma_set_max_seg_size(&c.dev, 4096), -EIO);
	tu_expect_report("dma", "dma_parms");
	assert_int_equal(dma_set_seg_boundary(&c.dev, 4095), -EIO);
	tu_expect_report("dma", "dma_parms");
	assert_int_equal(dma_get_max_seg_size(&c.dev), 65536);
	assert_int_equal(dma_get_min_align_mask(&c.dev), 0);
	minalign_device_release(&c.dev);
	assert_null(c.dev.dma_mask); /* the caller's pointers are left as they were */
	assert_null(c.dev.dma_parms);
	minalign_device_release(&parent);
	tu_assert_no_leak(&snap);
	tu_expect_no_report();
	minalign_exit();
}

static void test_embed_misuse(void **state)
{
	struct device d, copy;
	struct device *created;
	struct tu_snapshot snap;

	(void)state;
	memset(&d, 0, sizeof(d));
	assert_int_equal(minalign_device_init(&d, NULL), -ENODEV);
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)1 << 20);
	tu_reports_capture();
	tu_snapshot(&snap);
	assert_int_equal(minalign_device_init(NULL, NULL), -EINVAL);
	tu_expect_report("device", "NULL device");
	assert_int_equal(minalign_device_init(&d, &(struct minalign_device_info){.dma_bits = 65}),
			 -EINVAL);
	tu_expect_report("device", "dma_bits");
	assert_null(d.p);
	assert_int_equal(minalign_device_init(&d, NULL), 0);
	assert_int_equal(minalign_device_init(&d, NULL), -EBUSY);
	tu_expect_report("device", "already initialised");
	/* a copy of an initialised struct is not a device */
	memcpy(&copy, &d, sizeof(d));
	minalign_device_release(&copy);
	tu_expect_report("device", "not an initialised device");
	/* the wrong teardown for each kind is refused */
	minalign_device_destroy(&d);
	tu_expect_report("device", "minalign_device_init");
	created = th_dev("c", false, 0, false);
	minalign_device_release(created);
	tu_expect_report("device", "minalign_device_create");
	minalign_device_destroy(created);
	minalign_device_release(&d);
	minalign_device_release(&d); /* released: no longer a device */
	tu_expect_report("device", "not an initialised device");
	minalign_device_release(NULL);
	assert_string_equal(dev_name(&d), "(null)");
	/* a released (or never initialised) struct device is refused, never followed */
	{
		unsigned char *buf = kmalloc(64, GFP_KERNEL);
		struct scatterlist sg;

		assert_int_equal(dma_map_single(&d, buf, 64, DMA_TO_DEVICE), DMA_MAPPING_ERROR);
		tu_expect_report("dma", "not a live device");
		sg_init_one(&sg, buf, 64);
		assert_int_equal(dma_map_sg(&d, &sg, 1, DMA_TO_DEVICE), 0);
		tu_expect_report("dma", "not a live device");
		assert_null(dma_alloc_coherent(&d, 64, &(dma_addr_t){0}, GFP_KERNEL));
		tu_expect_report("dma", "not a live device");
		assert_null(devm_kmalloc(&d, 64, GFP_KERNEL));
		tu_expect_report("device", "not a live device");
		assert_int_equal(minalign_dma_write(&d, 0x80000000ULL, buf, 8), -EINVAL);
		tu_expect_report("dma", "not a live device");
		assert_int_equal(dma_set_mask(&d, DMA_BIT_MASK(32)), -EINVAL);
		tu_expect_report("dma", "not a live device");
		assert_int_equal(dma_mapping_error(&d, 0x80000000ULL), 0);
		assert_false(is_swiotlb_buffer(&d, 0x80000000ULL));
		assert_int_equal(minalign_device_devres_count(&d), 0);
		kfree(buf);
	}
	tu_assert_no_leak(&snap);
	tu_expect_no_report();
	minalign_exit();
}

/* Every metadata failure of minalign_device_init() leaves the struct as it was, no leak. */
static void test_embed_faults(void **state)
{
	struct device d;
	struct tu_snapshot snap;
	unsigned long n;
	int err = -1;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)1 << 20);
	tu_reports_capture();
	tu_snapshot(&snap);
	for (n = 1; n < 50 && err; n++) {
		memset(&d, 0, sizeof(d));
		d.init_name = "faulty";
		minalign_fault_set(n, MINALIGN_FAULT_META | MINALIGN_FAULT_PAGE);
		err = minalign_device_init(&d, NULL);
		minalign_fault_set(0, 0);
		if (err) {
			assert_int_equal(err, -ENOMEM);
			assert_null(d.p);
			assert_null(d.dma_mask);
			assert_null(d.dma_parms);
			assert_int_equal(d.minalign_magic, 0);
			tu_assert_no_leak(&snap);
		}
	}
	assert_int_equal(err, 0);
	assert_true(n > 2); /* at least one failure was injected */
	minalign_device_release(&d);
	tu_assert_no_leak(&snap);
	tu_expect_no_report();
	minalign_exit();
}

/*
 * dma_set_mask(DMA_BIT_MASK(32)) succeeds with RAM above 4 GiB (kernel/dma/direct.c:
 * dma_direct_supported accepts every mask of 32 bits or more); the mapping then fails.
 */
static void test_mask_32_above_4g(void **state)
{
	struct minalign_config c;
	struct device d;
	unsigned char *buf;

	(void)state;
	th_config(&c, MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 0);
	c.ram_base = UINT64_C(8) << 30;
	tu_init(&c);
	tu_reports_capture();
	memset(&d, 0, sizeof(d));
	assert_int_equal(minalign_device_init(&d, NULL), 0);
	assert_int_equal(dma_set_mask_and_coherent(&d, DMA_BIT_MASK(32)), 0);
	assert_int_equal(*d.dma_mask, DMA_BIT_MASK(32));
	assert_int_equal(d.coherent_dma_mask, DMA_BIT_MASK(32));
	assert_int_equal(dma_set_mask(&d, DMA_BIT_MASK(30)), -EIO);
	buf = kmalloc(64, GFP_KERNEL);
	assert_int_equal(dma_map_single(&d, buf, 64, DMA_TO_DEVICE), DMA_MAPPING_ERROR);
	assert_true(tu_reports_count() == 1);
	tu_reports_clear();
	kfree(buf);
	minalign_device_release(&d);
	tu_expect_no_report();
	minalign_exit();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_embed_defaults),	 cmocka_unit_test(test_embed_caller_fields),
		cmocka_unit_test(test_embed_misuse),	 cmocka_unit_test(test_embed_faults),
		cmocka_unit_test(test_mask_32_above_4g),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
