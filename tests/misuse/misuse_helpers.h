/* SPDX-License-Identifier: MIT */
/*
 * tests/misuse/misuse_helpers.h - the frame the issue-12 misuse programs share: start() brings
 * the library up with DMA debug (plus @debug_flags, which each program sets to run its cases
 * with and without MINALIGN_DEBUG_SLAB) and captures reports; finish() proves the library still
 * works after the misuse (a correct DMA cycle on a fresh device, no report), then exits and
 * brings it up again.
 */
#ifndef MINALIGN_TESTS_MISUSE_HELPERS_H
#define MINALIGN_TESTS_MISUSE_HELPERS_H

#include "../unit/dma_helpers.h"

static unsigned int debug_flags;

static inline void start(void)
{
	struct minalign_config c;

	tu_config_small(&c);
	c.policy = MINALIGN_POLICY_BOUNCE; /* kmalloc-8 .. kmalloc-96, -192: minimum alignment 8 */
	c.swiotlb_dynamic = false;
	c.debug = MINALIGN_DEBUG_DMA | debug_flags;
	tu_init(&c);
	tu_reports_capture();
}

/* A correct DMA cycle on a fresh device, then exit and a fresh init: the library still works. */
static inline void finish(void)
{
	struct device *dev = th_dev("after", false, 0, false);
	unsigned char *p = kmalloc(200, GFP_KERNEL);
	dma_addr_t a;

	assert_non_null(p);
	a = dma_map_single(dev, p, 200, DMA_FROM_DEVICE);
	assert_false(dma_mapping_error(dev, a));
	th_dev_fill(dev, a, 9, 200);
	dma_unmap_single(dev, a, 200, DMA_FROM_DEVICE);
	assert_true(th_holds(p, 9, 200));
	kfree(p);
	minalign_device_destroy(dev);
	tu_expect_no_report();
	tu_reports_release();
	minalign_exit();
	tu_init(NULL);
	p = kmalloc(64, GFP_KERNEL);
	assert_non_null(p);
	kfree(p);
	minalign_exit();
}

#endif
