/* SPDX-License-Identifier: MIT */
/*
 * dma_debug_dev - DMA-API debug, the device side and the cache lines: device DMA outside every
 * live mapping or against its direction (refused, memory intact), coherent memory and dma_pool
 * blocks as valid targets, two live inbound mappings sharing a cache line (EEXIST, refused
 * before any maintenance), packed objects mapped for inbound DMA, the legitimate patterns
 * Linux's debug layer flags and minalign does not (bounced neighbours, DMA_ATTR_SKIP_CPU_SYNC,
 * coherent devices, an outbound neighbour), and the table under two threads.
 */
#include "../unit/dma_helpers.h"

#include <errno.h>
#include <pthread.h>

#define BIG   256
#define SMALL 8

static void start(enum minalign_policy policy)
{
	th_debug_start(policy, MINALIGN_DEBUG_DMA);
}

static dma_addr_t map_checked(struct device *dev, void *p, size_t n, enum dma_data_direction dir)
{
	dma_addr_t a = dma_map_single(dev, p, n, dir);

	assert_false(dma_mapping_error(dev, a));
	return a;
}

/* A correct cycle in each direction with the data right, and nothing reported. */
static void still_works(struct device *dev)
{
	unsigned char *big = kmalloc(BIG, GFP_KERNEL);
	unsigned char *small = kmalloc(SMALL, GFP_KERNEL);
	dma_addr_t a;

	th_fill(big, 3, BIG);
	a = map_checked(dev, big, BIG, DMA_TO_DEVICE);
	assert_true(th_dev_holds(dev, a, 3, BIG));
	dma_unmap_single(dev, a, BIG, DMA_TO_DEVICE);
	a = map_checked(dev, small, SMALL, DMA_FROM_DEVICE);
	th_dev_fill(dev, a, 55, SMALL);
	dma_unmap_single(dev, a, SMALL, DMA_FROM_DEVICE);
	assert_true(th_holds(small, 55, SMALL));
	kfree(big);
	kfree(small);
	tu_expect_no_report();
}

/* ---- the device side ------------------------------------------------------------------------ */

static void test_device_outside_mappings(void **state)
{
	struct device *dev, *other;
	unsigned char *buf, *nb, junk[32] = {0};
	dma_addr_t a, b;

	(void)state;
	start(MINALIGN_POLICY_BOUNCE);
	dev = th_dev("nic", false, 0, false);
	other = th_dev("other", false, 0, false);
	buf = kmalloc(BIG, GFP_KERNEL);
	nb = kmalloc(BIG, GFP_KERNEL);
	a = map_checked(dev, buf, BIG, DMA_FROM_DEVICE);
	th_dev_fill(dev, a, 30, BIG);
	/* running past the end: refused whole, not even the bytes inside are written */
	assert_int_equal(minalign_dma_write(dev, a + BIG - 8, junk, 16), -EFAULT);
	tu_expect_report("dma", "outside every live mapping");
	assert_int_equal(minalign_dma_write(dev, virt_to_phys(nb), junk, 16), -EFAULT);
	tu_expect_report("dma", "outside every live mapping");
	assert_int_equal(minalign_dma_read(dev, virt_to_phys(nb), junk, 16), -EFAULT);
	tu_expect_report("dma", "outside every live mapping");
	/* another device's mapping is not this device's */
	b = map_checked(other, nb, BIG, DMA_FROM_DEVICE);
	assert_int_equal(minalign_dma_write(dev, b, junk, 16), -EFAULT);
	tu_expect_report("dma", "outside every live mapping");
	th_dev_fill(other, b, 40, BIG);
	dma_unmap_single(other, b, BIG, DMA_FROM_DEVICE);
	dma_unmap_single(dev, a, BIG, DMA_FROM_DEVICE);
	assert_true(th_holds(buf, 30, BIG));
	assert_true(th_holds(nb, 40, BIG));
	assert_int_equal(minalign_dma_write(dev, a, junk, 16), -EFAULT); /* after the unmap */
	tu_expect_report("dma", "outside every live mapping");
	assert_true(th_holds(buf, 30, BIG));
	still_works(dev);
	kfree(buf);
	kfree(nb);
	minalign_device_destroy(dev);
	minalign_device_destroy(other);
}

