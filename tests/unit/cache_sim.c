/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/cache_sim.c - the sim cache model's line operations, byte for byte.
 *
 * Every test runs at cache lines 16, 64, 128 and 256.  The CPU view of a 16 KiB area is filled
 * with CPU_FILL and its DRAM view with DRAM_FILL; after one operation each view must have
 * changed on exactly the whole lines the operation touched and nowhere else.
 */
#include "test_util.h"

#include "cache_helpers.h"

static const unsigned int line_sizes[] = {16, 64, 128, 256};

static size_t L; /* the line size under test */

static void machine_up(unsigned int line)
{
	cache_machine_up(&(struct cache_machine){.line = line});
	L = ma_cache_line();
	assert_int_equal(L, line);
}

/* Every byte of @v is @in inside [@lo, @hi) and @out elsewhere in the area. */
static void expect(unsigned char *(*v)(size_t), size_t lo, size_t hi, int in, int out)
{
	for (size_t i = 0; i < AREA; i++) {
		int want = i >= lo && i < hi ? in : out;

		if (v(i)[0] != want) {
			fprintf(stderr, "%s byte %zu (line %zu, lines [%zu, %zu)): %#x, want %#x\n",
				v == cpu ? "cpu" : "dram", i, L, lo, hi, v(i)[0], want);
			fail();
		}
	}
}

static void expect_untouched(void)
{
	expect(cpu, 0, 0, 0, CPU_FILL);
	expect(dram, 0, 0, 0, DRAM_FILL);
}

/* An operation on [@off, @off+@len) must change exactly the lines [@lo, @hi). */
struct op_case {
	size_t off, len, lo, hi;
};

/* Aligned, unaligned at either or both ends, one byte, inside one line, across a page. */
static unsigned int op_cases(struct op_case *c)
{
	const size_t P = PAGE_SIZE;
	unsigned int n = 0;

	c[n++] = (struct op_case){4 * L, 3 * L, 4 * L, 7 * L};
	c[n++] = (struct op_case){4 * L + 5, 3 * L, 4 * L, 8 * L};
	c[n++] = (struct op_case){4 * L, 3 * L - 1, 4 * L, 7 * L};
	c[n++] = (struct op_case){4 * L + 1, L - 2, 4 * L, 5 * L};
	c[n++] = (struct op_case){5 * L - 1, 2, 4 * L, 6 * L};
	c[n++] = (struct op_case){6 * L + 3, 1, 6 * L, 7 * L};
	c[n++] = (struct op_case){P - L - 1, 2 * L + 2, P - 2 * L, P + 2 * L};
	return n;
}

static void run_op(void (*op)(phys_addr_t, size_t), int cpu_in, int dram_in)
{
	struct op_case c[8];

	for (unsigned int li = 0; li < MA_ARRAY_SIZE(line_sizes); li++) {
		L = line_sizes[li];
		unsigned int n = op_cases(c);

		for (unsigned int i = 0; i < n; i++) {
			machine_up(line_sizes[li]);
			op(area + c[i].off, c[i].len);
			expect(cpu, c[i].lo, c[i].hi, cpu_in, CPU_FILL);
			expect(dram, c[i].lo, c[i].hi, dram_in, DRAM_FILL);
			cache_machine_down();
		}
	}
}

static void test_clean(void **state)
{
	(void)state;
	run_op(ma_cache_clean, CPU_FILL, CPU_FILL);
}

static void test_inval(void **state)
{
	(void)state;
	run_op(ma_cache_inval, DRAM_FILL, DRAM_FILL);
}

static void test_flush(void **state)
{
	(void)state;
	run_op(ma_cache_flush, CPU_FILL, CPU_FILL);
}

static void test_zero_size(void **state)
{
	(void)state;
	for (unsigned int li = 0; li < MA_ARRAY_SIZE(line_sizes); li++) {
		machine_up(line_sizes[li]);
		ma_cache_clean(area + 3, 0);
		ma_cache_inval(area + L, 0);
		ma_cache_flush(area + 2 * L + 1, 0);
		ma_cache_sync_for_device(area + 3, 0, DMA_FROM_DEVICE);
		assert_int_equal(ma_cache_sync_for_cpu(area + 3, 0, DMA_FROM_DEVICE), 0);
		expect_untouched();
		cache_machine_down();
	}
}

