/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/dma_helpers.h - small helpers shared by the DMA, SWIOTLB, device, sg and dmapool
 * tests (unit, scenario and stress).  Everything is static inline; include after test_util.h.
 */
#ifndef MINALIGN_TESTS_DMA_HELPERS_H
#define MINALIGN_TESTS_DMA_HELPERS_H

#include "test_util.h"

#include <string.h>

/* A small machine with the given policy, victim and pool; DMA debug off (tests ask for it). */
static inline void th_config(struct minalign_config *c, enum minalign_policy policy,
			     enum minalign_sim_victim victim, size_t swiotlb_size)
{
	tu_config_small(c);
	c->policy = policy;
	c->sim_victim = victim;
	c->swiotlb_size = swiotlb_size;
	c->swiotlb_dynamic = false;
	c->debug = 0;
}

static inline void th_init(enum minalign_policy policy, enum minalign_sim_victim victim,
			   size_t swiotlb_size)
{
	struct minalign_config c;

	th_config(&c, policy, victim, swiotlb_size);
	tu_init(&c);
}

/*
 * The DMA debug (misuse) tests' machine: th_config()'s with @policy, a fixed 1 MiB pool and
 * @debug, reports captured for the test to check.  Pair with th_debug_teardown().
 */
static inline void th_debug_start(enum minalign_policy policy, unsigned int debug)
{
	struct minalign_config c;

	th_config(&c, policy, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)1 << 20);
	c.debug = debug;
	tu_init(&c);
	tu_reports_capture();
}

/* cmocka teardown for th_debug_start(): reports released, the library down. */
static inline int th_debug_teardown(void **state)
{
	(void)state;
	tu_reports_release();
	minalign_exit();
	return 0;
}

static inline struct device *th_dev(const char *name, bool coherent, unsigned int bits, bool force)
{
	struct minalign_device_info info = {
		.name = name, .coherent = coherent, .dma_bits = bits, .force_bounce = force};
	struct device *dev = minalign_device_create(&info);

	assert_non_null(dev);
	return dev;
}

static inline struct minalign_stats th_stats(void)
{
	struct minalign_stats st;

	minalign_get_stats(&st);
	return st;
}

static inline void th_fill(void *p, unsigned char seed, size_t n)
{
	unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)(seed + i * 7);
}

/* True when @p holds th_fill(@seed) over @n bytes. */
static inline bool th_holds(const void *p, unsigned char seed, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != (unsigned char)(seed + i * 7))
			return false;
	return true;
}

/* The device writes th_fill(@seed) over @n bytes at @addr. */
static inline void th_dev_fill(struct device *dev, dma_addr_t addr, unsigned char seed, size_t n)
{
	unsigned char buf[8192];

	assert_true(n <= sizeof(buf));
	th_fill(buf, seed, n);
	assert_int_equal(minalign_dma_write(dev, addr, buf, n), 0);
}

/* True when the device reads th_fill(@seed) over @n bytes at @addr. */
static inline bool th_dev_holds(struct device *dev, dma_addr_t addr, unsigned char seed, size_t n)
{
	unsigned char buf[8192];

	assert_true(n <= sizeof(buf));
	assert_int_equal(minalign_dma_read(dev, addr, buf, n), 0);
	return th_holds(buf, seed, n);
}

/* A page block's CPU address (asserts success). */
static inline unsigned char *th_pages(unsigned int order)
{
	unsigned long a = __get_free_pages(GFP_KERNEL, order);

	assert_true(a != 0);
	return (unsigned char *)a;
}

static inline uintptr_t th_line(const void *p)
{
	return (uintptr_t)p & ~((uintptr_t)dma_get_cache_alignment() - 1);
}

/*
 * Two kmalloc(@size) objects sharing a cache line when the policy allows it (else two
 * objects, the second the first's nearest neighbour).  The other objects allocated while
 * searching are freed.  Returns true when the pair shares a line.
 */
static inline bool th_pair(size_t size, gfp_t gfp, void **buf, void **nb)
{
	enum { N = 64 };
	void *o[N];
	int bi = 0, ni = 1;
	bool shared = false;

	for (int i = 0; i < N; i++) {
		o[i] = kmalloc(size, gfp);
		assert_non_null(o[i]);
	}
	for (int i = 0; i < N && !shared; i++)
		for (int j = 0; j < N && !shared; j++)
			if (i != j && th_line(o[i]) == th_line(o[j]) && o[i] < o[j]) {
				bi = j; /* the later object: its head line holds the neighbour */
				ni = i;
				shared = true;
			}
	if (!shared) {
		uintptr_t best = UINTPTR_MAX;

		for (int j = 1; j < N; j++) {
			uintptr_t d = (uintptr_t)o[j] > (uintptr_t)o[0]
					      ? (uintptr_t)o[j] - (uintptr_t)o[0]
					      : UINTPTR_MAX;
			if (d < best) {
				best = d;
				ni = j;
			}
		}
		bi = 0;
	}
	*buf = o[bi];
	*nb = o[ni];
	for (int i = 0; i < N; i++)
		if (i != bi && i != ni)
			kfree(o[i]);
	return shared;
}

#endif /* MINALIGN_TESTS_DMA_HELPERS_H */
