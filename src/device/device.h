/* SPDX-License-Identifier: MIT */
/*
 * device/device.h - struct device and devres, private interface.
 *
 * device/ owns the device object: its identity and DMA properties, a per-device pointer that
 * the DMA layer owns (device/ never looks inside), and the device's resource list (devres):
 * every release action and every device-managed resource, released newest first when the
 * device is destroyed.  device/ knows nothing of dma/ or swiotlb/: a higher module that keeps
 * per-device state registers an attach hook (ma_device_add_hook()) that runs at creation and
 * installs its own teardown as a release action, which, being the oldest entry, runs last.
 */
#ifndef MINALIGN_DEVICE_DEVICE_H
#define MINALIGN_DEVICE_DEVICE_H

#include <minalign/device.h>

#include "core/core.h"

#include <minalign/device.h>

/* What Linux's struct devres_node occupies on a 64-bit kernel (list_head, release, name, size). */
#define MA_DEVRES_LINUX_NODE 40u

enum ma_devres_kind {
	MA_DR_INTERNAL = 1, /* release(dev, res): the library's own release actions */
	MA_DR_DEVRES,	    /* release(dev, data): a devres_alloc() resource, data inline */
	MA_DR_ACTION,	    /* action(res): devm_add_action() */
	MA_DR_KMALLOC,	    /* kfree(res): devm_kmalloc() and friends */
};

#define MA_DEVRES_MAGIC 0x64657673u /* "devs": a live node */

/*
 * struct ma_devres - one entry of a device's resource list.
 *
 * Host memory (ma_meta_alloc), never simulated RAM: neither the node nor a list update ever
 * touches a DMA buffer's cache lines.  A devm_kmalloc() buffer is a plain kmalloc() object that
 * the node points to (@res); a devres_alloc() resource is the node's own inline @data.
 *
 * @newer, @older: neighbours on the device's list (NULL at the ends); valid while @dev is set.
 * @dev: the device whose list holds the node, NULL before devres_add() / after removal.
 * Every kind but MA_DR_INTERNAL is a resource Linux would keep in a struct devres: counted in
 * the devres_live and devres_linux_pad_bytes statistics while on a list.
 */
struct ma_devres {
	struct ma_devres *newer, *older;
	struct device *dev;
	u32 magic;
	u8 kind; /* enum ma_devres_kind */
	union {
		void (*release)(struct device *dev, void *res); /* INTERNAL, DEVRES */
		void (*action)(void *res);			/* MA_DR_ACTION */
	} fn;
	struct ma_devres *hnext; /* devres_alloc() nodes: the registry's hash chain (registry.c) */
	void *res;		 /* what the release gets; &data[0] for devres_alloc() nodes */
	size_t size; /* the resource's bytes (devm_kmalloc size, devres_alloc size; 0 for actions)
		      */
	_Alignas(max_align_t) unsigned char data[];
};

/*
 * struct device_private - the library's part of a struct device (dev->p).
 *
 * Library metadata, allocated by minalign_device_init() (also for minalign_device_create(),
 * which allocates the struct device too and sets @allocated).  @dev points back at the public
 * struct: a device handle is accepted only when dev->p->dev == dev (ma_device_check()), so a
 * copied or foreign struct device is refused.  @dma_mask and @parms are the storage the public
 * dev->dma_mask and dev->dma_parms point at unless the caller set its own.
 *
 * Fields up to @parms are written at creation and by the dma_set_* calls (which the API says
 * are not thread-safe against mappings of the same device); mapping paths read them without a
 * lock.  @dma is set once by the DMA layer's attach hook before the device is returned to the
 * caller, and freed by the release action it registers.  @lock protects the resource list and
 * its counters.
 */
struct device_private {
	struct device *dev; /* the public struct this belongs to */
	const char *name;
	bool coherent;	       /* snoops CPU caches */
	bool force_bounce;     /* every streaming mapping bounces */
	bool allocated;	       /* made by minalign_device_create(): destroy frees dev too */
	bool dying;	       /* destroy is running the release actions (DMA debug lets the
				* device's own mapped memory be freed then: it unmaps it next) */
	unsigned int dma_bits; /* address bits the hardware drives (1..64) */
	u64 dma_limit;	       /* DMA_BIT_MASK(dma_bits): what the engine can reach */
	u64 dma_mask;	       /* the device's own streaming mask (dev->dma_mask's default) */
	struct device_dma_parameters parms; /* dev->dma_parms's default */
	void *dma;			    /* the DMA layer's per-device state (opaque here) */
	ma_mutex_t lock;
	struct ma_devres *newest, *oldest; /* the resource list */
	size_t nr_entries;		   /* nodes on the list */
	size_t nr_linux;		   /* of which not MA_DR_INTERNAL */
};

