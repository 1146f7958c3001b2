/* SPDX-License-Identifier: MIT */
/*
 * kmem_fault - fault walks (walk.h) over the allocating calls of the kmalloc family that
 * slab_fault.c does not walk: kzalloc, kcalloc, kmalloc_array, kstrdup, kmemdup, the largest
 * kmalloc, krealloc across size classes, kinds (GFP_DMA) and into and between large blocks
 * (a failure must return NULL and leave the old object untouched), kmem_cache_create with every
 * flag, and the first allocation from a fresh debug cache.  Each walk runs with one failure at
 * a time and with every allocation from the Nth on failing (MINALIGN_FAULT_PERSIST), with and
 * without slab debug.
 */
#include "walk.h"

struct fw_ctx {
	unsigned char *old, *res;
	size_t old_size, new_size;
	gfp_t old_gfp, new_gfp;
	int variant;
	struct kmem_cache *cache;
	slab_flags_t flags;
	unsigned int csize;
};

static void fill(unsigned char *p, size_t n, unsigned char seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 7);
}

static bool holds(const unsigned char *p, size_t n, unsigned char seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(seed + i * 7))
			return false;
	return true;
}

static bool zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* ---- the kmalloc family ----------------------------------------------------------------- */

static unsigned char src[9000];

static bool run_family(struct fw_ctx *c)
{
	size_t n = c->new_size;

	switch (c->variant) {
	case 0:
		c->res = kzalloc(n, GFP_KERNEL);
		break;
	case 1:
		c->res = kcalloc(n / 4, 4, GFP_KERNEL);
		break;
	case 2:
		c->res = kmalloc_array(3, n / 3, GFP_KERNEL);
		break;
	case 3:
		for (size_t i = 0; i + 1 < n; i++)
			src[i] = (unsigned char)('a' + i % 26);
		src[n - 1] = 0;
		c->res = (unsigned char *)kstrdup((char *)src, GFP_KERNEL);
		break;
	case 4:
		fill(src, n, 5);
		c->res = kmemdup(src, n, GFP_KERNEL);
		break;
	default:
		c->res = kmalloc(n, c->new_gfp);
	}
	if (!c->res)
		return false;
	if (c->variant <= 1)
		assert_true(zero(c->res, n));
	if (c->variant >= 3 && c->variant <= 4)
		assert_memory_equal(c->res, src, n);
	fill(c->res, n, 9);
	return true;
}

static void undo_res(struct fw_ctx *c)
{
	kfree(c->res);
	c->res = NULL;
}

static const struct fw_op op_family = {"kmalloc family", NULL, run_family, undo_res, NULL, false};

static void family_walks(unsigned int kinds)
{
	static const struct {
		int variant;
		size_t size;
	} cases[] = {{0, 100},	 {0, 20000}, {1, 200},	{1, 40000}, {2, 3000},
		     {2, 30000}, {3, 40},    {3, 9000}, {4, 9000},  {4, 24}};
	struct fw_ctx c = {0};

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c.variant = cases[i].variant;
		c.new_size = cases[i].size;
		assert_true(fw_walk(&op_family, &c, kinds) >= 1);
	}
	/* the largest kmalloc: one max-order block */
	c.variant = 5;
	c.new_size = KMALLOC_MAX_SIZE;
	c.new_gfp = GFP_KERNEL;
	assert_true(fw_walk(&op_family, &c, kinds) >= 1);
}

static void test_family(void **state)
{
	(void)state;
	fw_start(false);
	family_walks(FW_FAULTS);
	family_walks(FW_FAULTS | MINALIGN_FAULT_PERSIST);
}

static void test_family_debug(void **state)
{
	(void)state;
	fw_start(true);
	family_walks(FW_FAULTS);
}

/* ---- krealloc ---------------------------------------------------------------------------- */

static void setup_old(struct fw_ctx *c)
{
	c->old = c->old_size ? kmalloc(c->old_size, c->old_gfp) : NULL;
	if (c->old_size) {
		assert_non_null(c->old);
		fill(c->old, c->old_size, 0x33);
	}
}

static bool run_krealloc(struct fw_ctx *c)
{
	size_t keep = c->old_size < c->new_size ? c->old_size : c->new_size;

	c->res = krealloc(c->old, c->new_size, c->new_gfp);
	if (!c->res) {
		/* a failed krealloc leaves the old object as it was */
		assert_true(!c->old || holds(c->old, c->old_size, 0x33));
		return false;
	}
	assert_true(holds(c->res, keep, 0x33));
	if (c->new_gfp & GFP_DMA)
		assert_int_equal((uintptr_t)c->res & (dma_get_cache_alignment() - 1), 0);
	if (c->res != c->old)
		c->old = NULL; /* freed by krealloc */
	return true;
}

static void undo_krealloc(struct fw_ctx *c)
{
	kfree(c->res);
	if (c->res == c->old)
		c->old = NULL;
	c->res = NULL;
}

