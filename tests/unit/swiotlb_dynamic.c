/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/swiotlb_dynamic.c - dynamic bounce pools: a tiny static pool with thousands of
 * outstanding bounced mappings of mixed sizes (all succeed with growth, clean failures
 * without), transient pools (sync, lookups, misuse, masks, min_align_mask, leaks at exit), the
 * growth limit, and the per-device "has used swiotlb" flag.
 */
#include "dma_helpers.h"

#include <errno.h>
#include <stdlib.h>

#include "swiotlb/swiotlb.h"

#define LINE  128u
#define KIB   ((size_t)1 << 10)
#define NMAPS 3000

static int teardown(void **state)
{
	(void)state;
	tu_reports_release();
	minalign_exit();
	return 0;
}

/* 256 MiB of RAM (a 16 MiB growth limit), a 64 KiB static pool. */
static void init_dyn(bool dynamic, size_t ram)
{
	struct minalign_config c;

	th_config(&c, MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 64 * KIB);
	c.ram_size = ram;
	c.swiotlb_dynamic = dynamic;
	tu_init(&c);
	tu_reports_capture();
}

struct mapping {
	unsigned char *buf;
	size_t size;
	unsigned int order; /* page order when buf came from the page allocator, else -1u */
	enum dma_data_direction dir;
	unsigned char seed;
	dma_addr_t addr;
};

/* Mostly small, some medium, a few large (up to 200 KiB, beyond the static pool's segment). */
static size_t pick_size(uint64_t *rng)
{
	unsigned int r = (unsigned int)(tu_rand(rng) % 100);

	if (r < 70)
		return 1 + tu_rand(rng) % 256;
	if (r < 95)
		return 257 + tu_rand(rng) % 4000;
	if (r < 99)
		return 4097 + tu_rand(rng) % (60 * KIB);
	return 100 * KIB + tu_rand(rng) % (100 * KIB);
}

static void buf_alloc(struct mapping *m)
{
	if (m->size <= 8192) {
		m->buf = kmalloc(m->size, GFP_KERNEL);
		m->order = -1u;
	} else {
		m->order = 0;
		while ((PAGE_SIZE << m->order) < m->size)
			m->order++;
		m->buf = (unsigned char *)__get_free_pages(GFP_KERNEL, m->order);
	}
	assert_non_null(m->buf);
}

static void buf_free(struct mapping *m)
{
	if (m->order == -1u)
		kfree(m->buf);
	else
		free_pages((unsigned long)m->buf, m->order);
}

/* Map @m, and let the device check / write it.  False when the mapping failed. */
static bool map_one(struct device *dev, struct mapping *m)
{
	th_fill(m->buf, m->seed, m->size);
	m->addr = dma_map_single(dev, m->buf, m->size, m->dir);
	if (dma_mapping_error(dev, m->addr))
		return false;
	assert_true(is_swiotlb_buffer(dev, m->addr));
	if (m->dir != DMA_FROM_DEVICE)
		assert_true(th_dev_holds(dev, m->addr, m->seed, m->size > 8192 ? 8192 : m->size));
	if (m->dir != DMA_TO_DEVICE)
		th_dev_fill(dev, m->addr, (unsigned char)(m->seed + 1), MA_MIN(m->size, 8192));
	return true;
}

/* Unmap @m and check what the CPU sees. */
static void unmap_one(struct device *dev, struct mapping *m)
{
	size_t n = MA_MIN(m->size, 8192);

	dma_unmap_single(dev, m->addr, m->size, m->dir);
	if (m->dir == DMA_TO_DEVICE) {
		assert_true(th_holds(m->buf, m->seed, m->size));
	} else {
		assert_true(th_holds(m->buf, (unsigned char)(m->seed + 1), n));
		if (m->size >
		    n) /* the device wrote the first 8 KiB: the rest comes back as mapped */
			assert_true(th_holds(m->buf + n, (unsigned char)(m->seed + n * 7),
					     m->size - n));
	}
}

static struct mapping *make_maps(unsigned int n, uint64_t seed)
{
	static const enum dma_data_direction dirs[] = {DMA_TO_DEVICE, DMA_FROM_DEVICE,
						       DMA_BIDIRECTIONAL};
	struct mapping *m = calloc(n, sizeof(*m));
	uint64_t rng = seed;

