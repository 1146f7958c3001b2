/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/cache_models.c - the device's view of memory under each model, the COHERENT and
 * NATIVE models, and the line size.
 */
#include "test_util.h"

#include "cache_helpers.h"

static void machine_up(unsigned int line, enum minalign_cache_model model)
{
	cache_machine_up(&(struct cache_machine){.line = line, .model = model});
}

static void expect_bytes(const unsigned char *p, size_t len, int val)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] != val) {
			fprintf(stderr, "byte %zu: %#x, want %#x\n", i, p[i], val);
			fail();
		}
	}
}

/* SIM: a non-coherent device uses the DRAM view, a coherent one the CPU view. */
static void test_sim_device_views(void **state)
{
	unsigned char buf[300], got[300];

	(void)state;
	machine_up(128, MINALIGN_CACHE_SIM);
	memset(buf, 0x3C, sizeof(buf));
	ma_dev_write(area + 100, buf, sizeof(buf), false);
	expect_bytes(dram(100), sizeof(buf), 0x3C);
	expect_bytes(cpu(0), AREA, CPU_FILL);
	expect_bytes(dram(0), 100, DRAM_FILL);
	expect_bytes(dram(400), AREA - 400, DRAM_FILL);
	ma_dev_read(area + 100, got, sizeof(got), false);
	expect_bytes(got, sizeof(got), 0x3C);
	ma_dev_read(area + 100, got, sizeof(got), true);
	expect_bytes(got, sizeof(got), CPU_FILL);

	memset(buf, 0x4D, sizeof(buf));
	ma_dev_write(area + 1000, buf, sizeof(buf), true);
	expect_bytes(cpu(1000), sizeof(buf), 0x4D);
	expect_bytes(dram(1000), sizeof(buf), DRAM_FILL);
	ma_dev_write(area, buf, 0, false);
	ma_dev_read(area, got, 0, false);
	cache_machine_down();
}

/* SIM: uncached pages are seen through the CPU view, decided page by page. */
static void test_sim_uncached_page_view(void **state)
{
	unsigned char buf[512], got[512];
	struct page *second;

	(void)state;
	machine_up(64, MINALIGN_CACHE_SIM);
	second = ma_phys_to_page(area + PAGE_SIZE);
	second->flags |= MA_PAGE_UNCACHED;
	memset(buf, 0x5E, sizeof(buf));
	/* 256 bytes in the cached first page, 256 in the uncached second */
	ma_dev_write(area + PAGE_SIZE - 256, buf, sizeof(buf), false);
	expect_bytes(dram(PAGE_SIZE - 256), 256, 0x5E);
	expect_bytes(cpu(PAGE_SIZE - 256), 256, CPU_FILL);
	expect_bytes(cpu(PAGE_SIZE), 256, 0x5E);
	expect_bytes(dram(PAGE_SIZE), 256, DRAM_FILL);
	ma_dev_read(area + PAGE_SIZE - 256, got, sizeof(got), false);
	expect_bytes(got, sizeof(got), 0x5E);
	second->flags &= (uint8_t)~MA_PAGE_UNCACHED;
	cache_machine_down();
}

/* COHERENT: maintenance does nothing, nothing is tracked, devices use the CPU view. */
static void test_coherent_model(void **state)
{
	unsigned char buf[64], got[64];

	(void)state;
	machine_up(128, MINALIGN_CACHE_COHERENT);
	assert_int_equal(ma_cache_line(), 128);
	ma_cache_clean(area + 3, 1000);
	ma_cache_inval(area + 3, 1000);
	ma_cache_flush(area + 3, 1000);
	ma_cache_sync_for_device(area + 5, 20, DMA_FROM_DEVICE);
	ma_cache_sync_for_device(area + 305, 20, DMA_BIDIRECTIONAL);
	assert_int_equal(ma_cache_tracked(), 0);
	cpu(0)[0] = 0x66;
	memset(buf, 0x7F, sizeof(buf));
	ma_dev_write(area + 5, buf, 20, false);
	assert_int_equal(ma_cache_sync_for_cpu(area + 5, 20, DMA_FROM_DEVICE), 0);
	assert_int_equal(ma_cache_sync_for_cpu(area + 305, 20, DMA_BIDIRECTIONAL), 0);
	ma_cache_forget(area + 5, 20);
	expect_bytes(cpu(5), 20, 0x7F);
	assert_int_equal(cpu(0)[0], 0x66);
	ma_dev_read(area + 5, got, 20, false);
	expect_bytes(got, 20, 0x7F);
	cpu(0)[0] = CPU_FILL;
	memset(cpu(5), CPU_FILL, 20);
	expect_bytes(cpu(0), AREA, CPU_FILL);
	cache_machine_down();
}

