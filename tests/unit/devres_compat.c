/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/devres_compat.c - the devres additions against Linux's drivers/base/devres.c:
 * groups (devres_open_group, devres_close_group, devres_remove_group, devres_release_group with
 * remove_nodes' rule for nested groups), devres_get, devm_is_action_added, devm_krealloc
 * (same pointer when ksize suffices; the new buffer takes the old one's place), devm_kasprintf,
 * devm_get_free_pages/devm_free_pages, and mm/dmapool.c's dmam_pool_create/dmam_pool_destroy.
 */
#include "test_util.h"
#include "dma_helpers.h"

#include <errno.h>
#include <string.h>

static int order[16], norder;

static void note(void *data)
{
	order[norder++] = (int)(intptr_t)data;
}

static void test_groups(void **state)
{
	struct tu_snapshot snap;
	struct device *dev;
	void *g1, *g2, *p;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 0);
	tu_reports_capture();
	tu_snapshot(&snap);
	dev = th_dev("grp", false, 0, false);
	norder = 0;
	assert_int_equal(devm_add_action(dev, note, (void *)1), 0);
	g1 = devres_open_group(dev, NULL, GFP_KERNEL);
	assert_non_null(g1);
	assert_int_equal(devm_add_action(dev, note, (void *)2), 0);
	g2 = devres_open_group(dev, (void *)&g2, GFP_KERNEL); /* a caller's id */
	assert_ptr_equal(g2, &g2);
	assert_int_equal(devm_add_action(dev, note, (void *)3), 0);
	devres_close_group(dev, NULL); /* the newest open one: g2 */
	p = devm_kmalloc(dev, 32, GFP_KERNEL);
	assert_non_null(p);
	devres_close_group(dev, g1);
	assert_int_equal(devm_add_action(dev, note, (void *)4), 0);
	/* releasing g1 releases 2, 3 and the buffer, newest first, and g2 inside it; 1 and 4 stay
	 */
	assert_int_equal(devres_release_group(dev, g1), 3);
	assert_int_equal(norder, 2);
	assert_int_equal(order[0], 3);
	assert_int_equal(order[1], 2);
	assert_int_equal(minalign_device_devres_count(dev), 2);
	assert_int_equal(devres_release_group(dev, g2), 0); /* gone with g1 */
	tu_expect_report("device", "no such group");
	/* an open group releases to the newest entry */
	g1 = devres_open_group(dev, NULL, GFP_KERNEL);
	assert_int_equal(devm_add_action(dev, note, (void *)5), 0);
	assert_int_equal(devres_release_group(dev, NULL), 1);
	assert_int_equal(order[2], 5);
	/* remove_group keeps the resources */
	g1 = devres_open_group(dev, NULL, GFP_KERNEL);
	assert_int_equal(devm_add_action(dev, note, (void *)6), 0);
	devres_remove_group(dev, g1);
	assert_int_equal(minalign_device_devres_count(dev), 3);
	assert_int_equal(devres_release_group(dev, g1), 0);
	tu_expect_report("device", "no such group");
	/* a group left open at destroy is just markers: released with the rest, newest first */
	devres_open_group(dev, NULL, GFP_KERNEL);
	minalign_device_destroy(dev);
	assert_int_equal(norder, 6);
	assert_int_equal(order[3], 6);
	assert_int_equal(order[4], 4);
	assert_int_equal(order[5], 1);
	minalign_slab_shrink();
	tu_assert_no_leak(&snap);
	tu_expect_no_report();
	minalign_exit();
}

struct counter {
	int n;
};

static void counter_release(struct device *dev, void *res)
{
	(void)dev;
	(void)res;
}

static void test_get_and_actions(void **state)
{
	struct counter *a, *b, *got;
	struct device *dev;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 0);
	tu_reports_capture();
	dev = th_dev("get", false, 0, false);
	/* devres_get: the first adds, the second finds it and frees its own */
	a = devres_alloc(counter_release, sizeof(*a), GFP_KERNEL);
	a->n = 1;
	got = devres_get(dev, a, NULL, NULL);
	assert_ptr_equal(got, a);
	b = devres_alloc(counter_release, sizeof(*b), GFP_KERNEL);
	got = devres_get(dev, b, NULL, NULL);
	assert_ptr_equal(got, a);
	assert_int_equal(minalign_device_devres_count(dev), 1);
	/* devm_is_action_added */
	assert_false(devm_is_action_added(dev, note, (void *)9));
	assert_int_equal(devm_add_action(dev, note, (void *)9), 0);
	assert_true(devm_is_action_added(dev, note, (void *)9));
	assert_false(devm_is_action_added(dev, note, (void *)8));
	devm_remove_action(dev, note, (void *)9);
	assert_false(devm_is_action_added(dev, note, (void *)9));
	minalign_device_destroy(dev);
	tu_expect_no_report();
	minalign_exit();
}

