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
#include "traceparse.h"

enum rp_kind { RP_KMALLOC, RP_CACHE_ALLOC, RP_FREE };

struct rp_event {
	uint64_t ptr;  /* the trace's pointer (hashed or raw), never 0 */
	uint64_t size; /* bytes requested (allocations) */
	uint32_t gfp;
	uint32_t cache; /* RP_CACHE_ALLOC: index into rp_trace.caches */
	uint8_t kind;
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

/* Replay @t under @cfg (minalign_init .. minalign_exit).  Return: 0 or -ENOMEM.
 */
int rp_run(const struct rp_trace *t, const struct minalign_config *cfg, struct rp_result *r);

#endif /* MINALIGN_TOOLS_REPLAY_H */
