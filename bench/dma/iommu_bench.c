/* SPDX-License-Identifier: MIT */
/*
 * bench/dma/iommu_bench.c - what a device behind an IOMMU and the kmalloc bounce backend cost.
 *
 * One process, the mapping layer alone (cache_model COHERENT: no simulated maintenance, which
 * would dominate every row equally), DMA debug off, one thread.  Rows, each map+unmap in ns:
 *  - a 64-byte BIDIRECTIONAL bounce through the SWIOTLB pool (the reference), through kmalloc
 *    (MINALIGN_BOUNCE_KMALLOC), and their floor: a lock round trip per map and per unmap plus
 *    the two 64-byte copies;
 *  - a granule-aligned 4 KiB page through the IOMMU (IOVA allocation, 1 PTE, unmap with the
 *    IOTLB invalidation) against its floor: the same page's dma-direct map+unmap;
 *  - a 64-byte bounce through the IOMMU with each backend (a granule-padded bounce buffer plus
 *    its IOVA), against the plain pool bounce.
 * Each row is the best of RUNS runs of ITERS pairs (thread CPU time, so other load on a shared
 * machine counts less); the spread (worst/best) is printed beside it.  Numbers are for reading,
 * never asserted.
 */
#include <minalign/minalign.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUNS  7
#define ITERS 200000L

struct stat2 {
	double best, worst;
};

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct stat2 summarise(const double *r)
{
	struct stat2 s = {r[0], r[0]};

	for (int i = 1; i < RUNS; i++) {
		s.best = r[i] < s.best ? r[i] : s.best;
		s.worst = r[i] > s.worst ? r[i] : s.worst;
	}
	return s;
}

/* ---- the floor ------------------------------------------------------------------------- */

static atomic_int lk;
static _Alignas(128) unsigned char fa[4096], fb[4096];
static volatile size_t vsize;

static void lock_rt(void)
{
	while (atomic_exchange_explicit(&lk, 1, memory_order_acquire))
		;
	atomic_store_explicit(&lk, 0, memory_order_release);
}

static struct stat2 floor_bounce(size_t size)
{
	double r[RUNS];

	vsize = size;
	for (int run = 0; run < RUNS; run++) {
		uint64_t t0 = cpu_ns();

		for (long i = 0; i < ITERS; i++) {
			lock_rt();
			memcpy(fa, fb, vsize);
			__asm__ volatile("" ::: "memory");
			lock_rt();
			memcpy(fb, fa, vsize);
			__asm__ volatile("" ::: "memory");
		}
		r[run] = (double)(cpu_ns() - t0) / ITERS;
	}
	return summarise(r);
}

/* ---- mappings ------------------------------------------------------------------------- */

static void up(enum minalign_bounce_backend be)
{
	struct minalign_config c;

	minalign_config_init(&c);
	c.ram_size = (size_t)256 << 20;
	c.cache_model = MINALIGN_CACHE_COHERENT;
	c.debug = 0;
	c.swiotlb_dynamic = false;
	c.bounce_backend = be;
	if (be == MINALIGN_BOUNCE_KMALLOC)
		c.swiotlb_size = 0;
	if (minalign_init(&c)) {
		fprintf(stderr, "iommu_bench: minalign_init failed\n");
		exit(1);
	}
}

static struct device *dev(bool iommu)
{
	struct minalign_device_info i = {.name = iommu ? "smmu" : "nic", .iommu = iommu};
	struct device *d = minalign_device_create(&i);

	if (!d)
		exit(1);
	return d;
}

/* map+unmap of @buf; @bounced: bounce_maps moved on the first one. */
static struct stat2 pair_ns(struct device *d, void *buf, size_t size, bool *bounced)
{
	struct minalign_stats s0, s1;
	double r[RUNS];
	dma_addr_t a;

