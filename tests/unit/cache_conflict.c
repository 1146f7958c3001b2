/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/cache_conflict.c - the sim's conflict tracking: what each victim mode destroys,
 * the counter and return value, ranges sharing a line, sync cycles, forget.
 *
 * Layout (line size L): line 4 of a 16 KiB area holds buffer A = [4L + L/4, 4L + L/2) and a
 * neighbour byte NB = 4L + 3L/4 that the CPU writes while the device owns A.  The CPU view
 * starts as CPU_FILL, the DRAM view as DRAM_FILL.
 */
#include "test_util.h"

#include "cache_helpers.h"

#define DEV_DATA  0xEE
#define CPU_WRITE 0x77

static const unsigned int line_sizes[] = {16, 64, 128, 256};

static size_t L;

static void machine_up(unsigned int line, enum minalign_sim_victim victim)
{
	cache_machine_up(&(struct cache_machine){.line = line, .victim = victim});
	L = ma_cache_line();
}

static uint64_t conflicts_stat(void)
{
	struct minalign_stats st;

	minalign_get_stats(&st);
	return st.sim_conflicts;
}

/* Every byte of [@off, @off+@len) in view @v is @val. */
static void expect_bytes(unsigned char *(*v)(size_t), size_t off, size_t len, int val)
{
	for (size_t i = off; i < off + len; i++) {
		if (v(i)[0] != val) {
			fprintf(stderr, "%s byte %zu (L %zu): %#x, want %#x\n",
				v == cpu ? "cpu" : "dram", i, L, v(i)[0], val);
			fail();
		}
	}
}

static size_t a_off(void)
{
	return 4 * L + L / 4;
}

static size_t a_len(void)
{
	return L / 4;
}

static size_t nb_off(void)
{
	return 4 * L + 3 * L / 4;
}

/* Map A inbound, let the device write it, optionally write the neighbour; unmap. */
static unsigned int dma_a(enum dma_data_direction dir, bool neighbour_write)
{
	static unsigned char data[256];

	memset(data, DEV_DATA, sizeof(data));
	ma_cache_sync_for_device(area + a_off(), a_len(), dir);
	assert_int_equal(ma_cache_tracked(), 1);
	if (neighbour_write)
		cpu(nb_off())[0] = CPU_WRITE;
	ma_dev_write(area + a_off(), data, a_len(), false);
	return ma_cache_sync_for_cpu(area + a_off(), a_len(), dir);
}

static void test_lose_cpu_writes(void **state)
{
	(void)state;
	for (unsigned int li = 0; li < MA_ARRAY_SIZE(line_sizes); li++) {
		machine_up(line_sizes[li], MINALIGN_SIM_LOSE_CPU_WRITES);
		assert_int_equal(dma_a(DMA_FROM_DEVICE, true), 1);
		assert_int_equal(conflicts_stat(), 1);
		expect_bytes(cpu, a_off(), a_len(), DEV_DATA); /* device data intact */
		expect_bytes(cpu, nb_off(), 1, CPU_FILL);      /* the neighbour's write vanished */
		expect_bytes(dram, nb_off(), 1, CPU_FILL);
		expect_bytes(cpu, 4 * L, L / 4, CPU_FILL);
		cache_machine_down();
	}
}

static void test_lose_device_writes(void **state)
{
	(void)state;
	for (unsigned int li = 0; li < MA_ARRAY_SIZE(line_sizes); li++) {
		machine_up(line_sizes[li], MINALIGN_SIM_LOSE_DEVICE_WRITES);
		assert_int_equal(dma_a(DMA_FROM_DEVICE, true), 1);
		assert_int_equal(conflicts_stat(), 1);
		expect_bytes(cpu, a_off(), a_len(), CPU_FILL);	/* stale bytes won */
		expect_bytes(dram, a_off(), a_len(), CPU_FILL); /* ... even in DRAM */
		expect_bytes(cpu, nb_off(), 1, CPU_WRITE);	/* the neighbour is intact */
		expect_bytes(dram, nb_off(), 1, CPU_WRITE);
		cache_machine_down();
	}
}

