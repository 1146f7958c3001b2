/* SPDX-License-Identifier: MIT */
/*
 * dma/debug.c - DMA-API debug (MINALIGN_DEBUG_DMA): the table of live streaming mappings and
 * the misuse checks made against it.
 *
 * Owns, per device (struct ma_dma_dev.debug), a hash table of the device's live streaming
 * mappings, one entry per dma_map_single/page call and per dma_map_sg segment, and globally a
 * table of the cache lines that live inbound direct mappings of non-coherent devices touch.
 *
 * Per-device table.  Entries are hashed by the 512-byte granule of their bus address, so an
 * unmap, a dma_mapping_error() or a sync at a mapping's start looks in one bucket; a sync or a
 * device access inside a mapping also looks in the buckets of the granules below, as far back
 * as the largest mapping the device ever had (max_size).  Entries come from chunks of host
 * metadata kept on a free list until the device is destroyed; the first chunk is part of the
 * table, so a device with at most MA_DBG_CHUNK live mappings never allocates after creation.
 * When a chunk cannot be allocated the mapping fails cleanly: DMA_MAPPING_ERROR, no report,
 * nothing changed (a mapping the table does not know would make every later check on it a
 * false report).
 *
 * The checks.  A map is refused (DMA_MAPPING_ERROR, one report, before any cache maintenance or
 * bounce) when it would map a packed slab object, or a cache line another live inbound direct
 * mapping also touches, for inbound DMA on a non-coherent device.  An unmap or a sync that does
 * not match a live mapping exactly (address, size, direction, function, sg count) is reported
 * and does nothing.  One buffer may be mapped more than once (legal for DMA_TO_DEVICE), so a
 * lookup takes, among the entries at the address, one that matches in full (an unmap ends
 * exactly that one), and reports against the closest only when none does (Linux's
 * bucket_find_exact()).  An unmap of a single/page mapping whose address dma_mapping_error() never
 * saw is reported and then done.  A device access outside every live mapping and coherent block
 * of the device, or against a mapping's direction, is reported and refused (-EFAULT).  At
 * device destroy each mapping still live is reported, then unmapped without a sync.
 *
 * Cache lines (the EEXIST check).  Only mappings that can corrupt a shared line are entered:
 * inbound (FROM_DEVICE, BIDIRECTIONAL), on a device the CPU cache is maintained for, without
 * DMA_ATTR_SKIP_CPU_SYNC.  Each enters its first and its last line; a line inside a larger
 * mapping is not checked.  Two direct mappings clash on a shared line; when either is bounced
 * (a bounce shares no line) they clash only when their bytes overlap: one buffer mapped twice
 * for inbound DMA is refused whether or not it is bounced.
 *
 * Invariants: an entry is on exactly one of its device's hash chains (live), the free list, or
 * neither (between map_begin and map_end, or being torn down); its line nodes are in the line
 * table exactly from a successful map_begin until it leaves the hash table.
 *
 * Locking: dbg->lock (a spinlock per device) protects the device's hash table, free list and
 * chunk list, and the entries' checked/claimed/nents fields while they are live.  The line
 * table is striped: ma_dbg_lstripe[b % MA_DBG_LSTRIPES] protects bucket b; an entry's two
 * stripes are taken in index order.  dbg->lock and the stripes are never held together (an
 * unmap unhashes under dbg->lock, then removes the lines).  No lock is held while reporting (a
 * report handler may call back into the library), so what a report says is copied out under
 * the lock, nor while allocating metadata.  An entry's other fields are written before it is
 * published (under a lock) and not changed while it is live.
 *
 * This file: the tables, attach/detach, map, dma_mapping_error(), unmap.  debug_access.c:
 * sync and device accesses.
 */
#include "dma/debug_table.h"

#define MA_DBG_LBUCKETS 4096 /* the global cache-line table */
#define MA_DBG_LSTRIPES 64

