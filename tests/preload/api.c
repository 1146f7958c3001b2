/* SPDX-License-Identifier: MIT */
/*
 * tests/preload/api.c - the malloc family of libminalign-malloc.so, run under LD_PRELOAD
 * (tests/preload/preload.sh).  A plain C program: it only knows malloc and friends, and checks
 * what the C library's contract says (alignment, contents kept by realloc, calloc zeroes,
 * usable size, errors), across the sizes kmalloc, the in-between caches, kmalloc-large and
 * mmap serve; then threads freeing each other's blocks, and fork from a threaded process.
 * Exit status 0 when every check holds; each failure prints what it was.
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;

#define CHECK(cond)                                                                              \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			failures++;                                                              \
		}                                                                                \
	} while (0)

static const size_t sizes[] = {0,    1,	    8,	   15,	  16,	  17,	   40,	    100,
			       255,  256,   300,   1032,  2049,	  4104,	   6000,    8192,
			       8504, 12000, 20000, 70000, 500000, 3000000, 5000000, 20000000};
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static void fill(unsigned char *p, size_t n, unsigned char seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 31);
}

static int holds(const unsigned char *p, size_t n, unsigned char seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(seed + i * 31))
			return 0;
	return 1;
}

static void test_sizes(void)
{
	void *p[NSIZES];

	for (size_t i = 0; i < NSIZES; i++) {
		p[i] = malloc(sizes[i]);
		CHECK(p[i] != NULL);
		CHECK(((uintptr_t)p[i] & 15) == 0);
		CHECK(malloc_usable_size(p[i]) >= sizes[i]);
		fill(p[i], sizes[i], (unsigned char)i);
	}
	for (size_t i = 0; i < NSIZES; i++) {
		CHECK(holds(p[i], sizes[i], (unsigned char)i));
		free(p[i]);
	}
	for (size_t i = 0; i < NSIZES; i++) {
		unsigned char *z = calloc(1, sizes[i]);
		size_t nz = 0;

		CHECK(z != NULL);
		for (size_t b = 0; b < sizes[i]; b++)
			nz += z[b] != 0;
		CHECK(nz == 0);
		fill(z, sizes[i], 7); /* dirty it: the next calloc of the size must zero again */
		free(z);
	}
}

static volatile size_t huge = SIZE_MAX / 2; /* volatile: no compile-time size warning */

static void test_realloc(void)
{
	unsigned char *p = malloc(10), *q;
	size_t big;

	fill(p, 10, 3);
	for (size_t i = 1; i < NSIZES; i++) { /* grow through every kind of block */
		p = realloc(p, sizes[i]);
		CHECK(p != NULL);
		CHECK(holds(p, sizes[i - 1] < 10 ? sizes[i - 1] : 10, 3));
		fill(p, sizes[i], 3);
	}
	big = malloc_usable_size(p);
	q = realloc(p, 100); /* a big shrink moves to a smaller block */
	CHECK(q != NULL && holds(q, 100, 3));
	CHECK(malloc_usable_size(q) < big / 2);
	p = realloc(q, 90); /* a small shrink keeps the block */
	CHECK(p == q);
	CHECK(realloc(p, 0) == NULL); /* frees */
	errno = 0;
	CHECK(reallocarray(NULL, huge, 3) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(calloc(huge, 3) == NULL && errno == ENOMEM);
	p = reallocarray(NULL, 10, 10);
	CHECK(p != NULL);
	free(p);
}

static void test_aligned(void)
{
	static const size_t aligns[] = {16, 32, 64, 256, 4096, 65536, 1 << 22, 1 << 23};

	for (size_t a = 0; a < sizeof(aligns) / sizeof(aligns[0]); a++) {
		for (size_t s = 1; s < 200000; s = s * 7 + 1) {
			void *p = NULL;

			CHECK(posix_memalign(&p, aligns[a], s) == 0);
			CHECK(((uintptr_t)p & (aligns[a] - 1)) == 0);
			fill(p, s, 1);
			free(p);
			p = aligned_alloc(aligns[a], s);
			CHECK(p && ((uintptr_t)p & (aligns[a] - 1)) == 0);
			free(p);
			p = memalign(aligns[a], s);
			CHECK(p && ((uintptr_t)p & (aligns[a] - 1)) == 0);
			free(p);
		}
	}
	{
		void *p = NULL;

		CHECK(posix_memalign(&p, 24, 10) == EINVAL);
		p = valloc(100);
		CHECK(p && ((uintptr_t)p & 4095) == 0);
		free(p);
	}
	free(NULL);
}

/* ---- threads: each frees what the other allocated --------------------------------------- */

#define XN 5000
static void *xbuf[2][XN];
static pthread_barrier_t xbar;

static void *xthread(void *arg)
{
	long id = (long)arg;

	for (int round = 0; round < 10; round++) {
		for (int i = 0; i < XN; i++) {
			size_t n = 8 + (size_t)((i * 2654435761u + (unsigned)id) % 3000);

			xbuf[id][i] = malloc(n);
			memset(xbuf[id][i], (int)id, n < 16 ? n : 16);
		}
		/* hand over: wait until the other side allocated, then free its blocks */
		pthread_barrier_wait(&xbar);
		for (int i = 0; i < XN; i++) {
			unsigned char *p = xbuf[!id][i];

			if (p[0] != (unsigned char)!id)
				__atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
			free(p);
		}
		pthread_barrier_wait(&xbar);
	}
	return NULL;
}

static void test_threads_and_fork(void)
{
	pthread_t t[2];

	pthread_barrier_init(&xbar, NULL, 2);
	pthread_create(&t[0], NULL, xthread, (void *)0L);
	pthread_create(&t[1], NULL, xthread, (void *)1L);
	for (int i = 0; i < 10; i++) { /* fork while both threads allocate and free */
		pid_t pid = fork();
		int st = 0;

		if (pid == 0) {
			alarm(10);
			for (size_t k = 0; k < NSIZES; k++)
				free(malloc(sizes[k]));
			_exit(0);
		}
		CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		usleep(1000);
	}
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
}

int main(void)
{
	test_sizes();
	test_realloc();
	test_aligned();
	test_threads_and_fork();
	if (failures)
		fprintf(stderr, "api: %d failure(s)\n", failures);
	else
		printf("api: all checks passed\n");
	return failures != 0;
}
