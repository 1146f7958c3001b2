/* SPDX-License-Identifier: MIT */
/*
 * slab/cachetab.c - where struct kmem_cache lives: a table of slots in host memory that is
 * mapped once per process and never unmapped (like the thread caches), so a stale cache handle
 * - a destroyed cache, or one that outlived minalign_exit() - still points at readable memory
 * that says the cache is dead (dead = true, no thread-cache entry) instead of at freed memory.
 * kmem_cache_alloc()'s fast path then finds an always-empty entry and its slow path reports.
 *
 * Slots are handed out round robin (the oldest free slot next), so a slot is reused only after
 * every other slot was: a stale handle aliases a new cache only after MA_CACHETAB caches were
 * created since.  A full table (MA_CACHETAB live caches) fails kmem_cache_create() like running
 * out of memory.  The table is committed lazily (untouched slots cost nothing).
 *
 * Locking: ma_cachetab_lock (a leaf spinlock).
 */
#include "slab/internal.h"

#define MA_CACHETAB	 4096
#define MA_CACHETAB_SLOT MA_ALIGN_UP(sizeof(struct kmem_cache), 64)

static ma_spinlock_t ma_cachetab_lock = MA_SPINLOCK_INIT;
static unsigned char *ma_cachetab;
static uint8_t ma_cachetab_used[MA_CACHETAB];
static unsigned int ma_cachetab_next;

struct kmem_cache *ma_cachetab_alloc(void)
{
	struct kmem_cache *c = NULL;

	if (ma_fault_fail(MINALIGN_FAULT_META))
		return NULL;
	ma_spin_lock(&ma_cachetab_lock);
	if (!ma_cachetab)
		ma_cachetab = ma_plat_map((size_t)MA_CACHETAB * MA_CACHETAB_SLOT);
	for (unsigned int n = 0; ma_cachetab && n < MA_CACHETAB && !c; n++) {
		unsigned int i = (ma_cachetab_next + n) % MA_CACHETAB;

		if (ma_cachetab_used[i])
			continue;
		ma_cachetab_used[i] = 1;
		ma_cachetab_next = (i + 1) % MA_CACHETAB;
		c = (struct kmem_cache *)(void *)(ma_cachetab + (size_t)i * MA_CACHETAB_SLOT);
	}
	ma_spin_unlock(&ma_cachetab_lock);
	if (c)
		memset(c, 0, sizeof(*c));
	return c;
}

/* fork (lib/fork.c, through ma_slab_atfork()): a leaf. */
void ma_cachetab_atfork(bool lock)
{
	if (lock)
		ma_spin_lock(&ma_cachetab_lock);
	else
		ma_spin_unlock(&ma_cachetab_lock);
}

void ma_cachetab_free(struct kmem_cache *c)
{
	size_t i = (size_t)((unsigned char *)c - ma_cachetab) / MA_CACHETAB_SLOT;

	c->dead = true;
	c->tc_idx = MA_TC_NULL_IDX;
	ma_spin_lock(&ma_cachetab_lock);
	ma_cachetab_used[i] = 0;
	ma_spin_unlock(&ma_cachetab_lock);
}
