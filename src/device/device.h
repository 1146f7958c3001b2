/* SPDX-License-Identifier: MIT */
/*
 * device/device.h - struct device, private interface.
 *
 * device/ owns the device object: its identity and DMA properties, a per-device pointer that
 * the DMA layer owns (device/ never looks inside), and a list of release actions run in
 * reverse order of registration when the device is destroyed.  device/ knows nothing of dma/
 * or swiotlb/: a higher module that keeps per-device state registers an attach hook
 * (ma_device_add_hook()) that runs at creation and installs its own teardown as a release
 * action.  devres (issue 6) keeps its entries on the same list.
 */
#ifndef MINALIGN_DEVICE_DEVICE_H
#define MINALIGN_DEVICE_DEVICE_H

#include "core/core.h"

/* One release action: @fn(@dev, @data) at minalign_device_destroy(). */
struct ma_dev_action {
	struct ma_dev_action *next; /* newer first: the list runs newest to oldest */
	void (*fn)(struct device *dev, void *data);
	void *data;
};

/*
 * struct device - a simulated DMA device.
 *
 * Fields up to @min_align_mask are written at creation and by the dma_set_* calls (which the
 * API says are not thread-safe against mappings of the same device); mapping paths read them
 * without a lock.  @dma is set once by the DMA layer's attach hook before the device is
 * returned to the caller, and freed by the release action it registers.  @lock protects
 * @actions.
 */
struct device {
	const char *name;
	bool coherent;	       /* snoops CPU caches */
	bool force_bounce;     /* every streaming mapping bounces */
	unsigned int dma_bits; /* address bits the hardware drives (1..64) */
	u64 dma_limit;	       /* DMA_BIT_MASK(dma_bits): what the engine can reach */
	u64 dma_mask;	       /* streaming mask (dma_set_mask) */
	u64 coherent_dma_mask;
	unsigned int min_align_mask; /* a 2^k-1 mask; 0 = none */
	void *dma;		     /* the DMA layer's per-device state (opaque here) */
	ma_mutex_t lock;
	struct ma_dev_action *actions;
};

/*
 * Attach hooks: @fn runs for every device created after registration, before the device is
 * returned; a nonzero return fails the creation (the release actions already registered run).
 * At most MA_DEVICE_MAX_HOOKS; register/unregister only from init/exit (not thread-safe
 * against device creation).
 */
#define MA_DEVICE_MAX_HOOKS 4
typedef int (*ma_device_hook_fn)(struct device *dev);
int ma_device_add_hook(ma_device_hook_fn fn);
void ma_device_remove_hook(ma_device_hook_fn fn);

/*
 * ma_device_add_action() - run @fn(@dev, @data) when @dev is destroyed (newest first).
 * Return: 0, or -ENOMEM (metadata; @fn is not run).  Thread-safe (takes dev->lock).
 */
int ma_device_add_action(struct device *dev, void (*fn)(struct device *, void *), void *data);
/*
 * ma_device_remove_action() - forget the newest action matching (@fn, @data) without running
 * it.  Return: 0, or -ENOENT.  Thread-safe.
 */
int ma_device_remove_action(struct device *dev, void (*fn)(struct device *, void *), void *data);

/* The name reports use for @dev ("-" for NULL). */
static inline const char *ma_dev_name(const struct device *dev)
{
	return dev ? dev->name : "-";
}

#endif /* MINALIGN_DEVICE_DEVICE_H */
