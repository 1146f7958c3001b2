/* SPDX-License-Identifier: MIT */
/*
 * cache/sim.c - the write-back cache simulator (cache model SIM).
 *
 * Owns: the maintenance of the two views of RAM (ma_mem.cpu, what plain pointers see, and
 * ma_mem.dram, what devices see) and the conflict tracking of inbound streaming mappings.
 *
 * The model.  Maintenance works on whole lines of ma_cfg.cache_line bytes: clean copies the
 * CPU view of a line to the DRAM view, invalidate copies DRAM to CPU, flush does both.  A line
 * nobody tracks is assumed dirty (clean always copies); pages flagged MA_PAGE_UNCACHED are never
 * touched.  Lines fully covered by a range belong to its owner alone and are copied with plain
 * memcpy; the partial lines at the edges of a range may hold other owners' bytes and go through
 * sim_edge(), which consults the tracking table.
 *
 * Tracking.  An inbound mapping (FROM_DEVICE, BIDIRECTIONAL) with partial edge lines becomes a
 * struct sim_range with one struct sim_node per partial line.  Each tracked line has one
 * struct sim_line holding the list of its owners and `snap`, the CPU view of the line as it was
 * right after the line's last maintenance: the "clean point".  Bytes of the CPU view that differ
 * from `snap` are CPU writes the cache holds and DRAM does not (the line is dirty).  Whenever
 * maintenance touches a tracked line:
 *  - if the line is dirty, every owner whose bytes outside its own range changed is marked
 *    `pending`: a conflict happened while its device owned the line, and this maintenance is
 *    about to write those stale bytes back or throw the CPU's bytes away;
 *  - clean writes back only a dirty line (a clean line in a real cache is not written back, so
 *    device data already in DRAM survives), invalidate always copies DRAM -> CPU;
 *  - `snap` becomes the CPU view: a new clean point.
 * At sync_for_cpu a range's partial line is a conflict when its node is pending or its bytes
 * outside the range differ from `snap` now; the configured victim decides what the conflict
 * destroys (see sim_resolve()).  Keeping one clean point per line, not per range, is what makes
 * two live mappings sharing a line (the NAIVE case) behave as on hardware: the invalidate at the
 * first unmap brings the second buffer's device data into the CPU view without that counting as
 * a CPU write against the second mapping.
 *
 * Invariants: every sim_node is on exactly one sim_line's owner list; a sim_line lives exactly
 * as long as it has owners; a range is found through the line record of its first partial line
 * by (phys, size); sim_nr_ranges and sim_nr_lines count the live records.
 *
 * Locking: the table is an array of buckets hashed by line address, each with its own spinlock
 * (the stripes).  A bucket's lock protects its chain, the sim_line records on it, their owner
 * lists, the `pending` flags of the nodes on those lists, and the maintenance copies of those
 * lines.  An operation on a range takes the locks of its (at most two) partial lines in bucket
 * order.  Records are host heap memory: this is the simulated hardware's state, not the
 * library's allocation path.
 *
 * Fast paths: line-aligned ranges have no partial line and never touch the table; when nothing
 * is tracked (sim_nr_lines == 0) edge lines are copied without taking a lock.
 *
 * Edge-line copies run while other threads may write neighbouring objects in the same line with
 * plain stores: that race is the simulated hardware's (a real cache line is read and written
 * whole), not a bug, so under ThreadSanitizer those copies are made uninstrumented.
 */
#include "cache/internal.h"

#define SIM_BUCKET_SHIFT 12
#define SIM_BUCKETS	 (1u << SIM_BUCKET_SHIFT)

struct sim_range;
struct sim_line;

struct sim_node {
	struct sim_node *next; /* on line->owners */
	struct sim_range *range;
	struct sim_line *line;
	bool pending; /* a conflict on this line already happened during this ownership */
};

struct sim_range {
	phys_addr_t phys;
	size_t size;
	unsigned int nr; /* partial lines tracked: 1 or 2 */
	struct sim_node node[2];
};

