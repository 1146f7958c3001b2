/* SPDX-License-Identifier: MIT */
/*
 * swiotlb/slots.c - runs of bounce slots inside a pool's per-CPU areas.
 *
 * Owns the slot bitmap of every pool, the areas' next-fit cursors, used counts and peaks.
 *
 * A pool's slots are split into nareas areas (a power of two, at least one segment each);
 * an allocation searches the area of the current CPU first (ma_plat_cpu() & (nareas - 1)) and
 * then the others in order, so CPUs bouncing at once normally take different locks and touch
 * different bitmap words and slot records.  Within an area the search is next-fit from the
 * cursor, wrapping once; a run is a set of free slots that starts where the request's
 * alignment allows ((pool slot number) % stride == want) and does not cross a segment.  Freeing
 * the run that ends at the cursor (the most recent allocation) rewinds the cursor to it, so a
 * map/unmap pair reuses the same, cache-hot, bounce lines.
 *
 * Invariants: a bitmap bit is set exactly while its slot belongs to a live mapping; an area's
 * used count is the number of set bits in [lo, hi); every run lies inside one segment and so
 * inside one area.
 *
 * Locking: area->lock (a spinlock, held for a bitmap scan and a few stores) protects the
 * area's bitmap words, cursor and peak, and serialises writes of used.  No other lock is taken
 * under it.  Bitmap words and used are C11 atomics accessed relaxed so that the unlocked
 * readers (misuse validation at unmap, the high-water sum, ma_swiotlb_validate) are not data
 * races; the lock's acquire/release orders everything the allocator relies on.
 *
 * ma_tlb_grab() and ma_tlb_put() move batches of single slots between the areas and the
 * per-thread caches of magazine.c (one lock round per area touched).
 *
 * Paths: one-slot bounces normally never get here (the thread's cache serves them); a refill
 * is one lock and a few bitmap words.  A multi-slot run is a lock, a bitmap scan by words
 * (count-trailing-zeros) and an unlock.  Areas that lack enough free slots are skipped
 * without a scan.
 */
#include "swiotlb/internal.h"

static inline uint64_t bm_load(const struct ma_tlb_pool *p, unsigned int w)
{
	return atomic_load_explicit(&p->bitmap[w], memory_order_relaxed);
}

static inline void bm_store(struct ma_tlb_pool *p, unsigned int w, uint64_t v)
{
	atomic_store_explicit(&p->bitmap[w], v, memory_order_relaxed);
}

/* First index in [@i, @end) whose bit is @set, or @end. */
static unsigned int bm_next(const struct ma_tlb_pool *p, unsigned int i, unsigned int end, bool set)
{
	while (i < end) {
		uint64_t w = bm_load(p, i / 64);

		if (!set)
			w = ~w;
		w &= ~UINT64_C(0) << (i % 64);
		if (w) {
			unsigned int r = (i & ~63u) + (unsigned int)__builtin_ctzll(w);

			return r < end ? r : end;
		}
		i = (i & ~63u) + 64;
	}
	return end;
}

/* Set (@set) or clear the bits [@i, @i+@n). */
static void bm_fill(struct ma_tlb_pool *p, unsigned int i, unsigned int n, bool set)
{
	while (n) {
		unsigned int b = i % 64, k = MA_MIN(n, 64 - b);
		uint64_t m = (k == 64 ? ~UINT64_C(0) : ((UINT64_C(1) << k) - 1)) << b;
		uint64_t w = bm_load(p, i / 64);

		bm_store(p, i / 64, set ? (w | m) : (w & ~m));
		i += k;
		n -= k;
	}
}

/*
 * A run for @req starting in [@from, @cand_end) and ending at or before @run_end; -1 if none.
 * Every step moves @i forward, so the scan ends.
 */
static long tlb_scan(const struct ma_tlb_pool *p, unsigned int from, unsigned int cand_end,
		     unsigned int run_end, const struct ma_tlb_req *req)
{
	unsigned int n = req->nslots, seg = p->seg_slots, i = from, j;
	uint64_t base = p->start >> ma_tlb.line_shift;

	for (;;) {
		i = bm_next(p, i, cand_end, false);
		if (i >= cand_end)
			return -1;
		if (req->stride > 1)
			i += (unsigned int)((req->want - (base + i)) & (req->stride - 1));
		if (i >= cand_end || n > run_end - i)
			return -1;
		if ((i & (seg - 1)) + n > seg) {
			i = (i | (seg - 1)) + 1; /* the run would cross a segment */
			continue;
		}
		j = bm_next(p, i, i + n, true);
		if (j >= i + n)
			return i;
		i = j + 1;
	}
}

