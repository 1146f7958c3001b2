/* SPDX-License-Identifier: MIT */
/*
 * kmalloc_api - the kmalloc family: zero size, zeroing, overflow, krealloc, kstrdup,
 * kmalloc-large, cheap misuse checks without slab debug, the DMA layer's slot query,
 * statistics, slabinfo and leak accounting.
 */
#include "test_util.h"

#include <stdio.h>
#include <string.h>

#include "slab/slab.h"

static void init_policy(enum minalign_policy pol)
{
	struct minalign_config cfg;

	tu_config_small(&cfg);
	cfg.policy = pol;
	tu_init(&cfg);
	tu_reports_capture();
}

static void done(void)
{
	tu_expect_no_report();
	assert_int_equal(ma_slab_validate(), 0);
	tu_reports_release();
	minalign_exit();
}

static void test_zero_size(void **state)
{
	(void)state;
	init_policy(MINALIGN_POLICY_BOUNCE);
	assert_ptr_equal(kmalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	assert_ptr_equal(kzalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	assert_ptr_equal(kmalloc(0, GFP_DMA), ZERO_SIZE_PTR);
	assert_true(ZERO_OR_NULL_PTR(ZERO_SIZE_PTR));
	assert_true(ZERO_OR_NULL_PTR(NULL));
	kfree(ZERO_SIZE_PTR);
	kfree(NULL);
	assert_int_equal(ksize(NULL), 0);
	assert_int_equal(ksize(ZERO_SIZE_PTR), 0);
	done();
}

static void test_zeroing(void **state)
{
	size_t sizes[] = {1, 8, 13, 64, 100, 200, 256, 300, 1000, 5000, 8192, 9000, 70000};
	unsigned int i;

	(void)state;
	init_policy(MINALIGN_POLICY_NAIVE);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *p = kmalloc(sizes[i], GFP_KERNEL), *z;
		size_t j, n = ksize(p);

		memset(p, 0xa5, n);
		kfree(p);
		z = kzalloc(sizes[i], GFP_KERNEL);
		n = ksize(z);
		for (j = 0; j < n; j++)
			assert_int_equal(z[j], 0);
		kfree(z);
		z = kcalloc(3, sizes[i], GFP_KERNEL);
		for (j = 0; j < 3 * sizes[i]; j++)
			assert_int_equal(z[j], 0);
		kfree(z);
	}
	done();
}

static void test_overflow(void **state)
{
	(void)state;
	init_policy(MINALIGN_POLICY_NAIVE);
	assert_null(kcalloc(SIZE_MAX / 2, 4, GFP_KERNEL));
	assert_null(kmalloc_array(SIZE_MAX / 8 + 1, 8, GFP_KERNEL));
	assert_null(kmalloc(SIZE_MAX, GFP_KERNEL));
	assert_null(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL));
	done();
}

static void fill(unsigned char *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 31 + seed);
}

static void check(const unsigned char *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		assert_int_equal(p[i], (unsigned char)(i * 31 + seed));
}

static void test_krealloc(void **state)
{
	size_t steps[] = {16, 17, 100, 256, 257, 4000, 8192, 8193, 20000, 300000};
	unsigned char *p, *q;
	unsigned int i;

	(void)state;
	init_policy(MINALIGN_POLICY_NAIVE);
	p = krealloc(NULL, 10, GFP_KERNEL);
	fill(p, 10, 7);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		p = krealloc(p, steps[i], GFP_KERNEL);
		assert_non_null(p);
		check(p, i ? steps[i - 1] : 10, 7);
		fill(p, steps[i], 7);
	}
	for (i = sizeof(steps) / sizeof(steps[0]); i-- > 0;) {
		p = krealloc(p, steps[i], GFP_KERNEL);
		check(p, steps[i], 7);
	}
	/* shrinking within the object stays in place */
	q = krealloc(p, 9, GFP_KERNEL);
	assert_ptr_equal(q, p);
	p = krealloc(q, 0, GFP_KERNEL);
	assert_ptr_equal(p, ZERO_SIZE_PTR);
	/* __GFP_ZERO zeroes what growth adds */
	p = kmalloc(20, GFP_KERNEL);
	fill(p, 20, 3);
	p = krealloc(p, 5000, GFP_KERNEL | __GFP_ZERO);
	check(p, 20, 3);
	for (i = 20; i < 5000; i++)
		assert_int_equal(p[i], 0);
	/* a DMA request moves a normal object into a dma-kmalloc cache */
	q = krealloc(p, 100, GFP_DMA);
	assert_int_equal((uintptr_t)q % 128, 0);
	check(q, 20, 3);
	kfree(q);
	/* failure leaves the original alone */
	p = kmalloc(32, GFP_KERNEL);
	assert_null(krealloc(p, KMALLOC_MAX_SIZE + 1, GFP_KERNEL));
	kfree(p);
	done();
}

