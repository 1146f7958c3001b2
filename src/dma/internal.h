/* SPDX-License-Identifier: MIT */
/*
 * dma/internal.h - what the files of dma/ share.
 *
 * dev.c: per-device DMA state, masks, init/exit.  bounce.c: the bounce decision and the
 * swiotlb queries drivers see.  mapping.c: streaming map/unmap/sync of one physical range.
 * sg.c: scatterlists.  coherent.c: dma_alloc_coherent.  dmapool.c: dma_pool.  devside.c: the
 * device's DMA engine.  iommu.c: mapping through a device's IOMMU domain (dma-iommu).
 * kbounce.c: the kmalloc bounce backend.
 */
#ifndef MINALIGN_DMA_INTERNAL_H
#define MINALIGN_DMA_INTERNAL_H

#include <minalign/dma-mapping.h>
#include <minalign/scatterlist.h>
#include <minalign/dmapool.h>
#include <minalign/swiotlb.h>

#include "device/device.h"
#include "swiotlb/swiotlb.h"
#include "iommu/iommu.h"
#include "cache/cache.h"
#include "slab/slab.h"

/*
 * struct ma_dma_dev - the DMA layer's per-device state (dev->p->dma), created by the attach hook
 * and freed by the release action it registers, which runs last at minalign_device_destroy().
 * @tlb is swiotlb/'s part: the "has used swiotlb" flag, read by every unmap and sync (a device
 * that never bounced looks at no pool), and the device's transient pools (dynamic SWIOTLB).
 * The live mapping table (DMA-API debug) reports leaked mappings at teardown.
 */
struct ma_dma_dev {
	struct device *dev;
	struct ma_tlb_devstate tlb;  /* swiotlb/'s per-device state */
	struct ma_dma_debug *debug;  /* DMA-API debug's live-mapping table (debug.c), or NULL */
	struct ma_iommu_domain *dom; /* the device's IOMMU domain (dev->iommu), else NULL */
	atomic_bool kb_used;	     /* has bounced through kmalloc (kbounce.c, [K1]..[K4]) */
};

int ma_dma_init(void);
void ma_dma_exit(void);

/* Bus <-> physical addresses: the identity today (a per-device offset would go here). */
static inline dma_addr_t ma_phys_to_dma(const struct device *dev, phys_addr_t phys)
{
	(void)dev;
	return (dma_addr_t)phys;
}

static inline phys_addr_t ma_dma_to_phys(const struct device *dev, dma_addr_t addr)
{
	(void)dev;
	return (phys_addr_t)addr;
}

static inline bool ma_dma_inbound(enum dma_data_direction dir)
{
	return dir == DMA_FROM_DEVICE || dir == DMA_BIDIRECTIONAL;
}

static inline bool ma_dma_dir_valid(enum dma_data_direction dir)
{
	return dir == DMA_BIDIRECTIONAL || dir == DMA_TO_DEVICE || dir == DMA_FROM_DEVICE;
}

/* The device as swiotlb/ needs to see it. */
static inline void ma_dma_tlb_dev(struct ma_tlb_dev *td, const struct device *dev)
{
	td->name = dev->p->name;
	td->limit = ma_dev_dma_mask(dev);
	td->min_align_mask = ma_dev_min_align_mask(dev);
	td->coherent = dev->p->coherent || ma_cfg.cache_model == MINALIGN_CACHE_COHERENT;
	td->ds = &((struct ma_dma_dev *)dev->p->dma)->tlb;
	td->pad_shift = 0;
	td->pad_zero = false;
}

/* [K3] + [K4]: has @dev ever bounced through kmalloc?  If not, no address of it is one. */
static inline bool ma_dma_kb_used(const struct device *dev)
{
	ma_tlb_fence_acquire(); /* [K3] pairs with [K2] in ma_kb_map() */
	return atomic_load_explicit(&((const struct ma_dma_dev *)dev->p->dma)->kb_used,
				    memory_order_relaxed);
}

static inline struct ma_iommu_domain *ma_dma_dom(const struct device *dev)
{
	return ((const struct ma_dma_dev *)dev->p->dma)->dom;
}

/* The highest bus address a mapping may hand @dev (its mask, within its engine's reach). */
static inline u64 ma_dma_limit(const struct device *dev)
{
	return MA_MIN(ma_dev_dma_mask(dev), dev->p->dma_limit);
}

