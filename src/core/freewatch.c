/* SPDX-License-Identifier: MIT */
/*
 * core/freewatch.c - the free watch (core.h): one callback, registered by DMA debug, that the
 * allocators ask before freeing memory that may be mapped for DMA.
 *
 * Owns the callback pointer (atomic: set at init and exit while no other thread uses the
 * library, read by any thread).  No lock; the callback takes what it needs.
 */
#include "core/core.h"

static _Atomic(ma_free_watch_fn) ma_free_watch;

void ma_free_watch_set(ma_free_watch_fn fn)
{
	atomic_store_explicit(&ma_free_watch, fn, memory_order_release);
}

bool ma_free_watched(const void *cpu, size_t size, const char *what)
{
	ma_free_watch_fn fn = atomic_load_explicit(&ma_free_watch, memory_order_acquire);

	return fn && fn(cpu, size, what);
}
