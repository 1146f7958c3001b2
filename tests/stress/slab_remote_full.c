/* SPDX-License-Identifier: MIT */
/*
 * slab_remote_full - cross-thread frees into slabs their owner has filled and retired: the
 * "first remote free into a full slab -> notify the owner" path of src/slab (NOTIFY state,
 * the owner entry's notify list, ma_tc_take_notified(), ma_tc_unfull()) kept hot from both
 * directions at once, and the same traffic while owners exit or shrink and while a third
 * thread shrinks.
 *
 * Two threads each allocate objects of every small kmalloc class (and of two dedicated
 * caches: a plain one and one with a constructor), stamp their contents, and hand them to the
 * other thread through a single-producer single-consumer ring (C11 acquire/release).  The
 * consumer lets the ring fill up before it drains it in a batch, so most objects reach it
 * after the producer has used up and retired their slab; it checks each object's stamp, then
 * frees it.  Each thread also keeps a small set of its own objects that it replaces at random,
 * so owner frees into full slabs race with the remote notification.  Every test ends with no
 * leaked page, metadata or object and a clean ma_slab_validate().
 *
 * SLAB_REMOTE_OPS=n sets the allocations per thread (longer runs by hand); each test also stops
 * after SLAB_REMOTE_SECS seconds (default 1.5) so that sanitizer builds stay short.
 */
#include "test_util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "slab/slab.h"

#define RING	   8192 /* power of two */
#define RING_HIGH  (RING - RING / 4)
#define RING_LOW   (RING / 4)
#define HOLD	   64
#define CTOR_BYTE  0x5a
#define CTOR_SIZE  40
#define PLAIN_SIZE 72

/* Failures in worker threads abort (cmocka's longjmp only works on the main thread). */
#define chk(cond)                                                                                \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                                 \
		}                                                                                \
	} while (0)

enum kind { K_KMALLOC, K_PLAIN, K_CTOR };

struct item {
	void *p;
	uint32_t size, seq;
	uint8_t kind, from;
};

/* Single producer, single consumer: tail published with release, head likewise. */
struct ring {
	_Alignas(64) atomic_uint head;
	_Alignas(64) atomic_uint tail;
	struct item slot[RING];
};

struct side {
	unsigned int id;
	struct ring *out, *in;
	uint64_t rng;
	uint32_t seq;
	long ops;
	unsigned int shrink_every; /* 0: never; else minalign_slab_shrink() every n ops */
	struct item hold[HOLD];
};

static struct ring rings[2];
static struct kmem_cache *plain_cache, *ctor_cache;
static long ops_per_thread = 200000;
static double max_secs = 1.5;
static atomic_bool stop_all;
static struct timespec t_start;

static const uint32_t sizes[] = {8, 16, 32, 64, 96, 128, 192, 256, 512};

static double elapsed(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t_start.tv_sec) +
	       (double)(now.tv_nsec - t_start.tv_nsec) / 1e9;
}

static bool time_up(long op)
{
	if (atomic_load_explicit(&stop_all, memory_order_relaxed))
		return true;
	if ((op & 1023) == 0 && elapsed() > max_secs) {
		atomic_store_explicit(&stop_all, true, memory_order_relaxed);
		return true;
	}
	return false;
}

static void ring_init(struct ring *r)
{
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
}

static unsigned int ring_count(struct ring *r)
{
	return atomic_load_explicit(&r->tail, memory_order_acquire) -
	       atomic_load_explicit(&r->head, memory_order_acquire);
}

static bool ring_push(struct ring *r, const struct item *it)
{
	unsigned int t = atomic_load_explicit(&r->tail, memory_order_relaxed);

	if (t - atomic_load_explicit(&r->head, memory_order_acquire) >= RING)
		return false;
	r->slot[t % RING] = *it;
	atomic_store_explicit(&r->tail, t + 1, memory_order_release);
	return true;
}

static bool ring_pop(struct ring *r, struct item *it)
{
	unsigned int h = atomic_load_explicit(&r->head, memory_order_relaxed);

	if (h == atomic_load_explicit(&r->tail, memory_order_acquire))
		return false;
	*it = r->slot[h % RING];
	atomic_store_explicit(&r->head, h + 1, memory_order_release);
	return true;
}

/* ---- stamped objects --------------------------------------------------------------------- */

static uint64_t stamp_word(const struct item *it, size_t i)
{
	return ((uint64_t)it->seq << 20) ^ ((uint64_t)it->from << 60) ^ (i * 0x9e3779b97f4a7c15ULL);
}

static void ctor(void *obj)
{
	memset(obj, CTOR_BYTE, CTOR_SIZE);
}

