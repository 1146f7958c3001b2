/* SPDX-License-Identifier: MIT */
/*
 * tests/stress/swiotlb_dyn_stress.c - mappings made on one thread and unmapped on another while
 * the worker grows the bounce pools.
 *
 * A 64 KiB static pool, dynamic pools on.  Two pipelines run at once: a producer maps buffers
 * of mixed sizes (bounced: a force_bounce device, and small kmalloc objects sharing lines on a
 * non-coherent device), lets the device check what it mapped, and hands each mapping to its
 * consumer, which lets the device write, sometimes syncs, unmaps and checks every byte.  One
 * pipeline hands over through a mutex-protected queue, the other through a lock-free ring
 * (release/acquire).  Up to QDEPTH mappings per pipeline are outstanding, far more than the
 * static pool holds, so pools are grown and transient pools made and freed all the time; each
 * producer also bounces small buffers on its own (the per-thread slot caches).  kmalloc'd
 * buffers go back to their producer through a second queue and are freed there (remote kfree
 * is the slab stress tests' business).  Run under ASan and TSan by the suite; a few seconds.
 */
#include "../unit/dma_helpers.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "swiotlb/swiotlb.h"

#ifndef ITEMS
#define ITEMS 12000 /* mappings per producer */
#endif
#define QDEPTH 256 /* ring slots (a power of two) */
#define KIB    ((size_t)1 << 10)

static atomic_int failures;
static struct device *fb, *nic;

#define CHECK(cond)                                                                              \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			atomic_fetch_add(&failures, 1);                                          \
		}                                                                                \
	} while (0)

struct item {
	struct device *dev;
	unsigned char *buf;
	size_t size;
	unsigned int order; /* pages, or -1u for kmalloc */
	enum dma_data_direction dir;
	unsigned char seed;
	dma_addr_t addr;
};

/* A queue of items: a mutex and condition variables, or a lock-free single-producer ring. */
struct pipe {
	bool lockfree;
	struct item ring[QDEPTH];
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned long head, tail; /* under mu */
	_Atomic unsigned long ahead, atail;
	uint64_t rng;
};

static struct pipe pipes[2], returns[2];

/* Push without waiting; false when the queue is full. */
static bool pipe_trypush(struct pipe *p, const struct item *it)
{
	if (p->lockfree) {
		unsigned long h = atomic_load_explicit(&p->ahead, memory_order_relaxed);

		if (h - atomic_load_explicit(&p->atail, memory_order_acquire) == QDEPTH)
			return false;
		p->ring[h % QDEPTH] = *it;
		atomic_store_explicit(&p->ahead, h + 1, memory_order_release);
		return true;
	}
	pthread_mutex_lock(&p->mu);
	if (p->head - p->tail == QDEPTH) {
		pthread_mutex_unlock(&p->mu);
		return false;
	}
	p->ring[p->head++ % QDEPTH] = *it;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return true;
}

static void pipe_push(struct pipe *p, const struct item *it)
{
	while (!pipe_trypush(p, it))
		sched_yield();
}

/* Pop without waiting; false when the queue is empty. */
static bool pipe_trypop(struct pipe *p, struct item *it)
{
	if (p->lockfree) {
		unsigned long t = atomic_load_explicit(&p->atail, memory_order_relaxed);

		if (atomic_load_explicit(&p->ahead, memory_order_acquire) == t)
			return false;
		*it = p->ring[t % QDEPTH];
		atomic_store_explicit(&p->atail, t + 1, memory_order_release);
		return true;
	}
	pthread_mutex_lock(&p->mu);
	if (p->head == p->tail) {
		pthread_mutex_unlock(&p->mu);
		return false;
	}
	*it = p->ring[p->tail++ % QDEPTH];
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return true;
}

