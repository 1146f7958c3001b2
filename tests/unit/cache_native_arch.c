/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/cache_native_arch.c - the NATIVE cache model on the architecture this test was
 * built for, on real buffers.
 *
 * Cross builds run this under qemu-user (scripts/test-cross.sh), which does not model caches:
 * what it proves is that every maintenance instruction the backend issues is legal in user
 * space on that target (an illegal one kills the test with SIGILL), that each one is issued on
 * an address inside RAM (a wrong address faults: arm64 `dc` and riscv `cbo` translate it), that
 * every line of an unaligned range is covered exactly once (ma_cache_native_lines_touched), and
 * that data survives the clean-then-invalidate sequences DMA uses.
 *
 *   aarch64: dc cvac (clean), dc civac (invalidate and flush at EL0), dsb sy; the line is
 *            min(cache_line, CTR_EL0.DminLine), read here independently of the library.
 *   riscv64: Zicbom cbo.clean, cbo.flush (invalidate in user mode), fence rw,rw, on the
 *            configured line.  The cross stage builds with -march=rv64gc_zicbom when its qemu
 *            runs Zicbom, so they are issued; a hosted build without it asks riscv_hwprobe.
 *   arm:     hosted builds issue nothing (PL1-only operations): stepping and counting only.
 *   x86 and others: coherent, nothing issued: stepping and counting only.
 */
#include "test_util.h"

#include <stdio.h>
#include <string.h>

#include "cache_helpers.h"

#define FILL CPU_FILL /* the area as cache_machine_up() leaves it */

#if defined(__aarch64__)
#define ARCH_NAME "aarch64: dc cvac, dc civac, dsb sy"
#elif defined(__riscv) && (defined(__riscv_zicbom) || defined(MINALIGN_NATIVE_PRIVILEGED))
#define ARCH_NAME "riscv (built with Zicbom): cbo.clean, cbo.flush, fence rw,rw"
#elif defined(__riscv)
#define ARCH_NAME "riscv (hosted): cbo.* only where riscv_hwprobe reports Zicbom"
#elif defined(__arm__) && defined(MINALIGN_NATIVE_PRIVILEGED)
#define ARCH_NAME "arm (privileged): CP15 DCCMVAC, DCIMVAC, DCCIMVAC, dsb sy"
#elif defined(__arm__)
#define ARCH_NAME "arm (hosted): no instruction issued (PL1-only operations)"
#elif defined(__x86_64__) || defined(__i386__)
#define ARCH_NAME "x86: coherent, no instruction issued"
#else
#define ARCH_NAME "coherent host: no instruction issued"
#endif

static void machine_up(uint64_t ram_base, unsigned int line)
{
	cache_machine_up(&(struct cache_machine){
		.line = line, .model = MINALIGN_CACHE_NATIVE, .ram_base = ram_base});
}

/* Lines of @line bytes that [@phys, @phys + @size) touches. */
static uint64_t lines_in(phys_addr_t phys, size_t size, size_t line)
{
	phys_addr_t lo = phys & ~((phys_addr_t)line - 1);
	phys_addr_t hi = (phys + size + line - 1) & ~((phys_addr_t)line - 1);

	return (hi - lo) / line;
}

static void expect_intact(void)
{
	const unsigned char *p = phys_to_virt(area);

	for (size_t i = 0; i < AREA; i++) {
		if (p[i] != FILL) {
			fprintf(stderr, "byte %zu of the area: %#x, want %#x\n", i, p[i], FILL);
			fail();
		}
	}
}

/*
 * The line the NATIVE model must use: the configured one, or the hardware's if smaller.  Read
 * here without the library so the library's reading is checked too.
 */
static unsigned int expected_line(unsigned int configured)
{
#if defined(__aarch64__)
	uint64_t ctr;
	unsigned int hw;

	__asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
	hw = 4u << ((ctr >> 16) & 0xf);
	assert_true(hw >= 16 && hw <= 2048);
	return hw < configured ? hw : configured;
#else
	return configured;
#endif
}

static void test_line_size(void **state)
{
	static const unsigned int lines[] = {16, 32, 64, 128, 256};

	(void)state;
	fprintf(stderr, "native cache backend: %s, %zu-bit pointers\n", ARCH_NAME,
		sizeof(void *) * 8);
	for (unsigned int i = 0; i < MA_ARRAY_SIZE(lines); i++) {
		machine_up(0x80000000ull, lines[i]);
		assert_int_equal(ma_cache_line(), expected_line(lines[i]));
		cache_machine_down();
	}
}

/*
 * Every operation on ranges that start and end anywhere in a line, cross lines and pages:
 * the instructions run on every line touched, each line once.
 */
