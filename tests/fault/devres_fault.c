/* SPDX-License-Identifier: MIT */
/*
 * devres_fault - every page and metadata allocation failure point of the devm_* allocators,
 * devm_add_action(_or_reset), devres_alloc and dmam_alloc_coherent, walked the SQLite way: fail
 * the 1st allocation, then the 2nd, ... until the call succeeds.  Each failure returns NULL or
 * -ENOMEM without a report, leaks nothing, and leaves the device exactly as it was (same
 * entries, list consistent, the older resources intact and released at destroy).  Run on a
 * device that already holds resources, with and without slab debug.
 */
#include "test_util.h"

#include <errno.h>
#include <string.h>

#include "device/device.h"
#include "walk.h" /* fw_start, fw_teardown */
#include "slab/slab.h"

#define FAULTS (MINALIGN_FAULT_PAGE | MINALIGN_FAULT_META)

/* One call under test: returns the resource (NULL = failed); @undo frees it by hand or not. */
struct op {
	const char *name;
	void *(*call)(struct device *dev, const struct op *op);
	size_t size;
	unsigned int min_points; /* failure points the walk must find */
};

static int action_runs;

static void action(void *data)
{
	(void)data;
	action_runs++;
}

static void *op_kmalloc(struct device *dev, const struct op *op)
{
	return devm_kmalloc(dev, op->size, GFP_KERNEL);
}

static void *op_kzalloc(struct device *dev, const struct op *op)
{
	unsigned char *p = devm_kzalloc(dev, op->size, GFP_KERNEL);

	for (size_t i = 0; p && i < op->size; i++)
		assert_int_equal(p[i], 0);
	return p;
}

static void *op_kcalloc(struct device *dev, const struct op *op)
{
	return devm_kcalloc(dev, op->size / 8, 8, GFP_DMA);
}

static void *op_kstrdup(struct device *dev, const struct op *op)
{
	char *p = devm_kstrdup(dev, "a device-managed string", GFP_KERNEL);

	(void)op;
	if (p)
		assert_string_equal(p, "a device-managed string");
	return p;
}

static void *op_action(struct device *dev, const struct op *op)
{
	(void)op;
	return devm_add_action(dev, action, NULL) ? NULL : (void *)&action_runs;
}

/* Fails like devm_add_action, but the action must have run exactly once then. */
static void *op_action_or_reset(struct device *dev, const struct op *op)
{
	int before = action_runs;
	int err = devm_add_action_or_reset(dev, action, NULL);

	(void)op;
	if (err) {
		assert_int_equal(err, -ENOMEM);
		assert_int_equal(action_runs, before + 1);
		return NULL;
	}
	assert_int_equal(action_runs, before);
	return (void *)&action_runs;
}

static void dr_release(struct device *dev, void *res)
{
	(void)dev;
	(void)res;
}

static void *op_devres(struct device *dev, const struct op *op)
{
	void *r = devres_alloc(dr_release, op->size, GFP_KERNEL);

	if (r)
		devres_add(dev, r);
	return r;
}

static void *op_dmam(struct device *dev, const struct op *op)
{
	dma_addr_t h;

	return dmam_alloc_coherent(dev, op->size, &h, GFP_KERNEL);
}

static const struct op ops[] = {
	{"devm_kmalloc 24", op_kmalloc, 24, 2},
	{"devm_kmalloc 700", op_kmalloc, 700, 2},
	{"devm_kmalloc 20000", op_kmalloc, 20000, 2},
	{"devm_kzalloc 200", op_kzalloc, 200, 2},
	{"devm_kcalloc GFP_DMA", op_kcalloc, 96, 2},
	{"devm_kstrdup", op_kstrdup, 0, 2},
	{"devm_add_action", op_action, 0, 1},
	{"devm_add_action_or_reset", op_action_or_reset, 0, 1},
	{"devres_alloc", op_devres, 64, 1},
	{"dmam_alloc_coherent", op_dmam, 3 * 4096, 2},
};

