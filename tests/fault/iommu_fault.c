/* SPDX-License-Identifier: MIT */
/*
 * iommu_fault - fault injection on what issue 14 allocates: the IOMMU domain (device
 * creation), the page tables of a first mapping, the growth of the IOVA allocator's range
 * table, and kmalloc bounce buffers (the object and its record), on plain and IOMMU devices.
 *
 * A walk in the style of walk.h, but a failed mapping must report exactly once (the issue's
 * contract for these failures: DMA_MAPPING_ERROR with a report) where walk.h wants none; a
 * failed device creation reports nothing (metadata failures never do).  Every run starts from
 * a settled allocator; a failed run must have been failed by the injection and leave pages,
 * metadata and the DMA statistics as they were; a successful one is checked end to end (the
 * device reads and writes the data) and undone.  Each walk must find at least one failure
 * point, and ends at the first run no fault hits.
 */
#include "../unit/dma_helpers.h"

#include <stdio.h>

struct op {
	const char *name;
	bool iommu;
	int premap;	     /* live page mappings made before the run */
	size_t size, offset; /* the buffer mapped by the run (in a page block) */
	const char *subsys;  /* the failure's report, or NULL for none */
	bool at_create;	     /* inject into minalign_device_create(), else into the mapping */
};

static void start(enum minalign_bounce_backend be)
{
	struct minalign_config c;

	th_config(&c, MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)1 << 20);
	c.bounce_backend = be;
	tu_init(&c);
	tu_reports_capture();
}

static int teardown(void **state)
{
	(void)state;
	minalign_fault_set(0, 0);
	tu_reports_release();
	minalign_exit();
	return 0;
}

static struct minalign_stats settled(void)
{
	minalign_slab_shrink();
	return th_stats();
}

/* One run with the @n-th allocation of @kinds failing: true when the mapping succeeded. */
static bool one_run(const struct op *op, unsigned long n, unsigned int kinds, unsigned long *hits)
{
	struct minalign_device_info info = {.name = "dev", .iommu = op->iommu};
	struct minalign_stats s0 = settled(), s1;
	unsigned char *blk = th_pages(1), *pre[8];
	struct device *dev;
	dma_addr_t a, pa[8];
	bool ok;

	if (op->at_create)
		minalign_fault_set(n, kinds);
	dev = minalign_device_create(&info);
	*hits = minalign_fault_hits();
	minalign_fault_set(0, 0);
	if (!dev) { /* only the domain or the device's own metadata */
		assert_true(*hits > 0);
		assert_int_equal(tu_reports_count(), 0);
		free_pages((unsigned long)blk, 1);
		s1 = settled();
		assert_int_equal(s1.meta_live, s0.meta_live);
		assert_int_equal(s1.pages_free, s0.pages_free);
		return false;
	}
	for (int i = 0; i < op->premap; i++) {
		pre[i] = th_pages(0);
		pa[i] = dma_map_single(dev, pre[i], PAGE_SIZE, DMA_TO_DEVICE);
		assert_int_equal(dma_mapping_error(dev, pa[i]), 0);
	}
	s1 = settled();
	th_fill(blk + op->offset, 7, op->size);
	if (!op->at_create)
		minalign_fault_set(n, kinds);
	a = dma_map_single(dev, blk + op->offset, op->size, DMA_BIDIRECTIONAL);
	if (!op->at_create)
		*hits = minalign_fault_hits();
	minalign_fault_set(0, 0);
	ok = !dma_mapping_error(dev, a);
	if (ok) {
		assert_true(th_dev_holds(dev, a, 7, op->size));
		th_dev_fill(dev, a, 9, op->size);
		dma_unmap_single(dev, a, op->size, DMA_BIDIRECTIONAL);
		assert_true(th_holds(blk + op->offset, 9, op->size));
		tu_expect_no_report();
	} else {
		struct minalign_stats s2 = settled();

		assert_true(*hits > 0);
		if (tu_reports_count() != 1)
			tu_reports_dump();
		assert_int_equal(tu_reports_count(), 1);
		assert_string_equal(tu_report_get(0)->subsystem, op->subsys);
		tu_reports_clear();
		assert_int_equal(s2.pages_free, s1.pages_free);
		assert_int_equal(s2.dma_live_mappings, s1.dma_live_mappings);
		assert_int_equal(s2.swiotlb_slots_used, s1.swiotlb_slots_used);
		assert_int_equal(s2.kmalloc_bounce_bytes, s1.kmalloc_bounce_bytes);
		assert_int_equal(s2.iommu_maps - s2.iommu_unmaps, s1.iommu_maps - s1.iommu_unmaps);
	}
	for (int i = 0; i < op->premap; i++) {
		dma_unmap_single(dev, pa[i], PAGE_SIZE, DMA_TO_DEVICE);
		free_pages((unsigned long)pre[i], 0);
	}
	minalign_device_destroy(dev);
	free_pages((unsigned long)blk, 1);
	assert_int_equal(settled().pages_free, s0.pages_free);
	kfree(kmalloc(8, GFP_KERNEL));
	return ok;
}

