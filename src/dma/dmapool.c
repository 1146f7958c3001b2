/* SPDX-License-Identifier: MIT */
/*
 * dma/dmapool.c - dma_pool: small coherent blocks carved from dma_alloc_coherent() chunks.
 *
 * Owns pools and their chunks.  Geometry, as in Linux: the block size is at least 16 bytes
 * (Linux's struct dma_block) and rounded up to the alignment; a boundary must be a power of two
 * no smaller than that block size; a chunk is max(size, PAGE_SIZE) bytes of coherent memory (naturally aligned to its
 * order, so to every power of two up to its size); the boundary (0 = the chunk) is cut into
 * boundary / size blocks, so no block crosses a multiple of the boundary.  Block i of a chunk
 * is at (i / per_boundary) * boundary + (i % per_boundary) * size.
 *
 * Bookkeeping is out of band: each chunk has a metadata record with a bitmap of its blocks
 * (1 = allocated), never a free-list pointer inside the coherent memory a device writes.
 *
 * Invariants: a chunk's in_use equals the set bits of its bitmap; chunks are never freed before
 * dma_pool_destroy().
 *
 * Locking: pool->lock (a mutex) protects the chunk list, the bitmaps and the counts.  A new
 * chunk is allocated with the lock released and then linked under it.  Lock order: pool->lock
 * is a leaf (the page allocator's lock is never taken under it).
 */
#include "dma/internal.h"

struct ma_pool_chunk {
	struct ma_pool_chunk *next;
	unsigned char *vaddr;
	dma_addr_t dma;
	unsigned int in_use;
	uint64_t bitmap[]; /* nblocks bits */
};

struct dma_pool {
	char *name;
	struct device *dev;
	size_t size;	   /* block size (a multiple of the alignment) */
	size_t boundary;   /* no block crosses a multiple of it */
	size_t allocation; /* chunk bytes */
	unsigned int per_boundary, nblocks;
	ma_mutex_t lock;
	struct ma_pool_chunk *chunks;
	struct dma_pool *hnext; /* the registry's hash chain */
};

/*
 * The registry of live pools: a pool handle is looked up here before any byte of it is read,
 * so a destroyed pool (or one that outlived minalign_exit()) is one report, never a read of
 * freed memory.  minalign_exit() destroys the pools still alive.  256 buckets chained through
 * the pools themselves, under a leaf spinlock.
 */
#define MA_POOLREG_BUCKETS 256

static ma_spinlock_t ma_poolreg_lock = MA_SPINLOCK_INIT;
static struct dma_pool *ma_poolreg[MA_POOLREG_BUCKETS];

static unsigned int ma_poolreg_hash(const struct dma_pool *pool)
{
	return (unsigned int)(((uintptr_t)pool * 0x9e3779b97f4a7c15ull) >> 56) &
	       (MA_POOLREG_BUCKETS - 1);
}

static void ma_poolreg_add(struct dma_pool *pool)
{
	struct dma_pool **b = &ma_poolreg[ma_poolreg_hash(pool)];

	ma_spin_lock(&ma_poolreg_lock);
	pool->hnext = *b;
	*b = pool;
	ma_spin_unlock(&ma_poolreg_lock);
}

/* Take @pool out of the registry; false when it was not there (stale or foreign). */
static bool ma_poolreg_del(struct dma_pool *pool)
{
	struct dma_pool **pp = &ma_poolreg[ma_poolreg_hash(pool)];
	bool found = false;

	ma_spin_lock(&ma_poolreg_lock);
	for (; *pp && !found; pp = &(*pp)->hnext)
		if (*pp == pool) {
			*pp = pool->hnext;
			found = true;
			break;
		}
	ma_spin_unlock(&ma_poolreg_lock);
	return found;
}

/* fork (lib/fork.c): the registry's lock is a leaf. */
void ma_dma_poolreg_atfork(enum ma_fork_phase phase)
{
	if (phase == MA_FORK_PREPARE)
		ma_spin_lock(&ma_poolreg_lock);
	else
		ma_spin_unlock(&ma_poolreg_lock);
}

static bool ma_poolreg_has(const struct dma_pool *pool)
{
	const struct dma_pool *q;

	ma_spin_lock(&ma_poolreg_lock);
	for (q = ma_poolreg[ma_poolreg_hash(pool)]; q && q != pool; q = q->hnext)
		;
	ma_spin_unlock(&ma_poolreg_lock);
	return q != NULL;
}

/* @pool is a live pool; else one report naming @what. */
static bool ma_pool_live(const struct dma_pool *pool, const char *what)
{
	if (ma_likely(pool && ma_poolreg_has(pool)))
		return true;
	ma_report("dma", NULL, 0, 0, "%s(%p): %s", what, (const void *)pool,
		  pool ? "not a live dma_pool (destroyed?)" : "NULL pool");
	return false;
}

