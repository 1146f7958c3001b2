/* SPDX-License-Identifier: MIT */
/*
 * tools/replay/replay.h - replaying a parsed kmem trace through the library's
 * allocator: the trace in memory (compact events, interned cache names) and one
 * run under one configuration.
 */
#ifndef MINALIGN_TOOLS_REPLAY_H
#define MINALIGN_TOOLS_REPLAY_H

#include <stdint.h>

#include <minalign/minalign.h>

#include "common/kmclass.h"
#include "replay/sites.h"
#include "traceparse.h"

enum rp_kind { RP_KMALLOC, RP_CACHE_ALLOC, RP_FREE };

struct rp_event {
	uint64_t ptr;	 /* the trace's pointer (hashed or raw), never 0 */
	uint64_t size;	 /* bytes requested (allocations) */
	uint64_t extent; /* bytes the object spans in the trace: bytes_alloc, else roundup(size) */
	uint32_t gfp;
	uint32_t cache; /* RP_CACHE_ALLOC: index into rp_trace.caches */
	uint32_t site;	/* allocations: index into rp_trace.sites, or RS_NO_SITE */
	uint8_t kind;
};

/* A physical range a DMA event mapped, before kmem event @at (rp_trace.ev index). */
struct rp_dma {
	uint64_t phys, len;
	size_t at;
	uint8_t event; /* enum tr_dma_event */
};

struct rp_cache {
	char name[TR_NAME_LEN];
	uint64_t size; /* object size: the first event's bytes_req */
};

struct rp_trace {
	struct rp_event *ev;
	size_t nev, cap;
	struct rp_cache *caches;
	size_t ncaches, caps;
	uint64_t null_allocs; /* allocations that returned NULL in the trace: not
				 replayed */
	uint64_t null_frees;  /* frees of NULL: not replayed */
	struct tr_stats st;
	bool binary; /* read from trace-cmd's trace.dat (tracedat.c), not text */
	/* per call site (sites.h); set before rp_trace_load */
	const struct rs_symtab *syms; /* --symbols, or NULL */
	bool site_offsets;	      /* --site-offsets */
	struct rs_table sites;
	uint64_t hashed_ptrs; /* non-NULL kmem pointers below 2^32: hashed, not raw */
	struct rp_dma *dma;
	size_t ndma, capdma;
};

/* Per-class count slots: the kmalloc classes, then "large" (beyond 8 KiB:
 * pages), "kmem_cache" (named caches) and "zero" (kmalloc(0), which holds
 * nothing). */
#define RP_SLOT_LARGE (KM_NR_CLASSES)
#define RP_SLOT_CACHE (KM_NR_CLASSES + 1)
#define RP_SLOT_ZERO  (KM_NR_CLASSES + 2)
#define RP_NSLOTS     (KM_NR_CLASSES + 3)

struct rp_count {
	uint64_t allocs; /* allocations that went to this class */
	uint64_t live;	 /* still allocated at the end of the trace */
};

struct rp_result {
	int init_err; /* minalign_init's result; nothing else is valid when non-zero
		       */
	uint64_t peak_slab_bytes, final_slab_bytes;
	uint64_t peak_large_bytes, final_large_bytes; /* kmalloc beyond 8 KiB: whole pages */
	uint64_t allocs, frees;
	uint64_t failed_allocs;	  /* the allocator returned NULL (out of simulated RAM,
				     bad size) */
	uint64_t unmatched_frees; /* frees of pointers the trace never allocated (or
				     before it) */
	uint64_t reused_ptrs;	  /* a pointer allocated again without a free in between */
	uint64_t reports;	  /* misuse reports from the library during the run */
	char first_report[160];	  /* the first one's message, or "" */
	struct rp_count slots[RP_NSLOTS];
};

void rp_trace_init(struct rp_trace *t);
void rp_trace_free(struct rp_trace *t);
/* Parse @f into @t.  Return: 0, or -errno (read error, out of memory). */
int rp_trace_load(FILE *f, struct rp_trace *t);