struct sim_line {
	struct sim_line *next; /* bucket chain */
	phys_addr_t addr;
	struct sim_node *owners;
	unsigned char snap[]; /* CPU view at the line's last maintenance */
};

struct sim_bucket {
	ma_spinlock_t lock;
	struct sim_line *head;
	struct sim_line *spare_line; /* one freed record of each kind, kept for reuse */
	struct sim_range *spare_range;
};

static struct sim_bucket *sim_table;
static unsigned int sim_line_size;
static atomic_size_t sim_nr_ranges;
static atomic_size_t sim_nr_lines;

/* ---- sanitizer-quiet copies for shared lines ------------------------------------------- */

#if defined(__SANITIZE_THREAD__)
#define SIM_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SIM_TSAN 1
#endif
#endif

#ifdef SIM_TSAN
__attribute__((no_sanitize("thread"))) static void sim_copy(void *dst, const void *src, size_t n)
{
	volatile unsigned char *d = dst;
	const volatile unsigned char *s = src;

	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
}

__attribute__((no_sanitize("thread"))) static bool sim_differs(const void *a, const void *b,
							       size_t n)
{
	const volatile unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return true;
	return false;
}
#else
static inline void sim_copy(void *dst, const void *src, size_t n)
{
	memcpy(dst, src, n);
}

static inline bool sim_differs(const void *a, const void *b, size_t n)
{
	return memcmp(a, b, n) != 0;
}
#endif

/* ---- plain (untracked) maintenance ------------------------------------------------------ */

static void sim_edge(phys_addr_t line, enum ma_cache_op op);

/*
 * Whole lines in [@lo, @hi) of one operation.  While any line is tracked, a whole line of this
 * operation may still be another range's partial edge line (overlapping sub-range syncs of one
 * mapping, two mappings sharing a line): it goes through the table so that its clean point
 * moves with its contents, else a later check of that range would see the new contents as a
 * CPU write.  With nothing tracked: plain copies, page by page.
 */
static void sim_bulk(phys_addr_t lo, phys_addr_t hi, enum ma_cache_op op)
{
	if (atomic_load_explicit(&sim_nr_lines, memory_order_relaxed) != 0) {
		for (; lo < hi; lo += sim_line_size)
			sim_edge(lo, op);
		return;
	}
	while (lo < hi) {
		phys_addr_t next =
			MA_MIN(MA_ALIGN_DOWN(lo, (phys_addr_t)PAGE_SIZE) + PAGE_SIZE, hi);
		size_t n = (size_t)(next - lo);

		if (!ma_cache_page_uncached(lo)) {
			/* flush of an untracked line: the invalidate copies back what clean wrote
			 */
			if (op == MA_CACHE_INVAL)
				memcpy(ma_phys_to_virt(lo), ma_phys_to_dram(lo), n);
			else
				memcpy(ma_phys_to_dram(lo), ma_phys_to_virt(lo), n);
		}
		lo = next;
	}
}

/* One edge line nobody tracks (the caller checked the page is cached). */
static void sim_line_plain(phys_addr_t line, enum ma_cache_op op)
{
	if (op == MA_CACHE_INVAL)
		sim_copy(ma_phys_to_virt(line), ma_phys_to_dram(line), sim_line_size);
	else
		sim_copy(ma_phys_to_dram(line), ma_phys_to_virt(line), sim_line_size);
}

/* ---- the table -------------------------------------------------------------------------- */

static unsigned int sim_hash(phys_addr_t line)
{
	uint64_t x = (line / sim_line_size) * 0x9E3779B97F4A7C15ull;

	return (unsigned int)(x >> (64 - SIM_BUCKET_SHIFT));
}

static struct sim_bucket *sim_bucket(phys_addr_t line)
{
	return &sim_table[sim_hash(line)];
}

static struct sim_line *sim_find_line(struct sim_bucket *b, phys_addr_t line)
{
	struct sim_line *l;

	for (l = b->head; l; l = l->next)
		if (l->addr == line)
			return l;
	return NULL;
}

