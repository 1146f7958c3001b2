/* SPDX-License-Identifier: MIT */
/*
 * device/device.c - struct device: creation, attach hooks, teardown.
 *
 * Owns the device objects (library metadata, never simulated RAM) and the attach hooks that
 * higher modules register.  The resource list (release actions and devres) is devres.c's.
 *
 * Invariants: a device returned by minalign_device_create() has run every registered attach
 * hook successfully, so the actions those hooks registered are the oldest entries of its
 * resource list and are released last; the masks start as DMA_BIT_MASK(dma_bits).
 *
 * Locking: dev->lock (a mutex, leaf) is devres.c's; releases run with it released.  The hook
 * table is written only by the init and exit paths, which the API forbids to race with device
 * creation.
 *
 * Paths: creation and destruction are slow paths (metadata allocation, a mutex); nothing here
 * is on a mapping path.
 */
#include "device/device.h"

static ma_device_hook_fn ma_dev_hooks[MA_DEVICE_MAX_HOOKS];

int ma_device_add_hook(ma_device_hook_fn fn)
{
	for (unsigned int i = 0; i < MA_DEVICE_MAX_HOOKS; i++) {
		if (!ma_dev_hooks[i]) {
			ma_dev_hooks[i] = fn;
			return 0;
		}
	}
	return -ENOSPC;
}

void ma_device_remove_hook(ma_device_hook_fn fn)
{
	for (unsigned int i = 0; i < MA_DEVICE_MAX_HOOKS; i++)
		if (ma_dev_hooks[i] == fn)
			ma_dev_hooks[i] = NULL;
}

static void ma_device_free(struct device *dev)
{
	ma_devres_release_all(dev);
	ma_mutex_destroy(&dev->lock);
	ma_meta_free((void *)dev->name);
	ma_meta_free(dev);
}

static int ma_device_attach(struct device *dev)
{
	for (unsigned int i = 0; i < MA_DEVICE_MAX_HOOKS; i++) {
		int err = ma_dev_hooks[i] ? ma_dev_hooks[i](dev) : 0;

		if (err)
			return err;
	}
	return 0;
}

struct device *minalign_device_create(const struct minalign_device_info *info)
{
	static const struct minalign_device_info def = {.name = "device"};
	struct device *dev;
	unsigned int bits;

	if (!info)
		info = &def;
	bits = info->dma_bits ? info->dma_bits : 64;
	if (!ma_is_up()) {
		ma_report("device", info->name, 0, 0, "minalign_device_create: not initialised");
		return NULL;
	}
	if (bits > 64) {
		ma_report("device", info->name, 0, 0, "minalign_device_create: dma_bits %u > 64",
			  bits);
		return NULL;
	}
	if (info->iova_granule && (!MA_IS_POW2(info->iova_granule) || info->iova_granule < 4096 ||
				   info->iova_granule > 65536)) {
		ma_report("device", info->name, 0, 0,
			  "minalign_device_create: iova_granule %u is not a power of two in "
			  "4096..65536",
			  info->iova_granule);
		return NULL;
	}
	dev = ma_meta_alloc(sizeof(*dev));
	if (!dev)
		return NULL;
	dev->name = ma_meta_strdup(info->name ? info->name : "device");
	if (!dev->name)
		goto err_dev;
	ma_mutex_init(&dev->lock);
	dev->coherent = info->coherent;
	dev->force_bounce = info->force_bounce;
	dev->dma_bits = bits;
	dev->dma_limit = bits >= 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
	dev->dma_mask = dev->dma_limit;
	dev->coherent_dma_mask = dev->dma_limit;
	dev->iommu = info->iommu;
	dev->untrusted = info->iommu && info->untrusted;
	dev->iova_granule = info->iova_granule ? info->iova_granule : 4096;
	if (ma_device_attach(dev))
		goto err_attach;
	return dev;

err_attach:
	ma_device_free(dev);
	return NULL;
err_dev:
	ma_meta_free(dev);
	return NULL;
}

void minalign_device_destroy(struct device *dev)
{
	if (!dev)
		return;
	ma_device_free(dev);
}

const char *dev_name(const struct device *dev)
{
	return dev ? dev->name : "(null)";
}