static void test_krealloc_and_strings(void **state)
{
	struct tu_snapshot snap;
	struct device *dev;
	char *s, *p, *q;
	unsigned long pg;
	struct dma_pool *pool;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 0);
	tu_reports_capture();
	tu_snapshot(&snap);
	dev = th_dev("krealloc", false, 0, false);
	p = devm_kmalloc(dev, 20, GFP_KERNEL);
	memcpy(p, "0123456789abcdefghi", 20);
	/* ksize(p) holds 24: the same pointer (Linux's total_new_size <= total_old_size) */
	assert_ptr_equal(devm_krealloc(dev, p, ksize(p), GFP_KERNEL), p);
	q = devm_krealloc(dev, p, 300, GFP_KERNEL | __GFP_ZERO);
	assert_non_null(q);
	assert_ptr_not_equal(q, p);
	assert_int_equal(memcmp(q, "0123456789abcdefghi", 20), 0);
	assert_int_equal(q[299], 0);
	assert_int_equal(minalign_device_devres_count(dev), 1);
	devm_kfree(dev, q); /* q is managed: no report */
	assert_null(devm_krealloc(dev, &snap, 64, GFP_KERNEL));
	tu_expect_report("device", "not a devm_kmalloc allocation");
	assert_ptr_equal(devm_krealloc(dev, NULL, 0, GFP_KERNEL), ZERO_SIZE_PTR);
	p = devm_krealloc_array(dev, NULL, 4, 8, GFP_KERNEL);
	assert_non_null(p);
	assert_null(devm_krealloc_array(dev, p, SIZE_MAX / 2, 4, GFP_KERNEL));
	devm_kfree(dev, p);
	s = devm_kasprintf(dev, GFP_KERNEL, "%s-%d", "ring", 7);
	assert_string_equal(s, "ring-7");
	devm_kfree(dev, s);
	assert_string_equal(devm_kstrdup_const(dev, "k", GFP_KERNEL), "k");
	/* devm_get_free_pages / devm_free_pages */
	pg = devm_get_free_pages(dev, GFP_KERNEL, 1);
	assert_true(pg);
	devm_free_pages(dev, pg);
	devm_free_pages(dev, pg);
	tu_expect_report("device", "not a devm_get_free_pages block");
	/* dmam_pool_create: destroyed with the device, or by dmam_pool_destroy */
	pool = dmam_pool_create("p", dev, 64, 64, 0);
	assert_non_null(pool);
	dmam_pool_destroy(pool);
	pool = dmam_pool_create("p2", dev, 64, 64, 0);
	assert_non_null(pool);
	pool = dma_pool_create("unmanaged", dev, 64, 64, 0);
	dmam_pool_destroy(pool);
	tu_expect_report("dma", "not a managed pool");
	dma_pool_destroy(pool);
	pg = devm_get_free_pages(dev, GFP_KERNEL, 0); /* left for the device's teardown */
	assert_true(pg);
	minalign_device_destroy(dev);
	minalign_slab_shrink();
	tu_assert_no_leak(&snap);
	tu_expect_no_report();
	minalign_exit();
}

/* ---- fault injection: every allocation of the new calls fails cleanly ------------------- */