/* Search one area; on success the run is taken.  *@peaked tells a new area peak was reached. */
static long tlb_area_alloc(struct ma_tlb_pool *p, struct ma_tlb_area *a,
			   const struct ma_tlb_req *req, bool *peaked)
{
	unsigned int used, cur;
	long idx;

	if (a->hi - a->lo - atomic_load_explicit(&a->used, memory_order_relaxed) < req->nslots)
		return -1;
	ma_spin_lock(&a->lock);
	cur = a->cursor;
	idx = tlb_scan(p, cur, a->hi, a->hi, req);
	if (idx < 0 && cur > a->lo)
		idx = tlb_scan(p, a->lo, cur, a->hi, req);
	if (idx >= 0) {
		bm_fill(p, (unsigned int)idx, req->nslots, true);
		a->cursor = (unsigned int)idx + req->nslots;
		if (a->cursor >= a->hi)
			a->cursor = a->lo;
		used = atomic_load_explicit(&a->used, memory_order_relaxed) + req->nslots;
		atomic_store_explicit(&a->used, used, memory_order_relaxed);
		if (used > a->peak) {
			a->peak = used;
			*peaked = true;
		}
	}
	ma_spin_unlock(&a->lock);
	return idx;
}

/*
 * The high-water mark.  Summing every area on each allocation would read lines other CPUs
 * write all the time; instead the sum is taken only when an area reaches a new peak of its
 * own, which stops happening once the load is steady, and when a transient pool is made (its
 * slots count too).  The mark is therefore exact with one area and a close lower bound with
 * several.
 */
void ma_tlb_hiwater(void)
{
	uint64_t sum = atomic_load_explicit(&ma_tlb.transient_slots, memory_order_relaxed);
	struct ma_tlb_pool *q;

	for (q = ma_tlb_first(); q; q = ma_tlb_next(q))
		for (unsigned int k = 0; k < q->nareas; k++)
			sum += atomic_load_explicit(&q->areas[k].used, memory_order_relaxed);
	ma_stat_max(MA_STAT_swiotlb_slots_hiwater, sum);
}

long ma_tlb_alloc(struct ma_tlb_pool *p, const struct ma_tlb_req *req)
{
	unsigned int first = ma_plat_cpu() & (p->nareas - 1);
	bool peaked = false;
	long idx = -1;

	for (unsigned int k = 0; k < p->nareas && idx < 0; k++)
		idx = tlb_area_alloc(p, &p->areas[(first + k) & (p->nareas - 1)], req, &peaked);
	if (ma_unlikely(peaked))
		ma_tlb_hiwater();
	return idx;
}

void ma_tlb_free(struct ma_tlb_pool *p, unsigned int idx, unsigned int n)
{
	struct ma_tlb_area *a = &p->areas[idx >> p->area_shift];

	ma_spin_lock(&a->lock);
	bm_fill(p, idx, n, false);
	atomic_store_explicit(&a->used, atomic_load_explicit(&a->used, memory_order_relaxed) - n,
			      memory_order_relaxed);
	if (idx + n == a->cursor)
		a->cursor = idx; /* LIFO reuse keeps the bounce lines cache-hot */
	ma_spin_unlock(&a->lock);
}

/* Take up to @max free single slots of area @a; returns how many. */
static unsigned int tlb_area_grab(struct ma_tlb_pool *p, struct ma_tlb_area *a, unsigned int *out,
				  unsigned int max, bool *peaked)
{
	unsigned int got = 0, i, used;

	if (atomic_load_explicit(&a->used, memory_order_relaxed) == a->hi - a->lo)
		return 0;
	ma_spin_lock(&a->lock);
	i = a->cursor;
	while (got < max) {
		i = bm_next(p, i, a->hi, false);
		if (i >= a->hi) {
			if (a->cursor == a->lo)
				break;
			i = bm_next(p, a->lo, a->cursor, false); /* wrap once */
			if (i >= a->cursor)
				break;
		}
		bm_fill(p, i, 1, true);
		out[got++] = i++;
	}
	if (got) {
		a->cursor = i >= a->hi ? a->lo : i;
		used = atomic_load_explicit(&a->used, memory_order_relaxed) + got;
		atomic_store_explicit(&a->used, used, memory_order_relaxed);
		if (used > a->peak) {
			a->peak = used;
			*peaked = true;
		}
	}
	ma_spin_unlock(&a->lock);
	return got;
}

