/* SPDX-License-Identifier: MIT */
/*
 * core/meta.c - the library's own metadata allocations.
 *
 * Bookkeeping (cache and slab descriptors, devices, mapping tables, pool descriptors) lives
 * in host memory, out of band from the simulated RAM.  Every allocation passes the
 * MINALIGN_FAULT_META injection point and is counted in meta_live, so tests can prove that each
 * failure path is reachable and that nothing leaks.  Thread-safe (the host allocator is).
 */
#include "core/core.h"

void *ma_meta_alloc(size_t size)
{
	void *p;

	if (ma_fault_fail(MINALIGN_FAULT_META))
		return NULL;
	p = calloc(1, size ? size : 1);
	if (p)
		ma_stat_add(MA_STAT_meta_live, 1);
	return p;
}

void ma_meta_free(void *p)
{
	if (!p)
		return;
	ma_stat_add(MA_STAT_meta_live, -1);
	free(p);
}

char *ma_meta_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = ma_meta_alloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}
