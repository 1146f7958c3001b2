/* SPDX-License-Identifier: MIT */
/*
 * tests/scenario/iommu_contract.c - what issue 14 promises, one test each: devices behind an
 * IOMMU (bounce decision, faults, sg merging, untrusted isolation, coherent memory) and the
 * kmalloc bounce backend without a pool.  DMA debug is off unless a test says otherwise, so
 * every fault seen here is the IOMMU's own.
 */
#include "../unit/dma_helpers.h"

#include <errno.h>
#include <stdio.h>

static void init_cfg(enum minalign_bounce_backend be, size_t pool)
{
	struct minalign_config c;

	th_config(&c, MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, pool);
	c.bounce_backend = be;
	tu_init(&c);
	tu_reports_capture();
}

static int setup_pool(void **state)
{
	(void)state;
	init_cfg(MINALIGN_BOUNCE_SWIOTLB, (size_t)1 << 20);
	return 0;
}

static int setup_kmalloc_nopool(void **state)
{
	(void)state;
	init_cfg(MINALIGN_BOUNCE_KMALLOC, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_reports_release();
	minalign_exit();
	return 0;
}

static struct device *mk_c(const char *name, unsigned int granule, bool untrusted, bool coherent)
{
	struct minalign_device_info info = {.name = name,
					    .coherent = coherent,
					    .iommu = true,
					    .iova_granule = granule,
					    .untrusted = untrusted};
	struct device *dev = minalign_device_create(&info);

	assert_non_null(dev);
	return dev;
}

static struct device *mk(const char *name, unsigned int granule, bool untrusted)
{
	return mk_c(name, granule, untrusted, false);
}

/* On an IOMMU device, kmalloc(16) FROM_DEVICE under BOUNCE is bounced and its data arrives. */
static void test_kmalloc16_bounced(void **state)
{
	struct device *dev = mk("smmu0", 0, false);
	struct minalign_stats s0 = th_stats();
	void *buf = kmalloc(16, GFP_KERNEL);
	dma_addr_t a;

	(void)state;
	th_fill(buf, 3, 16);
	a = dma_map_single(dev, buf, 16, DMA_FROM_DEVICE);
	assert_int_equal(dma_mapping_error(dev, a), 0);
	assert_int_equal(th_stats().bounce_maps - s0.bounce_maps, 1);
	assert_int_equal(th_stats().iommu_maps - s0.iommu_maps, 1);
	assert_true((uintptr_t)a != (uintptr_t)virt_to_phys(buf)); /* an IOVA */
	th_dev_fill(dev, a, 77, 16);
	dma_unmap_single(dev, a, 16, DMA_FROM_DEVICE);
	assert_true(th_holds(buf, 77, 16));
	assert_int_equal(th_stats().iotlb_invalidations - s0.iotlb_invalidations, 1);
	tu_expect_no_report();
	kfree(buf);
	minalign_device_destroy(dev);
}

/* A page-aligned 4 KiB FROM_DEVICE mapping is not bounced (and arrives). */
static void test_page_not_bounced(void **state)
{
	struct device *dev = mk("smmu0", 0, false);
	struct minalign_stats s0 = th_stats();
	unsigned char *pg = th_pages(0);
	dma_addr_t a;

	(void)state;
	a = dma_map_single(dev, pg, PAGE_SIZE, DMA_FROM_DEVICE);
	assert_int_equal(dma_mapping_error(dev, a), 0);
	assert_int_equal(th_stats().bounce_maps, s0.bounce_maps);
	assert_int_equal(a & (PAGE_SIZE - 1), 0);
	th_dev_fill(dev, a, 5, PAGE_SIZE);
	dma_unmap_single(dev, a, PAGE_SIZE, DMA_FROM_DEVICE);
	assert_true(th_holds(pg, 5, PAGE_SIZE));
	tu_expect_no_report();
	free_pages((unsigned long)pg, 0);
	minalign_device_destroy(dev);
}

/*
 * A device write one granule past a mapping is an IOMMU fault with DMA debug off.  A coherent
 * device, so that the unaligned buffer is mapped directly (never bounced for alignment).
 */
static void test_write_past_granule_faults(void **state)
{
	struct device *dev = mk_c("smmu0", 0, false, true);
	unsigned char *pg = th_pages(0), x[64] = {0};
	uint64_t f0 = th_stats().iommu_faults;
	dma_addr_t a;

	(void)state;
	memset(pg, 0x5a, PAGE_SIZE);
	a = dma_map_single(dev, pg + 100, 200, DMA_FROM_DEVICE);
	assert_int_equal(dma_mapping_error(dev, a), 0);
	/* the rest of the mapped granule is reachable (as on hardware): no fault */
	assert_int_equal(minalign_dma_write(dev, a - 100, x, 64), 0);
	tu_expect_no_report();
	assert_int_equal(minalign_dma_write(dev, (a & ~(dma_addr_t)4095) + 4096, x, 1), -EFAULT);
	assert_int_equal(th_stats().iommu_faults - f0, 1);
	tu_expect_report("iommu", "IOMMU fault");
	/* a FROM_DEVICE mapping has no read permission */
	assert_int_equal(minalign_dma_read(dev, a, x, 8), -EFAULT);
	tu_expect_report("iommu", "no read permission");
	dma_unmap_single(dev, a, 200, DMA_FROM_DEVICE);
	free_pages((unsigned long)pg, 0);
	minalign_device_destroy(dev);
}

/* The report names the device and the IOVA. */
static void report_names(const char *dev, dma_addr_t iova)
{
	char want[32];

	assert_int_equal(tu_reports_count(), 1);
	assert_string_equal(tu_report_get(0)->device, dev);
	snprintf(want, sizeof(want), "%#llx", (unsigned long long)iova);
	assert_non_null(strstr(tu_report_get(0)->message, want));
	tu_reports_clear();
}

/* Use after unmap faults; so does an overrun that crosses into the next granule. */
static void test_use_after_unmap_and_overrun(void **state)
{
	struct device *dev = mk("smmu-uaf", 0, false);
	unsigned char *pg = th_pages(1), x[8192] = {0};
	dma_addr_t a;

	(void)state;
	a = dma_map_single(dev, pg, PAGE_SIZE, DMA_TO_DEVICE);
	assert_int_equal(minalign_dma_read(dev, a, x, PAGE_SIZE), 0);
	assert_int_equal(minalign_dma_read(dev, a, x, PAGE_SIZE + 1), -EFAULT);
	report_names("smmu-uaf", a + PAGE_SIZE);
	assert_int_equal(minalign_dma_write(dev, a, x, 1), -EFAULT); /* TO_DEVICE: read-only */
	tu_expect_report("iommu", "no write permission");
	dma_unmap_single(dev, a, PAGE_SIZE, DMA_TO_DEVICE);
	assert_int_equal(minalign_dma_read(dev, a, x, 1), -EFAULT);
	report_names("smmu-uaf", a);
	/* unmapping it again is refused by the IOMMU layer (one report) */
	dma_unmap_single(dev, a, PAGE_SIZE, DMA_TO_DEVICE);
	tu_expect_report("iommu", "not mapped");
	free_pages((unsigned long)pg, 1);
	minalign_device_destroy(dev);
}

/* dma_map_sg of three page-aligned pages returns 1 (one IOVA range), data arrives. */
static void test_sg_three_pages_merge(void **state)
{
	struct device *dev = mk("smmu0", 0, false);
	unsigned char *p[3], stream[3 * PAGE_SIZE];
	struct scatterlist sg[3];
	uint64_t inv0 = th_stats().iotlb_invalidations;

	(void)state;
	sg_init_table(sg, 3);
	for (int i = 0; i < 3; i++) {
		p[2 - i] = th_pages(0); /* not physically contiguous in order */
	}
	for (int i = 0; i < 3; i++)
		sg_set_buf(&sg[i], p[i], PAGE_SIZE);
	assert_int_equal(dma_map_sg(dev, sg, 3, DMA_BIDIRECTIONAL), 1);
	assert_int_equal(sg_dma_len(&sg[0]), 3 * PAGE_SIZE);
	assert_int_equal(sg_dma_len(&sg[1]), 0);
	th_fill(stream, 9, sizeof(stream));
	assert_int_equal(minalign_dma_write(dev, sg_dma_address(&sg[0]), stream, sizeof(stream)),
			 0);
	dma_sync_sg_for_cpu(dev, sg, 3, DMA_BIDIRECTIONAL);
	for (int i = 0; i < 3; i++)
		assert_memory_equal(p[i], stream + i * PAGE_SIZE, PAGE_SIZE);
	dma_sync_sg_for_device(dev, sg, 3, DMA_BIDIRECTIONAL);
	dma_unmap_sg(dev, sg, 3, DMA_BIDIRECTIONAL);
	assert_int_equal(th_stats().iotlb_invalidations - inv0, 1);
	assert_int_equal(th_stats().dma_live_mappings, 0);
	assert_int_equal(minalign_dma_read(dev, sg_dma_address(&sg[0]), stream, 1), -EFAULT);
	tu_expect_report("iommu", "IOMMU fault");
	for (int i = 0; i < 3; i++)
		free_pages((unsigned long)p[i], 0);
	minalign_device_destroy(dev);
}

/* Untrusted: the device reads no neighbour byte and cannot write one, in any direction. */
static void test_untrusted_isolation(void **state)
{
	static const enum dma_data_direction dirs[] = {DMA_TO_DEVICE, DMA_BIDIRECTIONAL};
	struct device *dev = mk("thunderbolt", 16384, true);
	unsigned char g[16384];

	(void)state;
	for (unsigned int d = 0; d < 2; d++) {
		uint64_t b0 = th_stats().bounce_maps;
		void *buf, *nb;
		dma_addr_t a, base;

		th_pair(40, GFP_KERNEL, &buf, &nb);
		memset(nb, 0xee, 40); /* the neighbour's secret */
		th_fill(buf, 1, 40);
		a = dma_map_single(dev, buf, 40, dirs[d]);
		assert_int_equal(dma_mapping_error(dev, a), 0);
		assert_int_equal(th_stats().bounce_maps - b0, 1); /* bounced even TO_DEVICE */
		base = a & ~(dma_addr_t)16383;
		assert_int_equal(minalign_dma_read(dev, base, g, sizeof(g)), 0);
		for (size_t i = 0; i < sizeof(g); i++) {
			if (base + i >= a && base + i < a + 40)
				continue;
			assert_int_equal(g[i], 0); /* zeroed padding, never the neighbour */
		}
		assert_true(th_holds(g + (a - base), 1, 40));
		if (dirs[d] == DMA_BIDIRECTIONAL) { /* overrun writes land in padding */
			memset(g, 0x77, sizeof(g));
			assert_int_equal(minalign_dma_write(dev, base, g, sizeof(g)), 0);
		}
		dma_unmap_single(dev, a, 40, dirs[d]);
		for (int i = 0; i < 40; i++)
			assert_int_equal(((unsigned char *)nb)[i], 0xee);
		tu_expect_no_report();
		kfree(buf);
		kfree(nb);
	}
	/* a granule-aligned buffer is not bounced on an untrusted device either */
	{
		unsigned char *pg = th_pages(2);
		uint64_t b0 = th_stats().bounce_maps;
		dma_addr_t a = dma_map_single(dev, pg, 16384, DMA_FROM_DEVICE);

		assert_int_equal(th_stats().bounce_maps, b0);
		dma_unmap_single(dev, a, 16384, DMA_FROM_DEVICE);
		free_pages((unsigned long)pg, 2);
	}
	minalign_device_destroy(dev);
}

/* Coherent memory and dma_pool hand out IOVAs that the device reaches. */
static void test_coherent_and_pool(void **state)
{
	struct device *dev = mk("smmu0", 65536, false);
	struct dma_pool *pool;
	dma_addr_t h, ph;
	unsigned char *cpu, *blk, x;

	(void)state;
	cpu = dma_alloc_coherent(dev, 100, &h, GFP_KERNEL);
	assert_non_null(cpu);
	assert_true((uintptr_t)h != (uintptr_t)virt_to_phys(cpu));
	th_dev_fill(dev, h + 10, 4, 50);
	assert_true(th_holds(cpu + 10, 4, 50));
	dma_free_coherent(dev, 100, cpu, h);
	assert_int_equal(minalign_dma_read(dev, h, &x, 1), -EFAULT);
	tu_expect_report("iommu", "IOMMU fault");
	pool = dma_pool_create("descs", dev, 64, 64, 0);
	assert_non_null(pool);
	blk = dma_pool_alloc(pool, GFP_KERNEL, &ph);
	assert_non_null(blk);
	th_dev_fill(dev, ph, 8, 64);
	assert_true(th_holds(blk, 8, 64));
	dma_pool_free(pool, blk, ph);
	dma_pool_destroy(pool);
	tu_expect_no_report();
	minalign_device_destroy(dev);
}

/* With the kmalloc backend and no pool: 8-byte kmalloc, bounces from kmalloc. */
static void test_kmalloc_backend_nopool(void **state)
{
	struct device *dev = th_dev("nic", false, 0, false);
	struct minalign_stats s0 = th_stats();
	bool eight = false;
	void *o[16], *buf, *nb;
	dma_addr_t a;

	(void)state;
	assert_int_equal(s0.swiotlb_pools, 0);
	assert_false(is_swiotlb_active(NULL));
	for (int i = 0; i < 16; i++) { /* some kmalloc(8) object is only 8-aligned */
		o[i] = kmalloc(8, GFP_KERNEL);
		assert_int_equal((uintptr_t)o[i] & 7, 0);
		eight |= ((uintptr_t)o[i] & 15) == 8;
	}
	assert_true(eight);
	for (int i = 0; i < 16; i++)
		kfree(o[i]);
	assert_true(th_pair(24, GFP_KERNEL, &buf, &nb)); /* packed with a neighbour: unsafe */
	th_fill(buf, 1, 24);
	a = dma_map_single(dev, buf, 24, DMA_FROM_DEVICE);
	assert_int_equal(dma_mapping_error(dev, a), 0);
	assert_int_equal(th_stats().bounce_maps - s0.bounce_maps, 1);
	assert_false(is_swiotlb_buffer(dev, a));
	assert_true(th_stats().kmalloc_bounce_bytes > 0);
	memset(nb, 0x42, 24);
	th_dev_fill(dev, a, 66, 24);
	dma_unmap_single(dev, a, 24, DMA_FROM_DEVICE);
	assert_true(th_holds(buf, 66, 24));
	for (int i = 0; i < 24; i++)
		assert_int_equal(((unsigned char *)nb)[i], 0x42);
	assert_int_equal(th_stats().swiotlb_pools, 0);
	assert_int_equal(th_stats().kmalloc_bounce_bytes, 0);
	assert_true(th_stats().kmalloc_bounce_bytes_peak >= 128);
	assert_int_equal(th_stats().sim_conflicts, 0);
	tu_expect_no_report();
	kfree(buf);
	kfree(nb);
	minalign_device_destroy(dev);
}

/* kmalloc backend: sub-range syncs and a wrong unmap address are handled. */
static void test_kmalloc_backend_sync_and_misuse(void **state)
{
	struct device *dev = th_dev("nic", false, 0, false);
	void *buf, *nb;
	dma_addr_t a;

	(void)state;
	assert_true(th_pair(40, GFP_KERNEL, &buf, &nb));
	th_fill(buf, 1, 40);
	a = dma_map_single(dev, buf, 40, DMA_BIDIRECTIONAL);
	assert_int_equal(dma_mapping_error(dev, a), 0);
	th_dev_fill(dev, a + 8, 30, 16);
	dma_sync_single_for_cpu(dev, a + 8, 16, DMA_BIDIRECTIONAL);
	assert_true(th_holds((unsigned char *)buf + 8, 30, 16));
	assert_true(th_holds(buf, 1, 8));
	th_fill(buf, 2, 40);
	dma_sync_single_for_device(dev, a, 40, DMA_BIDIRECTIONAL);
	assert_true(th_dev_holds(dev, a, 2, 40));
	dma_unmap_single(dev, a + 8, 32, DMA_BIDIRECTIONAL);
	tu_expect_report("dma", "not the start of a live kmalloc bounce");
	dma_unmap_single(dev, a, 40, DMA_BIDIRECTIONAL);
	tu_expect_no_report();
	kfree(buf);
	kfree(nb);
	minalign_device_destroy(dev);
}

/* kmalloc backend behind an IOMMU: kmalloc(16) is bounced in a granule-aligned object. */
static void test_kmalloc_backend_iommu(void **state)
{
	struct device *dev = mk("smmu0", 0, true);
	uint64_t b0 = th_stats().bounce_maps;
	void *buf = kmalloc(16, GFP_KERNEL);
	unsigned char g[4096];
	dma_addr_t a;

	(void)state;
	th_fill(buf, 3, 16);
	a = dma_map_single(dev, buf, 16, DMA_BIDIRECTIONAL);
	assert_int_equal(dma_mapping_error(dev, a), 0);
	assert_int_equal(th_stats().bounce_maps - b0, 1);
	assert_int_equal(minalign_dma_read(dev, a & ~(dma_addr_t)4095, g, 4096), 0);
	for (size_t i = 0; i < 4096; i++)
		if (i < (a & 4095) || i >= (a & 4095) + 16)
			assert_int_equal(g[i], 0);
	th_dev_fill(dev, a, 12, 16);
	dma_unmap_single(dev, a, 16, DMA_BIDIRECTIONAL);
	assert_true(th_holds(buf, 12, 16));
	assert_int_equal(th_stats().kmalloc_bounce_bytes, 0);
	tu_expect_no_report();
	kfree(buf);
	minalign_device_destroy(dev);
}

/* A bad granule is refused at creation with one report. */
static void test_bad_granule(void **state)
{
	struct minalign_device_info info = {
		.name = "x", .iommu = true, .iova_granule = 8192 + 4096};

	(void)state;
	assert_null(minalign_device_create(&info));
	tu_expect_report("device", "iova_granule");
	info.iova_granule = 131072;
	assert_null(minalign_device_create(&info));
	tu_expect_report("device", "iova_granule");
}

/* With DMA debug on, an IOMMU device still works (sg per segment) and faults still report. */
static void test_with_dma_debug(void **state)
{
	struct minalign_config c;
	struct device *dev;
	unsigned char *p[3], x;
	struct scatterlist sg[3];

	(void)state;
	tu_reports_release();
	minalign_exit();
	th_config(&c, MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)1 << 20);
	c.debug = MINALIGN_DEBUG_DMA;
	tu_init(&c);
	tu_reports_capture();
	dev = mk("smmu-dbg", 0, false);
	sg_init_table(sg, 3);
	for (int i = 0; i < 3; i++) {
		p[i] = th_pages(0);
		sg_set_buf(&sg[i], p[i], PAGE_SIZE);
	}
	assert_int_equal(dma_map_sg(dev, sg, 3, DMA_FROM_DEVICE), 3);
	th_dev_fill(dev, sg_dma_address(&sg[1]), 4, PAGE_SIZE);
	dma_unmap_sg(dev, sg, 3, DMA_FROM_DEVICE);
	assert_true(th_holds(p[1], 4, PAGE_SIZE));
	assert_int_equal(minalign_dma_write(dev, sg_dma_address(&sg[1]), &x, 1), -EFAULT);
	tu_expect_report("iommu", "IOMMU fault");
	for (int i = 0; i < 3; i++)
		free_pages((unsigned long)p[i], 0);
	minalign_device_destroy(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kmalloc16_bounced, setup_pool, teardown),
		cmocka_unit_test_setup_teardown(test_page_not_bounced, setup_pool, teardown),
		cmocka_unit_test_setup_teardown(test_write_past_granule_faults, setup_pool,
						teardown),
		cmocka_unit_test_setup_teardown(test_use_after_unmap_and_overrun, setup_pool,
						teardown),
		cmocka_unit_test_setup_teardown(test_sg_three_pages_merge, setup_pool, teardown),
		cmocka_unit_test_setup_teardown(test_untrusted_isolation, setup_pool, teardown),
		cmocka_unit_test_setup_teardown(test_untrusted_isolation, setup_kmalloc_nopool,
						teardown),
		cmocka_unit_test_setup_teardown(test_coherent_and_pool, setup_pool, teardown),
		cmocka_unit_test_setup_teardown(test_kmalloc_backend_nopool, setup_kmalloc_nopool,
						teardown),
		cmocka_unit_test_setup_teardown(test_kmalloc_backend_sync_and_misuse,
						setup_kmalloc_nopool, teardown),
		cmocka_unit_test_setup_teardown(test_kmalloc_backend_iommu, setup_kmalloc_nopool,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_granule, setup_pool, teardown),
		cmocka_unit_test_setup_teardown(test_with_dma_debug, setup_pool, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
