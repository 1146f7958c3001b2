/* SPDX-License-Identifier: MIT */
/*
 * tests/stress/iommu_kbounce_stress.c - both bounce backends, with and without an IOMMU,
 * under two threads that unmap each other's mappings.
 *
 * Each thread maps one of its small kmalloc buffers inbound (unsafe: it shares lines with the
 * other thread's objects, so it is bounced), posts the DMA address to the other thread, then
 * serves the other thread's post: the device writes the buffer and that thread unmaps it (a
 * cross-thread unmap: the lookup of the kmalloc bounce record, or of the pool slot, and the
 * IOVA range run on a thread that did not map them).  The owner then checks every byte.  The
 * address is handed over through an atomic with release/acquire, as a driver's ring would.
 * Four configurations: swiotlb and kmalloc backends, each on a plain and on an IOMMU device.
 */
#include "../unit/dma_helpers.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

#define OBJ   24
#define NOBJ  16
#define ITERS 4000

struct post {
	_Atomic int state; /* 0 empty, 1 posted, 2 served */
	dma_addr_t addr;
	enum dma_data_direction dir;
	unsigned int seed;
};

static struct device *dev;
static struct post box[2];
static unsigned char *objs[2][NOBJ];
static atomic_int failures;

static void wait_state(struct post *p, int want)
{
	while (atomic_load_explicit(&p->state, memory_order_acquire) != want)
		sched_yield();
}

static void serve(struct post *p)
{
	unsigned char data[OBJ];

	wait_state(p, 1);
	th_fill(data, (unsigned char)p->seed, OBJ);
	if (minalign_dma_write(dev, p->addr, data, OBJ))
		atomic_fetch_add(&failures, 1);
	dma_unmap_single(dev, p->addr, OBJ, p->dir);
	atomic_store_explicit(&p->state, 2, memory_order_release);
}

static void *worker(void *arg)
{
	unsigned int t = (unsigned int)(uintptr_t)arg;
	struct post *out = &box[1 - t], *in = &box[t];

	for (unsigned int it = 0; it < ITERS; it++) {
		unsigned char *buf = objs[t][it % NOBJ];
		unsigned int seed = t * 131 + it;

		th_fill(buf, 1, OBJ);
		out->dir = it % 2 ? DMA_FROM_DEVICE : DMA_BIDIRECTIONAL;
		out->seed = seed;
		out->addr = dma_map_single(dev, buf, OBJ, out->dir);
		if (dma_mapping_error(dev, out->addr)) {
			atomic_fetch_add(&failures, 1);
			return NULL;
		}
		atomic_store_explicit(&out->state, 1, memory_order_release);
		serve(in);
		wait_state(out, 2);
		if (!th_holds(buf, (unsigned char)seed, OBJ))
			atomic_fetch_add(&failures, 1);
		atomic_store_explicit(&out->state, 0, memory_order_relaxed);
	}
	return NULL;
}

static void run(enum minalign_bounce_backend be, bool iommu)
{
	struct minalign_device_info info = {.name = iommu ? "smmu" : "nic", .iommu = iommu};
	struct minalign_config c;
	pthread_t th[2];
	uint64_t b0;

	th_config(&c, MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)1 << 20);
	c.bounce_backend = be;
	tu_init(&c);
	dev = minalign_device_create(&info);
	assert_non_null(dev);
	for (int i = 0; i < NOBJ; i++) /* dealt alternately: every line holds both threads' */
		for (int t = 0; t < 2; t++) {
			objs[t][i] = kmalloc(OBJ, GFP_KERNEL);
			assert_non_null(objs[t][i]);
		}
	b0 = th_stats().bounce_maps;
	atomic_store(&failures, 0);
	for (uintptr_t t = 0; t < 2; t++)
		assert_int_equal(pthread_create(&th[t], NULL, worker, (void *)t), 0);
	for (int t = 0; t < 2; t++)
		pthread_join(th[t], NULL);
	assert_int_equal(atomic_load(&failures), 0);
	assert_true(th_stats().bounce_maps - b0 >= ITERS); /* most of them bounced */
	assert_int_equal(th_stats().dma_live_mappings, 0);
	assert_int_equal(th_stats().kmalloc_bounce_bytes, 0);
	assert_int_equal(th_stats().swiotlb_slots_used, 0);
	assert_int_equal(th_stats().sim_conflicts, 0);
	assert_int_equal(th_stats().reports, 0);
	if (iommu)
		assert_int_equal(th_stats().iommu_unmaps, th_stats().iommu_maps);
	for (int i = 0; i < NOBJ; i++)
		for (int t = 0; t < 2; t++)
			kfree(objs[t][i]);
	minalign_device_destroy(dev);
	minalign_exit();
}

static void test_swiotlb(void **state)
{
	(void)state;
	run(MINALIGN_BOUNCE_SWIOTLB, false);
}

static void test_kmalloc(void **state)
{
	(void)state;
	run(MINALIGN_BOUNCE_KMALLOC, false);
}

static void test_swiotlb_iommu(void **state)
{
	(void)state;
	run(MINALIGN_BOUNCE_SWIOTLB, true);
}

static void test_kmalloc_iommu(void **state)
{
	(void)state;
	run(MINALIGN_BOUNCE_KMALLOC, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swiotlb),
		cmocka_unit_test(test_kmalloc),
		cmocka_unit_test(test_swiotlb_iommu),
		cmocka_unit_test(test_kmalloc_iommu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