static struct {
	ma_spinlock_t lock;
	char pad[MA_CACHELINE_HOST - sizeof(ma_spinlock_t)];
} ma_dbg_lstripe[MA_DBG_LSTRIPES];
static struct ma_dbg_line *ma_dbg_lbucket[MA_DBG_LBUCKETS];

/* Handed out when a device has no table (it was created with debugging off). */
static struct ma_dbg_entry ma_dbg_untracked;

static const char *const ma_dbg_map_fn[] = {"dma_map_single", "dma_map_page", "dma_map_sg"};

const char *ma_dbg_dir_name(int dir)
{
	switch (dir) {
	case DMA_BIDIRECTIONAL:
		return "DMA_BIDIRECTIONAL";
	case DMA_TO_DEVICE:
		return "DMA_TO_DEVICE";
	case DMA_FROM_DEVICE:
		return "DMA_FROM_DEVICE";
	default:
		return "DMA_NONE";
	}
}

static inline unsigned int dbg_lhash(phys_addr_t line)
{
	return (unsigned int)((line * 0x9e3779b97f4a7c15ull) >> 52) & (MA_DBG_LBUCKETS - 1);
}

/* ---- entries ------------------------------------------------------------------------------ */

static struct ma_dbg_entry *dbg_entry_get(struct ma_dma_debug *t)
{
	struct ma_dbg_chunk *c;
	struct ma_dbg_entry *e;

	ma_spin_lock(&t->lock);
	e = t->free;
	if (e)
		t->free = e->next;
	ma_spin_unlock(&t->lock);
	if (!e) {
		c = ma_meta_alloc(sizeof(*c));
		if (!c)
			return NULL;
		ma_spin_lock(&t->lock);
		c->next = t->chunks;
		t->chunks = c;
		for (unsigned int i = 1; i < MA_DBG_CHUNK; i++) {
			c->e[i].next = t->free;
			t->free = &c->e[i];
		}
		ma_spin_unlock(&t->lock);
		e = &c->e[0];
	}
	*e = (struct ma_dbg_entry){0};
	return e;
}

static void dbg_entry_put(struct ma_dma_debug *t, struct ma_dbg_entry *e)
{
	ma_spin_lock(&t->lock);
	e->next = t->free;
	t->free = e;
	ma_spin_unlock(&t->lock);
}

/* Unlink a live entry from its chain (dbg->lock held). */
static void dbg_unhash(struct ma_dma_debug *t, struct ma_dbg_entry *e)
{
	struct ma_dbg_entry **pp = ma_dbg_bucket(t, e->addr);

	while (*pp != e)
		pp = &(*pp)->next;
	*pp = e->next;
	ma_dbgf_release(e);
}

struct ma_dbg_entry *ma_dbg_find(struct ma_dma_debug *t, dma_addr_t x,
				 bool (*fn)(const struct ma_dbg_entry *e, void *arg), void *arg)
{
	dma_addr_t reach = t->max_size ? t->max_size - 1 : 0;
	dma_addr_t g = x >> MA_DBG_GRAN_SHIFT;
	dma_addr_t lo = (x >= reach ? x - reach : 0) >> MA_DBG_GRAN_SHIFT;

	for (;; g--) {
		for (struct ma_dbg_entry *e = t->bucket[ma_dbg_hash(g)]; e; e = e->next)
			if (e->addr >> MA_DBG_GRAN_SHIFT == g && e->addr <= x &&
			    x - e->addr < e->size && (!fn || fn(e, arg)))
				return e;
		if (g == lo)
			return NULL;
	}
}

/* ---- the cache-line table (EEXIST) -------------------------------------------------------- */

void ma_dma_debug_init(void)
{
	ma_dbgf_init();
	memset(ma_dbg_lbucket, 0, sizeof(ma_dbg_lbucket));
	for (unsigned int i = 0; i < MA_DBG_LSTRIPES; i++)
		ma_spin_init(&ma_dbg_lstripe[i].lock);
}

