/* SPDX-License-Identifier: MIT */
/*
 * minalign/core.h - configuration, lifecycle, diagnostics, statistics, fault injection.
 */
#ifndef MINALIGN_CORE_H
#define MINALIGN_CORE_H

#include <minalign/types.h>

MINALIGN_BEGIN_DECLS

enum minalign_policy {
	MINALIGN_POLICY_LEGACY, /* every kmalloc object is cache-line aligned */
	MINALIGN_POLICY_BOUNCE, /* 8-byte kmalloc, unsafe inbound mappings bounced (Linux 6.5) */
	MINALIGN_POLICY_PACKED, /* cache-line kmalloc unless __GFP_PACKED (2022 RFC) */
	MINALIGN_POLICY_DMA_OPT_IN, /* 8-byte kmalloc, GFP_DMA buffers cache-line aligned */
	MINALIGN_POLICY_NAIVE,	    /* 8-byte kmalloc, never bounced: the broken configuration */
};
#define MINALIGN_NR_POLICIES 5

enum minalign_cache_model {
	MINALIGN_CACHE_SIM,	 /* write-back cache simulator with a shadow DRAM view */
	MINALIGN_CACHE_NATIVE,	 /* the host's real cache maintenance instructions */
	MINALIGN_CACHE_COHERENT, /* no maintenance at all (an x86-like machine) */
};

enum minalign_sim_victim {
	MINALIGN_SIM_LOSE_CPU_WRITES,	 /* the invalidate wins: CPU writes to a neighbour vanish */
	MINALIGN_SIM_LOSE_DEVICE_WRITES, /* the dirty line is evicted first: device data vanishes */
};

#define MINALIGN_DEBUG_DMA  0x1u /* DMA-API debug: live mapping table, misuse reports */
#define MINALIGN_DEBUG_SLAB 0x2u /* slab debug: red zones, poisoning, free checks */

struct minalign_config {
	uint64_t ram_base;	     /* default 0x80000000; page-aligned */
	size_t ram_size;	     /* default 1 GiB (256 MiB on 32-bit hosts) */
	unsigned int cache_line;     /* default 128; power of two in 16..256 */
	enum minalign_policy policy; /* default BOUNCE */
	size_t swiotlb_size;	     /* default bounce pool bytes, default 256 KiB; 0 = none */
	bool swiotlb_dynamic;	     /* grow bounce pools on demand, default true */
	enum minalign_cache_model cache_model; /* default SIM */
	enum minalign_sim_victim sim_victim;   /* default LOSE_CPU_WRITES */
	unsigned int debug;		       /* MINALIGN_DEBUG_*; default MINALIGN_DEBUG_DMA */
	/* fields beyond DESIGN.md section 7 */
	bool bounce_linux_rule; /* act on Linux's size heuristic, not the exact rule */
	bool abort_on_report;	/* abort() after delivering any misuse report */
};

/**
 * minalign_config_init() - fill @cfg with the defaults.
 * @cfg: configuration to fill; NULL is ignored.
 */
MINALIGN_API void minalign_config_init(struct minalign_config *cfg);

/**
 * minalign_init() - bring up the simulated machine and every subsystem.
 * @cfg: configuration, or NULL for the defaults.
 *
 * Return: 0; -EINVAL for a bad configuration (one report names the field); -EBUSY when already
 * initialised; -ENOMEM when RAM or metadata cannot be reserved.  Not thread-safe against other
 * init/exit calls; init/exit may be repeated in one process.
 */
MINALIGN_API int minalign_init(const struct minalign_config *cfg);

/**
 * minalign_exit() - tear everything down and release all host memory.
 *
 * Safe to call when not initialised.  No other thread may be using the library.
 */
MINALIGN_API void minalign_exit(void);

/** minalign_initialized() - true between a successful minalign_init() and minalign_exit(). */
MINALIGN_API bool minalign_initialized(void);

/** minalign_get_config() - copy the active configuration; returns -ENODEV when not initialised. */
MINALIGN_API int minalign_get_config(struct minalign_config *cfg);

/** minalign_policy_name() - "legacy", "bounce", "packed", "dma_opt_in", "naive" or NULL. */
MINALIGN_API const char *minalign_policy_name(enum minalign_policy policy);

/* ---- diagnostics ---------------------------------------------------------------------- */