/* The range record of (@phys, @size) whose first partial line is @l, if tracked. */
static struct sim_range *sim_find_range(struct sim_line *l, phys_addr_t phys, size_t size)
{
	struct sim_node *n;

	if (!l)
		return NULL;
	for (n = l->owners; n; n = n->next)
		if (n == &n->range->node[0] && n->range->phys == phys && n->range->size == size)
			return n->range;
	return NULL;
}

/* Locks for up to two lines, always taken in bucket order. */
struct sim_locks {
	struct sim_bucket *b[2];
};

static void sim_lock(struct sim_locks *lk, const phys_addr_t *lines, unsigned int nr)
{
	struct sim_bucket *x = sim_bucket(lines[0]);
	struct sim_bucket *y = nr > 1 ? sim_bucket(lines[1]) : x;

	if (y < x) {
		struct sim_bucket *t = x;
		x = y;
		y = t;
	}
	lk->b[0] = x;
	lk->b[1] = y != x ? y : NULL;
	ma_spin_lock(&x->lock);
	if (lk->b[1])
		ma_spin_lock(&y->lock);
}

static void sim_unlock(struct sim_locks *lk)
{
	if (lk->b[1])
		ma_spin_unlock(&lk->b[1]->lock);
	ma_spin_unlock(&lk->b[0]->lock);
}

/* ---- records: host heap, one spare of each kind per bucket ---------------------------- */

static struct sim_line *sim_line_alloc(struct sim_bucket *b)
{
	struct sim_line *l = b->spare_line;

	if (l) {
		b->spare_line = NULL;
		return l;
	}
	return malloc(sizeof(*l) + sim_line_size);
}

static void sim_line_release(struct sim_bucket *b, struct sim_line *l)
{
	if (!b->spare_line)
		b->spare_line = l;
	else
		free(l);
}

static struct sim_range *sim_range_alloc(struct sim_bucket *b)
{
	struct sim_range *r = b->spare_range;

	if (r) {
		b->spare_range = NULL;
		return r;
	}
	return malloc(sizeof(*r));
}

static void sim_range_release(struct sim_bucket *b, struct sim_range *r)
{
	if (!b->spare_range)
		b->spare_range = r;
	else
		free(r);
}

/* ---- tracked lines ---------------------------------------------------------------------- */

/* Did the CPU bytes of @l outside [@phys, @phys+@size) change since the clean point? */
static bool sim_outside_changed(const struct sim_line *l, phys_addr_t phys, size_t size)
{
	const unsigned char *cpu = ma_phys_to_virt(l->addr);
	size_t lo = phys > l->addr ? (size_t)(phys - l->addr) : 0;
	phys_addr_t stop = phys + size;
	size_t hi = stop < l->addr + sim_line_size ? (size_t)(stop - l->addr) : sim_line_size;

	if (lo > sim_line_size)
		lo = sim_line_size;
	if (hi < lo)
		hi = lo;
	return sim_differs(cpu, l->snap, lo) ||
	       sim_differs(cpu + hi, l->snap + hi, sim_line_size - hi);
}

/*
 * Maintenance of a tracked line.  A dirty line first marks every owner whose outside bytes
 * changed (their conflict is happening now); then clean writes back only if dirty, invalidate
 * always reloads, and the result is the new clean point.
 */
static void sim_line_apply(struct sim_line *l, enum ma_cache_op op, bool dirty, bool resnap)
{
	unsigned char *cpu = ma_phys_to_virt(l->addr);
	unsigned char *dram = ma_phys_to_dram(l->addr);

	if (dirty) {
		for (struct sim_node *n = l->owners; n; n = n->next)
			if (!n->pending && sim_outside_changed(l, n->range->phys, n->range->size))
				n->pending = true;
		if (op != MA_CACHE_INVAL)
			sim_copy(dram, cpu, sim_line_size);
	}
	if (op != MA_CACHE_CLEAN)
		sim_copy(cpu, dram, sim_line_size);
	if (resnap)
		sim_copy(l->snap, cpu, sim_line_size);
}

