/* SPDX-License-Identifier: MIT */
/*
 * bench/dma/dma_bench.c - what streaming DMA costs, against the physical floor.
 *
 * Prints, from one run: map+unmap without a bounce (the sim's cache maintenance, then the
 * mapping layer alone with cache_model COHERENT), map+unmap with a 64-byte and a 2 KiB bounce
 * in DMA_TO_DEVICE and DMA_BIDIRECTIONAL, and beside each bounce its floor: an uncontended
 * lock/unlock plus one memcpy of the same size per copy the bounce must make (TO_DEVICE copies
 * in; BIDIRECTIONAL copies in and back), all measured here, in the same process.  Then the
 * throughput of 64-byte bidirectional bounces with one thread and with two (pinned to two
 * CPUs) while the main thread sleeps (wall-clock throughput and CPU ns per bounce), as a ratio.
 * The rows run in the coherent, native (on x86 no instruction is issued) and sim models.  Then what
 * dynamic SWIOTLB pools cost a device that never bounced: the unmap of its direct mappings with
 * swiotlb_dynamic off and on, machines made alternately in the same process (and, for comparison, a
 * device that has bounced, whose unmaps look at the pool envelope).  Best of several runs (the
 * least disturbed on a shared machine); timings are for reading, never asserted.
 */
