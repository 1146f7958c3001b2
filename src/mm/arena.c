/* SPDX-License-Identifier: MIT */
/*
 * mm/arena.c - the simulated RAM: host reservations, the struct page array and the public
 * conversions between CPU pointers, physical addresses, pfns and pages.
 *
 * Owns: struct ma_mem ma_mem (written only by ma_mm_init()/ma_mm_exit(), read-only in between,
 * so every reader is lock-free), the CPU view of RAM, the DRAM shadow view (sim cache model
 * only) and the page array.
 *
 * Invariants:
 *  - ma_mem.cpu is congruent to ram_base modulo MA_MM_BLOCK (the largest buddy block, 4 MiB),
 *    so a block or cache line that is naturally aligned in physical space is aligned the same
 *    way in the CPU view.  The DRAM view is placed the same way.
 *  - All three regions come from the platform seam and are committed lazily: reserving 1 GiB
 *    of RAM costs nothing until it is touched.  The page array is zero-filled, so a page that
 *    the allocator never touched since init reads MA_PAGE_RESERVED (see buddy.c).
 *  - ma_mem.pages != NULL exactly while mm is up; every public entry point checks it, so the
 *    conversions return NULL/MINALIGN_PHYS_INVALID before init and after exit.
 *
 * Locking: none here.  init/exit are not thread-safe against any other call (the library's
 * contract); the conversions only read ma_mem.
 *
 * Reports: the conversions that the public header documents as reporting (virt_to_phys,
 * phys_to_virt, virt_to_page) report an address outside RAM once and return the invalid value;
 * page_to_phys/page_to_pfn report a pointer that is not a page.  The probing helpers
 * (phys_to_page, pfn_to_page, page_address, minalign_addr_in_ram) only answer.  Before init
 * (or after exit) there is no RAM, so the reporting ones report every input, saying why.
 */
#include "mm/mm.h"

#include <limits.h>

struct ma_mem ma_mem;

static void mm_unmap_all(void)
{
	if (ma_mem.pages)
		ma_plat_unmap(ma_mem.pages, ma_mem.pages_len);
	if (ma_mem.dram_map)
		ma_plat_unmap(ma_mem.dram_map, ma_mem.dram_map_len);
	if (ma_mem.cpu_map)
		ma_plat_unmap(ma_mem.cpu_map, ma_mem.cpu_map_len);
	memset(&ma_mem, 0, sizeof(ma_mem));
}

/* Defensive checks: core validates the configuration first, with reports naming the field. */
static int mm_check_geometry(uint64_t base, size_t size)
{
	uint64_t pages = size >> PAGE_SHIFT;

	if (!size || size % PAGE_SIZE || base % PAGE_SIZE)
		return -EINVAL;
	if (base + size < base)
		return -EINVAL;
	/* Page indexes are 32-bit and MA_PAGE_NONE must stay out of range. */
	if (pages >= MA_PAGE_NONE)
		return -EINVAL;
	return 0;
}

/* One view of RAM, placed so that natural alignment matches physical space. */
static unsigned char *mm_map_view(size_t size, void **map, size_t *len)
{
	uintptr_t phase = (uintptr_t)(ma_cfg.ram_base & (MA_MM_BLOCK - 1));

	return ma_plat_map_aligned(size, MA_MM_BLOCK, phase, map, len);
}

/**
 * ma_mm_init() - reserve RAM and the page array, then start the buddy allocator.
 *
 * Reads ma_cfg.ram_base, ram_size and cache_model.  Sets the ram_bytes statistic; the buddy
 * allocator sets pages_free.
 *
 * Return: 0, -EINVAL for an impossible geometry, -EBUSY when already up, -ENOMEM when a host
 * reservation fails (nothing stays reserved).
 */
int ma_mm_init(void)
{
	uint64_t base = ma_cfg.ram_base;
	size_t size = ma_cfg.ram_size;
	int err;

	if (ma_mem.pages)
		return -EBUSY;
	err = mm_check_geometry(base, size);
	if (err)
		return err;

	ma_mem.base = base;
	ma_mem.end = base + size;
	ma_mem.size = size;
	ma_mem.nr_pages = (uint32_t)(size >> PAGE_SHIFT);

	err = -ENOMEM;
	ma_mem.cpu = mm_map_view(size, &ma_mem.cpu_map, &ma_mem.cpu_map_len);
	if (!ma_mem.cpu)
		goto fail;
	if (ma_cfg.cache_model == MINALIGN_CACHE_SIM) {
		ma_mem.dram = mm_map_view(size, &ma_mem.dram_map, &ma_mem.dram_map_len);
		if (!ma_mem.dram)
			goto fail;
	}
	ma_mem.pages_len = (size_t)ma_mem.nr_pages * sizeof(struct page);
	ma_mem.pages = ma_plat_map(ma_mem.pages_len);
	if (!ma_mem.pages)
		goto fail;

	err = ma_buddy_init();
	if (err)
		goto fail;
	ma_stat_set(MA_STAT_ram_bytes, size);
	return 0;

fail:
	mm_unmap_all();
	return err;
}

/**
 * ma_mm_exit() - stop the buddy allocator and release every host reservation.
 *
 * Safe when mm is not up.  Pages still allocated are simply dropped with the arena; finding
 * them is the leak checks' job (pages_free against ram_bytes).
 */
void ma_mm_exit(void)
{
	if (!ma_mem.pages)
		return;
	if (MINALIGN_VALIDATE)
		ma_buddy_validate();
	ma_buddy_exit();
	ma_stat_set(MA_STAT_ram_bytes, 0);
	mm_unmap_all();
}

