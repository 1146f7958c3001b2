/* SPDX-License-Identifier: MIT */
/*
 * tests/stress/dma_bounce_stress.c - two CPUs bouncing at once.
 *
 * Small kmalloc objects are dealt alternately to two threads, so every line holds objects of
 * both.  Each thread repeatedly maps one of its objects inbound (bounced: it shares a line
 * with the other thread's objects), writes its other objects with the CPU while the device
 * owns the buffer, lets the device write the buffer, unmaps and checks every byte; now and
 * then it also bounces a 2 KiB buffer to a force_bounce device and churns kmalloc.  The other
 * thread does the same at the same time, so the neighbours of a mapped buffer are written by
 * another CPU during the DMA.  Run under ASan and TSan by the suite.
 */
#include "../unit/dma_helpers.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "swiotlb/swiotlb.h"

#define OBJ   24
#define NOBJ  32 /* per thread */
#define ITERS 20000
#define BIG   2048

static atomic_int failures;
static struct device *nic, *forced;
static unsigned char *objs[2][NOBJ];

#define CHECK(cond)                                                                              \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			atomic_fetch_add(&failures, 1);                                          \
			return NULL;                                                             \
		}                                                                                \
	} while (0)

static void fill(unsigned char *p, unsigned int seed, size_t n)
{
	th_fill(p, (unsigned char)seed, n);
}

static void *worker(void *arg)
{
	unsigned int t = (unsigned int)(uintptr_t)arg;
	unsigned char **mine = objs[t], dev_buf[BIG], *big;
	unsigned long churn = 0;

	big = kmalloc(BIG, GFP_KERNEL);
	CHECK(big != NULL);
	for (unsigned int it = 0; it < ITERS; it++) {
		unsigned int i = it % NOBJ, j = (it + 1) % NOBJ, seed = t * 97 + it;
		enum dma_data_direction dir = it % 3 ? DMA_FROM_DEVICE : DMA_BIDIRECTIONAL;
		unsigned char *buf = mine[i];
		dma_addr_t a;

		fill(buf, seed, OBJ);
		a = dma_map_single(nic, buf, OBJ, dir);
		CHECK(a != DMA_MAPPING_ERROR && is_swiotlb_buffer(nic, a));
		fill(mine[j], seed + 5, OBJ); /* a neighbour of the other thread's buffers */
		if (dir == DMA_BIDIRECTIONAL) {
			CHECK(minalign_dma_read(nic, a, dev_buf, OBJ) == 0);
			CHECK(th_holds(dev_buf, (unsigned char)seed, OBJ));
		}
		fill(dev_buf, seed + 1, OBJ);
		CHECK(minalign_dma_write(nic, a, dev_buf, OBJ) == 0);
		dma_unmap_single(nic, a, OBJ, dir);
		CHECK(th_holds(buf, (unsigned char)(seed + 1), OBJ));
		CHECK(th_holds(mine[j], (unsigned char)(seed + 5), OBJ));

		if (it % 8 == 0) {
			fill(big, seed, BIG);
			a = dma_map_single(forced, big, BIG, DMA_TO_DEVICE);
			CHECK(a != DMA_MAPPING_ERROR);
			CHECK(minalign_dma_read(forced, a, dev_buf, BIG) == 0);
			CHECK(th_holds(dev_buf, (unsigned char)seed, BIG));
			dma_unmap_single(forced, a, BIG, DMA_TO_DEVICE);
		}
		if (it % 16 == 0) {
			void *x = kmalloc(8 + it % 200, GFP_KERNEL);

			CHECK(x != NULL);
			churn += (uintptr_t)x & 1;
			kfree(x);
		}
	}
	kfree(big);
	(void)churn;
	return NULL;
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

static void test_two_cpus_bouncing(void **state)
{
	uintptr_t all[2 * NOBJ];
	pthread_t th[2];
	struct minalign_stats st;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)1 << 20);
	tu_reports_capture();
	nic = th_dev("nic", false, 0, false);
	forced = th_dev("forced", false, 0, true);
	for (int i = 0; i < 2 * NOBJ; i++) {
		all[i] = (uintptr_t)kmalloc(OBJ, GFP_KERNEL);
		assert_true(all[i] != 0);
	}
	qsort(all, 2 * NOBJ, sizeof(all[0]), cmp_ptr);
	for (int i = 0; i < 2 * NOBJ; i++)
		objs[i % 2][i / 2] = (unsigned char *)all[i];
	for (uintptr_t t = 0; t < 2; t++)
		assert_int_equal(pthread_create(&th[t], NULL, worker, (void *)t), 0);
	for (int t = 0; t < 2; t++)
		pthread_join(th[t], NULL);
	assert_int_equal(atomic_load(&failures), 0);

	minalign_get_stats(&st);
	assert_int_equal(st.swiotlb_slots_used, 0);
	assert_int_equal(st.dma_live_mappings, 0);
	assert_int_equal(st.sim_conflicts, 0);
	assert_int_equal(st.bounce_maps, 2 * (ITERS + ITERS / 8));
	assert_int_equal(ma_swiotlb_validate(), 0);
	tu_expect_no_report();
	for (int i = 0; i < 2 * NOBJ; i++)
		kfree((void *)all[i]);
	minalign_device_destroy(nic);
	minalign_device_destroy(forced);
	tu_reports_release();
	minalign_exit();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_cpus_bouncing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