static void pipe_pop(struct pipe *p, struct item *it)
{
	if (p->lockfree) {
		unsigned long t = atomic_load_explicit(&p->atail, memory_order_relaxed);

		while (atomic_load_explicit(&p->ahead, memory_order_acquire) == t)
			sched_yield();
		*it = p->ring[t % QDEPTH];
		atomic_store_explicit(&p->atail, t + 1, memory_order_release);
		return;
	}
	pthread_mutex_lock(&p->mu);
	while (p->head == p->tail)
		pthread_cond_wait(&p->cv, &p->mu);
	*it = p->ring[p->tail++ % QDEPTH];
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

static size_t pick_size(uint64_t *rng, struct device **dev)
{
	unsigned int r = (unsigned int)(tu_rand(rng) % 200);

	*dev = fb;
	if (r < 60) {
		*dev = nic; /* a kmalloc-24 object: its line holds other objects */
		return 24;
	}
	if (r < 150)
		return 1 + tu_rand(rng) % 256;
	if (r < 195)
		return 257 + tu_rand(rng) % 4000;
	if (r < 199)
		return 4097 + tu_rand(rng) % (12 * KIB);
	return 100 * KIB + tu_rand(rng) % (100 * KIB); /* beyond the static pool's segment */
}

static bool item_alloc(struct item *it, uint64_t *rng)
{
	static const enum dma_data_direction dirs[] = {DMA_TO_DEVICE, DMA_FROM_DEVICE,
						       DMA_BIDIRECTIONAL};

	it->size = pick_size(rng, &it->dev);
	it->dir = it->dev == nic ? DMA_FROM_DEVICE : dirs[tu_rand(rng) % 3];
	it->seed = (unsigned char)tu_rand(rng);
	it->order = -1u;
	if (it->size <= 8192) {
		it->buf = kmalloc(it->size, GFP_KERNEL);
	} else {
		it->order = 0;
		while ((PAGE_SIZE << it->order) < it->size)
			it->order++;
		it->buf = (unsigned char *)__get_free_pages(GFP_KERNEL, it->order);
	}
	return it->buf != NULL;
}

static void item_free(struct item *it)
{
	if (it->order == -1u)
		kfree(it->buf);
	else
		free_pages((unsigned long)it->buf, it->order);
}

/* A small bounce made and ended on this thread (the per-thread slot cache path). */
static void local_bounce(unsigned char *buf, unsigned int k)
{
	dma_addr_t a;

	th_fill(buf, (unsigned char)k, 64);
	a = dma_map_single(fb, buf, 64, DMA_BIDIRECTIONAL);
	CHECK(a != DMA_MAPPING_ERROR);
	if (a == DMA_MAPPING_ERROR)
		return;
	CHECK(th_dev_holds(fb, a, (unsigned char)k, 64));
	th_dev_fill(fb, a, (unsigned char)(k + 3), 64);
	dma_unmap_single(fb, a, 64, DMA_BIDIRECTIONAL);
	CHECK(th_holds(buf, (unsigned char)(k + 3), 64));
}

/* Free the kmalloc'd buffers the consumer gave back; with @all, until its end marker. */
static void take_back(struct pipe *r, bool all)
{
	struct item it;

	for (;;) {
		if (all)
			pipe_pop(r, &it);
		else if (!pipe_trypop(r, &it))
			return;
		if (!it.buf)
			return;
		kfree(it.buf);
	}
}

static void *producer(void *arg)
{
	struct pipe *p = arg, *r = &returns[p - pipes];
	unsigned char *mine = kmalloc(64, GFP_KERNEL);

	CHECK(mine != NULL);
	for (unsigned int k = 0; k < ITEMS; k++) {
		struct item it;

		take_back(r, false);
		if (!item_alloc(&it, &p->rng)) {
			CHECK(!"allocation");
			break;
		}
		th_fill(it.buf, it.seed, it.size);
		it.addr = dma_map_single(it.dev, it.buf, it.size, it.dir);
		CHECK(it.addr != DMA_MAPPING_ERROR);
		if (it.addr == DMA_MAPPING_ERROR) {
			item_free(&it);
			break;
		}
		if (it.dir != DMA_FROM_DEVICE)
			CHECK(th_dev_holds(it.dev, it.addr, it.seed, MA_MIN(it.size, 8192)));
		while (!pipe_trypush(p, &it)) { /* the consumer may wait on the return queue */
			take_back(r, false);
			sched_yield();
		}
		if (mine && k % 4 == 0)
			local_bounce(mine, k);
	}
	kfree(mine);
	{
		struct item end = {.buf = NULL};

		while (!pipe_trypush(p, &end)) {
			take_back(r, false);
			sched_yield();
		}
	}
	take_back(r, true);
	return NULL;
}

static void consume(struct item *it, struct pipe *r)
{
	size_t n = MA_MIN(it->size, 8192);
	unsigned char seed = (unsigned char)(it->seed + 1);

	CHECK(is_swiotlb_buffer(it->dev, it->addr));
	if (it->dir != DMA_TO_DEVICE) {
		th_dev_fill(it->dev, it->addr, seed, n);
		if (it->seed % 4 == 0) { /* look early, on this thread */
			dma_sync_single_for_cpu(it->dev, it->addr, n, it->dir);
			CHECK(th_holds(it->buf, seed, n));
		}
	}
	dma_unmap_single(it->dev, it->addr, it->size, it->dir);
	if (it->dir == DMA_TO_DEVICE) {
		CHECK(th_holds(it->buf, it->seed, it->size));
	} else {
		CHECK(th_holds(it->buf, seed, n));
		CHECK(th_holds(it->buf + n, (unsigned char)(it->seed + n * 7), it->size - n));
	}
	if (it->order == -1u)
		pipe_push(r, it); /* kfree()d by the thread that kmalloc()ed it */
	else
		item_free(it);
}

static void *consumer(void *arg)
{
	struct pipe *p = arg, *r = &returns[p - pipes];
	struct item it;

	for (;;) {
		pipe_pop(p, &it);
		if (!it.buf)
			break;
		consume(&it, r);
	}
	pipe_push(r, &it); /* the end marker, back */
	return NULL;
}

static void test_map_here_unmap_there(void **state)
{
	pthread_t th[4];
	struct minalign_config c;
	struct minalign_stats st;

	(void)state;
	th_config(&c, MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 64 * KIB);
	c.ram_size = (size_t)256 << 20;
	c.swiotlb_dynamic = true;
	tu_init(&c);
	tu_reports_capture();
	fb = th_dev("fb", false, 0, true);
	nic = th_dev("nic", false, 0, false);
	for (int i = 0; i < 2; i++) {
		pipes[i].lockfree = returns[i].lockfree = i == 1;
		pipes[i].rng = 0x1234567ull + (uint64_t)i * 7919;
		pthread_mutex_init(&pipes[i].mu, NULL);
		pthread_cond_init(&pipes[i].cv, NULL);
		pthread_mutex_init(&returns[i].mu, NULL);
		pthread_cond_init(&returns[i].cv, NULL);
	}
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pthread_create(&th[2 * i], NULL, producer, &pipes[i]), 0);
		assert_int_equal(pthread_create(&th[2 * i + 1], NULL, consumer, &pipes[i]), 0);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(atomic_load(&failures), 0);

	ma_swiotlb_quiesce(true);
	st = th_stats();
	assert_int_equal(st.dma_live_mappings, 0);
	assert_int_equal(st.dma_map_failures, 0);
	assert_int_equal(st.swiotlb_slots_used, 0);
	assert_int_equal(st.swiotlb_transient_live, 0);
	assert_int_equal(st.sim_conflicts, 0);
	assert_true(st.swiotlb_pools > 1);
	assert_true(st.swiotlb_transient >= 1);
	assert_int_equal(st.swiotlb_bytes, st.swiotlb_slots_total * 128);
	assert_true(st.swiotlb_bytes_peak <= ((size_t)256 << 20) / 16);
	assert_int_equal(ma_swiotlb_validate(), 0);
	tu_expect_no_report();
	minalign_device_destroy(fb);
	minalign_device_destroy(nic);
	for (int i = 0; i < 2; i++) {
		pthread_mutex_destroy(&pipes[i].mu);
		pthread_cond_destroy(&pipes[i].cv);
		pthread_mutex_destroy(&returns[i].mu);
		pthread_cond_destroy(&returns[i].cv);
	}
	tu_reports_release();
	minalign_exit();
	assert_int_equal(th_stats().meta_live, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_here_unmap_there),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
