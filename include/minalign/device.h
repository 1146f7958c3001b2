/* SPDX-License-Identifier: MIT */
/*
 * minalign/device.h - simulated devices: creation, teardown and the device side of DMA.
 *
 * A struct device stands for one DMA-capable device.  Its DMA engine is simulated by
 * minalign_dma_write() and minalign_dma_read(): they reach RAM as the device sees it (the DRAM
 * view of the cache simulator for a non-coherent device on cacheable memory, the CPU view for a
 * coherent device and for uncached memory).
 */
#ifndef MINALIGN_DEVICE_H
#define MINALIGN_DEVICE_H

#include <minalign/types.h>

#include <stdarg.h>

MINALIGN_BEGIN_DECLS

/**
 * struct device_dma_parameters - a device's DMA segment limits (Linux's).
 * @max_segment_size:	   longest scatterlist segment the device takes; 0 means 64 KiB.
 * @min_align_mask:	   low address bits a bounce buffer must keep (dma_set_min_align_mask()).
 * @segment_boundary_mask: a segment never crosses a multiple of @segment_boundary_mask + 1;
 *			   0 means no boundary (ULONG_MAX).
 */
struct device_dma_parameters {
	unsigned int max_segment_size;
	unsigned int min_align_mask;
	unsigned long segment_boundary_mask;
};

struct device_private; /* the library's part of a device: its layout is private */

/* minalign_magic of a device between minalign_device_init() and its release (handle checks). */
#define MINALIGN_DEVICE_MAGIC 0x6d616c64u /* "mald" */

/**
 * struct device - a DMA-capable device, public and embeddable as in Linux.
 * @parent:	       the device this one hangs off, or NULL (kept, never followed).
 * @init_name:	       the name a caller sets before minalign_device_init() when the info gives
 *		       none; dev_name() is the library's copy.
 * @dma_mask:	       the streaming DMA mask: points at the device's own mask (library storage)
 *		       unless the caller pointed it somewhere else (before or after init, as a
 *		       bus does with its platform_dma_mask); NULL makes every mapping fail.
 * @coherent_dma_mask: mask for dma_alloc_coherent() and dma_pool memory.
 * @bus_dma_limit:     limit the interconnect imposes below the masks; 0 means none.
 * @dma_parms:	       segment limits: points at the device's own (library storage) unless the
 *		       caller set it; NULL makes the dma_set_* calls for them fail (-EIO).
 * @driver_data:       for the driver (dev_get_drvdata()/dev_set_drvdata()).
 * @p:		       private: the library's state of this device (name, devres list, DMA
 *		       state), NULL when not initialised.  Drivers never touch it.
 * @minalign_magic:    private: MINALIGN_DEVICE_MAGIC while initialised.
 * @minalign_reserved: private: reserved for handle validation (a generation); zero.
 *
 * A device is made by minalign_device_create() (the library allocates it) or, embedded in a
 * caller's struct, by minalign_device_init() / minalign_device_release().  Fields a driver reads
 * (everything above @p) may be read at any time; the masks and parameters are written with the
 * dma_set_* calls, before the device is used for mappings (as drivers do at probe).
 */
struct device {
	struct device *parent;
	const char *init_name;
	u64 *dma_mask;
	u64 coherent_dma_mask;
	u64 bus_dma_limit;
	struct device_dma_parameters *dma_parms;
	void *driver_data;
	/* private: owned by the library */
	struct device_private *p;
	unsigned int minalign_magic;
	unsigned int minalign_reserved[3];
};

/** dev_get_drvdata() - the driver's data pointer of @dev. */
static inline void *dev_get_drvdata(const struct device *dev)
{
	return dev->driver_data;
}

/** dev_set_drvdata() - set the driver's data pointer of @dev. */
static inline void dev_set_drvdata(struct device *dev, void *data)
{
	dev->driver_data = data;
}

