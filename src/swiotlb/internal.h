/* SPDX-License-Identifier: MIT */
/*
 * swiotlb/internal.h - what the files of swiotlb/ share.
 *
 * pool.c makes, publishes, finds and frees pools; slots.c allocates and frees runs of slots
 * inside a pool's per-CPU areas; magazine.c keeps per-thread caches of single slots; map.c
 * bounces (copies, cache maintenance, statistics, reports); dynamic.c is the worker that grows
 * pools and the growth limit; transient.c the transient pools and the per-device lists.
 */
#ifndef MINALIGN_SWIOTLB_INTERNAL_H
#define MINALIGN_SWIOTLB_INTERNAL_H

#include "swiotlb/swiotlb.h"
#include "cache/cache.h"

#include <urcu-bp.h>

/*
 * struct ma_tlb_slot - one slot's record, written by the mapping that owns the slot.
 * @orig:  head slot: the original physical address of the mapping's first byte.
 * @live:  head slot: the mapping is live (a set bitmap bit alone may be a cached slot).
 * @size:  head slot: bytes mapped.
 * @head:  distance back to the mapping's head slot (0 on the head).
 * @off:   head slot: offset of the bounce address inside the head slot (min_align_mask bits).
 */
struct ma_tlb_slot {
	phys_addr_t orig;
	uint32_t size;
	uint16_t head;
	uint8_t off;
	uint8_t live; /* head slot: 1 while mapped (0 in a per-thread cache); 2 + shift - 12 for
		       * a mapping padded to whole IOVA granules of 1 << shift bytes */
};

/*
 * struct ma_tlb_area - a slice of a pool's slots with its own lock, so CPUs bouncing at once
 * do not share a lock or a cache line (the struct is padded to the host's line, and an area's
 * bitmap words and slot records are whole host lines of their own).
 * @lock:   protects @cursor, the bitmap words of [@lo, @hi) and the writes of @used.
 * @lo, @hi: the area's slots (whole segments).
 * @cursor: next-fit: where the next search starts.
 * @used:   slots in use (written under @lock, read without it by the high-water update).
 * @peak:   most slots in use in this area so far (under @lock).
 */
struct ma_tlb_area {
	ma_spinlock_t lock;
	unsigned int lo, hi;
	unsigned int cursor;
	atomic_uint used;
	unsigned int peak;
} __attribute__((aligned(MA_CACHELINE_HOST)));

/*
 * struct ma_tlb_pool - one contiguous block of bounce slots.
 * Everything but the areas' mutable fields, the bitmap, the slot records and the transient
 * links is written before the pool is published and read-only afterwards.
 *
 * A global pool (static or grown by the worker) is on ma_tlb.head until exit.  A transient
 * pool holds one mapping: it is on its device's list (@next/@pprev, RCU) and on ma_tlb.transient
 * (@tnext/@tprev, under ma_tlb.lock) from the mapping to its unmap, then freed by an RCU
 * callback (@rcu) after a grace period.
 */
struct ma_tlb_pool {
	_Atomic(struct ma_tlb_pool *) next; /* these three first: ma_tlb_pool_range */
	phys_addr_t start, end;		    /* [start, end) */
	struct page *page;		    /* the buddy block */
	unsigned int order;
	unsigned int nslots;
	unsigned int seg_slots;	  /* slots per segment (power of two) */
	unsigned int nareas;	  /* power of two */
	unsigned int area_shift;  /* slot index >> area_shift = area */
	_Atomic uint64_t *bitmap; /* 1 = slot in use */
	struct ma_tlb_slot *slots;
	struct ma_tlb_area *areas;
	void *meta; /* the one metadata allocation holding bitmap, slots and areas */
	/* transient pools only */
	bool transient;
	bool retired;			      /* unmapped (under the device's lock) */
	_Atomic(struct ma_tlb_pool *) *pprev; /* the device-list link pointing here */
	struct ma_tlb_pool *tnext, *tprev;    /* ma_tlb.transient */
	struct rcu_head rcu;		      /* the deferred free */
};
_Static_assert(offsetof(struct ma_tlb_pool, end) == offsetof(struct ma_tlb_pool_range, end),
	       "struct ma_tlb_pool must start like struct ma_tlb_pool_range");

/* A slot's physical address. */
static inline phys_addr_t ma_tlb_slot_phys(const struct ma_tlb_pool *p, unsigned int idx)
{
	return p->start + ((phys_addr_t)idx << ma_tlb.line_shift);
}

/* The slot holding @phys (in @p). */
static inline unsigned int ma_tlb_slot_idx(const struct ma_tlb_pool *p, phys_addr_t phys)
{
	return (unsigned int)((phys - p->start) >> ma_tlb.line_shift);
}

