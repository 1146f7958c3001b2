/* SPDX-License-Identifier: MIT */
/*
 * preload/malloc.c - libminalign-malloc.so: the C malloc family over kmalloc, for LD_PRELOAD.
 *
 * It is how real programs exercise the allocator: `LD_PRELOAD=libminalign-malloc.so prog`.
 * The library's objects are linked in (nothing else of minalign is exported: a version script
 * keeps only the malloc family global), with cache_model COHERENT and DMA debugging off.
 *
 * Where memory comes from:
 *  - kmalloc for every request kmalloc can serve (up to KMALLOC_MAX_SIZE, 4 MiB, or the
 *    MINALIGN_MALLOC_MMAP threshold): sizes below 16 take 16 bytes (malloc's alignment is 16),
 *    an alignment above 16 takes the power-of-two class of max(size, alignment) (classes and
 *    kmalloc-large blocks are naturally aligned);
 *  - between kmalloc's classes, kmem_cache_create() caches (16-aligned, "malloc-N") so that no
 *    request wastes more than a quarter of its object: 48, 80, 160, then four steps per
 *    doubling from 256 to 8192 (320, 384, 448, 640, ..., 7168) and 10240, 12288.  Real
 *    programs allocate exact sizes just above a power of two (sqlite: 1032-byte and 4 KiB +
 *    header records), which kmalloc's classes would round up to nearly twice their size in
 *    resident memory (glibc rounds to 16 bytes).  kfree() frees them like any slab object.
 *    Above 12288 kmalloc-large serves, and the pages of its block past the request are given
 *    back to the host (an earlier user may have touched them);
 *  - an anonymous mapping for anything larger, or when kmalloc fails (the simulated RAM is
 *    full), with a header before the pointer (magic, mapping, usable size);
 *  - the boot arena (boot_arena.c) while minalign starts, and for every allocation the
 *    library itself makes while inside kmalloc/kfree (its metadata calls calloc): a per-thread
 *    depth counter says so.  Without it those calls would recurse into kmalloc.
 * free() tells them apart by address: a range check for the simulated RAM, one for the boot
 * arena; anything else must carry the mapping header (a pointer without it is ignored).
 *
 * realloc keeps the block when the new size fits and is not below half of it (a big shrink
 * moves to a smaller class, unlike krealloc); calloc zeroes only the bytes asked for (a fresh
 * mapping is not zeroed at all).
 *
 * Environment (read once, at the first allocation):
 *   MINALIGN_MALLOC_POLICY  legacy | bounce (default) | packed | dma_opt_in | naive
 *   MINALIGN_CACHE_LINE     the simulated line (default 128)
 *   MINALIGN_DEBUG_SLAB     non-zero: red zones, poisoning, exact free checks on every cache
 *   MINALIGN_ARENA          simulated RAM, bytes with an optional k/m/g suffix (default 8g)
 *   MINALIGN_MALLOC_MMAP    requests above this go to mmap (default 4m, kmalloc's reach)
 *   MINALIGN_MALLOC_STATS   non-zero: a summary of the kmalloc statistics on stderr at exit
 *
 * Threads and fork: kmalloc is thread-safe; minalign's own pthread_atfork handlers keep the
 * allocator usable in a fork child, and the boot arena's lock is held across fork too.
 * minalign_exit() is never called (other libraries free memory in their destructors).
 */
#include <minalign/minalign.h>

#include "mm/mm.h"
#include "preload/preload.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define PL_EXPORT	 __attribute__((visibility("default")))
#define PL_MIN		 16 /* malloc's alignment */
#define PL_MAP_MAGIC	 0x6d696e616c69676eull
#define PL_DEFAULT_ARENA ((size_t)8 << 30)

enum { PL_DOWN, PL_STARTING, PL_UP, PL_FAILED };

static atomic_int pl_state;
static uintptr_t pl_ram;   /* CPU address of the simulated RAM (once up) */
static size_t pl_ram_size; /* its size; 0 until up */
static size_t pl_mmap_over = KMALLOC_MAX_SIZE;
static bool pl_stats_at_exit;
static _Atomic uint64_t pl_maps, pl_map_bytes, pl_boot;
static __thread unsigned int pl_depth __attribute__((tls_model("initial-exec")));

/* The header before a mapped block's pointer. */
struct pl_map_hdr {
	uint64_t magic;
	void *base;
	size_t len, usable;
};

/* ---- configuration ---------------------------------------------------------------------- */