/**
 * struct minalign_device_info - what a device is.
 * @name:	 name used in reports; copied; NULL gives "device".
 * @coherent:	 the device snoops the CPU caches: no cache maintenance, never bounced for
 *		 alignment.
 * @dma_bits:	 address bits the device drives (1..64); 0 means 64.  The DMA mask and the
 *		 coherent DMA mask start as DMA_BIT_MASK(@dma_bits).
 * @force_bounce: every streaming mapping goes through the bounce pool (like swiotlb=force).
 * @iommu:	 the device sits behind an IOMMU: its DMA addresses are IOVAs of its own
 *		 translation domain, and every access it makes is translated (docs/iommu.md).
 * @iova_granule: the IOMMU page size, a power of two in 4096..65536; 0 means 4096.
 * @untrusted:	 (with @iommu) Linux's untrusted device, e.g. external PCIe: every mapping that
 *		 does not cover whole granules is bounced in every direction, the padding zeroed,
 *		 so the device never sees a neighbour's bytes.
 */
struct minalign_device_info {
	const char *name;
	bool coherent;
	unsigned int dma_bits;
	bool force_bounce;
	bool iommu;
	unsigned int iova_granule;
	bool untrusted;
};

/**
 * minalign_device_create() - create a device.
 * @info: its description; NULL gives a non-coherent 64-bit device named "device".
 *
 * Return: the device, or NULL when the library is not initialised, @info->dma_bits is above
 * 64, or @info->iova_granule is not 0 or a power of two in 4096..65536 (all reported), or when
 * metadata cannot be allocated (no report).  Thread-safe.
 */
MINALIGN_API struct device *minalign_device_create(const struct minalign_device_info *info);

/**
 * minalign_device_init() - initialise a device embedded in the caller's memory.
 * @dev: the device; the caller owns its memory, which must stay put until
 *	 minalign_device_release().  @parent, @init_name, @dma_mask, @dma_parms,
 *	 @coherent_dma_mask, @bus_dma_limit and @driver_data are kept when set (nonzero);
 *	 otherwise @dma_mask and @dma_parms point at the device's own storage and both masks
 *	 start as DMA_BIT_MASK(dma_bits).  @p and the private fields are overwritten.
 * @info: its description; NULL gives a non-coherent 64-bit device.  The name is @info->name,
 *	  else @dev->init_name, else "device".
 *
 * Linux's device_initialize() + device_add() for a bus device: the device is ready for every
 * call that takes a struct device.
 *
 * Return: 0; -EINVAL for a NULL @dev or @info->dma_bits above 64 (reported); -EBUSY when @dev
 * is already initialised (reported, nothing changes); -ENODEV when the library is not
 * initialised (reported); -ENOMEM when metadata cannot be allocated (no report).  On an error
 * @dev is left as it was.  Thread-safe for distinct devices.
 */
MINALIGN_API int minalign_device_init(struct device *dev, const struct minalign_device_info *info);

/**
 * minalign_device_release() - tear down a device made by minalign_device_init().
 * @dev: the device; NULL is ignored.
 *
 * Runs the device's release actions (devres and the DMA layer's teardown) newest first, like
 * minalign_device_destroy(), then detaches the library's state: @dma_mask and @dma_parms are
 * set to NULL when they pointed at the device's own storage, @p and the magic are cleared.  The
 * caller's memory is not freed; the device may be initialised again.  A device that is not
 * initialised, or was made by minalign_device_create(), is reported and left alone.  No other
 * thread may use @dev.
 */
MINALIGN_API void minalign_device_release(struct device *dev);

/**
 * minalign_device_destroy() - destroy a device.
 * @dev: the device; NULL is ignored.
 *
 * Runs the device's release actions (devres and the DMA layer's teardown) in the reverse order
 * of their registration, then frees the device.  With MINALIGN_DEBUG_DMA each streaming mapping
 * still live is reported and unmapped (without a sync).  No other thread may use @dev.  A
 * device made by minalign_device_init() is reported and left alone (minalign_device_release()
 * tears it down).
 */
MINALIGN_API void minalign_device_destroy(struct device *dev);

/** dev_name() - the device's name ("(null)" for NULL). */
MINALIGN_API const char *dev_name(const struct device *dev);