	minalign_get_stats(&s0);
	a = dma_map_single(d, buf, size, DMA_BIDIRECTIONAL);
	if (dma_mapping_error(d, a)) {
		fprintf(stderr, "iommu_bench: mapping failed\n");
		exit(1);
	}
	dma_unmap_single(d, a, size, DMA_BIDIRECTIONAL);
	minalign_get_stats(&s1);
	*bounced = s1.bounce_maps != s0.bounce_maps;
	for (int run = 0; run < RUNS; run++) {
		uint64_t t0 = cpu_ns();

		for (long i = 0; i < ITERS; i++) {
			a = dma_map_single(d, buf, size, DMA_BIDIRECTIONAL);
			dma_unmap_single(d, a, size, DMA_BIDIRECTIONAL);
		}
		r[run] = (double)(cpu_ns() - t0) / ITERS;
	}
	return summarise(r);
}

/* A 64-byte kmalloc buffer that shares its line with a live neighbour (so it is unsafe). */
static void *small(void **nb)
{
	void *o[64], *buf = NULL;
	int k = -1;

	for (int i = 0; i < 64; i++)
		o[i] = kmalloc(64, GFP_KERNEL);
	for (int i = 1; i < 64 && k < 0; i++)
		if (((uintptr_t)o[i] & ~(uintptr_t)127) == ((uintptr_t)o[i - 1] & ~(uintptr_t)127))
			k = i;
	if (k < 0)
		exit(1);
	buf = o[k];
	*nb = o[k - 1];
	for (int i = 0; i < 64; i++)
		if (i != k && i != k - 1)
			kfree(o[i]);
	return buf;
}

static void row(const char *what, struct stat2 s, bool bounced, const char *vs, struct stat2 f)
{
	printf("  %-44s %7.1f ns  (spread %.2fx)  %-8s  %5.2fx %s\n", what, s.best,
	       s.worst / s.best, bounced ? "bounced" : "direct", s.best / f.best, vs);
}

int main(void)
{
	struct stat2 fl = floor_bounce(64), pool, km, page, direct, ipool, ikm;
	bool b_pool, b_km, b_page, b_direct, b_ipool, b_ikm;
	void *buf, *nb;
	unsigned char *pg;
	struct device *nic, *smmu;

	up(MINALIGN_BOUNCE_SWIOTLB);
	nic = dev(false);
	smmu = dev(true);
	buf = small(&nb);
	pg = (unsigned char *)__get_free_pages(GFP_KERNEL, 0);
	pool = pair_ns(nic, buf, 64, &b_pool);
	direct = pair_ns(nic, pg, 4096, &b_direct);
	page = pair_ns(smmu, pg, 4096, &b_page);
	ipool = pair_ns(smmu, buf, 64, &b_ipool);
	minalign_device_destroy(nic);
	minalign_device_destroy(smmu);
	minalign_exit();

	up(MINALIGN_BOUNCE_KMALLOC);
	nic = dev(false);
	smmu = dev(true);
	buf = small(&nb);
	km = pair_ns(nic, buf, 64, &b_km);
	ikm = pair_ns(smmu, buf, 64, &b_ikm);
	minalign_device_destroy(nic);
	minalign_device_destroy(smmu);
	minalign_exit();

	printf("iommu_bench: map+unmap, BIDIRECTIONAL, mapping layer alone (coherent model), "
	       "best of %d x %ld\n\n",
	       RUNS, ITERS);
	printf("  %-44s %7.1f ns  (spread %.2fx)\n", "floor: 2 lock round trips + 2 x memcpy 64 B",
	       fl.best, fl.worst / fl.best);
	row("64 B bounce, SWIOTLB pool", pool, b_pool, "of the floor", fl);
	row("64 B bounce, kmalloc backend", km, b_km, "of the floor", fl);
	row("64 B bounce, kmalloc backend", km, b_km, "of the pool bounce", pool);
	row("4 KiB page, dma-direct (the IOMMU's floor)", direct, b_direct, "of dma-direct",
	    direct);
	row("4 KiB page through the IOMMU", page, b_page, "of dma-direct", direct);
	row("64 B bounce through the IOMMU, pool", ipool, b_ipool, "of the pool bounce", pool);
	row("64 B bounce through the IOMMU, kmalloc", ikm, b_ikm, "of the pool bounce", pool);
	return 0;
}
