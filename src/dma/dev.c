/* SPDX-License-Identifier: MIT */
/*
 * dma/dev.c - the DMA layer's side of devices: per-device state, masks, init and exit.
 *
 * Owns struct ma_dma_dev (dev->p->dma).  ma_dma_init() registers an attach hook with device/, so
 * every device created afterwards gets its state before minalign_device_create() returns; the
 * hook registers the state's teardown as the device's first release action, so it runs last
 * at minalign_device_destroy(), after devres entries added later.  A device behind an IOMMU
 * gets its domain (iommu/) there too, freed by that teardown after DMA debug has unmapped what
 * the driver leaked.
 *
 * Masks follow Linux's dma_direct_supported(): a mask is accepted when it has 32 bits or more
 * or covers all RAM, or (with a bounce pool) a whole pool, or (without) at least one page of
 * RAM; otherwise -EIO and the mask is unchanged.  The masks and segment limits live in the
 * public struct device (dma_mask points at the device's own mask unless the caller set it;
 * dma_parms likewise); the setters write what they are given, as Linux's do.  The engine's own
 * reach (dma_bits) is not changed by a mask: a mask wider than the hardware lets mappings hand the
 * device addresses its engine refuses (devside.c).
 *
 * Locking: the mask setters write plain fields; the API requires them to be called before the
 * device is used for mappings (as in Linux, where drivers set masks at probe).
 */
#include "dma/internal.h"

/*
 * The reports of the argument checks every DMA entry point makes live here, so that any program
 * using the DMA API links this file, and with it ma_dma_init() (lib/init.c refers to it weakly,
 * which alone would not pull this object out of the static library).
 */
bool ma_dma_dev_valid(struct device *dev, const char *what)
{
	if (ma_likely(ma_device_live(dev)))
		return true;
	ma_report("dma", NULL, 0, 0, "%s: %s", what,
		  dev ? "not a live device (destroyed, or never initialised)" : "NULL device");
	return false;
}

void ma_dma_bad_args(struct device *dev, size_t size, enum dma_data_direction dir, const char *what)
{
	if (!ma_dma_dev_valid(dev, what))
		return;
	if (!ma_dma_dir_valid(dir))
		ma_report("dma", dev->p->name, 0, size, "%s: invalid direction %d", what, (int)dir);
	else
		ma_report("dma", dev->p->name, 0, 0, "%s: zero-length mapping", what);
}

static void ma_dma_dev_release(struct device *dev, void *data)
{
	ma_dma_debug_detach(dev, data); /* reports and unmaps what is still mapped */
	ma_swiotlb_dev_exit(&((struct ma_dma_dev *)data)->tlb);
	ma_iommu_domain_free(((struct ma_dma_dev *)data)->dom);
	dev->p->dma = NULL;
	ma_meta_free(data);
}

static int ma_dma_attach(struct device *dev)
{
	struct ma_dma_dev *d = ma_meta_alloc(sizeof(*d));
	int err;

	if (!d)
		return -ENOMEM;
	d->dev = dev;
	ma_swiotlb_dev_init(&d->tlb);
	if (dev->p->iommu) {
		d->dom = ma_iommu_domain_new(dev->p->name, dev->p->iova_granule);
		if (!d->dom) {
			ma_meta_free(d);
			return -ENOMEM;
		}
	}
	err = ma_dma_debug_on() ? ma_dma_debug_attach(d) : 0;
	if (!err)
		err = ma_device_add_action(dev, ma_dma_dev_release, d);
	if (err) {
		ma_dma_debug_detach(dev, d); /* an empty table: unregistered and freed */
		ma_iommu_domain_free(d->dom);
		ma_meta_free(d);
		return err;
	}
	dev->p->dma = d;
	return 0;
}

int ma_dma_init(void)
{
	ma_dma_bounce_init();
	ma_dma_debug_init();
	ma_dma_optin_init();
	return ma_device_add_hook(ma_dma_attach);
}