static void test_no_conflict_without_neighbour_write(void **state)
{
	(void)state;
	for (int v = 0; v < 2; v++) {
		for (unsigned int li = 0; li < MA_ARRAY_SIZE(line_sizes); li++) {
			machine_up(line_sizes[li], (enum minalign_sim_victim)v);
			assert_int_equal(dma_a(DMA_FROM_DEVICE, false), 0);
			assert_int_equal(conflicts_stat(), 0);
			expect_bytes(cpu, a_off(), a_len(), DEV_DATA);
			expect_bytes(cpu, 4 * L, L / 4, CPU_FILL);
			expect_bytes(cpu, a_off() + a_len(), L / 2, CPU_FILL);
			cache_machine_down();
		}
	}
}

/* The owner writing inside its own mapping is not a line-sharing conflict: the device wins. */
static void test_write_inside_range_not_conflict(void **state)
{
	(void)state;
	for (int v = 0; v < 2; v++) {
		machine_up(128, (enum minalign_sim_victim)v);
		ma_cache_sync_for_device(area + a_off(), a_len(), DMA_FROM_DEVICE);
		cpu(a_off())[0] = CPU_WRITE;
		memset(dram(a_off()), DEV_DATA, a_len());
		assert_int_equal(ma_cache_sync_for_cpu(area + a_off(), a_len(), DMA_FROM_DEVICE),
				 0);
		expect_bytes(cpu, a_off(), a_len(), DEV_DATA);
		cache_machine_down();
	}
}

/* A range with partial lines at both ends, both conflicting: two conflicts, both resolved. */
static void test_conflict_both_ends(void **state)
{
	(void)state;
	for (int v = 0; v < 2; v++) {
		for (unsigned int li = 0; li < MA_ARRAY_SIZE(line_sizes); li++) {
			machine_up(line_sizes[li], (enum minalign_sim_victim)v);
			size_t off = 4 * L + L / 2, len = 2 * L; /* lines 4, 5 (full), 6 */

			ma_cache_sync_for_device(area + off, len, DMA_FROM_DEVICE);
			cpu(4 * L)[0] = CPU_WRITE;
			cpu(7 * L - 1)[0] = CPU_WRITE;
			memset(dram(off), DEV_DATA, len);
			assert_int_equal(ma_cache_sync_for_cpu(area + off, len, DMA_FROM_DEVICE),
					 2);
			assert_int_equal(conflicts_stat(), 2);
			expect_bytes(cpu, 5 * L, L, DEV_DATA); /* the full line is never a victim */
			if (v == MINALIGN_SIM_LOSE_CPU_WRITES) {
				expect_bytes(cpu, off, len, DEV_DATA);
				expect_bytes(cpu, 4 * L, 1, CPU_FILL);
				expect_bytes(cpu, 7 * L - 1, 1, CPU_FILL);
			} else {
				expect_bytes(cpu, off, L / 2, CPU_FILL);
				expect_bytes(cpu, 6 * L, L / 2, CPU_FILL);
				expect_bytes(dram, 6 * L, L / 2, CPU_FILL);
				expect_bytes(cpu, 4 * L, 1, CPU_WRITE);
				expect_bytes(cpu, 7 * L - 1, 1, CPU_WRITE);
			}
			cache_machine_down();
		}
	}
}

/* One conflict per line, counted across calls in the statistics. */
static void test_counter_accumulates(void **state)
{
	(void)state;
	machine_up(64, MINALIGN_SIM_LOSE_CPU_WRITES);
	for (unsigned int i = 1; i <= 5; i++) {
		assert_int_equal(dma_a(DMA_FROM_DEVICE, i % 2 == 1), i % 2);
		assert_int_equal(conflicts_stat(), (i + 1) / 2);
	}
	cache_machine_down();
}

/*
 * Two live mappings in one line (the NAIVE case), nobody else writing: no conflict in either
 * order, both devices' data intact.
 */
