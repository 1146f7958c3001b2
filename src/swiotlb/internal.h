/* SPDX-License-Identifier: MIT */
/*
 * swiotlb/internal.h - what the files of swiotlb/ share.
 *
 * pool.c makes and finds pools; slots.c allocates and frees runs of slots inside a pool's
 * per-CPU areas; map.c bounces (copies, cache maintenance, statistics, reports).
 */
#ifndef MINALIGN_SWIOTLB_INTERNAL_H
#define MINALIGN_SWIOTLB_INTERNAL_H

#include "swiotlb/swiotlb.h"
#include "cache/cache.h"

/*
 * struct ma_tlb_slot - one slot's record, written by the mapping that owns the slot.
 * @orig:  head slot: the original physical address of the mapping's first byte.
 * @size:  head slot: bytes mapped.
 * @head:  distance back to the mapping's head slot (0 on the head).
 * @off:   head slot: offset of the bounce address inside the head slot (min_align_mask bits).
 */
struct ma_tlb_slot {
	phys_addr_t orig;
	uint32_t size;
	uint16_t head;
	uint8_t off;
	uint8_t unused;
};

/*
 * struct ma_tlb_area - a slice of a pool's slots with its own lock, so CPUs bouncing at once
 * do not share a lock or a cache line (the struct is padded to the host's line, and an area's
 * bitmap words and slot records are whole host lines of their own).
 * @lock:   protects @cursor, the bitmap words of [@lo, @hi) and the writes of @used.
 * @lo, @hi: the area's slots (whole segments).
 * @cursor: next-fit: where the next search starts.
 * @used:   slots in use (written under @lock, read without it by the high-water update).
 * @peak:   most slots in use in this area so far (under @lock).
 */
struct ma_tlb_area {
	ma_spinlock_t lock;
	unsigned int lo, hi;
	unsigned int cursor;
	atomic_uint used;
	unsigned int peak;
} __attribute__((aligned(MA_CACHELINE_HOST)));

/*
 * struct ma_tlb_pool - one contiguous block of bounce slots.
 * Everything but the areas' mutable fields, the bitmap and the slot records is written before
 * the pool is published and read-only afterwards.
 */
struct ma_tlb_pool {
	struct ma_tlb_pool *next; /* ma_tlb.head list */
	phys_addr_t start, end;	  /* [start, end) */
	struct page *page;	  /* the buddy block */
	unsigned int order;
	unsigned int nslots;
	unsigned int seg_slots;	  /* slots per segment (power of two) */
	unsigned int nareas;	  /* power of two */
	unsigned int area_shift;  /* slot index >> area_shift = area */
	_Atomic uint64_t *bitmap; /* 1 = slot in use */
	struct ma_tlb_slot *slots;
	struct ma_tlb_area *areas;
	void *meta; /* the one metadata allocation holding bitmap, slots and areas */
};

/* A slot's physical address. */
static inline phys_addr_t ma_tlb_slot_phys(const struct ma_tlb_pool *p, unsigned int idx)
{
	return p->start + ((phys_addr_t)idx << ma_tlb.line_shift);
}

/* The slot holding @phys (in @p). */
static inline unsigned int ma_tlb_slot_idx(const struct ma_tlb_pool *p, phys_addr_t phys)
{
	return (unsigned int)((phys - p->start) >> ma_tlb.line_shift);
}

/* Slots a mapping of @size bytes at offset @off into its first slot spans. */
static inline unsigned int ma_tlb_nslots(size_t off, size_t size)
{
	return (unsigned int)((off + size + ((size_t)1 << ma_tlb.line_shift) - 1) >>
			      ma_tlb.line_shift);
}

static inline bool ma_tlb_test(const struct ma_tlb_pool *p, unsigned int idx)
{
	return (atomic_load_explicit(&p->bitmap[idx / 64], memory_order_relaxed) >> (idx % 64)) & 1;
}

/*
 * Where a run may start: the slot's global number ((start >> line_shift) + idx) must be
 * @want modulo @stride (a power of two).
 */
struct ma_tlb_req {
	unsigned int nslots;
	unsigned int stride;
	unsigned int want;
};

/* ---- slots.c --------------------------------------------------------------------------- */
/* Take a run for @req, searching the areas from the current CPU's; -1 when the pool is full. */
long ma_tlb_alloc(struct ma_tlb_pool *p, const struct ma_tlb_req *req);
/* Give back @n slots from @idx. */
void ma_tlb_free(struct ma_tlb_pool *p, unsigned int idx, unsigned int n);

#endif /* MINALIGN_SWIOTLB_INTERNAL_H */