#include <minalign/minalign.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUNS	    7
#define ITERS	    400000L
#define THREAD_MS   300
#define THREAD_RUNS 5

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* Time this thread ran: a shared machine's other work does not count against it. */
static uint64_t cpu_ns(void)
{
	return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The best of @n runs: on a shared machine the fastest run is the least disturbed one. */
static double best(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[0];
}

#define barrier() __asm__ volatile("" ::: "memory")

/* ---- the floor --------------------------------------------------------------------------- */

/* The same test-and-test-and-set lock the library's bounce areas use. */
struct floor_lock {
	atomic_int v;
};

static inline void floor_lock(struct floor_lock *l)
{
	while (atomic_exchange_explicit(&l->v, 1, memory_order_acquire))
		while (atomic_load_explicit(&l->v, memory_order_relaxed))
			;
}

static inline void floor_unlock(struct floor_lock *l)
{
	atomic_store_explicit(&l->v, 0, memory_order_release);
}

static _Alignas(128) unsigned char fa[8192], fb[8192];
static volatile size_t vsize; /* keeps memcpy a real call of a run-time size, as the library's */

/*
 * ns per floor iteration: what a bounce through a lock-protected pool must do at the least - at
 * map, a lock round trip (take the slots) and the copy in; at unmap, a lock round trip (give
 * them back) and, for BIDIRECTIONAL (@copies 2), the copy back.  @size 0 with @copies 0 is one
 * lock round trip alone; @with_lock 0 leaves only the copies.
 */
static double floor_ns(size_t size, int copies, int with_lock)
{
	static struct floor_lock l;
	double r[RUNS];

	vsize = size;
	for (int run = 0; run < RUNS; run++) {
		uint64_t t0 = cpu_ns();

		for (long i = 0; i < ITERS; i++) {
			size_t n = vsize;

			if (with_lock)
				floor_lock(&l);
			if (copies > 0)
				memcpy(fa, fb, n);
			if (with_lock)
				floor_unlock(&l);
			barrier();
			if (with_lock && copies)
				floor_lock(&l);
			if (copies > 1)
				memcpy(fb, fa, n);
			if (with_lock && copies)
				floor_unlock(&l);
			barrier();
		}
		r[run] = (double)(cpu_ns() - t0) / ITERS;
	}
	return best(r, RUNS);
}

/* ---- mapping costs ------------------------------------------------------------------------ */

static double map_ns(struct device *dev, void *buf, size_t size, enum dma_data_direction dir,
		     int *bounced)
{
	double r[RUNS];
	dma_addr_t a = dma_map_single(dev, buf, size, dir);

	if (dma_mapping_error(dev, a)) {
		fprintf(stderr, "bench_dma: mapping failed\n");
		exit(1);
	}
	*bounced = is_swiotlb_buffer(dev, a);
	dma_unmap_single(dev, a, size, dir);
	for (int run = 0; run < RUNS; run++) {
		uint64_t t0 = cpu_ns();

		for (long i = 0; i < ITERS; i++) {
			a = dma_map_single(dev, buf, size, dir);
			dma_unmap_single(dev, a, size, dir);
		}
		r[run] = (double)(cpu_ns() - t0) / ITERS;
	}
	return best(r, RUNS);
}

struct machine {
	struct device *nc, *coh, *force;
	unsigned char *k64, *nb64, *k128, *pages;
};

static void machine_up(struct machine *m, enum minalign_cache_model model)
{
	struct minalign_config c;
	struct minalign_device_info nc = {.name = "nc"}, coh = {.name = "coh", .coherent = true},
				    force = {.name = "force", .force_bounce = true};

	minalign_config_init(&c);
	c.ram_size = (size_t)256 << 20;
	c.cache_model = model;
	c.policy = MINALIGN_POLICY_BOUNCE;
	c.debug = 0;
	c.swiotlb_dynamic = false;
	if (minalign_init(&c)) {
		fprintf(stderr, "bench_dma: minalign_init failed\n");
		exit(1);
	}
	m->nc = minalign_device_create(&nc);
	m->coh = minalign_device_create(&coh);
	m->force = minalign_device_create(&force);
	m->k64 = kmalloc(64, GFP_KERNEL); /* shares its 128-byte line with nb64 */
	m->nb64 = kmalloc(64, GFP_KERNEL);
	m->k128 = kmalloc(128, GFP_KERNEL); /* owns its line */
	m->pages = (unsigned char *)__get_free_pages(GFP_KERNEL, 1);
	if (!m->nc || !m->coh || !m->force || !m->k64 || !m->k128 || !m->pages) {
		fprintf(stderr, "bench_dma: setup failed\n");
		exit(1);
	}
}

static void machine_down(struct machine *m)
{
	kfree(m->k64);
	kfree(m->nb64);
	kfree(m->k128);
	free_pages((unsigned long)m->pages, 1);
	minalign_device_destroy(m->nc);
	minalign_device_destroy(m->coh);
	minalign_device_destroy(m->force);
	minalign_exit();
}

struct row {
	const char *what;
	int dev; /* 0 nc, 1 coh, 2 force */
	int buf; /* 0 k64, 1 k128, 2 page+8 (unaligned), 3 page (aligned) */
	size_t size;
	enum dma_data_direction dir;
};

static const struct row rows[] = {
	{"no bounce: 64 B TO_DEVICE, kmalloc-64", 0, 0, 64, DMA_TO_DEVICE},
	{"no bounce: 128 B FROM_DEVICE, line-owning kmalloc-128", 0, 1, 128, DMA_FROM_DEVICE},
	{"no bounce: 64 B BIDIRECTIONAL, coherent device", 1, 0, 64, DMA_BIDIRECTIONAL},
	{"bounce 64 B TO_DEVICE (force_bounce)", 2, 0, 64, DMA_TO_DEVICE},
	{"bounce 64 B BIDIRECTIONAL (force_bounce)", 2, 0, 64, DMA_BIDIRECTIONAL},
	{"bounce 64 B BIDIRECTIONAL (exact rule: kmalloc-64 shares its line)", 0, 0, 64,
	 DMA_BIDIRECTIONAL},
	{"bounce 2 KiB TO_DEVICE (force_bounce)", 2, 3, 2048, DMA_TO_DEVICE},
	{"bounce 2 KiB BIDIRECTIONAL (force_bounce)", 2, 3, 2048, DMA_BIDIRECTIONAL},
	{"bounce 2 KiB BIDIRECTIONAL (exact rule: unaligned buffer)", 0, 2, 2048,
	 DMA_BIDIRECTIONAL},
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

static void *row_buf(struct machine *m, const struct row *r)
{
	switch (r->buf) {
	case 0:
		return m->k64;
	case 1:
		return m->k128;
	case 2:
		return m->pages + 8;
	default:
		return m->pages;
	}
}

static struct device *row_dev(struct machine *m, const struct row *r)
{
	return r->dev == 0 ? m->nc : r->dev == 1 ? m->coh : m->force;
}

static double ratio64_bidir; /* the headline: exact-rule 64 B BIDIRECTIONAL vs its floor */
static double ratio64_native, ratio64_sim; /* the same row in the native and sim models */

static void run_rows(enum minalign_cache_model model, const char *title, double lock_ns)
{
	struct machine m;

	machine_up(&m, model);
	printf("\n%s\n", title);
	printf("  %-68s %9s %9s %7s\n", "map+unmap", "ns", "floor ns", "ratio");
	for (unsigned int i = 0; i < NROWS; i++) {
		const struct row *r = &rows[i];
		int bounced, copies = r->dir == DMA_BIDIRECTIONAL ? 2 : 1;
		double ns = map_ns(row_dev(&m, r), row_buf(&m, r), r->size, r->dir, &bounced);

		if (!bounced) {
			printf("  %-68s %9.1f %9s %7s\n", r->what, ns, "-", "-");
			continue;
		}
		double fl = floor_ns(r->size, copies, 1);

		printf("  %-68s %9.1f %9.1f %6.2fx\n", r->what, ns, fl, ns / fl);
		if (i == 5)
			*(model == MINALIGN_CACHE_COHERENT ? &ratio64_bidir
			  : model == MINALIGN_CACHE_NATIVE ? &ratio64_native
							   : &ratio64_sim) = ns / fl;
	}
	(void)lock_ns;
	machine_down(&m);
}

/* ---- 1 vs 2 threads ------------------------------------------------------------------------ */

struct worker {
	pthread_t th;
	int cpu;
	struct device *dev;
	unsigned char *buf;
	unsigned long ops;
	uint64_t cpu_ns;
};

static atomic_int go, stop;

static void *bounce_worker(void *arg)
{
	struct worker *w = arg;
	unsigned long ops = 0;
	cpu_set_t set;
	uint64_t t0;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	while (!atomic_load_explicit(&go, memory_order_acquire))
		;
	t0 = cpu_ns();
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		for (int i = 0; i < 256; i++) {
			dma_addr_t a = dma_map_single(w->dev, w->buf, 64, DMA_BIDIRECTIONAL);

			dma_unmap_single(w->dev, a, 64, DMA_BIDIRECTIONAL);
		}
		ops += 256;
	}
	w->cpu_ns = cpu_ns() - t0;
	w->ops = ops;
	return NULL;
}

struct tput {
	double per_s;	   /* bounces per second, all threads, wall clock */
	double cpu_per_op; /* CPU ns per bounce, averaged over the threads */
};

/* @n threads, each on its own CPU and buffer, bouncing for THREAD_MS. */
static struct tput throughput(struct device *dev, unsigned char **bufs, int n)
{
	struct tput r = {0, 0};
	struct worker w[2];
	double ops = 0, cpu = 0;
	uint64_t t0, t1;

	atomic_store(&go, 0);
	atomic_store(&stop, 0);
	for (int i = 0; i < n; i++) {
		w[i] = (struct worker){.cpu = i, .dev = dev, .buf = bufs[i]};
		pthread_create(&w[i].th, NULL, bounce_worker, &w[i]);
	}
	t0 = now_ns();
	atomic_store_explicit(&go, 1, memory_order_release);
	/* sleep, not spin: a busy main thread would be a third thread on the workers' CPUs */
	nanosleep(&(struct timespec){.tv_sec = THREAD_MS / 1000,
				     .tv_nsec = (THREAD_MS % 1000) * 1000000L},
		  NULL);
	atomic_store(&stop, 1);
	for (int i = 0; i < n; i++) {
		pthread_join(w[i].th, NULL);
		ops += (double)w[i].ops;
		cpu += (double)w[i].cpu_ns;
	}
	t1 = now_ns();
	r.per_s = ops / ((double)(t1 - t0) / 1e9);
	r.cpu_per_op = cpu / ops;
	return r;
}

static double ratio_threads;

static void run_threads(enum minalign_cache_model model, const char *title)
{
	struct tput one = {0, 1e9}, two = {0, 1e9};
	unsigned char *bufs[2];
	struct machine m;

	machine_up(&m, model);
	/* two kmalloc-64 buffers in different host lines, each sharing a 128-byte line */
	bufs[0] = m.k64;
	bufs[1] = kmalloc(64, GFP_KERNEL);
	for (int r = 0; r < THREAD_RUNS; r++) {
		struct tput a = throughput(m.nc, bufs, 1), b = throughput(m.nc, bufs, 2);

		one.per_s = a.per_s > one.per_s ? a.per_s : one.per_s;
		two.per_s = b.per_s > two.per_s ? b.per_s : two.per_s;
		one.cpu_per_op = a.cpu_per_op < one.cpu_per_op ? a.cpu_per_op : one.cpu_per_op;
		two.cpu_per_op = b.cpu_per_op < two.cpu_per_op ? b.cpu_per_op : two.cpu_per_op;
	}
	printf("\n%s\n", title);
	printf("  1 thread : %6.1f M bounces/s (%5.1f ns CPU each)\n", one.per_s / 1e6,
	       one.cpu_per_op);
	printf("  2 threads: %6.1f M bounces/s (%5.1f ns CPU each)   ratio %.2fx (target >= "
	       "1.80x)\n",
	       two.per_s / 1e6, two.cpu_per_op, two.per_s / one.per_s);
	printf("  CPU cost of a bounce, 2 threads vs 1: %.2fx (1.00 = no interference; a loaded\n"
	       "  machine lowers the wall-clock ratio but not this one)\n",
	       two.cpu_per_op / one.cpu_per_op);
	if (model == MINALIGN_CACHE_COHERENT)
		ratio_threads = two.per_s / one.per_s;
	kfree(bufs[1]);
	machine_down(&m);
}

/* ---- unmap of a device that never bounced: dynamic pools off vs on ------------------------ */

#define UNMAP_BATCH 4096 /* mappings unmapped between two clock reads */
#define UNMAP_ORDER 7	 /* 512 KiB: UNMAP_BATCH lines of 128 bytes */

/* ns per unmap of a line-owning FROM_DEVICE direct mapping, best of RUNS (cache_model
 * coherent: the mapping layer alone).  @bounced: let the device bounce once first. */
static double unmap_ns(bool dynamic, bool bounced)
{
	static dma_addr_t a[UNMAP_BATCH];
	struct minalign_device_info ni = {.name = "clean"};
	struct minalign_config c;
	unsigned char *buf, *k64, *nb;
	struct device *dev;
	double r[RUNS];

	minalign_config_init(&c);
	c.ram_size = (size_t)256 << 20;
	c.cache_model = MINALIGN_CACHE_COHERENT;
	c.debug = 0;
	c.swiotlb_dynamic = dynamic;
	if (minalign_init(&c)) {
		fprintf(stderr, "bench_dma: minalign_init failed\n");
		exit(1);
	}
	dev = minalign_device_create(&ni);
	buf = (unsigned char *)__get_free_pages(GFP_KERNEL, UNMAP_ORDER);
	k64 = kmalloc(64, GFP_KERNEL); /* shares its line with nb: bounced inbound */
	nb = kmalloc(64, GFP_KERNEL);
	if (!dev || !buf || !k64 || !nb) {
		fprintf(stderr, "bench_dma: setup failed\n");
		exit(1);
	}
	if (bounced) {
		dma_addr_t b = dma_map_single(dev, k64, 64, DMA_BIDIRECTIONAL);

		if (!is_swiotlb_buffer(dev, b)) {
			fprintf(stderr, "bench_dma: the bounce did not happen\n");
			exit(1);
		}
		dma_unmap_single(dev, b, 64, DMA_BIDIRECTIONAL);
	}
	for (int run = 0; run < RUNS; run++) {
		uint64_t t = 0;

		for (long done = 0; done < ITERS; done += UNMAP_BATCH) {
			uint64_t t0;

			for (int i = 0; i < UNMAP_BATCH; i++)
				a[i] = dma_map_single(dev, buf + i * 128, 128, DMA_FROM_DEVICE);
			t0 = cpu_ns();
			for (int i = 0; i < UNMAP_BATCH; i++)
				dma_unmap_single(dev, a[i], 128, DMA_FROM_DEVICE);
			t += cpu_ns() - t0;
		}
		r[run] = (double)t / (double)(ITERS / UNMAP_BATCH * UNMAP_BATCH);
	}
	kfree(k64);
	kfree(nb);
	free_pages((unsigned long)buf, UNMAP_ORDER);
	minalign_device_destroy(dev);
	minalign_exit();
	return best(r, RUNS);
}

static double ratio_unmap_dynamic;

static void run_unmap_dynamic(void)
{
	double off = 1e9, on = 1e9, boff = 1e9, bon = 1e9;

	for (int round = 0; round < 3; round++) { /* alternate: drift hits both alike */
		double x;

		x = unmap_ns(false, false);
		off = x < off ? x : off;
		x = unmap_ns(true, false);
		on = x < on ? x : on;
		x = unmap_ns(false, true);
		boff = x < boff ? x : boff;
		x = unmap_ns(true, true);
		bon = x < bon ? x : bon;
	}
	ratio_unmap_dynamic = on / off;
	printf("\nunmap of a direct mapping (128 B FROM_DEVICE, cache_model coherent), "
	       "swiotlb_dynamic off vs on:\n");
	printf("  device that never bounced: off %5.2f ns   on %5.2f ns   on/off %.3fx (target "
	       "within 5%%)\n",
	       off, on, on / off);
	printf("  device that has bounced:   off %5.2f ns   on %5.2f ns   on/off %.3fx (looks at "
	       "the pools)\n",
	       boff, bon, bon / boff);
}

int main(void)
{
	double lock_ns = floor_ns(0, 0, 1), c64 = floor_ns(64, 1, 0), c2k = floor_ns(2048, 1, 0);

	printf("minalign DMA benchmark (best of %d runs of %ld map+unmap pairs; threads: best of "
	       "%d runs of %d ms)\n",
	       RUNS, ITERS, THREAD_RUNS, THREAD_MS);
	printf("floor parts: uncontended lock+unlock %.1f ns, memcpy 64 B %.1f ns, 2 KiB %.1f ns\n",
	       lock_ns, c64, c2k);
	printf("floor of a bounce map+unmap = map (lock+unlock, memcpy in) + unmap (lock+unlock,\n"
	       "  memcpy back for BIDIRECTIONAL); times are thread CPU time, best of the runs\n");
	run_rows(MINALIGN_CACHE_COHERENT,
		 "cache_model coherent (the mapping layer itself):", lock_ns);
	run_rows(MINALIGN_CACHE_NATIVE,
		 "cache_model native (the host's own instructions; none on x86):", lock_ns);
	run_rows(MINALIGN_CACHE_SIM,
		 "cache_model sim (plus the simulated cache maintenance):", lock_ns);
	run_threads(MINALIGN_CACHE_COHERENT,
		    "64 B BIDIRECTIONAL bounces (exact rule), cache_model coherent:");
	run_threads(MINALIGN_CACHE_SIM,
		    "64 B BIDIRECTIONAL bounces (exact rule), cache_model sim:");
	run_unmap_dynamic();
	printf("\nheadline (cache_model coherent): bounced 64 B BIDIRECTIONAL = %.2fx its floor "
	       "(target <= 2.00x; native %.2fx, sim %.2fx); 2 threads = %.2fx 1 thread (target >= "
	       "1.80x); unmap of a device that never bounced, dynamic pools on/off = %.3fx (target "
	       "within 5%%)\n",
	       ratio64_bidir, ratio64_native, ratio64_sim, ratio_threads, ratio_unmap_dynamic);
	return 0;
}
