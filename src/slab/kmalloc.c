/* SPDX-License-Identifier: MIT */
/*
 * slab/kmalloc.c - the kmalloc family: size classes, the five minimum-alignment policies,
 * the kmalloc-N / dma-kmalloc-N / kmalloc-packed-N caches, and kmalloc-large.
 *
 * Owns: ma_slab_g's size tables (kidx, kclass, kcache, minalign), the kmalloc caches, and the
 * owner field of kmalloc-large head pages (MA_OWNER_KMALLOC_LARGE, priv = requested size).
 *
 * Policy -> minimum alignment M of the kmalloc-N caches (DESIGN.md section 4): LEGACY: cache
 * line; BOUNCE: 8, the cache line when no bounce pool is configured; PACKED: cache line
 * (kmalloc-packed-N, 8, serve __GFP_PACKED); DMA_OPT_IN and NAIVE: 8.  dma-kmalloc-N (GFP_DMA)
 * always use the cache line.  Classes: 8 16 32 64 96 128 192 256 512 .. 8192, keeping those
 * >= M that are multiples of M; a size goes to the smallest class that holds it.  Power-of-two
 * classes are naturally aligned, 96 is 32-aligned and 192 64-aligned.
 *
 * Fast path (kmalloc): size <= 8192 (every class) and no __GFP_DMA/__GFP_PACKED/__GFP_ZERO ->
 * table lookup (sizes up to 256 by 8-byte steps, 257..8192 by their highest bit: the classes
 * above 256 are powers of two, which every policy keeps) -> pop the thread's hot entry.  kfree:
 * slab map -> owner check -> push on the slab's local list.  Everything else goes through
 * ma_kmalloc_slow() / ma_kfree_slow().
 *
 * Locking: none here; see tcache.c and slab.c.
 */
#include "slab/internal.h"

#define MA_GFP_SLOW (__GFP_DMA | __GFP_PACKED | __GFP_ZERO)

static const uint32_t ma_km_sizes[MA_KM_NR_CLASSES] = {8,   16,	 32,   64,   96,   128, 192,
						       256, 512, 1024, 2048, 4096, 8192};
static const char *const ma_km_prefix[MA_KM_NR_TYPES] = {"kmalloc-", "dma-kmalloc-",
							 "kmalloc-packed-"};

/* Class of a size 1..8192 (ignoring the minimum alignment). */
static unsigned int ma_km_class(size_t size)
{
	static const uint8_t small[MA_KM_SMALL_SLOTS] = {MA_KM_NO_CLASS,
							 0,
							 1,
							 2,
							 2,
							 3,
							 3,
							 3,
							 3,
							 4,
							 4,
							 4,
							 4,
							 5,
							 5,
							 5,
							 5,
							 6,
							 6,
							 6,
							 6,
							 6,
							 6,
							 6,
							 6,
							 7,
							 7,
							 7,
							 7,
							 7,
							 7,
							 7,
							 7};

	if (size <= MA_KM_SMALL_MAX)
		return small[(size + 7) >> 3];
	return 8 + (unsigned int)(64 - __builtin_clzll((unsigned long long)size - 1)) - 9;
}

/* The minimum alignment of kmalloc type @t under configuration @cfg. */
static unsigned int ma_km_minalign(const struct minalign_config *cfg, enum ma_km_type t)
{
	if (t == MA_KM_DMA)
		return cfg->cache_line;
	if (t == MA_KM_PACKED)
		return ARCH_KMALLOC_MINALIGN;
	switch (cfg->policy) {
	case MINALIGN_POLICY_LEGACY:
	case MINALIGN_POLICY_PACKED:
		return cfg->cache_line;
	case MINALIGN_POLICY_BOUNCE: /* 8 when there is a way to bounce: a pool, or kmalloc */
		return cfg->swiotlb_size || cfg->bounce_backend == MINALIGN_BOUNCE_KMALLOC
			       ? ARCH_KMALLOC_MINALIGN
			       : cfg->cache_line;
	case MINALIGN_POLICY_DMA_OPT_IN:
	case MINALIGN_POLICY_NAIVE:
	default:
		return ARCH_KMALLOC_MINALIGN;
	}
}