static void test_device_against_direction(void **state)
{
	struct device *dev;
	unsigned char *buf, junk[BIG] = {0};
	dma_addr_t a, b;

	(void)state;
	start(MINALIGN_POLICY_BOUNCE);
	dev = th_dev("nic", false, 0, false);
	buf = kmalloc(BIG, GFP_KERNEL);
	th_fill(buf, 5, BIG);
	a = map_checked(dev, buf, BIG, DMA_TO_DEVICE);
	assert_int_equal(minalign_dma_write(dev, a, junk, 16), -EFAULT);
	tu_expect_report("dma", "write into a DMA_TO_DEVICE mapping");
	assert_true(th_dev_holds(dev, a, 5, BIG)); /* what the device reads is intact */
	dma_unmap_single(dev, a, BIG, DMA_TO_DEVICE);
	assert_true(th_holds(buf, 5, BIG));

	a = map_checked(dev, buf, BIG, DMA_FROM_DEVICE);
	assert_int_equal(minalign_dma_read(dev, a, junk, 16), -EFAULT);
	tu_expect_report("dma", "read from a DMA_FROM_DEVICE mapping");
	th_dev_fill(dev, a, 6, BIG);
	dma_unmap_single(dev, a, BIG, DMA_FROM_DEVICE);
	assert_true(th_holds(buf, 6, BIG));

	/* a bidirectional mapping takes both; one access may span two adjacent mappings */
	a = map_checked(dev, buf, BIG, DMA_BIDIRECTIONAL);
	assert_true(th_dev_holds(dev, a, 6, BIG));
	th_dev_fill(dev, a, 7, BIG);
	dma_unmap_single(dev, a, BIG, DMA_BIDIRECTIONAL);
	a = map_checked(dev, buf, BIG / 2, DMA_TO_DEVICE);
	b = map_checked(dev, buf + BIG / 2, BIG / 2, DMA_TO_DEVICE);
	assert_int_equal(b, a + BIG / 2);
	assert_true(th_dev_holds(dev, a, 7, BIG));
	dma_unmap_single(dev, a, BIG / 2, DMA_TO_DEVICE);
	dma_unmap_single(dev, b, BIG / 2, DMA_TO_DEVICE);
	still_works(dev);
	kfree(buf);
	minalign_device_destroy(dev);
}

static void test_coherent_targets(void **state)
{
	struct device *dev, *other;
	struct dma_pool *pool;
	unsigned char *cpu, *blk;
	dma_addr_t h, bh;

	(void)state;
	start(MINALIGN_POLICY_BOUNCE);
	dev = th_dev("nic", false, 0, false);
	other = th_dev("other", false, 0, false);
	cpu = dma_alloc_coherent(dev, 2 * PAGE_SIZE, &h, GFP_KERNEL);
	assert_non_null(cpu);
	th_dev_fill(dev, h + PAGE_SIZE - 100, 8, 200); /* across the pages of the block */
	assert_true(th_holds(cpu + PAGE_SIZE - 100, 8, 200));
	th_fill(cpu, 9, 64);
	assert_true(th_dev_holds(dev, h, 9, 64));
	/* beyond the block, or coherent memory of another device, is not a target */
	assert_int_equal(minalign_dma_write(dev, h + 2 * PAGE_SIZE - 4, "12345678", 8), -EFAULT);
	tu_expect_report("dma", "outside every live mapping");
	assert_int_equal(minalign_dma_write(other, h, "x", 1), -EFAULT);
	tu_expect_report("dma", "outside every live mapping and coherent buffer");
	pool = dma_pool_create("ring", dev, 64, 64, 0);
	assert_non_null(pool);
	blk = dma_pool_alloc(pool, GFP_KERNEL, &bh);
	assert_non_null(blk);
	th_dev_fill(dev, bh, 10, 64);
	assert_true(th_holds(blk, 10, 64));
	tu_expect_no_report();
	dma_pool_free(pool, blk, bh);
	dma_pool_destroy(pool);
	dma_free_coherent(dev, 2 * PAGE_SIZE, cpu, h);
	assert_int_equal(minalign_dma_write(dev, h, "x", 1), -EFAULT);
	tu_expect_report("dma", "outside every live mapping");
	still_works(dev);
	minalign_device_destroy(dev);
	minalign_device_destroy(other);
}

