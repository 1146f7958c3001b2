/* SPDX-License-Identifier: MIT */
/*
 * core/core.h - what every module shares: the active configuration, reports, statistics,
 * fault injection, metadata allocation and the assertion vocabulary.
 *
 * Nothing here calls up into another module.
 */
#ifndef MINALIGN_CORE_CORE_H
#define MINALIGN_CORE_CORE_H

#include <minalign/core.h> /* configuration, reports, statistics, fault injection */

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/platform.h"

#define ma_likely(x)	    __builtin_expect(!!(x), 1)
#define ma_unlikely(x)	    __builtin_expect(!!(x), 0)
#define MA_ARRAY_SIZE(a)    (sizeof(a) / sizeof((a)[0]))
#define MA_ALIGN_UP(x, a)   (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define MA_ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define MA_IS_POW2(x)	    ((x) != 0 && ((x) & ((x)-1)) == 0)
#define MA_MIN(a, b)	    ((a) < (b) ? (a) : (b))
#define MA_MAX(a, b)	    ((a) > (b) ? (a) : (b))
#define MA_CACHELINE_HOST   64 /* the host's own line, for padding shared structures */
/* Hot thread-locals: the initial-exec model avoids __tls_get_addr in position-independent code. */
#define MA_TLS_IE	    __attribute__((tls_model("initial-exec")))

/*
 * Assertions.  MA_BUG_ON is always on and is for states that cannot arise from any caller
 * input (internal corruption): it prints and aborts.  Misuse by a caller is never a BUG: it is
 * a report (ma_report) and an error return.  MA_VALIDATE is set in debug builds and enables the
 * expensive *_validate() walkers.
 */