static void sim_line_op(struct sim_line *l, enum ma_cache_op op)
{
	bool dirty = sim_differs(ma_phys_to_virt(l->addr), l->snap, sim_line_size);

	sim_line_apply(l, op, dirty, true);
}

/* Maintenance of an edge line of an untracked operation: tracked by someone else or not. */
static void sim_edge(phys_addr_t line, enum ma_cache_op op)
{
	struct sim_bucket *b;
	struct sim_line *l;

	if (ma_cache_page_uncached(line))
		return;
	if (atomic_load_explicit(&sim_nr_lines, memory_order_relaxed) == 0) {
		sim_line_plain(line, op);
		return;
	}
	b = sim_bucket(line);
	ma_spin_lock(&b->lock);
	l = sim_find_line(b, line);
	if (l)
		sim_line_op(l, op);
	else
		sim_line_plain(line, op);
	ma_spin_unlock(&b->lock);
}

/* Maintenance of a range's partial edge lines with no tracking of its own. */
static void sim_edges(const struct ma_line_span *s, enum ma_cache_op op)
{
	if (s->head)
		sim_edge(s->first, op);
	if (s->tail)
		sim_edge(s->end - sim_line_size, op);
}

/* The partial lines of @s that live in cached pages; returns how many (0..2). */
static unsigned int sim_partials(const struct ma_line_span *s, phys_addr_t lines[2])
{
	unsigned int nr = 0;

	if (s->head && !ma_cache_page_uncached(s->first))
		lines[nr++] = s->first;
	if (s->tail && !ma_cache_page_uncached(s->end - sim_line_size))
		lines[nr++] = s->end - sim_line_size;
	return nr;
}

/* Maintain @line with @op and return its record, creating it (the first owner) if needed. */
static struct sim_line *sim_get_line(phys_addr_t line, enum ma_cache_op op)
{
	struct sim_bucket *b = sim_bucket(line);
	struct sim_line *l = sim_find_line(b, line);

	if (l) {
		sim_line_op(l, op);
		return l;
	}
	sim_line_plain(line, op);
	l = sim_line_alloc(b);
	if (!l)
		return NULL;
	l->addr = line;
	l->owners = NULL;
	sim_copy(l->snap, ma_phys_to_virt(line), sim_line_size);
	l->next = b->head;
	b->head = l;
	atomic_fetch_add_explicit(&sim_nr_lines, 1, memory_order_relaxed);
	return l;
}

static void sim_put_line(struct sim_line *l)
{
	struct sim_bucket *b;
	struct sim_line **pp;

	if (l->owners)
		return;
	b = sim_bucket(l->addr);
	for (pp = &b->head; *pp != l; pp = &(*pp)->next)
		;
	*pp = l->next;
	atomic_fetch_sub_explicit(&sim_nr_lines, 1, memory_order_relaxed);
	sim_line_release(b, l);
}

static void sim_unlink_node(struct sim_node *n)
{
	struct sim_node **pp;

	for (pp = &n->line->owners; *pp != n; pp = &(*pp)->next)
		;
	*pp = n->next;
	sim_put_line(n->line);
}

static void sim_free_range(struct sim_range *r)
{
	struct sim_bucket *b = sim_bucket(r->node[0].line->addr);

	for (unsigned int i = 0; i < r->nr; i++)
		sim_unlink_node(&r->node[i]);
	atomic_fetch_sub_explicit(&sim_nr_ranges, 1, memory_order_relaxed);
	sim_range_release(b, r);
}

static void sim_track_lost(phys_addr_t phys, size_t size)
{
	ma_report("cache", NULL, phys, size,
		  "host out of memory: conflict tracking of this mapping lost");
}

/*
 * Maintain the partial lines @lines of (@phys, @size) with @op and start (or, for a range
 * already tracked, continue) tracking them.  Called with the lines' bucket locks held.
 */