/* FROM_DEVICE: partial lines at both ends are cleaned+invalidated, the rest invalidated. */
static void test_from_device_partial_both_ends(void **state)
{
	(void)state;
	for (unsigned int li = 0; li < MA_ARRAY_SIZE(line_sizes); li++) {
		machine_up(line_sizes[li]);
		size_t off = 4 * L + 3,
		       len = 3 * L; /* lines 4 (partial), 5, 6 (full), 7 (partial) */

		ma_cache_sync_for_device(area + off, len, DMA_FROM_DEVICE);
		assert_int_equal(ma_cache_tracked(), 1);
		expect(cpu, 5 * L, 7 * L, DRAM_FILL, CPU_FILL);
		for (size_t i = 0; i < AREA; i++) {
			bool edge = (i >= 4 * L && i < 5 * L) || (i >= 7 * L && i < 8 * L);

			assert_int_equal(dram(i)[0], edge ? CPU_FILL : DRAM_FILL);
		}
		assert_int_equal(ma_cache_sync_for_cpu(area + off, len, DMA_FROM_DEVICE), 0);
		/* the invalidate reloads all four lines; the edges hold what was cleaned */
		expect(cpu, 5 * L, 7 * L, DRAM_FILL, CPU_FILL);
		cache_machine_down();
	}
}

/* Only the partial end is tracked; the aligned end line is plain interior. */
static void test_from_device_partial_one_end(void **state)
{
	(void)state;
	for (unsigned int li = 0; li < MA_ARRAY_SIZE(line_sizes); li++) {
		machine_up(line_sizes[li]);
		ma_cache_sync_for_device(area + 4 * L, 2 * L + 1, DMA_FROM_DEVICE);
		assert_int_equal(ma_cache_tracked(), 1);
		expect(cpu, 4 * L, 6 * L, DRAM_FILL, CPU_FILL);
		expect(dram, 6 * L, 7 * L, CPU_FILL, DRAM_FILL);
		assert_int_equal(ma_cache_sync_for_cpu(area + 4 * L, 2 * L + 1, DMA_FROM_DEVICE),
				 0);
		ma_cache_sync_for_device(area + 4 * L - 1, L + 1, DMA_FROM_DEVICE);
		assert_int_equal(ma_cache_tracked(), 1);
		assert_int_equal(ma_cache_sync_for_cpu(area + 4 * L - 1, L + 1, DMA_FROM_DEVICE),
				 0);
		cache_machine_down();
	}
}

/* A line-aligned inbound range has no partial line: nothing to track. */
static void test_aligned_not_tracked(void **state)
{
	(void)state;
	for (unsigned int li = 0; li < MA_ARRAY_SIZE(line_sizes); li++) {
		machine_up(line_sizes[li]);
		ma_cache_sync_for_device(area + 2 * L, 4 * L, DMA_FROM_DEVICE);
		ma_cache_sync_for_device(area + 8 * L, 2 * L, DMA_BIDIRECTIONAL);
		assert_int_equal(ma_cache_tracked(), 0);
		expect(cpu, 2 * L, 6 * L, DRAM_FILL, CPU_FILL);
		expect(dram, 8 * L, 10 * L, CPU_FILL, DRAM_FILL);
		assert_int_equal(ma_cache_sync_for_cpu(area + 2 * L, 4 * L, DMA_FROM_DEVICE), 0);
		assert_int_equal(ma_cache_sync_for_cpu(area + 8 * L, 2 * L, DMA_BIDIRECTIONAL), 0);
		cache_machine_down();
	}
}

/* TO_DEVICE cleans the lines and tracks nothing; its for_cpu does nothing. */
static void test_to_device(void **state)
{
	(void)state;
	for (unsigned int li = 0; li < MA_ARRAY_SIZE(line_sizes); li++) {
		machine_up(line_sizes[li]);
		ma_cache_sync_for_device(area + 3 * L + 7, L, DMA_TO_DEVICE);
		assert_int_equal(ma_cache_tracked(), 0);
		expect(cpu, 0, 0, 0, CPU_FILL);
		expect(dram, 3 * L, 5 * L, CPU_FILL, DRAM_FILL);
		memset(ma_phys_to_dram(area), DRAM_FILL, AREA);
		assert_int_equal(ma_cache_sync_for_cpu(area + 3 * L + 7, L, DMA_TO_DEVICE), 0);
		assert_int_equal(ma_cache_sync_for_cpu(area + 3 * L + 7, L, DMA_NONE), 0);
		ma_cache_sync_for_device(area + 3 * L + 7, L, DMA_NONE);
		expect_untouched();
		cache_machine_down();
	}
}

