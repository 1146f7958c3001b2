/* SPDX-License-Identifier: MIT */
/*
 * minalign/dma-optin.h - which drivers forgot the DMA opt-in.
 *
 * Under MINALIGN_POLICY_DMA_OPT_IN a kmalloc buffer that was not allocated DMA-safe (GFP_DMA,
 * dma_kmalloc()) and shares a cache line is bounced as a safety net.  The library attributes
 * each such bounce to the code that called dma_map_single/dma_map_page/dma_map_sg (the return
 * address into it, named with dladdr() where the symbol is visible: a shared object, or an
 * executable linked with -rdynamic) and to the device, so the drivers to fix can be named.
 * Under MINALIGN_POLICY_BOUNCE the same is recorded while DMA-API debug is on
 * (MINALIGN_DEBUG_DMA): the buffers that would have to opt in before kmalloc stops being
 * DMA-safe.  Other policies and bounces for addressing limits record nothing.
 *
 * The sites are kept from minalign_init() until the next minalign_init() (so they can be read
 * after minalign_exit()); at most MINALIGN_DMA_OPTIN_MAX distinct (caller, device, call) sites,
 * bounces of further sites are counted in minalign_dma_optin_sites()'s @dropped.
 */
#ifndef MINALIGN_DMA_OPTIN_H
#define MINALIGN_DMA_OPTIN_H

#include <stdio.h>

#include <minalign/types.h>

MINALIGN_BEGIN_DECLS

#define MINALIGN_DMA_OPTIN_MAX 128

/*
 * struct minalign_dma_optin_site - bounces of one (caller, device, call) triple.
 * Strings point into the library's table: valid until the next minalign_init().
 */
struct minalign_dma_optin_site {
	const void *caller;   /* return address into the dma_map_* caller; NULL if not found */
	const char *function; /* the caller's symbol (dladdr), or NULL when not visible */
	size_t offset;	      /* caller - the symbol's address (or the object's base) */
	const char *object;   /* the file holding the caller, or NULL */
	const char *device;   /* the device's name */
	const char *call;     /* "dma_map_single", "dma_map_page" or "dma_map_sg" */
	const char *cache;    /* the kmalloc cache of the first buffer bounced, e.g. "kmalloc-32" */
	uint64_t bounces;     /* bounces attributed to this site */
	uint64_t bytes;	      /* bytes they mapped */
	size_t size_min, size_max; /* smallest and largest mapping */
};

/**
 * minalign_dma_optin_sites() - the sites recorded since the last minalign_init().
 * @sites: filled with up to @max sites, most bounces first (ties: by device, then caller);
 *         may be NULL when @max is 0.
 * @max: room in @sites.
 * @dropped: if not NULL, gets the bounces of sites beyond the table's MINALIGN_DMA_OPTIN_MAX.
 *
 * Return: the number of sites recorded (may exceed @max: call again with more room).
 * Locking: takes the table's lock; safe against concurrent mappings.
 */
MINALIGN_API size_t minalign_dma_optin_sites(struct minalign_dma_optin_site *sites, size_t max,
					     uint64_t *dropped);

/**
 * minalign_dma_optin_report() - print the sites, one line each, most bounces first:
 * `<device>: <function>+0x<offset> (<object>) <call>: <n> bounce(s), <bytes> bytes,
 * <min>..<max> bytes, <cache>: not allocated DMA-safe (GFP_DMA or dma_kmalloc)`.
 * @out: the stream (stderr when NULL).
 *
 * Return: the number of sites printed, or -EIO when writing failed.
 */
MINALIGN_API int minalign_dma_optin_report(FILE *out);

MINALIGN_END_DECLS

#endif /* MINALIGN_DMA_OPTIN_H */