/* Replay @t under @cfg (minalign_init .. minalign_exit); under the packed policy the sites
 * marked packed allocate with __GFP_PACKED.  Return: 0 or -ENOMEM. */
int rp_run(const struct rp_trace *t, const struct minalign_config *cfg, struct rp_result *r);

/* ---- the trace's pointer map (replayeng.c), shared with the per-site pass (siteana.c) --- */

struct rp_slot {
	uint64_t key; /* 0 = empty */
	void *obj;
	uint64_t size, extent; /* the event's (per-site pass) */
	uint32_t cache;	       /* UINT32_MAX: kmalloc */
	uint32_t site;
	uint8_t cls;
};

struct rp_ptrmap {
	struct rp_slot *s;
	size_t mask, used;
};

struct rp_slot *rp_map_find(struct rp_ptrmap *m, uint64_t key);
int rp_map_put(struct rp_ptrmap *m, const struct rp_slot *v);
void rp_map_del(struct rp_ptrmap *m, struct rp_slot *hole);

/* ---- per call site (siteana.c) ----------------------------------------------------------- */

/* Why the sites' dma_mapped is null, or NULL when the trace lets mappings be attributed. */
struct rp_site_opts {
	bool have_phys_offset;
	uint64_t phys_offset; /* --phys-offset: phys = virt - offset */
};

struct rp_site_result {
	int8_t *dma_mapped;	 /* per site: 1, 0, or -1 (unknown) */
	const char *dma_reason;	 /* why unknown (static), or NULL */
	uint64_t dma_ranges;	 /* physical ranges of map events */
	uint64_t dma_attributed; /* ...that fell in a live kmalloc object */
	uint64_t dma_other;	 /* ...in a named kmem_cache object */
	uint64_t waste_live[RS_NALIGN], waste_total[RS_NALIGN]; /* over all sites */
};

/* Fill @t->sites' counters and @res from the events; 0 or -ENOMEM. */
int rp_sites_analyse(struct rp_trace *t, const struct rp_site_opts *o, struct rp_site_result *res);
void rp_site_result_free(struct rp_site_result *res);

/* ---- output and __GFP_PACKED selection (siteout.c) ---------------------------------------- */

#define RP_PACKED_KEEP 16

struct rp_packed {
	enum { RP_PACKED_NONE, RP_PACKED_FILE, RP_PACKED_TOP } source;
	const char *file;	 /* --packed-sites */
	uint64_t top;		 /* --packed-top */
	size_t marked;		 /* sites marked */
	size_t unknown, refused; /* file names no site has; DMA-mapped sites not marked */
	char unknown_names[RP_PACKED_KEEP][RS_KEY_LEN], refused_names[RP_PACKED_KEEP][RS_KEY_LEN];
};

/* Site indices sorted by waste_live at 128 descending (then waste_total at 128, allocs, key);
 * NULL when out of memory.  The caller frees it. */
uint32_t *rp_sites_order(const struct rp_trace *t);
/* Mark the packed sites (--packed-sites FILE or --packed-top K) in @t->sites.  DMA-mapped sites
 * are never marked.  Return: 0, or -1 with @err set (FILE unreadable). */
int rp_packed_select(struct rp_trace *t, const struct rp_site_result *res, const uint32_t *order,
		     struct rp_packed *p, char *err, size_t errlen);

struct json;
/* The "call_sites" array and the keys that go with it (docs/cli.md). */
void rp_sites_json(struct json *j, const struct rp_trace *t, const struct rp_site_result *res,
		   const uint32_t *order, const struct rp_packed *p, const struct rp_result *pol,
		   const struct rp_site_opts *o);
/* The top @top sites, the cumulative curve, DMA and packed notes. */
void rp_sites_text(const struct rp_trace *t, const struct rp_site_result *res,
		   const uint32_t *order, const struct rp_packed *p, const struct rp_result *pol,
		   unsigned int top);

#endif /* MINALIGN_TOOLS_REPLAY_H */