/* Give the device a few resources of every kind, with known contents. */
static unsigned char *populate(struct device *dev, dma_addr_t *h)
{
	unsigned char *keep = devm_kmalloc(dev, 40, GFP_KERNEL);

	assert_non_null(keep);
	memset(keep, 0x3c, 40);
	assert_int_equal(devm_add_action(dev, action, NULL), 0);
	assert_non_null(devm_kstrdup(dev, "older", GFP_KERNEL));
	assert_non_null(dmam_alloc_coherent(dev, 100, h, GFP_KERNEL));
	return keep;
}

static void walk_op(const struct op *op, struct device *dev, const unsigned char *keep)
{
	size_t entries = minalign_device_devres_count(dev);
	size_t pad = minalign_device_devres_pad_bytes(dev);
	unsigned long n;

	for (n = 1; n < 100; n++) {
		struct tu_snapshot snap;
		void *r;

		minalign_slab_shrink();
		tu_snapshot(&snap);
		minalign_fault_set(n, FAULTS);
		r = op->call(dev, op);
		minalign_fault_set(0, 0);
		if (r) {
			assert_int_equal(minalign_device_devres_count(dev), entries + 1);
			assert_int_equal(ma_devres_validate(dev), 0);
			break;
		}
		minalign_slab_shrink();
		tu_assert_no_leak(&snap);
		tu_expect_no_report();
		assert_int_equal(minalign_device_devres_count(dev), entries);
		assert_int_equal(minalign_device_devres_pad_bytes(dev), pad);
		assert_int_equal(ma_devres_validate(dev), 0);
		assert_int_equal(ma_slab_validate(), 0);
		for (int i = 0; i < 40; i++)
			assert_int_equal(keep[i], 0x3c);
	}
	if (n - 1 < op->min_points)
		fail_msg("%s: %lu failure points, expected at least %u", op->name, n - 1,
			 op->min_points);
}

static void run(bool debug)
{
	struct tu_snapshot all;

	fw_start(debug);
	minalign_slab_shrink();
	tu_snapshot(&all);
	for (unsigned int i = 0; i < MA_ARRAY_SIZE(ops); i++) {
		struct minalign_device_info info = {.name = ops[i].name};
		struct device *dev = minalign_device_create(&info);
		unsigned char *keep;
		dma_addr_t h;
		int runs;

		assert_non_null(dev);
		keep = populate(dev, &h);
		walk_op(&ops[i], dev, keep);
		runs = action_runs;
		minalign_device_destroy(dev);
		/* the older action ran, and the new one too when it was an action */
		assert_int_equal(
			action_runs,
			runs + 1 + (ops[i].call == op_action || ops[i].call == op_action_or_reset));
		tu_expect_no_report();
	}
	minalign_slab_shrink();
	tu_assert_no_leak(&all);
	assert_int_equal(ma_slab_validate(), 0);
}

static void test_walk(void **state)
{
	(void)state;
	run(false);
}

static void test_walk_debug(void **state)
{
	(void)state;
	run(true);
}

/* Persistent failure: nothing can be acquired, the device stays empty and destroys cleanly. */
static void test_persist(void **state)
{
	struct tu_snapshot snap;
	struct device *dev;
	dma_addr_t h;
	int runs;

	(void)state;
	fw_start(false);
	dev = minalign_device_create(NULL);
	assert_non_null(dev);
	minalign_slab_shrink();
	tu_snapshot(&snap);
	minalign_fault_set(1, FAULTS | MINALIGN_FAULT_PERSIST);
	runs = action_runs;
	for (int i = 0; i < 50; i++) {
		assert_null(devm_kmalloc(dev, (size_t)(i * 37 + 1), GFP_KERNEL));
		assert_null(devm_kstrdup(dev, "x", GFP_KERNEL));
		assert_null(dmam_alloc_coherent(dev, 64, &h, GFP_KERNEL));
		assert_int_equal(devm_add_action_or_reset(dev, action, NULL), -ENOMEM);
	}
	minalign_fault_set(0, 0);
	assert_int_equal(action_runs, runs + 50);
	assert_int_equal(minalign_device_devres_count(dev), 0);
	assert_int_equal(ma_devres_validate(dev), 0);
	minalign_slab_shrink();
	tu_assert_no_leak(&snap);
	minalign_device_destroy(dev);
	tu_expect_no_report();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_walk, fw_teardown),
		cmocka_unit_test_teardown(test_walk_debug, fw_teardown),
		cmocka_unit_test_teardown(test_persist, fw_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
