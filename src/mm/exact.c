/* SPDX-License-Identifier: MIT */
/*
 * mm/exact.c - alloc_pages_exact() and free_pages_exact(): page-granular allocations that do
 * not waste the rest of a power-of-two block.
 *
 * As Linux: the block of get_order(size) is split into order-0 pages (ma_split_page) and the
 * pages beyond PAGE_ALIGN(size) go back to the allocator at once; free_pages_exact() frees the
 * remaining pages one by one, each checked by __free_pages() (a wrong address or size is
 * reported page by page and frees nothing that was not handed out).
 *
 * Locking: the buddy allocator's own.
 */
#include "mm/mm.h"

void *alloc_pages_exact(size_t size, gfp_t gfp_mask)
{
	unsigned long used, n, i;
	struct page *pg;
	int order;

	if (!size || size > (PAGE_SIZE << MAX_PAGE_ORDER))
		return NULL;
	order = get_order(size);
	pg = alloc_pages(gfp_mask, (unsigned int)order);
	if (!pg)
		return NULL;
	used = PAGE_ALIGN(size) >> PAGE_SHIFT;
	n = 1UL << order;
	if (used < n) {
		ma_split_page(pg, (unsigned int)order);
		for (i = used; i < n; i++)
			__free_pages(pg + i, 0);
	}
	return ma_page_to_virt(pg);
}

void free_pages_exact(void *virt, size_t size)
{
	unsigned long n = PAGE_ALIGN(size) >> PAGE_SHIFT;
	unsigned char *p = virt;

	if (!virt)
		return;
	if (!ma_virt_in_ram(virt, 1) || ((uintptr_t)virt & (PAGE_SIZE - 1))) {
		ma_report("mm", NULL, 0, size, "free_pages_exact(%p, %zu): not a page of RAM", virt,
			  size);
		return;
	}
	if (n == 1UL << get_order(size) && n > 1) { /* never split: one block */
		__free_pages(ma_virt_to_page(virt), (unsigned int)get_order(size));
		return;
	}
	for (unsigned long i = 0; i < n; i++)
		__free_pages(ma_virt_to_page(p + i * PAGE_SIZE), 0);
}
