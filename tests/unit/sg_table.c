/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/sg_table.c - scatterlist tables against Linux's lib/scatterlist.c and
 * include/linux/scatterlist.h: page_link marks (sg_mark_end, sg_unmark_end, sg_chain,
 * sg_is_chain, sg_chain_ptr), sg_next/for_each_sg across chains, sg_nents, sg_nents_for_len,
 * sg_last, sg_alloc_table/sg_free_table (__sg_alloc_table's chunking by SG_MAX_SINGLE_ALLOC),
 * sg_alloc_table_from_pages(_segment) (sg_alloc_append_table_from_pages's merging),
 * sg_copy_from_buffer/sg_copy_to_buffer, and kernel/dma/mapping.c's dma_map_sgtable on the
 * simulator with the data checked.
 */
#include "test_util.h"
#include "dma_helpers.h"

#include <errno.h>
#include <string.h>

static void test_marks_and_chain(void **state)
{
	struct scatterlist a[3], b[2];
	struct scatterlist *sg;
	unsigned int i, n = 0;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 0);
	tu_reports_capture();
	sg_init_table(a, 3);
	sg_init_table(b, 2);
	assert_true(sg_is_last(&a[2]));
	assert_false(sg_is_last(&a[1]));
	/* a[2] becomes the link: a describes 2 segments, b 2 more */
	sg_chain(a, 3, b);
	assert_true(sg_is_chain(&a[2]));
	assert_false(sg_is_last(&a[2]));
	assert_ptr_equal(sg_chain_ptr(&a[2]), b);
	assert_ptr_equal(sg_next(&a[1]), &b[0]); /* the link is skipped */
	assert_null(sg_next(&b[1]));
	assert_int_equal(sg_nents(a), 4);
	assert_ptr_equal(sg_last(a, 4), &b[1]);
	for_each_sg (a, sg, 4, i)
		sg->length = 16 * (++n);
	assert_int_equal(b[1].length, 64);
	/* sg_nents_for_len: entries needed to cover len, -EINVAL when too short */
	assert_int_equal(sg_nents_for_len(a, 0), 0);
	assert_int_equal(sg_nents_for_len(a, 16), 1);
	assert_int_equal(sg_nents_for_len(a, 17), 2);
	assert_int_equal(sg_nents_for_len(a, 160), 4);
	assert_int_equal(sg_nents_for_len(a, 161), -EINVAL);
	/* sg_unmark_end/sg_mark_end move the end */
	sg_unmark_end(&b[1]);
	sg_mark_end(&b[0]);
	assert_int_equal(sg_nents(a), 3);
	tu_expect_no_report();
	minalign_exit();
}

static void test_alloc_table_chunks(void **state)
{
	const unsigned int max = (unsigned int)SG_MAX_SINGLE_ALLOC;
	const unsigned int sizes[] = {1, max - 1, max, max + 1, 2 * max + 5};
	const unsigned int links_want[] = {0, 0, 0, 1, 2};
	struct tu_snapshot snap;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 0);
	tu_reports_capture();
	tu_snapshot(&snap);
	assert_int_equal(max, PAGE_SIZE / sizeof(struct scatterlist));
	for (unsigned int k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct sg_table t;
		struct scatterlist *sg, *last = NULL, *arr;
		unsigned int i, links = 0, n = sizes[k], left = n;

		assert_int_equal(sg_alloc_table(&t, n, GFP_KERNEL), 0);
		assert_int_equal(t.nents, n);
		assert_int_equal(t.orig_nents, n);
		for_each_sgtable_sg(&t, sg, i)
		{
			assert_non_null(sg);
			last = sg;
		}
		assert_true(sg_is_last(last));
		assert_int_equal(sg_nents(t.sgl), (int)n);
		/* __sg_alloc_table: full arrays of max entries spend their last on the link */
		for (arr = t.sgl; left > max; left -= max - 1, links++) {
			assert_true(sg_is_chain(&arr[max - 1]));
			arr = sg_chain_ptr(&arr[max - 1]);
		}
		assert_true(sg_is_last(&arr[left - 1]));
		assert_int_equal(links, links_want[k]);
		sg_free_table(&t);
		assert_null(t.sgl);
	}
	tu_assert_no_leak(&snap);
	assert_int_equal(sg_alloc_table(NULL, 1, GFP_KERNEL), -EINVAL);
	tu_expect_report("dma", "NULL table");
	tu_expect_no_report();
	minalign_exit();
}