static bool ma_km_class_valid(unsigned int k, unsigned int m)
{
	return ma_km_sizes[k] >= m && ma_km_sizes[k] % m == 0;
}

/* The object size kmalloc gives for @size (1..8192) with minimum alignment @m. */
static size_t ma_km_class_size(size_t size, unsigned int m)
{
	unsigned int k = ma_km_class(size);

	while (!ma_km_class_valid(k, m))
		k++;
	return ma_km_sizes[k];
}

static void ma_km_name(char *buf, size_t len, enum ma_km_type t, uint32_t size)
{
	if (size >= 1024)
		snprintf(buf, len, "%s%uk", ma_km_prefix[t], size / 1024);
	else
		snprintf(buf, len, "%s%u", ma_km_prefix[t], size);
}

static int ma_km_create_type(enum ma_km_type t)
{
	unsigned int m = ma_slab_g.minalign[t], k, slot;
	struct kmem_cache *c;
	char name[32];

	for (k = 0; k < MA_KM_NR_CLASSES; k++) {
		uint32_t size = ma_km_sizes[k];

		if (!ma_km_class_valid(k, m))
			continue;
		ma_km_name(name, sizeof(name), t, size);
		c = ma_cache_new(name, size, MA_IS_POW2(size) ? size : (size == 96 ? 32 : 64),
				 t == MA_KM_DMA ? SLAB_CACHE_DMA : 0, NULL, (uint8_t)t,
				 (uint16_t)(t * MA_KM_NR_CLASSES + k));
		if (!c)
			return -ENOMEM;
		ma_list_add_tail(&c->node, &ma_slab_caches);
		ma_slab_g.kcache[t][k] = c;
	}
	for (k = MA_KM_NR_CLASSES - 1; k-- > 0;)
		if (!ma_slab_g.kcache[t][k])
			ma_slab_g.kcache[t][k] = ma_slab_g.kcache[t][k + 1];
	for (slot = 0; slot < MA_KM_SMALL_SLOTS; slot++) {
		k = ma_km_class(slot * 8);
		ma_slab_g.kclass[t][slot] = (uint8_t)k;
		ma_slab_g.kidx[t][slot] = MA_TC_NULL_IDX;
		if (k != MA_KM_NO_CLASS && !ma_slab_g.debug)
			ma_slab_g.kidx[t][slot] = (uint8_t)ma_slab_g.kcache[t][k]->tc_idx;
	}
	if (t == MA_KM_NORMAL) /* the fast path serves kmalloc-512..8k of the normal type */
		for (slot = 0; slot < MA_KM_BIG_SLOTS; slot++)
			ma_slab_g.kidx_big[slot] =
				ma_slab_g.debug ? MA_TC_NULL_IDX
						: (uint8_t)ma_slab_g.kcache[t][8 + slot]->tc_idx;
	return 0;
}

/** ma_kmalloc_init() - create the kmalloc caches of the active policy.  ma_slab_mutex held. */
int ma_kmalloc_init(void)
{
	bool packed = ma_cfg.policy == MINALIGN_POLICY_PACKED;
	unsigned int t;
	int err;

	for (t = 0; t < MA_KM_NR_TYPES; t++)
		ma_slab_g.minalign[t] = ma_km_minalign(&ma_cfg, t);
	err = ma_km_create_type(MA_KM_NORMAL);
	if (!err)
		err = ma_km_create_type(MA_KM_DMA);
	if (!err && packed)
		err = ma_km_create_type(MA_KM_PACKED);
	if (!err && !packed) {
		/* __GFP_PACKED means nothing outside the PACKED policy */
		memcpy(ma_slab_g.kcache[MA_KM_PACKED], ma_slab_g.kcache[MA_KM_NORMAL],
		       sizeof(ma_slab_g.kcache[0]));
		memcpy(ma_slab_g.kidx[MA_KM_PACKED], ma_slab_g.kidx[MA_KM_NORMAL],
		       sizeof(ma_slab_g.kidx[0]));
		memcpy(ma_slab_g.kclass[MA_KM_PACKED], ma_slab_g.kclass[MA_KM_NORMAL],
		       sizeof(ma_slab_g.kclass[0]));
		ma_slab_g.minalign[MA_KM_PACKED] = ma_slab_g.minalign[MA_KM_NORMAL];
	}
	return err;
}