static void test_krealloc_packed(void **state)
{
	unsigned char *p, *q;

	(void)state;
	init_policy(MINALIGN_POLICY_PACKED);
	p = kmalloc(24, GFP_KERNEL | __GFP_PACKED);
	assert_int_equal(ksize(p), 32); /* kmalloc-packed-32: Linux has no 24-byte class */
	fill(p, 24, 9);
	/* without __GFP_PACKED the object must become cache-line aligned */
	q = krealloc(p, 16, GFP_KERNEL);
	assert_int_equal((uintptr_t)q % 128, 0);
	check(q, 16, 9);
	/* a line-aligned object may stay where it is for a packed request */
	p = krealloc(q, 8, GFP_KERNEL | __GFP_PACKED);
	assert_ptr_equal(p, q);
	kfree(p);
	done();
}

static void test_kstrdup(void **state)
{
	char *s;
	int *m;
	static const int v[4] = {1, 2, 3, 4};

	(void)state;
	init_policy(MINALIGN_POLICY_BOUNCE);
	s = kstrdup("hello, slab", GFP_KERNEL);
	assert_string_equal(s, "hello, slab");
	assert_int_equal(ksize(s), 16);
	kfree(s);
	s = kstrdup("", GFP_KERNEL);
	assert_string_equal(s, "");
	kfree(s);
	assert_null(kstrdup(NULL, GFP_KERNEL));
	m = kmemdup(v, sizeof(v), GFP_KERNEL);
	assert_memory_equal(m, v, sizeof(v));
	kfree(m);
	done();
}

static void test_large(void **state)
{
	struct minalign_stats st;
	unsigned char *p, *d;

	(void)state;
	init_policy(MINALIGN_POLICY_BOUNCE);
	p = kmalloc(10000, GFP_KERNEL);
	assert_int_equal((uintptr_t)p % PAGE_SIZE, 0);
	assert_int_equal(ksize(p), 16384);
	memset(p, 1, 16384);
	minalign_get_stats(&st);
	assert_int_equal(st.kmalloc_large_bytes, 16384);
	d = kmalloc(KMALLOC_MAX_SIZE, GFP_DMA | __GFP_ZERO);
	assert_non_null(d);
	assert_int_equal(d[KMALLOC_MAX_SIZE - 1], 0);
	assert_true(virt_to_phys(d) + KMALLOC_MAX_SIZE <= ((phys_addr_t)1 << 32));
	kfree(d);
	kfree(p);
	minalign_get_stats(&st);
	assert_int_equal(st.kmalloc_large_bytes, 0);
	done();
}

static void test_not_initialised(void **state)
{
	void *p;

	(void)state;
	tu_reports_capture();
	assert_null(kmalloc(8, GFP_KERNEL));
	tu_expect_report("slab", "not initialised");
	assert_null(kmalloc(100000, GFP_KERNEL));
	tu_expect_report("slab", "not initialised");
	tu_init(NULL);
	p = kmalloc(8, GFP_KERNEL);
	assert_non_null(p);
	minalign_exit();
	kfree(p);
	tu_expect_report("slab", "not initialised");
	assert_null(kmalloc(64, GFP_KERNEL));
	tu_expect_report("slab", "not initialised");
	assert_null(kmem_cache_create("x", 8, 0, 0, NULL));
	tu_expect_report("slab", "not initialised");
	assert_int_equal(minalign_slab_foreach(NULL, NULL), -EINVAL);
	tu_reports_release();
}

