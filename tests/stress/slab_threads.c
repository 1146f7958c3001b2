/* SPDX-License-Identifier: MIT */
/*
 * slab_threads - the slab allocator under threads: objects allocated on one thread and freed
 * on another (a ring of threads passing mixed kmalloc, GFP_DMA, kmem_cache and kmalloc-large
 * objects, contents checked), threads that exit holding live objects, the full-slab
 * notification path, and a thread that outlives minalign_exit().  Every test ends with no
 * leaked page or metadata and a clean ma_slab_validate().  Sized to run quickly under TSan.
 */
#include "test_util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slab/slab.h"

#define NTHREADS 4
#define QCAP	 128

struct msg {
	uint32_t magic, size, seq, from;
	uint8_t kind; /* 0 kmalloc, 1 kmem_cache */
};

struct queue {
	pthread_mutex_t lock;
	void *slot[QCAP];
	unsigned int head, tail;
};

static struct queue queues[NTHREADS];
static struct kmem_cache *shared_cache;
static int ops_per_thread = 20000;

static void q_init(struct queue *q)
{
	pthread_mutex_init(&q->lock, NULL);
	q->head = q->tail = 0;
}

static bool q_push(struct queue *q, void *p)
{
	bool ok;

	pthread_mutex_lock(&q->lock);
	ok = q->tail - q->head < QCAP;
	if (ok)
		q->slot[q->tail++ % QCAP] = p;
	pthread_mutex_unlock(&q->lock);
	return ok;
}

static void *q_pop(struct queue *q)
{
	void *p = NULL;

	pthread_mutex_lock(&q->lock);
	if (q->head != q->tail)
		p = q->slot[q->head++ % QCAP];
	pthread_mutex_unlock(&q->lock);
	return p;
}

static uint8_t pattern(const struct msg *m, size_t i)
{
	return (uint8_t)(m->seq * 7 + m->from * 13 + i);
}

static void *make(uint64_t *rng, unsigned int from, unsigned int seq)
{
	unsigned int r = (unsigned int)(tu_rand(rng) % 100);
	struct msg *m;
	size_t size, i;
	uint8_t kind = 0;

	if (r < 10) {
		m = kmem_cache_alloc(shared_cache, GFP_KERNEL);
		size = 96;
		kind = 1;
	} else if (r < 12) {
		size = 8192 + tu_rand(rng) % 9000;
		m = kmalloc(size, GFP_KERNEL);
	} else if (r < 20) {
		size = sizeof(*m) + tu_rand(rng) % 300;
		m = kmalloc(size, GFP_DMA);
		assert_int_equal((uintptr_t)m % 128, 0);
	} else {
		size = sizeof(*m) + tu_rand(rng) % 600;
		m = r & 1 ? kzalloc(size, GFP_KERNEL) : kmalloc(size, GFP_KERNEL);
	}
	assert_non_null(m);
	m->magic = 0xfeedf00d;
	m->size = (uint32_t)size;
	m->seq = seq;
	m->from = from;
	m->kind = kind;
	for (i = sizeof(*m); i < size; i++)
		((uint8_t *)m)[i] = pattern(m, i);
	return m;
}

static void consume(void *p)
{
	struct msg *m = p;
	size_t i;

	assert_int_equal(m->magic, 0xfeedf00d);
	for (i = sizeof(*m); i < m->size; i++)
		assert_int_equal(((uint8_t *)m)[i], pattern(m, i));
	m->magic = 0;
	if (m->kind)
		kmem_cache_free(shared_cache, m);
	else
		kfree(m);
}

static void *ring_thread(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg, seq = 0;
	uint64_t rng = 0x9e3779b97f4a7c15ULL * (id + 1);
	void *hold[64] = {0};
	void *p;
	int op;

	for (op = 0; op < ops_per_thread; op++) {
		unsigned int h = (unsigned int)(tu_rand(&rng) % 64);

		/* local churn: replace a held object */
		if (hold[h])
			consume(hold[h]);
		hold[h] = make(&rng, id, seq++);
		/* pass one to the next thread, free what others passed to us */
		p = make(&rng, id, seq++);
		if (!q_push(&queues[(id + 1) % NTHREADS], p))
			consume(p);
		while ((p = q_pop(&queues[id])) != NULL)
			consume(p);
	}
	for (op = 0; op < 64; op++)
		if (hold[op])
			consume(hold[op]);
	return NULL;
}

static int teardown(void **state)
{
	(void)state;
	tu_reports_release();
	minalign_exit();
	return 0;
}

static void start(void)
{
	struct minalign_config cfg;

	tu_config_small(&cfg);
	cfg.ram_size = (size_t)128 << 20;
	tu_init(&cfg);
	tu_reports_capture();
}

static void finish(const struct tu_snapshot *snap)
{
	minalign_slab_shrink();
	tu_expect_no_report();
	assert_int_equal(ma_slab_validate(), 0);
	tu_assert_no_leak(snap);
}