/* Has @dev ever bounced?  If not, no address of it is in a bounce pool (swiotlb.h, [R1]). */
static inline bool ma_dma_tlb_used(const struct device *dev)
{
	return ma_swiotlb_dev_used(&((const struct ma_dma_dev *)dev->p->dma)->tlb);
}

/* dma_capable(): the device can be handed [@phys, @phys+@size) directly. */
static inline bool ma_dma_capable(const struct device *dev, phys_addr_t phys, size_t size)
{
	dma_addr_t a = ma_phys_to_dma(dev, phys);
	u64 mask = ma_dev_dma_mask(dev);

	return a <= mask && size - 1 <= mask - a;
}

/* ---- bounce.c -------------------------------------------------------------------------- */
/* Exact rule: does an edge line of [@cpu, @cpu+@size) hold bytes owned by someone else? */
bool ma_dma_exact_unsafe(const void *cpu, size_t size);
/* Linux's dma_kmalloc_needs_bounce() size heuristic for a non-coherent inbound mapping. */
bool ma_dma_linux_unsafe(size_t size);
/* Tabulate Linux's verdicts for the active policy (ma_dma_init(), after slab is up). */
void ma_dma_bounce_init(void);
/* Count both verdicts for an inbound non-coherent mapping; true if the policy bounces it. */
bool ma_dma_align_bounce(phys_addr_t phys, size_t size);
/* The same verdict, counted only with @count. */
bool ma_dma_policy_bounces(phys_addr_t phys, size_t size, bool count);
/* The physical range of an sg segment, or false (reported) when it is not RAM (sg.c). */
bool ma_dma_sg_phys(struct device *dev, struct scatterlist *sg, int i, phys_addr_t *phys,
		    const char *what);
/* Maintenance of a direct range at sync time, conflicts reported (mapping.c). */
void ma_dma_sync_direct(struct device *dev, phys_addr_t phys, size_t size,
			enum dma_data_direction dir, bool for_cpu, const char *what);
/* sg->flags bit (private): the table was mapped merged through an IOMMU (iommu.c). */
#define MA_SG_IOMMU_MERGED 0x80000000u

/* ---- coherent.c ------------------------------------------------------------------------ */
/* dma_alloc_coherent()/dma_free_coherent() for blocks of page owner @owner (COHERENT, DMA_POOL). */
void *ma_coherent_alloc(struct device *dev, size_t size, dma_addr_t *dma_handle, gfp_t gfp,
			unsigned int owner, const char *what);
void ma_coherent_free(struct device *dev, size_t size, void *cpu_addr, dma_addr_t dma_handle,
		      unsigned int owner, bool managed);
/* Mark the coherent block at @cpu as released by devres (dmam_alloc_coherent()). */
void ma_coherent_set_managed(void *cpu);

/* ---- dmapool.c ------------------------------------------------------------------------- */
/* minalign_exit(): destroy the pools still alive, one report each (before the devices go). */
void ma_dma_pool_destroy_all(void);
/* fork (lib/fork.c): take / release the pool registry's lock (a leaf). */
void ma_dma_poolreg_atfork(enum ma_fork_phase phase);

/* ---- mapping.c ------------------------------------------------------------------------- */
/*
 * Map / unmap / sync one physical range whose arguments the caller validated (@dev non-NULL,
 * @dir valid, @size > 0, range in RAM).  @what names the API call in reports.
 */
dma_addr_t ma_dma_map_phys(struct device *dev, phys_addr_t phys, size_t size,
			   enum dma_data_direction dir, unsigned long attrs, const char *what);
void ma_dma_unmap_addr(struct device *dev, dma_addr_t addr, size_t size,
		       enum dma_data_direction dir, unsigned long attrs, const char *what);
void ma_dma_sync_addr(struct device *dev, dma_addr_t addr, size_t size, enum dma_data_direction dir,
		      bool for_cpu, const char *what);
/* Release the bounce buffer at bus-independent @phys, if it is one (unmap's second half). */
void ma_dma_unmap_phys(struct device *dev, phys_addr_t phys, size_t size,
		       enum dma_data_direction dir, unsigned long attrs, const char *what);

