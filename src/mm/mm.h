/* SPDX-License-Identifier: MIT */
/*
 * mm/mm.h - the simulated physical memory, private interface.
 *
 * RAM is ram_size bytes at physical ram_base.  The CPU view is a host mapping at ma_mem.cpu
 * whose address is congruent to ram_base modulo the largest buddy block, so natural alignment
 * of blocks and cache lines is the same in physical and virtual space.  In the sim cache model
 * a second mapping of the same size, ma_mem.dram, is what devices see.
 *
 * struct page is out-of-band metadata, one per 4 KiB page, in an array of its own.  The buddy
 * allocator owns next/prev/order/state of free blocks; the owner of an allocated block (slab,
 * kmalloc-large, swiotlb, coherent DMA) may use `owner` and `priv` on the head page.  Every page
 * of an allocated block points at its head through `head`.
 */
#ifndef MINALIGN_MM_MM_H
#define MINALIGN_MM_MM_H

#include "core/core.h"

#include <minalign/mm.h>

#define MA_PAGE_NONE UINT32_MAX
#define MA_MM_BLOCK  (PAGE_SIZE << MAX_PAGE_ORDER) /* largest buddy block: 4 MiB */

enum ma_page_state {
	MA_PAGE_RESERVED = 0, /* never handed out: the page array is committed lazily, so a
			       * tail of a block untouched since init reads 0 (see buddy.c) */
	MA_PAGE_FREE,	      /* head of a free buddy block */
	MA_PAGE_FREE_TAIL,    /* inside a free buddy block */
	MA_PAGE_HEAD,	      /* head of an allocated block */
	MA_PAGE_TAIL,	      /* inside an allocated block */
};

/* Who owns an allocated block (head page); set by the owner after allocation. */
enum ma_page_owner {
	MA_OWNER_NONE = 0, /* plain alloc_pages() user */
	MA_OWNER_SLAB,	   /* a slab of a kmem_cache; priv is the slab descriptor */
	MA_OWNER_KMALLOC_LARGE,
	MA_OWNER_SWIOTLB,  /* a bounce pool; priv is the pool */
	MA_OWNER_COHERENT, /* dma_alloc_coherent memory; priv is the device */
	MA_OWNER_DMA_POOL, /* a dma_pool chunk (coherent memory); priv is the device */
	MA_OWNER_NR,
};

#define MA_PAGE_UNCACHED 0x1u /* mapped uncached: CPU and devices both use the CPU view */
#define MA_PAGE_MANAGED	 0x2u /* head page: the block is released by devres (dmam_*) */

struct page {
	uint32_t next, prev; /* buddy free list (page indexes), MA_PAGE_NONE-terminated */
	uint32_t head;	     /* index of the head page of the block holding this page */
	uint8_t order;	     /* block order (head pages) */
	uint8_t state;	     /* enum ma_page_state */
	uint8_t flags;	     /* MA_PAGE_* */
	uint8_t owner;	     /* enum ma_page_owner (head pages of allocated blocks) */
	void *priv;	     /* owner's pointer (head pages of allocated blocks) */
};

struct ma_mem {
	phys_addr_t base; /* ram_base */
	phys_addr_t end;  /* ram_base + ram_size */
	size_t size;
	unsigned char *cpu;  /* CPU view of RAM */
	unsigned char *dram; /* DRAM view (sim model), else NULL */
	struct page *pages;  /* one per page of RAM */
	uint32_t nr_pages;
	void *cpu_map, *dram_map; /* host mappings (for unmapping) */
	size_t cpu_map_len, dram_map_len, pages_len;
};
extern struct ma_mem ma_mem;

int ma_mm_init(void);
void ma_mm_exit(void);
/* mm-internal: the buddy allocator's part of init/exit (called by ma_mm_init/ma_mm_exit). */
int ma_buddy_init(void);
void ma_buddy_exit(void);

/* ---- conversions (never mix address kinds; use these) ----------------------------------- */

static inline bool ma_phys_in_ram(phys_addr_t phys, size_t size)
{
	return phys >= ma_mem.base && phys <= ma_mem.end && size <= ma_mem.end - phys;
}