/**
 * minalign_dma_write() - the device writes @len bytes of @src at DMA address @addr.
 * @dev: the device.
 * @addr: bus address, as returned by a mapping or dma_alloc_coherent().
 * @src: data.
 * @len: bytes; 0 is a no-op.
 *
 * Return: 0; -EFAULT (and one report) when the range lies beyond what the device can address
 * (DMA_BIT_MASK(dma_bits)) or outside RAM, or, with MINALIGN_DEBUG_DMA, when it is not covered
 * by live streaming mappings of @dev that allow the access (no write into a DMA_TO_DEVICE
 * mapping, no read from a DMA_FROM_DEVICE one) and @dev's coherent memory (nothing is copied);
 * -EINVAL (reported) for a NULL @dev or @src.  Thread-safe.
 */
MINALIGN_API int minalign_dma_write(struct device *dev, dma_addr_t addr, const void *src,
				    size_t len);

/**
 * minalign_dma_read() - the device reads @len bytes at DMA address @addr into @dst.
 *
 * Same arguments, checks and return values as minalign_dma_write().
 */
MINALIGN_API int minalign_dma_read(struct device *dev, dma_addr_t addr, void *dst, size_t len);

/* ---- device-managed resources (devres) ------------------------------------------------ */

/*
 * Everything a driver acquires with devm_*() (and dmam_alloc_coherent(), in dma-mapping.h) is
 * released by minalign_device_destroy(), in exactly the reverse order of acquisition, release
 * actions included.  Unlike Linux, the bookkeeping lives apart from the data (library metadata,
 * never simulated RAM): a devm_kmalloc() buffer is a plain kmalloc() object with kmalloc()'s
 * alignment under the active policy, and no header shares its cache lines.  Every call is
 * thread-safe per device (a mutex per device, never held while a release runs), except
 * against minalign_device_destroy() of the same device.
 */

/** dr_release_t - releases a devres_alloc() resource: @res is its data. */
typedef void (*dr_release_t)(struct device *dev, void *res);
/** dr_match_t - nonzero when @res is the resource @match_data describes. */
typedef int (*dr_match_t)(struct device *dev, void *res, void *match_data);

/**
 * devm_kmalloc() - kmalloc() memory owned by @dev, freed when @dev is destroyed.
 * @dev: the device.
 * @size: bytes; 0 returns ZERO_SIZE_PTR and registers nothing.
 * @gfp: GFP flags, passed to kmalloc() unchanged (__GFP_ZERO, GFP_DMA, __GFP_PACKED ...).
 *
 * The buffer is exactly what kmalloc(@size, @gfp) returns: same size class, alignment and
 * placement; it may be DMA-mapped like any kmalloc() buffer.
 *
 * Return: the buffer; NULL when kmalloc() or the bookkeeping fails (nothing is left behind, no
 * report), or for a NULL @dev (reported, subsystem "device").  Locking: takes @dev's lock.
 */
MINALIGN_API void *devm_kmalloc(struct device *dev, size_t size, gfp_t gfp);
/** devm_kzalloc() - devm_kmalloc() with __GFP_ZERO. */
MINALIGN_API void *devm_kzalloc(struct device *dev, size_t size, gfp_t gfp);
/** devm_kmalloc_array() - devm_kmalloc(@n * @size); NULL (no report) when it overflows. */
MINALIGN_API void *devm_kmalloc_array(struct device *dev, size_t n, size_t size, gfp_t gfp);
/** devm_kcalloc() - zeroed devm_kmalloc_array(). */
MINALIGN_API void *devm_kcalloc(struct device *dev, size_t n, size_t size, gfp_t gfp);
/**
 * devm_kstrdup() - device-managed copy of the string @s.
 * Return: the copy, or NULL for a NULL @s or when out of memory (no report).
 */
MINALIGN_API char *devm_kstrdup(struct device *dev, const char *s, gfp_t gfp);
/** devm_kmemdup() - device-managed copy of @len bytes at @src; NULL when out of memory. */
MINALIGN_API void *devm_kmemdup(struct device *dev, const void *src, size_t len, gfp_t gfp);

/**
 * devm_kfree() - free a devm_kmalloc() allocation of @dev now.
 * @dev: the device.
 * @p: the allocation; NULL and ZERO_SIZE_PTR are ignored.
 *
 * A pointer @dev does not own (never allocated with devm_kmalloc() on @dev, already freed, or
 * inside an allocation) is reported once (subsystem "device") and nothing changes.  O(number
 * of @dev's resources), newest first, as in Linux.  Locking: takes @dev's lock.
 */