/* Walk @op until a run is hit by no fault; returns the failure points found. */
static unsigned int walk(const struct op *op, unsigned int kinds)
{
	unsigned int failures = 0;

	for (unsigned long n = 1; n < 200; n++) {
		unsigned long hits = 0;

		failures += !one_run(op, n, kinds, &hits);
		if (!hits)
			return failures;
	}
	fail_msg("%s: still hitting faults after 200 runs", op->name);
	return failures;
}

/* An IOMMU device's creation (its domain: descriptor, range table, root table). */
static void test_domain(void **state)
{
	static const struct op op = {"IOMMU device", true, 0, PAGE_SIZE, 0, NULL, true};

	(void)state;
	start(MINALIGN_BOUNCE_SWIOTLB);
	assert_true(walk(&op, MINALIGN_FAULT_META) >= 4);
}

/* A page mapped on a fresh IOMMU device: its page tables (three levels below the root). */
static void test_page_tables(void **state)
{
	static const struct op op = {"first IOMMU mapping", true, 0, PAGE_SIZE, 0, "iommu", false};

	(void)state;
	start(MINALIGN_BOUNCE_SWIOTLB);
	assert_int_equal(walk(&op, MINALIGN_FAULT_META), 3);
	assert_int_equal(walk(&op, MINALIGN_FAULT_META | MINALIGN_FAULT_PERSIST), 3);
}

/* The eighth live IOVA range makes the allocator's range table grow. */
static void test_iova_table_growth(void **state)
{
	static const struct op op = {
		"IOVA allocation (table growth)", true, 7, PAGE_SIZE, 0, "iommu", false};

	(void)state;
	start(MINALIGN_BOUNCE_SWIOTLB);
	assert_int_equal(walk(&op, MINALIGN_FAULT_META), 1);
}

/* A bounced (sub-line) buffer through kmalloc: the object's slab page, then its record. */
static void test_kmalloc_bounce(void **state)
{
	static const struct op plain = {"kmalloc bounce", false, 0, 40, 8, "dma", false};
	static const struct op iommu = {
		"kmalloc bounce behind an IOMMU", true, 1, 40, 8, "dma", false};

	(void)state;
	start(MINALIGN_BOUNCE_KMALLOC);
	assert_true(walk(&plain,
			 MINALIGN_FAULT_PAGE | MINALIGN_FAULT_META | MINALIGN_FAULT_PERSIST) >= 1);
	assert_true(walk(&plain, MINALIGN_FAULT_PAGE) >= 1);
	assert_true(walk(&iommu,
			 MINALIGN_FAULT_PAGE | MINALIGN_FAULT_META | MINALIGN_FAULT_PERSIST) >= 1);
}

/* A swiotlb bounce behind an IOMMU: the IOVA side may fail after the slots were taken. */
static void test_swiotlb_bounce_iommu(void **state)
{
	static const struct op op = {
		"swiotlb bounce behind an IOMMU", true, 0, 40, 8, "iommu", false};

	(void)state;
	start(MINALIGN_BOUNCE_SWIOTLB);
	assert_true(walk(&op, MINALIGN_FAULT_META) >= 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_domain, teardown),
		cmocka_unit_test_teardown(test_page_tables, teardown),
		cmocka_unit_test_teardown(test_iova_table_growth, teardown),
		cmocka_unit_test_teardown(test_kmalloc_bounce, teardown),
		cmocka_unit_test_teardown(test_swiotlb_bounce_iommu, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
