/* SPDX-License-Identifier: MIT */
/*
 * tools/bench/benchrun.c - the mapping threads of `minalign bench`, after the kernel's
 * kernel/dma/map_benchmark.c: each thread allocates its buffer, then until the time is up
 * dirties it (unless FROM_DEVICE), times dma_map_single(), waits xdelay ns, times
 * dma_unmap_single(), and sums the latencies and their squares both in ns and in whole units of
 * 100 ns (the kernel's bookkeeping).  A failed mapping is counted and not timed.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <minalign/minalign.h>

#include "bench.h"
#include "common/cli.h"

struct lat_sums {
	uint64_t n;
	double sum, sumsq;	   /* ns */
	uint64_t sum100, sumsq100; /* units of 100 ns */
};

struct bench_ctx {
	const struct bench_args *a;
	struct device *dev;
	size_t len;
	pthread_mutex_t lock; /* the start gate: threads wait for go with their buffer ready */
	pthread_cond_t cond;
	bool go;
	atomic_bool stop;
};

struct bench_thread {
	struct bench_ctx *ctx;
	pthread_t th;
	struct lat_sums map, unmap;
	uint64_t failures;
	bool no_memory;
};

/* Misuse reports (a failed mapping makes one) are counted, not printed per call. */
static atomic_uint_fast64_t reports;