static void test_two_ranges_share_line(void **state)
{
	(void)state;
	for (int v = 0; v < 2; v++) {
		for (int order = 0; order < 2; order++) {
			machine_up(128, (enum minalign_sim_victim)v);
			size_t a = 4 * L + 8, b = 4 * L + 40, n = 16;

			ma_cache_sync_for_device(area + a, n, DMA_FROM_DEVICE);
			ma_cache_sync_for_device(area + b, n, DMA_FROM_DEVICE);
			assert_int_equal(ma_cache_tracked(), 2);
			memset(dram(a), 0xA1, n);
			memset(dram(b), 0xB2, n);
			size_t first = order ? b : a, second = order ? a : b;

			assert_int_equal(ma_cache_sync_for_cpu(area + first, n, DMA_FROM_DEVICE),
					 0);
			assert_int_equal(ma_cache_tracked(), 1);
			assert_int_equal(ma_cache_sync_for_cpu(area + second, n, DMA_FROM_DEVICE),
					 0);
			expect_bytes(cpu, a, n, 0xA1);
			expect_bytes(cpu, b, n, 0xB2);
			expect_bytes(cpu, 4 * L, 8, CPU_FILL);
			assert_int_equal(conflicts_stat(), 0);
			cache_machine_down();
		}
	}
}

/* Two mappings in one line and a CPU write to a third object there: each mapping sees it. */
static void test_two_ranges_share_line_with_writer(void **state)
{
	(void)state;
	for (int v = 0; v < 2; v++) {
		machine_up(128, (enum minalign_sim_victim)v);
		size_t a = 4 * L + 8, b = 4 * L + 40, n = 16, nb = 4 * L + 100;

		ma_cache_sync_for_device(area + a, n, DMA_FROM_DEVICE);
		ma_cache_sync_for_device(area + b, n, DMA_FROM_DEVICE);
		memset(dram(a), 0xA1, n);
		memset(dram(b), 0xB2, n);
		cpu(nb)[0] = CPU_WRITE;
		assert_int_equal(ma_cache_sync_for_cpu(area + a, n, DMA_FROM_DEVICE), 1);
		assert_int_equal(ma_cache_sync_for_cpu(area + b, n, DMA_FROM_DEVICE), 1);
		assert_int_equal(conflicts_stat(), 2);
		if (v == MINALIGN_SIM_LOSE_CPU_WRITES) {
			expect_bytes(cpu, a, n, 0xA1);
			expect_bytes(cpu, b, n, 0xB2);
			expect_bytes(cpu, nb, 1, CPU_FILL);
		} else {
			expect_bytes(cpu, a, n, CPU_FILL); /* the eviction hit both */
			expect_bytes(cpu, b, n, CPU_FILL);
			expect_bytes(cpu, nb, 1, CPU_WRITE);
		}
		cache_machine_down();
	}
}

/*
 * While A is in flight, the CPU fills a neighbour buffer and maps it TO_DEVICE: the clean writes
 * the dirty line back over A's device data (whatever the victim mode), and A sees the conflict.
 * Without the CPU write the line is clean and the clean leaves DRAM alone.
 */
static void test_outbound_neighbour_clean(void **state)
{
	(void)state;
	for (int dirty = 0; dirty < 2; dirty++) {
		machine_up(64, MINALIGN_SIM_LOSE_CPU_WRITES);
		size_t a = 4 * L, n = L / 2, c = 4 * L + L / 2;

		ma_cache_sync_for_device(area + a, n, DMA_FROM_DEVICE);
		memset(dram(a), DEV_DATA, n);
		if (dirty)
			memset(cpu(c), CPU_WRITE, n);
		ma_cache_sync_for_device(area + c, n, DMA_TO_DEVICE);
		expect_bytes(dram, c, n, dirty ? CPU_WRITE : CPU_FILL);
		expect_bytes(dram, a, n, dirty ? CPU_FILL : DEV_DATA);
		assert_int_equal(ma_cache_sync_for_cpu(area + a, n, DMA_FROM_DEVICE), dirty);
		expect_bytes(cpu, a, n, dirty ? CPU_FILL : DEV_DATA);
		expect_bytes(cpu, c, n, dirty ? CPU_WRITE : CPU_FILL);
		assert_int_equal(ma_cache_sync_for_cpu(area + c, n, DMA_TO_DEVICE), 0);
		cache_machine_down();
	}
}

