/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/dmapool_coherent.c - dma_alloc_coherent / dma_free_coherent and dma_pool:
 * visibility without maintenance, masks, alignment and boundary, zeroing, misuse, faults.
 */
#include "dma_helpers.h"

#include <errno.h>

#define GIB4 (UINT64_C(1) << 32)

static int teardown(void **state)
{
	(void)state;
	tu_reports_release();
	minalign_exit();
	return 0;
}

static struct device *setup(struct tu_snapshot *snap)
{
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)1 << 20);
	tu_reports_capture();
	tu_snapshot(snap);
	return th_dev("nc", false, 0, false);
}

static void test_coherent_basic(void **state)
{
	struct tu_snapshot snap;
	struct device *dev;
	unsigned char *p, *q;
	dma_addr_t h, hq;

	(void)state;
	dev = setup(&snap);
	p = dma_alloc_coherent(dev, 100, &h, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % PAGE_SIZE, 0);
	assert_int_equal(h, virt_to_phys(p));
	for (size_t i = 0; i < PAGE_SIZE; i++)
		assert_int_equal(p[i], 0);
	assert_int_equal(th_stats().coherent_bytes, PAGE_SIZE);
	/* CPU and a non-coherent device see each other's writes without any maintenance */
	th_fill(p, 1, 100);
	assert_true(th_dev_holds(dev, h, 1, 100));
	th_dev_fill(dev, h + 200, 2, 100);
	assert_true(th_holds(p + 200, 2, 100));

	q = dma_alloc_coherent(dev, 3 * PAGE_SIZE, &hq, GFP_KERNEL);
	assert_non_null(q);
	assert_int_equal(th_stats().coherent_bytes, 5 * PAGE_SIZE);
	dma_free_coherent(dev, 3 * PAGE_SIZE, q, hq);
	dma_free_coherent(dev, 100, p, h);
	dma_free_coherent(dev, 100, NULL, 0);
	assert_int_equal(th_stats().coherent_bytes, 0);
	minalign_device_destroy(dev);
	tu_assert_no_leak(&snap);
	tu_expect_no_report();
}

static void test_coherent_misuse(void **state)
{
	struct tu_snapshot snap;
	struct device *dev;
	unsigned char *p, *pg;
	dma_addr_t h;

	(void)state;
	dev = setup(&snap);
	p = dma_alloc_coherent(dev, 2 * PAGE_SIZE, &h, GFP_KERNEL);
	assert_non_null(p);
	dma_free_coherent(dev, 5 * PAGE_SIZE, p, h);
	tu_expect_report("dma", "size differs");
	dma_free_coherent(dev, 2 * PAGE_SIZE, p, h + PAGE_SIZE);
	tu_expect_report("dma", "dma_handle differs");
	dma_free_coherent(dev, 2 * PAGE_SIZE, p + 64, h);
	tu_expect_report("dma", "not a coherent allocation");
	pg = th_pages(0);
	dma_free_coherent(dev, PAGE_SIZE, pg, virt_to_phys(pg));
	tu_expect_report("dma", "not a coherent allocation");
	dma_free_coherent(dev, 2 * PAGE_SIZE, p, h);
	dma_free_coherent(dev, 2 * PAGE_SIZE, p, h);
	tu_expect_report("dma", "already freed");
	assert_null(dma_alloc_coherent(dev, 0, &h, GFP_KERNEL));
	tu_expect_report("dma", "zero size");
	assert_null(dma_alloc_coherent(NULL, 64, &h, GFP_KERNEL));
	tu_expect_report("dma", "NULL device");
	assert_null(dma_alloc_coherent(dev, 64, NULL, GFP_KERNEL));
	tu_expect_report("dma", "NULL dma_handle");
	assert_null(dma_alloc_coherent(dev, (size_t)8 << 20, &h, GFP_KERNEL)); /* > 4 MiB */
	tu_expect_no_report();
	free_pages((unsigned long)pg, 0);
	minalign_device_destroy(dev);
	tu_assert_no_leak(&snap);
}