static size_t ma_pool_block_off(const struct dma_pool *pool, unsigned int i)
{
	return (size_t)(i / pool->per_boundary) * pool->boundary +
	       (size_t)(i % pool->per_boundary) * pool->size;
}

/*
 * Linux's smallest block: its free blocks hold a struct dma_block (next pointer + dma_addr_t),
 * 16 bytes on 64-bit.  minalign keeps no state in the blocks but keeps the geometry.
 */
#define MA_POOL_MIN_BLOCK 16u

/* The block size Linux's dma_pool_create() computes: at least 16, rounded up to @align. */
static size_t ma_pool_block_size(size_t size, size_t align)
{
	return MA_ALIGN_UP(MA_MAX(size, (size_t)MA_POOL_MIN_BLOCK), align);
}

static bool ma_pool_args_ok(const char *name, struct device *dev, size_t size, size_t align,
			    size_t boundary)
{
	const char *why = NULL;

	if (!ma_dma_dev_valid(dev, "dma_pool_create"))
		return false;
	if (!size || size > MA_MM_BLOCK)
		why = "size is 0 or above 4 MiB";
	else if (!MA_IS_POW2(align) || align > MA_MM_BLOCK)
		why = "align is not a power of two";
	else if (boundary &&
		 (!MA_IS_POW2(boundary) || boundary < ma_pool_block_size(size, align)))
		why = "boundary is not a power of two no smaller than the block size";
	if (why)
		ma_report("dma", dev->p->name, 0, size, "dma_pool_create(%s): %s",
			  name ? name : "(null)", why);
	return !why;
}

struct dma_pool *dma_pool_create(const char *name, struct device *dev, size_t size, size_t align,
				 size_t boundary)
{
	struct dma_pool *pool;

	if (!align)
		align = 1;
	if (!ma_pool_args_ok(name, dev, size, align, boundary))
		return NULL;
	pool = ma_meta_alloc(sizeof(*pool));
	if (!pool)
		return NULL;
	pool->name = ma_meta_strdup(name ? name : "dma_pool");
	if (!pool->name) {
		ma_meta_free(pool);
		return NULL;
	}
	pool->dev = dev;
	pool->size = ma_pool_block_size(size, align);
	pool->allocation = MA_MAX(pool->size, (size_t)PAGE_SIZE);
	pool->boundary = boundary ? MA_MIN(boundary, pool->allocation) : pool->allocation;
	pool->per_boundary = (unsigned int)(pool->boundary / pool->size);
	pool->nblocks = (unsigned int)((pool->allocation / pool->boundary) * pool->per_boundary +
				       (pool->allocation % pool->boundary) / pool->size);
	ma_mutex_init(&pool->lock);
	ma_poolreg_add(pool);
	return pool;
}

/* Take a free block of @c (under the pool lock); -1 when the chunk is full. */
static long ma_pool_take(struct dma_pool *pool, struct ma_pool_chunk *c)
{
	if (c->in_use == pool->nblocks)
		return -1;
	for (unsigned int w = 0; w * 64 < pool->nblocks; w++) {
		uint64_t free = ~c->bitmap[w];
		unsigned int i;

		if (!free)
			continue;
		i = w * 64 + (unsigned int)__builtin_ctzll(free);
		if (i >= pool->nblocks)
			break;
		c->bitmap[w] |= UINT64_C(1) << (i % 64);
		c->in_use++;
		return i;
	}
	return -1;
}

static struct ma_pool_chunk *ma_pool_chunk_new(struct dma_pool *pool, gfp_t gfp)
{
	size_t words = (pool->nblocks + 63) / 64;
	struct ma_pool_chunk *c = ma_meta_alloc(sizeof(*c) + words * sizeof(uint64_t));

	if (!c)
		return NULL;
	c->vaddr = ma_coherent_alloc(pool->dev, pool->allocation, &c->dma, gfp, MA_OWNER_DMA_POOL,
				     "dma_pool_alloc");
	if (!c->vaddr) {
		ma_meta_free(c);
		return NULL;
	}
	return c;
}

static void *ma_pool_block(struct dma_pool *pool, struct ma_pool_chunk *c, long i,
			   dma_addr_t *handle)
{
	size_t off = ma_pool_block_off(pool, (unsigned int)i);

	*handle = c->dma + off;
	return c->vaddr + off;
}

