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
 * Locking: dev->p->lock (a mutex, leaf) is devres.c's; releases run with it released.  The hook
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

/* Run the release actions and free the private part; @dev's memory is the caller's. */
static void ma_device_teardown(struct device *dev)
{
	struct device_private *p = dev->p;

	p->dying = true;
	ma_devres_release_all(dev);
	ma_devreg_del(dev);
	if (dev->dma_mask == &p->dma_mask)
		dev->dma_mask = NULL;
	if (dev->dma_parms == &p->parms)
		dev->dma_parms = NULL;
	dev->minalign_magic = 0;
	dev->p = NULL;
	ma_mutex_destroy(&p->lock);
	ma_meta_free((void *)p->name);
	ma_meta_free(p);
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

static const char *ma_info_name(const struct device *dev, const struct minalign_device_info *info)
{
	if (info && info->name)
		return info->name;
	if (dev && dev->init_name)
		return dev->init_name;
	return "device";
}

/* The argument checks both constructors share: 0 or -errno after one report. */
static int ma_device_args(const struct device *dev, const struct minalign_device_info *info,
			  const char *what)
{
	const char *name = ma_info_name(dev, info);

	if (!ma_is_up()) {
		ma_report("device", name, 0, 0, "%s: not initialised", what);
		return -ENODEV;
	}
	if (info && info->dma_bits > 64) {
		ma_report("device", name, 0, 0, "%s: dma_bits %u > 64", what, info->dma_bits);
		return -EINVAL;
	}
	return 0;
}

/* Build the private part of @dev and run the attach hooks; @dev is untouched on failure. */
static int ma_device_setup(struct device *dev, const struct minalign_device_info *info,
			   bool allocated)
{
	static const struct minalign_device_info def = {.name = NULL};
	struct device_private *p;
	unsigned int bits;
	u64 limit;
	struct device saved = *dev;
	int err;

	if (!info)
		info = &def;
	bits = info->dma_bits ? info->dma_bits : 64;
	limit = bits >= 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
	p = ma_meta_alloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->name = ma_meta_strdup(ma_info_name(dev, info));
	if (!p->name) {
		ma_meta_free(p);
		return -ENOMEM;
	}
	ma_mutex_init(&p->lock);
	p->dev = dev;
	p->coherent = info->coherent;
	p->force_bounce = info->force_bounce;
	p->allocated = allocated;
	p->dma_bits = bits;
	p->dma_limit = limit;
	p->dma_mask = limit;
	if (!dev->dma_mask)
		dev->dma_mask = &p->dma_mask;
	if (!dev->dma_parms)
		dev->dma_parms = &p->parms;
	if (!dev->coherent_dma_mask)
		dev->coherent_dma_mask = limit;
	dev->p = p;
	dev->minalign_magic = MINALIGN_DEVICE_MAGIC;
	err = ma_devreg_add(dev);
	if (err)
		ma_report("device", p->name, 0, 0, "too many live devices");
	else
		err = ma_device_attach(dev);
	if (err) {
		ma_device_teardown(dev);
		*dev = saved;
	}
	return err;
}

int minalign_device_init(struct device *dev, const struct minalign_device_info *info)
{
	int err;

	if (!dev) {
		ma_report("device", ma_info_name(NULL, info), 0, 0,
			  "minalign_device_init: NULL device");
		return -EINVAL;
	}
	err = ma_device_args(dev, info, "minalign_device_init");
	if (err)
		return err;
	if (ma_device_live(dev)) {
		ma_report("device", dev->p->name, 0, 0,
			  "minalign_device_init: device already initialised");
		return -EBUSY;
	}
	return ma_device_setup(dev, info, false);
}

struct device *minalign_device_create(const struct minalign_device_info *info)
{
	struct device *dev;

	if (ma_device_args(NULL, info, "minalign_device_create"))
		return NULL;
	dev = ma_meta_alloc(sizeof(*dev));
	if (!dev)
		return NULL;
	if (ma_device_setup(dev, info, true)) {
		ma_meta_free(dev);
		return NULL;
	}
	return dev;
}

/* Validate @dev for a teardown call; false after one report. */
static bool ma_device_teardown_ok(struct device *dev, bool allocated, const char *what)
{
	if (!ma_device_live(dev)) {
		ma_report("device", NULL, 0, 0, "%s(%p): not an initialised device", what,
			  (void *)dev);
		return false;
	}
	if (dev->p->allocated != allocated) {
		ma_report("device", dev->p->name, 0, 0, "%s: device made by %s", what,
			  allocated ? "minalign_device_init (use minalign_device_release)"
				    : "minalign_device_create (use minalign_device_destroy)");
		return false;
	}
	return true;
}

void minalign_device_destroy(struct device *dev)
{
	if (!dev || !ma_device_teardown_ok(dev, true, "minalign_device_destroy"))
		return;
	ma_device_teardown(dev);
	ma_meta_free(dev);
}

void minalign_device_release(struct device *dev)
{
	if (!dev || !ma_device_teardown_ok(dev, false, "minalign_device_release"))
		return;
	ma_device_teardown(dev);
}

void ma_device_destroy_all(void)
{
	struct device *dev;

	while ((dev = ma_devreg_first()) != NULL) {
		bool allocated = dev->p->allocated;

		ma_report("device", dev->p->name, 0, 0,
			  "minalign_exit: device still alive: destroyed now (its release actions "
			  "run; "
			  "the handle is stale from now on)");
		ma_device_teardown(dev);
		if (allocated)
			ma_meta_free(dev);
	}
}

const char *dev_name(const struct device *dev)
{
	if (!dev)
		return "(null)";
	return ma_device_live(dev) ? dev->p->name : dev->init_name ? dev->init_name : "(null)";
}
