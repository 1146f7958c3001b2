/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/slab_compat.c - the slab and page names drivers use, against Linux's
 * mm/slab_common.c, mm/util.c, mm/page_alloc.c and include/linux/slab.h: kvmalloc (mm/util.c
 * kvmalloc_node: kmalloc first, vmalloc fallback), kvfree, kfree_sensitive, krealloc_array,
 * kmalloc_node, kstrndup, kmemdup_nul, kmem_cache_alloc_bulk (all or nothing) and
 * kmem_cache_free_bulk, KMEM_CACHE/KMEM_CACHE_USERCOPY, SLAB_TYPESAFE_BY_RCU (slab pages
 * outlive a grace period), SLAB_CACHE_DMA32, alloc_pages_exact/free_pages_exact (split_page),
 * PAGE_ALIGN/offset_in_page, get_order (include/asm-generic/getorder.h).
 */
#include "test_util.h"
#include "dma_helpers.h"

#include <minalign/linux.h>

#include <errno.h>
#include <string.h>

struct widget {
	u64 id;
	char name[20];
	u32 flags;
};

static void test_kv_and_strings(void **state)
{
	struct tu_snapshot snap;
	char *s;
	void *p, *big;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 0);
	tu_reports_capture();
	tu_snapshot(&snap);
	/* kvmalloc_node: small sizes are kmalloc memory */
	p = kvmalloc(100, GFP_KERNEL);
	assert_non_null(p);
	assert_true(minalign_addr_in_ram(p, 100));
	assert_false(is_vmalloc_addr(p));
	kvfree(p);
	/* beyond KMALLOC_MAX_SIZE: vmalloc memory (zeroed with kvzalloc), freed by kvfree */
	big = kvzalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL);
	assert_non_null(big);
	assert_true(is_vmalloc_addr(big));
	assert_true(is_vmalloc_addr((char *)big + KMALLOC_MAX_SIZE));
	assert_false(minalign_addr_in_ram(big, 1));
	assert_int_equal(((unsigned char *)big)[KMALLOC_MAX_SIZE], 0);
	kvfree(big);
	/* without __GFP_DIRECT_RECLAIM there is no fallback (GFP_ATOMIC) */
	assert_null(kvmalloc(KMALLOC_MAX_SIZE + 1, GFP_ATOMIC));
	/* overflow */
	assert_null(kvmalloc_array(SIZE_MAX / 2, 4, GFP_KERNEL));
	p = kvcalloc(10, 10, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(((unsigned char *)p)[99], 0);
	kvfree(p);
	/* kstrndup / kmemdup_nul (mm/util.c) */
	s = kstrndup("abcdef", 3, GFP_KERNEL);
	assert_string_equal(s, "abc");
	kfree(s);
	s = kstrndup("ab", 10, GFP_KERNEL);
	assert_string_equal(s, "ab");
	kfree(s);
	s = kmemdup_nul("xy\0z", 4, GFP_KERNEL);
	assert_int_equal(memcmp(s, "xy\0z\0", 5), 0);
	kfree(s);
	assert_null(kstrndup(NULL, 3, GFP_KERNEL));
	kfree_const(kstrdup_const("const", GFP_KERNEL));
	/* krealloc_array: overflow is NULL and the old buffer stays */
	p = kmalloc_array(4, 8, GFP_KERNEL);
	assert_null(krealloc_array(p, SIZE_MAX / 4, 8, GFP_KERNEL));
	p = krealloc_array(p, 64, 8, GFP_KERNEL);
	assert_true(ksize(p) >= 512);
	kfree(p);
	/* the _node variants ignore the node */
	p = kzalloc_node(40, GFP_KERNEL, 3);
	assert_int_equal(((unsigned char *)p)[39], 0);
	kfree(p);
	kfree(kmalloc_node(40, GFP_KERNEL, -1));
	kfree(kcalloc_node(4, 4, GFP_KERNEL, 0));
	kfree(kmalloc_array_node(4, 4, GFP_KERNEL, 0));
	minalign_slab_shrink();
	tu_assert_no_leak(&snap);
	tu_expect_no_report();
	minalign_exit();
}

/* kfree_sensitive: memzero_explicit of ksize() bytes before the free. */
static void test_kfree_sensitive(void **state)
{
	unsigned char *p;
	size_t n;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 0);
	p = kmalloc(100, GFP_KERNEL);
	n = ksize(p);
	memset(p, 0xa5, n);
	kfree_sensitive(p);
	/* the free list may reuse the first word; every other byte is zero */
	for (size_t i = 8; i < n; i++)
		assert_int_equal(p[i], 0);
	kfree_sensitive(NULL);
	minalign_exit();
}