static void sweep(void)
{
	const size_t L = ma_cache_line();
	/* clang-format off */
	const size_t offs[] = {0, 1, 7, L / 2, L - 1, L, L + 1, PAGE_SIZE - L, PAGE_SIZE - 1,
			       PAGE_SIZE, 2 * PAGE_SIZE - L / 2};
	const size_t sizes[] = {1, 2, L - 1, L, L + 1, 2 * L - 1, 2 * L, 2 * L + 1, 3 * L + 5,
				PAGE_SIZE - 1, PAGE_SIZE, PAGE_SIZE + 1, PAGE_SIZE + L,
				2 * PAGE_SIZE - 3};
	/* clang-format on */

	for (unsigned int i = 0; i < MA_ARRAY_SIZE(offs); i++) {
		for (unsigned int j = 0; j < MA_ARRAY_SIZE(sizes); j++) {
			phys_addr_t p = area + offs[i];
			size_t n = sizes[j];
			uint64_t want = lines_in(p, n, L), t0;

			assert_true(offs[i] + n <= AREA);
			t0 = ma_cache_native_lines_touched;
			ma_cache_clean(p, n);
			assert_int_equal(ma_cache_native_lines_touched - t0, want);
			t0 = ma_cache_native_lines_touched;
			ma_cache_inval(p, n);
			assert_int_equal(ma_cache_native_lines_touched - t0, want);
			t0 = ma_cache_native_lines_touched;
			ma_cache_flush(p, n);
			assert_int_equal(ma_cache_native_lines_touched - t0, want);

			/* A streaming DMA cycle: each line once on the way out, once back. */
			t0 = ma_cache_native_lines_touched;
			ma_cache_sync_for_device(p, n, DMA_FROM_DEVICE);
			assert_int_equal(ma_cache_native_lines_touched - t0, want);
			t0 = ma_cache_native_lines_touched;
			assert_int_equal(ma_cache_sync_for_cpu(p, n, DMA_FROM_DEVICE), 0);
			assert_int_equal(ma_cache_native_lines_touched - t0, want);
			t0 = ma_cache_native_lines_touched;
			ma_cache_sync_for_device(p, n, DMA_BIDIRECTIONAL);
			assert_int_equal(ma_cache_native_lines_touched - t0, want);
			t0 = ma_cache_native_lines_touched;
			assert_int_equal(ma_cache_sync_for_cpu(p, n, DMA_BIDIRECTIONAL), 0);
			assert_int_equal(ma_cache_native_lines_touched - t0, want);
			t0 = ma_cache_native_lines_touched;
			ma_cache_sync_for_device(p, n, DMA_TO_DEVICE);
			assert_int_equal(ma_cache_native_lines_touched - t0, want);
			t0 = ma_cache_native_lines_touched;
			assert_int_equal(ma_cache_sync_for_cpu(p, n, DMA_TO_DEVICE), 0);
			assert_int_equal(ma_cache_native_lines_touched - t0, 0);
		}
	}
	assert_int_equal(ma_cache_tracked(), 0);
}

static void test_unaligned_ranges(void **state)
{
	static const unsigned int lines[] = {16, 64, 128, 256};

	(void)state;
	for (unsigned int i = 0; i < MA_ARRAY_SIZE(lines); i++) {
		machine_up(0x80000000ull, lines[i]);
		sweep();
		expect_intact();
		cache_machine_down();
	}
}

/*
 * RAM above 4 GiB (phys_addr_t is 64-bit on every target): on a 32-bit host the CPU view is
 * still reached through 32-bit pointers, and the instructions must land on it.
 */
static void test_ram_above_4g(void **state)
{
	static const uint64_t bases[] = {0x100000000ull, 0x880000000ull, 0xfff00000000ull};

	(void)state;
	for (unsigned int i = 0; i < MA_ARRAY_SIZE(bases); i++) {
		machine_up(bases[i], 64);
		assert_true(area >= 0x100000000ull);
		assert_ptr_equal(virt_to_page(phys_to_virt(area)), area_pg);
		assert_true(virt_to_phys(phys_to_virt(area + 123)) == area + 123);
		sweep();
		expect_intact();
		cache_machine_down();
	}
}

/*
 * The data a CPU wrote survives what a FROM_DEVICE mapping does to it when the device writes
 * nothing: clean of the partial edges, invalidate of lines the CPU had cleaned.  (On hardware
 * the invalidate would drop dirty lines; the sequence cleans first, so nothing is lost.)
 */
static void test_data_survives(void **state)
{
	(void)state;
	machine_up(0x80000000ull, 128);
	const size_t L = ma_cache_line();
	unsigned char *p = phys_to_virt(area);

	for (size_t i = 0; i < AREA; i++)
		p[i] = (unsigned char)(i * 7 + 3);
	ma_cache_clean(area, AREA);
	ma_cache_sync_for_device(area + L / 2, 5 * L, DMA_FROM_DEVICE);
	ma_cache_sync_for_cpu(area + L / 2, 5 * L, DMA_FROM_DEVICE);
	ma_cache_flush(area + 3, AREA - 6);
	for (size_t i = 0; i < AREA; i++) {
		if (p[i] != (unsigned char)(i * 7 + 3)) {
			fprintf(stderr, "byte %zu changed\n", i);
			fail();
		}
	}
	memset(p, FILL, AREA);
	cache_machine_down();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_line_size, cache_cleanup),
		cmocka_unit_test_teardown(test_unaligned_ranges, cache_cleanup),
		cmocka_unit_test_teardown(test_ram_above_4g, cache_cleanup),
		cmocka_unit_test_teardown(test_data_survives, cache_cleanup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