/* NATIVE: lines touched by every operation, unaligned ranges fully covered. */
static void test_native_lines_touched(void **state)
{
	static const unsigned int lines[] = {16, 64, 128, 256};

	(void)state;
	for (unsigned int li = 0; li < MA_ARRAY_SIZE(lines); li++) {
		machine_up(lines[li], MINALIGN_CACHE_NATIVE);
		size_t L = ma_cache_line();

		assert_true(L <= lines[li] && MA_IS_POW2(L));
		uint64_t t0 = ma_cache_native_lines_touched;

		ma_cache_clean(area + 2 * L, 3 * L); /* aligned: 3 lines */
		assert_int_equal(ma_cache_native_lines_touched - t0, 3);
		t0 = ma_cache_native_lines_touched;
		ma_cache_flush(area + 2 * L + 1, 3 * L); /* unaligned: 4 lines */
		assert_int_equal(ma_cache_native_lines_touched - t0, 4);
		t0 = ma_cache_native_lines_touched;
		ma_cache_inval(area + 3 * L - 1, 2); /* 2 bytes across a boundary: 2 lines */
		assert_int_equal(ma_cache_native_lines_touched - t0, 2);
		t0 = ma_cache_native_lines_touched;
		ma_cache_clean(area + PAGE_SIZE - 1, PAGE_SIZE + 2); /* across pages */
		assert_int_equal(ma_cache_native_lines_touched - t0, PAGE_SIZE / L + 2);
		t0 = ma_cache_native_lines_touched;
		/* FROM_DEVICE: flush head, invalidate 2 full, flush tail */
		ma_cache_sync_for_device(area + 4 * L + 3, 3 * L, DMA_FROM_DEVICE);
		assert_int_equal(ma_cache_native_lines_touched - t0, 4);
		t0 = ma_cache_native_lines_touched;
		assert_int_equal(ma_cache_sync_for_cpu(area + 4 * L + 3, 3 * L, DMA_FROM_DEVICE),
				 0);
		assert_int_equal(ma_cache_native_lines_touched - t0, 4);
		t0 = ma_cache_native_lines_touched;
		ma_cache_sync_for_device(area + 4 * L + 3, 1, DMA_TO_DEVICE);
		assert_int_equal(ma_cache_sync_for_cpu(area + 4 * L + 3, 1, DMA_TO_DEVICE), 0);
		assert_int_equal(ma_cache_native_lines_touched - t0, 1);
		assert_int_equal(ma_cache_tracked(), 0);
		expect_bytes(cpu(0), AREA, CPU_FILL);
		cache_machine_down();
	}
}

/* NATIVE: uncached pages are skipped; devices use the CPU view. */
static void test_native_uncached_and_views(void **state)
{
	unsigned char buf[32], got[32];

	(void)state;
	machine_up(64, MINALIGN_CACHE_NATIVE);
	size_t L = ma_cache_line();
	struct page *second = ma_phys_to_page(area + PAGE_SIZE);

	second->flags |= MA_PAGE_UNCACHED;
	uint64_t t0 = ma_cache_native_lines_touched;

	ma_cache_flush(area + PAGE_SIZE - 2 * L, 4 * L);
	assert_int_equal(ma_cache_native_lines_touched - t0, 2);
	second->flags &= (uint8_t)~MA_PAGE_UNCACHED;
	memset(buf, 0x19, sizeof(buf));
	ma_dev_write(area + 8, buf, sizeof(buf), false);
	expect_bytes(cpu(8), sizeof(buf), 0x19);
	ma_dev_read(area + 8, got, sizeof(got), false);
	expect_bytes(got, sizeof(got), 0x19);
	cache_machine_down();
}

static void test_line_size_per_model(void **state)
{
	static const unsigned int lines[] = {16, 32, 64, 128, 256};

	(void)state;
	for (unsigned int i = 0; i < MA_ARRAY_SIZE(lines); i++) {
		machine_up(lines[i], MINALIGN_CACHE_SIM);
		assert_int_equal(ma_cache_line(), lines[i]);
		cache_machine_down();
		machine_up(lines[i], MINALIGN_CACHE_COHERENT);
		assert_int_equal(ma_cache_line(), lines[i]);
		cache_machine_down();
		machine_up(lines[i], MINALIGN_CACHE_NATIVE);
		assert_true(ma_cache_line() <= lines[i]);
#if !defined(__aarch64__) && !defined(__riscv)
		assert_int_equal(ma_cache_line(), lines[i]);
#endif
		cache_machine_down();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_sim_device_views, cache_cleanup),
		cmocka_unit_test_teardown(test_sim_uncached_page_view, cache_cleanup),
		cmocka_unit_test_teardown(test_coherent_model, cache_cleanup),
		cmocka_unit_test_teardown(test_native_lines_touched, cache_cleanup),
		cmocka_unit_test_teardown(test_native_uncached_and_views, cache_cleanup),
		cmocka_unit_test_teardown(test_line_size_per_model, cache_cleanup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