/* Forget the tables (the caches themselves are freed by the caller). */
void ma_kmalloc_exit(void)
{
	memset(ma_slab_g.kcache, 0, sizeof(ma_slab_g.kcache));
	memset(ma_slab_g.kidx, MA_TC_NULL_IDX, sizeof(ma_slab_g.kidx));
	memset(ma_slab_g.kidx_big, MA_TC_NULL_IDX, sizeof(ma_slab_g.kidx_big));
}

static enum ma_km_type ma_km_type_of(gfp_t flags)
{
	if (flags & __GFP_DMA)
		return MA_KM_DMA;
	if (flags & __GFP_PACKED)
		return MA_KM_PACKED;
	return MA_KM_NORMAL;
}

/* ---- kmalloc-large ----------------------------------------------------------------------- */

static void *ma_kmalloc_large(size_t size, gfp_t flags)
{
	unsigned int order;
	struct page *pg;

	if (size > KMALLOC_MAX_SIZE)
		return NULL;
	order = get_order(size);
	pg = ma_alloc_pages_below((flags & (__GFP_ZERO | __GFP_DMA | __GFP_DMA32)) | __GFP_NOWARN,
				  order, UINT64_MAX);
	if (!pg)
		return NULL;
	pg->owner = MA_OWNER_KMALLOC_LARGE;
	pg->priv = (void *)(uintptr_t)size;
	ma_stat_add(MA_STAT_kmalloc_large_bytes, (int64_t)(PAGE_SIZE << order));
	return ma_page_to_virt(pg);
}

/* The kmalloc-large head page whose block starts at @p, or NULL. */
static struct page *ma_large_head(const void *p)
{
	struct page *pg = ma_virt_to_page(p);

	if (pg->state != MA_PAGE_HEAD || pg->owner != MA_OWNER_KMALLOC_LARGE)
		return NULL;
	if (((uintptr_t)p & (PAGE_SIZE - 1)) != 0)
		return NULL;
	return pg;
}

static void ma_kfree_large(struct page *pg)
{
	unsigned int order = pg->order;

	ma_stat_add(MA_STAT_kmalloc_large_bytes, -(int64_t)(PAGE_SIZE << order));
	ma_free_pages_owned(pg, order, MA_OWNER_KMALLOC_LARGE);
}

/* ---- kmalloc ------------------------------------------------------------------------------- */

static struct kmem_cache *ma_kmalloc_cache(size_t size, gfp_t flags)
{
	return ma_slab_g.kcache[ma_km_type_of(flags)][ma_km_class(size)];
}

static __attribute__((noinline)) void *ma_kmalloc_slow(size_t size, gfp_t flags)
{
	if (ma_unlikely(!ma_is_up() || !ma_slab_g.gen)) {
		ma_report("slab", NULL, 0, size,
			  "kmalloc(%zu) called while minalign is not initialised", size);
		return NULL;
	}
	if (!size)
		return ZERO_SIZE_PTR;
	if (size > KMALLOC_MAX_CACHE_SIZE)
		return ma_kmalloc_large(size, flags);
	return ma_cache_alloc(ma_kmalloc_cache(size, flags), flags, size);
}

/* The hot entry of @size (1..8192) for the fast path: kmalloc-512..8k by the highest bit. */
static inline unsigned int ma_km_big_idx(size_t size)
{
	return ma_slab_g
		.kidx_big[(unsigned int)(64 - __builtin_clzll((unsigned long long)size - 1)) - 9];
}

void *kmalloc(size_t size, gfp_t flags)
{
	if (ma_likely(!(flags & MA_GFP_SLOW))) {
		unsigned int idx;
		void *obj;

		if (ma_likely(size <= MA_KM_SMALL_MAX))
			idx = ma_slab_g.kidx[MA_KM_NORMAL][(size + 7) >> 3];
		else if (size <= KMALLOC_MAX_CACHE_SIZE)
			idx = ma_km_big_idx(size);
		else
			goto slow;
		obj = ma_tc_pop(idx, 0);
		if (ma_likely(obj))
			return obj;
	}
slow:
	return ma_kmalloc_slow(size, flags);
}

