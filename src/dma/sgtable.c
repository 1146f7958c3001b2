/* SPDX-License-Identifier: MIT */
/*
 * dma/sgtable.c - scatterlist tables: chained allocation (sg_alloc_table*), walking helpers
 * (sg_nents, sg_nents_for_len, sg_last) and copies between a table and a flat buffer.
 *
 * Linux's lib/scatterlist.c semantics.  A table of more than SG_MAX_SINGLE_ALLOC entries is a
 * chain of arrays of SG_MAX_SINGLE_ALLOC entries, the last entry of each full array being the
 * chain link (so each full array describes SG_MAX_SINGLE_ALLOC - 1 segments).  The arrays are
 * kmalloc memory, as in Linux (sg_kmalloc); sg_free_table() walks the same shape back.
 *
 * Invariants: orig_nents counts entries that describe memory, never chain links; an allocation
 * failure frees every array already taken and leaves the table zeroed.
 *
 * Locking: none; a table belongs to its caller.  Nothing here is on a mapping path.
 */
#include "dma/internal.h"

int sg_nents(struct scatterlist *sg)
{
	int n = 0;

	for (; sg; sg = sg_next(sg))
		n++;
	return n;
}

int sg_nents_for_len(struct scatterlist *sg, u64 len)
{
	u64 total = 0;
	int n = 0;

	if (!len)
		return 0;
	for (; sg; sg = sg_next(sg)) {
		n++;
		total += sg->length;
		if (total >= len)
			return n;
	}
	return -EINVAL;
}

struct scatterlist *sg_last(struct scatterlist *s, unsigned int nents)
{
	struct scatterlist *sg, *last = NULL;
	unsigned int i;

	for_each_sg (s, sg, nents, i) {
		if (!sg)
			break;
		last = sg;
	}
	if (last && !sg_is_last(last)) /* Linux: BUG_ON(!sg_is_last(ret)) */
		ma_report("dma", NULL, 0, nents, "sg_last: entry %u is not the end of the table",
			  nents);
	return last;
}

/* Entries of the array that @left entries still need (the chain link included). */
static unsigned int ma_sg_chunk(unsigned int left, unsigned int *segs)
{
	unsigned int max = (unsigned int)SG_MAX_SINGLE_ALLOC;

	if (left > max) {
		*segs = max - 1;
		return max;
	}
	*segs = left;
	return left;
}

void sg_free_table(struct sg_table *table)
{
	struct scatterlist *sgl;
	unsigned int left;

	if (!table)
		return;
	sgl = table->sgl;
	left = table->orig_nents;
	while (sgl && left) {
		unsigned int segs, n = ma_sg_chunk(left, &segs);
		struct scatterlist *next = segs < left ? sg_chain_ptr(&sgl[n - 1]) : NULL;

		kfree(sgl);
		left -= segs;
		sgl = next;
	}
	memset(table, 0, sizeof(*table));
}

int sg_alloc_table(struct sg_table *table, unsigned int nents, gfp_t gfp_mask)
{
	struct scatterlist *prev = NULL;
	unsigned int left = nents, prev_n = 0;

	if (!table || !nents) {
		ma_report("dma", NULL, 0, nents, "sg_alloc_table: %s",
			  table ? "zero entries" : "NULL table");
		return -EINVAL;
	}
	memset(table, 0, sizeof(*table));
	while (left) {
		unsigned int segs, n = ma_sg_chunk(left, &segs);
		struct scatterlist *sg = kmalloc_array(n, sizeof(*sg), gfp_mask);

		if (!sg) {
			sg_free_table(table);
			return -ENOMEM;
		}
		sg_init_table(sg, n);
		if (prev)
			sg_chain(prev, prev_n, sg);
		else
			table->sgl = sg;
		table->orig_nents += segs;
		table->nents = table->orig_nents;
		left -= segs;
		prev = sg;
		prev_n = n;
	}
	return 0;
}