static void sim_track_locked(phys_addr_t phys, size_t size, const phys_addr_t *lines,
			     unsigned int nr, enum ma_cache_op op)
{
	struct sim_line *l[2] = {NULL, NULL};
	struct sim_range *r;

	for (unsigned int i = 0; i < nr; i++)
		l[i] = sim_get_line(lines[i], op);
	r = sim_find_range(l[0], phys, size);
	if (r)
		return; /* a sync cycle: the maintenance above made a new clean point */
	r = l[0] && (nr < 2 || l[1]) ? sim_range_alloc(sim_bucket(lines[0])) : NULL;
	if (!r) {
		for (unsigned int i = 0; i < nr; i++)
			if (l[i])
				sim_put_line(l[i]);
		sim_track_lost(phys, size);
		return;
	}
	r->phys = phys;
	r->size = size;
	r->nr = nr;
	for (unsigned int i = 0; i < nr; i++) {
		struct sim_node *n = &r->node[i];

		n->range = r;
		n->line = l[i];
		n->pending = false;
		n->next = l[i]->owners;
		l[i]->owners = n;
	}
	atomic_fetch_add_explicit(&sim_nr_ranges, 1, memory_order_relaxed);
}

/*
 * A range's partial line at sync_for_cpu.  A conflict (pending, or CPU bytes outside the range
 * changed since the clean point) is resolved by the victim: LOSE_DEVICE_WRITES evicts the dirty
 * line before the invalidate, so its stale bytes overwrite what the device wrote there;
 * LOSE_CPU_WRITES just invalidates, so the neighbour's CPU writes vanish.  A pending conflict
 * whose dirt was already consumed by earlier maintenance needs only the invalidate.
 */
static bool sim_resolve(struct sim_node *n)
{
	struct sim_range *r = n->range;
	struct sim_line *l = n->line;
	bool dirty = sim_differs(ma_phys_to_virt(l->addr), l->snap, sim_line_size);
	bool changed = dirty && sim_outside_changed(l, r->phys, r->size);
	bool evict = changed && ma_cfg.sim_victim == MINALIGN_SIM_LOSE_DEVICE_WRITES;
	bool last = l->owners == n && !n->next; /* the record dies with this node */

	sim_line_apply(l, evict ? MA_CACHE_FLUSH : MA_CACHE_INVAL, dirty, !last);
	return changed || n->pending;
}

/* ---- the entry points -------------------------------------------------------------------- */

void ma_sim_op(phys_addr_t phys, size_t size, enum ma_cache_op op)
{
	struct ma_line_span s;

	ma_line_span(&s, phys, size, sim_line_size);
	sim_edges(&s, op);
	sim_bulk(s.full_lo, s.full_hi, op);
}

void ma_sim_for_device(phys_addr_t phys, size_t size, enum dma_data_direction dir)
{
	bool from = dir == DMA_FROM_DEVICE;
	enum ma_cache_op edge = from ? MA_CACHE_FLUSH : MA_CACHE_CLEAN;
	enum ma_cache_op mid = from ? MA_CACHE_INVAL : MA_CACHE_CLEAN;
	struct ma_line_span s;
	phys_addr_t lines[2];
	struct sim_locks lk;
	unsigned int nr;

	if (dir != DMA_TO_DEVICE && dir != DMA_FROM_DEVICE && dir != DMA_BIDIRECTIONAL)
		return;
	ma_line_span(&s, phys, size, sim_line_size);
	nr = dir == DMA_TO_DEVICE ? 0 : sim_partials(&s, lines);
	sim_bulk(s.full_lo, s.full_hi, mid);
	if (!nr) {
		sim_edges(&s, edge);
		return;
	}
	sim_lock(&lk, lines, nr);
	sim_track_locked(phys, size, lines, nr, edge);
	sim_unlock(&lk);
}

