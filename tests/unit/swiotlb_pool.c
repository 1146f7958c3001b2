/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/swiotlb_pool.c - the static bounce pool: geometry, line-sized slots, directions,
 * short device writes, SKIP_CPU_SYNC, min_align_mask, page alignment, segments, exhaustion,
 * addressing limits, misuse and init failures.
 */
#include "dma_helpers.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "swiotlb/swiotlb.h"

#define MA_ARRAY_SIZE_T(a) (sizeof(a) / sizeof((a)[0]))

#define LINE 128u
#define GIB4 (UINT64_C(1) << 32)
#define SEG  ((size_t)256 << 10)

static int teardown(void **state)
{
	(void)state;
	tu_reports_release();
	minalign_exit();
	return 0;
}

static void init_force(size_t pool, struct device **dev)
{
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, pool);
	tu_reports_capture();
	*dev = th_dev("bouncer", false, 0, true);
}

static void test_geometry(void **state)
{
	struct minalign_stats st;
	struct device *dev;

	(void)state;
	init_force((size_t)1 << 20, &dev);
	st = th_stats();
	assert_int_equal(st.swiotlb_pools, 1);
	assert_int_equal(st.swiotlb_slots_total, (1u << 20) / LINE);
	assert_int_equal(st.swiotlb_bytes, 1u << 20);
	assert_true(is_swiotlb_active(dev));
	assert_int_equal(swiotlb_max_mapping_size(dev), SEG);
	dma_set_min_align_mask(dev, 4095);
	assert_int_equal(swiotlb_max_mapping_size(dev),
			 SEG - 4096); /* as Linux: the mask rounded up to a slot */
	minalign_device_destroy(dev);
	minalign_exit();

	/* 6 MiB: a 4 MiB and a 2 MiB pool */
	init_force((size_t)6 << 20, &dev);
	st = th_stats();
	assert_int_equal(st.swiotlb_pools, 2);
	assert_int_equal(st.swiotlb_slots_total, (6u << 20) / LINE);
	assert_int_equal(st.swiotlb_bytes_peak, 6u << 20);
	minalign_device_destroy(dev);
	minalign_exit();

	/* no pool */
	init_force(0, &dev);
	assert_false(is_swiotlb_active(dev));
	assert_int_equal(swiotlb_max_mapping_size(dev), SIZE_MAX);
	assert_int_equal(th_stats().swiotlb_pools, 0);
	minalign_device_destroy(dev);
	tu_expect_no_report();
}

/* A bounce of up to one line takes one line of pool; one more byte takes two. */
static void test_small_bounce_one_line(void **state)
{
	unsigned char *buf;
	struct device *dev;
	dma_addr_t a, b;

	(void)state;
	init_force((size_t)1 << 20, &dev);
	buf = th_pages(0);
	th_fill(buf + 3, 1, 8);
	a = dma_map_single(dev, buf + 3, 8, DMA_TO_DEVICE);
	assert_int_equal(dma_mapping_error(dev, a), 0);
	assert_true(is_swiotlb_buffer(dev, a));
	assert_int_equal(a % LINE, 0);
	assert_int_equal(th_stats().swiotlb_slots_used, 1);
	assert_true(th_dev_holds(dev, a, 1, 8));
	b = dma_map_single(dev, buf + 3, LINE + 1, DMA_TO_DEVICE);
	assert_int_equal(dma_mapping_error(dev, b), 0);
	assert_int_equal(th_stats().swiotlb_slots_used, 3);
	assert_int_equal(th_stats().bounce_maps, 2);
	assert_int_equal(th_stats().bounce_addressing, 2);
	dma_unmap_single(dev, b, LINE + 1, DMA_TO_DEVICE);
	dma_unmap_single(dev, a, 8, DMA_TO_DEVICE);
	assert_int_equal(th_stats().swiotlb_slots_used, 0);
	/* the mark counts slots held in the thread's cache too */
	assert_true(th_stats().swiotlb_slots_hiwater >= 3);
	assert_int_equal(th_stats().dma_live_mappings, 0);
	assert_int_equal(ma_swiotlb_validate(), 0);
	free_pages((unsigned long)buf, 0);
	minalign_device_destroy(dev);
	tu_expect_no_report();
}