static void dbg_lines_lock(const struct ma_dbg_entry *e, unsigned int *b, bool lock)
{
	unsigned int s0, s1;

	b[0] = dbg_lhash(e->lines[0].line);
	b[1] = e->nlines > 1 ? dbg_lhash(e->lines[1].line) : b[0];
	s0 = MA_MIN(b[0] % MA_DBG_LSTRIPES, b[1] % MA_DBG_LSTRIPES);
	s1 = MA_MAX(b[0] % MA_DBG_LSTRIPES, b[1] % MA_DBG_LSTRIPES);
	if (lock) {
		ma_spin_lock(&ma_dbg_lstripe[s0].lock);
		if (s1 != s0)
			ma_spin_lock(&ma_dbg_lstripe[s1].lock);
	} else {
		if (s1 != s0)
			ma_spin_unlock(&ma_dbg_lstripe[s1].lock);
		ma_spin_unlock(&ma_dbg_lstripe[s0].lock);
	}
}

/* What a report says of the other mapping, copied under the stripe lock. */
struct dbg_other {
	char dev[64];
	phys_addr_t phys, line;
	size_t size;
	int dir;
};

/* Enter @e's lines unless another live mapping holds one of them (then *@o describes it). */
static bool dbg_lines_add(struct ma_dbg_entry *e, struct dbg_other *o)
{
	unsigned int b[2];
	bool clash = false;

	dbg_lines_lock(e, b, true);
	for (unsigned int i = 0; i < e->nlines && !clash; i++) {
		for (struct ma_dbg_line *l = ma_dbg_lbucket[b[i]]; l; l = l->next) {
			if (l->line != e->lines[i].line)
				continue;
			/* a bounce shares no line: only the same bytes mapped twice clash */
			if ((e->bounced || l->e->bounced) &&
			    (l->e->phys >= e->phys + e->size || e->phys >= l->e->phys + l->e->size))
				continue;
			snprintf(o->dev, sizeof(o->dev), "%s", l->e->dev->p->name);
			o->phys = l->e->phys;
			o->size = l->e->size;
			o->dir = l->e->dir;
			o->line = l->line;
			clash = true;
			break;
		}
	}
	for (unsigned int i = 0; i < e->nlines && !clash; i++) {
		e->lines[i].e = e;
		e->lines[i].next = ma_dbg_lbucket[b[i]];
		ma_dbg_lbucket[b[i]] = &e->lines[i];
	}
	dbg_lines_lock(e, b, false);
	return !clash;
}

static void dbg_lines_del(struct ma_dbg_entry *e)
{
	unsigned int b[2];

	if (!e->nlines)
		return;
	dbg_lines_lock(e, b, true);
	for (unsigned int i = 0; i < e->nlines; i++) {
		struct ma_dbg_line **pp = &ma_dbg_lbucket[b[i]];

		while (*pp != &e->lines[i])
			pp = &(*pp)->next;
		*pp = e->lines[i].next;
	}
	dbg_lines_lock(e, b, false);
	e->nlines = 0;
}

/* ---- attach and detach ---------------------------------------------------------------------- */

int ma_dma_debug_attach(struct ma_dma_dev *d)
{
	struct ma_dma_debug *t = ma_meta_alloc(sizeof(*t));

	if (!t)
		return -ENOMEM;
	ma_spin_init(&t->lock);
	for (unsigned int i = 0; i < MA_DBG_CHUNK; i++) { /* the first chunk comes with the table */
		t->first.e[i].next = t->free;
		t->free = &t->first.e[i];
	}
	d->debug = t;
	ma_dbgf_register(t, d->dev);
	return 0;
}

/**
 * ma_dma_debug_atfork() - pthread_atfork step of DMA-API debugging (lib/fork.c).
 * @phase: PREPARE takes the table registry's lock and every table's lock (debug_free.c, in the
 *         order the free watch nests them), then the cache-line stripes in index order (as
 *         dbg_lines_lock() nests them; never nested with the table locks); PARENT and CHILD
 *         release them.
 */