unsigned int ma_sim_for_cpu(phys_addr_t phys, size_t size, enum dma_data_direction dir)
{
	struct sim_range *r = NULL;
	struct ma_line_span s;
	phys_addr_t lines[2];
	unsigned int nr, conflicts = 0;
	struct sim_locks lk;

	if (dir != DMA_FROM_DEVICE && dir != DMA_BIDIRECTIONAL)
		return 0;
	ma_line_span(&s, phys, size, sim_line_size);
	nr = sim_partials(&s, lines);
	sim_bulk(s.full_lo, s.full_hi, MA_CACHE_INVAL);
	if (!nr || !atomic_load_explicit(&sim_nr_lines, memory_order_relaxed)) {
		sim_edges(&s, MA_CACHE_INVAL); /* nothing of ours to resolve */
		return 0;
	}
	sim_lock(&lk, lines, nr);
	r = sim_find_range(sim_find_line(sim_bucket(lines[0]), lines[0]), phys, size);
	if (r && r->nr != nr)
		r = NULL; /* a page's uncached flag changed under a live mapping: stays tracked */
	for (unsigned int i = 0; i < nr; i++) {
		struct sim_line *l;

		if (r) {
			conflicts += sim_resolve(&r->node[i]);
			continue;
		}
		l = sim_find_line(sim_bucket(lines[i]), lines[i]);
		if (l)
			sim_line_op(l, MA_CACHE_INVAL);
		else
			sim_line_plain(lines[i], MA_CACHE_INVAL);
	}
	if (r)
		sim_free_range(r);
	sim_unlock(&lk);
	if (conflicts)
		ma_stat_add(MA_STAT_sim_conflicts, conflicts);
	return conflicts;
}

void ma_sim_forget(phys_addr_t phys, size_t size)
{
	struct ma_line_span s;
	phys_addr_t lines[2];
	struct sim_locks lk;
	struct sim_range *r;
	unsigned int nr;

	if (!size || !atomic_load_explicit(&sim_nr_ranges, memory_order_relaxed))
		return;
	ma_line_span(&s, phys, size, sim_line_size);
	nr = sim_partials(&s, lines);
	if (!nr)
		return;
	sim_lock(&lk, lines, nr);
	r = sim_find_range(sim_find_line(sim_bucket(lines[0]), lines[0]), phys, size);
	if (r)
		sim_free_range(r);
	sim_unlock(&lk);
}

size_t ma_sim_tracked(void)
{
	return atomic_load_explicit(&sim_nr_ranges, memory_order_relaxed);
}

int ma_sim_init(void)
{
	if (!ma_mem.dram)
		return -EINVAL;
	sim_table = ma_meta_alloc(sizeof(*sim_table) * SIM_BUCKETS);
	if (!sim_table)
		return -ENOMEM;
	for (unsigned int i = 0; i < SIM_BUCKETS; i++)
		ma_spin_init(&sim_table[i].lock);
	sim_line_size = ma_cfg.cache_line;
	atomic_store(&sim_nr_ranges, 0);
	atomic_store(&sim_nr_lines, 0);
	return 0;
}

/* Drop every record; nobody else runs now. */
void ma_sim_exit(void)
{
	if (!sim_table)
		return;
	for (unsigned int i = 0; i < SIM_BUCKETS; i++) {
		struct sim_line *l, *ln;

		for (l = sim_table[i].head; l; l = ln) {
			ln = l->next;
			/* a range is freed when the last of its nodes is reached */
			for (struct sim_node *n = l->owners, *nn; n; n = nn) {
				nn = n->next;
				if (--n->range->nr == 0)
					free(n->range);
			}
			free(l);
		}
		free(sim_table[i].spare_line);
		free(sim_table[i].spare_range);
	}
	ma_meta_free(sim_table);
	sim_table = NULL;
	atomic_store(&sim_nr_ranges, 0);
	atomic_store(&sim_nr_lines, 0);
}

/* fork: every bucket lock (leaves: taken after the allocators' outer locks). */
void ma_sim_atfork(enum ma_fork_phase phase)
{
	if (!sim_table)
		return;
	for (unsigned int i = 0; i < SIM_BUCKETS; i++) {
		if (phase == MA_FORK_PREPARE)
			ma_spin_lock(&sim_table[i].lock);
		else
			ma_spin_unlock(&sim_table[i].lock);
	}
}