/* BIDIRECTIONAL cleans (the device reads the CPU's data) and invalidates at for_cpu. */
static void test_bidirectional(void **state)
{
	(void)state;
	for (unsigned int li = 0; li < MA_ARRAY_SIZE(line_sizes); li++) {
		machine_up(line_sizes[li]);
		size_t off = 2 * L + 2, len = L;

		ma_cache_sync_for_device(area + off, len, DMA_BIDIRECTIONAL);
		assert_int_equal(ma_cache_tracked(), 1);
		expect(cpu, 0, 0, 0, CPU_FILL);
		expect(dram, 2 * L, 4 * L, CPU_FILL, DRAM_FILL);
		memset(dram(off), 0x5A, len); /* the device answers in place */
		assert_int_equal(ma_cache_sync_for_cpu(area + off, len, DMA_BIDIRECTIONAL), 0);
		for (size_t i = 0; i < AREA; i++) {
			int want = i >= off && i < off + len ? 0x5A : CPU_FILL;

			assert_int_equal(cpu(i)[0], want);
		}
		cache_machine_down();
	}
}

/* Pages flagged uncached are never maintained nor tracked. */
static void test_uncached_bypass(void **state)
{
	(void)state;
	for (unsigned int li = 0; li < MA_ARRAY_SIZE(line_sizes); li++) {
		machine_up(line_sizes[li]);
		struct page *head = ma_phys_to_page(area);

		ma_pages_set_uncached(head, AREA_ORDER, true);
		ma_cache_clean(area + 5, 3 * L);
		ma_cache_inval(area + PAGE_SIZE + 5, 3 * L);
		ma_cache_flush(area + 2 * PAGE_SIZE, PAGE_SIZE);
		ma_cache_sync_for_device(area + 7, 2 * L, DMA_FROM_DEVICE);
		ma_cache_sync_for_device(area + PAGE_SIZE + 7, 2 * L, DMA_BIDIRECTIONAL);
		ma_cache_sync_for_device(area + 3 * PAGE_SIZE + 7, 2 * L, DMA_TO_DEVICE);
		assert_int_equal(ma_cache_tracked(), 0);
		cpu(1)[0] = 0x11; /* a neighbour write: no conflict possible, nothing lost */
		assert_int_equal(ma_cache_sync_for_cpu(area + 7, 2 * L, DMA_FROM_DEVICE), 0);
		assert_int_equal(
			ma_cache_sync_for_cpu(area + PAGE_SIZE + 7, 2 * L, DMA_BIDIRECTIONAL), 0);
		assert_int_equal(cpu(1)[0], 0x11);
		cpu(1)[0] = CPU_FILL;
		expect_untouched();
		ma_pages_set_uncached(head, AREA_ORDER, false);
		cache_machine_down();
	}
}

/* A range straddling a cached and an uncached page: only the cached page's lines change. */
static void test_uncached_mixed(void **state)
{
	(void)state;
	for (unsigned int li = 0; li < MA_ARRAY_SIZE(line_sizes); li++) {
		machine_up(line_sizes[li]);
		struct page *second = ma_phys_to_page(area + PAGE_SIZE);

		second->flags |= MA_PAGE_UNCACHED;
		ma_cache_clean(area + PAGE_SIZE - L - 3, 2 * L + 6);
		expect(cpu, 0, 0, 0, CPU_FILL);
		expect(dram, PAGE_SIZE - 2 * L, PAGE_SIZE, CPU_FILL, DRAM_FILL);
		memset(ma_phys_to_dram(area), DRAM_FILL, AREA);
		ma_cache_sync_for_device(area + PAGE_SIZE - 3, 6, DMA_FROM_DEVICE);
		assert_int_equal(ma_cache_tracked(), 1); /* the cached page's partial line */
		assert_int_equal(ma_cache_sync_for_cpu(area + PAGE_SIZE - 3, 6, DMA_FROM_DEVICE),
				 0);
		expect(cpu, 0, 0, 0, CPU_FILL);
		expect(dram, PAGE_SIZE - L, PAGE_SIZE, CPU_FILL, DRAM_FILL);
		second->flags &= (uint8_t)~MA_PAGE_UNCACHED;
		cache_machine_down();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_clean, cache_cleanup),
		cmocka_unit_test_teardown(test_inval, cache_cleanup),
		cmocka_unit_test_teardown(test_flush, cache_cleanup),
		cmocka_unit_test_teardown(test_zero_size, cache_cleanup),
		cmocka_unit_test_teardown(test_from_device_partial_both_ends, cache_cleanup),
		cmocka_unit_test_teardown(test_from_device_partial_one_end, cache_cleanup),
		cmocka_unit_test_teardown(test_aligned_not_tracked, cache_cleanup),
		cmocka_unit_test_teardown(test_to_device, cache_cleanup),
		cmocka_unit_test_teardown(test_bidirectional, cache_cleanup),
		cmocka_unit_test_teardown(test_uncached_bypass, cache_cleanup),
		cmocka_unit_test_teardown(test_uncached_mixed, cache_cleanup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
