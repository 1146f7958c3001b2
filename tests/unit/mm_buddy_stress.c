/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/mm_buddy_stress.c - several threads allocate and free blocks of random orders,
 * stamp their contents, and hand blocks to each other through shared slots (so blocks are
 * often freed by another thread than the one that allocated them).  Every block's stamp must
 * survive until it is freed, no two live blocks may overlap (the stamps would clash), and at
 * the end every page is free again and the allocator is consistent.
 */
#include "test_util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/mm.h"

#define NTHREADS 4
#define NSLOTS	 64
#define NLOCAL	 32
#define NOPS	 20000

struct stamp {
	uint64_t magic;
	uint32_t order;
	uint32_t owner;
};

/* cmocka's asserts may only fail on the test's own thread: workers abort instead. */
#define CHECK(cond)                                                                              \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                                 \
		}                                                                                \
	} while (0)

static _Atomic(struct page *) slots[NSLOTS];
static atomic_ulong failures;
static bool use_dma; /* set before the workers start */

static unsigned int pick_order(uint64_t *rs)
{
	uint64_t r = tu_rand(rs) % 100;

	if (r < 60)
		return 0;
	if (r < 85)
		return 1 + (unsigned int)(tu_rand(rs) % 3);
	if (r < 98)
		return 4 + (unsigned int)(tu_rand(rs) % 4);
	return 8 + (unsigned int)(tu_rand(rs) % 3);
}

/* Stamp the first word of every page, and a header and trailer, with one magic value. */
static void stamp(struct page *pg, unsigned int order, uint64_t magic, unsigned int owner)
{
	unsigned char *p = page_address(pg);
	size_t i, bytes = PAGE_SIZE << order;
	struct stamp s = {magic, order, owner};

	for (i = PAGE_SIZE; i < bytes; i += PAGE_SIZE)
		memcpy(p + i, &magic, sizeof(magic));
	memcpy(p, &s, sizeof(s));
	memcpy(p + bytes - sizeof(magic), &magic, sizeof(magic));
}

/* Check the stamp and return the block's order. */
static unsigned int check(struct page *pg)
{
	unsigned char *p = page_address(pg);
	struct stamp s;
	size_t i, bytes;
	uint64_t m;

	CHECK(p != NULL);
	memcpy(&s, p, sizeof(s));
	CHECK(s.order <= MAX_PAGE_ORDER);
	CHECK(pg->state == MA_PAGE_HEAD);
	CHECK(pg->order == s.order);
	bytes = PAGE_SIZE << s.order;
	for (i = PAGE_SIZE; i < bytes; i += PAGE_SIZE) {
		memcpy(&m, p + i, sizeof(m));
		CHECK(m == s.magic);
	}
	memcpy(&m, p + bytes - sizeof(m), sizeof(m));
	CHECK(m == s.magic);
	return s.order;
}

struct worker {
	unsigned int id;
	pthread_t t;
};

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	struct page *local[NLOCAL] = {0};
	uint64_t rs = 0x9e3779b97f4a7c15ULL * (w->id + 1);
	unsigned int i, k;

	for (i = 0; i < NOPS; i++) {
		unsigned int order = pick_order(&rs), slot = (unsigned int)(tu_rand(&rs) % NLOCAL);
		gfp_t gfp = (tu_rand(&rs) % 8 == 0) ? GFP_KERNEL | __GFP_ZERO : GFP_KERNEL;
		bool dma = use_dma && tu_rand(&rs) % 4 == 0;
		struct page *pg, *old;

		if (local[slot]) {
			__free_pages(local[slot], check(local[slot]));
			local[slot] = NULL;
		}
		pg = alloc_pages(dma ? gfp | GFP_DMA : gfp, order);
		if (!pg) {
			atomic_fetch_add(&failures, 1);
			continue;
		}
		CHECK(!dma || page_to_phys(pg) + (PAGE_SIZE << order) <= ((phys_addr_t)1 << 32));
		if (gfp & __GFP_ZERO) {
			unsigned char *p = page_address(pg);

			CHECK(p[0] == 0 && p[(PAGE_SIZE << order) - 1] == 0);
		}
		stamp(pg, order, tu_rand(&rs) | 1, w->id);
		if (tu_rand(&rs) % 2) {
			local[slot] = pg;
			continue;
		}
		/* hand it to whoever takes the shared slot next */
		old = atomic_exchange(&slots[tu_rand(&rs) % NSLOTS], pg);
		if (old)
			__free_pages(old, check(old));
	}
	for (k = 0; k < NLOCAL; k++)
		if (local[k])
			__free_pages(local[k], check(local[k]));
	return NULL;
}

static void run_threads(uint64_t ram_base, bool dma)
{
	struct worker w[NTHREADS];
	struct minalign_config cfg;
	struct minalign_stats st;
	uint64_t free0;
	unsigned int i;

	tu_config_small(&cfg);
	cfg.swiotlb_size = 0;
	cfg.ram_base = ram_base;
	use_dma = dma;
	atomic_store(&failures, 0);
	tu_init(&cfg);
	tu_reports_capture();
	free0 = ma_buddy_free_pages();

	for (i = 0; i < NTHREADS; i++) {
		w[i].id = i;
		assert_int_equal(pthread_create(&w[i].t, NULL, worker_fn, &w[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++)
		pthread_join(w[i].t, NULL);
	for (i = 0; i < NSLOTS; i++) {
		struct page *pg = atomic_exchange(&slots[i], NULL);

		if (pg)
			__free_pages(pg, check(pg));
	}

	tu_expect_no_report();
	assert_int_equal(ma_buddy_free_pages(), free0);
	assert_int_equal(ma_buddy_validate(), 0);
	minalign_get_stats(&st);
	assert_int_equal(st.pages_free, free0);
	assert_true(st.page_allocs > NTHREADS * NOPS / 2);
	assert_int_equal(st.page_alloc_failures, atomic_load(&failures));
	tu_reports_release();
	minalign_exit();
}

static void test_threads(void **state)
{
	(void)state;
	run_threads(0x80000000ULL, false);
}

/* RAM straddles 4 GiB (32 MiB below, 32 above) and a quarter of the calls ask for GFP_DMA. */
static void test_threads_dma(void **state)
{
	(void)state;
	run_threads(0xFE000000ULL, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_threads_dma),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
