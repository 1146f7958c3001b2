/* SPDX-License-Identifier: MIT */
/*
 * minalign/mm.h - the simulated physical memory: GFP flags, pages, the buddy page allocator and
 * the conversions between CPU pointers and physical addresses.
 */
#ifndef MINALIGN_MM_H
#define MINALIGN_MM_H

#include <minalign/types.h>

MINALIGN_BEGIN_DECLS

#define PAGE_SHIFT     12
#define PAGE_SIZE      (1UL << PAGE_SHIFT)
#define PAGE_MASK      (~(PAGE_SIZE - 1))
#define MAX_PAGE_ORDER 10 /* largest block: 2^10 pages = 4 MiB */

/* GFP flags: Linux's names; the bit values are minalign's own. */
#define __GFP_DMA	     0x0001u /* below 4 GiB physical; cache-line aligned kmalloc objects */
#define __GFP_DMA32	     0x0002u /* below 4 GiB physical */
#define __GFP_HIGH	     0x0004u
#define __GFP_IO	     0x0008u
#define __GFP_FS	     0x0010u
#define __GFP_DIRECT_RECLAIM 0x0020u
#define __GFP_KSWAPD_RECLAIM 0x0040u
#define __GFP_RECLAIM	     (__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
#define __GFP_ZERO	     0x0100u /* return zeroed memory */
#define __GFP_NOWARN	     0x0200u /* no report on allocation failure */
#define __GFP_ACCOUNT	     0x0400u /* memcg accounted: the kmalloc-cg-N caches */
#define __GFP_RECLAIMABLE    0x0800u /* the kmalloc-rcl-N caches */
#define __GFP_PACKED	     0x1000u /* PACKED policy: this object may share cache lines */
/*
 * Accepted for compatibility; they change nothing here (docs/api.md): one memory node, no
 * highmem, no reclaim to retry, and an allocation that cannot be satisfied returns NULL even
 * with __GFP_NOFAIL (Linux would loop).
 */
#define __GFP_NOFAIL	     0x2000u
#define __GFP_NORETRY	     0x4000u
#define __GFP_RETRY_MAYFAIL  0x8000u
#define __GFP_HIGHMEM	     0x10000u
#define __GFP_MOVABLE	     0x20000u
#define __GFP_COMP	     0x40000u
#define __GFP_HARDWALL	     0x80000u
#define __GFP_MEMALLOC	     0x100000u
#define __GFP_NOMEMALLOC     0x200000u
#define __GFP_THISNODE	     0x400000u
#define __GFP_WRITE	     0x800000u

#define GFP_KERNEL	     (__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_KERNEL_ACCOUNT   (GFP_KERNEL | __GFP_ACCOUNT)
#define GFP_ATOMIC	     (__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_NOWAIT	     (__GFP_KSWAPD_RECLAIM)
#define GFP_NOIO	     (__GFP_RECLAIM)
#define GFP_NOFS	     (__GFP_RECLAIM | __GFP_IO)
#define GFP_USER	     (__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL)
#define GFP_HIGHUSER	     (GFP_USER | __GFP_HIGHMEM)
#define GFP_HIGHUSER_MOVABLE (GFP_HIGHUSER | __GFP_MOVABLE)
#define GFP_DMA		     __GFP_DMA
#define GFP_DMA32	     __GFP_DMA32

struct page; /* out-of-band page descriptor; opaque to users */

/**
 * alloc_pages() - allocate 2^@order physically contiguous pages.
 * @gfp: GFP flags; __GFP_ZERO zeroes, __GFP_DMA/__GFP_DMA32 keep the block below 4 GiB.
 * @order: 0..MAX_PAGE_ORDER.
 *
 * Return: the first page, or NULL when out of memory, @order is too large, the library is not
 * initialised, or fault injection fails the call.  Thread-safe.
 */
MINALIGN_API struct page *alloc_pages(gfp_t gfp, unsigned int order);

/**
 * __free_pages() - return a block from alloc_pages().
 * @page: first page of the block; NULL is ignored.
 * @order: the order it was allocated with.
 *
 * A double free, a free of a page never handed out, or a wrong @order is reported and changes
 * nothing.  Thread-safe.
 */
MINALIGN_API void __free_pages(struct page *page, unsigned int order);