/* RAM straddling 4 GiB: coherent memory of a 32-bit device stays below it. */
static void test_coherent_mask(void **state)
{
	struct minalign_config c;
	struct device *dev;
	void *p[40];
	dma_addr_t h[40];

	(void)state;
	th_config(&c, MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 0);
	c.ram_base = GIB4 - ((uint64_t)16 << 20);
	tu_init(&c);
	tu_reports_capture();
	dev = th_dev("dev32", false, 32, false);
	/* 40 x 1 MiB cannot all fit in the 16 MiB below 4 GiB */
	for (int i = 0; i < 40; i++) {
		p[i] = dma_alloc_coherent(dev, (size_t)1 << 20, &h[i], GFP_KERNEL);
		if (p[i])
			assert_true(h[i] + ((uint64_t)1 << 20) <= GIB4);
	}
	assert_null(p[39]);
	for (int i = 0; i < 40; i++)
		dma_free_coherent(dev, (size_t)1 << 20, p[i], h[i]);
	minalign_device_destroy(dev);
	tu_expect_no_report();
}

static void test_coherent_faults(void **state)
{
	struct tu_snapshot snap;
	struct device *dev;
	dma_addr_t h;

	(void)state;
	dev = setup(&snap);
	minalign_fault_set(1, MINALIGN_FAULT_PAGE);
	assert_null(dma_alloc_coherent(dev, 64, &h, GFP_KERNEL));
	minalign_fault_set(0, 0);
	assert_int_equal(th_stats().coherent_bytes, 0);
	minalign_device_destroy(dev);
	tu_assert_no_leak(&snap);
	tu_expect_no_report();
}

static void test_pool_alignment(void **state)
{
	struct tu_snapshot snap;
	struct dma_pool *pool;
	struct device *dev;
	unsigned char *b[300];
	dma_addr_t h[300];

	(void)state;
	dev = setup(&snap);
	pool = dma_pool_create("descs", dev, 24, 16, 0);
	assert_non_null(pool);
	for (int i = 0; i < 300; i++) {
		b[i] = dma_pool_alloc(pool, GFP_KERNEL, &h[i]);
		assert_non_null(b[i]);
		assert_int_equal((uintptr_t)b[i] % 16, 0);
		assert_int_equal(h[i], virt_to_phys(b[i]));
		for (int j = 0; j < i; j++)
			assert_true(b[j] + 32 <= b[i] || b[i] + 32 <= b[j]);
		th_fill(b[i], (unsigned char)i, 24);
	}
	for (int i = 0; i < 300; i++)
		assert_true(th_dev_holds(dev, h[i], (unsigned char)i, 24));
	for (int i = 0; i < 300; i += 2)
		dma_pool_free(pool, b[i], h[i]);
	/* zalloc reuses a freed, dirty block and zeroes it */
	b[0] = dma_pool_zalloc(pool, GFP_KERNEL, &h[0]);
	for (int k = 0; k < 24; k++)
		assert_int_equal(b[0][k], 0);
	dma_pool_free(pool, b[0], h[0]);
	for (int i = 1; i < 300; i += 2)
		dma_pool_free(pool, b[i], h[i]);
	dma_pool_destroy(pool);
	dma_pool_destroy(NULL);
	minalign_device_destroy(dev);
	tu_assert_no_leak(&snap);
	tu_expect_no_report();
}

static void test_pool_boundary(void **state)
{
	static const struct {
		size_t size, align, boundary;
	} c[] = {{96, 32, 256}, {100, 4, 128}, {3000, 8, 4096}, {24, 8, 64}, {5000, 64, 8192}};
	struct tu_snapshot snap;
	struct device *dev;

	(void)state;
	dev = setup(&snap);
	for (unsigned int k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
		struct dma_pool *pool =
			dma_pool_create("b", dev, c[k].size, c[k].align, c[k].boundary);
		void *v[64];
		dma_addr_t h[64];

		assert_non_null(pool);
		for (int i = 0; i < 64; i++) {
			v[i] = dma_pool_alloc(pool, GFP_KERNEL, &h[i]);
			assert_non_null(v[i]);
			assert_int_equal(h[i] % c[k].align, 0);
			assert_int_equal(h[i] / c[k].boundary,
					 (h[i] + c[k].size - 1) / c[k].boundary);
		}
		for (int i = 0; i < 64; i++)
			dma_pool_free(pool, v[i], h[i]);
		dma_pool_destroy(pool);
	}
	minalign_device_destroy(dev);
	tu_assert_no_leak(&snap);
	tu_expect_no_report();
}

