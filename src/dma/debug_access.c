/* SPDX-License-Identifier: MIT */
/*
 * dma/debug_access.c - DMA-API debug: syncs and device accesses checked against the table of
 * live mappings (debug.c).
 *
 * A sync must lie inside one live mapping of the device, in its direction (a BIDIRECTIONAL
 * mapping takes any), with the nents of the dma_map_sg() call for an sg list.  A device access
 * (minalign_dma_write/read) must be covered by live mappings of the device that allow it (no
 * write into a TO_DEVICE mapping, no read from a FROM_DEVICE one) and by the device's coherent
 * blocks (dma_alloc_coherent, and so dma_pool chunks); it may span adjacent mappings.  Misuse
 * is one report and nothing done (the sync is skipped, the access refused with -EFAULT).
 *
 * Locking: dbg->lock around the table lookups, released before reporting.  Coherent blocks are
 * found through the page array (the head page's owner and priv), read without a lock: the
 * device owns the block while it may legitimately use it.
 */
#include "dma/debug_table.h"

/* ---- sync ----------------------------------------------------------------------------------- */

/*
 * The best live entry for a sync of [addr, addr+size) in direction dir, for an sg sync of a list
 * of nents.  It fits in full (score 4) when it holds the range in a direction that allows the
 * sync and, for an sg sync of an sg entry, was mapped with the same nents.  One buffer may be
 * mapped several times (for DMA_TO_DEVICE, Linux allows it), so the search goes on past entries
 * that fit less, and stops at the first that fits in full; when none does, the best one found
 * (the first of equals) is what the report describes.
 */
struct dbg_sync {
	dma_addr_t addr;
	size_t size;
	int dir, nents; /* nents 0: not an sg sync */
	const struct ma_dbg_entry *best;
	int score; /* 1: holds addr only, 2: holds the range, 3: and the direction fits, 4: all */
};

static bool dbg_sync_score(const struct ma_dbg_entry *e, void *arg)
{
	struct dbg_sync *s = arg;
	int score = 1;

	if (s->size <= e->size && s->addr - e->addr <= e->size - s->size)
		score = e->dir == DMA_BIDIRECTIONAL || e->dir == s->dir ? 3 : 2;
	if (score == 3 && (!s->nents || e->type != MA_DBG_SG || e->nents == s->nents))
		score = 4;
	if (score > s->score) {
		s->score = score;
		s->best = e;
	}
	return score == 4;
}

/* Why a sync of [addr, addr+size) is misuse (into @msg), or false.  Locked. */
static bool dbg_sync_misuse(struct ma_dma_debug *t, dma_addr_t addr, size_t size,
			    enum dma_data_direction dir, int nents, const char *what, char *msg)
{
	struct dbg_sync s = {addr, size, dir, nents, NULL, 0};
	const struct ma_dbg_entry *e;

	ma_dbg_find(t, addr, dbg_sync_score, &s);
	e = s.best;
	if (!e) {
		snprintf(msg, MA_DBG_MSG, "%s of %#llx+%zu: not inside a live mapping", what,
			 (unsigned long long)addr, size);
	} else if (s.score == 1) {
		snprintf(msg, MA_DBG_MSG,
			 "%s of %#llx+%zu: beyond the end of the mapping %#llx+%zu", what,
			 (unsigned long long)addr, size, (unsigned long long)e->addr, e->size);
	} else if (s.score == 2) {
		snprintf(msg, MA_DBG_MSG,
			 "%s of %#llx+%zu: wrong direction (%s, the mapping %#llx+%zu is %s)", what,
			 (unsigned long long)addr, size, ma_dbg_dir_name(dir),
			 (unsigned long long)e->addr, e->size, ma_dbg_dir_name(e->dir));
	} else if (s.score == 3) { /* an sg sync, and no entry was mapped with its nents */
		snprintf(msg, MA_DBG_MSG, "%s of %#llx+%zu: wrong nents (%d, mapped %d)", what,
			 (unsigned long long)addr, size, nents, e->nents);
	} else {
		return false;
	}
	return true;
}

bool ma_dma_debug_sync(struct device *dev, dma_addr_t addr, size_t size,
		       enum dma_data_direction dir, const char *what)
{
	struct ma_dma_debug *t = ma_dbg_of(dev);
	char msg[MA_DBG_MSG];
	bool bad;

