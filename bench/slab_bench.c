/* SPDX-License-Identifier: MIT */
/*
 * bench/slab_bench.c - time per allocate+free pair of small objects, for one allocator.
 *
 * Built once per allocator (BENCH_ALLOC selects it): minalign's kmalloc/kfree, the peers'
 * malloc/free (glibc, and mimalloc, jemalloc, tcmalloc linked in as the process's malloc), and
 * "floor", a minimal thread-local free list per size class.  bench/run.sh runs the programs
 * alternately, several rounds, and prints medians and ratios.
 *
 * Patterns (sizes 8..256 bytes, and the kmalloc classes above: 512..8192):
 *   tight   allocate and free one object of a fixed size, in a loop (8..256, 512..8192)
 *   batch   allocate 10,000 objects of random sizes 8..256 ("rand"), or 2,000 of random
 *           sizes 512..8192 ("big"), free them in random order, repeat
 *   cross   two threads; each allocates a batch of random sizes, they swap batches, and
 *           each frees the other's objects (every free is a cross-thread free)
 * Output: one line per measurement, "<pattern> <size|rand> <ns per pair>".  Each value is
 * the best of BENCH_REPS repetitions in this process.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_REPS	3
#define TIGHT_ITERS	(2000000L * scale)
#define BATCH_OBJS	10000
#define BATCH_ROUND	(60 * scale)
#define BATCH_BIG_OBJS	2000
#define BATCH_BIG_ROUND (150 * scale)
#define CROSS_OBJS	1000
#define CROSS_ROUND	(400 * scale)

static int scale = 1; /* BENCH_SCALE=n runs n times longer */

#if defined(BENCH_MINALIGN)
#include <minalign/minalign.h>
#define ALLOC_NAME "minalign"
static inline void *b_alloc(size_t n)
{
	return kmalloc(n, GFP_KERNEL);
}
static inline void b_free(void *p)
{
	kfree(p);
}
static void b_init(void)
{
	if (minalign_init(NULL)) {
		fprintf(stderr, "minalign_init failed\n");
		exit(1);
	}
}
#elif defined(BENCH_FLOOR)
#define ALLOC_NAME   "floor"
/* The least an allocator can do: a size-class table and a thread-local free list. */
struct fl_obj {
	struct fl_obj *next;
};
static __thread struct fl_obj *fl_head[14];
static const unsigned char fl_small[33] = {0, 1, 2, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6,
					   7, 7, 7, 7, 7, 7, 7, 7, 8, 8, 8, 8, 8, 8, 8, 8};
static const unsigned int fl_size[14] = {0,   8,   16,	32,   64,   96,	  128,
					 192, 256, 512, 1024, 2048, 4096, 8192};
/* 8..256 by table, then one class per power of two up to 8192 */
static inline unsigned int fl_class(size_t n)
{
	if (n <= 256)
		return fl_small[(n + 7) >> 3];
	return (unsigned int)(64 - __builtin_clzll((unsigned long long)n - 1));
}
static __attribute__((noinline)) void *fl_refill(unsigned int c)
{
	char *chunk = malloc(64 * 1024);
	size_t n = 64 * 1024 / fl_size[c], i;

	for (i = 1; i < n; i++) {
		struct fl_obj *o = (struct fl_obj *)(chunk + i * fl_size[c]);

		o->next = fl_head[c];
		fl_head[c] = o;
	}
	return chunk;
}
static __attribute__((noinline)) void *b_alloc(size_t n)
{
	unsigned int c = fl_class(n);
	struct fl_obj *o = fl_head[c];

	if (__builtin_expect(!o, 0))
		return fl_refill(c);
	fl_head[c] = o->next;
	return o;
}
/* The floor knows the size at free time (a real allocator has to find it). */
static __attribute__((noinline)) void b_free_sized(void *p, size_t n)
{
	unsigned int c = fl_class(n);
	struct fl_obj *o = p;

	o->next = fl_head[c];
	fl_head[c] = o;
}
#define B_FREE_SIZED 1
static void b_init(void)
{
}
#else
#ifndef ALLOC_NAME
#define ALLOC_NAME "glibc"
#endif
static inline void *b_alloc(size_t n)
{
	return malloc(n);
}
static inline void b_free(void *p)
{
	free(p);
}
static void b_init(void)
{
}
#endif

#ifdef B_FREE_SIZED
#define B_FREE(p, n) b_free_sized((p), (n))
#else
#define B_FREE(p, n) b_free(p)
#endif

