/* SPDX-License-Identifier: MIT */
/*
 * swiotlb_grow_fault - every page and metadata allocation the dynamic-pool growth path makes
 * (transient pools' blocks and descriptors, the worker's new pools) fails in turn, walked the
 * SQLite way: fail the 1st allocation, then the 2nd, ... until the workload runs clean; also
 * with every allocation from the Nth on failing (MINALIGN_FAULT_PERSIST).
 *
 * The workload overflows a 64 KiB pool with 4 KiB mappings and adds a 150 KiB one (beyond the
 * static pool's segment), syncing it, waiting for the worker after each mapping so that the
 * order of allocations is the same in every run.  A mapping either succeeds (its data checked
 * by the device and back on the CPU) or fails with DMA_MAPPING_ERROR and exactly one report;
 * afterwards no mapping, slot or transient pool is left, every page not free is a bounce pool
 * the statistics count, and after exit no metadata is live.
 */
#include "../unit/dma_helpers.h"

#include <stdio.h>
#include <string.h>

#include "swiotlb/swiotlb.h"

#define KIB   ((size_t)1 << 10)
#define NMAPS 40
#define BIG   (150 * KIB)

struct wl {
	struct device *dev;
	unsigned char *small[NMAPS], *big;
	dma_addr_t a[NMAPS + 1];
	bool ok[NMAPS + 1];
};

static void wl_start(struct wl *w)
{
	struct minalign_config c;

	th_config(&c, MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 64 * KIB);
	c.swiotlb_dynamic = true;
	tu_init(&c);
	tu_reports_capture();
	w->dev = th_dev("fb", false, 0, true);
	for (int i = 0; i < NMAPS; i++)
		w->small[i] = th_pages(0);
	w->big = th_pages(6);
}

static void wl_stop(struct wl *w)
{
	for (int i = 0; i < NMAPS; i++)
		free_pages((unsigned long)w->small[i], 0);
	free_pages((unsigned long)w->big, 6);
	minalign_device_destroy(w->dev);
	tu_reports_release();
	minalign_exit();
	assert_int_equal(th_stats().meta_live, 0);
}

/* One mapping: succeeds with its data at the device, or fails with exactly one report. */
static bool wl_map(struct wl *w, int i, unsigned char *buf, size_t size)
{
	unsigned char seed = (unsigned char)(i * 13 + 1);

	th_fill(buf, seed, size);
	tu_reports_clear();
	w->a[i] = dma_map_single(w->dev, buf, size, DMA_BIDIRECTIONAL);
	ma_swiotlb_quiesce(false); /* the worker's allocations now, not during the next map */
	if (w->a[i] == DMA_MAPPING_ERROR) {
		assert_int_equal(tu_reports_count(), 1);
		assert_string_equal(tu_report_get(0)->subsystem, "swiotlb");
		tu_reports_clear();
		assert_true(th_holds(buf, seed, size));
		return false;
	}
	assert_int_equal(tu_reports_count(), 0);
	assert_true(th_dev_holds(w->dev, w->a[i], seed, MA_MIN(size, 8192)));
	return true;
}

static void wl_unmap(struct wl *w, int i, unsigned char *buf, size_t size)
{
	unsigned char seed = (unsigned char)(i * 13 + 2);

	th_dev_fill(w->dev, w->a[i], seed, MA_MIN(size, 8192));
	dma_unmap_single(w->dev, w->a[i], size, DMA_BIDIRECTIONAL);
	assert_true(th_holds(buf, seed, MA_MIN(size, 8192)));
}

/* Returns how many allocations the fault hit. */
static unsigned long wl_run(struct wl *w, unsigned long nth, unsigned int kinds)
{
	unsigned long hits;
	struct minalign_stats st0, st;
	uint64_t held0, held;

	ma_swiotlb_quiesce(true);
	st0 = th_stats();
	held0 = st0.pages_free + st0.swiotlb_bytes / PAGE_SIZE;
	minalign_fault_set(nth, kinds);
	for (int i = 0; i < NMAPS; i++)
		w->ok[i] = wl_map(w, i, w->small[i], PAGE_SIZE);
	w->ok[NMAPS] = wl_map(w, NMAPS, w->big, BIG);
	if (w->ok[NMAPS]) { /* sync the (transient) mapping both ways */
		th_dev_fill(w->dev, w->a[NMAPS] + 4096, 77, 100);
		dma_sync_single_for_cpu(w->dev, w->a[NMAPS] + 4096, 100, DMA_BIDIRECTIONAL);
		assert_true(th_holds(w->big + 4096, 77, 100));
	}
	hits = minalign_fault_hits();
	minalign_fault_set(0, 0);
	for (int i = 0; i < NMAPS; i++)
		if (w->ok[i])
			wl_unmap(w, i, w->small[i], PAGE_SIZE);
	if (w->ok[NMAPS])
		wl_unmap(w, NMAPS, w->big, BIG);
	ma_swiotlb_quiesce(true);
	st = th_stats();
	held = st.pages_free + st.swiotlb_bytes / PAGE_SIZE;
	assert_int_equal(held, held0); /* every page not free is a counted bounce pool */
	assert_int_equal(st.dma_live_mappings, 0);
	assert_int_equal(st.swiotlb_slots_used, 0);
	assert_int_equal(st.swiotlb_transient_live, 0);
	assert_int_equal(st.swiotlb_bytes, st.swiotlb_slots_total * 128);
	assert_int_equal(ma_swiotlb_validate(), 0);
	tu_expect_no_report();
	return hits;
}

static void walk(unsigned int kinds)
{
	unsigned long n, hits = 1, failed_maps = 0;

	for (n = 1; hits && n < 400; n++) {
		struct wl w;

		wl_start(&w);
		hits = wl_run(&w, n, kinds);
		for (int i = 0; i <= NMAPS; i++)
			failed_maps += !w.ok[i];
		wl_stop(&w);
	}
	assert_int_equal(hits, 0);
	assert_true(n > 4);	      /* the growth path does allocate */
	assert_true(failed_maps > 0); /* and some failures reached a mapping */
}

static void test_each_page_failure(void **state)
{
	(void)state;
	walk(MINALIGN_FAULT_PAGE);
}

static void test_each_meta_failure(void **state)
{
	(void)state;
	walk(MINALIGN_FAULT_META);
}

static void test_each_failure(void **state)
{
	(void)state;
	walk(MINALIGN_FAULT_PAGE | MINALIGN_FAULT_META);
}

static void test_every_failure_from_n(void **state)
{
	(void)state;
	walk(MINALIGN_FAULT_PAGE | MINALIGN_FAULT_META | MINALIGN_FAULT_PERSIST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_page_failure),
		cmocka_unit_test(test_each_meta_failure),
		cmocka_unit_test(test_each_failure),
		cmocka_unit_test(test_every_failure_from_n),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