/* Data is right in every direction, and the original is untouched until unmap. */
static void test_directions(void **state)
{
	static const enum dma_data_direction dirs[] = {DMA_TO_DEVICE, DMA_FROM_DEVICE,
						       DMA_BIDIRECTIONAL};
	const size_t n = 300;
	unsigned char *buf;
	struct device *dev;

	(void)state;
	init_force((size_t)1 << 20, &dev);
	buf = th_pages(1);
	for (unsigned int i = 0; i < 3; i++) {
		enum dma_data_direction dir = dirs[i];
		dma_addr_t a;

		th_fill(buf + 40, 10, n);
		a = dma_map_single(dev, buf + 40, n, dir);
		assert_int_equal(dma_mapping_error(dev, a), 0);
		assert_true(is_swiotlb_buffer(dev, a));
		/* copy-in happens for every direction */
		assert_true(th_dev_holds(dev, a, 10, n));
		if (dir != DMA_TO_DEVICE)
			th_dev_fill(dev, a, 99, n);
		assert_true(th_holds(buf + 40, 10, n)); /* CPU's copy untouched while mapped */
		dma_unmap_single(dev, a, n, dir);
		assert_true(th_holds(buf + 40, dir == DMA_TO_DEVICE ? 10 : 99, n));
	}
	free_pages((unsigned long)buf, 1);
	minalign_device_destroy(dev);
	tu_expect_no_report();
}

/* A device writing less than the mapping never exposes stale pool bytes. */
static void test_short_device_write(void **state)
{
	const size_t n = 256;
	unsigned char *buf;
	struct device *dev;
	dma_addr_t a;

	(void)state;
	init_force((size_t)1 << 20, &dev);
	buf = th_pages(0);
	/* leave junk in the pool lines the next mapping will get (LIFO reuse) */
	a = dma_map_single(dev, buf, n, DMA_FROM_DEVICE);
	th_dev_fill(dev, a, 200, n);
	dma_unmap_single(dev, a, n, DMA_FROM_DEVICE);
	assert_true(th_holds(buf, 200, n));

	for (unsigned int d = 0; d < 2; d++) {
		enum dma_data_direction dir = d ? DMA_BIDIRECTIONAL : DMA_FROM_DEVICE;
		dma_addr_t b;

		memset(buf, 0xA5, n);
		b = dma_map_single(dev, buf, n, dir);
		assert_int_equal(b, a); /* the same, junk-filled lines */
		th_dev_fill(dev, b, 7, 100);
		dma_unmap_single(dev, b, n, dir);
		assert_true(th_holds(buf, 7, 100));
		for (size_t i = 100; i < n; i++)
			assert_int_equal(buf[i], 0xA5);
	}
	free_pages((unsigned long)buf, 0);
	minalign_device_destroy(dev);
	tu_expect_no_report();
}