/* ---- cache lines shared by live inbound mappings (EEXIST) ------------------------------------ */

static void test_eexist_shared_line(void **state)
{
	struct device *dev, *dev2;
	void *buf, *nb;
	dma_addr_t a, b;

	(void)state;
	start(MINALIGN_POLICY_NAIVE); /* never bounces: the pair is mapped directly */
	dev = th_dev("nic", false, 0, false);
	dev2 = th_dev("nic2", false, 0, false);
	assert_true(th_pair(SMALL, GFP_KERNEL, &buf, &nb));
	th_fill(buf, 1, SMALL);
	th_fill(nb, 2, SMALL);
	a = map_checked(dev, buf, SMALL, DMA_FROM_DEVICE);
	th_dev_fill(dev, a, 50, SMALL); /* the device's data is in DRAM, the line not yet back */
	b = dma_map_single(dev, nb, SMALL, DMA_FROM_DEVICE);
	assert_true(dma_mapping_error(dev, b));
	tu_expect_report("dma", "EEXIST");
	b = dma_map_single(dev2, nb, SMALL, DMA_BIDIRECTIONAL); /* any device, any inbound dir */
	assert_true(dma_mapping_error(dev2, b));
	assert_int_equal(tu_reports_count(), 1);
	assert_string_equal(tu_report_get(0)->device, "nic2");
	tu_expect_report("dma", "of nic: overlapping");
	/* refused before any maintenance: the shared line was not written back over the
	 * device's data, and the first mapping ends right */
	dma_unmap_single(dev, a, SMALL, DMA_FROM_DEVICE);
	assert_true(th_holds(buf, 50, SMALL));
	assert_true(th_holds(nb, 2, SMALL));
	tu_expect_no_report();
	b = map_checked(dev2, nb, SMALL, DMA_FROM_DEVICE); /* the line is free now */
	th_dev_fill(dev2, b, 60, SMALL);
	dma_unmap_single(dev2, b, SMALL, DMA_FROM_DEVICE);
	assert_true(th_holds(nb, 60, SMALL));
	assert_int_equal(th_stats().sim_conflicts, 0);
	still_works(dev);
	kfree(buf);
	kfree(nb);
	minalign_device_destroy(dev);
	minalign_device_destroy(dev2);
}

/* Under BOUNCE two sub-ranges of one object are safe for the exact rule (not bounced), but
 * mapped inbound at the same time they share a line. */
static void test_eexist_sub_object(void **state)
{
	struct device *dev;
	unsigned char *obj;
	dma_addr_t a, b;

	(void)state;
	start(MINALIGN_POLICY_BOUNCE);
	dev = th_dev("nic", false, 0, false);
	obj = kmalloc(1024, GFP_KERNEL);
	a = map_checked(dev, obj, 40, DMA_FROM_DEVICE);
	assert_false(is_swiotlb_buffer(dev, a));
	b = dma_map_single(dev, obj + 40, 200, DMA_FROM_DEVICE);
	assert_true(dma_mapping_error(dev, b));
	tu_expect_report("dma", "EEXIST");
	dma_unmap_single(dev, a, 40, DMA_FROM_DEVICE);
	b = map_checked(dev, obj + 40, 200, DMA_FROM_DEVICE);
	dma_unmap_single(dev, b, 200, DMA_FROM_DEVICE);
	still_works(dev);
	kfree(obj);
	minalign_device_destroy(dev);
}

