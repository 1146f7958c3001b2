/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/iommu_domain.c - the iommu/ module on its own: the IOVA allocator (top-down below
 * the limit, the rcache, merging, exhaustion), the page table (translation, permissions, range
 * heads, clearing), map/unmap of ranges with their statistics, and faults.
 */
#include "test_util.h"

#include "iommu/iommu.h"

static int setup(void **state)
{
	(void)state;
	tu_init(NULL);
	tu_reports_capture();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_reports_release();
	minalign_exit();
	return 0;
}

static struct minalign_stats st(void)
{
	struct minalign_stats s;

	minalign_get_stats(&s);
	return s;
}

static void test_iova_top_down_and_limit(void **state)
{
	struct ma_iommu_domain *d = ma_iommu_domain_new("d", 4096);
	u64 a, b, c;

	(void)state;
	assert_non_null(d);
	a = ma_iova_alloc(d, 1, UINT64_MAX);
	assert_int_equal(a, (((u64)1 << 48) >> 12) - 1); /* the highest granule */
	b = ma_iova_alloc(d, 3, 0xffffffffu);		 /* 3 -> 4 granules, below 4 GiB */
	assert_int_equal(b, 0x100000 - 4);
	c = ma_iova_alloc(d, 100, 0xffffffffu); /* not a cached size: exact */
	assert_int_equal(c, 0x100000 - 4 - 100);
	assert_int_equal(ma_iova_validate(d), 0);
	ma_iova_free(d, c, 100); /* merges back */
	assert_int_equal(ma_iova_validate(d), 0);
	assert_int_equal(ma_iova_alloc(d, 100, 0xffffffffu), c);
	ma_iova_free(d, c, 100);
	ma_iova_free(d, b, 3);
	ma_iova_free(d, a, 1);
	/* a limit of less than two granules leaves only granule 1 */
	assert_int_equal(ma_iova_alloc(d, 1, 0x1fff), 1);
	assert_int_equal(ma_iova_alloc(d, 1, 0x1fff), 0); /* exhausted below the limit */
	ma_iova_free(d, 1, 1);
	assert_int_equal(ma_iova_validate(d), 0);
	ma_iommu_domain_free(d);
}

static void test_iova_rcache(void **state)
{
	struct ma_iommu_domain *d = ma_iommu_domain_new("d", 4096);
	uint64_t h0 = st().iova_rcache_hits;
	u64 a, b;

	(void)state;
	a = ma_iova_alloc(d, 2, UINT64_MAX);
	ma_iova_free(d, a, 2);
	b = ma_iova_alloc(d, 2, UINT64_MAX);
	assert_int_equal(a, b);
	assert_int_equal(st().iova_rcache_hits - h0, 1);
	ma_iova_free(d, b, 2);
	/* a cached IOVA above the limit is not used */
	b = ma_iova_alloc(d, 2, 0xffffffffu);
	assert_true(b != a && ((b + 2) << 12) <= 0x100000000ull);
	assert_int_equal(st().iova_rcache_hits - h0, 1);
	ma_iova_free(d, b, 2);
	/* many frees overflow the cache into the table, which stays consistent */
	{
		u64 v[200];

		for (int i = 0; i < 200; i++)
			v[i] = ma_iova_alloc(d, 1, UINT64_MAX);
		for (int i = 0; i < 200; i += 2)
			ma_iova_free(d, v[i], 1);
		for (int i = 1; i < 200; i += 2)
			ma_iova_free(d, v[i], 1);
		assert_int_equal(ma_iova_validate(d), 0);
	}
	ma_iommu_domain_free(d);
}

static void test_page_table(void **state)
{
	struct ma_iommu_domain *d = ma_iommu_domain_new("d", 65536);
	unsigned int have;

	(void)state;
	assert_int_equal(d->levels, 4);
	assert_int_equal(ma_iommu_pt_map(d, 5, 0x80010000, 3, MA_IOMMU_READ, true), 0);
	assert_int_equal(ma_iommu_pt_lookup(d, (5ull << 16) + 0x1234, MA_IOMMU_READ, &have),
			 0x80011234);
	assert_int_equal(ma_iommu_pt_lookup(d, (7ull << 16) + 1, 0, NULL), 0x80030001);
	assert_int_equal(ma_iommu_pt_lookup(d, 5ull << 16, MA_IOMMU_WRITE, &have),
			 MINALIGN_PHYS_INVALID);
	assert_int_equal(have, MA_IOMMU_READ);
	assert_int_equal(ma_iommu_pt_lookup(d, 8ull << 16, 0, &have), MINALIGN_PHYS_INVALID);
	assert_int_equal(have, 0);
	assert_null(ma_iommu_pt_check(d, 5, 3));
	assert_non_null(ma_iommu_pt_check(d, 6, 2)); /* not a head */
	assert_non_null(ma_iommu_pt_check(d, 5, 2)); /* shorter */
	assert_non_null(ma_iommu_pt_check(d, 5, 4)); /* longer */
	ma_iommu_pt_clear(d, 5, 3);
	assert_string_equal(ma_iommu_pt_check(d, 5, 3), "not mapped");
	ma_iommu_domain_free(d);
}

static void chunk(phys_addr_t phys, size_t off, size_t n, void *arg)
{
	phys_addr_t *seen = arg;

	seen[off ? 1 : 0] = phys + n;
}

static void test_map_unmap_fault(void **state)
{
	struct ma_iommu_domain *d = ma_iommu_domain_new("devname", 4096);
	struct minalign_stats s0 = st();
	phys_addr_t seen[2] = {0, 0}, phys;
	u64 iova;

	(void)state;
	iova = ma_iommu_map_range(d, 0x80001f00, 0x200, MA_IOMMU_WRITE, 0xffffffffu);
	assert_true(iova != 0);
	assert_int_equal(iova & 0xfff, 0xf00); /* the offset in the granule is kept */
	assert_int_equal(ma_iommu_translate(d, iova, 0x200), 0x80001f00);
	assert_int_equal(ma_iommu_access(d, iova, 0x200, MA_IOMMU_WRITE, chunk, seen, "w"), 0);
	assert_int_equal(seen[0], 0x80002000); /* two pieces, split at the granule */
	assert_int_equal(seen[1], 0x80002100);
	assert_int_equal(ma_iommu_access(d, iova, 1, MA_IOMMU_READ, chunk, seen, "r"), -EFAULT);
	assert_int_equal(tu_reports_count(), 1);
	assert_string_equal(tu_report_get(0)->device, "devname");
	tu_expect_report("iommu", "no read permission");
	assert_int_equal(ma_iommu_unmap_range(d, iova, 0x100, &phys, "unmap"), -EINVAL);
	tu_expect_report("iommu", "shorter than the mapped range");
	assert_int_equal(ma_iommu_unmap_range(d, iova, 0x200, &phys, "unmap"), 0);
	assert_int_equal(phys, 0x80001f00);
	assert_int_equal(st().iommu_maps - s0.iommu_maps, 1);
	assert_int_equal(st().iommu_unmaps - s0.iommu_unmaps, 1);
	assert_int_equal(st().iotlb_invalidations - s0.iotlb_invalidations, 1);
	assert_int_equal(ma_iommu_access(d, iova, 1, MA_IOMMU_WRITE, chunk, seen, "w"), -EFAULT);
	tu_expect_report("iommu", "not mapped");
	assert_int_equal(st().iommu_faults - s0.iommu_faults, 2);
	ma_iommu_domain_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_iova_top_down_and_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iova_rcache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_unmap_fault, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
