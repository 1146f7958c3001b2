/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fz.h - the API-sequence fuzzer: shared state, shadow model and helpers.
 *
 * One input is one life of the library: a configuration decoded from the first bytes, then a
 * sequence of operations, each an opcode byte and its argument bytes (fz_main.c lists them).
 * The shadow model mirrors everything the sequence holds: objects (kmalloc, kmem_cache, pages,
 * coherent, dma_pool, devm, dmam) with a shadow copy of their contents, caches, devices, pools,
 * streaming mappings (single and sg) with what the CPU and the device must see, and the number
 * of misuse reports the sequence has earned.  Valid operations are issued only when the model
 * says they are legal; a deliberate-misuse class earns exactly one report each.
 *
 * Corruption is allowed only where the configuration promises no safety: an unbounced inbound
 * mapping on a non-coherent device whose edge cache lines may hold someone else's bytes, under
 * the NAIVE policy or Linux's size heuristic.  Such a mapping "taints" its edge lines: their
 * bytes are not checked while it lives and are re-read from memory when it ends, and report
 * counts are no longer exact.  Every other byte is checked exactly.
 */
#ifndef MINALIGN_FUZZ_FZ_H
#define MINALIGN_FUZZ_FZ_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <minalign/minalign.h>

#define FZ_MAX_OBJ   64
#define FZ_MAX_MAP   32
#define FZ_MAX_CACHE 6
#define FZ_MAX_DEV   4
#define FZ_MAX_POOL  4
#define FZ_MAX_SG    4
#define FZ_SG_SEGS   4
#define FZ_MAX_ACT   32
#define FZ_LIVE_MAX  ((size_t)3 << 20) /* bytes of live objects the model keeps shadows of */
#define FZ_CTOR_LEN  16		       /* bytes a cache constructor writes */
#define FZ_MAX_OPS   400	       /* operations decoded from one input */

enum fz_kind {
	FZ_FREE,     /* slot unused */
	FZ_KMALLOC,  /* kmalloc family (any size, incl. large) */
	FZ_CACHEOBJ, /* kmem_cache_alloc */
	FZ_PAGES,    /* alloc_pages */
	FZ_COHERENT, /* dma_alloc_coherent */
	FZ_POOLBLK,  /* dma_pool_alloc */
	FZ_DEVM,     /* devm_kmalloc family */
	FZ_DMAM,     /* dmam_alloc_coherent */
};

struct fz_obj {
	enum fz_kind kind;
	unsigned char *p;
	size_t size;	       /* bytes the model knows (and checks) */
	unsigned char *shadow; /* what the CPU must read there */
	gfp_t gfp;
	bool packed;	    /* a __GFP_PACKED object under PACKED: never DMA'd inbound */
	bool line_owned;    /* the policy promises p is line-aligned and its slot line-granular */
	int cache;	    /* FZ_CACHEOBJ: the cache slot */
	int dev;	    /* coherent, pool, devm, dmam: the owning device slot */
	int pool;	    /* FZ_POOLBLK */
	unsigned int order; /* FZ_PAGES, coherent: block order */
	struct page *page;  /* FZ_PAGES */
	dma_addr_t handle;  /* coherent, pool block, dmam */
	unsigned int nmaps; /* live streaming mappings of this object */
	unsigned int devm_seq; /* FZ_DEVM/FZ_DMAM: acquisition number on its device */
	size_t ksz;	       /* what ksize() must say (0: not known) */
	bool large;	       /* kmalloc beyond KMALLOC_MAX_CACHE_SIZE: pages, not a slab */
};

struct fz_cache {
	struct kmem_cache *c;
	unsigned int size, align;
	slab_flags_t flags;
	bool ctor;
	bool line_owned;
	unsigned int live; /* objects allocated from it */
	bool zombie;	   /* destroyed with live objects (misuse): only kfree from now on */
};

struct fz_dev {
	struct device *d;
	bool coherent, force_bounce;
	unsigned int dma_bits;
	u64 mask; /* streaming mask */
	unsigned int min_align_mask;
	unsigned int devm_seq;		  /* acquisitions so far */
	int act[FZ_MAX_ACT];		  /* live devm actions: ids, oldest first */
	unsigned int act_seq[FZ_MAX_ACT]; /* their acquisition numbers */
	unsigned int nact;
};