void *kzalloc(size_t size, gfp_t flags)
{
	return kmalloc(size, flags | __GFP_ZERO);
}

void *kmalloc_array(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return kmalloc(bytes, flags);
}

void *kcalloc(size_t n, size_t size, gfp_t flags)
{
	return kmalloc_array(n, size, flags | __GFP_ZERO);
}

/* ---- kfree and ksize ---------------------------------------------------------------------- */

static __attribute__((noinline)) void ma_kfree_slow(void *p)
{
	struct ma_slab *s;
	struct page *pg;

	if (ZERO_OR_NULL_PTR(p))
		return;
	if (!ma_slab_g.ram_size) {
		ma_report("slab", NULL, 0, 0, "kfree(%p) called while minalign is not initialised",
			  p);
		return;
	}
	if (!ma_virt_in_ram(p, 1)) {
		ma_report("slab", NULL, 0, 0, "kfree(%p): not a pointer into minalign's RAM", p);
		return;
	}
	s = ma_slab_of(p);
	if (s) {
		ma_slab_free(s, p, NULL);
		return;
	}
	pg = ma_large_head(p);
	if (!pg) {
		ma_slab_report(NULL, p, "kfree(%p): not memory from kmalloc", p);
		return;
	}
	if (pg->flags & MA_PAGE_MANAGED) {
		ma_slab_report(
			NULL, p,
			"kfree(%p): the block belongs to devres (devm_kmalloc): devm_kfree() "
			"or the device's destroy frees it (refused)",
			p);
		return;
	}
	if (ma_free_watched(p, PAGE_SIZE << pg->order, "kfree"))
		return; /* mapped for DMA: reported, refused */
	ma_kfree_large(pg);
}

void ma_slab_set_managed(const void *p, bool managed)
{
	struct ma_slab *s;
	struct page *pg;

	if (ZERO_OR_NULL_PTR(p) || !ma_slab_g.ram_size || !ma_virt_in_ram(p, 1))
		return;
	s = ma_slab_of(p);
	if (s) {
		ma_slot_set_managed(s, p, managed);
		return;
	}
	pg = ma_large_head(p);
	if (pg && managed)
		pg->flags |= MA_PAGE_MANAGED;
	else if (pg)
		pg->flags &= (uint8_t)~MA_PAGE_MANAGED;
}

void kfree(const void *cp)
{
	void *p = (void *)(uintptr_t)cp;
	uintptr_t off = (uintptr_t)p - ma_slab_g.ram;

	if (ma_likely(off < ma_slab_g.ram_size)) {
		struct ma_slab *s = atomic_load_explicit(&ma_slab_g.map[off >> PAGE_SHIFT],
							 memory_order_relaxed);

		if (ma_likely(s != NULL)) {
			if (ma_likely(ma_slab_free_fast(s, p)))
				return;
			ma_slab_free(s, p, NULL); /* remote, shared, debug, transitions, misuse */
			return;
		}
	}
	ma_kfree_slow(p);
}

/*
 * Usable size of the allocation at @p and what kind it is; 0 (with a report) when @p is not
 * the start of a live slab object or kmalloc-large block.
 */
static size_t ma_usable(const void *p, const char *what, struct ma_slab **sp, struct page **pgp)
{
	struct ma_slab *s;
	uintptr_t rel;

	*sp = NULL;
	*pgp = NULL;
	if (!ma_slab_g.ram_size || !ma_virt_in_ram(p, 1)) {
		ma_report("slab", NULL, 0, 0, "%s(%p): not kmalloc memory", what, p);
		return 0;
	}
	s = ma_slab_of(p);
	if (!s) {
		*pgp = ma_large_head(p);
		if (!*pgp) {
			ma_slab_report(NULL, p, "%s(%p): not kmalloc memory", what, p);
			return 0;
		}
		return PAGE_SIZE << (*pgp)->order;
	}
	rel = (uintptr_t)p - s->base;
	if (rel >= (uintptr_t)s->nobj * s->stride || rel % s->stride) {
		ma_slab_report(s, p, "%s(%p): not the start of an object of %s", what, p,
			       s->cache->name);
		return 0;
	}
	if (s->cache->debug && !ma_dbg_is_live(s, p, what))
		return 0;
	if (!s->cache->debug &&
	    (((uintptr_t)p & s->amask) ||
	     !(atomic_load_explicit(ma_slot_state(s, p), memory_order_relaxed) & 1))) {
		ma_slab_report(s, p, "%s(%p): the object of %s is not allocated (freed?)", what, p,
			       s->cache->name);
		return 0;
	}
	*sp = s;
	return s->cache->usable;
}