/* Slots a mapping of @size bytes at offset @off into its first slot spans. */
static inline unsigned int ma_tlb_nslots(size_t off, size_t size)
{
	return (unsigned int)((off + size + ((size_t)1 << ma_tlb.line_shift) - 1) >>
			      ma_tlb.line_shift);
}

/* Slots a live head record's mapping holds (granule-padded ones hold whole granules). */
static inline unsigned int ma_tlb_rec_nslots(const struct ma_tlb_slot *s)
{
	size_t g;

	if (s->live <= 1)
		return ma_tlb_nslots(s->off, s->size);
	g = (size_t)1 << (s->live - 2 + 12);
	return ma_tlb_nslots(s->off, MA_ALIGN_UP((size_t)s->off + s->size, g) - s->off);
}

static inline bool ma_tlb_test(const struct ma_tlb_pool *p, unsigned int idx)
{
	return (atomic_load_explicit(&p->bitmap[idx / 64], memory_order_relaxed) >> (idx % 64)) & 1;
}

/*
 * Where a run may start: the slot's global number ((start >> line_shift) + idx) must be
 * @want modulo @stride (a power of two).
 */
struct ma_tlb_req {
	unsigned int nslots;
	unsigned int stride;
	unsigned int want;
};

/* ---- pool.c ---------------------------------------------------------------------------- */
/* A pool of 2^@order pages below @limit (a block end, exclusive), not yet published; NULL. */
struct ma_tlb_pool *ma_tlb_pool_new(unsigned int order, phys_addr_t limit, unsigned int nareas);
/* Give a pool that is on no list back (its pages and metadata). */
void ma_tlb_pool_free(struct ma_tlb_pool *p);
/* Put @p at the head of the global list (ma_tlb.lock held by the caller, or init). */
void ma_tlb_publish(struct ma_tlb_pool *p);
/* Areas for a pool of @nslots slots with segments of @seg_slots. */
unsigned int ma_tlb_nareas(unsigned int nslots, unsigned int seg_slots);
/* Account @bytes against ma_tlb.limit (false: over it) / give them back. */
bool ma_tlb_charge(uint64_t bytes);
void ma_tlb_uncharge(uint64_t bytes);

/* Walk the global list: for (p = ma_tlb_first(); p; p = ma_tlb_next(p)) (acquire loads). */
static inline struct ma_tlb_pool *ma_tlb_first(void)
{
	return atomic_load_explicit(&ma_tlb.head, memory_order_acquire);
}

static inline struct ma_tlb_pool *ma_tlb_next(const struct ma_tlb_pool *p)
{
	return atomic_load_explicit(&p->next, memory_order_acquire);
}

/* ---- slots.c --------------------------------------------------------------------------- */
/* Take a run for @req, searching the areas from the current CPU's; -1 when the pool is full. */
long ma_tlb_alloc(struct ma_tlb_pool *p, const struct ma_tlb_req *req);
/* Give back @n slots from @idx. */
void ma_tlb_free(struct ma_tlb_pool *p, unsigned int idx, unsigned int n);
/* Take up to @max single free slots into @out (for a per-thread cache); returns how many. */
unsigned int ma_tlb_grab(struct ma_tlb_pool *p, unsigned int *out, unsigned int max);
/* Give back @n single slots (any areas of @p). */
void ma_tlb_put(struct ma_tlb_pool *p, const unsigned int *slots, unsigned int n);
/* ma_swiotlb_validate() for one pool. */
int ma_tlb_validate_pool(const struct ma_tlb_pool *p);

/* ---- magazine.c: per-thread caches of single slots -------------------------------------- */
#define MA_TLB_MAG	 16  /* slots a thread keeps at most */
#define MA_TLB_MAG_BATCH 8   /* slots moved between a thread and the areas at once */
#define MA_TLB_MAG_COOL	 256 /* bounces without the cache after a drain request */

struct ma_tlb_mag {
	uint64_t epoch;		  /* ma_tlb.epoch the cache belongs to */
	unsigned int drain;	  /* ma_tlb.drain seen last */
	unsigned int n;		  /* cached slots */
	unsigned int cool;	  /* bounces left that bypass the cache (pools were full) */
	struct ma_tlb_pool *pool; /* their pool (when n > 0) */
	unsigned int slot[MA_TLB_MAG];
};
extern _Thread_local struct ma_tlb_mag ma_tlb_mag MA_TLS_IE;

void ma_tlb_mag_resync(struct ma_tlb_mag *m);
bool ma_tlb_mag_refill(struct ma_tlb_mag *m, u64 limit);
void ma_tlb_mag_overflow(struct ma_tlb_mag *m);
/* Give every slot of the calling thread's cache back; true if it held any. */
bool ma_tlb_mag_flush(void);
int ma_tlb_mag_init(void);

