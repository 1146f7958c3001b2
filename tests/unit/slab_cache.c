/* SPDX-License-Identifier: MIT */
/*
 * slab_cache - kmem_cache: constructors, alignment, zeroing, destroy with and without live
 * objects, the wrong-cache check, many caches (beyond the thread-cache entries), bad
 * arguments, init/exit repeated, and slab reuse bounded by the empty-slab reserve.
 */
#include "test_util.h"

#include <stdio.h>
#include <string.h>

#include "slab/internal.h"

#define MAGIC 0x5eed1234u

struct obj {
	unsigned int magic;
	unsigned int ctor_calls;
	char payload[52];
};

static unsigned long ctor_count;

static void obj_ctor(void *p)
{
	struct obj *o = p;

	o->magic = MAGIC;
	o->ctor_calls++;
	ctor_count++;
}

static void start(void)
{
	tu_init(NULL);
	tu_reports_capture();
}

static int teardown(void **state)
{
	(void)state;
	tu_reports_release();
	minalign_exit();
	return 0;
}

static void finish(void)
{
	tu_expect_no_report();
	assert_int_equal(ma_slab_validate(), 0);
}

static void test_ctor(void **state)
{
	struct tu_snapshot snap;
	struct kmem_cache *c;
	struct obj *o[300];
	int i, round;

	(void)state;
	start();
	tu_snapshot(&snap);
	ctor_count = 0;
	c = kmem_cache_create("objs", sizeof(struct obj), 0, 0, obj_ctor);
	assert_non_null(c);
	assert_int_equal(kmem_cache_size(c), sizeof(struct obj));
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 300; i++) {
			o[i] = kmem_cache_alloc(c, GFP_KERNEL);
			/* constructed once, and still constructed after free and reallocation */
			assert_int_equal(o[i]->magic, MAGIC);
			assert_int_equal(o[i]->ctor_calls, 1);
			memset(o[i]->payload, round, sizeof(o[i]->payload));
		}
		for (i = 0; i < 300; i++)
			kmem_cache_free(c, o[(i * 13) % 300]);
	}
	/* one slab's worth of constructor calls per slab ever created */
	o[0] = kmem_cache_alloc(c, GFP_KERNEL);
	assert_int_equal(ctor_count % ma_slab_of(o[0])->nobj, 0);
	assert_true(ctor_count >= 300);
	kmem_cache_free(c, o[0]);
	kmem_cache_destroy(c);
	finish();
	tu_assert_no_leak(&snap);
}

static void test_alignment(void **state)
{
	static const struct {
		unsigned int size, align;
		slab_flags_t flags;
		unsigned int want;
	} cases[] = {
		{24, 0, 0, 8},
		{24, 64, 0, 64},
		{5, 16, 0, 16},
		/* mm/slab_common.c calculate_alignment(): the line is halved while the object
		 * fits in half of it */
		{24, 0, SLAB_HWCACHE_ALIGN, 32},
		{64, 0, SLAB_HWCACHE_ALIGN, 64},
		{65, 0, SLAB_HWCACHE_ALIGN, 128},
		{200, 0, SLAB_HWCACHE_ALIGN, 128},
		{100, 4096, 0, 4096},
		{3000, 8192, 0, 8192},
		{70000, 0, 0, 8},
	};
	unsigned int i, j;

	(void)state;
	start();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kmem_cache *c = kmem_cache_create("aligned", cases[i].size, cases[i].align,
							 cases[i].flags, NULL);
		void *p[40];

		assert_non_null(c);
		for (j = 0; j < 40; j++) {
			p[j] = kmem_cache_zalloc(c, GFP_KERNEL);
			assert_non_null(p[j]);
			assert_int_equal((uintptr_t)p[j] % cases[i].want, 0);
			assert_true(ksize(p[j]) >= cases[i].size);
			memset(p[j], 0xee, cases[i].size);
		}
		for (j = 0; j < 40; j++)
			kmem_cache_free(c, p[j]);
		kmem_cache_destroy(c);
	}
	finish();
}

static void test_zalloc(void **state)
{
	struct kmem_cache *c;
	unsigned char *p;
	unsigned int i;

	(void)state;
	start();
	c = kmem_cache_create("z", 100, 0, 0, NULL);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	memset(p, 0xff, 100);
	kmem_cache_free(c, p);
	p = kmem_cache_zalloc(c, GFP_KERNEL);
	for (i = 0; i < 100; i++)
		assert_int_equal(p[i], 0);
	kmem_cache_free(c, p);
	kmem_cache_destroy(c);
	finish();
}

static void test_destroy_live(void **state)
{
	struct tu_snapshot snap;
	struct kmem_cache *c;
	void *p[10];
	int i;

	(void)state;
	start();
	tu_snapshot(&snap);
	c = kmem_cache_create("leaky", 64, 0, 0, NULL);
	for (i = 0; i < 10; i++)
		p[i] = kmem_cache_alloc(c, GFP_KERNEL);
	for (i = 0; i < 7; i++)
		kmem_cache_free(c, p[i]);
	kmem_cache_destroy(c);
	tu_expect_report("slab", "3 objects still allocated");
	/* the objects stay usable and can still be freed; the cache goes with the last one */
	memset(p[7], 1, 64);
	kfree(p[7]);
	kfree(p[8]);
	kfree(p[9]);
	finish();
	minalign_slab_shrink();
	tu_assert_no_leak(&snap);
}

