/* SPDX-License-Identifier: MIT */
/*
 * dma/coherent.c - dma_alloc_coherent() and dma_free_coherent().
 *
 * Owns coherent blocks: buddy blocks below the device's coherent mask (and within the reach
 * of its engine), zeroed, flagged MA_PAGE_UNCACHED so that the cache simulator never maintains
 * them and devices use the CPU view, with head page owner MA_OWNER_COHERENT and priv = the
 * device.  Freeing validates the pointer, the size (its order) and the handle, and reports a
 * mismatch instead of freeing.  The block is made cacheable again and cleaned (so the DRAM view
 * matches) before it goes back to the buddy allocator.
 *
 * Locking: none here; the buddy allocator locks itself.  A block's page fields are written
 * only by the thread that allocates or frees it.
 */
#include "dma/internal.h"

static phys_addr_t ma_coherent_limit(const struct device *dev)
{
	u64 m = MA_MIN(ma_dev_coherent_mask(dev), dev->p->dma_limit);

	return m == UINT64_MAX ? UINT64_MAX : (phys_addr_t)m + 1;
}

/*
 * ma_coherent_alloc() - dma_alloc_coherent() tagging the block with page owner @owner
 * (MA_OWNER_COHERENT, or MA_OWNER_DMA_POOL for a pool's chunk).
 */
void *ma_coherent_alloc(struct device *dev, size_t size, dma_addr_t *dma_handle, gfp_t gfp,
			unsigned int owner, const char *what)
{
	unsigned int order;
	struct page *pg;
	void *cpu;

	if (!ma_dma_dev_valid(dev, what))
		return NULL;
	if (!dma_handle || !size) {
		ma_report("dma", dev->p->name, 0, size, "%s: %s", what,
			  !dma_handle ? "NULL dma_handle" : "zero size");
		return NULL;
	}
	order = get_order(size);
	if (order > MAX_PAGE_ORDER)
		return NULL;
	pg = ma_alloc_pages_below(gfp & ~__GFP_ZERO, order, ma_coherent_limit(dev));
	if (!pg)
		return NULL;
	cpu = ma_page_to_virt(pg);
	memset(cpu, 0, PAGE_SIZE << order);
	ma_pages_set_uncached(pg, order, true);
	pg->owner = (uint8_t)owner;
	pg->priv = dev;
	*dma_handle = ma_phys_to_dma(dev, ma_page_to_phys(pg));
	ma_stat_add(MA_STAT_coherent_bytes, (int64_t)(PAGE_SIZE << order));
	return cpu;
}

void *dma_alloc_coherent(struct device *dev, size_t size, dma_addr_t *dma_handle, gfp_t gfp)
{
	return ma_coherent_alloc(dev, size, dma_handle, gfp, MA_OWNER_COHERENT,
				 "dma_alloc_coherent");
}

/*
 * Why (@cpu, @size, @handle) is not a live coherent block of @dev with page owner @owner and
 * the managed flag @managed, or NULL when it is.  The owner and the device are checked before
 * the size and the handle: a block another API or device owns is never freed here.
 */
static const char *ma_coherent_misuse(struct device *dev, size_t size, void *cpu, dma_addr_t handle,
				      unsigned int owner, bool managed, struct page **head)
{
	struct page *pg;

	if (!ma_virt_in_ram(cpu, 1) || ((uintptr_t)cpu & (PAGE_SIZE - 1)))
		return "not a coherent allocation";
	pg = ma_virt_to_page(cpu);
	if (pg->state != MA_PAGE_HEAD)
		return "not a coherent allocation (or already freed)";
	if (pg->owner == MA_OWNER_DMA_POOL && owner == MA_OWNER_COHERENT)
		return "a chunk of a dma_pool (freed by dma_pool_destroy)";
	if (pg->owner != owner)
		return "not a coherent allocation (or already freed)";
	if (pg->priv != dev)
		return "allocated by another device";
	if (!managed && (pg->flags & MA_PAGE_MANAGED))
		return "managed by devres (dmam_alloc_coherent): free it with dmam_free_coherent";
	if (pg->order != get_order(size))
		return "size differs from the allocation's";
	if (handle != ma_phys_to_dma(dev, ma_page_to_phys(pg)))
		return "dma_handle differs from the allocation's";
	*head = pg;
	return NULL;
}

/*
 * ma_coherent_free() - dma_free_coherent() of a block with page owner @owner; @managed: the
 * caller is devres's release of a dmam_alloc_coherent() block.  Misuse is one report and frees
 * nothing.
 */
void ma_coherent_free(struct device *dev, size_t size, void *cpu_addr, dma_addr_t dma_handle,
		      unsigned int owner, bool managed)
{
	struct page *pg = NULL;
	const char *why;
	size_t bytes;

	if (!cpu_addr)
		return;
	if (!ma_dma_dev_valid(dev, "dma_free_coherent"))
		return;
	why = ma_coherent_misuse(dev, size, cpu_addr, dma_handle, owner, managed, &pg);
	if (!why && ma_free_watched(cpu_addr, PAGE_SIZE << pg->order, "dma_free_coherent"))
		return; /* a live streaming mapping covers it: reported, refused */
	if (why) {
		ma_report("dma", ma_dev_name(dev), (uint64_t)dma_handle, size,
			  "dma_free_coherent(%p, %zu bytes, %#llx): %s", cpu_addr, size,
			  (unsigned long long)dma_handle, why);
		return;
	}
	bytes = PAGE_SIZE << pg->order;
	pg->flags &= (uint8_t)~MA_PAGE_MANAGED;
	ma_pages_set_uncached(pg, pg->order, false);
	ma_cache_clean(ma_page_to_phys(pg), bytes);
	ma_stat_add(MA_STAT_coherent_bytes, -(int64_t)bytes);
	ma_free_pages_owned(pg, pg->order, owner);
}

void dma_free_coherent(struct device *dev, size_t size, void *cpu_addr, dma_addr_t dma_handle)
{
	ma_coherent_free(dev, size, cpu_addr, dma_handle, MA_OWNER_COHERENT, false);
}

/* Mark the coherent block at @cpu (just allocated by @dev) as released by devres. */
void ma_coherent_set_managed(void *cpu)
{
	ma_virt_to_page(cpu)->flags |= MA_PAGE_MANAGED;
}
