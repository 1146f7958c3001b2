/* SPDX-License-Identifier: MIT */
/*
 * dma/devres.c - device-managed coherent memory: dmam_alloc_coherent(), dmam_free_coherent(),
 * and device-managed pools: dmam_pool_create(), dmam_pool_destroy().
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

/* ---- managed dma_pool ------------------------------------------------------------------- */

static void ma_dmam_pool_release(struct device *dev, void *res)
{
	(void)dev;
	dma_pool_destroy(*(struct dma_pool **)res);
}

static int ma_dmam_pool_match(struct device *dev, void *res, void *match_data)
{
	(void)dev;
	return *(struct dma_pool **)res == match_data;
}

struct dma_pool *dmam_pool_create(const char *name, struct device *dev, size_t size, size_t align,
				  size_t allocation)
{
	struct dma_pool **res, *pool;

	if (!ma_dma_dev_valid(dev, "dmam_pool_create"))
		return NULL;
	res = devres_alloc(ma_dmam_pool_release, sizeof(*res), GFP_KERNEL);
	if (!res)
		return NULL;
	pool = dma_pool_create(name, dev, size, align, allocation);
	if (!pool) {
		devres_free(res);
		return NULL;
	}
	*res = pool;
	devres_add(dev, res);
	return pool;
}

void dmam_pool_destroy(struct dma_pool *pool)
{
	struct device *dev;

	if (!pool)
		return;
	dev = ma_dma_pool_dev(pool);
	if (!dev || devres_release(dev, ma_dmam_pool_release, ma_dmam_pool_match, pool))
		ma_report("dma", ma_dev_name(dev), 0, 0,
			  "dmam_pool_destroy(%p): not a managed pool of its device", (void *)pool);
}