void ma_dma_debug_atfork(enum ma_fork_phase phase)
{
	bool lock = phase == MA_FORK_PREPARE;

	if (lock)
		ma_dbgf_atfork(true);
	for (unsigned int i = 0; i < MA_DBG_LSTRIPES; i++) {
		if (lock)
			ma_spin_lock(&ma_dbg_lstripe[i].lock);
		else
			ma_spin_unlock(&ma_dbg_lstripe[MA_DBG_LSTRIPES - 1 - i].lock);
	}
	if (!lock)
		ma_dbgf_atfork(false);
}

void ma_dma_debug_detach(struct device *dev, struct ma_dma_dev *d)
{
	struct ma_dma_debug *t = d->debug;
	struct ma_dbg_entry *live = NULL, *e, *next;
	struct ma_dbg_chunk *c;

	if (!t)
		return;
	ma_dbgf_unregister(t);
	ma_spin_lock(&t->lock);
	for (unsigned int i = 0; i < MA_DBG_BUCKETS; i++) {
		for (e = t->bucket[i]; e; e = next) {
			next = e->next;
			e->next = live;
			live = e;
			ma_dbgf_release(e);
		}
		t->bucket[i] = NULL;
	}
	ma_spin_unlock(&t->lock);
	for (e = live; e; e = e->next) {
		ma_report("dma", dev->p->name, e->addr, e->size,
			  "minalign_device_destroy: %s mapping %#llx+%zu (%s) still live; unmapped "
			  "now, without a sync",
			  ma_dbg_map_fn[e->type], (unsigned long long)e->addr, e->size,
			  ma_dbg_dir_name(e->dir));
		dbg_lines_del(e);
		ma_dma_unmap_addr(dev, e->addr, e->size, (enum dma_data_direction)e->dir,
				  e->attrs | DMA_ATTR_SKIP_CPU_SYNC, "minalign_device_destroy");
	}
	for (c = t->chunks; c; c = t->chunks) {
		t->chunks = c->next;
		ma_meta_free(c);
	}
	d->debug = NULL;
	ma_meta_free(t);
}

/* ---- map ------------------------------------------------------------------------------------ */

/* A packed slab object must not be handed to a non-coherent device for inbound DMA. */
static bool dbg_packed(struct device *dev, phys_addr_t phys, size_t size, const char *what)
{
	const void *p = ma_phys_to_virt(phys);
	struct ma_slab_slot s;

	if (!ma_slab_slot(p, &s) || !s.packed)
		return false;
	ma_report("dma", dev->p->name, phys, size,
		  "%s: %p (%zu bytes) is a packed object of %s mapped for inbound DMA on a "
		  "non-coherent device: it shares cache lines and is never bounced (refused)",
		  what, p, size, s.cache);
	return true;
}