static inline bool ma_virt_in_ram(const volatile void *p, size_t size)
{
	uintptr_t a = (uintptr_t)p, b = (uintptr_t)ma_mem.cpu;
	return ma_mem.cpu && a >= b && a - b <= ma_mem.size && size <= ma_mem.size - (a - b);
}

/* Unchecked conversions: the caller has validated the address. */
static inline phys_addr_t ma_virt_to_phys(const volatile void *p)
{
	return ma_mem.base + (phys_addr_t)((uintptr_t)p - (uintptr_t)ma_mem.cpu);
}

static inline void *ma_phys_to_virt(phys_addr_t phys)
{
	return ma_mem.cpu + (size_t)(phys - ma_mem.base);
}

static inline void *ma_phys_to_dram(phys_addr_t phys)
{
	return ma_mem.dram + (size_t)(phys - ma_mem.base);
}

static inline uint32_t ma_phys_to_idx(phys_addr_t phys)
{
	return (uint32_t)((phys - ma_mem.base) >> PAGE_SHIFT);
}

static inline struct page *ma_phys_to_page(phys_addr_t phys)
{
	return &ma_mem.pages[ma_phys_to_idx(phys)];
}

static inline struct page *ma_virt_to_page(const volatile void *p)
{
	return &ma_mem.pages[((uintptr_t)p - (uintptr_t)ma_mem.cpu) >> PAGE_SHIFT];
}

static inline uint32_t ma_page_idx(const struct page *pg)
{
	return (uint32_t)(pg - ma_mem.pages);
}

static inline phys_addr_t ma_page_to_phys(const struct page *pg)
{
	return ma_mem.base + ((phys_addr_t)ma_page_idx(pg) << PAGE_SHIFT);
}

static inline void *ma_page_to_virt(const struct page *pg)
{
	return ma_mem.cpu + ((size_t)ma_page_idx(pg) << PAGE_SHIFT);
}

/* The head page of the allocated block holding @pg. */
static inline struct page *ma_page_head(struct page *pg)
{
	return &ma_mem.pages[pg->head];
}

/* True when @pg points into the page array. */
static inline bool ma_page_valid(const struct page *pg)
{
	return ma_mem.pages && pg >= ma_mem.pages && pg < ma_mem.pages + ma_mem.nr_pages &&
	       ((uintptr_t)pg - (uintptr_t)ma_mem.pages) % sizeof(struct page) == 0;
}

/* ---- the buddy allocator (mm/buddy.c) -------------------------------------------------- */

/*
 * ma_alloc_pages_below() - alloc_pages() restricted to blocks ending at or below @limit
 * (a physical address; UINT64_MAX for any).  Returns NULL on failure without a report.
 */
struct page *ma_alloc_pages_below(gfp_t gfp, unsigned int order, phys_addr_t limit);
/*
 * ma_free_pages_owned() - __free_pages() for a block whose head page has owner @owner (set by
 * the module that allocated it).  A block of another owner, a free block, a tail page or a
 * wrong order makes one report and nothing is freed; returns false then.  __free_pages() itself
 * frees only blocks of owner MA_OWNER_NONE (plain alloc_pages() users).
 */
bool ma_free_pages_owned(struct page *page, unsigned int order, unsigned int owner);
/* What frees a block of @owner ("kfree", "dma_free_coherent", ...). */
const char *ma_page_owner_name(unsigned int owner);
/* Set or clear MA_PAGE_UNCACHED on every page of a block. */
void ma_pages_set_uncached(struct page *head, unsigned int order, bool uncached);
/* fork: hold the allocator lock across fork (a leaf: taken after every other lock). */
void ma_buddy_atfork(enum ma_fork_phase phase);
/* Free pages now (exact; takes the allocator lock). */
uint64_t ma_buddy_free_pages(void);
/* Debug walker: checks every free list and page state; returns 0 or -EUCLEAN (with a report). */
int ma_buddy_validate(void);

#endif /* MINALIGN_MM_MM_H */