static inline struct ma_tlb_mag *ma_tlb_mag_mine(void)
{
	struct ma_tlb_mag *m = &ma_tlb_mag;

	if (ma_unlikely(m->epoch != ma_tlb.epoch ||
			m->drain != atomic_load_explicit(&ma_tlb.drain, memory_order_relaxed)))
		ma_tlb_mag_resync(m);
	return m;
}

/*
 * A single slot of a pool within @limit from the calling thread's cache: no lock, no atomic
 * read-modify-write.  -1 when the cache cannot serve (the caller takes the locked path).
 */
static inline long ma_tlb_mag_pop(u64 limit, struct ma_tlb_pool **pool)
{
	struct ma_tlb_mag *m = ma_tlb_mag_mine();

	if (ma_unlikely(!m->n)) {
		if (m->cool) {
			m->cool--;
			return -1;
		}
		if (!ma_tlb_mag_refill(m, limit))
			return -1;
	}
	if (ma_unlikely(m->pool->end - 1 > limit))
		return -1;
	*pool = m->pool;
	return m->slot[--m->n];
}

/* Give single slot @idx of @p back through the calling thread's cache. */
static inline void ma_tlb_mag_push(struct ma_tlb_pool *p, unsigned int idx)
{
	struct ma_tlb_mag *m = ma_tlb_mag_mine();

	if (ma_unlikely((m->n && m->pool != p) || m->cool)) {
		ma_tlb_put(p, &idx, 1);
		return;
	}
	if (ma_unlikely(m->n == MA_TLB_MAG))
		ma_tlb_mag_overflow(m);
	m->pool = p;
	m->slot[m->n++] = idx;
}

/* ---- map.c: the parts of unmap and sync that global and transient pools share ---------- */
/* The head record of the live mapping starting at @tlb in @p, or NULL after one report. */
struct ma_tlb_slot *ma_tlb_unmap_head(const struct ma_tlb_dev *td, struct ma_tlb_pool *p,
				      phys_addr_t tlb, size_t size);
/* Maintenance and copy back of an unmap; returns the conflicts found (0: no shared line). */
unsigned int ma_tlb_unmap_copy(const struct ma_tlb_dev *td, const struct ma_tlb_slot *s,
			       phys_addr_t tlb, enum dma_data_direction dir, bool skip_sync);
void ma_tlb_sync_pool(const struct ma_tlb_dev *td, struct ma_tlb_pool *p, phys_addr_t tlb,
		      size_t size, enum dma_data_direction dir, bool for_cpu);
/* Sum the areas' used counts and transient slots into the high-water mark. */
void ma_tlb_hiwater(void);

/* ---- dynamic.c: the worker and the growth limit ------------------------------------------ */
int ma_tlb_dyn_init(void);
void ma_tlb_dyn_exit(void);
void ma_tlb_dyn_atfork_prepare(void);
void ma_tlb_dyn_atfork_parent(void);
void ma_tlb_dyn_atfork_child(void);
/*
 * Ask the worker for a pool: a mapping of @nslots slots for a device limited to @limit found
 * no room after it saw @gen pools published.  Takes the worker's mutex.
 */
void ma_tlb_dyn_kick(unsigned int gen, u64 limit, unsigned int nslots);

/* ---- transient.c: pools sized to one mapping, on the device's own list ----------------- */
/* Why a transient pool could not be made. */
enum ma_tlb_why { MA_TLB_WHY_FULL, MA_TLB_WHY_LIMIT, MA_TLB_WHY_NOMEM };
/*
 * A transient pool for @req below @td->limit with the run taken; *@idx is its first slot.
 * Not yet on any list: ma_tlb_transient_link() after the slot record is written.
 */
struct ma_tlb_pool *ma_tlb_transient_new(const struct ma_tlb_dev *td, const struct ma_tlb_req *req,
					 long *idx, enum ma_tlb_why *why);
void ma_tlb_transient_link(struct ma_tlb_devstate *ds, struct ma_tlb_pool *t);
int ma_tlb_transient_unmap(const struct ma_tlb_dev *td, phys_addr_t tlb, size_t size,
			   enum dma_data_direction dir, bool skip_sync);
int ma_tlb_transient_sync(const struct ma_tlb_dev *td, phys_addr_t tlb, size_t size,
			  enum dma_data_direction dir, bool for_cpu);
bool ma_tlb_transient_holds(const struct ma_tlb_devstate *ds, phys_addr_t phys);
/* Wait until every transient pool retired so far is freed (rcu_barrier). */
void ma_tlb_transient_barrier(void);
/* Exit: wait for every deferred free, then free the transient pools of leaked mappings. */
void ma_tlb_transient_exit(void);
int ma_tlb_transient_validate(void);

#endif /* MINALIGN_SWIOTLB_INTERNAL_H */
