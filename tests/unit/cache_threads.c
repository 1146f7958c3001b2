/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/cache_threads.c - two threads mapping concurrently in the sim (run under TSan too).
 *
 * Each "CPU" maps its own unaligned buffers inbound, lets its "device" write them, writes a
 * neighbour in the same line on odd rounds, and unmaps: the conflicts each thread sees are
 * exactly its own.  A second test has the two threads' buffers share every line (the NAIVE
 * case) with no neighbour writes: no conflict, every byte the devices wrote arrives.
 */
#include "test_util.h"

#include <stdatomic.h>

#include "cache_helpers.h"

#define ROUNDS 20000

struct worker {
	phys_addr_t base; /* this thread's region */
	size_t stride;	  /* distance between its buffers */
	size_t off;	  /* its buffers' offset inside a line */
	size_t len;
	bool neighbour; /* write a neighbour byte on odd rounds */
	unsigned int conflicts;
	unsigned int bad;
};

static size_t L;
static atomic_int started;

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	unsigned char data[64];

	/* start together so the rounds really overlap */
	atomic_fetch_add(&started, 1);
	while (atomic_load(&started) < 2)
		ma_plat_yield();
	for (unsigned int r = 0; r < ROUNDS; r++) {
		phys_addr_t p = w->base + (r % 16) * w->stride + w->off;
		unsigned char *cpu = ma_phys_to_virt(p);
		unsigned char want = (unsigned char)(r * 7 + w->off);
		enum dma_data_direction dir = r % 3 ? DMA_FROM_DEVICE : DMA_BIDIRECTIONAL;

		memset(data, want, w->len);
		ma_cache_sync_for_device(p, w->len, dir);
		if (w->neighbour && r % 2)
			cpu[w->len + 1] = (unsigned char)r;
		ma_dev_write(p, data, w->len, false);
		w->conflicts += ma_cache_sync_for_cpu(p, w->len, dir);
		if (memcmp(cpu, data, w->len) != 0)
			w->bad++;
	}
	return NULL;
}

static void machine_up(void)
{
	cache_machine_up(&(struct cache_machine){.line = 128, .no_fill = true});
	L = ma_cache_line();
}

static void run_pair(struct worker *w)
{
	ma_thread_t t[2];

	atomic_store(&started, 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(ma_thread_start(&t[i], worker_fn, &w[i]), 0);
	for (int i = 0; i < 2; i++)
		ma_thread_join(t[i]);
}

static void test_distinct_ranges(void **state)
{
	struct minalign_stats st;
	struct worker w[2];

	(void)state;
	machine_up();
	for (int i = 0; i < 2; i++)
		w[i] = (struct worker){.base = area + (size_t)i * 2 * PAGE_SIZE,
				       .stride = L,
				       .off = 8,
				       .len = 24,
				       .neighbour = true};
	run_pair(w);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(w[i].conflicts, ROUNDS / 2);
		assert_int_equal(w[i].bad, 0); /* LOSE_CPU_WRITES: device data always arrives */
	}
	minalign_get_stats(&st);
	assert_int_equal(st.sim_conflicts, ROUNDS);
	cache_machine_down();
}

static void test_shared_lines(void **state)
{
	struct minalign_stats st;
	struct worker w[2];

	(void)state;
	machine_up();
	for (int i = 0; i < 2; i++)
		w[i] = (struct worker){.base = area,
				       .stride = L,
				       .off = 8 + (size_t)i * 48,
				       .len = 40,
				       .neighbour = false};
	run_pair(w);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(w[i].conflicts, 0);
		assert_int_equal(w[i].bad, 0);
	}
	minalign_get_stats(&st);
	assert_int_equal(st.sim_conflicts, 0);
	cache_machine_down();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_distinct_ranges, cache_cleanup),
		cmocka_unit_test_teardown(test_shared_lines, cache_cleanup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