struct fz_pool {
	struct dma_pool *p;
	int dev;
	size_t size, align, boundary;
	unsigned int live;
};

/* One streaming mapping (a single mapping, or one segment of an sg mapping). */
struct fz_map {
	bool live;
	int obj, dev, sg; /* sg: group slot, or -1 */
	size_t off, len;  /* the range of the object */
	enum dma_data_direction dir;
	bool page_api; /* dma_map_page (unmapped with dma_unmap_page) */
	bool skip;     /* DMA_ATTR_SKIP_CPU_SYNC at map and unmap */
	dma_addr_t addr;
	bool bounced;	     /* is_swiotlb_buffer() said so */
	bool tainted;	     /* may lose data on its edge lines (see the header comment) */
	bool cpu_owned;	     /* after a full sync_for_cpu, before sync_for_device */
	bool cpu_dirty;	     /* the CPU wrote the range while it owned it */
	bool dev_known;	     /* the device sees `old` (false after a SKIP_CPU_SYNC map) */
	unsigned char *old;  /* len: the CPU's bytes when the device got the buffer */
	unsigned char *dval; /* len: what the device wrote */
	unsigned char *dw;   /* len: 1 where the device wrote */
};

struct fz_sg {
	bool live;
	int nents;
	enum dma_data_direction dir;
	int dev;
	int map[FZ_SG_SEGS];
	struct scatterlist sgl[FZ_SG_SEGS];
};

struct fz_state {
	struct minalign_config cfg;
	size_t line;
	bool up;
	struct fz_obj obj[FZ_MAX_OBJ];
	struct fz_cache cache[FZ_MAX_CACHE];
	struct fz_dev dev[FZ_MAX_DEV];
	struct fz_pool pool[FZ_MAX_POOL];
	struct fz_map map[FZ_MAX_MAP];
	struct fz_sg sg[FZ_MAX_SG];
	size_t live_bytes;
	unsigned int nmaps, nbounced;
	/* reports: the handler's count must stay within [rep_lo, rep_hi] unless relaxed */
	uint64_t reports, rep_lo, rep_hi;
	char last_report[256];
	bool relaxed; /* a tainted mapping existed: report counts are no longer exact */
	bool faults;  /* fault injection armed */
	unsigned int fault_ops;
	uint64_t conflicts0; /* sim_conflicts when the run started */
	int act_next;	     /* devm action ids */
	int act_log[FZ_MAX_ACT * 2];
	unsigned int act_nlog;
	unsigned int step;
	int trace;
	unsigned int rot; /* rotating object for per-step content checks */
};

extern struct fz_state fz;

/* ---- input --------------------------------------------------------------------------- */

struct fz_in {
	const uint8_t *p;
	size_t n, i;
};

static inline unsigned int fz_u8(struct fz_in *in)
{
	return in->i < in->n ? in->p[in->i++] : 0;
}

static inline unsigned int fz_u16(struct fz_in *in)
{
	unsigned int lo = fz_u8(in);

	return lo | (fz_u8(in) << 8);
}

static inline bool fz_more(const struct fz_in *in)
{
	return in->i < in->n;
}

/* ---- failing and tracing --------------------------------------------------------------- */

#define FZ_CHECK(cond, ...)                                              \
	do {                                                             \
		if (!(cond))                                             \
			fz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__); \
	} while (0)