/* ---- kbounce.c: the kmalloc bounce backend ------------------------------------------------ */
/*
 * ma_kb_map() - bounce [@orig, @orig+@size) through a DMA-safe kmalloc object (@granule: 0,
 * or the IOVA granule the object must be made of; @pad_zero: zero the bytes around the data).
 * Return: the bounce data's physical address, or MINALIGN_PHYS_INVALID after one report.
 */
phys_addr_t ma_kb_map(struct device *dev, phys_addr_t orig, size_t size,
		      enum dma_data_direction dir, size_t granule, bool pad_zero);
/* As ma_swiotlb_unmap()/_sync(): MA_TLB_NONE when @addr is no kmalloc bounce of @dev. */
int ma_kb_unmap(struct device *dev, phys_addr_t addr, size_t size, enum dma_data_direction dir,
		bool skip_sync);
int ma_kb_sync(struct device *dev, phys_addr_t addr, size_t size, enum dma_data_direction dir,
	       bool for_cpu);
void ma_kb_exit(void);
/* pthread_atfork step (lib/fork.c): every record bucket lock, a leaf. */
void ma_kb_atfork(enum ma_fork_phase phase);

/* ---- iommu.c: devices behind an IOMMU ---------------------------------------------------- */
/* Map [@phys, @phys+@size) of an IOMMU device: the bounce decision, then the IOVA (the
 * debug hooks are the caller's).  DMA_MAPPING_ERROR after one report. */
dma_addr_t ma_dma_iommu_map(struct device *dev, phys_addr_t phys, size_t size,
			    enum dma_data_direction dir, unsigned long attrs, bool *bounced,
			    const char *what);
/* Does an IOMMU device's mapping bounce (Linux's dev_use_swiotlb, sharpened)? */
bool ma_dma_iommu_bounces(struct device *dev, phys_addr_t phys, size_t size,
			  enum dma_data_direction dir);
/* dma_map_sg on an IOMMU device with DMA debug off: merges into one IOVA range. */
int ma_dma_iommu_map_sg(struct device *dev, struct scatterlist *sgl, int nents,
			enum dma_data_direction dir, unsigned long attrs);
/* dma_unmap_sg of a table ma_dma_iommu_map_sg() merged (true), else false (per segment). */
bool ma_dma_iommu_unmap_sg(struct device *dev, struct scatterlist *sgl, int nents,
			   enum dma_data_direction dir, unsigned long attrs);
/* sync of a merged table: true when handled. */
bool ma_dma_iommu_sync_sg(struct device *dev, struct scatterlist *sgl, int nents,
			  enum dma_data_direction dir, bool for_cpu);

/* ---- dmapool.c ------------------------------------------------------------------------- */
/* The device a live pool was created for (NULL for NULL or a pool no longer alive). */
struct device *ma_dma_pool_dev(const struct dma_pool *pool);

/* ---- dev.c ---------------------------------------------------------------------------- */
/* False (after one "NULL device" report) when @dev is NULL. */
bool ma_dma_dev_valid(struct device *dev, const char *what);
/* The one report for arguments ma_dma_check_args() refused. */
void ma_dma_bad_args(struct device *dev, size_t size, enum dma_data_direction dir,
		     const char *what);

/* Validate the common arguments of a map/unmap/sync call; false after one report. */
static inline bool ma_dma_check_args(struct device *dev, size_t size, enum dma_data_direction dir,
				     const char *what)
{
	if (ma_likely(ma_device_inited(dev) && ma_dma_dir_valid(dir) && size))
		return true;
	ma_dma_bad_args(dev, size, dir, what);
	return false;
}

/* Cache maintenance is needed at all (the COHERENT model has none: skip the calls). */
static inline bool ma_dma_maintained(const struct device *dev)
{
	return !dev->p->coherent && ma_cfg.cache_model != MINALIGN_CACHE_COHERENT;
}

/* Maintenance of a direct (not bounced) mapping for the device (map's second half). */
static inline void ma_dma_direct_for_device(struct device *dev, phys_addr_t phys, size_t size,
					    enum dma_data_direction dir, unsigned long attrs)
{
	if (ma_dma_maintained(dev) && !(attrs & DMA_ATTR_SKIP_CPU_SYNC))
		ma_cache_sync_for_device(phys, size, dir);
}

#include "dma/debug.h" /* the DMA-API debug hooks; it needs the definitions above */
#include "dma/optin.h" /* naming the callers of opt-in bounces */

#endif /* MINALIGN_DMA_INTERNAL_H */