static void test_ring(void **state)
{
	struct tu_snapshot snap;
	pthread_t t[NTHREADS];
	unsigned int i;
	void *p;

	(void)state;
	start();
	tu_snapshot(&snap);
	shared_cache = kmem_cache_create("ring-objs", 96, 0, 0, NULL);
	for (i = 0; i < NTHREADS; i++)
		q_init(&queues[i]);
	for (i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, ring_thread, (void *)(uintptr_t)i);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < NTHREADS; i++)
		while ((p = q_pop(&queues[i])) != NULL)
			consume(p);
	assert_int_equal(ma_slab_validate(), 0);
	kmem_cache_destroy(shared_cache);
	finish(&snap);
}

/* ---- threads that exit holding objects ------------------------------------------------- */

static void *objs[4000];

static void *alloc_and_exit(void *arg)
{
	int i, n = (int)(uintptr_t)arg;

	for (i = 0; i < n; i++) {
		objs[i] = kmalloc((size_t)(i % 500) + 1, GFP_KERNEL);
		memset(objs[i], 0x3c, (size_t)(i % 500) + 1);
	}
	return NULL;
}

static void *free_half(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 4000; i += 2) {
		kfree(objs[i]);
		objs[i] = NULL;
	}
	/* allocate again: adopts the abandoned slabs */
	for (i = 0; i < 4000; i += 2)
		objs[i] = kmalloc((size_t)(i % 500) + 1, GFP_KERNEL);
	return NULL;
}

static void test_exit_with_objects(void **state)
{
	struct tu_snapshot snap;
	pthread_t t;
	int i;

	(void)state;
	start();
	tu_snapshot(&snap);
	pthread_create(&t, NULL, alloc_and_exit, (void *)(uintptr_t)4000);
	pthread_join(t, NULL);
	assert_int_equal(ma_slab_validate(), 0);
	pthread_create(&t, NULL, free_half, NULL);
	pthread_join(t, NULL);
	assert_int_equal(ma_slab_validate(), 0);
	for (i = 0; i < 4000; i++)
		kfree(objs[i]);
	finish(&snap);
}

/* ---- remote frees into full slabs: the owner gets them back ---------------------------- */

static pthread_barrier_t bar;
static void *batch[6000];

static void *producer(void *arg)
{
	struct minalign_stats st;
	uint64_t first = 0;
	int round, i;

	(void)arg;
	for (round = 0; round < 6; round++) {
		for (i = 0; i < 6000; i++)
			batch[i] = kmalloc(64, GFP_KERNEL);
		minalign_get_stats(&st);
		if (!first)
			first = st.slab_bytes;
		/* the slabs the consumer emptied come back: no growth */
		assert_true(st.slab_bytes <= first + 16 * PAGE_SIZE);
		pthread_barrier_wait(&bar); /* batch ready */
		pthread_barrier_wait(&bar); /* batch freed */
	}
	return NULL;
}

static void *consumer(void *arg)
{
	int round, i;

	(void)arg;
	for (round = 0; round < 6; round++) {
		pthread_barrier_wait(&bar);
		for (i = 0; i < 6000; i++)
			kfree(batch[(i * 17) % 6000]);
		pthread_barrier_wait(&bar);
	}
	return NULL;
}

static void test_remote_full_slabs(void **state)
{
	struct tu_snapshot snap;
	pthread_t a, b;

	(void)state;
	start();
	tu_snapshot(&snap);
	pthread_barrier_init(&bar, NULL, 2);
	pthread_create(&a, NULL, producer, NULL);
	pthread_create(&b, NULL, consumer, NULL);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	pthread_barrier_destroy(&bar);
	finish(&snap);
}

/* ---- a thread that outlives a generation ----------------------------------------------- */

static void *survivor(void *arg)
{
	int gen, i;

	(void)arg;
	for (gen = 0; gen < 3; gen++) {
		void *p[100];

		pthread_barrier_wait(&bar); /* library up */
		for (i = 0; i < 100; i++)
			p[i] = kmalloc((size_t)i + 1, GFP_KERNEL);
		for (i = 0; i < 100; i += 3)
			kfree(p[i]);
		pthread_barrier_wait(&bar); /* done; main exits and re-inits */
	}
	return NULL;
}

static void test_survivor(void **state)
{
	pthread_t t;
	int gen;

	(void)state;
	pthread_barrier_init(&bar, NULL, 2);
	pthread_create(&t, NULL, survivor, NULL);
	for (gen = 0; gen < 3; gen++) {
		tu_init(NULL);
		pthread_barrier_wait(&bar);
		pthread_barrier_wait(&bar);
		assert_int_equal(ma_slab_validate(), 0);
		minalign_exit();
	}
	pthread_join(t, NULL);
	pthread_barrier_destroy(&bar);
}

int main(void)
{
	if (getenv("SLAB_STRESS_OPS")) /* longer runs by hand: SLAB_STRESS_OPS=200000 */
		ops_per_thread = atoi(getenv("SLAB_STRESS_OPS"));
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_ring, teardown),
		cmocka_unit_test_teardown(test_exit_with_objects, teardown),
		cmocka_unit_test_teardown(test_remote_full_slabs, teardown),
		cmocka_unit_test_teardown(test_survivor, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