/* Every allocation failure of a chained table leaves nothing behind and a zeroed table. */
static void test_alloc_table_faults(void **state)
{
	struct tu_snapshot snap;
	struct sg_table t;
	unsigned long n;
	int err = -1;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 0);
	tu_reports_capture();
	tu_snapshot(&snap);
	for (n = 1; err && n < 20; n++) {
		minalign_fault_set(n, MINALIGN_FAULT_PAGE | MINALIGN_FAULT_META);
		err = sg_alloc_table(&t, 3 * (unsigned int)SG_MAX_SINGLE_ALLOC, GFP_KERNEL);
		minalign_fault_set(0, 0);
		if (err) {
			assert_int_equal(err, -ENOMEM);
			assert_null(t.sgl);
			assert_int_equal(t.orig_nents, 0);
			minalign_slab_shrink();
			tu_assert_no_leak(&snap);
		}
	}
	assert_int_equal(err, 0);
	assert_true(n > 2);
	sg_free_table(&t);
	minalign_slab_shrink();
	tu_assert_no_leak(&snap);
	tu_expect_no_report();
	minalign_exit();
}

/* sg_alloc_append_table_from_pages: contiguous pages merge, up to max_segment. */
static void test_from_pages(void **state)
{
	struct page *pages[6];
	struct sg_table t;
	unsigned long block;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 0);
	tu_reports_capture();
	block = __get_free_pages(GFP_KERNEL, 2); /* 4 contiguous pages */
	assert_true(block);
	for (int i = 0; i < 4; i++)
		pages[i] = virt_to_page((void *)(block + (unsigned long)i * PAGE_SIZE));
	pages[4] = pages[1]; /* not after pages[3]: a new segment */
	pages[5] = pages[0]; /* not after pages[1]: another */
	/* 4 contiguous + 1 + 1: three segments; offset 100 into the first, size to the end */
	assert_int_equal(
		sg_alloc_table_from_pages(&t, pages, 6, 100, 6 * PAGE_SIZE - 100, GFP_KERNEL), 0);
	assert_int_equal(t.orig_nents, 3);
	assert_int_equal(t.sgl[0].offset, 100);
	assert_int_equal(t.sgl[0].length, 4 * PAGE_SIZE - 100);
	assert_ptr_equal(sg_page(&t.sgl[1]), pages[1]);
	assert_int_equal(t.sgl[2].length, PAGE_SIZE);
	assert_int_equal(t.sgl[1].length, PAGE_SIZE);
	assert_int_equal(sg_phys(&t.sgl[0]), virt_to_phys((void *)block) + 100);
	sg_free_table(&t);
	/* max_segment two pages: the run splits in two */
	assert_int_equal(sg_alloc_table_from_pages_segment(&t, pages, 4, 0, 4 * PAGE_SIZE,
							   2 * PAGE_SIZE, GFP_KERNEL),
			 0);
	assert_int_equal(t.orig_nents, 2);
	assert_int_equal(t.sgl[1].length, 2 * PAGE_SIZE);
	sg_free_table(&t);
	/* a segment limit below a page is refused, as Linux's WARN_ON */
	assert_int_equal(
		sg_alloc_table_from_pages_segment(&t, pages, 4, 0, 4 * PAGE_SIZE, 512, GFP_KERNEL),
		-EINVAL);
	tu_expect_report("dma", "invalid");
	free_pages(block, 2);
	tu_expect_no_report();
	minalign_exit();
}

