/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/target_addr.c - address widths on every target, 32-bit ones above all.
 *
 * phys_addr_t and dma_addr_t are 64-bit everywhere; CPU pointers, size_t and unsigned long
 * are 32-bit on armhf.  This checks that nothing in between truncates: the DMA masks, the
 * default and largest RAM a 32-bit host accepts, a simulated RAM placed above 4 GiB (and up to
 * where a 32-bit pfn still reaches) with 32-bit pointers to it, and streaming DMA for 64-bit
 * and 32-bit devices on RAM that straddles 4 GiB.  Runs on the host and
 * under qemu-user for every cross target (scripts/test-cross.sh).
 */
#include "test_util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

_Static_assert(sizeof(phys_addr_t) == 8, "phys_addr_t is 64-bit on every target");
_Static_assert(sizeof(dma_addr_t) == 8, "dma_addr_t is 64-bit on every target");
_Static_assert((phys_addr_t)-1 > 0 && (dma_addr_t)-1 > 0, "addresses are unsigned");

#define HOST_32BIT    (sizeof(void *) == 4)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int cleanup(void **state)
{
	(void)state;
	if (minalign_initialized())
		minalign_exit();
	return 0;
}

static void test_type_widths(void **state)
{
	(void)state;
	fprintf(stderr, "target: %zu-bit pointers, %zu-bit size_t, %zu-bit unsigned long\n",
		sizeof(void *) * 8, sizeof(size_t) * 8, sizeof(unsigned long) * 8);
	assert_int_equal(sizeof(phys_addr_t), 8);
	assert_int_equal(sizeof(dma_addr_t), 8);
	assert_int_equal(sizeof(phys_addr_t), sizeof(dma_addr_t));
	assert_int_equal(sizeof(((struct minalign_config *)0)->ram_base), 8);
	assert_int_equal(sizeof(((struct minalign_report *)0)->addr), 8);
	assert_true(MINALIGN_PHYS_INVALID == UINT64_MAX);
	assert_int_equal(PAGE_SIZE, 4096);
	assert_true((PAGE_MASK & 0xfffff000ul) == 0xfffff000ul);
}

static void test_dma_masks(void **state)
{
	(void)state;
	assert_int_equal(sizeof(DMA_BIT_MASK(32)), 8);
	assert_true(DMA_BIT_MASK(64) == UINT64_MAX);
	assert_true(DMA_BIT_MASK(32) == 0xffffffffull);
	assert_true(DMA_BIT_MASK(32) + 1 == 0x100000000ull); /* no wrap at 32 bits */
	assert_true(DMA_BIT_MASK(24) == 0xffffffull);
	assert_true(DMA_BIT_MASK(36) == 0xfffffffffull);
	assert_true(DMA_BIT_MASK(40) == 0xffffffffffull);
	assert_true(DMA_BIT_MASK(63) == 0x7fffffffffffffffull);
	assert_true((dma_addr_t)DMA_BIT_MASK(48) == 0xffffffffffffull);
	assert_int_equal(sizeof(DMA_MAPPING_ERROR), 8);
	assert_true(DMA_MAPPING_ERROR == UINT64_MAX);
}

static void test_default_ram(void **state)
{
	struct minalign_config c;
	struct minalign_stats st;

	(void)state;
	minalign_config_init(&c);
	assert_int_equal(c.ram_size, HOST_32BIT ? (size_t)256 << 20 : (size_t)1 << 30);
	/* The defaults, and the library's own state, fit the address space. */
	tu_init(&c);
	minalign_get_stats(&st);
	assert_true(st.ram_bytes == c.ram_size);
	minalign_exit();
}

/* A 32-bit host refuses RAM it cannot map; a 64-bit host is not limited to 4 GiB. */
static void test_ram_size_limit(void **state)
{
	struct minalign_config c;

	(void)state;
	tu_reports_capture();
	tu_config_small(&c);
	if (HOST_32BIT) {
		c.ram_size = (size_t)2048 << 20;
		assert_int_equal(minalign_init(&c), -EINVAL);
		tu_expect_report("core", "ram_size");
	} else {
		/* RAM is reserved lazily: 4 GiB + 64 MiB costs address space, not memory. */
		c.ram_size = (size_t)((4096ull + 64) << 20);
		assert_int_equal(minalign_init(&c), 0);
		struct page *pg = alloc_pages(GFP_KERNEL, 0);
		assert_non_null(pg);
		__free_pages(pg, 0);
		minalign_exit();
		tu_expect_no_report();
	}
	tu_reports_release();
}

