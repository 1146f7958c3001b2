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