/** __get_free_pages() - alloc_pages() returning the CPU address, or 0 on failure. */
MINALIGN_API unsigned long __get_free_pages(gfp_t gfp, unsigned int order);
/** get_zeroed_page() - one zeroed page's CPU address, or 0 on failure. */
MINALIGN_API unsigned long get_zeroed_page(gfp_t gfp);
/** free_pages() - free a block by CPU address; 0 is ignored; misuse is reported as above. */
MINALIGN_API void free_pages(unsigned long addr, unsigned int order);
#define __get_free_page(gfp) __get_free_pages((gfp), 0)
#define free_page(addr)	     free_pages((addr), 0)
#define alloc_page(gfp)	     alloc_pages((gfp), 0)
#define __free_page(page)    __free_pages((page), 0)

/* Rounding to pages (Linux's macros). */
#define PAGE_ALIGN(addr)   (((addr) + PAGE_SIZE - 1) & PAGE_MASK)
#define PAGE_ALIGNED(addr) ((((unsigned long)(addr)) & (PAGE_SIZE - 1)) == 0)
#define offset_in_page(p)  ((unsigned long)(p) & ~PAGE_MASK)

/**
 * alloc_pages_exact() - @size bytes of contiguous pages (zeroed with __GFP_ZERO); the pages of
 * the power-of-two block beyond PAGE_ALIGN(@size) are given back at once, as in Linux.
 * Return: the CPU address, or NULL when out of memory or @size is 0 or too large.
 */
MINALIGN_API void *alloc_pages_exact(size_t size, gfp_t gfp_mask);
/** free_pages_exact() - free alloc_pages_exact(@size) memory; NULL is ignored. */
MINALIGN_API void free_pages_exact(void *virt, size_t size);

/**
 * vmalloc() - @size bytes of host memory outside the simulated RAM, as vmalloc memory is
 * outside the kernel's linear map: never DMA-able (a mapping of it is refused and reported).
 * Return: the memory, or NULL when out of memory or @size is 0.  Thread-safe.
 */
MINALIGN_API void *vmalloc(unsigned long size);
/** vzalloc() - zeroed vmalloc(). */
MINALIGN_API void *vzalloc(unsigned long size);
/** vfree() - free vmalloc() memory; NULL is ignored, anything else is reported. */
MINALIGN_API void vfree(const void *addr);
/** minalign_is_vmalloc_addr() - @addr lies in a live vmalloc() allocation (is_vmalloc_addr()). */
MINALIGN_API bool minalign_is_vmalloc_addr(const void *addr);

/**
 * get_order() - smallest order whose block holds @size bytes (Linux's type).  @size 0 gives 0
 * (Linux leaves it undefined).
 */
MINALIGN_API int get_order(unsigned long size);

/** page_address() - CPU address of @page, or NULL for a pointer that is not a page of RAM. */
MINALIGN_API void *page_address(const struct page *page);
/** virt_to_page() - the page holding @addr, or NULL (and a report) when @addr is not in RAM. */
MINALIGN_API struct page *virt_to_page(const volatile void *addr);
/** page_to_phys() - physical address of @page. */
MINALIGN_API phys_addr_t page_to_phys(const struct page *page);
/** phys_to_page() - the page holding @phys, or NULL when @phys is not in RAM. */
MINALIGN_API struct page *phys_to_page(phys_addr_t phys);
/** page_to_pfn() - physical frame number of @page. */
MINALIGN_API unsigned long page_to_pfn(const struct page *page);
/** pfn_to_page() - page of a physical frame number, or NULL when not in RAM. */
MINALIGN_API struct page *pfn_to_page(unsigned long pfn);

/**
 * virt_to_phys() - physical address of a CPU pointer into RAM.
 *
 * Return: the address, or MINALIGN_PHYS_INVALID with a report when @addr is not in RAM.
 */
MINALIGN_API phys_addr_t virt_to_phys(const volatile void *addr);
/** phys_to_virt() - CPU pointer for @phys, or NULL with a report when @phys is not in RAM. */
MINALIGN_API void *phys_to_virt(phys_addr_t phys);
#define MINALIGN_PHYS_INVALID (~(phys_addr_t)0)

/** minalign_addr_in_ram() - true if [@addr, @addr + @size) lies inside the simulated RAM. */
MINALIGN_API bool minalign_addr_in_ram(const volatile void *addr, size_t size);

MINALIGN_END_DECLS

#endif /* MINALIGN_MM_H */