struct ma_dbg_entry *ma_dma_debug_map_begin(struct device *dev, phys_addr_t phys, size_t size,
					    enum dma_data_direction dir, unsigned long attrs,
					    bool bounce, const char *what)
{
	struct ma_dma_debug *t = ma_dbg_of(dev);
	bool hazard = ma_dma_inbound(dir) && ma_dma_maintained(dev);
	phys_addr_t line = ma_cfg.cache_line;
	struct ma_dbg_entry *e;
	struct dbg_other o;

	if (!t)
		return &ma_dbg_untracked;
	if (!ma_dbgf_allocated(dev, phys, size, what))
		return NULL;
	if (hazard && !bounce && dbg_packed(dev, phys, size, what))
		return NULL;
	e = dbg_entry_get(t);
	if (!e)
		return NULL; /* out of metadata: the mapping fails, without a report */
	e->dev = dev;
	e->phys = phys;
	e->size = size;
	e->attrs = attrs;
	e->dir = (uint8_t)dir;
	e->bounced = bounce;
	e->type = (attrs & MA_DMA_ATTR_SG)     ? MA_DBG_SG
		  : (attrs & MA_DMA_ATTR_PAGE) ? MA_DBG_PAGE
					       : MA_DBG_SINGLE;
	if (!hazard || (attrs & DMA_ATTR_SKIP_CPU_SYNC))
		return e;
	e->lines[0].line = MA_ALIGN_DOWN(phys, line);
	e->lines[1].line = MA_ALIGN_DOWN(phys + size - 1, line);
	e->nlines = e->lines[1].line != e->lines[0].line ? 2 : 1;
	if (dbg_lines_add(e, &o))
		return e;
	e->nlines = 0;
	dbg_entry_put(t, e);
	ma_report("dma", dev->p->name, phys, size,
		  "%s: %#llx+%zu shares cache line %#llx with the live inbound mapping %#llx+%zu "
		  "(%s) of %s: overlapping non-coherent mappings corrupt each other (EEXIST; "
		  "refused)",
		  what, (unsigned long long)phys, size, (unsigned long long)o.line,
		  (unsigned long long)o.phys, o.size, ma_dbg_dir_name(o.dir), o.dev);
	return NULL;
}

void ma_dma_debug_map_end(struct device *dev, struct ma_dbg_entry *e, dma_addr_t addr)
{
	struct ma_dma_debug *t = ma_dbg_of(dev);
	struct ma_dbg_entry **b;

	if (e == &ma_dbg_untracked)
		return;
	if (addr == DMA_MAPPING_ERROR) {
		dbg_lines_del(e);
		dbg_entry_put(t, e);
		return;
	}
	e->addr = addr;
	ma_dbgf_hold(e);
	b = ma_dbg_bucket(t, addr);
	ma_spin_lock(&t->lock);
	e->next = *b;
	*b = e;
	if (e->size > t->max_size)
		t->max_size = e->size;
	ma_spin_unlock(&t->lock);
}

void ma_dma_debug_mapping_error(struct device *dev, dma_addr_t addr)
{
	struct ma_dma_debug *t;

	if (!dev || addr == DMA_MAPPING_ERROR)
		return;
	t = ma_dbg_of(dev);
	if (!t)
		return;
	ma_spin_lock(&t->lock);
	for (struct ma_dbg_entry *e = *ma_dbg_bucket(t, addr); e; e = e->next) {
		if (e->addr == addr && !e->checked) {
			e->checked = true;
			break;
		}
	}
	ma_spin_unlock(&t->lock);
}

/* ---- unmap ---------------------------------------------------------------------------------- */

/* What an unmap call says of the mapping it ends. */
struct dbg_ref {
	dma_addr_t addr;
	size_t size;
	int dir, type, nents; /* nents 0: not an sg call */
};

static bool dbg_matches(const struct ma_dbg_entry *e, const struct dbg_ref *r)
{
	return e->size == r->size && e->dir == r->dir && e->type == r->type &&
	       (r->type != MA_DBG_SG || e->nents == r->nents);
}

/* How many of size, direction, function and (sg) nents @e has as @r says (4: all of them). */
static int dbg_fit(const struct ma_dbg_entry *e, const struct dbg_ref *r)
{
	return (e->size == r->size) + (e->dir == r->dir) + (e->type == r->type) +
	       (e->type == r->type && (r->type != MA_DBG_SG || e->nents == r->nents));
}

/*
 * The live unclaimed entry at exactly @r->addr that matches @r, or when none does the closest
 * one (the most of dbg_fit(); the newest of equals), which the report then describes.  One
 * buffer may be mapped several times at one bus address (for DMA_TO_DEVICE, Linux allows it),
 * so the first entry at the address is not necessarily the call's own.  Locked.
 */