	assert_non_null(m);
	for (unsigned int i = 0; i < n; i++) {
		m[i].size = pick_size(&rng);
		m[i].dir = dirs[tu_rand(&rng) % 3];
		m[i].seed = (unsigned char)tu_rand(&rng);
		buf_alloc(&m[i]);
	}
	return m;
}

static void free_maps(struct mapping *m, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		buf_free(&m[i]);
	free(m);
}

/* Unmap in a shuffled order. */
static void unmap_all(struct device *dev, struct mapping *m, const bool *ok, unsigned int n)
{
	unsigned int *order = malloc(n * sizeof(*order));
	uint64_t rng = 99;

	assert_non_null(order);
	for (unsigned int i = 0; i < n; i++)
		order[i] = i;
	for (unsigned int i = n - 1; i > 0; i--) {
		unsigned int j = (unsigned int)(tu_rand(&rng) % (i + 1)), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (unsigned int i = 0; i < n; i++)
		if (ok[order[i]])
			unmap_one(dev, &m[order[i]]);
	free(order);
}

/* The pools are settled: no transient pool, every byte held is a global pool's slot. */
static void assert_settled(void)
{
	struct minalign_stats st;

	ma_swiotlb_quiesce(true);
	st = th_stats();
	assert_int_equal(st.swiotlb_transient_live, 0);
	assert_int_equal(st.swiotlb_slots_used, 0);
	assert_int_equal(st.dma_live_mappings, 0);
	assert_int_equal(st.swiotlb_bytes, st.swiotlb_slots_total * LINE);
	assert_true(st.swiotlb_bytes_peak >= st.swiotlb_bytes);
	assert_int_equal(ma_swiotlb_validate(), 0);
}

/* Thousands of outstanding bounces of mixed sizes through a 64 KiB pool: all succeed. */
static void test_many_outstanding(void **state)
{
	struct mapping *m;
	struct minalign_stats st;
	struct device *dev;
	bool *ok = calloc(NMAPS, sizeof(*ok));

	(void)state;
	/* 1 GiB of RAM: a 64 MiB growth limit holds every mapping even as a transient pool of its
	 * own (about 30 MiB), so the result does not depend on how soon the worker runs (a slow,
	 * loaded or valgrind run). */
	init_dyn(true, (size_t)1 << 30);
	dev = th_dev("fb", false, 0, true);
	m = make_maps(NMAPS, 7);
	for (int round = 0; round < 2; round++) {
		for (unsigned int i = 0; i < NMAPS; i++) {
			ok[i] = map_one(dev, &m[i]);
			assert_true(ok[i]);
		}
		st = th_stats();
		assert_int_equal(st.dma_live_mappings, NMAPS);
		assert_true(st.swiotlb_slots_used >= NMAPS);
		assert_true(st.swiotlb_transient >= 1); /* the first overflow always takes one */
		assert_true(st.swiotlb_bytes <= ((size_t)1 << 30) / 16);
		assert_int_equal(ma_swiotlb_validate(), 0);
		unmap_all(dev, m, ok, NMAPS);
		assert_settled();
	}
	st = th_stats();
	assert_true(st.swiotlb_pools > 1); /* the worker grew the list */
	assert_int_equal(st.dma_map_failures, 0);
	tu_expect_no_report();
	free_maps(m, NMAPS);
	free(ok);
	minalign_device_destroy(dev);
	minalign_exit();
	assert_int_equal(th_stats().meta_live, 0);
}

/* The same run without dynamic pools: clean DMA_MAPPING_ERRORs, one report each, no damage. */
static void test_same_run_static(void **state)
{
	struct mapping *m;
	struct minalign_stats st;
	struct device *dev;
	bool *ok = calloc(NMAPS, sizeof(*ok));
	unsigned int failed = 0;

	(void)state;
	init_dyn(false, (size_t)256 << 20);
	dev = th_dev("fb", false, 0, true);
	m = make_maps(NMAPS, 7);
	for (unsigned int i = 0; i < NMAPS; i++) {
		ok[i] = map_one(dev, &m[i]);
		if (!ok[i]) {
			failed++;
			/* the buffer is untouched by a failed mapping */
			assert_true(th_holds(m[i].buf, m[i].seed, m[i].size));
		}
	}
	assert_true(failed > NMAPS / 2);
	assert_int_equal(tu_reports_count(), failed);
	for (unsigned int i = 0; i < MA_MIN(failed, TU_MAX_REPORTS); i++) {
		const struct tu_report *r = tu_report_get(i);

		assert_string_equal(r->subsystem, "swiotlb");
		assert_true(strstr(r->message, "full") ||
			    strstr(r->message, "swiotlb_max_mapping"));
	}
	tu_reports_clear();
	unmap_all(dev, m, ok, NMAPS);
	st = th_stats();
	assert_int_equal(st.dma_map_failures, failed);
	assert_int_equal(st.swiotlb_pools, 1);
	assert_int_equal(st.swiotlb_transient, 0);
	assert_int_equal(st.swiotlb_slots_used, 0);
	assert_int_equal(st.swiotlb_bytes, 64 * KIB);
	assert_int_equal(ma_swiotlb_validate(), 0);
	tu_expect_no_report();
	free_maps(m, NMAPS);
	free(ok);
	minalign_device_destroy(dev);
}

/* Bounce memory never passes RAM/16; beyond it each mapping fails with one report. */
static void test_growth_limit(void **state)
{
	const size_t ram = (size_t)64 << 20, limit = ram / 16, chunk = 64 * KIB;
	dma_addr_t a[128];
	unsigned char *buf;
	struct device *dev;
	unsigned int n = 0;

	(void)state;
	init_dyn(true, ram);
	dev = th_dev("fb", false, 0, true);
	buf = th_pages(4);
	for (; n < 128; n++) {
		a[n] = dma_map_single(dev, buf, chunk, DMA_TO_DEVICE);
		assert_true(th_stats().swiotlb_bytes <= limit);
		if (a[n] == DMA_MAPPING_ERROR)
			break;
		ma_swiotlb_quiesce(false); /* let the worker use the room it is allowed */
	}
	assert_true(n < 128);
	assert_true(n * chunk <= limit);
	assert_true(n * chunk >= limit / 2); /* most of the budget was usable */
	tu_expect_report("swiotlb", "growth limit");
	for (int k = 0; k < 3; k++) { /* every further mapping fails alike */
		assert_int_equal(dma_map_single(dev, buf, chunk, DMA_TO_DEVICE), DMA_MAPPING_ERROR);
		tu_expect_report("swiotlb", "limit");
	}
	assert_true(th_stats().swiotlb_bytes_peak <= limit);
	while (n)
		dma_unmap_single(dev, a[--n], chunk, DMA_TO_DEVICE);
	assert_settled();
	/* room again */
	a[0] = dma_map_single(dev, buf, chunk, DMA_TO_DEVICE);
	assert_int_not_equal(a[0], DMA_MAPPING_ERROR);
	dma_unmap_single(dev, a[0], chunk, DMA_TO_DEVICE);
	free_pages((unsigned long)buf, 4);
	minalign_device_destroy(dev);
	tu_expect_no_report();
}

/* A mapping beyond the static pool's segment takes a transient pool: sync, lookups, misuse. */
static void test_transient_pool(void **state)
{
	const size_t big = 200 * KIB;
	struct device *dev, *clean;
	struct minalign_stats st;
	unsigned char *buf;
	dma_addr_t a, b;

	(void)state;
	init_dyn(true, (size_t)256 << 20);
	dev = th_dev("fb", false, 0, true);
	clean = th_dev("clean", false, 0, false);
	buf = th_pages(6);
	th_fill(buf, 3, big);
	a = dma_map_single(dev, buf, big, DMA_BIDIRECTIONAL);
	assert_int_not_equal(a, DMA_MAPPING_ERROR);
	st = th_stats();
	assert_int_equal(st.swiotlb_transient, 1);
	assert_int_equal(st.swiotlb_transient_live, 1);
	assert_int_equal(st.swiotlb_slots_used, big / LINE);
	assert_true(is_swiotlb_buffer(dev, a));
	assert_true(is_swiotlb_buffer(NULL, a + big - 1));
	assert_false(is_swiotlb_buffer(clean, a)); /* that device never bounced */
	assert_int_equal(ma_swiotlb_validate(), 0);

	/* sync both ways on the transient pool */
	th_dev_fill(dev, a + 4096, 9, 100);
	dma_sync_single_for_cpu(dev, a + 4096, 100, DMA_BIDIRECTIONAL);
	assert_true(th_holds(buf + 4096, 9, 100));
	th_fill(buf + 8192, 11, 64);
	dma_sync_single_for_device(dev, a + 8192, 64, DMA_BIDIRECTIONAL);
	assert_true(th_dev_holds(dev, a + 8192, 11, 64));
	tu_expect_no_report();

	/* misuse: not the start of the mapping; a sync past its end */
	dma_unmap_single(dev, a + LINE, 64, DMA_BIDIRECTIONAL);
	tu_expect_report("swiotlb", "not the start of a live bounce mapping");
	assert_int_equal(th_stats().swiotlb_transient_live, 1);

	/* the worker grew a pool big enough: the next such mapping is not transient */
	ma_swiotlb_quiesce(true);
	b = dma_map_single(dev, buf + big, 64, DMA_TO_DEVICE);
	assert_int_not_equal(b, DMA_MAPPING_ERROR);
	dma_unmap_single(dev, b, 64, DMA_TO_DEVICE);
	b = dma_map_single(dev, buf, big, DMA_TO_DEVICE);
	assert_int_not_equal(b, DMA_MAPPING_ERROR);
	assert_int_equal(th_stats().swiotlb_transient, 1);
	dma_unmap_single(dev, b, big, DMA_TO_DEVICE);

	th_dev_fill(dev, a, 5, 4096);
	dma_unmap_single(dev, a, big, DMA_BIDIRECTIONAL);
	assert_true(th_holds(buf, 5, 4096));
	assert_true(th_holds(buf + 4096, 9, 100)); /* what the sync brought back stays */
	assert_false(is_swiotlb_buffer(dev, a));
	st = th_stats();
	assert_int_equal(st.swiotlb_transient_live, 0);
	assert_int_equal(st.swiotlb_slots_used, 0);
	assert_settled();
	tu_expect_no_report();
	free_pages((unsigned long)buf, 6);
	minalign_device_destroy(dev);
	minalign_device_destroy(clean);
}

/* Transient pools keep the device's min_align_mask and honour its DMA mask. */
static void test_transient_mask_and_align(void **state)
{
	struct minalign_config c;
	struct device *d32;
	unsigned char *buf;
	dma_addr_t a;

	(void)state;
	/* RAM straddles 4 GiB; the static pool lies below it */
	th_config(&c, MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 64 * KIB);
	c.ram_base = 0xF0000000ull;
	c.ram_size = (size_t)512 << 20;
	c.swiotlb_dynamic = true;
	tu_init(&c);
	tu_reports_capture();
	d32 = th_dev("d32", false, 32, false);
	dma_set_min_align_mask(d32, 4095);
	/* a buffer above 4 GiB: bounced for addressing, into a transient pool below 4 GiB */
	for (;;) {
		buf = th_pages(6);
		if (virt_to_phys(buf) >= (UINT64_C(1) << 32))
			break;
	}
	th_fill(buf + 0x123, 4, 150 * KIB);
	a = dma_map_single(d32, buf + 0x123, 150 * KIB, DMA_FROM_DEVICE);
	assert_int_not_equal(a, DMA_MAPPING_ERROR);
	assert_int_equal(th_stats().swiotlb_transient, 1);
	assert_true(a + 150 * KIB - 1 <= 0xFFFFFFFFull);
	assert_int_equal(a & 4095, 0x123);
	th_dev_fill(d32, a, 6, 8192);
	dma_unmap_single(d32, a, 150 * KIB, DMA_FROM_DEVICE);
	assert_true(th_holds(buf + 0x123, 6, 8192));
	assert_settled();
	minalign_device_destroy(d32);
	tu_expect_no_report();
}

/* A device that never bounced: unmap and sync look at no pool, is_swiotlb_buffer says no. */
static void test_flag(void **state)
{
	struct device *fb, *clean;
	unsigned char *pg;
	dma_addr_t a, d;

	(void)state;
	for (int dyn = 0; dyn < 2; dyn++) {
		init_dyn(dyn, (size_t)64 << 20);
		fb = th_dev("fb", false, 0, true);
		clean = th_dev("clean", false, 0, false);
		pg = th_pages(0);
		a = dma_map_single(fb, pg, 64, DMA_TO_DEVICE);
		assert_true(is_swiotlb_buffer(fb, a));
		assert_false(is_swiotlb_buffer(clean, a));
		/* line-aligned: never bounced */
		d = dma_map_single(clean, pg, PAGE_SIZE, DMA_FROM_DEVICE);
		assert_int_equal(d, virt_to_phys(pg));
		assert_false(is_swiotlb_buffer(clean, d));
		dma_sync_single_for_cpu(clean, d, PAGE_SIZE, DMA_FROM_DEVICE);
		dma_unmap_single(clean, d, PAGE_SIZE, DMA_FROM_DEVICE);
		dma_unmap_single(fb, a, 64, DMA_TO_DEVICE);
		assert_int_equal(th_stats().swiotlb_slots_used, 0);
		free_pages((unsigned long)pg, 0);
		minalign_device_destroy(fb);
		minalign_device_destroy(clean);
		tu_expect_no_report();
		tu_reports_release();
		minalign_exit();
	}
}

/* A device destroyed with a transient mapping: the pool is freed at exit, with the report. */
static void test_leak_at_exit(void **state)
{
	struct device *dev;
	unsigned char *buf;
	dma_addr_t a;

	(void)state;
	init_dyn(true, (size_t)64 << 20);
	dev = th_dev("leaky", false, 0, true);
	buf = th_pages(6);
	a = dma_map_single(dev, buf, 150 * KIB, DMA_TO_DEVICE);
	assert_int_not_equal(a, DMA_MAPPING_ERROR);
	assert_int_equal(th_stats().swiotlb_transient_live, 1);
	minalign_device_destroy(dev); /* DMA debug off: nothing unmaps it */
	free_pages((unsigned long)buf, 6);
	tu_expect_no_report();
	minalign_exit();
	tu_expect_report("swiotlb", "still mapped");
	assert_int_equal(th_stats().meta_live, 0);
	assert_int_equal(th_stats().swiotlb_bytes, 0);
}

/* Without dynamic pools a mapping beyond the pool's segment is refused as before. */
static void test_static_max_mapping(void **state)
{
	struct device *dev;
	unsigned char *buf;

	(void)state;
	init_dyn(false, (size_t)64 << 20);
	dev = th_dev("fb", false, 0, true);
	assert_int_equal(swiotlb_max_mapping_size(dev), 64 * KIB);
	buf = th_pages(6);
	assert_int_equal(dma_map_single(dev, buf, 100 * KIB, DMA_TO_DEVICE), DMA_MAPPING_ERROR);
	tu_expect_report("swiotlb", "swiotlb_max_mapping_size");
	free_pages((unsigned long)buf, 6);
	minalign_device_destroy(dev);
	minalign_exit();

	init_dyn(true, (size_t)64 << 20);
	dev = th_dev("fb", false, 0, true);
	assert_int_equal(swiotlb_max_mapping_size(dev), 256 * KIB);
	minalign_device_destroy(dev);
	tu_expect_no_report();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_many_outstanding, teardown),
		cmocka_unit_test_teardown(test_same_run_static, teardown),
		cmocka_unit_test_teardown(test_growth_limit, teardown),
		cmocka_unit_test_teardown(test_transient_pool, teardown),
		cmocka_unit_test_teardown(test_transient_mask_and_align, teardown),
		cmocka_unit_test_teardown(test_flag, teardown),
		cmocka_unit_test_teardown(test_leak_at_exit, teardown),
		cmocka_unit_test_teardown(test_static_max_mapping, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