static void stamp(const struct item *it)
{
	uint64_t *w = it->p;
	size_t i;

	for (i = 0; i < it->size / 8; i++)
		w[i] = stamp_word(it, i);
	for (i = it->size & ~(size_t)7; i < it->size; i++)
		((uint8_t *)it->p)[i] = (uint8_t)(it->seq + i);
}

static void check(const struct item *it)
{
	const uint64_t *w = it->p;
	size_t i;

	for (i = 0; i < it->size / 8; i++)
		chk(w[i] == stamp_word(it, i));
	for (i = it->size & ~(size_t)7; i < it->size; i++)
		chk(((const uint8_t *)it->p)[i] == (uint8_t)(it->seq + i));
}

static void make(struct side *sd, struct item *it)
{
	unsigned int r = (unsigned int)(tu_rand(&sd->rng) % 16);

	it->seq = sd->seq++;
	it->from = (uint8_t)sd->id;
	if (r == 0) {
		it->kind = K_PLAIN;
		it->size = PLAIN_SIZE;
		it->p = kmem_cache_alloc(plain_cache, GFP_KERNEL);
	} else if (r == 1) {
		size_t i;

		it->kind = K_CTOR;
		it->size = CTOR_SIZE;
		it->p = kmem_cache_alloc(ctor_cache, GFP_KERNEL);
		chk(it->p);
		/* the free-list word lives after the object: its bytes stay constructed */
		for (i = 0; i < CTOR_SIZE; i++)
			chk(((uint8_t *)it->p)[i] == CTOR_BYTE);
	} else {
		uint32_t cls = sizes[tu_rand(&sd->rng) % MA_ARRAY_SIZE(sizes)];

		it->kind = K_KMALLOC;
		it->size = cls - (uint32_t)(tu_rand(&sd->rng) % (cls < 16 ? cls : 16));
		it->p = kmalloc(it->size, GFP_KERNEL);
	}
	chk(it->p);
	stamp(it);
}

static void consume(const struct item *it)
{
	check(it);
	switch (it->kind) {
	case K_PLAIN:
		kmem_cache_free(plain_cache, it->p);
		break;
	case K_CTOR:
		ctor(it->p); /* objects of a cache with a constructor go back constructed */
		kmem_cache_free(ctor_cache, it->p);
		break;
	default:
		kfree(it->p);
		break;
	}
}

/* ---- the two-way traffic ------------------------------------------------------------------ */

/* Free a batch from the ring once it is well filled: the objects' slabs are full by then. */
static void drain_batch(struct ring *in, bool all)
{
	struct item it;

	if (!all && ring_count(in) < RING_HIGH)
		return;
	while ((all || ring_count(in) > RING_LOW) && ring_pop(in, &it))
		consume(&it);
}

/* One step: allocate, pass on (or free locally when the ring is full), churn own objects. */
static void side_step(struct side *sd, long op)
{
	struct item it;
	unsigned int h;

	make(sd, &it);
	if (!ring_push(sd->out, &it))
		consume(&it);
	/* owner frees into its own (often full) slabs, racing with the remote notification */
	h = (unsigned int)(tu_rand(&sd->rng) % HOLD);
	if (sd->hold[h].p)
		consume(&sd->hold[h]);
	make(sd, &sd->hold[h]);
	drain_batch(sd->in, false);
	if (sd->shrink_every && op % sd->shrink_every == sd->shrink_every - 1)
		minalign_slab_shrink(); /* abandon own slabs while the other side frees into them */
}

static void side_finish(struct side *sd)
{
	unsigned int i;

	for (i = 0; i < HOLD; i++) {
		if (sd->hold[i].p)
			consume(&sd->hold[i]);
		sd->hold[i].p = NULL;
	}
}

static void *side_thread(void *arg)
{
	struct side *sd = arg;
	long op;

	for (op = 0; op < sd->ops && !time_up(op); op++)
		side_step(sd, op);
	side_finish(sd);
	return NULL;
}

/* ---- set-up --------------------------------------------------------------------------------- */

static int teardown(void **state)
{
	(void)state;
	tu_reports_release();
	minalign_exit();
	return 0;
}

static void start(struct tu_snapshot *snap)
{
	struct minalign_config cfg;

	tu_config_small(&cfg);
	cfg.ram_size = (size_t)128 << 20;
	tu_init(&cfg);
	tu_reports_capture();
	tu_snapshot(snap);
	plain_cache = kmem_cache_create("remote-plain", PLAIN_SIZE, 0, 0, NULL);
	ctor_cache = kmem_cache_create("remote-ctor", CTOR_SIZE, 0, 0, ctor);
	assert_non_null(plain_cache);
	assert_non_null(ctor_cache);
	ring_init(&rings[0]);
	ring_init(&rings[1]);
	atomic_store(&stop_all, false);
	clock_gettime(CLOCK_MONOTONIC, &t_start);
}

