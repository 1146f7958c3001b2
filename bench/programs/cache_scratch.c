/* SPDX-License-Identifier: MIT */
/*
 * bench/programs/cache_scratch.c - passive false sharing, after the cache-scratch benchmark of
 * Berger et al.'s Hoard paper (ASPLOS 2000), written from its published description.
 *
 * The main thread allocates one small object per worker, all at once (so a naive allocator
 * packs them into one cache line), and hands one to each worker.  A worker frees the object it
 * was given, then repeatedly allocates an object of the same size, writes every byte of it
 * many times and frees it.  An allocator that hands the freed object back to the same thread
 * makes the workers write to one shared line: the cache line ping-pongs between CPUs.
 *
 * usage: cache_scratch [threads=2] [iterations=4000] [size=8] [repetitions=20000]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct work {
	char *given;
	long iterations, repetitions;
	size_t size;
	unsigned long sum;
};

static void *worker(void *arg)
{
	struct work *w = arg;

	free(w->given);
	for (long i = 0; i < w->iterations; i++) {
		volatile char *p = malloc(w->size);

		for (long r = 0; r < w->repetitions; r++)
			for (size_t b = 0; b < w->size; b++)
				p[b] = (char)(p[b] + (char)r);
		w->sum += (unsigned char)p[0];
		free((void *)p);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long nthreads = argc > 1 ? atol(argv[1]) : 2;
	long iterations = argc > 2 ? atol(argv[2]) : 4000;
	size_t size = argc > 3 ? (size_t)atol(argv[3]) : 8;
	long reps = argc > 4 ? atol(argv[4]) : 20000;
	pthread_t *th;
	struct work *w;

	if (nthreads < 1 || !size) {
		fprintf(stderr, "cache_scratch: bad arguments\n");
		return 2;
	}
	th = malloc((size_t)nthreads * sizeof(*th));
	w = calloc((size_t)nthreads, sizeof(*w));
	for (long t = 0; t < nthreads; t++) /* allocated together: neighbours in memory */
		w[t] = (struct work){calloc(1, size), iterations, reps, size, 0};
	for (long t = 0; t < nthreads; t++)
		pthread_create(&th[t], NULL, worker, &w[t]);
	for (long t = 0; t < nthreads; t++)
		pthread_join(th[t], NULL);
	printf("cache-scratch: %ld threads x %ld iterations of %zu bytes\n", nthreads, iterations,
	       size);
	free(th);
	free(w);
	return 0;
}