static void count_report(const struct minalign_report *rep, void *arg)
{
	(void)rep;
	(void)arg;
	atomic_fetch_add(&reports, 1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void lat_add(struct lat_sums *s, uint64_t ns)
{
	uint64_t u = ns / 100;

	s->n++;
	s->sum += (double)ns;
	s->sumsq += (double)ns * (double)ns;
	s->sum100 += u;
	s->sumsq100 += u * u;
}

static void *buf_alloc(const struct bench_ctx *c)
{
	if (c->a->size)
		return kmalloc(c->a->size, GFP_KERNEL);
	return (void *)__get_free_pages(GFP_KERNEL, get_order(c->len));
}

static void buf_free(const struct bench_ctx *c, void *buf)
{
	if (c->a->size)
		kfree(buf);
	else
		free_pages((unsigned long)buf, get_order(c->len));
}

/* One timed map, the device's transfer time, one timed unmap. */
static void one_pair(struct bench_thread *t, void *buf)
{
	const struct bench_ctx *c = t->ctx;
	enum dma_data_direction dir = (enum dma_data_direction)c->a->dir;
	uint64_t t0, t1, t2;
	dma_addr_t addr;

	if (dir != DMA_FROM_DEVICE)
		memset(buf, 0x66, c->len); /* dirty the cache, as the kernel does */
	t0 = now_ns();
	addr = dma_map_single(c->dev, buf, c->len, dir);
	t1 = now_ns();
	if (dma_mapping_error(c->dev, addr)) {
		t->failures++;
		sched_yield();
		return;
	}
	while (c->a->xdelay && now_ns() - t1 < c->a->xdelay)
		;
	t2 = now_ns();
	dma_unmap_single(c->dev, addr, c->len, dir);
	lat_add(&t->unmap, now_ns() - t2);
	lat_add(&t->map, t1 - t0);
}

static void *bench_thread_main(void *arg)
{
	struct bench_thread *t = arg;
	void *buf = buf_alloc(t->ctx);

	pthread_mutex_lock(&t->ctx->lock);
	while (!t->ctx->go)
		pthread_cond_wait(&t->ctx->cond, &t->ctx->lock);
	pthread_mutex_unlock(&t->ctx->lock);
	if (!buf) {
		t->no_memory = true;
		return NULL;
	}
	while (!atomic_load_explicit(&t->ctx->stop, memory_order_relaxed))
		one_pair(t, buf);
	buf_free(t->ctx, buf);
	return NULL;
}

static void lat_result(struct bench_lat *l, const struct lat_sums *s)
{
	double n = s->n ? (double)s->n : 1.0, v;

	l->avg_ns = s->sum / n;
	v = s->sumsq / n - l->avg_ns * l->avg_ns;
	l->stddev_ns = v > 0 ? sqrt(v) : 0.0;
	l->avg_100ns = (double)s->sum100 / n;
	v = (double)s->sumsq100 / n - l->avg_100ns * l->avg_100ns;
	l->stddev_100ns = v > 0 ? sqrt(v) : 0.0;
}

static void lat_merge(struct lat_sums *a, const struct lat_sums *b)
{
	a->n += b->n;
	a->sum += b->sum;
	a->sumsq += b->sumsq;
	a->sum100 += b->sum100;
	a->sumsq100 += b->sumsq100;
}

/* Simulated RAM: the default, or enough for every thread's buffer twice over. */
static size_t ram_for(const struct bench_args *a, size_t len)
{
	struct minalign_config cfg;
	uint64_t need = (uint64_t)a->threads * ((uint64_t)PAGE_SIZE << get_order(len)) * 2;
	uint64_t ram;

	minalign_config_init(&cfg);
	ram = cfg.ram_size;
	while (ram < need + ((uint64_t)64 << 20) && ram < ((uint64_t)1 << 40))
		ram *= 2;
	return (size_t)ram == ram ? (size_t)ram : cfg.ram_size;
}

static int bench_init(const struct bench_args *a, struct bench_ctx *c)
{
	struct minalign_config cfg;
	struct minalign_device_info info = {"dma_map_benchmark", a->coherent, 0, false};
	int rc;

	minalign_config_init(&cfg);
	cfg.policy = (enum minalign_policy)a->policy;
	cfg.cache_line = a->cache_line;
	cfg.ram_base = a->ram_base;
	cfg.debug = a->dma_debug ? MINALIGN_DEBUG_DMA : 0;
	cfg.ram_size = ram_for(a, c->len);
	rc = cli_init_library("bench", &cfg);
	if (rc)
		return rc;
	c->dev = minalign_device_create(&info);
	if (!c->dev) {
		minalign_exit();
		return cli_fail("bench", "cannot create the device");
	}
	if (dma_set_mask_and_coherent(c->dev, DMA_BIT_MASK(a->dma_bits))) {
		minalign_device_destroy(c->dev);
		minalign_exit();
		return cli_fail("bench",
				"a %u-bit DMA mask reaches no bounce pool in RAM at %#llx..%#llx "
				"(use more --dma-bits or a lower --ram-base)",
				a->dma_bits, (unsigned long long)cfg.ram_base,
				(unsigned long long)(cfg.ram_base + cfg.ram_size - 1));
	}
	atomic_store(&reports, 0);
	minalign_set_report_handler(count_report, NULL);
	return CLI_EXIT_OK;
}

static void open_gate(struct bench_ctx *c)
{
	pthread_mutex_lock(&c->lock);
	c->go = true;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

static void watch(const struct bench_args *a, uint64_t t0)
{
	uint64_t end = t0 + (uint64_t)(a->seconds * 1e9), t;

	while ((t = now_ns()) < end) {
		uint64_t left = end - t;
		struct timespec ts = {0, (long)(left < 100000000 ? left : 100000000)};

		if (a->progress) {
			fprintf(stderr, "\r\033[K[bench] %.1f/%.1f s", (double)(t - t0) / 1e9,
				a->seconds);
			fflush(stderr);
		}
		nanosleep(&ts, NULL);
	}
	if (a->progress)
		fputs("\r\033[K", stderr);
}

static int run_threads(const struct bench_args *a, struct bench_ctx *c, struct bench_thread *t,
		       unsigned int *started)
{
	pthread_attr_t attr;
	int err = 0;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, (size_t)128 << 10);
	for (*started = 0; *started < a->threads; (*started)++) {
		t[*started].ctx = c;
		err = pthread_create(&t[*started].th, &attr, bench_thread_main, &t[*started]);
		if (err)
			break;
	}
	pthread_attr_destroy(&attr);
	return err;
}

static int collect(const struct bench_args *a, struct bench_thread *t, unsigned int n,
		   struct bench_result *r)
{
	struct lat_sums map = {0}, unmap = {0};
	struct minalign_stats st;
	bool no_memory = false;

	for (unsigned int i = 0; i < n; i++) {
		lat_merge(&map, &t[i].map);
		lat_merge(&unmap, &t[i].unmap);
		r->map_failures += t[i].failures;
		no_memory |= t[i].no_memory;
	}
	minalign_get_stats(&st);
	r->bounces = st.bounce_maps;
	r->loops = map.n;
	lat_result(&r->map, &map);
	lat_result(&r->unmap, &unmap);
	if (no_memory)
		return cli_fail("bench", "out of simulated RAM for %u buffers of %zu bytes",
				a->threads, r->buf_bytes);
	if (!r->loops)
		return cli_fail("bench", "every mapping failed (%llu attempts)",
				(unsigned long long)r->map_failures);
	return CLI_EXIT_OK;
}

int bench_run(const struct bench_args *a, struct bench_result *r)
{
	struct bench_ctx c = {.a = a};
	struct bench_thread *t;
	unsigned int started;
	uint64_t t0;
	int rc, err;

	memset(r, 0, sizeof(*r));
	c.len = a->size ? a->size : (size_t)a->granule * PAGE_SIZE;
	r->buf_bytes = c.len;
	atomic_init(&c.stop, false);
	t = calloc(a->threads, sizeof(*t));
	if (!t)
		return cli_fail("bench", "out of memory");
	rc = bench_init(a, &c);
	if (rc) {
		free(t);
		return rc;
	}
	pthread_mutex_init(&c.lock, NULL);
	pthread_cond_init(&c.cond, NULL);
	err = run_threads(a, &c, t, &started);
	if (err)
		atomic_store(&c.stop, true);
	t0 = now_ns();
	open_gate(&c);
	if (!err)
		watch(a, t0);
	atomic_store(&c.stop, true);
	for (unsigned int i = 0; i < started; i++)
		pthread_join(t[i].th, NULL);
	r->seconds = (double)(now_ns() - t0) / 1e9;
	rc = err ? cli_fail("bench", "cannot start a thread: %s", strerror(err))
		 : collect(a, t, started, r);
	pthread_cond_destroy(&c.cond);
	pthread_mutex_destroy(&c.lock);
	minalign_device_destroy(c.dev);
	r->reports = atomic_load(&reports);
	minalign_set_report_handler(NULL, NULL);
	minalign_exit();
	free(t);
	return rc;
}