static void test_skip_cpu_sync(void **state)
{
	const size_t n = 200;
	unsigned char *buf, *pg;
	struct device *dev, *plain;
	dma_addr_t a;

	(void)state;
	init_force((size_t)1 << 20, &dev);
	buf = th_pages(0);

	/* bounced: no copy back at unmap, sync_for_cpu copies */
	th_fill(buf, 1, n);
	a = dma_map_single_attrs(dev, buf, n, DMA_FROM_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
	assert_int_equal(dma_mapping_error(dev, a), 0);
	th_dev_fill(dev, a, 2, n);
	dma_sync_single_for_cpu(dev, a, n, DMA_FROM_DEVICE);
	assert_true(th_holds(buf, 2, n));
	dma_sync_single_for_device(dev, a, n, DMA_FROM_DEVICE);
	th_dev_fill(dev, a, 3, n);
	dma_unmap_single_attrs(dev, a, n, DMA_FROM_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
	assert_true(th_holds(buf, 2, n)); /* the last device write was not copied back */

	/* direct: no cache maintenance until the driver syncs */
	plain = th_dev("plain", false, 0, false);
	pg = th_pages(0);
	th_fill(pg, 4, PAGE_SIZE);
	a = dma_map_single_attrs(plain, pg, PAGE_SIZE, DMA_TO_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
	assert_false(is_swiotlb_buffer(plain, a));
	assert_false(th_dev_holds(plain, a, 4, 64)); /* not cleaned: the device sees old RAM */
	dma_sync_single_for_device(plain, a, PAGE_SIZE, DMA_TO_DEVICE);
	assert_true(th_dev_holds(plain, a, 4, 64));
	dma_unmap_single_attrs(plain, a, PAGE_SIZE, DMA_TO_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
	free_pages((unsigned long)pg, 0);
	free_pages((unsigned long)buf, 0);
	minalign_device_destroy(plain);
	minalign_device_destroy(dev);
	tu_expect_no_report();
}

static void test_min_align_mask(void **state)
{
	static const struct {
		unsigned int mask, off;
		size_t size;
	} c[] = {{4095, 0x234, 100}, {0x3ff, 0x7ab, 600}, {4095, 0xf80, 5000}, {0x1f, 0x45, 8}};
	unsigned char *buf;
	struct device *dev;

	(void)state;
	init_force((size_t)1 << 20, &dev);
	buf = th_pages(2);
	for (unsigned int i = 0; i < MA_ARRAY_SIZE_T(c); i++) {
		unsigned char *p = buf + c[i].off;
		dma_addr_t a;

		dma_set_min_align_mask(dev, c[i].mask);
		th_fill(p, (unsigned char)i, c[i].size);
		a = dma_map_single(dev, p, c[i].size, DMA_BIDIRECTIONAL);
		assert_int_equal(dma_mapping_error(dev, a), 0);
		assert_true(is_swiotlb_buffer(dev, a));
		assert_int_equal(a & c[i].mask, virt_to_phys(p) & c[i].mask);
		assert_true(th_dev_holds(dev, a, (unsigned char)i, c[i].size));
		th_dev_fill(dev, a, (unsigned char)(i + 50), c[i].size);
		dma_unmap_single(dev, a, c[i].size, DMA_BIDIRECTIONAL);
		assert_true(th_holds(p, (unsigned char)(i + 50), c[i].size));
	}
	/* Linux's dma_set_min_align_mask() stores what it is given; the pool rounds it up */
	dma_set_min_align_mask(dev, 0x300);
	assert_int_equal(dma_get_min_align_mask(dev), 0x300);
	assert_int_equal(swiotlb_max_mapping_size(dev), SEG - 1024); /* the mask rounded up to a slot */
	free_pages((unsigned long)buf, 2);
	minalign_device_destroy(dev);
	tu_expect_no_report();
}

/* Mappings of a page or more are page-aligned; segments are never crossed. */
static void test_alignment_and_segments(void **state)
{
	dma_addr_t a[4];
	unsigned char *buf;
	struct device *dev;

	(void)state;
	init_force((size_t)1 << 20, &dev);
	buf = th_pages(6);					   /* 256 KiB */
	a[0] = dma_map_single(dev, buf + LINE, 64, DMA_TO_DEVICE); /* shift the cursor */
	a[1] = dma_map_single(dev, buf + 8, PAGE_SIZE + 100, DMA_TO_DEVICE);
	assert_int_equal(dma_mapping_error(dev, a[1]), 0);
	assert_int_equal(a[1] % PAGE_SIZE, 0);
	dma_unmap_single(dev, a[1], PAGE_SIZE + 100, DMA_TO_DEVICE);
	dma_unmap_single(dev, a[0], 64, DMA_TO_DEVICE);

	th_fill(buf, 9, (size_t)200 << 10);
	for (unsigned int i = 0; i < 4; i++) {
		size_t n = (size_t)200 << 10;

		a[i] = dma_map_single(dev, buf, n, DMA_TO_DEVICE);
		assert_int_equal(dma_mapping_error(dev, a[i]), 0);
		assert_int_equal(a[i] / SEG, (a[i] + n - 1) / SEG);
		assert_true(
			th_dev_holds(dev, a[i] + n - 256, (unsigned char)(9 + 7 * (n - 256)), 256));
	}
	/* four 200 KiB mappings fill the four segments of the 1 MiB pool: a fifth fails */
	assert_int_equal(dma_map_single(dev, buf, (size_t)100 << 10, DMA_TO_DEVICE),
			 DMA_MAPPING_ERROR);
	tu_expect_report("swiotlb", "full");
	for (unsigned int i = 0; i < 4; i++)
		dma_unmap_single(dev, a[i], (size_t)200 << 10, DMA_TO_DEVICE);
	assert_int_equal(ma_swiotlb_validate(), 0);

	/* larger than a segment: refused */
	assert_int_equal(dma_map_single(dev, buf, SEG + 1, DMA_TO_DEVICE), DMA_MAPPING_ERROR);
	tu_expect_report("swiotlb", "swiotlb_max_mapping_size");
	free_pages((unsigned long)buf, 6);
	minalign_device_destroy(dev);
}

static void exhaust(struct device *dev, unsigned char *buf, unsigned int slots)
{
	dma_addr_t *a = calloc(slots, sizeof(*a));

	assert_non_null(a);
	for (unsigned int i = 0; i < slots; i++) {
		a[i] = dma_map_single(dev, buf + (i % 32) * LINE, LINE, DMA_TO_DEVICE);
		assert_int_not_equal(a[i], DMA_MAPPING_ERROR);
	}
	tu_expect_no_report();
	assert_int_equal(th_stats().swiotlb_slots_used, slots);
	assert_int_equal(dma_map_single(dev, buf, 1, DMA_TO_DEVICE), DMA_MAPPING_ERROR);
	tu_expect_report("swiotlb", "full");
	assert_int_equal(dma_mapping_error(dev, DMA_MAPPING_ERROR), -ENOMEM);
	assert_int_equal(th_stats().dma_map_failures, 1);
	assert_int_equal(ma_swiotlb_validate(), 0);
	for (unsigned int i = 0; i < slots; i++)
		dma_unmap_single(dev, a[i], LINE, DMA_TO_DEVICE);
	assert_int_equal(th_stats().swiotlb_slots_used, 0);
	assert_int_equal(th_stats().swiotlb_slots_hiwater, slots);
	assert_int_equal(ma_swiotlb_validate(), 0);
	free(a);
}

/* A full pool fails the mapping with a report; unmapping everything makes it whole again. */
static void test_exhaustion(void **state)
{
	unsigned char *buf;
	struct device *dev;
	dma_addr_t a;

	(void)state;
	init_force((size_t)64 << 10, &dev);
	buf = th_pages(4);
	exhaust(dev, buf, (64u << 10) / LINE);
	/* whole again: one mapping of the entire (single-segment) pool fits */
	a = dma_map_single(dev, buf, (size_t)64 << 10, DMA_TO_DEVICE);
	assert_int_not_equal(a, DMA_MAPPING_ERROR);
	dma_unmap_single(dev, a, (size_t)64 << 10, DMA_TO_DEVICE);
	free_pages((unsigned long)buf, 4);
	minalign_device_destroy(dev);
	minalign_exit();

	/* a pool with several areas: every area is used before the pool is full */
	init_force((size_t)1 << 20, &dev);
	buf = th_pages(4);
	exhaust(dev, buf, (1u << 20) / LINE);
	free_pages((unsigned long)buf, 4);
	minalign_device_destroy(dev);
	tu_expect_no_report();
}

static void test_misuse(void **state)
{
	unsigned char *buf;
	struct device *dev;
	dma_addr_t a;

	(void)state;
	init_force((size_t)1 << 20, &dev);
	buf = th_pages(0);
	a = dma_map_single(dev, buf, 300, DMA_FROM_DEVICE);
	dma_unmap_single(dev, a + 8, 300, DMA_FROM_DEVICE);
	tu_expect_report("swiotlb", "not the start of a live bounce mapping");
	dma_sync_single_for_cpu(dev, a + 8, 400, DMA_FROM_DEVICE);
	tu_expect_report("swiotlb", "not inside a live bounce mapping");
	dma_sync_single_for_cpu(dev, a + 8, 100, DMA_FROM_DEVICE); /* a sub-range is fine */
	tu_expect_no_report();
	dma_unmap_single(dev, a, 300, DMA_FROM_DEVICE);
	dma_unmap_single(dev, a, 300, DMA_FROM_DEVICE);
	tu_expect_report("swiotlb", "not the start of a live bounce mapping");
	dma_unmap_single(dev, DMA_MAPPING_ERROR, 300, DMA_FROM_DEVICE);
	tu_expect_report("dma", "DMA_MAPPING_ERROR");
	assert_int_equal(th_stats().dma_live_mappings, 0);
	free_pages((unsigned long)buf, 0);
	minalign_device_destroy(dev);
}

struct cacher {
	struct device *dev;
	unsigned char *buf;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int step;  /* 1: cached, 2: bounce again, 3: done */
	bool once; /* bounce once and exit */
};

static void cacher_bounce(struct cacher *c)
{
	dma_addr_t a = dma_map_single(c->dev, c->buf, 8, DMA_TO_DEVICE);

	if (a != DMA_MAPPING_ERROR)
		dma_unmap_single(c->dev, a, 8, DMA_TO_DEVICE);
}

static void *cacher_main(void *arg)
{
	struct cacher *c = arg;

	cacher_bounce(c); /* leaves single slots in this thread's cache */
	if (c->once)
		return NULL;
	pthread_mutex_lock(&c->lock);
	c->step = 1;
	pthread_cond_broadcast(&c->cond);
	while (c->step != 2)
		pthread_cond_wait(&c->cond, &c->lock);
	pthread_mutex_unlock(&c->lock);
	cacher_bounce(c); /* sees the drain request: gives the cache back */
	pthread_mutex_lock(&c->lock);
	c->step = 3;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

static void cacher_wait(struct cacher *c, int step)
{
	pthread_mutex_lock(&c->lock);
	while (c->step != step)
		pthread_cond_wait(&c->cond, &c->lock);
	pthread_mutex_unlock(&c->lock);
}

/* Per-thread caches of single slots: given back on request when the pool is full, and when
 * their thread exits. */
static void test_thread_caches(void **state)
{
	const unsigned int slots = (64u << 10) / LINE;
	struct cacher c = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
	unsigned char *big;
	pthread_t th;
	dma_addr_t a;

	(void)state;
	init_force((size_t)64 << 10, &c.dev);
	c.buf = th_pages(0);
	big = th_pages(4);
	assert_int_equal(pthread_create(&th, NULL, cacher_main, &c), 0);
	cacher_wait(&c, 1);
	assert_int_equal(th_stats().swiotlb_slots_used, 0);
	assert_true(ma_swiotlb_used() > 0 && ma_swiotlb_used() <= 16); /* held by the thread */
	/* the whole pool in one mapping: the other thread's cache is in the way */
	assert_int_equal(dma_map_single(c.dev, big, (size_t)64 << 10, DMA_TO_DEVICE),
			 DMA_MAPPING_ERROR);
	tu_expect_report("swiotlb", "full");
	pthread_mutex_lock(&c.lock);
	c.step = 2;
	pthread_cond_broadcast(&c.cond);
	pthread_mutex_unlock(&c.lock);
	cacher_wait(&c, 3);
	assert_int_equal(ma_swiotlb_used(), 0); /* the request was honoured */
	a = dma_map_single(c.dev, big, (size_t)64 << 10, DMA_TO_DEVICE);
	assert_int_not_equal(a, DMA_MAPPING_ERROR);
	dma_unmap_single(c.dev, a, (size_t)64 << 10, DMA_TO_DEVICE);
	pthread_join(th, NULL);

	/* a thread that exits gives its cache back */
	c.once = true;
	assert_int_equal(pthread_create(&th, NULL, cacher_main, &c), 0);
	pthread_join(th, NULL);
	assert_int_equal(ma_swiotlb_used(), 0);
	assert_int_equal(ma_swiotlb_validate(), 0);
	assert_int_equal(slots, th_stats().swiotlb_slots_total);
	free_pages((unsigned long)c.buf, 0);
	free_pages((unsigned long)big, 4);
	minalign_device_destroy(c.dev);
	tu_expect_no_report();
}

/* An order-0 page at physical @phys, taken from the allocator (others are given back). */
static unsigned char *page_at(phys_addr_t phys)
{
	enum { MAXP = 20000 };
	unsigned char **got = calloc(MAXP, sizeof(*got)), *hit = NULL;
	unsigned int n = 0;

	assert_non_null(got);
	while (n < MAXP && !hit) {
		unsigned char *p = (unsigned char *)__get_free_pages(GFP_KERNEL, 0);

		if (!p)
			break;
		if (virt_to_phys(p) == phys)
			hit = p;
		else
			got[n++] = p;
	}
	while (n)
		free_pages((unsigned long)got[--n], 0);
	free(got);
	assert_non_null(hit);
	return hit;
}

/* RAM straddling 4 GiB: a 32-bit device bounces what lies above, and only that. */
static void test_addressing_32bit(void **state)
{
	struct minalign_config c;
	unsigned char *lo, *hi, buf[64];
	struct device *dev;
	dma_addr_t a;

	(void)state;
	th_config(&c, MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)1 << 20);
	c.ram_base = GIB4 - ((uint64_t)32 << 20);
	tu_init(&c);
	tu_reports_capture();
	dev = th_dev("dev32", false, 32, false);
	assert_int_equal(dma_set_mask(dev, DMA_BIT_MASK(32)), 0);
	lo = page_at(GIB4 - PAGE_SIZE);
	hi = page_at(GIB4);
	assert_true(lo + PAGE_SIZE == hi); /* the CPU view is contiguous */

	th_fill(hi, 5, 512);
	a = dma_map_single(dev, hi, 512, DMA_TO_DEVICE);
	assert_int_not_equal(a, DMA_MAPPING_ERROR);
	assert_true(a < GIB4 && is_swiotlb_buffer(dev, a));
	assert_true(th_dev_holds(dev, a, 5, 512));
	dma_unmap_single(dev, a, 512, DMA_TO_DEVICE);
	assert_int_equal(th_stats().bounce_addressing, 1);

	/* straddling the limit, inbound */
	a = dma_map_single(dev, hi - 256, 512, DMA_FROM_DEVICE);
	assert_true(a < GIB4 && is_swiotlb_buffer(dev, a));
	th_dev_fill(dev, a, 6, 512);
	dma_unmap_single(dev, a, 512, DMA_FROM_DEVICE);
	assert_true(th_holds(hi - 256, 6, 512));

	/* below the limit and line-aligned: direct */
	a = dma_map_single(dev, lo, 512, DMA_FROM_DEVICE);
	assert_int_equal(a, virt_to_phys(lo));
	dma_unmap_single(dev, a, 512, DMA_FROM_DEVICE);
	assert_int_equal(th_stats().bounce_addressing, 2);

	/* the engine cannot reach above its 32 bits */
	assert_int_equal(minalign_dma_write(dev, GIB4, buf, 8), -EFAULT);
	tu_expect_report("dma", "32-bit reach");
	assert_int_equal(minalign_dma_read(dev, GIB4 - 4, buf, 8), -EFAULT);
	tu_expect_report("dma", "32-bit reach");
	free_pages((unsigned long)lo, 0);
	free_pages((unsigned long)hi, 0);
	minalign_device_destroy(dev);
	tu_expect_no_report();
}

/*
 * RAM entirely above 4 GiB: a 32-bit device has nothing it can reach.  Setting its 32-bit mask
 * still succeeds, as Linux's dma_direct_supported() accepts every mask of 32 bits or more; the
 * mappings then fail.
 */
static void test_ram_above_4g(void **state)
{
	struct minalign_config c;
	struct device *d32, *d64;
	unsigned char *buf;
	dma_addr_t a;

	(void)state;
	th_config(&c, MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)1 << 20);
	c.ram_base = UINT64_C(8) << 30;
	tu_init(&c);
	tu_reports_capture();
	d32 = th_dev("dev32", false, 32, false);
	d64 = th_dev("dev64", false, 0, false);
	assert_int_equal(dma_set_mask(d32, DMA_BIT_MASK(32)), 0);
	assert_int_equal(dma_set_mask(d32, DMA_BIT_MASK(31)), -EIO);
	assert_int_equal(dma_set_mask_and_coherent(d64, DMA_BIT_MASK(64)), 0);
	assert_false(is_swiotlb_active(d32));
	assert_true(is_swiotlb_active(d64));
	buf = th_pages(0);
	assert_int_equal(dma_map_single(d32, buf, 64, DMA_TO_DEVICE), DMA_MAPPING_ERROR);
	tu_expect_report("swiotlb", "no bounce pool within");
	a = dma_map_single(d64, buf, 64, DMA_TO_DEVICE);
	assert_int_equal(a, virt_to_phys(buf));
	dma_unmap_single(d64, a, 64, DMA_TO_DEVICE);
	free_pages((unsigned long)buf, 0);
	minalign_device_destroy(d32);
	minalign_device_destroy(d64);
	tu_expect_no_report();
}

/* Every page and metadata failure during pool creation fails init cleanly. */
static void test_init_faults(void **state)
{
	struct minalign_config c;
	unsigned long n;

	(void)state;
	th_config(&c, MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)6 << 20);
	for (n = 1; n < 5000; n++) {
		int err;

		minalign_fault_set(n, MINALIGN_FAULT_PAGE | MINALIGN_FAULT_META);
		err = minalign_init(&c);
		minalign_fault_set(0, 0);
		if (!err) {
			assert_int_equal(th_stats().swiotlb_pools, 2);
			minalign_exit();
			break;
		}
		assert_int_equal(err, -ENOMEM);
		assert_false(minalign_initialized());
		assert_int_equal(th_stats().meta_live, 0);
	}
	assert_true(n > 3 && n < 5000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_geometry, teardown),
		cmocka_unit_test_teardown(test_small_bounce_one_line, teardown),
		cmocka_unit_test_teardown(test_directions, teardown),
		cmocka_unit_test_teardown(test_short_device_write, teardown),
		cmocka_unit_test_teardown(test_skip_cpu_sync, teardown),
		cmocka_unit_test_teardown(test_min_align_mask, teardown),
		cmocka_unit_test_teardown(test_alignment_and_segments, teardown),
		cmocka_unit_test_teardown(test_exhaustion, teardown),
		cmocka_unit_test_teardown(test_misuse, teardown),
		cmocka_unit_test_teardown(test_thread_caches, teardown),
		cmocka_unit_test_teardown(test_addressing_32bit, teardown),
		cmocka_unit_test_teardown(test_ram_above_4g, teardown),
		cmocka_unit_test_teardown(test_init_faults, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
