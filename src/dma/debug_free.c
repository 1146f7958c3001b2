/* SPDX-License-Identifier: MIT */
/*
 * dma/debug_free.c - DMA-API debug sees CPU frees: memory a live streaming mapping covers is
 * never freed, and memory that is not allocated is never mapped.
 *
 * Owns: the holds of live mappings, a per-page count of the mappings that hold page memory,
 * and the registry of every device's mapping table (for naming a mapping by memory).
 *
 * Holds.  Every streaming mapping entered in a device's table (debug.c) holds its memory
 * until it leaves the table (unmap, failed sg, device destroy): slab objects through their
 * out-of-band slot state (ma_slab_dma_hold(), slab.h: kfree's fast path pays nothing), other
 * memory (kmalloc-large, pages, coherent blocks) through ma_dbgf_pages[], one counter per page.
 * The allocators ask the free watch (core.h) before they free: for slab objects only when the
 * object is held; for page memory on every free, answered by the counters of the block's pages
 * (one atomic load when no mapping is live at all).  A free of held memory is reported once,
 * naming the device and the mapping, and refused: the memory stays allocated, the caller's
 * pointer stays valid, and the mapping can still be unmapped and the memory freed after.
 *
 * Allocated memory only.  A mapping of a slab slot that is not allocated, of the slab's tail
 * or of a page that is not part of an allocated block is refused (DMA_MAPPING_ERROR, one
 * report): the device would write into the allocator's own free memory.
 *
 * Locking: ma_dbgf_lock protects the registry; the watch takes it, then each table's lock in
 * turn, copies what the report says and reports after dropping both.  Holds and counters are
 * atomics.  Lock order: cache lock (a debug slab's free check) -> ma_dbgf_lock -> table lock.
 */
#include "dma/debug_table.h"

static ma_spinlock_t ma_dbgf_lock = MA_SPINLOCK_INIT;
static struct ma_dma_debug *ma_dbgf_tables; /* registry, via ma_dma_debug.gnext */
static _Atomic uint32_t *ma_dbgf_pages;	    /* live page-memory holds per page, or NULL */
static atomic_long ma_dbgf_holds;	    /* live holds of any kind */

static bool ma_dbgf_watch(const void *cpu, size_t size, const char *what);

void ma_dbgf_init(void)
{
	atomic_store_explicit(&ma_dbgf_holds, 0, memory_order_relaxed);
	ma_dbgf_tables = NULL;
	if (!ma_dma_debug_on() || !ma_mem.nr_pages)
		return;
	/* no memory for the counters: mappings then hold slab objects only, page memory not */
	ma_dbgf_pages = ma_meta_alloc((size_t)ma_mem.nr_pages * sizeof(*ma_dbgf_pages));
	ma_free_watch_set(ma_dbgf_watch);
}

void ma_dbgf_exit(void)
{
	ma_free_watch_set(NULL);
	ma_meta_free((void *)ma_dbgf_pages);
	ma_dbgf_pages = NULL;
}

void ma_dbgf_register(struct ma_dma_debug *t, struct device *dev)
{
	t->dev = dev;
	ma_spin_lock(&ma_dbgf_lock);
	t->gnext = ma_dbgf_tables;
	ma_dbgf_tables = t;
	ma_spin_unlock(&ma_dbgf_lock);
}

void ma_dbgf_atfork(bool lock)
{
	if (lock)
		ma_spin_lock(&ma_dbgf_lock);
	for (struct ma_dma_debug *t = ma_dbgf_tables; t; t = t->gnext) {
		if (lock)
			ma_spin_lock(&t->lock);
		else
			ma_spin_unlock(&t->lock);
	}
	if (!lock)
		ma_spin_unlock(&ma_dbgf_lock);
}

void ma_dbgf_unregister(struct ma_dma_debug *t)
{
	struct ma_dma_debug **pp;

	ma_spin_lock(&ma_dbgf_lock);
	for (pp = &ma_dbgf_tables; *pp; pp = &(*pp)->gnext)
		if (*pp == t) {
			*pp = t->gnext;
			break;
		}
	ma_spin_unlock(&ma_dbgf_lock);
}

/* Add @delta to the counters of the pages of [@phys, @phys+@size). */
static void ma_dbgf_pages_add(phys_addr_t phys, size_t size, int delta)
{
	uint32_t first = ma_phys_to_idx(phys), last = ma_phys_to_idx(phys + size - 1), i;

	for (i = first; i <= last; i++)
		atomic_fetch_add_explicit(&ma_dbgf_pages[i], (uint32_t)delta, memory_order_relaxed);
}

void ma_dbgf_hold(struct ma_dbg_entry *e)
{
	int r = ma_slab_dma_hold(ma_phys_to_virt(e->phys), e->size, 1);

	if (r == 0) {
		e->held = MA_DBGF_HELD_SLAB;
	} else if (r == 1 && ma_dbgf_pages) {
		ma_dbgf_pages_add(e->phys, e->size, 1);
		e->held = MA_DBGF_HELD_PAGES;
	} else {
		return; /* a race with a free (reported by the free), or too many holds */
	}
	atomic_fetch_add_explicit(&ma_dbgf_holds, 1, memory_order_relaxed);
}