static struct ma_dbg_entry *dbg_pick(struct ma_dma_debug *t, const struct dbg_ref *r)
{
	struct ma_dbg_entry *best = NULL;
	int best_fit = -1;

	for (struct ma_dbg_entry *e = *ma_dbg_bucket(t, r->addr); e; e = e->next) {
		int fit;

		if (e->addr != r->addr || e->claimed)
			continue;
		if (dbg_matches(e, r))
			return e;
		fit = dbg_fit(e, r);
		if (fit > best_fit) {
			best_fit = fit;
			best = e;
		}
	}
	return best;
}

static const char *const ma_dbg_unmap_fn[] = {"dma_unmap_single", "dma_unmap_page", "dma_unmap_sg"};

/* Why @r does not end a live mapping (into @msg), or false when @e matches.  Locked. */
static bool dbg_unmap_misuse(struct ma_dma_debug *t, const struct ma_dbg_entry *e,
			     const struct dbg_ref *r, const char *what, char *msg)
{
	int n;

	if (!e) {
		const struct ma_dbg_entry *in = ma_dbg_find(t, r->addr, NULL, NULL);

		if (in)
			snprintf(msg, MA_DBG_MSG,
				 "%s of %#llx: not the start of a live mapping (it is inside "
				 "%#llx+%zu)",
				 what, (unsigned long long)r->addr, (unsigned long long)in->addr,
				 in->size);
		else if (r->addr == DMA_MAPPING_ERROR)
			snprintf(msg, MA_DBG_MSG,
				 "%s of DMA_MAPPING_ERROR: the mapping had failed (never mapped)",
				 what);
		else
			snprintf(msg, MA_DBG_MSG, "%s of %#llx: never mapped or already unmapped",
				 what, (unsigned long long)r->addr);
		return true;
	}
	if (dbg_matches(e, r))
		return false;
	n = snprintf(msg, MA_DBG_MSG, "%s of %#llx (mapped by %s, %zu bytes, %s):", what,
		     (unsigned long long)r->addr, ma_dbg_map_fn[e->type], e->size,
		     ma_dbg_dir_name(e->dir));
	if (e->type != r->type)
		n += snprintf(msg + n, MA_DBG_MSG - (size_t)n, " wrong function (%s),",
			      ma_dbg_unmap_fn[r->type]);
	if (e->size != r->size)
		n += snprintf(msg + n, MA_DBG_MSG - (size_t)n, " wrong size (%zu),", r->size);
	if (e->dir != r->dir)
		n += snprintf(msg + n, MA_DBG_MSG - (size_t)n, " wrong direction (%s),",
			      ma_dbg_dir_name(r->dir));
	if (e->type == MA_DBG_SG && r->type == MA_DBG_SG && e->nents != r->nents)
		n += snprintf(msg + n, MA_DBG_MSG - (size_t)n, " wrong nents (%d, mapped %d),",
			      r->nents, e->nents);
	if (n > 0 && n < MA_DBG_MSG && msg[n - 1] == ',')
		msg[n - 1] = 0;
	return true;
}

/* Forget a live entry whose unmap goes ahead (called unlocked, after dbg_unhash). */
static void dbg_retire(struct ma_dma_debug *t, struct ma_dbg_entry *e)
{
	dbg_lines_del(e);
	dbg_entry_put(t, e);
}

bool ma_dma_debug_unmap(struct device *dev, dma_addr_t addr, size_t size,
			enum dma_data_direction dir, enum ma_dbg_type type, const char *what)
{
	struct dbg_ref r = {addr, size, dir, type, 0};
	struct ma_dma_debug *t = ma_dbg_of(dev);
	struct ma_dbg_entry *e;
	char msg[MA_DBG_MSG];
	bool unchecked;