static void test_bidirectional_conflict(void **state)
{
	(void)state;
	for (int v = 0; v < 2; v++) {
		machine_up(64, (enum minalign_sim_victim)v);
		unsigned char got[64];

		memset(cpu(a_off()), 0x42, a_len()); /* the request */
		ma_cache_sync_for_device(area + a_off(), a_len(), DMA_BIDIRECTIONAL);
		ma_dev_read(area + a_off(), got, a_len(), false);
		for (size_t i = 0; i < a_len(); i++)
			assert_int_equal(got[i], 0x42);
		cpu(nb_off())[0] = CPU_WRITE;
		memset(dram(a_off()), DEV_DATA, a_len()); /* the answer */
		assert_int_equal(ma_cache_sync_for_cpu(area + a_off(), a_len(), DMA_BIDIRECTIONAL),
				 1);
		if (v == MINALIGN_SIM_LOSE_CPU_WRITES) {
			expect_bytes(cpu, a_off(), a_len(), DEV_DATA);
			expect_bytes(cpu, nb_off(), 1, CPU_FILL);
		} else {
			expect_bytes(cpu, a_off(), a_len(), 0x42);
			expect_bytes(cpu, nb_off(), 1, CPU_WRITE);
		}
		cache_machine_down();
	}
}

/* forget drops tracking without maintenance; a later for_cpu finds nothing to count. */
static void test_forget(void **state)
{
	(void)state;
	machine_up(128, MINALIGN_SIM_LOSE_CPU_WRITES);
	ma_cache_sync_for_device(area + a_off(), a_len(), DMA_FROM_DEVICE);
	ma_cache_sync_for_device(area + 8 * L + 1, 2 * L, DMA_BIDIRECTIONAL);
	assert_int_equal(ma_cache_tracked(), 2);
	cpu(nb_off())[0] = CPU_WRITE;
	memset(dram(a_off()), DEV_DATA, a_len());
	ma_cache_forget(area + a_off(), a_len());
	assert_int_equal(ma_cache_tracked(), 1);
	expect_bytes(cpu, nb_off(), 1, CPU_WRITE); /* no maintenance */
	expect_bytes(cpu, a_off(), a_len(), CPU_FILL);
	ma_cache_forget(area + a_off(), a_len());     /* twice: ignored */
	ma_cache_forget(area + a_off() + 1, a_len()); /* never tracked: ignored */
	ma_cache_forget(area + 8 * L + 1, 2 * L);
	assert_int_equal(ma_cache_tracked(), 0);
	assert_int_equal(ma_cache_sync_for_cpu(area + a_off(), a_len(), DMA_FROM_DEVICE), 0);
	assert_int_equal(conflicts_stat(), 0);
	cache_machine_down();
}

/*
 * The usual cycle: map, sync_for_cpu, the CPU owns the buffer (a neighbour write now is fine),
 * sync_for_device, the device writes, unmap: no conflict.
 */
static void test_sync_cycle(void **state)
{
	(void)state;
	machine_up(128, MINALIGN_SIM_LOSE_DEVICE_WRITES);
	ma_cache_sync_for_device(area + a_off(), a_len(), DMA_FROM_DEVICE);
	memset(dram(a_off()), 0x31, a_len());
	assert_int_equal(ma_cache_sync_for_cpu(area + a_off(), a_len(), DMA_FROM_DEVICE), 0);
	expect_bytes(cpu, a_off(), a_len(), 0x31);
	assert_int_equal(ma_cache_tracked(), 0);
	cpu(nb_off())[0] = CPU_WRITE;
	ma_cache_sync_for_device(area + a_off(), a_len(), DMA_FROM_DEVICE);
	ma_cache_sync_for_device(area + a_off(), a_len(), DMA_FROM_DEVICE); /* again: one record */
	assert_int_equal(ma_cache_tracked(), 1);
	memset(dram(a_off()), 0x32, a_len());
	assert_int_equal(ma_cache_sync_for_cpu(area + a_off(), a_len(), DMA_FROM_DEVICE), 0);
	expect_bytes(cpu, a_off(), a_len(), 0x32);
	expect_bytes(cpu, nb_off(), 1, CPU_WRITE);
	assert_int_equal(conflicts_stat(), 0);
	cache_machine_down();
}

