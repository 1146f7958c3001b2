/* SPDX-License-Identifier: MIT */
/*
 * lib/fork.c - fork in a threaded process: pthread_atfork handlers over every allocator lock.
 *
 * A fork copies only the calling thread.  A lock another thread held at that moment would stay
 * held forever in the child, and the state it guards could be half-updated.  So the prepare
 * handler takes every allocator lock in the library's lock order, outer first: ma_init_lock
 * (init/exit); the slab locks (ma_slab_mutex, the thread-cache registry, every cache, the
 * zombie list); DMA-API debugging's (the table registry, every device table - the slab's free
 * check nests cache lock -> registry -> table - then the cache-line stripes); the bounce pools'
 * (the worker's mutex, ma_tlb.lock, the global pools' areas); the cache simulator's buckets;
 * the page allocator's lock; then the leaves: the opt-in call-site table, the kmalloc bounce
 * backend's record buckets, the dma_pool registry, the device and devres_alloc() registries and
 * the statistics list (the kmem_cache table's lock is taken with the slab locks).  The parent
 * and child handlers release them in the reverse order.  The child has no dynamic-pool worker:
 * its first growth starts one.  Other threads' per-thread caches (slabs, bounce slots) stay
 * with the dead threads in the child: memory the child does not get back, never corruption.
 *
 * Not covered (a child must not use them if another thread may have held them at fork):
 * dma_pool locks, device (devres) locks, IOMMU domain (IOVA allocator) locks and the report
 * handler lock.
 *
 * Registered once per process, by the first minalign_init().  Locking: the handlers run in the
 * forking thread; the library must not be initialised or torn down concurrently with a fork.
 */
#include "core/core.h"

#include <pthread.h>

void ma_dma_debug_atfork(enum ma_fork_phase phase);
void ma_dma_optin_atfork(enum ma_fork_phase phase);
void ma_slab_atfork(enum ma_fork_phase phase);
void ma_swiotlb_atfork(enum ma_fork_phase phase);
void ma_cache_atfork(enum ma_fork_phase phase);
void ma_buddy_atfork(enum ma_fork_phase phase);
void ma_devreg_atfork(enum ma_fork_phase phase);
void ma_kb_atfork(enum ma_fork_phase phase);
void ma_dma_poolreg_atfork(enum ma_fork_phase phase);

static bool ma_fork_up; /* the library was up at prepare (so the modules' locks exist) */

static void ma_fork_prepare(void)
{
	ma_init_atfork(MA_FORK_PREPARE);
	ma_fork_up = ma_init_started();
	if (ma_fork_up) {
		ma_slab_atfork(MA_FORK_PREPARE);
		ma_dma_debug_atfork(MA_FORK_PREPARE);
		ma_swiotlb_atfork(MA_FORK_PREPARE);
		ma_cache_atfork(MA_FORK_PREPARE);
		ma_buddy_atfork(MA_FORK_PREPARE);
		ma_dma_optin_atfork(MA_FORK_PREPARE);
		ma_kb_atfork(MA_FORK_PREPARE);
	}
	ma_dma_poolreg_atfork(MA_FORK_PREPARE);
	ma_devreg_atfork(MA_FORK_PREPARE);
	ma_stats_atfork(MA_FORK_PREPARE);
}

static void ma_fork_release(enum ma_fork_phase phase)
{
	ma_stats_atfork(phase);
	ma_devreg_atfork(phase);
	ma_dma_poolreg_atfork(phase);
	if (ma_fork_up) {
		ma_kb_atfork(phase);
		ma_dma_optin_atfork(phase);
		ma_buddy_atfork(phase);
		ma_cache_atfork(phase);
		ma_swiotlb_atfork(phase);
		ma_dma_debug_atfork(phase);
		ma_slab_atfork(phase);
	}
	ma_init_atfork(phase);
}

static void ma_fork_parent(void)
{
	ma_fork_release(MA_FORK_PARENT);
}

static void ma_fork_child(void)
{
	ma_fork_release(MA_FORK_CHILD);
}

static pthread_once_t ma_fork_once = PTHREAD_ONCE_INIT;

static void ma_fork_register_once(void)
{
	/* failure (ENOMEM) leaves fork as unsafe as it was; nothing else depends on it */
	(void)pthread_atfork(ma_fork_prepare, ma_fork_parent, ma_fork_child);
}

/** ma_fork_register() - install the handlers (once per process; minalign_init() calls it). */
void ma_fork_register(void)
{
	pthread_once(&ma_fork_once, ma_fork_register_once);
}