/* Misuse the cheap checks catch without slab debug: one report each, state intact. */
static void test_bad_frees(void **state)
{
	int on_stack;
	struct page *pg;
	char *p, *q;

	(void)state;
	init_policy(MINALIGN_POLICY_NAIVE);
	kfree(&on_stack);
	tu_expect_report("slab", "not a pointer into");
	pg = alloc_pages(GFP_KERNEL, 0);
	kfree(page_address(pg));
	tu_expect_report("slab", "not memory from kmalloc");
	__free_pages(pg, 0);
	p = kmalloc(64, GFP_KERNEL);
	kfree(p + 8);
	tu_expect_report("slab", "not the start");
	q = kmalloc(10000, GFP_KERNEL);
	kfree(q + 4096);
	tu_expect_report("slab", "not memory from kmalloc");
	assert_int_equal(ksize(q + 8), 0);
	tu_expect_report("slab", "ksize");
	kfree(q);
	kfree(p);
	kfree(p);
	tu_expect_report("slab", "double free");
	/* still consistent: the object comes back once */
	p = kmalloc(64, GFP_KERNEL);
	q = kmalloc(64, GFP_KERNEL);
	assert_ptr_not_equal(p, q);
	kfree(p);
	kfree(q);
	done();
}

static void test_slot_query(void **state)
{
	struct ma_slab_slot slot;
	struct page *pg;
	char *p, *big;
	int x;

	(void)state;
	init_policy(MINALIGN_POLICY_PACKED);
	p = kmalloc(8, GFP_KERNEL | __GFP_PACKED);
	assert_true(ma_slab_slot(p + 5, &slot));
	assert_int_equal(slot.start, (uintptr_t)p);
	assert_int_equal(slot.end, (uintptr_t)p + 8);
	assert_true(slot.packed);
	assert_string_equal(slot.cache, "kmalloc-packed-8");
	kfree(p);
	p = kmalloc(100, GFP_KERNEL);
	assert_true(ma_slab_slot(p + 127, &slot));
	assert_int_equal(slot.end - slot.start, 128);
	assert_false(slot.packed);
	assert_string_equal(slot.cache, "kmalloc-128");
	kfree(p);
	big = kmalloc(9000, GFP_KERNEL);
	assert_true(ma_slab_slot(big + 9999, &slot));
	assert_int_equal(slot.start, (uintptr_t)big);
	assert_int_equal(slot.end, (uintptr_t)big + 16384);
	kfree(big);
	pg = alloc_pages(GFP_KERNEL, 0);
	assert_false(ma_slab_slot(page_address(pg), &slot));
	__free_pages(pg, 0);
	assert_false(ma_slab_slot(&x, &slot));
	assert_false(ma_slab_slot(NULL, &slot));
	done();
}

/* kmalloc-192 slabs end in a tail that belongs to no slot. */
static void test_slot_tail(void **state)
{
	struct ma_slab_slot slot;
	char *p;
	uintptr_t base;
	size_t block;

	(void)state;
	init_policy(MINALIGN_POLICY_NAIVE);
	p = kmalloc(150, GFP_KERNEL);
	assert_int_equal(ksize(p), 192);
	assert_true(ma_slab_slot(p, &slot));
	block = PAGE_SIZE << 3; /* kmalloc-192: order 3 */
	base = (uintptr_t)p & ~(block - 1);
	assert_false(ma_slab_slot((void *)(base + block - 1), &slot));
	assert_true(ma_slab_slot((void *)(base + (block / 192) * 192 - 1), &slot));
	kfree(p);
	done();
}

struct info_acc {
	unsigned int n;
	char first[32];
	unsigned long user_active, user_num;
	unsigned int user_objsize, user_perslab;
	int stop_at;
};

