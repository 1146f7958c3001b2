/* SPDX-License-Identifier: MIT */
/*
 * bench/programs/larson.c - a server-like allocation pattern after Larson and Krishnan's
 * benchmark ("Memory Allocation for Long-Running Server Applications", ISMM 1998), written
 * from its published description.
 *
 * Each of T threads owns an array of N blocks of random sizes in [MIN, MAX].  A round picks a
 * random slot, frees its block and allocates a new one of a random size there (writing its
 * first and last byte).  After R rounds a thread hands its array to a new thread and exits, so
 * the successor frees blocks its predecessor allocated (G generations per slot).  The work is
 * fixed (no timer) and every thread's random stream is seeded by its slot, so the output (the
 * operation count and a checksum of the sizes allocated) is the same under every allocator;
 * time it from outside.
 *
 * usage: larson [threads=2] [blocks=2000] [rounds=1500000] [generations=5] [min=8] [max=1000]
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct slot {
	unsigned char **blocks;
	uint64_t rng, ops, sum;
	int gen;
};

static long nblocks = 2000, rounds = 1500000, gens = 5, min_size = 8, max_size = 1000;

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static size_t pick_size(struct slot *sl)
{
	return (size_t)(min_size + (long)(next(&sl->rng) % (uint64_t)(max_size - min_size + 1)));
}

static unsigned char *alloc_block(struct slot *sl)
{
	size_t n = pick_size(sl);
	unsigned char *p = malloc(n);

	if (!p) {
		fprintf(stderr, "larson: out of memory\n");
		exit(1);
	}
	p[0] = (unsigned char)n;
	p[n - 1] = (unsigned char)(n >> 8);
	sl->sum += n;
	return p;
}

static void *worker(void *arg)
{
	struct slot *sl = arg;
	pthread_t succ;

	for (long r = 0; r < rounds; r++) {
		long i = (long)(next(&sl->rng) % (uint64_t)nblocks);

		free(sl->blocks[i]);
		sl->blocks[i] = alloc_block(sl);
		sl->ops++;
	}
	if (__atomic_add_fetch(&sl->gen, 1, __ATOMIC_RELEASE) < gens) { /* hand over */
		if (pthread_create(&succ, NULL, worker, sl)) {
			fprintf(stderr, "larson: pthread_create failed\n");
			exit(1);
		}
		pthread_detach(succ);
		return NULL;
	}
	return sl; /* the last generation: the main thread collects it */
}

int main(int argc, char **argv)
{
	long nthreads = argc > 1 ? atol(argv[1]) : 2;
	struct slot *slots;
	uint64_t ops = 0, sum = 0;
	volatile int done;

	if (argc > 2)
		nblocks = atol(argv[2]);
	if (argc > 3)
		rounds = atol(argv[3]);
	if (argc > 4)
		gens = atol(argv[4]);
	if (argc > 5)
		min_size = atol(argv[5]);
	if (argc > 6)
		max_size = atol(argv[6]);
	if (nthreads < 1 || nblocks < 1 || min_size < 2 || max_size < min_size) {
		fprintf(stderr, "larson: bad arguments\n");
		return 2;
	}
	slots = calloc((size_t)nthreads, sizeof(*slots));
	for (long t = 0; t < nthreads; t++) {
		slots[t].rng = 0x9e3779b97f4a7c15ull * (uint64_t)(t + 1);
		slots[t].blocks = malloc((size_t)nblocks * sizeof(*slots[t].blocks));
		for (long i = 0; i < nblocks; i++)
			slots[t].blocks[i] = alloc_block(&slots[t]);
	}
	for (long t = 0; t < nthreads; t++) {
		pthread_t th;

		pthread_create(&th, NULL, worker, &slots[t]);
		pthread_detach(th);
	}
	/* wait for the last generation of every slot (generations are detached) */
	do {
		done = 1;
		for (long t = 0; t < nthreads; t++)
			if (__atomic_load_n(&slots[t].gen, __ATOMIC_ACQUIRE) < gens)
				done = 0;
		if (!done) {
			struct timespec ts = {0, 1000000};

			nanosleep(&ts, NULL);
		}
	} while (!done);
	for (long t = 0; t < nthreads; t++) {
		ops += slots[t].ops;
		sum += slots[t].sum;
		for (long i = 0; i < nblocks; i++)
			free(slots[t].blocks[i]);
		free(slots[t].blocks);
	}
	free(slots);
	printf("larson: %ld threads, %llu operations, size checksum %llu\n", nthreads,
	       (unsigned long long)ops, (unsigned long long)sum);
	return 0;
}