static void test_pool_misuse(void **state)
{
	struct tu_snapshot snap;
	struct dma_pool *pool, *other;
	struct device *dev;
	unsigned char *a, *b;
	dma_addr_t ha, hb;

	(void)state;
	dev = setup(&snap);
	assert_null(dma_pool_create("x", dev, 64, 3, 0));
	tu_expect_report("dma", "align");
	assert_null(dma_pool_create("x", dev, 300, 8, 256));
	tu_expect_report("dma", "boundary");
	assert_null(dma_pool_create("x", dev, 0, 8, 0));
	tu_expect_report("dma", "size");
	assert_null(dma_pool_create("x", NULL, 64, 8, 0));
	tu_expect_report("dma", "NULL device");

	pool = dma_pool_create("p", dev, 64, 64, 0);
	other = dma_pool_create("o", dev, 64, 64, 0);
	a = dma_pool_alloc(pool, GFP_KERNEL, &ha);
	b = dma_pool_alloc(other, GFP_KERNEL, &hb);
	dma_pool_free(pool, a + 8, ha + 8);
	tu_expect_report("dma", "not the start of a block");
	dma_pool_free(pool, a, ha + 64);
	tu_expect_report("dma", "dma handle differs");
	dma_pool_free(pool, b, hb);
	tu_expect_report("dma", "not a block of this pool");
	dma_pool_free(pool, a, ha);
	dma_pool_free(pool, a, ha);
	tu_expect_report("dma", "double free");
	dma_pool_free(pool, NULL, 0);
	assert_null(dma_pool_alloc(NULL, GFP_KERNEL, &ha));
	tu_expect_report("dma", "NULL pool");
	dma_pool_destroy(pool);
	dma_pool_destroy(other); /* b still allocated */
	tu_expect_report("dma", "1 blocks still allocated");
	minalign_device_destroy(dev);
	tu_assert_no_leak(&snap);
}

static void test_pool_faults(void **state)
{
	struct tu_snapshot snap;
	struct dma_pool *pool = NULL;
	struct device *dev;
	unsigned long n;
	dma_addr_t h;
	void *v = NULL;

	(void)state;
	dev = setup(&snap);
	for (n = 1; n < 10 && !pool; n++) {
		minalign_fault_set(n, MINALIGN_FAULT_META);
		pool = dma_pool_create("f", dev, 64, 8, 0);
		minalign_fault_set(0, 0);
	}
	assert_int_equal(n, 4); /* the pool, its name, then success */
	for (unsigned int kind = MINALIGN_FAULT_PAGE; kind <= MINALIGN_FAULT_META; kind <<= 1) {
		minalign_fault_set(1, kind);
		assert_null(dma_pool_alloc(pool, GFP_KERNEL, &h));
		minalign_fault_set(0, 0);
	}
	v = dma_pool_alloc(pool, GFP_KERNEL, &h);
	assert_non_null(v);
	dma_pool_free(pool, v, h);
	dma_pool_destroy(pool);
	minalign_device_destroy(dev);
	tu_assert_no_leak(&snap);
	tu_expect_no_report();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_coherent_basic, teardown),
		cmocka_unit_test_teardown(test_coherent_misuse, teardown),
		cmocka_unit_test_teardown(test_coherent_mask, teardown),
		cmocka_unit_test_teardown(test_coherent_faults, teardown),
		cmocka_unit_test_teardown(test_pool_alignment, teardown),
		cmocka_unit_test_teardown(test_pool_boundary, teardown),
		cmocka_unit_test_teardown(test_pool_misuse, teardown),
		cmocka_unit_test_teardown(test_pool_faults, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
