/* SPDX-License-Identifier: MIT */
/*
 * slab/slab.h - the slab module's private interface to the rest of the library.
 *
 * The DMA layer's exact bounce decision asks ma_slab_slot() which bytes around a buffer belong
 * to the same allocation.  Lifecycle entry points are called by lib/init.c.
 */
#ifndef MINALIGN_SLAB_SLAB_H
#define MINALIGN_SLAB_SLAB_H

#include "core/core.h"

#include <minalign/slab.h>

struct ma_slab_slot {
	uintptr_t start, end; /* CPU addresses: the slot owns [start, end) */
	bool packed;	      /* an object of a kmalloc-packed-N cache */
	const char *cache;    /* cache name ("kmalloc-large" for page-backed kmalloc) */
};

/*
 * ma_slab_slot() - is @addr slab (or kmalloc-large) memory, and which slot owns it?
 *
 * True if @addr lies in slab or kmalloc-large memory: @slot gets the byte range [start, end)
 * that the object slot containing @addr owns (the object plus its alignment padding, excluding
 * red zones and the slab's tail; for kmalloc-large the whole block), whether the object comes
 * from a kmalloc-packed cache, and the cache name.  False for any other memory (page
 * allocations, swiotlb, addresses outside RAM) and for bytes that belong to no slot (red zones,
 * slab tail); @slot is then undefined.
 *
 * Cost: a range check, one load from the slab map, arithmetic on the slab descriptor (no lock).
 * Thread-safe against concurrent allocation and free of other objects; the caller must own the
 * allocation @addr belongs to (a slab is never freed while one of its objects is live).
 */
bool ma_slab_slot(const void *addr, struct ma_slab_slot *slot);

/*
 * ma_slab_dma_hold() - DMA debug holds (@delta > 0) or lets go of (@delta < 0) the slab objects
 * that [@addr, @addr+@size) lies in, or checks (@delta 0) that they are allocated.  The free of
 * a held object is refused: it reaches the free watch (core.h), which reports the mapping.
 * Return: 1 when @addr is not in a slab (kmalloc-large, page memory, outside RAM); 0 done;
 * -ENOENT (hold, check) when an object of the range is not allocated (nothing held); -EBUSY
 * when an object is held by too many mappings to count (nothing held).  Lock-free for normal
 * slabs; takes the cache lock of a debug slab to hold (never to let go).
 */
int ma_slab_dma_hold(const void *addr, size_t size, int delta);

/*
 * ma_slab_set_managed() - mark live kmalloc memory @p (slab object or kmalloc-large block) as
 * owned by devres (@managed true: devm_kmalloc()) or not.  kfree() of marked memory is refused
 * with one report; devm_kfree() and the device's destroy clear the mark before they free.
 */
void ma_slab_set_managed(const void *p, bool managed);

/* Lifecycle (lib/init.c): after ma_mm_init() and ma_cache_init(); exit before them. */
int ma_slab_init(void);
void ma_slab_exit(void);
/* fork: ma_slab_mutex, the thread-cache registry lock, every cache's lock, the zombie lock. */
void ma_slab_atfork(enum ma_fork_phase phase);

/*
 * ma_slab_validate() - walk every cache and slab and check the allocator's invariants (slab
 * map, page ownership, free lists the caller may read, debug red zones and poison).
 * Return: 0, or -EUCLEAN after one report describing the first inconsistency.
 */
int ma_slab_validate(void);

#endif /* MINALIGN_SLAB_SLAB_H */
