/* SPDX-License-Identifier: MIT */
/*
 * slab_safety - slab misuse caught without slab debug (issue 12, class 2): the out-of-band slot
 * states and validated free-list links.  A non-immediate double free, a double free from
 * another thread (two threads), a krealloc of a freed pointer, the free of an interior pointer
 * of a 96- and a 192-byte object, a one-byte overflow into a free neighbour (its free-list link),
 * kmem_cache_alloc from a destroyed cache.  Each expects exactly its report and that the
 * allocator then hands out only distinct, unused objects; then a correct DMA cycle, exit and a
 * fresh init.  Every case runs without and with MINALIGN_DEBUG_SLAB (with slab debug the
 * overflow is caught by the red zone at the object's free instead).
 */
#include "misuse_helpers.h"

#include <pthread.h>
#include <stdlib.h>

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Allocate @n objects of @size: all distinct and none in [@live, @live + @size) for any of the
 * @nlive objects still allocated; each is stamped and checked; then freed.  No report, or
 * exactly one containing @expect.
 */
static void distinct_allocs_expect(size_t size, unsigned int n, void *const *live,
				   unsigned int nlive, const char *expect)
{
	void **p = calloc(n, sizeof(*p));

	assert_non_null(p);
	for (unsigned int i = 0; i < n; i++) {
		p[i] = kmalloc(size, GFP_KERNEL);
		assert_non_null(p[i]);
		for (unsigned int j = 0; j < nlive; j++)
			assert_false((char *)p[i] < (char *)live[j] + size &&
				     (char *)live[j] < (char *)p[i] + size);
		memset(p[i], (int)(i & 0xff), size);
	}
	qsort(p, n, sizeof(*p), cmp_ptr);
	for (unsigned int i = 1; i < n; i++)
		assert_true(p[i] != p[i - 1]);
	for (unsigned int i = 0; i < n; i++)
		kfree(p[i]);
	free(p);
	if (expect)
		tu_expect_report("slab", expect);
	tu_expect_no_report();
}

static void distinct_allocs(size_t size, unsigned int n, void *const *live, unsigned int nlive)
{
	distinct_allocs_expect(size, n, live, nlive, NULL);
}

static void test_double_free_later(void **state)
{
	void *p, *q, *r;

	(void)state;
	start();
	p = kmalloc(64, GFP_KERNEL);
	q = kmalloc(64, GFP_KERNEL);
	r = kmalloc(64, GFP_KERNEL);
	kfree(p);
	kfree(q);
	kfree(p); /* not the list head any more */
	tu_expect_report("slab", "double free");
	distinct_allocs(64, 3000, &r, 1);
	kfree(r);
	finish();
}

static void test_double_free_immediate(void **state)
{
	void *p;

	(void)state;
	start();
	p = kmalloc(32, GFP_KERNEL);
	kfree(p);
	kfree(p);
	tu_expect_report("slab", "double free");
	distinct_allocs(32, 1000, NULL, 0);
	finish();
}

struct other {
	void *p;
	bool alloc;
};

static void *other_thread(void *arg)
{
	struct other *o = arg;

	if (o->alloc)
		o->p = kmalloc(128, GFP_KERNEL);
	else
		kfree(o->p);
	return NULL;
}

static void run_other(struct other *o)
{
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, other_thread, o), 0);
	pthread_join(t, NULL);
}

/* Freed here, freed again by another thread; and allocated there, freed there and here. */
static void test_double_free_other_thread(void **state)
{
	struct other o = {0};
	void *keep;

	(void)state;
	start();
	keep = kmalloc(128, GFP_KERNEL);
	o.p = kmalloc(128, GFP_KERNEL);
	kfree(o.p);
	run_other(&o); /* remote double free */
	tu_expect_report("slab", "double free");
	distinct_allocs(128, 2000, &keep, 1);

	o.alloc = true;
	run_other(&o); /* the other thread allocates (and exits) */
	o.alloc = false;
	run_other(&o); /* a third frees it */
	kfree(o.p);    /* and we free it again */
	tu_expect_report("slab", "double free");
	distinct_allocs(128, 2000, &keep, 1);
	kfree(keep);
	finish();
}