__attribute__((noreturn, format(printf, 4, 5))) void
fz_fail(const char *file, int line, const char *cond, const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void fz_trace(const char *fmt, ...);

/* ---- patterns ------------------------------------------------------------------------ */

static inline unsigned char fz_pat(unsigned int seed, size_t i)
{
	return (unsigned char)(seed * 151u + i * 7u + (i >> 8) * 13u + 1u);
}

void fz_stamp(unsigned char *dst, unsigned char *shadow, size_t n, unsigned int seed);

/* ---- model helpers (fz_model.c) --------------------------------------------------------- */

int fz_obj_slot(void);
int fz_pick_obj(unsigned int sel, bool (*ok)(const struct fz_obj *o));
bool fz_obj_add(int i, enum fz_kind kind, void *p, size_t size);
void fz_obj_del(int i);
void fz_obj_check(int i);
void fz_obj_check_all(void);
void fz_obj_resync(int i, size_t off, size_t len);
bool fz_byte_volatile(const struct fz_obj *o, size_t off);
bool fz_tainted_addr(uintptr_t a);
bool fz_obj_on_tainted_line(const struct fz_obj *o);
bool fz_tainted_live(void);
void fz_resync_lines(uintptr_t lo, uintptr_t hi);
uintptr_t fz_line_down(uintptr_t a);
bool fz_maybe_shared(const struct fz_obj *o, size_t off, size_t len);
bool fz_map_allowed(int obj, size_t off, size_t len, enum dma_data_direction dir, int dev,
		    int sg_skip);
bool fz_must_bounce(int obj, size_t off, size_t len, enum dma_data_direction dir, int dev);
bool fz_null_ok(size_t size, gfp_t gfp);
bool fz_overlaps_live(const void *p, size_t size);
void fz_set_line_owned(struct fz_obj *o);
void fz_expect_reports(unsigned int lo, unsigned int hi);
void fz_check_reports(const char *what);
void fz_check_stats(void);
void fz_check_slab_objects(void);
int fz_pick(unsigned int sel, unsigned int n, bool (*ok)(int i));
bool fz_dev_busy(int d);

/* ---- operations ------------------------------------------------------------------------ */

/* fz_slab.c */
void fz_op_kmalloc(struct fz_in *in);
void fz_op_kfree(struct fz_in *in);
void fz_op_krealloc(struct fz_in *in);
void fz_op_ksize(struct fz_in *in);
void fz_op_cache_create(struct fz_in *in);
void fz_op_cache_alloc(struct fz_in *in);
void fz_op_cache_destroy(struct fz_in *in);
void fz_op_pages(struct fz_in *in);
void fz_op_cpu_write(struct fz_in *in);
void fz_op_cpu_check(struct fz_in *in);
void fz_op_shrink(struct fz_in *in);
void fz_free_obj(int i);
int fz_kmem_record(enum fz_kind kind, void *p, size_t size, gfp_t gfp, bool zeroed,
		   unsigned int seed);
size_t fz_size(struct fz_in *in);
gfp_t fz_gfp(struct fz_in *in);

/* fz_dma.c */
void fz_op_dev_create(struct fz_in *in);
void fz_op_dev_destroy(struct fz_in *in);
void fz_op_dev_mask(struct fz_in *in);
void fz_op_map(struct fz_in *in);
void fz_op_unmap(struct fz_in *in);
void fz_op_sync(struct fz_in *in);
void fz_op_dev_write(struct fz_in *in);
void fz_op_dev_read(struct fz_in *in);
void fz_op_sg_map(struct fz_in *in);
void fz_op_sg_unmap(struct fz_in *in);
void fz_op_sg_sync(struct fz_in *in);
void fz_op_query(struct fz_in *in);
void fz_unmap(int m);
int fz_map_slot(void);
void fz_map_begin(int m, int obj, size_t off, size_t len, enum dma_data_direction dir, int dev);
void fz_map_drop(int m);
void fz_map_forget(int m);
void fz_sg_unmap(int g);
void fz_dev_destroy(int d);

/* fz_coherent.c */
void fz_op_coherent(struct fz_in *in);
void fz_op_pool_create(struct fz_in *in);
void fz_op_pool_alloc(struct fz_in *in);
void fz_op_pool_destroy(struct fz_in *in);
void fz_op_coh_dev_io(struct fz_in *in);
void fz_op_devm(struct fz_in *in);
void fz_op_devm_action(struct fz_in *in);
void fz_pool_destroy(int p);
void fz_devm_released(int d);

/* fz_misuse.c, fz_debug.c */
void fz_op_misuse(struct fz_in *in);
void fz_op_noop(struct fz_in *in);
void fz_op_debug_misuse(struct fz_in *in);

#endif /* MINALIGN_FUZZ_FZ_H */