size_t ksize(const void *p)
{
	struct ma_slab *s;
	struct page *pg;
	size_t n;

	if (ZERO_OR_NULL_PTR(p))
		return 0;
	n = ma_usable(p, "ksize", &s, &pg);
	if (n && s && s->cache->debug)
		ma_dbg_resize(s, (void *)(uintptr_t)p, n); /* the caller may use all of it now */
	return n;
}

size_t kmalloc_size_roundup(size_t size)
{
	struct minalign_config def;
	const struct minalign_config *cfg = &ma_cfg;

	if (!size)
		return 0;
	if (size <= KMALLOC_MAX_CACHE_SIZE) {
		if (!ma_is_up()) {
			minalign_config_init(&def);
			cfg = &def;
		}
		return ma_km_class_size(size, ma_km_minalign(cfg, MA_KM_NORMAL));
	}
	if (size > KMALLOC_MAX_SIZE)
		return size;
	return PAGE_SIZE << get_order(size);
}

/* ---- krealloc and copies ---------------------------------------------------------------- */

/* May the allocation (slab @s or large @pg) stay in place for a request with @flags? */
static bool ma_kind_fits(const struct ma_slab *s, const struct page *pg, gfp_t flags)
{
	bool want_dma = flags & __GFP_DMA;
	bool want_packed = (flags & __GFP_PACKED) && ma_cfg.policy == MINALIGN_POLICY_PACKED;

	if (pg)
		return !want_dma ||
		       ma_page_to_phys(pg) + (PAGE_SIZE << pg->order) <= ((phys_addr_t)1 << 32);
	if (want_dma)
		return s->cache->km_type == MA_KM_DMA;
	if (s->cache->km_type == MA_KM_PACKED)
		return want_packed;
	return true;
}

void *krealloc(const void *p, size_t new_size, gfp_t flags)
{
	struct ma_slab *s;
	struct page *pg;
	size_t old, keep;
	void *n;

	if (ZERO_OR_NULL_PTR(p))
		return kmalloc(new_size, flags);
	if (!new_size) {
		kfree(p);
		return ZERO_SIZE_PTR;
	}
	old = ma_usable(p, "krealloc", &s, &pg);
	if (!old)
		return NULL;
	keep = s && s->cache->debug ? ma_dbg_req(s, p) : old;
	if (new_size <= old && ma_kind_fits(s, pg, flags)) {
		if (s && s->cache->debug)
			ma_dbg_resize(s, (void *)(uintptr_t)p, new_size);
		else if ((flags & __GFP_ZERO) && new_size < old)
			memset((char *)(uintptr_t)p + new_size, 0, old - new_size);
		return (void *)(uintptr_t)p;
	}
	n = kmalloc(new_size, flags & ~(gfp_t)__GFP_ZERO);
	if (!n)
		return NULL;
	keep = MA_MIN(keep, new_size);
	memcpy(n, p, keep);
	if (flags & __GFP_ZERO)
		memset((char *)n + keep, 0, new_size - keep);
	kfree(p);
	return n;
}

char *kstrdup(const char *s, gfp_t flags)
{
	if (!s)
		return NULL;
	return kmemdup(s, strlen(s) + 1, flags);
}

void *kmemdup(const void *src, size_t len, gfp_t flags)
{
	void *p = kmalloc(len, flags);

	if (p && !ZERO_OR_NULL_PTR(p))
		memcpy(p, src, len);
	return p;
}

size_t dma_get_cache_alignment(void)
{
	return ma_is_up() ? ma_cfg.cache_line : 128;
}