#define MA_BUG_ON(cond)                                    \
	do {                                               \
		if (ma_unlikely(cond))                     \
			ma_bug(__FILE__, __LINE__, #cond); \
	} while (0)
_Noreturn void ma_bug(const char *file, int line, const char *what);

#ifndef MINALIGN_VALIDATE
#define MINALIGN_VALIDATE 0
#endif

/* ---- configuration and lifecycle state (core/config.c) ---------------------------------- */

/* The active configuration: written by minalign_init before any subsystem starts, read-only
 * afterwards until minalign_exit. */
extern struct minalign_config ma_cfg;
extern atomic_bool ma_up;

static inline bool ma_is_up(void)
{
	return atomic_load_explicit(&ma_up, memory_order_acquire);
}

int ma_config_validate(const struct minalign_config *cfg);

/* ---- the free watch (core/freewatch.c) ------------------------------------------------- */

/*
 * A module above the allocators (DMA debug) may watch CPU frees: the allocators (slab, page
 * allocator, coherent memory) call ma_free_watched() before they free memory that may be
 * mapped for DMA, and refuse the free when it returns true (the watcher has reported once).
 * Lower modules never call up: dma/ registers the callback (ma_free_watch_set(NULL) clears
 * it).  Slab objects are marked out of band while mapped (slab.h), so kfree's fast path pays
 * nothing; the page paths call it on every free, and the watcher answers from a per-page count
 * (one atomic load when nothing is mapped).
 */
typedef bool (*ma_free_watch_fn)(const void *cpu, size_t size, const char *what);
void ma_free_watch_set(ma_free_watch_fn fn);
bool ma_free_watched(const void *cpu, size_t size, const char *what);

/* ---- reports (core/report.c) ------------------------------------------------------------ */

/*
 * ma_report() - deliver one misuse report: subsystem, device name (NULL gives "-"), address,
 * size and a printf-style message.  Counts it in the statistics; aborts afterwards when the
 * configuration asks for it.  Callable from any thread, with any lock held.
 */
void ma_report(const char *subsys, const char *dev, uint64_t addr, size_t size, const char *fmt,
	       ...) __attribute__((format(printf, 5, 6)));

/* ---- statistics (core/stats.c) ---------------------------------------------------------- */

#define MA_STATS(X)               \
	X(slab_bytes)             \
	X(bounce_maps)            \
	X(swiotlb_pools)          \
	X(swiotlb_transient)      \
	X(sim_conflicts)          \
	X(reports)                \
	X(ram_bytes)              \
	X(pages_free)             \
	X(page_allocs)            \
	X(page_alloc_failures)    \
	X(slab_objects)           \
	X(kmalloc_large_bytes)    \
	X(dma_maps)               \
	X(dma_map_failures)       \
	X(dma_live_mappings)      \
	X(bounce_exact)           \
	X(bounce_linux)           \
	X(bounce_addressing)      \
	X(swiotlb_transient_live) \
	X(swiotlb_slots_total)    \
	X(swiotlb_slots_used)     \
	X(swiotlb_slots_hiwater)  \
	X(swiotlb_bytes)          \
	X(swiotlb_bytes_peak)     \
	X(coherent_bytes)         \
	X(devres_live)            \
	X(devres_linux_pad_bytes) \
	X(meta_live)              \
	X(iommu_maps)             \
	X(iommu_unmaps)           \
	X(iotlb_invalidations)    \
	X(iommu_faults)           \
	X(iova_rcache_hits)       \
	X(kmalloc_bounce_bytes)   \
	X(kmalloc_bounce_bytes_peak)

enum ma_stat {
#define MA_STAT_ENUM(name) MA_STAT_##name,
	MA_STATS(MA_STAT_ENUM)
#undef MA_STAT_ENUM
		MA_STAT__COUNT
};

/*
 * Counters are sharded per thread: ma_stat_add() touches only the calling thread's block (a
 * relaxed load and store, no read-modify-write), so hot paths stay cheap and threads never share
 * a counter line.  Gauges (values that go up and down) use the same call with negative deltas;
 * the sum over all blocks is exact.  High-water marks are global: ma_stat_max().
 */
struct ma_stat_block {
	_Atomic uint64_t v[MA_STAT__COUNT];
	struct ma_stat_block *next, *prev;
};
extern _Thread_local struct ma_stat_block *ma_stat_mine MA_TLS_IE;
void ma_stat_add_slow(enum ma_stat id, int64_t delta);

static inline void ma_stat_add(enum ma_stat id, int64_t delta)
{
	struct ma_stat_block *b = ma_stat_mine;

	if (ma_unlikely(!b)) {
		ma_stat_add_slow(id, delta);
		return;
	}
	atomic_store_explicit(
		&b->v[id], atomic_load_explicit(&b->v[id], memory_order_relaxed) + (uint64_t)delta,
		memory_order_relaxed);
}

void ma_stat_max(enum ma_stat id, uint64_t value);
void ma_stat_set(enum ma_stat id, uint64_t value); /* global gauges only (no per-thread part) */
uint64_t ma_stat_get(enum ma_stat id);
void ma_stats_reset(void);
void ma_stats_exit(void);

/*
 * fork: lib/fork.c's pthread_atfork handlers call each module's ma_*_atfork(phase) in lock order
 * (outer locks first at PREPARE; PARENT and CHILD release them), so a child forked while another
 * thread held an allocator lock finds every lock free and the state it guards consistent.
 */
enum ma_fork_phase { MA_FORK_PREPARE, MA_FORK_PARENT, MA_FORK_CHILD };
void ma_stats_atfork(enum ma_fork_phase phase);
void ma_fork_register(void);		       /* lib/fork.c, once per process */
void ma_init_atfork(enum ma_fork_phase phase); /* lib/init.c: ma_init_lock */
bool ma_init_started(void);		       /* lib/init.c: up (ma_init_lock held) */

/* ---- fault injection (core/fault.c) ------------------------------------------------------ */

extern atomic_uint ma_fault_armed; /* kinds armed; 0 on the fast path */

bool ma_fault_fail_slow(unsigned int kind);

/* True when this allocation of @kind (MINALIGN_FAULT_PAGE or _META) must fail. */
static inline bool ma_fault_fail(unsigned int kind)
{
	if (ma_likely(!(atomic_load_explicit(&ma_fault_armed, memory_order_relaxed) & kind)))
		return false;
	return ma_fault_fail_slow(kind);
}

/* ---- metadata (core/meta.c) ------------------------------------------------------------- */

/*
 * The library's own bookkeeping (cache descriptors, devices, mapping tables) lives in host
 * memory, never in the simulated RAM next to user data.  Zeroed; NULL on failure or an injected
 * MINALIGN_FAULT_META fault; counted in meta_live so tests can prove nothing leaked.
 */
void *ma_meta_alloc(size_t size);
void ma_meta_free(void *p);
char *ma_meta_strdup(const char *s);

#endif /* MINALIGN_CORE_CORE_H */
