/* SPDX-License-Identifier: MIT */
/*
 * cache/internal.h - what the files of cache/ share and nobody else uses.
 *
 * cache.c dispatches on the model and owns the line size; sim.c is the shadow-DRAM simulator
 * with its conflict tracking; native.c issues the host's maintenance instructions.
 */
#ifndef MINALIGN_CACHE_INTERNAL_H
#define MINALIGN_CACHE_INTERNAL_H

#include "cache/cache.h"

enum ma_cache_op {
	MA_CACHE_CLEAN, /* write back: CPU -> memory */
	MA_CACHE_INVAL, /* discard: memory -> CPU */
	MA_CACHE_FLUSH, /* clean, then invalidate */
};

/*
 * struct ma_line_span - a physical range rounded out to lines of @line bytes.
 * @first:	first line touched.
 * @end:	end of the last line touched (exclusive).
 * @head:	the first line is partial (holds bytes before or after the range).
 * @tail:	the last line is partial and is not the first line.
 * @full_lo:	start of the fully covered lines.
 * @full_hi:	end of the fully covered lines (== @full_lo when there are none).
 */
struct ma_line_span {
	phys_addr_t first, end;
	phys_addr_t full_lo, full_hi;
	bool head, tail;
};

/* Split [@phys, @phys+@size) (@size > 0) into partial edge lines and fully covered lines. */
static inline void ma_line_span(struct ma_line_span *s, phys_addr_t phys, size_t size,
				unsigned int line)
{
	phys_addr_t last = MA_ALIGN_DOWN(phys + size - 1, (phys_addr_t)line);
	phys_addr_t stop = phys + size;

	s->first = MA_ALIGN_DOWN(phys, (phys_addr_t)line);
	s->end = last + line;
	s->head = phys != s->first || stop < s->first + line;
	s->tail = last != s->first && stop != s->end;
	s->full_lo = s->head ? s->first + line : s->first;
	s->full_hi = s->tail ? last : s->end;
	if (s->full_hi < s->full_lo) /* a single partial line */
		s->full_hi = s->full_lo;
}

/* True when the page holding @phys is mapped uncached (never maintained). */
static inline bool ma_cache_page_uncached(phys_addr_t phys)
{
	return ma_phys_to_page(phys)->flags & MA_PAGE_UNCACHED;
}

/* ---- sim.c ----------------------------------------------------------------------------- */
int ma_sim_init(void);
void ma_sim_exit(void);
void ma_sim_op(phys_addr_t phys, size_t size, enum ma_cache_op op);
void ma_sim_for_device(phys_addr_t phys, size_t size, enum dma_data_direction dir);
unsigned int ma_sim_for_cpu(phys_addr_t phys, size_t size, enum dma_data_direction dir);
void ma_sim_forget(phys_addr_t phys, size_t size);
void ma_sim_atfork(enum ma_fork_phase phase);
size_t ma_sim_tracked(void);

/* ---- native.c -------------------------------------------------------------------------- */
/*
 * Probe the host once, at ma_cache_init(): enables the instructions where the host has them and
 * returns the hardware's smallest data cache line in bytes, or 0 when it cannot be read.
 */
unsigned int ma_native_probe(void);
/* Apply @op to every line of @step bytes that [@phys, @phys+@size) touches. */
void ma_native_op(phys_addr_t phys, size_t size, enum ma_cache_op op, unsigned int step);

#endif /* MINALIGN_CACHE_INTERNAL_H */