/* Keep the compiler from pairing up or removing allocations. */
static inline void escape(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static uint64_t rnd_state = 88172645463325252ULL;
static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static double bench_tight(size_t size)
{
	double best = 1e30;
	int r;

	for (r = 0; r < BENCH_REPS; r++) {
		double t0 = now_ns(), t;
		long i;

		for (i = 0; i < TIGHT_ITERS; i++) {
			char *p = b_alloc(size);

			p[0] = (char)i;
			escape(p);
			B_FREE(p, size);
		}
		t = (now_ns() - t0) / TIGHT_ITERS;
		if (t < best)
			best = t;
	}
	return best;
}

static size_t sizes[BATCH_OBJS];
static unsigned int order[BATCH_OBJS];
static void *objs[BATCH_OBJS];

/* @nobj objects of random sizes @lo..@hi, @rounds times. */
static double bench_batch(unsigned int nobj, size_t lo, size_t hi, int rounds)
{
	double best = 1e30;
	int r, round;
	unsigned int i;

	for (i = 0; i < nobj; i++) {
		sizes[i] = lo + rnd() % (hi - lo + 1);
		order[i] = i;
	}
	for (i = nobj - 1; i > 0; i--) {
		unsigned int j = rnd() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (r = 0; r < BENCH_REPS; r++) {
		double t0 = now_ns(), t;

		for (round = 0; round < rounds; round++) {
			for (i = 0; i < nobj; i++) {
				char *p = b_alloc(sizes[i]);

				p[0] = (char)i;
				objs[i] = p;
			}
			escape(objs);
			for (i = 0; i < nobj; i++)
				B_FREE(objs[order[i]], sizes[order[i]]);
		}
		t = (now_ns() - t0) / ((double)rounds * nobj);
		if (t < best)
			best = t;
	}
	return best;
}

/* ---- cross-thread frees -------------------------------------------------------------- */

struct cross_arg {
	int id;
	void *mine[CROSS_OBJS];
	size_t size[CROSS_OBJS];
};
static struct cross_arg cross[2];
static atomic_uint cross_bar;

static void barrier(unsigned int *gen)
{
	unsigned int target = (*gen += 2);

	unsigned int spins = 0;

	atomic_fetch_add(&cross_bar, 1);
	while (atomic_load(&cross_bar) < target)
		if (++spins > 1000)
			sched_yield(); /* the other thread may not be running (busy machine) */
}

static void *cross_thread(void *argp)
{
	struct cross_arg *a = argp, *other = &cross[!a->id];
	unsigned int gen = 0, i;
	int round;

	for (i = 0; i < CROSS_OBJS; i++)
		a->size[i] = 8 + (i * 2654435761u + (unsigned int)a->id * 40503u) % 249;
	barrier(&gen);
	for (round = 0; round < CROSS_ROUND; round++) {
		for (i = 0; i < CROSS_OBJS; i++) {
			char *p = b_alloc(a->size[i]);

			p[0] = (char)i;
			a->mine[i] = p;
		}
		barrier(&gen); /* both batches ready */
		for (i = 0; i < CROSS_OBJS; i++)
			B_FREE(other->mine[i], other->size[i]);
		barrier(&gen); /* both batches freed */
	}
	return NULL;
}

static double bench_cross(void)
{
	double best = 1e30;
	int r;

	for (r = 0; r < BENCH_REPS; r++) {
		pthread_t t[2];
		double t0, t1;
		int i;

		atomic_store(&cross_bar, 0);
		t0 = now_ns();
		for (i = 0; i < 2; i++) {
			cross[i].id = i;
			pthread_create(&t[i], NULL, cross_thread, &cross[i]);
		}
		for (i = 0; i < 2; i++)
			pthread_join(t[i], NULL);
		t1 = (now_ns() - t0) / (2.0 * CROSS_ROUND * CROSS_OBJS);
		if (t1 < best)
			best = t1;
	}
	return best;
}

int main(int argc, char **argv)
{
	static const size_t tight_sizes[] = {8,	  16,  32,   64,   96,	 128, 192,
					     256, 512, 1024, 2048, 4096, 8192};
	unsigned int i;
	const char *only = argc > 1 ? argv[1] : "";

	if (getenv("BENCH_SCALE"))
		scale = atoi(getenv("BENCH_SCALE")) > 0 ? atoi(getenv("BENCH_SCALE")) : 1;
	b_init();
	printf("# allocator %s\n", ALLOC_NAME);
	if (!*only || !strcmp(only, "tight"))
		for (i = 0; i < sizeof(tight_sizes) / sizeof(tight_sizes[0]); i++)
			printf("tight %zu %.2f\n", tight_sizes[i], bench_tight(tight_sizes[i]));
	if (!*only || !strcmp(only, "batch")) {
		printf("batch rand %.2f\n", bench_batch(BATCH_OBJS, 8, 256, BATCH_ROUND));
		printf("batch big %.2f\n", bench_batch(BATCH_BIG_OBJS, 512, 8192, BATCH_BIG_ROUND));
	}
	if (!*only || !strcmp(only, "cross"))
		printf("cross rand %.2f\n", bench_cross());
	return 0;
}
