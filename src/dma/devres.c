/* SPDX-License-Identifier: MIT */
/*
 * dma/devres.c - device-managed coherent memory: dmam_alloc_coherent(), dmam_free_coherent().
 *
 * Owns the devres entries of managed coherent blocks: a devres_alloc() record (library
 * metadata) holding the block's size, CPU address and handle, whose release returns the block
 * with dma_free_coherent() when the device is destroyed, in the device's reverse order of
 * acquisition.  dma/ uses device/'s devres API; device/ never calls into dma/.
 *
 * Locking: none here; the device's resource list locks itself and coherent.c needs none.
 */
#include "dma/internal.h"

struct ma_dmam {
	size_t size;
	void *vaddr;
	dma_addr_t handle;
};

static void ma_dmam_release(struct device *dev, void *res)
{
	struct ma_dmam *d = res;

	ma_coherent_free(dev, d->size, d->vaddr, d->handle, MA_OWNER_COHERENT, true);
}

static int ma_dmam_match(struct device *dev, void *res, void *match_data)
{
	const struct ma_dmam *d = res, *m = match_data;

	(void)dev;
	return d->vaddr == m->vaddr && d->size == m->size && d->handle == m->handle;
}

void *dmam_alloc_coherent(struct device *dev, size_t size, dma_addr_t *dma_handle, gfp_t gfp)
{
	struct ma_dmam *d;
	void *vaddr;

	if (!ma_dma_dev_valid(dev, "dmam_alloc_coherent"))
		return NULL;
	d = devres_alloc(ma_dmam_release, sizeof(*d), gfp);
	if (!d)
		return NULL;
	vaddr = dma_alloc_coherent(dev, size, dma_handle, gfp);
	if (!vaddr) {
		devres_free(d);
		return NULL;
	}
	ma_coherent_set_managed(vaddr);
	d->size = size;
	d->vaddr = vaddr;
	d->handle = *dma_handle;
	devres_add(dev, d);
	return vaddr;
}

void dmam_free_coherent(struct device *dev, size_t size, void *vaddr, dma_addr_t dma_handle)
{
	struct ma_dmam m = {.size = size, .vaddr = vaddr, .handle = dma_handle};

	if (!vaddr)
		return;
	if (!ma_dma_dev_valid(dev, "dmam_free_coherent"))
		return;
	if (devres_release(dev, ma_dmam_release, ma_dmam_match, &m)) {
		ma_report("dma", dev->p->name, (uint64_t)dma_handle, size,
			  "dmam_free_coherent(%p, %zu bytes, %#llx): not a managed coherent "
			  "allocation of this device",
			  vaddr, size, (unsigned long long)dma_handle);
	}
}