static int info_cb(const struct minalign_slabinfo *info, void *arg)
{
	struct info_acc *a = arg;

	if (a->n++ == 0)
		snprintf(a->first, sizeof(a->first), "%s", info->name);
	if (!strcmp(info->name, "test-obj")) {
		a->user_active = info->active_objs;
		a->user_num = info->num_objs;
		a->user_objsize = info->objsize;
		a->user_perslab = info->objperslab;
		assert_int_equal(info->num_slabs, info->active_slabs);
		assert_int_equal(info->num_objs, info->num_slabs * info->objperslab);
		assert_int_equal(info->pagesperslab, 2); /* 40-byte slots: order 1 holds 204 */
	}
	return a->stop_at && (int)a->n == a->stop_at ? 42 : 0;
}

static void test_slabinfo(void **state)
{
	struct info_acc acc = {0};
	struct kmem_cache *c;
	void *objs[100];
	int i;

	(void)state;
	init_policy(MINALIGN_POLICY_NAIVE);
	c = kmem_cache_create("test-obj", 40, 0, 0, NULL);
	for (i = 0; i < 100; i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	assert_int_equal(minalign_slab_foreach(info_cb, &acc), 0);
	assert_string_equal(acc.first, "kmalloc-8");
	assert_int_equal(acc.user_objsize, 40);
	assert_int_equal(acc.user_perslab, 8192 / 40);
	assert_true(acc.user_active >= 100 && acc.user_active <= acc.user_num);
	assert_int_equal(acc.user_num, 8192 / 40);
	memset(&acc, 0, sizeof(acc));
	acc.stop_at = 3;
	assert_int_equal(minalign_slab_foreach(info_cb, &acc), 42);
	assert_int_equal(acc.n, 3);
	for (i = 0; i < 100; i++)
		kmem_cache_free(c, objs[i]);
	kmem_cache_destroy(c);
	done();
	assert_int_equal(minalign_slab_foreach(info_cb, &acc), -ENODEV);
}

static void test_stats_and_leaks(void **state)
{
	struct tu_snapshot snap;
	struct minalign_stats st;
	void *objs[3000];
	uint64_t seed = 1;
	int i, round;

	(void)state;
	init_policy(MINALIGN_POLICY_BOUNCE);
	tu_snapshot(&snap);
	for (round = 0; round < 4; round++) {
		for (i = 0; i < 3000; i++)
			objs[i] = kmalloc(1 + tu_rand(&seed) % 9000, GFP_KERNEL);
		minalign_get_stats(&st);
		assert_true(st.slab_bytes > 0);
		assert_true(st.slab_objects >= 2000);
		for (i = 0; i < 3000; i++)
			kfree(objs[(i * 7) % 3000]);
	}
	minalign_slab_shrink();
	minalign_get_stats(&st);
	assert_int_equal(st.slab_bytes, 0);
	assert_int_equal(st.slab_objects, 0);
	assert_int_equal(st.kmalloc_large_bytes, 0);
	tu_assert_no_leak(&snap);
	done();
}

/* A failed test leaves the library up: take it down so the next one starts clean. */
static int teardown(void **state)
{
	(void)state;
	tu_reports_release();
	minalign_exit();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_zero_size, teardown),
		cmocka_unit_test_teardown(test_zeroing, teardown),
		cmocka_unit_test_teardown(test_overflow, teardown),
		cmocka_unit_test_teardown(test_krealloc, teardown),
		cmocka_unit_test_teardown(test_krealloc_packed, teardown),
		cmocka_unit_test_teardown(test_kstrdup, teardown),
		cmocka_unit_test_teardown(test_large, teardown),
		cmocka_unit_test_teardown(test_not_initialised, teardown),
		cmocka_unit_test_teardown(test_bad_frees, teardown),
		cmocka_unit_test_teardown(test_slot_query, teardown),
		cmocka_unit_test_teardown(test_slot_tail, teardown),
		cmocka_unit_test_teardown(test_slabinfo, teardown),
		cmocka_unit_test_teardown(test_stats_and_leaks, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
