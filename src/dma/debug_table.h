/* SPDX-License-Identifier: MIT */
/*
 * dma/debug_table.h - DMA-API debug: the live-mapping table, shared by debug.c (the table, maps,
 * unmaps, the cache-line table) and debug_access.c (syncs, device accesses).  debug.c's header
 * comment describes the structures and their locking.
 */
#ifndef MINALIGN_DMA_DEBUG_TABLE_H
#define MINALIGN_DMA_DEBUG_TABLE_H

#include "dma/internal.h"

#define MA_DBG_BUCKETS	  512 /* per device, a power of two */
#define MA_DBG_GRAN_SHIFT 9   /* entries hash by the 512-byte granule of their address */
#define MA_DBG_CHUNK	  32  /* entries allocated at once */
#define MA_DBG_MSG	  320

struct ma_dbg_line {
	struct ma_dbg_line *next;
	phys_addr_t line;
	struct ma_dbg_entry *e;
};

struct ma_dbg_entry {
	struct ma_dbg_entry *next; /* hash chain or free list */
	struct device *dev;
	dma_addr_t addr;
	phys_addr_t phys;
	size_t size;
	unsigned long attrs;
	int nents; /* sg: the nents dma_map_sg() was given (0 until it returns) */
	uint8_t dir, type, nlines;
	bool checked; /* dma_mapping_error() saw the address */
	bool claimed; /* scratch of the multi-segment checks, under dbg->lock */
	bool bounced; /* the mapping is bounced (its lines clash only on overlapping bytes) */
	uint8_t held; /* what it holds against CPU frees (debug_free.c): MA_DBGF_HELD_* or 0 */
	struct ma_dbg_line lines[2];
};

struct ma_dbg_chunk {
	struct ma_dbg_chunk *next;
	struct ma_dbg_entry e[MA_DBG_CHUNK];
};

struct ma_dma_debug {
	ma_spinlock_t lock;
	struct ma_dma_debug *gnext; /* registry of every table (debug_free.c, its lock) */
	struct device *dev;
	size_t max_size; /* the largest mapping entered: how far back containment looks */
	struct ma_dbg_entry *free;
	struct ma_dbg_chunk *chunks; /* allocated beyond the first */
	struct ma_dbg_entry *bucket[MA_DBG_BUCKETS];
	struct ma_dbg_chunk first;
};

static inline struct ma_dma_debug *ma_dbg_of(const struct device *dev)
{
	const struct ma_dma_dev *d = dev->p->dma;

	return d ? d->debug : NULL;
}

static inline unsigned int ma_dbg_hash(dma_addr_t granule)
{
	return (unsigned int)((granule * 0x9e3779b97f4a7c15ull) >> 55) & (MA_DBG_BUCKETS - 1);
}

static inline struct ma_dbg_entry **ma_dbg_bucket(struct ma_dma_debug *t, dma_addr_t addr)
{
	return &t->bucket[ma_dbg_hash(addr >> MA_DBG_GRAN_SHIFT)];
}

/* ---- debug_free.c: holds against CPU frees --------------------------------------------- */
#define MA_DBGF_HELD_SLAB  1
#define MA_DBGF_HELD_PAGES 2
/* Enter / remove a device's table in the registry (attach / detach). */
void ma_dbgf_register(struct ma_dma_debug *t, struct device *dev);
void ma_dbgf_unregister(struct ma_dma_debug *t);
/* fork: take (true) or release the registry lock and every registered table's lock. */
void ma_dbgf_atfork(bool lock);
/* Entry @e (not yet published) holds its memory; lets go when it leaves the table. */
void ma_dbgf_hold(struct ma_dbg_entry *e);
void ma_dbgf_release(struct ma_dbg_entry *e);
/* Map-time check: is [@phys, @phys+@size) allocated memory?  False after one report. */
bool ma_dbgf_allocated(struct device *dev, phys_addr_t phys, size_t size, const char *what);

/* "DMA_TO_DEVICE" & co. */
const char *ma_dbg_dir_name(int dir);

/*
 * ma_dbg_find() - the first live entry containing bus address @x for which @fn (if any) says
 * yes, looking at the granule of @x and those below it as far as the largest mapping reaches.
 * dbg->lock held.
 */
struct ma_dbg_entry *ma_dbg_find(struct ma_dma_debug *t, dma_addr_t x,
				 bool (*fn)(const struct ma_dbg_entry *e, void *arg), void *arg);

#endif /* MINALIGN_DMA_DEBUG_TABLE_H */