void ma_dbgf_release(struct ma_dbg_entry *e)
{
	if (!e->held)
		return;
	if (e->held == MA_DBGF_HELD_SLAB)
		ma_slab_dma_hold(ma_phys_to_virt(e->phys), e->size, -1);
	else
		ma_dbgf_pages_add(e->phys, e->size, -1);
	e->held = 0;
	atomic_fetch_sub_explicit(&ma_dbgf_holds, 1, memory_order_relaxed);
}

/* Is every page of [@phys, @phys+@size) part of an allocated block? */
static bool ma_dbgf_pages_allocated(phys_addr_t phys, size_t size)
{
	uint32_t first = ma_phys_to_idx(phys), last = ma_phys_to_idx(phys + size - 1), i;

	for (i = first; i <= last; i++) {
		uint8_t st = ma_mem.pages[i].state;

		if (st != MA_PAGE_HEAD && st != MA_PAGE_TAIL)
			return false;
	}
	return true;
}

bool ma_dbgf_allocated(struct device *dev, phys_addr_t phys, size_t size, const char *what)
{
	const void *cpu = ma_phys_to_virt(phys);
	int r = ma_slab_dma_hold(cpu, size, 0);

	if (r == 0 || (r == 1 && ma_dbgf_pages_allocated(phys, size)))
		return true;
	ma_report("dma", ma_dev_name(dev), phys, size,
		  "%s: %p+%zu is not allocated memory (%s): the device would write into the "
		  "allocator's free memory (refused)",
		  what, cpu, size, r == 1 ? "a free page" : "a free or no slab object");
	return false;
}

/* Does a page of [@phys, @phys+@size) have a live page-memory hold? */
static bool ma_dbgf_pages_held(phys_addr_t phys, size_t size)
{
	uint32_t first = ma_phys_to_idx(phys), last = ma_phys_to_idx(phys + size - 1), i;

	if (!ma_dbgf_pages)
		return false;
	for (i = first; i <= last; i++)
		if (atomic_load_explicit(&ma_dbgf_pages[i], memory_order_relaxed))
			return true;
	return false;
}

/* Is @cpu inside a slab object (not kmalloc-large)?  Lock-free: the caller may hold its lock. */
static bool ma_dbgf_slab_object(const void *cpu)
{
	struct ma_slab_slot slot;

	return ma_slab_slot(cpu, &slot) && strcmp(slot.cache, "kmalloc-large") != 0;
}

struct ma_dbgf_found {
	char dev[64];
	dma_addr_t addr;
	phys_addr_t phys;
	size_t size;
	int dir, type;
};

/*
 * Find a live mapping overlapping [@phys, @phys+@size) in any table; false if none.  Mappings
 * of a device whose destroy is running its release actions (a devm buffer freed while mapped)
 * do not count: their holds are dropped here, and the DMA layer's own release action, which
 * runs after, reports each and unmaps it without a sync (nothing is written to the memory).
 */
static bool ma_dbgf_find(phys_addr_t phys, size_t size, struct ma_dbgf_found *f)
{
	bool found = false;

	ma_spin_lock(&ma_dbgf_lock);
	for (struct ma_dma_debug *t = ma_dbgf_tables; t && !found; t = t->gnext) {
		ma_spin_lock(&t->lock);
		for (unsigned int b = 0; b < MA_DBG_BUCKETS && !found; b++)
			for (struct ma_dbg_entry *e = t->bucket[b]; e && !found; e = e->next) {
				if (e->phys >= phys + size || phys >= e->phys + e->size)
					continue;
				if (t->dev->p->dying) {
					ma_dbgf_release(e);
					continue;
				}
				snprintf(f->dev, sizeof(f->dev), "%s", ma_dev_name(t->dev));
				f->addr = e->addr;
				f->phys = e->phys;
				f->size = e->size;
				f->dir = e->dir;
				f->type = e->type;
				found = true;
			}
		ma_spin_unlock(&t->lock);
	}
	ma_spin_unlock(&ma_dbgf_lock);
	return found;
}

static bool ma_dbgf_watch(const void *cpu, size_t size, const char *what)
{
	static const char *const fn[] = {"dma_map_single", "dma_map_page", "dma_map_sg"};
	phys_addr_t phys = ma_virt_to_phys(cpu);
	struct ma_dbgf_found f;

	if (!atomic_load_explicit(&ma_dbgf_holds, memory_order_relaxed))
		return false;
	if (!ma_dbgf_pages_held(phys, size) && !ma_dbgf_slab_object(cpu))
		return false; /* page memory no mapping holds: the common case */
	if (!ma_dbgf_find(phys, size, &f))
		return false;
	ma_report("dma", f.dev, phys, size,
		  "%s(%p): device driver frees DMA memory with an active mapping: %s mapping "
		  "%#llx+%zu (%s, memory %#llx) of %s is live; the free is refused (unmap first)",
		  what, cpu, fn[f.type], (unsigned long long)f.addr, f.size, ma_dbg_dir_name(f.dir),
		  (unsigned long long)f.phys, f.dev);
	return true;
}