void ma_dma_exit(void)
{
	ma_device_remove_hook(ma_dma_attach);
	ma_dbgf_exit();
	ma_kb_exit();
}

/*
 * Linux's dma_direct_supported(): every mask of 32 bits or more is supported (a machine is
 * expected to satisfy 32-bit masks, with a DMA zone or bouncing: mappings beyond the mask then
 * bounce or fail), as is a mask covering all RAM.  A narrower mask needs the bounce pool within
 * reach or, without a pool, at least the first page of RAM.
 */
static bool ma_dma_supported(u64 mask)
{
	if (mask >= DMA_BIT_MASK(32) || mask >= ma_mem.end - 1)
		return true;
	if (ma_swiotlb_active())
		return ma_swiotlb_reachable(mask);
	return mask >= ma_mem.base + PAGE_SIZE - 1;
}

static int ma_dma_mask_check(struct device *dev, u64 mask, const char *what)
{
	if (!dev) {
		ma_report("dma", NULL, 0, 0, "%s: NULL device", what);
		return -EINVAL;
	}
	return ma_dma_supported(mask) ? 0 : -EIO;
}

int dma_set_mask(struct device *dev, u64 mask)
{
	int err = ma_dma_mask_check(dev, mask, "dma_set_mask");

	if (!err && !dev->dma_mask)
		err = -EIO; /* Linux: a device without a mask pointer cannot do DMA */
	if (!err)
		*dev->dma_mask = mask;
	return err;
}

int dma_set_coherent_mask(struct device *dev, u64 mask)
{
	int err = ma_dma_mask_check(dev, mask, "dma_set_coherent_mask");

	if (!err)
		dev->coherent_dma_mask = mask;
	return err;
}

int dma_set_mask_and_coherent(struct device *dev, u64 mask)
{
	int err = dma_set_mask(dev, mask);

	if (!err)
		dev->coherent_dma_mask = mask;
	return err;
}

u64 dma_get_mask(struct device *dev)
{
	if (dev && dev->dma_mask && *dev->dma_mask)
		return *dev->dma_mask;
	return DMA_BIT_MASK(32);
}

void dma_set_min_align_mask(struct device *dev, unsigned int min_align_mask)
{
	if (!dev || !dev->dma_parms) {
		ma_report("dma", ma_dev_name(dev), 0, 0, "dma_set_min_align_mask: %s",
			  dev ? "device has no dma_parms" : "NULL device");
		return;
	}
	dev->dma_parms->min_align_mask = min_align_mask; /* pools round it up to 2^k-1 */
}

unsigned int dma_get_min_align_mask(struct device *dev)
{
	return dev && dev->dma_parms ? dev->dma_parms->min_align_mask : 0;
}

/* The one report of the dma_parms setters; -EIO as Linux's WARN_ON_ONCE(!dev->dma_parms). */
static int ma_dma_parms_missing(struct device *dev, const char *what)
{
	ma_report("dma", ma_dev_name(dev), 0, 0, "%s: %s", what,
		  dev ? "device has no dma_parms" : "NULL device");
	return -EIO;
}

int dma_set_max_seg_size(struct device *dev, unsigned int size)
{
	if (!dev || !dev->dma_parms)
		return ma_dma_parms_missing(dev, "dma_set_max_seg_size");
	dev->dma_parms->max_segment_size = size;
	return 0;
}

unsigned int dma_get_max_seg_size(struct device *dev)
{
	if (dev && dev->dma_parms && dev->dma_parms->max_segment_size)
		return dev->dma_parms->max_segment_size;
	return 65536;
}

int dma_set_seg_boundary(struct device *dev, unsigned long mask)
{
	if (!dev || !dev->dma_parms)
		return ma_dma_parms_missing(dev, "dma_set_seg_boundary");
	dev->dma_parms->segment_boundary_mask = mask;
	return 0;
}

unsigned long dma_get_seg_boundary(struct device *dev)
{
	if (dev && dev->dma_parms && dev->dma_parms->segment_boundary_mask)
		return dev->dma_parms->segment_boundary_mask;
	return ~0UL;
}