/*
 * A neighbour write while the device owns the line stays a conflict even if the driver calls
 * sync_for_device again before sync_for_cpu: the new clean point does not erase it.
 */
static void test_repeated_for_device_keeps_conflict(void **state)
{
	(void)state;
	machine_up(128, MINALIGN_SIM_LOSE_CPU_WRITES);
	ma_cache_sync_for_device(area + a_off(), a_len(), DMA_FROM_DEVICE);
	memset(dram(a_off()), DEV_DATA, a_len());
	cpu(nb_off())[0] = CPU_WRITE;
	ma_cache_sync_for_device(area + a_off(), a_len(), DMA_FROM_DEVICE);
	assert_int_equal(ma_cache_sync_for_cpu(area + a_off(), a_len(), DMA_FROM_DEVICE), 1);
	/* the second flush wrote the dirty line back: the neighbour survived, A's data did not */
	expect_bytes(cpu, nb_off(), 1, CPU_WRITE);
	expect_bytes(cpu, a_off(), a_len(), CPU_FILL);
	cache_machine_down();
}

/* Many live ranges, some sharing lines, tracked and released in any order; exit frees all. */
static void test_tracked_count_and_exit(void **state)
{
	(void)state;
	machine_up(64, MINALIGN_SIM_LOSE_CPU_WRITES);
	for (size_t i = 0; i < 100; i++)
		ma_cache_sync_for_device(area + i * 24 + 1, 20, DMA_FROM_DEVICE);
	assert_int_equal(ma_cache_tracked(), 100);
	for (size_t i = 0; i < 100; i += 2)
		assert_int_equal(ma_cache_sync_for_cpu(area + i * 24 + 1, 20, DMA_FROM_DEVICE), 0);
	assert_int_equal(ma_cache_tracked(), 50);
	/* exit with 50 ranges live: ma_cache_exit frees them (ASan checks) */
	__free_pages(area_pg, AREA_ORDER);
	minalign_exit();
	machine_up(64, MINALIGN_SIM_LOSE_CPU_WRITES);
	assert_int_equal(ma_cache_tracked(), 0);
	cache_machine_down();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_lose_cpu_writes, cache_cleanup),
		cmocka_unit_test_teardown(test_lose_device_writes, cache_cleanup),
		cmocka_unit_test_teardown(test_no_conflict_without_neighbour_write, cache_cleanup),
		cmocka_unit_test_teardown(test_write_inside_range_not_conflict, cache_cleanup),
		cmocka_unit_test_teardown(test_conflict_both_ends, cache_cleanup),
		cmocka_unit_test_teardown(test_counter_accumulates, cache_cleanup),
		cmocka_unit_test_teardown(test_two_ranges_share_line, cache_cleanup),
		cmocka_unit_test_teardown(test_two_ranges_share_line_with_writer, cache_cleanup),
		cmocka_unit_test_teardown(test_outbound_neighbour_clean, cache_cleanup),
		cmocka_unit_test_teardown(test_bidirectional_conflict, cache_cleanup),
		cmocka_unit_test_teardown(test_forget, cache_cleanup),
		cmocka_unit_test_teardown(test_sync_cycle, cache_cleanup),
		cmocka_unit_test_teardown(test_repeated_for_device_keeps_conflict, cache_cleanup),
		cmocka_unit_test_teardown(test_tracked_count_and_exit, cache_cleanup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