	if (!t)
		return true;
	ma_spin_lock(&t->lock);
	e = dbg_pick(t, &r);
	if (dbg_unmap_misuse(t, e, &r, what, msg)) {
		ma_spin_unlock(&t->lock);
		ma_report("dma", dev->p->name, addr, size, "%s", msg);
		return false;
	}
	unchecked = !e->checked;
	dbg_unhash(t, e);
	if (!e->nlines) { /* nothing in the line table: free it in the same critical section */
		e->next = t->free;
		t->free = e;
		e = NULL;
	}
	ma_spin_unlock(&t->lock);
	if (e)
		dbg_retire(t, e);
	if (unchecked)
		ma_report("dma", dev->p->name, addr, size,
			  "%s of %#llx: dma_mapping_error() was never called on the address %s "
			  "returned",
			  what, (unsigned long long)addr, ma_dbg_map_fn[type]);
	return true;
}

void ma_dma_debug_sg_done(struct device *dev, struct scatterlist *sgl, int count, int nents,
			  bool ok)
{
	struct ma_dma_debug *t = ma_dbg_of(dev);
	struct scatterlist *sg = sgl;

	if (!t)
		return;
	for (int i = 0; i < count && sg; i++, sg = sg_next(sg)) {
		struct dbg_ref r = {sg->dma_address, sg->dma_length, 0, MA_DBG_SG, 0};
		struct ma_dbg_entry *e = NULL;

		ma_spin_lock(&t->lock);
		/* this call's entry: a fresh sg entry (nents 0) at the segment's address */
		for (e = *ma_dbg_bucket(t, r.addr); e; e = e->next)
			if (e->addr == r.addr && e->type == MA_DBG_SG && !e->nents &&
			    e->size == r.size)
				break;
		if (e && ok)
			e->nents = nents;
		else if (e)
			dbg_unhash(t, e);
		ma_spin_unlock(&t->lock);
		if (e && !ok)
			dbg_retire(t, e);
	}
}

/* Clear the claims the first @count segments made (dbg->lock held). */
static void dbg_unclaim(struct ma_dma_debug *t, struct scatterlist *sgl, int count)
{
	struct scatterlist *sg = sgl;

	for (int i = 0; i < count && sg; i++, sg = sg_next(sg))
		for (struct ma_dbg_entry *e = *ma_dbg_bucket(t, sg->dma_address); e; e = e->next)
			if (e->addr == sg->dma_address)
				e->claimed = false;
}

bool ma_dma_debug_unmap_sg(struct device *dev, struct scatterlist *sgl, int nents,
			   enum dma_data_direction dir, const char *what)
{
	struct ma_dma_debug *t = ma_dbg_of(dev);
	struct scatterlist *sg;
	char msg[MA_DBG_MSG];
	int i, bad = -1;

	if (!t)
		return true;
	ma_spin_lock(&t->lock);
	for (i = 0, sg = sgl; i < nents && sg; i++, sg = sg_next(sg)) {
		struct dbg_ref r = {sg->dma_address, sg->dma_length, dir, MA_DBG_SG, nents};
		struct ma_dbg_entry *e = dbg_pick(t, &r);

		if (dbg_unmap_misuse(t, e, &r, what, msg)) {
			bad = i;
			break;
		}
		e->claimed = true;
	}
	if (bad >= 0) {
		dbg_unclaim(t, sgl, bad);
		ma_spin_unlock(&t->lock);
		ma_report("dma", dev->p->name, sg->dma_address, sg->dma_length, "%s (segment %d)",
			  msg, bad);
		return false;
	}
	ma_spin_unlock(&t->lock);
	for (i = 0, sg = sgl; i < nents && sg; i++, sg = sg_next(sg)) {
		struct ma_dbg_entry *e;

		ma_spin_lock(&t->lock);
		for (e = *ma_dbg_bucket(t, sg->dma_address); e; e = e->next)
			if (e->addr == sg->dma_address && e->claimed)
				break;
		dbg_unhash(t, e);
		ma_spin_unlock(&t->lock);
		dbg_retire(t, e);
	}
	return true;
}