/* Pages above 4 GiB physical, reached through (possibly 32-bit) pointers. */
static void high_ram(uint64_t base)
{
	struct minalign_config c;
	struct page *pg, *pgs[8];
	phys_addr_t phys;
	unsigned char *va;

	tu_config_small(&c);
	c.ram_base = base;
	tu_init(&c);
	for (unsigned int i = 0; i < ARRAY_SIZE(pgs); i++) {
		pgs[i] = alloc_pages(GFP_KERNEL, i % 3);
		assert_non_null(pgs[i]);
		phys = page_to_phys(pgs[i]);
		assert_true(phys >= base && phys < base + c.ram_size);
		assert_true((phys & (PAGE_SIZE - 1)) == 0);
		va = page_address(pgs[i]);
		assert_non_null(va);
		memset(va, (int)i, PAGE_SIZE << (i % 3));
		assert_true(virt_to_phys(va) == phys);
		assert_true(virt_to_phys(va + 100) == phys + 100);
		assert_ptr_equal(phys_to_virt(phys + 4000), va + 4000);
		assert_ptr_equal(virt_to_page(va + 17), pgs[i]);
		assert_ptr_equal(phys_to_page(phys), pgs[i]);
		assert_true(minalign_addr_in_ram(va, PAGE_SIZE));
		/* pfns are unsigned long, as in Linux: they must not truncate */
		assert_true((uint64_t)page_to_pfn(pgs[i]) == phys >> PAGE_SHIFT);
		assert_ptr_equal(pfn_to_page(page_to_pfn(pgs[i])), pgs[i]);
	}
	/* The last page of RAM, far above 4 GiB. */
	pg = phys_to_page(base + c.ram_size - PAGE_SIZE);
	assert_non_null(pg);
	assert_true(page_to_phys(pg) == base + c.ram_size - PAGE_SIZE);
	assert_null(phys_to_page(base + c.ram_size));
	assert_null(phys_to_page(base - PAGE_SIZE));
	/* Addresses that differ from RAM only above bit 31 are not RAM. */
	assert_null(phys_to_page(base - 0x100000000ull + PAGE_SIZE));
	for (unsigned int i = 0; i < ARRAY_SIZE(pgs); i++) {
		va = page_address(pgs[i]);
		for (size_t b = 0; b < (PAGE_SIZE << (i % 3)); b += 511)
			assert_int_equal(va[b], i);
		__free_pages(pgs[i], i % 3);
	}
	minalign_exit();
}

static void test_ram_above_4g(void **state)
{
	(void)state;
	high_ram(0x100000000ull); /* just above 4 GiB */
	high_ram(0x1c0000000ull); /* 7 GiB: low 32 bits look like a 32-bit RAM base */
	/* 128 TiB; 8 TiB where a 32-bit pfn stops at 16 TiB */
	high_ram(sizeof(unsigned long) == 4 ? 0x80000000000ull : 0x800000000000ull);
}

/* The top of the physical space a host can describe: 2^52 (arm64/riscv), or 2^44 where an
 * unsigned long pfn is 32-bit. */
static void test_ram_at_top(void **state)
{
	uint64_t top = sizeof(unsigned long) == 4 ? 1ull << 44 : 1ull << 52;
	struct minalign_config c;

	(void)state;
	high_ram(top - ((uint64_t)64 << 20));
	tu_reports_capture();
	tu_config_small(&c);
	c.ram_base = top - ((uint64_t)32 << 20); /* RAM would cross the top */
	assert_int_equal(minalign_init(&c), -EINVAL);
	tu_expect_report("core", "ram_base");
	c.ram_base = top;
	assert_int_equal(minalign_init(&c), -EINVAL);
	tu_expect_report("core", "ram_base");
	tu_reports_release();
}

/*
 * Streaming DMA with RAM straddling 4 GiB: a 64-bit device gets the buffer's own address above
 * 4 GiB (dma_addr_t does not truncate with 32-bit pointers), a 32-bit device gets it bounced
 * below 4 GiB, and neither can touch what its mask does not reach.
 */