/* ---- public conversions ---------------------------------------------------------------- */

static inline bool mm_up(void)
{
	return ma_mem.pages != NULL;
}

static const char *mm_why(void)
{
	return mm_up() ? "address is not in RAM" : "minalign is not initialised";
}

/**
 * virt_to_phys() - physical address of a CPU pointer into RAM.
 * @addr: CPU pointer.
 *
 * Return: the physical address, or MINALIGN_PHYS_INVALID (with a report) when @addr is not inside
 * RAM.
 */
phys_addr_t virt_to_phys(const volatile void *addr)
{
	if (ma_unlikely(!ma_virt_in_ram(addr, 1))) {
		ma_report("mm", NULL, (uintptr_t)addr, 0, "virt_to_phys(%p): %s",
			  (const void *)addr, mm_why());
		return MINALIGN_PHYS_INVALID;
	}
	return ma_virt_to_phys(addr);
}

/**
 * phys_to_virt() - CPU pointer for a physical address in RAM.
 * @phys: physical address.
 *
 * Return: the pointer, or NULL (with a report) outside RAM.
 */
void *phys_to_virt(phys_addr_t phys)
{
	if (ma_unlikely(!mm_up() || phys < ma_mem.base || phys >= ma_mem.end)) {
		ma_report("mm", NULL, phys, 0, "phys_to_virt(%#llx): %s", (unsigned long long)phys,
			  mm_why());
		return NULL;
	}
	return ma_phys_to_virt(phys);
}

/**
 * virt_to_page() - the page holding a CPU pointer.
 * @addr: CPU pointer.
 *
 * Return: the page, or NULL (with a report) when @addr is not in RAM.
 */
struct page *virt_to_page(const volatile void *addr)
{
	if (ma_unlikely(!ma_virt_in_ram(addr, 1))) {
		ma_report("mm", NULL, (uintptr_t)addr, 0, "virt_to_page(%p): %s",
			  (const void *)addr, mm_why());
		return NULL;
	}
	return ma_virt_to_page(addr);
}

/**
 * page_address() - CPU address of the first byte of a page.
 * @page: a page of RAM.
 *
 * Return: the address, or NULL when @page is not an element of the page array.
 */
void *page_address(const struct page *page)
{
	if (ma_unlikely(!ma_page_valid(page)))
		return NULL;
	return ma_page_to_virt(page);
}

/**
 * page_to_phys() - physical address of a page.
 * @page: a page of RAM.
 *
 * Return: the address, or MINALIGN_PHYS_INVALID (with a report) when
 * @page is not an element of the page array.
 */
phys_addr_t page_to_phys(const struct page *page)
{
	if (ma_unlikely(!ma_page_valid(page))) {
		ma_report("mm", NULL, 0, 0, "page_to_phys(%p): %s", (const void *)page,
			  mm_up() ? "not a page of RAM" : "minalign is not initialised");
		return MINALIGN_PHYS_INVALID;
	}
	return ma_page_to_phys(page);
}

/**
 * phys_to_page() - the page holding a physical address.
 * @phys: physical address.
 *
 * Return: the page, or NULL when @phys is not in RAM (no report: this is also a probe).
 */
struct page *phys_to_page(phys_addr_t phys)
{
	if (!mm_up() || phys < ma_mem.base || phys >= ma_mem.end)
		return NULL;
	return ma_phys_to_page(phys);
}

/**
 * page_to_pfn() - physical frame number of a page.
 * @page: a page of RAM.
 *
 * Return: the pfn, or ULONG_MAX (with a report) when @page is not an
 * element of the page array.
 */
unsigned long page_to_pfn(const struct page *page)
{
	if (ma_unlikely(!ma_page_valid(page))) {
		ma_report("mm", NULL, 0, 0, "page_to_pfn(%p): %s", (const void *)page,
			  mm_up() ? "not a page of RAM" : "minalign is not initialised");
		return ULONG_MAX;
	}
	return (unsigned long)(ma_page_to_phys(page) >> PAGE_SHIFT);
}

/**
 * pfn_to_page() - the page of a physical frame number.
 * @pfn: frame number.
 *
 * Return: the page, or NULL when the frame is not in RAM (no report).
 */
struct page *pfn_to_page(unsigned long pfn)
{
	uint64_t first, last;

	if (!mm_up())
		return NULL;
	first = ma_mem.base >> PAGE_SHIFT;
	last = first + ma_mem.nr_pages;
	if ((uint64_t)pfn < first || (uint64_t)pfn >= last)
		return NULL;
	return &ma_mem.pages[(uint64_t)pfn - first];
}

/**
 * minalign_addr_in_ram() - whether a CPU range lies inside the simulated RAM.
 * @addr: start of the range.
 * @size: its length in bytes (0 asks about @addr alone, which may then equal the end of RAM).
 *
 * Return: true if [@addr, @addr + @size) is in RAM; false before init.
 */
bool minalign_addr_in_ram(const volatile void *addr, size_t size)
{
	return ma_virt_in_ram(addr, size);
}

/**
 * get_order() - smallest order whose block holds @size bytes.
 * @size: bytes; 0 gives 0.
 *
 * Return: the order; it may exceed MAX_PAGE_ORDER for large sizes (alloc_pages then fails).
 */
int get_order(unsigned long size)
{
	unsigned long long pages;

	if (size <= PAGE_SIZE)
		return 0;
	pages = (unsigned long long)((size - 1) >> PAGE_SHIFT);
	return 64 - __builtin_clzll(pages);
}