static void test_bulk_and_macros(void **state)
{
	struct tu_snapshot snap;
	struct kmem_cache *c;
	void *objs[40];
	unsigned long n;
	int got = -1;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 0);
	tu_reports_capture();
	tu_snapshot(&snap);
	c = KMEM_CACHE(widget, SLAB_HWCACHE_ALIGN);
	assert_non_null(c);
	assert_int_equal(kmem_cache_size(c), sizeof(struct widget));
	assert_int_equal(kmem_cache_alloc_bulk(c, GFP_KERNEL, 40, objs), 40);
	for (int i = 0; i < 40; i++)
		for (int j = 0; j < i; j++)
			assert_ptr_not_equal(objs[i], objs[j]);
	kmem_cache_free_bulk(c, 40, objs);
	/* all or nothing: a failure part-way frees what was taken */
	for (n = 1; got != 40 && n < 50; n++) {
		kmem_cache_shrink(c);
		minalign_slab_shrink();
		minalign_fault_set(n, MINALIGN_FAULT_PAGE | MINALIGN_FAULT_META);
		got = kmem_cache_alloc_bulk(c, GFP_KERNEL, 40, objs);
		minalign_fault_set(0, 0);
		assert_true(got == 0 || got == 40);
	}
	assert_int_equal(got, 40);
	assert_true(n > 2);
	kmem_cache_free_bulk(c, 40, objs);
	kmem_cache_destroy(c);
	/* the usercopy window must lie in the object */
	c = KMEM_CACHE_USERCOPY(widget, 0, name);
	assert_non_null(c);
	kmem_cache_destroy(c);
	assert_null(kmem_cache_create_usercopy("w", 16, 0, 0, 10, 10, NULL));
	tu_expect_report("slab", "window");
	/* kfree_bulk: a NULL cache means kmalloc objects */
	for (int i = 0; i < 4; i++)
		objs[i] = kmalloc(24, GFP_KERNEL);
	kfree_bulk(4, objs);
	/* SLAB_CACHE_DMA32 keeps slabs below 4 GiB, like SLAB_CACHE_DMA */
	c = kmem_cache_create("dma32", 64, 0, SLAB_CACHE_DMA32, NULL);
	objs[0] = kmem_cache_alloc(c, GFP_KERNEL);
	assert_true(virt_to_phys(objs[0]) < (UINT64_C(1) << 32));
	kmem_cache_free(c, objs[0]);
	kmem_cache_destroy(c);
	minalign_slab_shrink();
	tu_assert_no_leak(&snap);
	tu_expect_no_report();
	minalign_exit();
}

/*
 * SLAB_TYPESAFE_BY_RCU (mm/slub.c: the slab is freed by rcu_free_slab after a grace period):
 * an emptied slab's pages are not back in the page allocator while a reader that started
 * before the free is inside its read-side section; they are once kmem_cache_destroy() (which
 * waits, rcu_barrier) returns.  The freed object keeps its contents (no poisoning, link
 * outside the object).
 */
static void test_typesafe_by_rcu(void **state)
{
	struct kmem_cache *c;
	struct widget *w;
	uint64_t free0, free_held;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 0);
	tu_reports_capture();
	minalign_slab_shrink();
	free0 = th_stats().pages_free;
	c = kmem_cache_create("rcu-widget", sizeof(struct widget), 0, SLAB_TYPESAFE_BY_RCU, NULL);
	assert_non_null(c);
	w = kmem_cache_alloc(c, GFP_KERNEL);
	w->id = 0x1234;
	free_held = th_stats().pages_free;
	assert_true(free_held < free0);
	rcu_read_lock();
	kmem_cache_free(c, w);
	kmem_cache_shrink(c);
	minalign_slab_shrink(); /* the slab is empty: released, but only after a grace period */
	assert_int_equal(w->id, 0x1234); /* still a widget */
	assert_int_equal(th_stats().pages_free, free_held);
	rcu_read_unlock();
	kmem_cache_destroy(c); /* waits for the deferred frees */
	assert_int_equal(th_stats().pages_free, free0);
	tu_expect_no_report();
	minalign_exit();
}

static void test_pages(void **state)
{
	struct tu_snapshot snap;
	uint64_t before;
	void *p;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, 0);
	tu_reports_capture();
	tu_snapshot(&snap);
	/* getorder.h: the smallest order holding size */
	assert_int_equal(get_order(1), 0);
	assert_int_equal(get_order(PAGE_SIZE), 0);
	assert_int_equal(get_order(PAGE_SIZE + 1), 1);
	assert_int_equal(get_order(3 * PAGE_SIZE), 2);
	assert_int_equal(get_order(1UL << 22), 10);
	assert_int_equal(PAGE_ALIGN(1UL), PAGE_SIZE);
	assert_int_equal(PAGE_ALIGN(PAGE_SIZE), PAGE_SIZE);
	assert_int_equal(offset_in_page((void *)(uintptr_t)0x12345), 0x345);
	/* alloc_pages_exact: 3 pages cost 3 pages, not the order-2 block's 4 */
	before = th_stats().pages_free;
	p = alloc_pages_exact(3 * PAGE_SIZE - 10, GFP_KERNEL | __GFP_ZERO);
	assert_non_null(p);
	assert_int_equal(before - th_stats().pages_free, 3);
	assert_int_equal(((unsigned char *)p)[3 * PAGE_SIZE - 11], 0);
	free_pages_exact(p, 3 * PAGE_SIZE - 10);
	p = alloc_pages_exact(4 * PAGE_SIZE, GFP_KERNEL);
	assert_int_equal(before - th_stats().pages_free, 4);
	free_pages_exact(p, 4 * PAGE_SIZE);
	/* alloc_page/__free_page are order 0 */
	__free_page(alloc_page(GFP_KERNEL | __GFP_NOFAIL | __GFP_HIGHMEM | __GFP_MOVABLE));
	tu_assert_no_leak(&snap);
	/* vmalloc memory is not DMA-able */
	p = vmalloc(100);
	assert_true(is_vmalloc_addr(p));
	vfree(p);
	vfree(&before);
	tu_expect_report("mm", "not a vmalloc");
	tu_expect_no_report();
	minalign_exit();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kv_and_strings),	cmocka_unit_test(test_kfree_sensitive),
		cmocka_unit_test(test_bulk_and_macros), cmocka_unit_test(test_typesafe_by_rcu),
		cmocka_unit_test(test_pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