struct minalign_report {
	const char *subsystem; /* "core", "mm", "slab", "dma", "swiotlb", "device", "cache" */
	const char *device;    /* device name, or "-" */
	const char *message;
	uint64_t addr; /* physical or DMA address the report is about, or 0 */
	size_t size;
};
typedef void (*minalign_report_fn)(const struct minalign_report *r, void *arg);

/**
 * minalign_set_report_handler() - deliver misuse reports to @fn.
 * @fn: handler, called synchronously on the reporting thread; NULL restores the default, which
 *      prints "minalign: <subsystem>: <device>: <message>" to stderr.
 * @arg: passed to @fn.
 */
MINALIGN_API void minalign_set_report_handler(minalign_report_fn fn, void *arg);

/* ---- statistics ----------------------------------------------------------------------- */

struct minalign_stats {
	uint64_t slab_bytes;	    /* bytes of pages held by slab caches now */
	uint64_t bounce_maps;	    /* mappings that went through a bounce pool */
	uint64_t swiotlb_pools;	    /* pools now, default and dynamic, not transient */
	uint64_t swiotlb_transient; /* transient pools created so far */
	uint64_t sim_conflicts;	    /* cache lines where CPU and device writes collided */
	uint64_t reports;	    /* misuse reports so far */
	/* fields beyond DESIGN.md section 7 */
	uint64_t ram_bytes;	      /* simulated RAM */
	uint64_t pages_free;	      /* pages free in the page allocator now */
	uint64_t page_allocs;	      /* successful page-allocator calls so far */
	uint64_t page_alloc_failures; /* failed page-allocator calls so far */
	uint64_t slab_objects;	      /* live slab objects now (approximate while racing) */
	uint64_t kmalloc_large_bytes; /* bytes of pages held by kmalloc beyond 8 KiB now */
	uint64_t dma_maps;	      /* streaming mappings made so far (sg: per segment) */
	uint64_t dma_map_failures;    /* mappings that returned DMA_MAPPING_ERROR */
	uint64_t dma_live_mappings;   /* streaming mappings live now */
	uint64_t bounce_exact;	      /* mappings the exact rule found unsafe */
	uint64_t bounce_linux;	      /* mappings Linux's dma_kmalloc_needs_bounce would bounce */
	uint64_t bounce_addressing;   /* bounces for the device mask or force_bounce */
	uint64_t swiotlb_transient_live; /* transient pools live now */
	uint64_t swiotlb_slots_total;	 /* bounce slots (cache lines) in all pools */
	uint64_t swiotlb_slots_used;	 /* bounce slots in use now */
	uint64_t swiotlb_slots_hiwater;	 /* most slots in use at once */
	uint64_t swiotlb_bytes;		 /* bytes held by bounce pools now, transient included */
	uint64_t swiotlb_bytes_peak;	 /* most bytes held by bounce pools at once */
	uint64_t coherent_bytes;	 /* bytes held by dma_alloc_coherent now */
	uint64_t devres_live;		 /* live devres entries in all devices */
	uint64_t devres_linux_pad_bytes; /* header+padding Linux's devres would spend on them */
	uint64_t meta_live;		 /* library metadata allocations live now */
};

/** minalign_get_stats() - snapshot the statistics (zeroed by minalign_init). @st: filled. */
MINALIGN_API void minalign_get_stats(struct minalign_stats *st);

/* ---- fault injection ------------------------------------------------------------------ */

#define MINALIGN_FAULT_PAGE    0x1u /* page-allocator calls (alloc_pages and everything on it) */
#define MINALIGN_FAULT_META    0x2u /* the library's own metadata allocations */
#define MINALIGN_FAULT_PERSIST 0x4u /* keep failing every later allocation after the Nth */

/**
 * minalign_fault_set() - make the @nth allocation of the kinds in @flags, counted from now, fail.
 * @nth: 1 fails the next one; 0 disarms.
 * @flags: MINALIGN_FAULT_PAGE and/or MINALIGN_FAULT_META, optionally MINALIGN_FAULT_PERSIST.
 */
MINALIGN_API void minalign_fault_set(unsigned long nth, unsigned int flags);

/** minalign_fault_hits() - allocations failed by injection since the last minalign_fault_set(). */
MINALIGN_API unsigned long minalign_fault_hits(void);

/** minalign_fault_count() - allocations of the armed kinds seen since the last
 * minalign_fault_set(). */
MINALIGN_API unsigned long minalign_fault_count(void);

MINALIGN_END_DECLS

#endif /* MINALIGN_CORE_H */