static void free_old(struct fw_ctx *c)
{
	kfree(c->old);
	c->old = NULL;
}

/* a successful krealloc frees the object setup made: checked after teardown only */
static const struct fw_op op_krealloc = {"krealloc",	setup_old, run_krealloc,
					 undo_krealloc, free_old,  true};

static void krealloc_walks(unsigned int kinds)
{
	static const struct {
		size_t from, to;
		gfp_t from_gfp, to_gfp;
	} cases[] = {
		{8, 200, GFP_KERNEL, GFP_KERNEL},	       /* to a bigger class */
		{200, 20000, GFP_KERNEL, GFP_KERNEL},	       /* slab to large */
		{20000, 100000, GFP_KERNEL, GFP_KERNEL},       /* large to larger */
		{100000, 5000, GFP_KERNEL, GFP_KERNEL},	       /* large shrinks in place */
		{100, 50, GFP_KERNEL, GFP_DMA},		       /* a DMA object: moves */
		{24, 24, GFP_KERNEL, GFP_KERNEL | __GFP_ZERO}, /* in place */
		{0, 64, GFP_KERNEL, GFP_KERNEL},	       /* NULL: a kmalloc */
	};
	struct fw_ctx c = {0};

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c.old_size = cases[i].from;
		c.new_size = cases[i].to;
		c.old_gfp = cases[i].from_gfp;
		c.new_gfp = cases[i].to_gfp;
		fw_walk(&op_krealloc, &c, kinds);
	}
}

static void test_krealloc(void **state)
{
	(void)state;
	fw_start(false);
	krealloc_walks(FW_FAULTS);
	krealloc_walks(FW_FAULTS | MINALIGN_FAULT_PERSIST);
}

static void test_krealloc_debug(void **state)
{
	(void)state;
	fw_start(true);
	krealloc_walks(FW_FAULTS);
}

/* ---- kmem_cache ------------------------------------------------------------------------ */

static void ctor(void *p)
{
	memset(p, 0x5a, 16);
}

static bool run_create(struct fw_ctx *c)
{
	c->cache = kmem_cache_create("fault-walk", c->csize, 0, c->flags, c->variant ? ctor : NULL);
	return c->cache != NULL;
}

static void undo_create(struct fw_ctx *c)
{
	kmem_cache_destroy(c->cache);
	c->cache = NULL;
}

static const struct fw_op op_create = {"kmem_cache_create", NULL, run_create,
				       undo_create,	    NULL, false};

static void setup_cache(struct fw_ctx *c)
{
	assert_true(run_create(c));
}

static bool run_first_alloc(struct fw_ctx *c)
{
	c->res = kmem_cache_alloc(c->cache, GFP_KERNEL);
	if (!c->res)
		return false;
	if (c->variant)
		assert_int_equal(c->res[0], 0x5a);
	return true;
}

static void undo_first_alloc(struct fw_ctx *c)
{
	kmem_cache_free(c->cache, c->res);
	c->res = NULL;
}

static const struct fw_op op_first_alloc = {"first kmem_cache_alloc", setup_cache, run_first_alloc,
					    undo_first_alloc,	      undo_create, false};

static void cache_walks(unsigned int kinds)
{
	static const struct {
		unsigned int size;
		slab_flags_t flags;
		int ctor;
	} cases[] = {{40, 0, 0},
		     {100, SLAB_HWCACHE_ALIGN, 1},
		     {24, SLAB_RED_ZONE, 1},
		     {700, SLAB_CACHE_DMA | SLAB_HWCACHE_ALIGN, 0},
		     {20000, SLAB_RED_ZONE, 0},
		     {8, SLAB_ACCOUNT | SLAB_RECLAIM_ACCOUNT, 0}};
	struct fw_ctx c = {0};

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c.csize = cases[i].size;
		c.flags = cases[i].flags;
		c.variant = cases[i].ctor;
		assert_true(fw_walk(&op_create, &c, kinds) >= 1);
		assert_true(fw_walk(&op_first_alloc, &c, kinds) >= 1);
	}
}

static void test_caches(void **state)
{
	(void)state;
	fw_start(false);
	cache_walks(FW_FAULTS);
	cache_walks(FW_FAULTS | MINALIGN_FAULT_PERSIST);
}

static void test_caches_debug(void **state)
{
	(void)state;
	fw_start(true);
	cache_walks(FW_FAULTS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_family, fw_teardown),
		cmocka_unit_test_teardown(test_family_debug, fw_teardown),
		cmocka_unit_test_teardown(test_krealloc, fw_teardown),
		cmocka_unit_test_teardown(test_krealloc_debug, fw_teardown),
		cmocka_unit_test_teardown(test_caches, fw_teardown),
		cmocka_unit_test_teardown(test_caches_debug, fw_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