MINALIGN_API void devm_kfree(struct device *dev, const void *p);

/**
 * devm_add_action() - call @action(@data) when @dev is destroyed.
 * @dev: the device.
 * @action: the function; must not be NULL.
 * @data: its argument.
 *
 * Return: 0; -ENOMEM when the bookkeeping cannot be allocated (@action is not called);
 * -EINVAL for a NULL @dev or @action (reported).  Locking: takes @dev's lock.
 */
MINALIGN_API int devm_add_action(struct device *dev, void (*action)(void *), void *data);
/**
 * devm_add_action_or_reset() - devm_add_action(), but when it fails @action(@data) is called
 * at once (for a NULL @action nothing is called).  Return: as devm_add_action().
 */
MINALIGN_API int devm_add_action_or_reset(struct device *dev, void (*action)(void *), void *data);
/**
 * devm_remove_action() - forget the newest (@action, @data) of @dev without calling it.  Not
 * found: one report (subsystem "device").
 */
MINALIGN_API void devm_remove_action(struct device *dev, void (*action)(void *), void *data);
/**
 * devm_release_action() - remove the newest (@action, @data) of @dev and call it now.  Not
 * found: one report (subsystem "device"), nothing is called.
 */
MINALIGN_API void devm_release_action(struct device *dev, void (*action)(void *), void *data);

/**
 * devres_alloc() - allocate a resource of @size bytes (zeroed) for devres_add().
 * @release: called with the device and the data when the resource is released; not NULL.
 * @size: bytes of data.
 * @gfp: accepted for compatibility; the data is library metadata (host memory, always
 *	 zeroed), meant for bookkeeping: DMA buffers come from devm_kmalloc().
 *
 * Return: the data, or NULL when out of memory (no report) or @release is NULL (reported).
 */
MINALIGN_API void *devres_alloc(dr_release_t release, size_t size, gfp_t gfp);
/**
 * devres_free() - free a resource that was not added (or was removed).  NULL is ignored; a
 * resource still on a device's list is reported and not freed.
 */
MINALIGN_API void devres_free(void *res);
/**
 * devres_add() - put @res on @dev's list; released (newest first) when @dev is destroyed.
 * A resource already on a list, or a NULL argument, is reported and nothing changes.
 */
MINALIGN_API void devres_add(struct device *dev, void *res);
/**
 * devres_find() - the newest resource of @dev with @release for which @match (NULL matches
 * all) returns nonzero, or NULL.  It stays on the list.
 */
MINALIGN_API void *devres_find(struct device *dev, dr_release_t release, dr_match_t match,
			       void *match_data);
/** devres_remove() - devres_find() and take it off the list (not released, not freed). */
MINALIGN_API void *devres_remove(struct device *dev, dr_release_t release, dr_match_t match,
				 void *match_data);
/** devres_destroy() - devres_remove() and devres_free(), not released.  Return: 0 or -ENOENT. */
MINALIGN_API int devres_destroy(struct device *dev, dr_release_t release, dr_match_t match,
				void *match_data);
/** devres_release() - devres_remove(), call its release, free it.  Return: 0 or -ENOENT. */
MINALIGN_API int devres_release(struct device *dev, dr_release_t release, dr_match_t match,
				void *match_data);

/**
 * devres_get() - the resource of @dev with @new_res's release for which @match (NULL matches
 * all) is true; when there is none, @new_res (a devres_alloc() resource) is added and
 * returned.  An existing match frees @new_res.  Return: the resource; NULL for bad arguments
 * (reported).
 */
MINALIGN_API void *devres_get(struct device *dev, void *new_res, dr_match_t match,
			      void *match_data);

/*
 * Groups (Linux's): resources acquired between devres_open_group() and devres_close_group()
 * can be released together with devres_release_group(), e.g. a probe step that fails.
 */