static void test_copy_and_map_sgtable(void **state)
{
	unsigned char in[300], out[300];
	struct scatterlist *sg;
	struct sg_table t;
	struct device *dev;
	unsigned char *b[3];
	unsigned int i;
	size_t off = 0;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)1 << 20);
	tu_reports_capture();
	dev = th_dev("sgdev", false, 0, false);
	assert_int_equal(sg_alloc_table(&t, 3, GFP_KERNEL), 0);
	for (i = 0; i < 3; i++) {
		b[i] = kmalloc(100, GFP_KERNEL);
		assert_non_null(b[i]);
		sg_set_buf(&t.sgl[i], b[i], 100);
	}
	th_fill(in, 9, sizeof(in));
	/* lib/scatterlist.c sg_copy_buffer: copies min(buflen, total) through the CPU view */
	assert_int_equal(sg_copy_from_buffer(t.sgl, t.orig_nents, in, sizeof(in)), 300);
	assert_int_equal(memcmp(b[1], in + 100, 100), 0);
	assert_int_equal(sg_copy_to_buffer(t.sgl, t.orig_nents, out, 150), 150);
	assert_int_equal(memcmp(out, in, 150), 0);
	/* map, let the device write every segment, unmap: the CPU sees it */
	assert_int_equal(dma_map_sgtable(dev, &t, DMA_FROM_DEVICE, 0), 0);
	assert_int_equal(t.nents, 3);
	for_each_sgtable_dma_sg(&t, sg, i)
	{
		th_dev_fill(dev, sg_dma_address(sg), (unsigned char)(40 + i), sg_dma_len(sg));
		off += sg_dma_len(sg);
	}
	assert_int_equal(off, 300);
	dma_sync_sgtable_for_cpu(dev, &t, DMA_FROM_DEVICE);
	dma_unmap_sgtable(dev, &t, DMA_FROM_DEVICE, 0);
	for (i = 0; i < 3; i++)
		assert_true(th_holds(b[i], (unsigned char)(40 + i), 100));
	/* a table whose segment is not RAM: -EIO, nothing left mapped (Linux: -EIO/-EINVAL) */
	sg_set_buf(&t.sgl[1], in, 100);
	assert_int_equal(dma_map_sgtable(dev, &t, DMA_TO_DEVICE, 0), -EIO);
	tu_expect_report("dma", "not in RAM");
	assert_int_equal(th_stats().dma_live_mappings, 0);
	assert_int_equal(dma_map_sgtable(NULL, &t, DMA_TO_DEVICE, 0), -EINVAL);
	tu_expect_report("dma", "NULL device");
	for (i = 0; i < 3; i++)
		kfree(b[i]);
	sg_free_table(&t);
	minalign_device_destroy(dev);
	tu_expect_no_report();
	minalign_exit();
}

/* DMA-API debug's check_sg_segment(): longer than max_seg_size, or across the boundary. */
static void test_debug_segment_limits(void **state)
{
	struct minalign_config c;
	struct scatterlist sg[1];
	struct device *dev;
	unsigned long block;

	(void)state;
	th_config(&c, MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)1 << 20);
	c.debug = MINALIGN_DEBUG_DMA;
	tu_init(&c);
	tu_reports_capture();
	dev = th_dev("segdev", false, 0, false);
	block = __get_free_pages(GFP_KERNEL, 1);
	assert_true(block);
	assert_int_equal(dma_set_max_seg_size(dev, 4096), 0);
	sg_init_one(sg, (void *)block, 2 * PAGE_SIZE);
	assert_int_equal(dma_map_sg(dev, sg, 1, DMA_TO_DEVICE), 1);
	tu_expect_report("dma", "longer than the device supports");
	dma_unmap_sg(dev, sg, 1, DMA_TO_DEVICE);
	assert_int_equal(dma_set_max_seg_size(dev, 65536), 0);
	assert_int_equal(dma_set_seg_boundary(dev, PAGE_SIZE - 1), 0);
	sg_init_one(sg, (void *)(block + 100), PAGE_SIZE);
	assert_int_equal(dma_map_sg(dev, sg, 1, DMA_TO_DEVICE), 1);
	tu_expect_report("dma", "boundary");
	dma_unmap_sg(dev, sg, 1, DMA_TO_DEVICE);
	sg_init_one(sg, (void *)block, PAGE_SIZE); /* within both */
	assert_int_equal(dma_map_sg(dev, sg, 1, DMA_TO_DEVICE), 1);
	dma_unmap_sg(dev, sg, 1, DMA_TO_DEVICE);
	free_pages(block, 1);
	minalign_device_destroy(dev);
	tu_expect_no_report();
	minalign_exit();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_marks_and_chain),
		cmocka_unit_test(test_alloc_table_chunks),
		cmocka_unit_test(test_alloc_table_faults),
		cmocka_unit_test(test_from_pages),
		cmocka_unit_test(test_copy_and_map_sgtable),
		cmocka_unit_test(test_debug_segment_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