static size_t pl_env_size(const char *name, size_t dflt)
{
	const char *v = getenv(name);
	char *end;
	unsigned long long n;

	if (!v || !*v)
		return dflt;
	n = strtoull(v, &end, 0);
	switch (*end | 0x20) {
	case 'k':
		n <<= 10;
		break;
	case 'm':
		n <<= 20;
		break;
	case 'g':
		n <<= 30;
		break;
	default:
		break;
	}
	return n ? (size_t)n : dflt;
}

static enum minalign_policy pl_env_policy(void)
{
	static const char *const names[] = {[MINALIGN_POLICY_LEGACY] = "legacy",
					    [MINALIGN_POLICY_BOUNCE] = "bounce",
					    [MINALIGN_POLICY_PACKED] = "packed",
					    [MINALIGN_POLICY_DMA_OPT_IN] = "dma_opt_in",
					    [MINALIGN_POLICY_NAIVE] = "naive"};
	const char *v = getenv("MINALIGN_MALLOC_POLICY");

	for (unsigned int i = 0; v && i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i] && !strcmp(v, names[i]))
			return (enum minalign_policy)i;
	return MINALIGN_POLICY_BOUNCE;
}

static void pl_configure(struct minalign_config *c)
{
	const char *dbg = getenv("MINALIGN_DEBUG_SLAB"), *st = getenv("MINALIGN_MALLOC_STATS");

	minalign_config_init(c);
	c->cache_model = MINALIGN_CACHE_COHERENT;
	c->debug = dbg && *dbg && strcmp(dbg, "0") ? MINALIGN_DEBUG_SLAB : 0;
	c->policy = pl_env_policy();
	c->cache_line = (unsigned int)pl_env_size("MINALIGN_CACHE_LINE", c->cache_line);
	c->swiotlb_dynamic = false;	    /* no worker thread: nothing here maps for DMA */
	c->swiotlb_size = (size_t)64 << 10; /* BOUNCE keeps 8-byte kmalloc with any pool */
	c->ram_size = sizeof(void *) == 8 ? pl_env_size("MINALIGN_ARENA", PL_DEFAULT_ARENA)
					  : pl_env_size("MINALIGN_ARENA", c->ram_size);
	pl_mmap_over = MA_MIN(pl_env_size("MINALIGN_MALLOC_MMAP", KMALLOC_MAX_SIZE),
			      (size_t)KMALLOC_MAX_SIZE);
	pl_stats_at_exit = st && *st && strcmp(st, "0");
}

/*
 * The in-between caches, and per size step the one to use or NULL (kmalloc's class): sizes
 * up to 256 by 16 bytes (slot (size - 1) >> 4), then up to PL_MID_MAX by 128
 * (16 + (size - 1) >> 7).
 */
#define PL_MID_MAX   16384
#define PL_MID_SLOTS (16 + (PL_MID_MAX >> 7))
static const unsigned int pl_mid_sizes[] = {48,	  80,	160,  320,  384,   448,	 640,
					    768,  896,	1280, 1536, 1792,  2560, 3072,
					    3584, 5120, 6144, 7168, 10240, 12288};
#define PL_NR_MID (sizeof(pl_mid_sizes) / sizeof(pl_mid_sizes[0]))
static struct kmem_cache *pl_mid_cache[PL_NR_MID];
static struct kmem_cache *pl_mid[PL_MID_SLOTS];

static inline unsigned int pl_mid_slot(size_t k)
{
	return k <= 256 ? (unsigned int)((k - 1) >> 4) : 16 + (unsigned int)((k - 1) >> 7);
}

/* What kmalloc gives a request of @size bytes (1..PL_MID_MAX), pages above its classes. */
static size_t pl_kmalloc_bytes(size_t size)
{
	if (size <= KMALLOC_MAX_CACHE_SIZE)
		return kmalloc_size_roundup(size);
	return MA_ALIGN_UP(size, PAGE_SIZE); /* resident pages (pl_large_trim()) */
}

/* Create the in-between caches and fill pl_mid[] (a failed cache leaves kmalloc's class). */
static void pl_mid_setup(void)
{
	char name[32];

	for (unsigned int i = 0; i < PL_NR_MID; i++) {
		snprintf(name, sizeof(name), "malloc-%u", pl_mid_sizes[i]);
		pl_mid_cache[i] = kmem_cache_create(name, pl_mid_sizes[i], PL_MIN, 0, NULL);
	}
	for (unsigned int slot = 0; slot < PL_MID_SLOTS; slot++) {
		size_t top = slot < 16 ? ((size_t)slot + 1) << 4 : ((size_t)slot - 15) << 7;
		size_t km = pl_kmalloc_bytes(top);

		pl_mid[slot] = NULL;
		for (unsigned int i = 0; i < PL_NR_MID; i++)
			if (pl_mid_cache[i] && pl_mid_sizes[i] >= top && pl_mid_sizes[i] < km) {
				pl_mid[slot] = pl_mid_cache[i];
				break;
			}
	}
}

