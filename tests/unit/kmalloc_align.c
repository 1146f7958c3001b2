/* SPDX-License-Identifier: MIT */
/*
 * kmalloc_align - for every policy and cache lines 32, 64 and 128: the alignment of every
 * kmalloc size 1..8192 (plain, GFP_DMA, __GFP_PACKED), ksize, and kmalloc_size_roundup
 * against an independent implementation of Linux's rule.
 */
#include "test_util.h"

#include <stdio.h>
#include <string.h>

static const enum minalign_policy policies[] = {MINALIGN_POLICY_LEGACY, MINALIGN_POLICY_BOUNCE,
						MINALIGN_POLICY_PACKED, MINALIGN_POLICY_DMA_OPT_IN,
						MINALIGN_POLICY_NAIVE};
static const unsigned int lines[] = {32, 64, 128};

/* Linux's minimum kmalloc alignment for a policy (DESIGN.md section 4), written out. */
static unsigned int expect_minalign(enum minalign_policy pol, unsigned int line, size_t swiotlb,
				    gfp_t gfp)
{
	if (gfp & GFP_DMA)
		return line;
	switch (pol) {
	case MINALIGN_POLICY_LEGACY:
		return line;
	case MINALIGN_POLICY_BOUNCE:
		return swiotlb ? 8 : line;
	case MINALIGN_POLICY_PACKED:
		return (gfp & __GFP_PACKED) ? 8 : line;
	default:
		return 8;
	}
}

static size_t next_pow2(size_t n)
{
	size_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/*
 * Linux's kmalloc size rule, independently: sizes up to the minimum alignment use it; the
 * 96 and 192 caches exist only while the alignment allows them; otherwise the next power of
 * two; pages above KMALLOC_MAX_CACHE_SIZE.
 */
static size_t linux_roundup(size_t size, unsigned int m)
{
	size_t order_bytes = 4096;

	if (size == 0)
		return 0;
	if (size > 8192) {
		if (size > ((size_t)4096 << 10))
			return size;
		while (order_bytes < size)
			order_bytes <<= 1;
		return order_bytes;
	}
	if (size <= m)
		return m;
	if (size > 64 && size <= 96 && m <= 32)
		return 96;
	if (size > 128 && size <= 192 && m <= 64)
		return 192;
	return next_pow2(size);
}

static size_t natural_align(size_t objsize)
{
	if (objsize == 96)
		return 32;
	if (objsize == 192)
		return 64;
	return objsize;
}

static void check_sizes(enum minalign_policy pol, unsigned int line, gfp_t gfp)
{
	struct minalign_config cfg;
	unsigned int m;
	size_t size;

	tu_config_small(&cfg);
	cfg.policy = pol;
	cfg.cache_line = line;
	m = expect_minalign(pol, line, cfg.swiotlb_size, gfp);
	tu_init(&cfg);
	tu_reports_capture();
	for (size = 1; size <= 8192; size++) {
		size_t objsize = linux_roundup(size, m);
		char *p = kmalloc(size, GFP_KERNEL | gfp);

		if (!p || (uintptr_t)p % m || (uintptr_t)p % natural_align(objsize) ||
		    ksize(p) != objsize) {
			fprintf(stderr,
				"policy %s line %u gfp %#x size %zu: %p ksize %zu want %zu\n",
				minalign_policy_name(pol), line, gfp, size, (void *)p,
				p ? ksize(p) : 0, objsize);
			fail();
		}
		if (!(gfp & (GFP_DMA | __GFP_PACKED)))
			assert_int_equal(kmalloc_size_roundup(size), objsize);
		p[0] = 1;
		p[size - 1] = 2;
		kfree(p);
	}
	if (gfp & GFP_DMA) {
		char *p = kmalloc(100, GFP_DMA);

		assert_true(virt_to_phys(p) + 128 <= ((phys_addr_t)1 << 32));
		kfree(p);
	}
	tu_expect_no_report();
	tu_reports_release();
	minalign_exit();
}

static void test_every_size(void **state)
{
	unsigned int i, j;

	(void)state;
	for (i = 0; i < sizeof(policies) / sizeof(policies[0]); i++) {
		for (j = 0; j < sizeof(lines) / sizeof(lines[0]); j++) {
			check_sizes(policies[i], lines[j], 0);
			check_sizes(policies[i], lines[j], GFP_DMA);
			check_sizes(policies[i], lines[j], __GFP_PACKED);
		}
	}
}

/* BOUNCE without a bounce pool keeps the cache line, as Linux does. */
static void test_bounce_without_pool(void **state)
{
	struct minalign_config cfg;
	void *p;

	(void)state;
	tu_config_small(&cfg);
	cfg.policy = MINALIGN_POLICY_BOUNCE;
	cfg.swiotlb_size = 0;
	cfg.swiotlb_dynamic = false;
	tu_init(&cfg);
	p = kmalloc(8, GFP_KERNEL);
	assert_int_equal((uintptr_t)p % 128, 0);
	assert_int_equal(ksize(p), 128);
	assert_int_equal(kmalloc_size_roundup(1), 128);
	assert_int_equal(kmalloc_size_roundup(129), 256);
	kfree(p);
	minalign_exit();
}

static void test_roundup_edges(void **state)
{
	struct minalign_config cfg;
	size_t s;

	(void)state;
	tu_config_small(&cfg);
	cfg.policy = MINALIGN_POLICY_NAIVE;
	tu_init(&cfg);
	assert_int_equal(kmalloc_size_roundup(0), 0);
	for (s = 8193; s < 70000; s += 97)
		assert_int_equal(kmalloc_size_roundup(s), linux_roundup(s, 8));
	assert_int_equal(kmalloc_size_roundup(KMALLOC_MAX_SIZE), KMALLOC_MAX_SIZE);
	assert_int_equal(kmalloc_size_roundup(KMALLOC_MAX_SIZE + 1), KMALLOC_MAX_SIZE + 1);
	assert_int_equal(kmalloc_size_roundup(SIZE_MAX), SIZE_MAX);
	assert_null(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL));
	assert_int_equal(dma_get_cache_alignment(), 128);
	minalign_exit();
	assert_int_equal(dma_get_cache_alignment(), 128);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_size),
		cmocka_unit_test(test_bounce_without_pool),
		cmocka_unit_test(test_roundup_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