void *dma_pool_alloc(struct dma_pool *pool, gfp_t gfp, dma_addr_t *handle)
{
	struct ma_pool_chunk *c;
	void *vaddr = NULL;
	long i = -1;

	if (!ma_pool_live(pool, "dma_pool_alloc"))
		return NULL;
	if (!handle) {
		ma_report("dma", NULL, 0, 0, "dma_pool_alloc: NULL handle");
		return NULL;
	}
	ma_mutex_lock(&pool->lock);
	for (c = pool->chunks; c; c = c->next) {
		i = ma_pool_take(pool, c);
		if (i >= 0) {
			vaddr = ma_pool_block(pool, c, i, handle);
			break;
		}
	}
	ma_mutex_unlock(&pool->lock);
	if (!vaddr) {
		c = ma_pool_chunk_new(pool, gfp);
		if (!c)
			return NULL;
		ma_mutex_lock(&pool->lock);
		c->next = pool->chunks;
		pool->chunks = c;
		i = ma_pool_take(pool, c);
		vaddr = ma_pool_block(pool, c, i, handle);
		ma_mutex_unlock(&pool->lock);
	}
	if (gfp & __GFP_ZERO)
		memset(vaddr, 0, pool->size);
	return vaddr;
}

void *dma_pool_zalloc(struct dma_pool *pool, gfp_t gfp, dma_addr_t *handle)
{
	return dma_pool_alloc(pool, gfp | __GFP_ZERO, handle);
}

/* The block index of @off in a chunk, or -1 when @off is not a block's start. */
static long ma_pool_index(const struct dma_pool *pool, size_t off)
{
	size_t q = off / pool->boundary, r = off % pool->boundary;

	if (off >= pool->allocation || r % pool->size || r / pool->size >= pool->per_boundary)
		return -1;
	return (long)(q * pool->per_boundary + r / pool->size);
}

/* Free block @vaddr under the pool lock; the reason it is misuse, or NULL. */
static const char *ma_pool_put(struct dma_pool *pool, unsigned char *vaddr, dma_addr_t dma)
{
	struct ma_pool_chunk *c;
	long i;

	for (c = pool->chunks; c; c = c->next)
		if (vaddr >= c->vaddr && vaddr < c->vaddr + pool->allocation)
			break;
	if (!c)
		return "not a block of this pool";
	i = ma_pool_index(pool, (size_t)(vaddr - c->vaddr));
	if (i < 0 || (size_t)i >= pool->nblocks)
		return "not the start of a block";
	if (dma != c->dma + (dma_addr_t)(vaddr - c->vaddr))
		return "dma handle differs from the block's";
	if (!(c->bitmap[i / 64] & (UINT64_C(1) << (i % 64))))
		return "double free";
	c->bitmap[i / 64] &= ~(UINT64_C(1) << (i % 64));
	c->in_use--;
	return NULL;
}

void dma_pool_free(struct dma_pool *pool, void *vaddr, dma_addr_t dma)
{
	const char *why;

	if (!vaddr)
		return;
	if (!ma_pool_live(pool, "dma_pool_free"))
		return;
	if (ma_virt_in_ram(vaddr, pool->size) &&
	    ma_free_watched(vaddr, pool->size, "dma_pool_free"))
		return; /* a live streaming mapping covers the block: reported, refused */
	ma_mutex_lock(&pool->lock);
	why = ma_pool_put(pool, vaddr, dma);
	ma_mutex_unlock(&pool->lock);
	if (why)
		ma_report("dma", pool->dev->p->name, (uint64_t)dma, pool->size,
			  "dma_pool_free(%s, %p, %#llx): %s", pool->name, vaddr,
			  (unsigned long long)dma, why);
}

void dma_pool_destroy(struct dma_pool *pool)
{
	struct ma_pool_chunk *c, *next;
	unsigned long busy = 0;

	if (!pool)
		return;
	if (!ma_poolreg_del(pool)) {
		ma_report("dma", NULL, 0, 0,
			  "dma_pool_destroy(%p): not a live dma_pool (destroyed?)", (void *)pool);
		return;
	}
	for (c = pool->chunks; c; c = next) {
		next = c->next;
		busy += c->in_use;
		ma_coherent_free(pool->dev, pool->allocation, c->vaddr, c->dma, MA_OWNER_DMA_POOL,
				 false);
		ma_meta_free(c);
	}
	if (busy)
		ma_report("dma", pool->dev->p->name, 0, pool->size,
			  "dma_pool_destroy(%s): %lu blocks still allocated", pool->name, busy);
	ma_mutex_destroy(&pool->lock);
	ma_meta_free(pool->name);
	ma_meta_free(pool);
}

struct device *ma_dma_pool_dev(const struct dma_pool *pool)
{
	return pool && ma_poolreg_has(pool) ? pool->dev : NULL; /* looked up before it is read */
}

void ma_dma_pool_destroy_all(void)
{
	for (unsigned int b = 0; b < MA_POOLREG_BUCKETS; b++) {
		struct dma_pool *pool;

		for (;;) {
			ma_spin_lock(&ma_poolreg_lock);
			pool = ma_poolreg[b];
			ma_spin_unlock(&ma_poolreg_lock);
			if (!pool)
				break;
			ma_report("dma", ma_dev_name(pool->dev), 0, pool->size,
				  "minalign_exit: dma_pool %s still alive: destroyed now",
				  pool->name);
			dma_pool_destroy(pool);
		}
	}
}