/* Pages from @i on that continue the physically contiguous run, within @max bytes. */
static unsigned int ma_sg_run(struct page **pages, unsigned int n_pages, unsigned int i,
			      unsigned long max)
{
	unsigned int j = i + 1;
	unsigned long len = PAGE_SIZE;

	while (j < n_pages && len < max && page_to_pfn(pages[j]) == page_to_pfn(pages[j - 1]) + 1) {
		j++;
		len += PAGE_SIZE;
	}
	return j;
}

int sg_alloc_table_from_pages_segment(struct sg_table *sgt, struct page **pages,
				      unsigned int n_pages, unsigned int offset, unsigned long size,
				      unsigned int max_segment, gfp_t gfp_mask)
{
	unsigned long max = max_segment & PAGE_MASK;
	unsigned int chunks = 0, i, cur;
	struct scatterlist *sg;
	int err;

	if (!sgt || !pages || !n_pages || max < PAGE_SIZE ||
	    (u64)offset + size > (u64)n_pages * PAGE_SIZE) {
		ma_report("dma", NULL, 0, size, "sg_alloc_table_from_pages: invalid arguments");
		return -EINVAL;
	}
	for (i = 0; i < n_pages; i++) {
		if (!ma_page_valid(pages[i])) {
			ma_report("dma", NULL, 0, size,
				  "sg_alloc_table_from_pages: entry %u is not a page of RAM", i);
			return -EINVAL;
		}
	}
	for (i = 0; i < n_pages; i = ma_sg_run(pages, n_pages, i, max))
		chunks++;
	err = sg_alloc_table(sgt, chunks, gfp_mask);
	if (err)
		return err;
	sg = sgt->sgl;
	for (cur = 0; cur < n_pages; sg = sg_next(sg)) {
		unsigned int j = ma_sg_run(pages, n_pages, cur, max);
		unsigned long chunk = ((unsigned long)(j - cur) << PAGE_SHIFT) - offset;
		unsigned long len = MA_MIN(size, chunk);

		sg_set_page(sg, pages[cur], (unsigned int)len, offset);
		size -= len;
		offset = 0;
		cur = j;
	}
	return 0;
}

int sg_alloc_table_from_pages(struct sg_table *sgt, struct page **pages, unsigned int n_pages,
			      unsigned int offset, unsigned long size, gfp_t gfp_mask)
{
	return sg_alloc_table_from_pages_segment(sgt, pages, n_pages, offset, size, UINT32_MAX,
						 gfp_mask);
}

/* Copy between the table and @buf (@to_buffer: table -> buffer).  Return: bytes copied. */
static size_t ma_sg_copy(struct scatterlist *sgl, unsigned int nents, void *buf, size_t buflen,
			 bool to_buffer)
{
	struct scatterlist *sg;
	unsigned int i;
	size_t done = 0;

	for_each_sg (sgl, sg, nents, i) {
		size_t n;
		unsigned char *p;

		if (!sg || done == buflen)
			break;
		p = sg_virt(sg);
		if (!p || !ma_virt_in_ram(p, MA_MAX(sg->length, 1u))) {
			ma_report("dma", NULL, 0, sg->length, "%s: segment %u is not in RAM",
				  to_buffer ? "sg_copy_to_buffer" : "sg_copy_from_buffer", i);
			break;
		}
		n = MA_MIN((size_t)sg->length, buflen - done);
		if (to_buffer)
			memcpy((unsigned char *)buf + done, p, n);
		else
			memcpy(p, (const unsigned char *)buf + done, n);
		done += n;
	}
	return done;
}

size_t sg_copy_from_buffer(struct scatterlist *sgl, unsigned int nents, const void *buf,
			   size_t buflen)
{
	return ma_sg_copy(sgl, nents, (void *)(uintptr_t)buf, buflen, false);
}

size_t sg_copy_to_buffer(struct scatterlist *sgl, unsigned int nents, void *buf, size_t buflen)
{
	return ma_sg_copy(sgl, nents, buf, buflen, true);
}