/* registry.c: the set of live devices (looked up before a handle is read). */
int ma_devreg_add(struct device *dev);
void ma_devreg_atfork(enum ma_fork_phase phase); /* fork: the registry lock (a leaf) */
void ma_devreg_del(const struct device *dev);
bool ma_devreg_has(const struct device *dev);
struct device *ma_devreg_first(void);
/* The live devres_alloc() nodes, by data pointer: looked up before a header is read. */
void ma_drreg_add(struct ma_devres *dr);
void ma_drreg_del(struct ma_devres *dr);
struct ma_devres *ma_drreg_find(const void *res);
/* minalign_exit(): destroy every device still alive, one report each (device.c). */
void ma_device_destroy_all(void);

/*
 * ma_device_live() - is @dev a live, initialised device?  The one place where a device handle
 * is validated before it is followed (magic, then the private part pointing back at @dev).
 * Handle validation of stale pointers (a registry, a generation) belongs here.
 */
static inline bool ma_device_live(const struct device *dev)
{
	return dev && ma_devreg_has(dev) && dev->minalign_magic == MINALIGN_DEVICE_MAGIC &&
	       dev->p && dev->p->dev == dev;
}

/* The streaming mask mappings honour: min_not_zero(*dma_mask, bus_dma_limit); 0 without one. */
static inline u64 ma_dev_dma_mask(const struct device *dev)
{
	u64 m = dev->dma_mask ? *dev->dma_mask : 0;

	if (dev->bus_dma_limit && (!m || dev->bus_dma_limit < m))
		m = dev->bus_dma_limit;
	return m;
}

/* The coherent mask, under the bus limit too. */
static inline u64 ma_dev_coherent_mask(const struct device *dev)
{
	u64 m = dev->coherent_dma_mask;

	if (dev->bus_dma_limit && (!m || dev->bus_dma_limit < m))
		m = dev->bus_dma_limit;
	return m;
}

/* The min_align_mask as bounce pools use it: rounded up to a 2^k-1 mask; 0 without parms. */
static inline unsigned int ma_dev_min_align_mask(const struct device *dev)
{
	unsigned int m = dev->dma_parms ? dev->dma_parms->min_align_mask : 0;

	m |= m >> 1;
	m |= m >> 2;
	m |= m >> 4;
	m |= m >> 8;
	m |= m >> 16;
	return m;
}

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
 * ma_device_add_action() - run @fn(@dev, @data) when @dev is destroyed, in reverse order of
 * registration among all of the device's release actions and devres entries.  An internal
 * action: not counted as a Linux devres.
 * Return: 0, or -ENOMEM (metadata; @fn is not run).  Thread-safe (takes dev->lock).
 */
int ma_device_add_action(struct device *dev, void (*fn)(struct device *, void *), void *data);
/*
 * ma_device_remove_action() - forget the newest action matching (@fn, @data) without running
 * it.  Return: 0, or -ENOENT.  Thread-safe.
 */
int ma_device_remove_action(struct device *dev, void (*fn)(struct device *, void *), void *data);

/*
 * ma_devres_release_all() - release every entry of @dev's list, newest first, one at a time
 * (an entry a release adds meanwhile is released next).  Called by minalign_device_destroy().
 */
void ma_devres_release_all(struct device *dev);

/*
 * ma_devres_validate() - check @dev's resource list: links both ways, magic, kinds, the
 * counters.  Return: 0, or -EUCLEAN after one report (subsystem "device").  Takes dev->lock.
 */
int ma_devres_validate(struct device *dev);

/* Linux's header and padding in front of one devres' data: ALIGN(40, ARCH_DMA_MINALIGN). */
static inline size_t ma_devres_linux_pad(void)
{
	return MA_ALIGN_UP((size_t)MA_DEVRES_LINUX_NODE, (size_t)ma_cfg.cache_line);
}

/* The name reports use for @dev ("-" for NULL). */
static inline const char *ma_dev_name(const struct device *dev)
{
	return dev && dev->p ? dev->p->name : "-";
}

#endif /* MINALIGN_DEVICE_DEVICE_H */
