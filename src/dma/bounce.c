/* SPDX-License-Identifier: MIT */
/*
 * dma/bounce.c - the bounce decision for cache-line sharing, and the swiotlb queries.
 *
 * The exact rule (DESIGN.md section 4).  An inbound (FROM_DEVICE, BIDIRECTIONAL) mapping for a
 * non-coherent device is unsafe when its first or its last cache line holds bytes outside the
 * mapping that belong to another allocation or to the allocator.  With ma_slab_slot(), which
 * gives the bytes [start, end) the slab slot of an address owns:
 *  - the head edge is safe iff the mapping starts on a line boundary, or the slot of its first
 *    byte starts at or before the head line's start;
 *  - the tail edge is safe iff the mapping ends on a line boundary, or the slot of its last byte
 *    ends at or after the tail line's end;
 *  - memory in no slot (pages, coherent memory, red zones, slab tails) makes an unaligned edge
 *    unsafe: every byte outside the mapping counts as someone else's.
 * Bytes of the mapped object itself are its owner's: the owner must not write them while the
 * device owns the buffer (the simulator counts it if it does).  The CPU view is congruent to
 * the physical address space modulo the largest buddy block (mm.h), so line boundaries are the
 * same for pointers and physical addresses.
 *
 * Linux's rule (dma_kmalloc_needs_bounce) looks at the size only: safe when the size is at
 * least two lines or kmalloc_size_roundup() of it is a multiple of the line.  It is tabulated
 * at init (ma_dma_bounce_init()), so the mapping path makes no call for it.
 *
 * Both verdicts are counted (bounce_exact, bounce_linux) on every inbound non-coherent mapping
 * whatever the policy; BOUNCE and DMA_OPT_IN act on the exact rule, or on Linux's with
 * ma_cfg.bounce_linux_rule; LEGACY, PACKED and NAIVE never bounce for alignment.
 *
 * Locking: none (ma_slab_slot() is lock-free for the caller; statistics are per thread).
 * Fast path: a line-aligned mapping answers without looking at the slab; a small mapping inside
 * one slot needs one slot query.
 */
#include "dma/internal.h"

static inline uintptr_t line_of(uintptr_t a)
{
	return a & ~((uintptr_t)ma_cfg.cache_line - 1);
}

bool ma_dma_exact_unsafe(const void *cpu, size_t size)
{
	uintptr_t a = (uintptr_t)cpu, end = a + size, line = ma_cfg.cache_line;
	bool head_ok = line_of(a) == a, tail_ok = line_of(end) == end;
	struct ma_slab_slot s;
	bool have = false;

	if (head_ok && tail_ok)
		return false;
	if (!head_ok) {
		have = ma_slab_slot(cpu, &s);
		if (!have || s.start > line_of(a))
			return true;
	}
	if (!tail_ok) {
		/* the slot of the first byte is also the last byte's when it reaches that far */
		if (!have || s.end < end)
			have = ma_slab_slot((const unsigned char *)cpu + size - 1, &s);
		if (!have || s.end < line_of(end) + line)
			return true;
	}
	return false;
}

/*
 * Linux's verdict depends on the size alone, and only sizes below two lines can be unsafe, so
 * it is tabulated once per init (after slab, whose kmalloc_size_roundup() it uses): bit s says
 * whether a mapping of s bytes would be bounced.
 */
#define MA_LINUX_MAX 512 /* 2 * the largest cache line */
static uint64_t ma_linux_table[MA_LINUX_MAX / 64];

void ma_dma_bounce_init(void)
{
	size_t line = ma_cfg.cache_line;

	memset(ma_linux_table, 0, sizeof(ma_linux_table));
	for (size_t s = 1; s < 2 * line && s < MA_LINUX_MAX; s++)
		if (kmalloc_size_roundup(s) & (line - 1))
			ma_linux_table[s / 64] |= UINT64_C(1) << (s % 64);
}

bool ma_dma_linux_unsafe(size_t size)
{
	if (size >= MA_LINUX_MAX)
		return false;
	return (ma_linux_table[size / 64] >> (size % 64)) & 1;
}

bool ma_dma_policy_bounces(phys_addr_t phys, size_t size, bool count)
{
	bool exact = ma_dma_exact_unsafe(ma_phys_to_virt(phys), size);
	bool linux_rule = ma_dma_linux_unsafe(size);

	if (count && exact)
		ma_stat_add(MA_STAT_bounce_exact, 1);
	if (count && linux_rule)
		ma_stat_add(MA_STAT_bounce_linux, 1);
	switch (ma_cfg.policy) {
	case MINALIGN_POLICY_BOUNCE:
	case MINALIGN_POLICY_DMA_OPT_IN:
		return ma_cfg.bounce_linux_rule ? linux_rule : exact;
	default:
		return false;
	}
}

bool ma_dma_align_bounce(phys_addr_t phys, size_t size)
{
	return ma_dma_policy_bounces(phys, size, true);
}

/* ---- what drivers may ask (minalign/swiotlb.h) ------------------------------------------ */

bool is_swiotlb_buffer(struct device *dev, phys_addr_t paddr)
{
	if (!ma_is_up())
		return false;
	return ma_swiotlb_is_bounce(
		ma_device_inited(dev) ? &((struct ma_dma_dev *)dev->p->dma)->tlb : NULL, paddr);
}

bool is_swiotlb_active(struct device *dev)
{
	if (!ma_is_up() || !ma_swiotlb_active())
		return false;
	return !dev || ma_swiotlb_reachable(ma_dev_dma_mask(dev));
}

size_t swiotlb_max_mapping_size(struct device *dev)
{
	if (!ma_is_up())
		return SIZE_MAX;
	return ma_swiotlb_max_mapping(dev ? ma_dev_min_align_mask(dev) : 0);
}