static void side_init(struct side *sd, unsigned int id, unsigned int shrink_every)
{
	memset(sd, 0, sizeof(*sd));
	sd->id = id;
	sd->out = &rings[id];
	sd->in = &rings[!id];
	sd->rng = 0x9e3779b97f4a7c15ULL * (id + 1);
	sd->ops = ops_per_thread;
	sd->shrink_every = shrink_every;
}

static void finish(const struct tu_snapshot *snap)
{
	struct minalign_stats st;

	drain_batch(&rings[0], true);
	drain_batch(&rings[1], true);
	assert_int_equal(ma_slab_validate(), 0);
	kmem_cache_destroy(plain_cache);
	kmem_cache_destroy(ctor_cache);
	minalign_slab_shrink();
	tu_expect_no_report();
	assert_int_equal(ma_slab_validate(), 0);
	minalign_get_stats(&st);
	assert_int_equal(st.slab_objects, 0);
	tu_assert_no_leak(snap);
}

/* Both directions at once. */
static void test_bidir(void **state)
{
	struct tu_snapshot snap;
	struct side sd[2];
	pthread_t t[2];
	unsigned int i;

	(void)state;
	start(&snap);
	for (i = 0; i < 2; i++) {
		side_init(&sd[i], i, 0);
		pthread_create(&t[i], NULL, side_thread, &sd[i]);
	}
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	finish(&snap);
}

/* Both directions while both owners abandon their slabs now and then and a third shrinks. */
static atomic_bool shrinker_stop;

static void *shrinker(void *arg)
{
	unsigned int n = 0;

	(void)arg;
	while (!atomic_load_explicit(&shrinker_stop, memory_order_relaxed)) {
		void *p = kmalloc(64, GFP_KERNEL);

		kfree(p);
		if (n++ & 1)
			minalign_slab_shrink();
		else
			kmem_cache_shrink(n & 2 ? plain_cache : ctor_cache);
	}
	return NULL;
}

static void test_bidir_shrink(void **state)
{
	struct tu_snapshot snap;
	struct side sd[2];
	pthread_t t[2], s;
	unsigned int i;

	(void)state;
	start(&snap);
	atomic_store(&shrinker_stop, false);
	pthread_create(&s, NULL, shrinker, NULL);
	for (i = 0; i < 2; i++) {
		side_init(&sd[i], i, 3000 + 1000 * i);
		pthread_create(&t[i], NULL, side_thread, &sd[i]);
	}
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	atomic_store(&shrinker_stop, true);
	pthread_join(s, NULL);
	finish(&snap);
}

/*
 * A long-lived thread trades objects with a succession of short-lived ones: each exits (its
 * slabs abandoned) while the long-lived one is still freeing into them, and frees into the
 * long-lived one's full slabs as well.
 */
static void *short_lived(void *arg)
{
	struct side *sd = arg;
	long op;

	for (op = 0; op < sd->ops && !time_up(op); op++)
		side_step(sd, op);
	side_finish(sd);
	/* exit without draining: what we pushed is freed after our slabs are abandoned */
	return NULL;
}

static atomic_bool long_stop;

static void *long_lived(void *arg)
{
	struct side *sd = arg;
	long op;

	for (op = 0; !atomic_load_explicit(&long_stop, memory_order_acquire); op++)
		side_step(sd, op); /* a full ring: the object is freed locally */
	side_finish(sd);
	return NULL;
}

static void test_exiting_owners(void **state)
{
	struct tu_snapshot snap;
	struct side lsd, ssd;
	pthread_t l, t;
	unsigned int round, seq = 0;

	(void)state;
	start(&snap);
	atomic_store(&long_stop, false);
	side_init(&lsd, 0, 0);
	pthread_create(&l, NULL, long_lived, &lsd);
	for (round = 0; round < 64 && !time_up(0); round++) {
		side_init(&ssd, 1, 0);
		ssd.rng ^= round;
		ssd.seq = seq;
		ssd.ops = ops_per_thread / 32;
		pthread_create(&t, NULL, short_lived, &ssd);
		pthread_join(t, NULL);
		seq = ssd.seq;
	}
	atomic_store_explicit(&long_stop, true, memory_order_release);
	pthread_join(l, NULL);
	finish(&snap);
}

int main(void)
{
	if (getenv("SLAB_REMOTE_OPS"))
		ops_per_thread = atol(getenv("SLAB_REMOTE_OPS"));
	if (getenv("SLAB_REMOTE_SECS"))
		max_secs = atof(getenv("SLAB_REMOTE_SECS"));
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_bidir, teardown),
		cmocka_unit_test_teardown(test_bidir_shrink, teardown),
		cmocka_unit_test_teardown(test_exiting_owners, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