static void test_krealloc_freed(void **state)
{
	void *p, *q;

	(void)state;
	start();
	p = kmalloc(48, GFP_KERNEL);
	q = kmalloc(48, GFP_KERNEL);
	kfree(p);
	assert_null(krealloc(p, 40, GFP_KERNEL));
	tu_expect_report("slab", "krealloc");
	assert_null(krealloc(p, 400, GFP_KERNEL));
	tu_expect_report("slab", "krealloc");
	distinct_allocs(48, 500, &q, 1);
	kfree(q);
	finish();
}

/* kfree(p + k) where p + k is on an alignment boundary inside a 96- or 192-byte object. */
static void interior(size_t size, size_t k)
{
	unsigned char *o[8];

	for (int i = 0; i < 8; i++) {
		o[i] = kmalloc(size, GFP_KERNEL);
		assert_int_equal(ksize(o[i]), size);
		th_fill(o[i], (unsigned char)i, size);
	}
	kfree(o[3] + k);
	tu_expect_report("slab", "not the start");
	for (int i = 0; i < 8; i++)
		assert_true(th_holds(o[i], (unsigned char)i, size));
	distinct_allocs(size, 500, (void *const *)o, 8);
	for (int i = 0; i < 8; i++)
		kfree(o[i]);
	tu_expect_no_report();
}

static void test_interior_free(void **state)
{
	(void)state;
	start();
	interior(96, 32);
	interior(96, 64);
	interior(192, 64);
	interior(192, 128);
	interior(64, 8);
	finish();
}

/* One byte written past ksize() of a into its free neighbour b (b's free-list link). */
static void test_overflow_into_free_neighbour(void **state)
{
	enum { N = 64 };
	unsigned char *o[N], *a = NULL, *b = NULL;
	size_t ks;
	int i;

	(void)state;
	start();
	for (i = 0; i < N; i++)
		o[i] = kmalloc(64, GFP_KERNEL);
	for (i = 0; i < N && !a; i++)
		for (int j = 0; j < N; j++)
			if (o[j] == o[i] + ksize(o[i]) && o[j]) {
				a = o[i];
				b = o[j];
				break;
			}
	if (!a && (debug_flags & MINALIGN_DEBUG_SLAB)) {
		a = o[0]; /* red zones: a's next byte is never its neighbour's */
		b = o[1];
	}
	assert_non_null(a);
	ks = ksize(a);
	for (i = 0; i < N; i++)
		if (o[i] != a && o[i] != b)
			kfree(o[i]);
	kfree(b);
	a[ks] ^= 0x08; /* the overflow: the low byte of b's link (or of b's red zone) */
	if (debug_flags & MINALIGN_DEBUG_SLAB) {
		kfree(a); /* slab debug: the byte is a's red zone, checked at its free */
		tu_expect_report("slab", "red zone");
		distinct_allocs(64, 3000, NULL, 0);
	} else {
		/* a later pop meets the link: reported, not followed, the slab quarantined */
		distinct_allocs_expect(64, 3000, (void *const *)&a, 1, "corrupted free list");
		kfree(a); /* a's slab is quarantined: its live objects are still freed */
		tu_expect_no_report();
	}
	finish();
}

static void test_alloc_from_destroyed_cache(void **state)
{
	struct kmem_cache *c;
	void *x, *y;

	(void)state;
	start();
	c = kmem_cache_create("mine", 40, 8, 0, NULL);
	assert_non_null(c);
	x = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(x);
	kmem_cache_destroy(c); /* x still allocated: reported, the cache stays as a zombie */
	tu_expect_report("slab", "still allocated");
	y = kmem_cache_alloc(c, GFP_KERNEL);
	assert_null(y);
	tu_expect_report("slab", "destroyed");
	kmem_cache_free(c, x);
	tu_expect_no_report();
	finish();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_double_free_later),
		cmocka_unit_test(test_double_free_immediate),
		cmocka_unit_test(test_double_free_other_thread),
		cmocka_unit_test(test_krealloc_freed),
		cmocka_unit_test(test_interior_free),
		cmocka_unit_test(test_overflow_into_free_neighbour),
		cmocka_unit_test(test_alloc_from_destroyed_cache),
	};
	int fails = cmocka_run_group_tests_name("slab safety", tests, NULL, NULL);

	debug_flags = MINALIGN_DEBUG_SLAB;
	return fails + cmocka_run_group_tests_name("slab safety, slab debug", tests, NULL, NULL);
}
