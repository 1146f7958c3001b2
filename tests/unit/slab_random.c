/* SPDX-License-Identifier: MIT */
/*
 * slab_random - random sequences of kmalloc, kzalloc, krealloc, kfree, ksize, kmem_cache_alloc
 * and kmem_cache_free against a shadow model: every live object keeps a pattern that is
 * checked before it is freed or resized, alignment and ksize are checked on every allocation,
 * the allocator validates every few hundred steps, and at the end nothing leaks.  Every
 * policy, with and without slab debug.
 */
#include "test_util.h"

#include <string.h>

#include "slab/slab.h"

#define NLIVE 512
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define STEPS 4000 /* every byte access is instrumented: keep the suite fast */
#else
#define STEPS 30000
#endif

struct live {
	unsigned char *p;
	size_t size;
	uint8_t seed;
	int cache; /* -1: kmalloc */
};

static struct live live[NLIVE];
static struct kmem_cache *caches[3];
static const unsigned int cache_size[3] = {24, 200, 3000};

static void fill(struct live *l)
{
	size_t i;

	for (i = 0; i < l->size; i++)
		l->p[i] = (unsigned char)(l->seed + i * 3);
}

static void check(const struct live *l)
{
	size_t i;

	for (i = 0; i < l->size; i++)
		if (l->p[i] != (unsigned char)(l->seed + i * 3))
			fail_msg("object %p byte %zu changed", (void *)l->p, i);
}

static size_t rand_size(uint64_t *rng)
{
	unsigned int r = (unsigned int)(tu_rand(rng) % 100);

	if (r < 70)
		return 1 + tu_rand(rng) % 256;
	if (r < 95)
		return 1 + tu_rand(rng) % 8192;
	return 8193 + tu_rand(rng) % 40000;
}

static void release(struct live *l)
{
	check(l);
	if (l->cache < 0)
		kfree(l->p);
	else
		kmem_cache_free(caches[l->cache], l->p);
	l->p = NULL;
}

static void step(struct live *l, uint64_t *rng, unsigned int minalign)
{
	unsigned int op = (unsigned int)(tu_rand(rng) % 10);
	gfp_t gfp = tu_rand(rng) % 8 == 0 ? GFP_DMA : GFP_KERNEL;

	if (l->p && op < 4) {
		release(l);
		return;
	}
	if (l->p && op < 6 && l->cache < 0) {
		size_t n = rand_size(rng), keep = n < l->size ? n : l->size;
		unsigned char *q = krealloc(l->p, n, gfp);

		assert_non_null(q);
		l->p = q;
		l->size = keep;
		check(l);
		l->size = n;
		fill(l);
		return;
	}
	if (l->p) {
		check(l);
		assert_true(ksize(l->p) >= l->size);
		return;
	}
	if (op < 8) {
		l->size = rand_size(rng);
		l->p = op & 1 ? kzalloc(l->size, gfp) : kmalloc(l->size, gfp);
		l->cache = -1;
		assert_non_null(l->p);
		assert_int_equal((uintptr_t)l->p % (gfp == GFP_DMA ? 128 : minalign), 0);
		assert_true(ksize(l->p) >= l->size);
		if (op & 1)
			for (size_t i = 0; i < l->size; i++)
				assert_int_equal(l->p[i], 0);
	} else {
		l->cache = (int)(tu_rand(rng) % 3);
		l->size = cache_size[l->cache];
		l->p = kmem_cache_alloc(caches[l->cache], GFP_KERNEL);
		assert_non_null(l->p);
	}
	l->seed = (uint8_t)tu_rand(rng);
	fill(l);
}

static void run(enum minalign_policy pol, bool debug)
{
	struct minalign_config cfg;
	struct tu_snapshot snap;
	uint64_t rng = 0xdeadbeef + pol * 131 + debug;
	unsigned int i, minalign;

	tu_config_small(&cfg);
	cfg.policy = pol;
	if (debug)
		cfg.debug |= MINALIGN_DEBUG_SLAB;
	tu_init(&cfg);
	tu_reports_capture();
	tu_snapshot(&snap);
	minalign = (unsigned int)kmalloc_size_roundup(1);
	minalign = minalign > 128 ? 128 : minalign;
	caches[0] = kmem_cache_create("rand-24", 24, 0, 0, NULL);
	caches[1] = kmem_cache_create("rand-200", 200, 0, SLAB_HWCACHE_ALIGN, NULL);
	caches[2] = kmem_cache_create("rand-3000", 3000, 64, 0, NULL);
	memset(live, 0, sizeof(live));
	for (i = 0; i < STEPS; i++) {
		step(&live[tu_rand(&rng) % NLIVE], &rng, minalign);
		if (i % 500 == 0)
			assert_int_equal(ma_slab_validate(), 0);
	}
	for (i = 0; i < NLIVE; i++)
		if (live[i].p)
			release(&live[i]);
	for (i = 0; i < 3; i++)
		kmem_cache_destroy(caches[i]);
	minalign_slab_shrink();
	tu_expect_no_report();
	assert_int_equal(ma_slab_validate(), 0);
	tu_assert_no_leak(&snap);
	tu_reports_release();
	minalign_exit();
}

static void test_random(void **state)
{
	int pol;

	(void)state;
	for (pol = 0; pol < MINALIGN_NR_POLICIES; pol++) {
		run((enum minalign_policy)pol, false);
		run((enum minalign_policy)pol, true);
	}
}

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
		cmocka_unit_test_teardown(test_random, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