unsigned int ma_tlb_grab(struct ma_tlb_pool *p, unsigned int *out, unsigned int max)
{
	unsigned int first = ma_plat_cpu() & (p->nareas - 1), got = 0;
	bool peaked = false;

	for (unsigned int k = 0; k < p->nareas && !got; k++)
		got = tlb_area_grab(p, &p->areas[(first + k) & (p->nareas - 1)], out, max, &peaked);
	for (unsigned int k = 0; k < got; k++) {
		p->slots[out[k]].head = 0;
		p->slots[out[k]].live = 0;
		p->slots[out[k]].size = 0;
	}
	if (ma_unlikely(peaked))
		ma_tlb_hiwater();
	return got;
}

void ma_tlb_put(struct ma_tlb_pool *p, const unsigned int *slots, unsigned int n)
{
	unsigned int k = 0;

	while (k < n) {
		struct ma_tlb_area *a = &p->areas[slots[k] >> p->area_shift];
		unsigned int freed = 0;

		ma_spin_lock(&a->lock);
		/* one lock round for the run of slots that belong to the same area */
		for (; k < n && &p->areas[slots[k] >> p->area_shift] == a; k++, freed++) {
			bm_fill(p, slots[k], 1, false);
			if (slots[k] + 1 == a->cursor)
				a->cursor = slots[k];
		}
		atomic_store_explicit(&a->used,
				      atomic_load_explicit(&a->used, memory_order_relaxed) - freed,
				      memory_order_relaxed);
		ma_spin_unlock(&a->lock);
	}
}

/* ---- validation (tests, debug) ---------------------------------------------------------- */

static unsigned int tlb_popcount(const struct ma_tlb_pool *p, unsigned int lo, unsigned int hi)
{
	unsigned int n = 0;

	for (unsigned int i = lo; i < hi; i++)
		n += ma_tlb_test(p, i);
	return n;
}

/* Every used run must start at a head record whose slot count matches the run. */
static int tlb_check_runs(const struct ma_tlb_pool *p)
{
	unsigned int i = 0;

	while (i < p->nslots) {
		const struct ma_tlb_slot *s = &p->slots[i];
		unsigned int n, k;

		if (!ma_tlb_test(p, i)) {
			i++;
			continue;
		}
		if (s->head != 0)
			return -1;
		if (!s->live) { /* a single slot held in a per-thread cache */
			i++;
			continue;
		}
		n = ma_tlb_rec_nslots(s);
		if (!s->size || n > p->seg_slots || i + n > p->nslots)
			return -1;
		for (k = 1; k < n; k++)
			if (!ma_tlb_test(p, i + k) || p->slots[i + k].head != k)
				return -1;
		i += n;
	}
	return 0;
}

static int tlb_validate_pool(const struct ma_tlb_pool *p)
{
	for (unsigned int k = 0; k < p->nareas; k++) {
		const struct ma_tlb_area *a = &p->areas[k];
		unsigned int used = atomic_load_explicit(&a->used, memory_order_relaxed);

		if (tlb_popcount(p, a->lo, a->hi) != used) {
			ma_report("swiotlb", NULL, p->start, 0,
				  "validate: area %u counts %u used slots, bitmap has %u", k, used,
				  tlb_popcount(p, a->lo, a->hi));
			return -EUCLEAN;
		}
	}
	if (tlb_check_runs(p)) {
		ma_report("swiotlb", NULL, p->start, 0, "validate: slot records corrupt");
		return -EUCLEAN;
	}
	return 0;
}

int ma_swiotlb_validate(void)
{
	struct ma_tlb_pool *p;
	int err;

	for (p = ma_tlb_first(); p; p = ma_tlb_next(p)) {
		err = tlb_validate_pool(p);
		if (err)
			return err;
	}
	return ma_tlb_transient_validate();
}

int ma_tlb_validate_pool(const struct ma_tlb_pool *p)
{
	return tlb_validate_pool(p);
}

uint64_t ma_swiotlb_used(void)
{
	uint64_t sum = atomic_load_explicit(&ma_tlb.transient_slots, memory_order_relaxed);
	struct ma_tlb_pool *p;

	for (p = ma_tlb_first(); p; p = ma_tlb_next(p))
		for (unsigned int k = 0; k < p->nareas; k++)
			sum += atomic_load_explicit(&p->areas[k].used, memory_order_relaxed);
	return sum;
}