/**
 * devres_open_group() - open a group on @dev's list.
 * @id: the group's id, or NULL to use an id the call makes.
 * Return: the id; NULL when out of memory (no report) or for a NULL @dev (reported).
 */
MINALIGN_API void *devres_open_group(struct device *dev, void *id, gfp_t gfp);
/** devres_close_group() - close group @id (NULL: the newest open one); unknown: reported. */
MINALIGN_API void devres_close_group(struct device *dev, void *id);
/**
 * devres_remove_group() - forget group @id's markers; its resources stay on the list.
 * Unknown: reported.
 */
MINALIGN_API void devres_remove_group(struct device *dev, void *id);
/**
 * devres_release_group() - release, newest first, every resource of group @id (from its open
 * marker to its close marker, or to the newest entry when it is open), with the markers of the
 * groups wholly inside.  Return: resources released; 0 for an unknown group (reported).
 */
MINALIGN_API int devres_release_group(struct device *dev, void *id);

/** devm_is_action_added() - (@action, @data) is registered on @dev. */
MINALIGN_API bool devm_is_action_added(struct device *dev, void (*action)(void *), void *data);

/**
 * devm_krealloc() - resize a devm_kmalloc() buffer of @dev.
 * @ptr: the buffer; NULL or ZERO_SIZE_PTR gives devm_kmalloc().
 * @new_size: bytes; 0 frees @ptr and returns ZERO_SIZE_PTR.
 * @gfp: flags for a new buffer (__GFP_ZERO zeroes beyond the old contents).
 *
 * As Linux: when ksize(@ptr) holds @new_size, @ptr itself is returned; otherwise a new buffer
 * takes @ptr's place in the release order, the contents are copied and @ptr is freed.
 * Return: the buffer; NULL when out of memory (@ptr untouched) or when @ptr is not a
 * devm_kmalloc() buffer of @dev (reported).
 */
MINALIGN_API void *devm_krealloc(struct device *dev, void *ptr, size_t new_size, gfp_t gfp);
/** devm_krealloc_array() - devm_krealloc(@new_n * @new_size); NULL when it overflows. */
MINALIGN_API void *devm_krealloc_array(struct device *dev, void *p, size_t new_n, size_t new_size,
				       gfp_t flags);
/** devm_kasprintf() - a device-managed formatted string; NULL when out of memory. */
MINALIGN_API char *devm_kasprintf(struct device *dev, gfp_t gfp, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** devm_kvasprintf() - devm_kasprintf() with a va_list. */
MINALIGN_API char *devm_kvasprintf(struct device *dev, gfp_t gfp, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/** devm_kstrdup_const() - devm_kstrdup() (minalign always copies, as kstrdup_const()). */
MINALIGN_API const char *devm_kstrdup_const(struct device *dev, const char *s, gfp_t gfp);
/**
 * devm_get_free_pages() - __get_free_pages() owned by @dev.  Return: the address, or 0 when out
 * of memory (no report) or for a NULL @dev (reported).
 */
MINALIGN_API unsigned long devm_get_free_pages(struct device *dev, gfp_t gfp_mask,
					       unsigned int order);
/** devm_free_pages() - free a devm_get_free_pages() block now; unknown: reported. */
MINALIGN_API void devm_free_pages(struct device *dev, unsigned long addr);

/**
 * minalign_device_devres_count() - the device-managed resources @dev holds now (every devm_*,
 * dmam_* and devres_add() entry; not the library's own teardown actions).  0 for NULL.
 */
MINALIGN_API size_t minalign_device_devres_count(struct device *dev);
/**
 * minalign_device_devres_pad_bytes() - what Linux's devres layout would spend on @dev's current
 * resources in headers and padding: minalign_device_devres_count() x ALIGN(40,
 * ARCH_DMA_MINALIGN), i.e. its 40-byte struct devres_node padded to the cache line in front of
 * each resource's data (128 bytes per resource at a 128-byte line).  minalign spends none of it
 * in simulated RAM.  0 for NULL.  The sum over all devices is the devres_linux_pad_bytes
 * statistic.
 */
MINALIGN_API size_t minalign_device_devres_pad_bytes(struct device *dev);

MINALIGN_END_DECLS

#endif /* MINALIGN_DEVICE_H */