	if (!t)
		return true;
	ma_spin_lock(&t->lock);
	bad = dbg_sync_misuse(t, addr, size, dir, 0, what, msg);
	ma_spin_unlock(&t->lock);
	if (bad)
		ma_report("dma", dev->p->name, addr, size, "%s", msg);
	return !bad;
}

bool ma_dma_debug_sync_sg(struct device *dev, struct scatterlist *sgl, int nents,
			  enum dma_data_direction dir, const char *what)
{
	struct ma_dma_debug *t = ma_dbg_of(dev);
	struct scatterlist *sg = sgl;
	char msg[MA_DBG_MSG];
	bool bad = false;
	int i;

	if (!t)
		return true;
	ma_spin_lock(&t->lock);
	for (i = 0; i < nents && sg; i++, sg = sg_next(sg)) {
		bad = dbg_sync_misuse(t, sg->dma_address, sg->dma_length, dir, nents, what, msg);
		if (bad)
			break;
	}
	ma_spin_unlock(&t->lock);
	if (bad)
		ma_report("dma", dev->p->name, sg->dma_address, sg->dma_length, "%s (segment %d)", msg,
			  i);
	return !bad;
}

/* ---- the device side ------------------------------------------------------------------------ */

struct dbg_access {
	bool write;
	const struct ma_dbg_entry *wrong_dir; /* a mapping holding the byte, other direction */
};

static bool dbg_access_ok(const struct ma_dbg_entry *e, void *arg)
{
	struct dbg_access *a = arg;

	if (e->dir == (a->write ? DMA_TO_DEVICE : DMA_FROM_DEVICE)) {
		a->wrong_dir = e;
		return false;
	}
	return true;
}

/* The bytes of @dev's coherent memory from @phys on (0: @phys is not in it). */
static u64 dbg_coherent_span(const struct device *dev, phys_addr_t phys)
{
	struct page *pg = ma_phys_to_page(phys), *h;
	phys_addr_t start;

	if (pg->state != MA_PAGE_HEAD && pg->state != MA_PAGE_TAIL)
		return 0;
	h = ma_page_head(pg);
	if (h->state != MA_PAGE_HEAD ||
	    (h->owner != MA_OWNER_COHERENT && h->owner != MA_OWNER_DMA_POOL) || h->priv != dev)
		return 0;
	start = ma_page_to_phys(h);
	if (phys - start >= (PAGE_SIZE << h->order))
		return 0;
	return (PAGE_SIZE << h->order) - (phys - start);
}

int ma_dma_debug_access(struct device *dev, dma_addr_t addr, size_t len, bool write,
			const char *what)
{
	struct ma_dma_debug *t = ma_dbg_of(dev);
	struct dbg_access a = {write, NULL};
	const struct ma_dbg_entry *e;
	dma_addr_t cur = addr, wrong_addr = 0;
	char msg[MA_DBG_MSG];
	u64 left = len, step;

	if (!t)
		return 0;
	msg[0] = 0;
	ma_spin_lock(&t->lock);
	while (left) {
		a.wrong_dir = NULL;
		e = ma_dbg_find(t, cur, dbg_access_ok, &a);
		if (e)
			step = e->size - (cur - e->addr);
		else
			step = dbg_coherent_span(dev, ma_dma_to_phys(dev, cur));
		if (!step) {
			if (a.wrong_dir) {
				wrong_addr = a.wrong_dir->addr;
				snprintf(msg, MA_DBG_MSG,
					 "%s of %#llx+%zu: device %s a %s mapping (%#llx+%zu) "
					 "(refused)",
					 what, (unsigned long long)addr, len,
					 write ? "write into" : "read from",
					 ma_dbg_dir_name(a.wrong_dir->dir),
					 (unsigned long long)wrong_addr, a.wrong_dir->size);
			} else {
				snprintf(msg, MA_DBG_MSG,
					 "%s of %#llx+%zu: %#llx is outside every live mapping and "
					 "coherent buffer of the device (refused)",
					 what, (unsigned long long)addr, len,
					 (unsigned long long)cur);
			}
			break;
		}
		step = MA_MIN(step, left);
		cur += step;
		left -= step;
	}
	ma_spin_unlock(&t->lock);
	if (!msg[0])
		return 0;
	ma_report("dma", dev->p->name, addr, len, "%s", msg);
	return -EFAULT;
}