static void test_dma_across_4g(void **state)
{
	const struct minalign_device_info i64 = {.name = "dev64", .dma_bits = 64};
	const struct minalign_device_info i32 = {.name = "dev32", .dma_bits = 32};
	struct minalign_config c;
	struct minalign_stats st0, st1;
	struct page *blk[20];
	unsigned int nblk = 0, order = MAX_PAGE_ORDER;
	unsigned char in[300], out[300], *buf = NULL;
	struct device *d64, *d32;
	dma_addr_t a;

	(void)state;
	tu_config_small(&c);
	c.ram_base = 0x100000000ull - ((uint64_t)32 << 20); /* 32 MiB below, 32 MiB above */
	tu_init(&c);
	d64 = minalign_device_create(&i64);
	d32 = minalign_device_create(&i32);
	assert_non_null(d64);
	assert_non_null(d32);
	assert_true(dma_get_mask(d32) == 0xffffffffull);
	assert_true(dma_get_mask(d64) == UINT64_MAX);

	/* A buffer above 4 GiB, at an odd offset. */
	while (!buf && nblk < ARRAY_SIZE(blk)) {
		blk[nblk] = alloc_pages(GFP_KERNEL, order);
		assert_non_null(blk[nblk]);
		if (page_to_phys(blk[nblk]) >= 0x100000000ull)
			buf = (unsigned char *)page_address(blk[nblk]) + 4096 + 100;
		nblk++;
	}
	assert_non_null(buf);
	assert_true(virt_to_phys(buf) > 0x100000000ull);
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 13 + 1);
	memcpy(buf, in, sizeof(in));

	/* 64-bit device: direct, the full 64-bit address. */
	minalign_get_stats(&st0);
	a = dma_map_single(d64, buf, sizeof(in), DMA_TO_DEVICE);
	assert_false(dma_mapping_error(d64, a));
	assert_true(a == virt_to_phys(buf));
	assert_int_equal(minalign_dma_read(d64, a, out, sizeof(out)), 0);
	assert_memory_equal(out, in, sizeof(in));
	dma_unmap_single(d64, a, sizeof(in), DMA_TO_DEVICE);
	minalign_get_stats(&st1);
	assert_true(st1.bounce_maps == st0.bounce_maps);

	/* 32-bit device: bounced below 4 GiB, both directions. */
	a = dma_map_single(d32, buf, sizeof(in), DMA_TO_DEVICE);
	assert_false(dma_mapping_error(d32, a));
	assert_true(a + sizeof(in) <= 0x100000000ull);
	assert_int_equal(minalign_dma_read(d32, a, out, sizeof(out)), 0);
	assert_memory_equal(out, in, sizeof(in));
	dma_unmap_single(d32, a, sizeof(in), DMA_TO_DEVICE);
	a = dma_map_single(d32, buf, sizeof(in), DMA_FROM_DEVICE);
	assert_false(dma_mapping_error(d32, a));
	assert_true(a + sizeof(in) <= 0x100000000ull);
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (unsigned char)~in[i];
	assert_int_equal(minalign_dma_write(d32, a, out, sizeof(out)), 0);
	dma_unmap_single(d32, a, sizeof(in), DMA_FROM_DEVICE);
	assert_memory_equal(buf, out, sizeof(out));
	minalign_get_stats(&st1);
	assert_true(st1.bounce_maps == st0.bounce_maps + 2);
	assert_true(st1.dma_live_mappings == 0);

	/* The 32-bit device cannot reach the buffer itself. */
	tu_reports_capture();
	assert_int_equal(minalign_dma_write(d32, virt_to_phys(buf), in, 16), -EFAULT);
	assert_int_equal(tu_reports_count(), 1);
	tu_reports_release();

	minalign_device_destroy(d32);
	minalign_device_destroy(d64);
	while (nblk)
		__free_pages(blk[--nblk], order);
	minalign_exit();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_type_widths, cleanup),
		cmocka_unit_test_teardown(test_dma_masks, cleanup),
		cmocka_unit_test_teardown(test_default_ram, cleanup),
		cmocka_unit_test_teardown(test_ram_size_limit, cleanup),
		cmocka_unit_test_teardown(test_ram_above_4g, cleanup),
		cmocka_unit_test_teardown(test_ram_at_top, cleanup),
		cmocka_unit_test_teardown(test_dma_across_4g, cleanup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
