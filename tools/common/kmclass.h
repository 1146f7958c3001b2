/* SPDX-License-Identifier: MIT */
/*
 * tools/common/kmclass.h - kmalloc cache names and size classes as Linux has them, and the slab
 * order SLUB would pick for a cache (used when an input has no row to take the geometry from).
 *
 * The class rule (DESIGN.md section 4): with minimum alignment M, sizes <= M use class M, 96
 * exists only when M <= 32, 192 only when M <= 64, and every class is a multiple of M.
 */
#ifndef MINALIGN_TOOLS_KMCLASS_H
#define MINALIGN_TOOLS_KMCLASS_H

#include <stdbool.h>
#include <stdint.h>

#define KM_PAGE_SIZE	   4096u
#define KM_MAX_CACHE_SIZE  8192u       /* KMALLOC_MAX_CACHE_SIZE with 4 KiB pages */
#define KM_MAX_ROW_SIZE	   (32u << 20) /* largest kmalloc-N accepted in an input */
#define KM_NR_CLASSES	   25	       /* 8..8192 with 96 and 192, then 16 KiB..32 MiB */
#define KM_TYPE_LEN	   24
#define SLUB_MAX_ORDER	   3u /* slub_max_order default: PAGE_ALLOC_COSTLY_ORDER */
#define SLUB_MAX_OBJS_SLAB 32767u

enum km_name_kind {
	KM_NOT_KMALLOC, /* some other cache */
	KM_KMALLOC,	/* a kmalloc-family cache with a valid size */
	KM_BAD_SIZE,	/* kmalloc-family name with a size that is no kmalloc class */
};

struct km_name {
	char type[KM_TYPE_LEN]; /* "kmalloc", "kmalloc-cg", "kmalloc-rcl", "dma-kmalloc",
				   "kmalloc-rnd-NN" */
	unsigned int size;	/* class size in bytes */
	bool dma;		/* dma-kmalloc-N */
	int preference;		/* lower is preferred when naming a merged sysfs cache */
};

/* Classify a cache name: kmalloc-N, kmalloc-cg-N, kmalloc-rcl-N, dma-kmalloc-N, kmalloc-rnd-NN-N
 * with N decimal bytes or with a k/M suffix (kmalloc-1k); 2.6-era SLAB's size-N (kmalloc) and
 * size-N(DMA) (dma-kmalloc). */
enum km_name_kind km_parse_name(const char *name, struct km_name *out);

/* Class sizes in increasing order; index i for 0 <= i < KM_NR_CLASSES. */
unsigned int km_class_size(unsigned int index);
/* Index of class size @size, or -1 when @size is no class. */
int km_class_index(unsigned int size);
/* Whether class @size exists under minimum alignment @min_align. */
bool km_class_exists(unsigned int size, unsigned int min_align);
/* The class an object now in class @size uses under minimum alignment @min_align. */
unsigned int km_class_for(unsigned int size, unsigned int min_align);

/* Linux's get_order() for 4 KiB pages: the smallest order whose block holds @bytes. */
unsigned int km_get_order(uint64_t bytes);

/*
 * slub_calculate_order() - the slab order SLUB picks for objects of @size bytes on a machine
 * with @cpus CPUs, with the default slub_min_objects (0: derived from the CPU count),
 * slub_min_order 0 and slub_max_order 3.
 */
unsigned int slub_calculate_order(unsigned int size, unsigned int cpus);
/* Objects of @size in a slab of 2^@order pages. */
unsigned int slub_objs_per_slab(unsigned int size, unsigned int order);

#endif /* MINALIGN_TOOLS_KMCLASS_H */