/* What Linux's debug layer reports and minalign does not: no line is at risk. */
static void test_no_false_eexist(void **state)
{
	const struct minalign_device_info ci = {"coh", true, 0, false};
	struct device *dev, *coh;
	void *buf, *nb;
	dma_addr_t a, b;

	(void)state;
	/* BOUNCE: two 8-byte neighbours both mapped FROM_DEVICE are both bounced */
	start(MINALIGN_POLICY_BOUNCE);
	dev = th_dev("nic", false, 0, false);
	assert_true(th_pair(SMALL, GFP_KERNEL, &buf, &nb));
	a = map_checked(dev, buf, SMALL, DMA_FROM_DEVICE);
	b = map_checked(dev, nb, SMALL, DMA_FROM_DEVICE);
	assert_true(is_swiotlb_buffer(dev, a) && is_swiotlb_buffer(dev, b));
	th_dev_fill(dev, a, 70, SMALL);
	th_dev_fill(dev, b, 71, SMALL);
	dma_unmap_single(dev, a, SMALL, DMA_FROM_DEVICE);
	dma_unmap_single(dev, b, SMALL, DMA_FROM_DEVICE);
	assert_true(th_holds(buf, 70, SMALL) && th_holds(nb, 71, SMALL));
	tu_expect_no_report();
	kfree(buf);
	kfree(nb);
	minalign_device_destroy(dev);
	th_debug_teardown(NULL);

	start(MINALIGN_POLICY_NAIVE);
	dev = th_dev("nic", false, 0, false);
	coh = minalign_device_create(&ci);
	assert_true(th_pair(SMALL, GFP_KERNEL, &buf, &nb));
	/* DMA_ATTR_SKIP_CPU_SYNC: the driver maintains the lines itself */
	a = dma_map_single_attrs(dev, buf, SMALL, DMA_FROM_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
	b = dma_map_single_attrs(dev, nb, SMALL, DMA_FROM_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
	assert_false(dma_mapping_error(dev, a) || dma_mapping_error(dev, b));
	dma_unmap_single_attrs(dev, a, SMALL, DMA_FROM_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
	dma_unmap_single_attrs(dev, b, SMALL, DMA_FROM_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
	/* an outbound neighbour */
	th_fill(nb, 2, SMALL);
	a = map_checked(dev, buf, SMALL, DMA_FROM_DEVICE);
	b = map_checked(dev, nb, SMALL, DMA_TO_DEVICE);
	assert_true(th_dev_holds(dev, b, 2, SMALL));
	th_dev_fill(dev, a, 79, SMALL);
	dma_unmap_single(dev, b, SMALL, DMA_TO_DEVICE);
	dma_unmap_single(dev, a, SMALL, DMA_FROM_DEVICE);
	assert_true(th_holds(buf, 79, SMALL));
	/* a coherent device: nothing is maintained, nothing can be lost */
	a = map_checked(coh, buf, SMALL, DMA_FROM_DEVICE);
	b = map_checked(coh, nb, SMALL, DMA_FROM_DEVICE);
	th_dev_fill(coh, a, 80, SMALL);
	th_dev_fill(coh, b, 81, SMALL);
	dma_unmap_single(coh, a, SMALL, DMA_FROM_DEVICE);
	dma_unmap_single(coh, b, SMALL, DMA_FROM_DEVICE);
	assert_true(th_holds(buf, 80, SMALL) && th_holds(nb, 81, SMALL));
	tu_expect_no_report();
	assert_int_equal(th_stats().sim_conflicts, 0);
	still_works(dev);
	kfree(buf);
	kfree(nb);
	minalign_device_destroy(dev);
	minalign_device_destroy(coh);
}

/* ---- packed objects -------------------------------------------------------------------------- */

static void test_packed_inbound(void **state)
{
	const struct minalign_device_info ci = {"coh", true, 0, false};
	struct device *dev, *coh;
	struct scatterlist sg[2];
	unsigned char *p, *big;
	dma_addr_t a;

	(void)state;
	start(MINALIGN_POLICY_PACKED);
	dev = th_dev("nic", false, 0, false);
	coh = minalign_device_create(&ci);
	p = kmalloc(24, GFP_KERNEL | __GFP_PACKED);
	big = kmalloc(BIG, GFP_KERNEL);
	th_fill(p, 4, 24);
	a = dma_map_single(dev, p, 24, DMA_FROM_DEVICE);
	assert_true(dma_mapping_error(dev, a));
	tu_expect_report("dma", "packed object");
	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], big, BIG);
	sg_set_buf(&sg[1], p, 24);
	assert_int_equal(dma_map_sg(dev, sg, 2, DMA_BIDIRECTIONAL), 0);
	tu_expect_report("dma", "packed object");
	assert_int_equal(th_stats().dma_live_mappings, 0);
	assert_true(th_holds(p, 4, 24));
	/* outbound, or to a coherent device, a packed object is fine */
	a = map_checked(dev, p, 24, DMA_TO_DEVICE);
	assert_true(th_dev_holds(dev, a, 4, 24));
	dma_unmap_single(dev, a, 24, DMA_TO_DEVICE);
	a = map_checked(coh, p, 24, DMA_FROM_DEVICE);
	th_dev_fill(coh, a, 9, 24);
	dma_unmap_single(coh, a, 24, DMA_FROM_DEVICE);
	assert_true(th_holds(p, 9, 24));
	tu_expect_no_report();
	still_works(dev);
	kfree(p);
	kfree(big);
	minalign_device_destroy(dev);
	minalign_device_destroy(coh);
}

/* ---- two threads on one device and on their own ------------------------------------------------
 */

struct worker {
	struct device *own, *shared;
	unsigned int seed;
	int bad;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	for (unsigned int i = 0; i < 1500; i++) {
		struct device *dev = i & 1 ? w->shared : w->own;
		size_t n = i % 3 ? SMALL : BIG;
		unsigned char *p = kmalloc(n, GFP_KERNEL), seed = (unsigned char)(w->seed + i);
		unsigned char out[BIG];
		dma_addr_t a;

		if (!p) {
			w->bad++;
			continue;
		}
		a = dma_map_single(dev, p, n, DMA_FROM_DEVICE);
		if (dma_mapping_error(dev, a)) {
			w->bad++;
			kfree(p);
			continue;
		}
		th_fill(out, seed, n);
		w->bad += minalign_dma_write(dev, a, out, n) != 0;
		dma_sync_single_for_cpu(dev, a, n, DMA_FROM_DEVICE);
		dma_sync_single_for_device(dev, a, n, DMA_FROM_DEVICE);
		dma_unmap_single(dev, a, n, DMA_FROM_DEVICE);
		w->bad += !th_holds(p, seed, n);
		kfree(p);
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct worker w[2];
	pthread_t t[2];
	struct device *shared;

	(void)state;
	start(MINALIGN_POLICY_BOUNCE);
	shared = th_dev("shared", false, 0, false);
	for (int i = 0; i < 2; i++) {
		w[i] = (struct worker){th_dev(i ? "nic1" : "nic0", false, 0, false), shared,
				       (unsigned int)i * 100, 0};
		assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].bad, 0);
		minalign_device_destroy(w[i].own);
	}
	minalign_device_destroy(shared);
	tu_expect_no_report();
	assert_int_equal(th_stats().dma_live_mappings, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_device_outside_mappings, th_debug_teardown),
		cmocka_unit_test_teardown(test_device_against_direction, th_debug_teardown),
		cmocka_unit_test_teardown(test_coherent_targets, th_debug_teardown),
		cmocka_unit_test_teardown(test_eexist_shared_line, th_debug_teardown),
		cmocka_unit_test_teardown(test_eexist_sub_object, th_debug_teardown),
		cmocka_unit_test_teardown(test_no_false_eexist, th_debug_teardown),
		cmocka_unit_test_teardown(test_packed_inbound, th_debug_teardown),
		cmocka_unit_test_teardown(test_threads, th_debug_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