static void *op_group(struct device *dev)
{
	return devres_open_group(dev, NULL, GFP_KERNEL);
}
static void undo_group(struct device *dev, void *r)
{
	devres_remove_group(dev, r);
}
static void *op_krealloc(struct device *dev)
{
	char *p = devm_kmalloc(dev, 8, GFP_KERNEL), *q;

	if (!p)
		return NULL;
	q = devm_krealloc(dev, p, 5000, GFP_KERNEL);
	if (!q)
		devm_kfree(dev, p); /* the old buffer stays managed on failure */
	return q;
}
static void undo_kfree(struct device *dev, void *r)
{
	devm_kfree(dev, r);
}
static void *op_kasprintf(struct device *dev)
{
	return devm_kasprintf(dev, GFP_KERNEL, "%d-%s", 5, "x");
}
static void *op_pages(struct device *dev)
{
	return (void *)devm_get_free_pages(dev, GFP_KERNEL, 2);
}
static void undo_pages(struct device *dev, void *r)
{
	devm_free_pages(dev, (unsigned long)r);
}
static void *op_pool(struct device *dev)
{
	struct dma_pool *pool = dmam_pool_create("f", dev, 32, 32, 0);
	dma_addr_t h;
	void *b;

	if (!pool)
		return NULL;
	b = dma_pool_alloc(pool, GFP_KERNEL, &h);
	if (!b) {
		dmam_pool_destroy(pool);
		return NULL;
	}
	dma_pool_free(pool, b, h);
	return pool;
}
static void undo_pool(struct device *dev, void *r)
{
	(void)dev;
	dmam_pool_destroy(r);
}
static void *op_noncoherent(struct device *dev)
{
	static dma_addr_t h;

	return dma_alloc_noncoherent(dev, 8192, &h, DMA_FROM_DEVICE, GFP_KERNEL);
}
static void undo_noncoherent(struct device *dev, void *r)
{
	dma_free_noncoherent(dev, 8192, r, virt_to_phys(r), DMA_FROM_DEVICE);
}
static void *op_kvmalloc(struct device *dev)
{
	(void)dev;
	return kvmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL);
}
static void undo_kvfree(struct device *dev, void *r)
{
	(void)dev;
	kvfree(r);
}
static void *op_exact(struct device *dev)
{
	(void)dev;
	return alloc_pages_exact(3 * PAGE_SIZE, GFP_KERNEL);
}
static void undo_exact(struct device *dev, void *r)
{
	(void)dev;
	free_pages_exact(r, 3 * PAGE_SIZE);
}

static void test_faults(void **state)
{
	static const struct {
		const char *name;
		void *(*op)(struct device *);
		void (*undo)(struct device *, void *);
	} ops[] = {
		{"devres_open_group", op_group, undo_group},
		{"devm_krealloc", op_krealloc, undo_kfree},
		{"devm_kasprintf", op_kasprintf, undo_kfree},
		{"devm_get_free_pages", op_pages, undo_pages},
		{"dmam_pool_create", op_pool, undo_pool},
		{"dma_alloc_noncoherent", op_noncoherent, undo_noncoherent},
		{"kvmalloc (vmalloc fallback)", op_kvmalloc, undo_kvfree},
		{"alloc_pages_exact", op_exact, undo_exact},
	};
	struct tu_snapshot snap;
	struct device *dev;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 0);
	tu_reports_capture();
	dev = th_dev("faults", false, 0, false);
	for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
		unsigned long n, fails = 0;
		void *r = NULL;

		minalign_slab_shrink();
		tu_snapshot(&snap);
		for (n = 1; !r && n < 100; n++) {
			minalign_fault_set(n, MINALIGN_FAULT_PAGE | MINALIGN_FAULT_META);
			r = ops[k].op(dev);
			minalign_fault_set(0, 0);
			if (!r) {
				fails++;
				minalign_slab_shrink();
				tu_assert_no_leak(&snap);
				assert_int_equal(minalign_device_devres_count(dev), 0);
			}
		}
		if (!r)
			fail_msg("%s never succeeded", ops[k].name);
		assert_true(fails > 0);
		ops[k].undo(dev, r);
		minalign_slab_shrink();
		tu_assert_no_leak(&snap);
	}
	minalign_device_destroy(dev);
	tu_expect_no_report();
	minalign_exit();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_get_and_actions),
		cmocka_unit_test(test_krealloc_and_strings),
		cmocka_unit_test(test_faults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
