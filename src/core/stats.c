/* SPDX-License-Identifier: MIT */
/*
 * core/stats.c - statistics.
 *
 * Owns the counters behind minalign_get_stats().  Each thread that counts gets a block of
 * per-thread counters; only that thread writes them (a relaxed load and store, no
 * read-modify-write, so hot paths never bounce a line between CPUs).  Readers sum the global
 * base and every live block.  When a thread exits, its block is folded into the base (atomic
 * adds) and unlinked.  Gauges go up and down on different threads; the sum stays exact.
 *
 * Locking: ma_stats_lock protects the list of blocks and the fold at thread exit; it is a leaf
 * lock (nothing else is taken under it).  High-water marks and global gauges live only in the
 * base and are updated with atomics.
 */
#include "core/core.h"

static _Atomic uint64_t ma_stat_base[MA_STAT__COUNT];
static struct ma_stat_block *ma_stat_blocks;
static ma_mutex_t ma_stats_lock = MA_MUTEX_INIT;
_Thread_local struct ma_stat_block *ma_stat_mine MA_TLS_IE;
static _Thread_local bool ma_stat_retired;
static pthread_once_t ma_stat_once = PTHREAD_ONCE_INIT;
static ma_tls_key_t ma_stat_key;

static void ma_stat_fold(void *arg)
{
	struct ma_stat_block *b = arg;
	unsigned int i;

	ma_mutex_lock(&ma_stats_lock);
	for (i = 0; i < MA_STAT__COUNT; i++)
		atomic_fetch_add_explicit(&ma_stat_base[i],
					  atomic_load_explicit(&b->v[i], memory_order_relaxed),
					  memory_order_relaxed);
	if (b->prev)
		b->prev->next = b->next;
	else
		ma_stat_blocks = b->next;
	if (b->next)
		b->next->prev = b->prev;
	ma_mutex_unlock(&ma_stats_lock);
	ma_stat_mine = NULL;
	ma_stat_retired = true;
	free(b);
}

static void ma_stat_key_init(void)
{
	ma_tls_key_create(&ma_stat_key, ma_stat_fold);
}

static struct ma_stat_block *ma_stat_block_get(void)
{
	struct ma_stat_block *b;

	if (ma_stat_retired)
		return NULL; /* thread is exiting: count in the base */
	pthread_once(&ma_stat_once, ma_stat_key_init);
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	ma_mutex_lock(&ma_stats_lock);
	b->next = ma_stat_blocks;
	if (b->next)
		b->next->prev = b;
	ma_stat_blocks = b;
	ma_mutex_unlock(&ma_stats_lock);
	ma_tls_set(ma_stat_key, b);
	ma_stat_mine = b;
	return b;
}

/* The calling thread has no block yet (or is exiting): make one, or count in the base. */
void ma_stat_add_slow(enum ma_stat id, int64_t delta)
{
	struct ma_stat_block *b = ma_stat_block_get();

	if (!b) {
		atomic_fetch_add_explicit(&ma_stat_base[id], (uint64_t)delta, memory_order_relaxed);
		return;
	}
	atomic_store_explicit(
		&b->v[id], atomic_load_explicit(&b->v[id], memory_order_relaxed) + (uint64_t)delta,
		memory_order_relaxed);
}

void ma_stat_max(enum ma_stat id, uint64_t value)
{
	uint64_t cur = atomic_load_explicit(&ma_stat_base[id], memory_order_relaxed);

	while (cur < value &&
	       !atomic_compare_exchange_weak_explicit(&ma_stat_base[id], &cur, value,
						      memory_order_relaxed, memory_order_relaxed))
		;
}

void ma_stat_set(enum ma_stat id, uint64_t value)
{
	atomic_store_explicit(&ma_stat_base[id], value, memory_order_relaxed);
}

uint64_t ma_stat_get(enum ma_stat id)
{
	struct ma_stat_block *b;
	uint64_t sum;

	ma_mutex_lock(&ma_stats_lock);
	sum = atomic_load_explicit(&ma_stat_base[id], memory_order_relaxed);
	for (b = ma_stat_blocks; b; b = b->next)
		sum += atomic_load_explicit(&b->v[id], memory_order_relaxed);
	ma_mutex_unlock(&ma_stats_lock);
	return sum;
}

/* Zero every counter.  Called by minalign_init() while no other thread uses the library. */
void ma_stats_reset(void)
{
	struct ma_stat_block *b;
	unsigned int i;

	ma_mutex_lock(&ma_stats_lock);
	for (i = 0; i < MA_STAT__COUNT; i++) {
		atomic_store_explicit(&ma_stat_base[i], 0, memory_order_relaxed);
		for (b = ma_stat_blocks; b; b = b->next)
			atomic_store_explicit(&b->v[i], 0, memory_order_relaxed);
	}
	ma_mutex_unlock(&ma_stats_lock);
}

void ma_stats_exit(void)
{
}

void minalign_get_stats(struct minalign_stats *st)
{
	uint64_t v[MA_STAT__COUNT];
	struct ma_stat_block *b;
	unsigned int i;

	if (!st)
		return;
	ma_mutex_lock(&ma_stats_lock);
	for (i = 0; i < MA_STAT__COUNT; i++) {
		v[i] = atomic_load_explicit(&ma_stat_base[i], memory_order_relaxed);
		for (b = ma_stat_blocks; b; b = b->next)
			v[i] += atomic_load_explicit(&b->v[i], memory_order_relaxed);
	}
	ma_mutex_unlock(&ma_stats_lock);
	memset(st, 0, sizeof(*st));
#define MA_STAT_COPY(name) st->name = v[MA_STAT_##name];
	MA_STATS(MA_STAT_COPY)
#undef MA_STAT_COPY
}

/* fork: the block list's lock (a leaf: taken last); the child's copy is unlocked. */
void ma_stats_atfork(enum ma_fork_phase phase)
{
	if (phase == MA_FORK_PREPARE)
		ma_mutex_lock(&ma_stats_lock);
	else
		ma_mutex_unlock(&ma_stats_lock);
}