/* Bring minalign up once; false while another thread is doing it or when it failed. */
static __attribute__((noinline)) bool pl_start(void)
{
	int expect = PL_DOWN;
	struct minalign_config c;

	if (!atomic_compare_exchange_strong(&pl_state, &expect, PL_STARTING))
		return atomic_load(&pl_state) == PL_UP;
	pl_depth++;
	pl_configure(&c);
	if (minalign_init(&c) == 0) {
		pl_mid_setup();
		pl_ram = (uintptr_t)ma_mem.cpu;
		pl_ram_size = ma_mem.size;
		atomic_store(&pl_state, PL_UP);
	} else {
		atomic_store(&pl_state, PL_FAILED);
	}
	pl_depth--;
	return atomic_load(&pl_state) == PL_UP;
}

static inline bool pl_in_ram(const void *p)
{
	return (uintptr_t)p - pl_ram < pl_ram_size;
}

/* ---- mapped blocks ---------------------------------------------------------------------- */

static struct pl_map_hdr *pl_hdr(void *p)
{
	return (struct pl_map_hdr *)p - 1;
}

/* A fresh mapping (zero-filled) of @size bytes at @align (a power of two, >= PL_MIN). */
static void *pl_map(size_t size, size_t align)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), pad = sizeof(struct pl_map_hdr), len;
	unsigned char *base;
	uintptr_t user;
	struct pl_map_hdr *h;

	if (align > pad)
		pad = align;
	if (size > SIZE_MAX - pad - page)
		return NULL;
	len = MA_ALIGN_UP(size + pad + (align > PL_MIN ? align : 0), page);
	base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	user = MA_ALIGN_UP((uintptr_t)base + sizeof(struct pl_map_hdr), align);
	h = pl_hdr((void *)user);
	*h = (struct pl_map_hdr){PL_MAP_MAGIC, base, len,
				 (size_t)(base + len - (unsigned char *)user)};
	atomic_fetch_add_explicit(&pl_maps, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&pl_map_bytes, len, memory_order_relaxed);
	return (void *)user;
}

static void pl_unmap(void *p)
{
	struct pl_map_hdr *h = pl_hdr(p);

	if (h->magic != PL_MAP_MAGIC) /* not ours (the loader's early memory): leave it */
		return;
	h->magic = 0;
	atomic_fetch_sub_explicit(&pl_maps, 1, memory_order_relaxed);
	atomic_fetch_sub_explicit(&pl_map_bytes, h->len, memory_order_relaxed);
	munmap(h->base, h->len);
}

/* ---- the allocator ---------------------------------------------------------------------- */

/* Memory while kmalloc cannot be used (starting, or the library's own calls): zeroed. */
static void *pl_boot_alloc(size_t size, size_t align)
{
	void *p = align <= PL_MIN ? ba_alloc(size) : NULL;

	atomic_fetch_add_explicit(&pl_boot, 1, memory_order_relaxed);
	return p ? p : pl_map(size, align);
}

static inline size_t pl_pow2(size_t n)
{
	return n <= 1 ? 1 : (size_t)1 << (64 - __builtin_clzll((unsigned long long)n - 1));
}

/*
 * A kmalloc-large block is a power-of-two run of pages: give the pages past the request back
 * to the host (an earlier user of the block may have touched them), so the resident size is
 * the request rounded to pages, not to the block.
 */
static void pl_large_trim(void *p, size_t size)
{
	size_t used = MA_ALIGN_UP(size, PAGE_SIZE), block = PAGE_SIZE << get_order(size);

	if (block > used)
		ma_plat_discard((unsigned char *)p + used, block - used);
}

/* @align: 0 or a power of two; @zero: calloc. */
static void *pl_alloc(size_t size, size_t align, bool zero)
{
	size_t k = size < PL_MIN ? PL_MIN : size;
	void *p;

	if (ma_unlikely(pl_depth) ||
	    ma_unlikely(atomic_load_explicit(&pl_state, memory_order_relaxed) != PL_UP &&
			!pl_start()))
		return pl_boot_alloc(size, MA_MAX(align, (size_t)PL_MIN));
	if (align > PL_MIN)
		k = pl_pow2(MA_MAX(k, align));
	if (ma_likely(k <= pl_mmap_over)) {
		struct kmem_cache *mid = k <= PL_MID_MAX ? pl_mid[pl_mid_slot(k)] : NULL;

		pl_depth++;
		p = mid ? kmem_cache_alloc(mid, GFP_KERNEL) : kmalloc(k, GFP_KERNEL);
		pl_depth--;
		if (ma_likely(p)) {
			if (ma_unlikely(k > KMALLOC_MAX_CACHE_SIZE && !mid))
				pl_large_trim(p, size);
			if (zero)
				memset(p, 0, size);
			return p;
		}
	}
	return pl_map(size, MA_MAX(align, (size_t)PL_MIN)); /* zero-filled */
}

