/* SPDX-License-Identifier: MIT */
/*
 * tools/whatif/wimodel.h - the what-if model: the slab memory and bounce pool every policy would
 * need for the kmalloc objects of a slab statistics table (DESIGN.md section 8).
 *
 * Method.  For every kmalloc-family row (kmalloc-N, kmalloc-cg-N, kmalloc-rcl-N, dma-kmalloc-N,
 * kmalloc-rnd-NN-N) take num_objs and move the objects to the class they would use under the
 * policy's minimum alignment M (the section 4 rule), within the same cache type.  Then, per type
 * and class, round the objects up to whole slabs, taking objperslab and pagesperslab from the
 * input's row of that size and type where there is one, else from SLUB's order rule; bytes =
 * slabs x pages per slab x 4096.
 *
 * Minimum alignment per policy: LEGACY and PACKED the cache line (PACKED saves only for callers
 * that pass __GFP_PACKED, which slab statistics cannot show, so it is modelled with none);
 * BOUNCE and NAIVE 8; DMA_OPT_IN 8 for every type but dma-kmalloc-N, which keeps the cache line.
 *
 * Bounce pool per policy: LEGACY, PACKED and NAIVE need none for kmalloc buffers.  BOUNCE needs
 * one: Linux sizes it min(64 MiB, RAM / 1024) rounded up to whole 256 KiB segments (arm64 when
 * only kmalloc bouncing needs SWIOTLB); minalign uses its configured default pool (line-granular
 * slots, grown on demand), independent of the input.  DMA_OPT_IN keeps minalign's pool as a
 * safety net for the buffers that miss their opt-in.
 */
#ifndef MINALIGN_TOOLS_WIMODEL_H
#define MINALIGN_TOOLS_WIMODEL_H

#include <stdbool.h>
#include <stdint.h>

#include <minalign/minalign.h>

#include "common/kmclass.h"
#include "slabparse.h"

#define WI_NPOL	       MINALIGN_NR_POLICIES
#define WI_MAX_TYPES   128
#define WI_MAX_SLUBBED 64 /* (type, class) groups with computed geometry, kept for the notes */

struct wi_params {
	unsigned int cache_line; /* 16..256 */
	uint64_t ram_bytes;	 /* RAM of the machine the input describes */
	unsigned int cpus;	 /* CPUs of that machine, for SLUB's order rule */
	uint64_t minalign_pool;	 /* minalign's bounce pool, bytes: the default, or --pool */
	bool ram_given;		 /* ram_bytes came from --ram (else this host's) */
	bool cpus_given;	 /* cpus came from --cpus (else this host's) */
	bool pool_given;	 /* minalign_pool came from --pool (a workload's need) */
};

struct wi_policy {
	unsigned int min_align;	    /* for kmalloc-N, -cg-N, -rcl-N, -rnd-NN-N */
	unsigned int dma_min_align; /* for dma-kmalloc-N */
	uint64_t objs;
	uint64_t slabs;
	uint64_t slab_bytes;
	uint64_t pool_bytes;	     /* as minalign sizes it */
	uint64_t pool_linux_bytes;   /* as Linux sizes it (BOUNCE only, else 0) */
	int64_t net_vs_legacy;	     /* slab + minalign pool, minus LEGACY's */
	int64_t net_linux_vs_legacy; /* slab + Linux pool, minus LEGACY's */
};

struct wi_class {
	unsigned int size;
	uint64_t in_objs;	/* num_objs of the input rows of this size */
	uint64_t in_bytes;	/* their slabs as recorded: num_slabs x pagesperslab x 4096 */
	uint64_t objs[WI_NPOL]; /* objects in this class under each policy */
	uint64_t bytes[WI_NPOL];
};

/* A (type, class) group whose slab geometry came from SLUB's rule (missing from the input). */
struct wi_slubbed {
	char type[KM_TYPE_LEN];
	unsigned int size;
	unsigned int order;
	unsigned int objperslab;
};

struct wi_result {
	struct wi_params params;
	unsigned int rows;	   /* kmalloc-family rows used */
	unsigned int types;	   /* distinct cache types */
	uint64_t in_objs;	   /* their num_objs */
	uint64_t in_bytes;	   /* their slab bytes as recorded */
	unsigned int in_min_class; /* smallest kmalloc-N row: the recorded minimum alignment */
	unsigned int legacy_names; /* rows named kmalloc-node or size-N(DMA) (old SLAB) */
	struct wi_policy pol[WI_NPOL];
	struct wi_class classes[KM_NR_CLASSES]; /* every class size, in order */
	unsigned int nslubbed;			/* total groups with computed geometry */
	struct wi_slubbed slubbed[WI_MAX_SLUBBED];
	struct cli_badlist ignored; /* kmalloc-like rows that could not be used */
};

/* The bounce pool Linux would reserve for kmalloc bouncing on a machine with @ram_bytes. */
uint64_t wi_linux_pool_bytes(uint64_t ram_bytes);

/* Compute the model for every policy.  Return: 0, or -ENOMEM. */
int wi_compute(const struct slab_table *t, const struct wi_params *p, struct wi_result *r);

#endif /* MINALIGN_TOOLS_WIMODEL_H */