static void test_wrong_cache(void **state)
{
	struct kmem_cache *a, *b;
	void *p;

	(void)state;
	start();
	a = kmem_cache_create("a", 32, 0, 0, NULL);
	b = kmem_cache_create("b", 32, 0, 0, NULL);
	p = kmem_cache_alloc(a, GFP_KERNEL);
	kmem_cache_free(b, p);
	tu_expect_report("slab", "belongs to cache a");
	kmem_cache_free(a, p);
	kmem_cache_free(a, kmalloc(32, GFP_KERNEL));
	tu_expect_report("slab", "belongs to cache kmalloc-32");
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
	minalign_slab_shrink();
	finish();
}

/* More caches than thread-cache entries: the rest run in shared (locked) mode. */
static void test_many_caches(void **state)
{
	struct kmem_cache *c[120];
	void *p[120][20];
	char name[32];
	int i, j;

	(void)state;
	start();
	for (i = 0; i < 120; i++) {
		snprintf(name, sizeof(name), "many-%d", i);
		c[i] = kmem_cache_create(name, 16 + i, 0, 0, NULL);
		assert_non_null(c[i]);
		for (j = 0; j < 20; j++) {
			p[i][j] = kmem_cache_alloc(c[i], GFP_KERNEL);
			memset(p[i][j], i, 16 + i);
		}
	}
	for (i = 0; i < 120; i++) {
		for (j = 0; j < 20; j++) {
			assert_int_equal(((unsigned char *)p[i][j])[15 + i], i);
			kmem_cache_free(c[i], p[i][j]);
		}
		kmem_cache_destroy(c[i]);
	}
	finish();
}

static void test_bad_args(void **state)
{
	void *p;

	(void)state;
	start();
	assert_null(kmem_cache_create("zero", 0, 0, 0, NULL));
	tu_expect_report("slab", "bad argument");
	assert_null(kmem_cache_create("odd", 16, 3, 0, NULL));
	tu_expect_report("slab", "bad argument");
	assert_null(kmem_cache_create(NULL, 16, 0, 0, NULL));
	tu_expect_report("slab", "bad argument");
	assert_null(kmem_cache_alloc(NULL, GFP_KERNEL));
	tu_expect_report("slab", "NULL");
	kmem_cache_free(NULL, NULL);
	kmem_cache_destroy(NULL);
	assert_int_equal(kmem_cache_shrink(NULL), -EINVAL);
	assert_int_equal(kmem_cache_size(NULL), 0);
	p = kmalloc(8, GFP_KERNEL);
	kmem_cache_destroy(ma_slab_of(p)->cache);
	tu_expect_report("slab", "kmalloc cache");
	kfree(p);
	finish();
}

/* init/exit repeated: caches and thread caches of an old generation never leak into a new one. */
static void test_reinit(void **state)
{
	struct minalign_config cfg;
	int gen, i;

	(void)state;
	for (gen = 0; gen < 20; gen++) {
		void *p[50];

		tu_config_small(&cfg);
		cfg.policy = (enum minalign_policy)(gen % MINALIGN_NR_POLICIES);
		cfg.cache_line = gen & 1 ? 64 : 128;
		tu_init(&cfg);
		for (i = 0; i < 50; i++) {
			p[i] = kmalloc((size_t)(i * 37 % 300) + 1, GFP_KERNEL);
			memset(p[i], i, (size_t)(i * 37 % 300) + 1);
		}
		for (i = 0; i < 50; i += 2)
			kfree(p[i]);
		assert_int_equal(ma_slab_validate(), 0);
		minalign_exit(); /* odd ones leak into the exit */
	}
}

/* Alloc/free cycles of the same size keep a bounded number of slabs. */
static void test_reuse_bounded(void **state)
{
	struct minalign_stats st;
	void *p[5000];
	int i, round;
	uint64_t peak = 0;

	(void)state;
	start();
	for (round = 0; round < 20; round++) {
		for (i = 0; i < 5000; i++)
			p[i] = kmalloc(200, GFP_KERNEL);
		minalign_get_stats(&st);
		if (!peak)
			peak = st.slab_bytes;
		assert_true(st.slab_bytes <= peak);
		for (i = 0; i < 5000; i++)
			kfree(p[(i * 7919) % 5000]);
	}
	finish();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_ctor, teardown),
		cmocka_unit_test_teardown(test_alignment, teardown),
		cmocka_unit_test_teardown(test_zalloc, teardown),
		cmocka_unit_test_teardown(test_destroy_live, teardown),
		cmocka_unit_test_teardown(test_wrong_cache, teardown),
		cmocka_unit_test_teardown(test_many_caches, teardown),
		cmocka_unit_test_teardown(test_bad_args, teardown),
		cmocka_unit_test_teardown(test_reinit, teardown),
		cmocka_unit_test_teardown(test_reuse_bounded, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