static size_t pl_usable(void *p)
{
	size_t n;

	if (pl_in_ram(p)) {
		pl_depth++;
		n = ksize(p);
		pl_depth--;
		return n;
	}
	if (ba_owns(p))
		return ba_usable(p);
	return pl_hdr(p)->magic == PL_MAP_MAGIC ? pl_hdr(p)->usable : 0;
}

PL_EXPORT void free(void *p)
{
	if (!p)
		return;
	if (ma_likely(pl_in_ram(p))) {
		pl_depth++;
		kfree(p);
		pl_depth--;
	} else if (ba_owns(p)) {
		ba_release(p);
	} else {
		pl_unmap(p);
	}
}

PL_EXPORT void *malloc(size_t size)
{
	void *p = pl_alloc(size, 0, false);

	if (!p)
		errno = ENOMEM;
	return p;
}

PL_EXPORT void *calloc(size_t n, size_t size)
{
	size_t bytes;
	void *p;

	if (__builtin_mul_overflow(n, size, &bytes)) {
		errno = ENOMEM;
		return NULL;
	}
	p = pl_alloc(bytes, 0, true);
	if (!p)
		errno = ENOMEM;
	return p;
}

PL_EXPORT void *realloc(void *p, size_t size)
{
	size_t old;
	void *q;

	if (!p)
		return malloc(size);
	if (!size) {
		free(p);
		return NULL;
	}
	old = pl_usable(p);
	/* fits, and not a big shrink (that moves to a smaller class; krealloc never does) */
	if (size <= old && (old <= 2 * PL_MIN || size > old / 2))
		return p;
	q = malloc(size);
	if (!q)
		return NULL;
	memcpy(q, p, MA_MIN(old, size));
	free(p);
	return q;
}

PL_EXPORT void *reallocarray(void *p, size_t n, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, bytes);
}

static bool pl_pow2_ok(size_t a)
{
	return a && !(a & (a - 1));
}

PL_EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
	void *p;

	if (!pl_pow2_ok(align) || align % sizeof(void *))
		return EINVAL;
	p = pl_alloc(size, align, false);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

PL_EXPORT void *memalign(size_t align, size_t size)
{
	void *p;

	if (!pl_pow2_ok(align)) {
		errno = EINVAL;
		return NULL;
	}
	p = pl_alloc(size, align, false);
	if (!p)
		errno = ENOMEM;
	return p;
}

PL_EXPORT void *aligned_alloc(size_t align, size_t size)
{
	return memalign(align, size);
}

PL_EXPORT void *valloc(size_t size)
{
	return memalign((size_t)sysconf(_SC_PAGESIZE), size);
}

PL_EXPORT void *pvalloc(size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return memalign(page, MA_ALIGN_UP(size ? size : 1, page));
}

PL_EXPORT size_t malloc_usable_size(void *p)
{
	return p ? pl_usable(p) : 0;
}

/* ---- process start and exit -------------------------------------------------------------- */

static void pl_fork_prepare(void)
{
	ba_atfork(0);
}

static void pl_fork_parent(void)
{
	ba_atfork(1);
}

static void pl_fork_child(void)
{
	ba_atfork(2);
}

static __attribute__((constructor)) void pl_load(void)
{
	pl_depth++; /* pthread_atfork may allocate: from the boot arena */
	pthread_atfork(pl_fork_prepare, pl_fork_parent, pl_fork_child);
	pl_depth--;
}

static __attribute__((destructor)) void pl_unload(void)
{
	struct minalign_stats st;

	if (!pl_stats_at_exit || atomic_load(&pl_state) != PL_UP)
		return;
	minalign_get_stats(&st);
	fprintf(stderr,
		"minalign-malloc: slab %llu bytes in slabs, %llu live objects; kmalloc-large %llu "
		"bytes; pages free %llu of %llu; mapped blocks %llu (%llu bytes); boot arena "
		"allocations %llu\n",
		(unsigned long long)st.slab_bytes, (unsigned long long)st.slab_objects,
		(unsigned long long)st.kmalloc_large_bytes, (unsigned long long)st.pages_free,
		(unsigned long long)(st.ram_bytes >> PAGE_SHIFT),
		(unsigned long long)atomic_load(&pl_maps),
		(unsigned long long)atomic_load(&pl_map_bytes),
		(unsigned long long)atomic_load(&pl_boot));
}
