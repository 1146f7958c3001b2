/* SPDX-License-Identifier: MIT */
/*
 * dma/optin.c - which code mapped kmalloc buffers that were not allocated DMA-safe.
 *
 * Owns the table of opt-in sites behind minalign_dma_optin_sites() and
 * minalign_dma_optin_report() (minalign/dma-optin.h).  A site is a (caller, device, call)
 * triple: the return address into the code that called dma_map_single/page/sg, the device's
 * name, and the call.  mapping.c calls ma_dma_optin_note() after a bounce for cache-line sharing
 * succeeded, only when ma_dma_optin_on(); the buffer counts when ma_slab_slot() says it is a
 * kmalloc object ("kmalloc-N" cache: GFP_DMA objects come from dma-kmalloc-N and own their
 * lines, so they are never bounced for sharing).
 *
 * The caller: backtrace() of the bounce path; the exported dma_map_* functions live in the
 * section "ma_dma_entry" (MA_DMA_ENTRY), so the frame after the outermost one inside it is the
 * driver's.  dladdr() names it when the symbol is visible (a shared object, or an executable
 * linked with -rdynamic); else the offset is from the object's base, for addr2line.  Both run
 * once per new site; a known site costs the backtrace and a lookup.
 *
 * Invariants: sites[0..nsites) are distinct triples; strings are copied into the entry (a
 * device may be destroyed before the report).  The table lives from ma_dma_optin_init()
 * (minalign_init) to the next one, so it can be read after minalign_exit().
 *
 * Locking: ma_optin.lock (a mutex, leaf) over the table; taken on the bounce path of the
 * recording modes only and by the readers.  Fast path: none (the direct path never comes
 * here).  No allocation here (backtrace and dladdr may allocate inside libc on their first use).
 */
#include "dma/internal.h"

#include <dlfcn.h>
#include <execinfo.h>
#include <inttypes.h>

#include <minalign/dma-optin.h>

/* Bounds of the MA_DMA_ENTRY section, defined by the linker. */
extern const char __start_ma_dma_entry[] __attribute__((visibility("hidden")));
extern const char __stop_ma_dma_entry[] __attribute__((visibility("hidden")));

#define MA_OPTIN_FRAMES 32
#define MA_OPTIN_NAME	64

struct ma_optin_entry {
	const void *caller;
	const char *call; /* a static string of mapping.c or sg.c */
	char device[MA_OPTIN_NAME];
	char function[MA_OPTIN_NAME];
	char object[MA_OPTIN_NAME];
	char cache[24];
	size_t offset;
	uint64_t bounces, bytes;
	size_t size_min, size_max;
};

static struct {
	ma_mutex_t lock;
	unsigned int nsites;
	uint64_t dropped;
	struct ma_optin_entry sites[MINALIGN_DMA_OPTIN_MAX];
} ma_optin = {.lock = MA_MUTEX_INIT};

void ma_dma_optin_init(void)
{
	ma_mutex_lock(&ma_optin.lock);
	ma_optin.nsites = 0;
	ma_optin.dropped = 0;
	ma_mutex_unlock(&ma_optin.lock);
}

static bool ma_in_entry(const void *pc)
{
	const char *p = pc;

	return p >= __start_ma_dma_entry && p < __stop_ma_dma_entry;
}

/* The return address into the code that called the outermost dma_map_* entry, or NULL. */
static const void *ma_optin_caller(void)
{
	void *pcs[MA_OPTIN_FRAMES];
	int n = backtrace(pcs, MA_OPTIN_FRAMES), i, last = -1;

	for (i = 0; i < n; i++)
		if (ma_in_entry(pcs[i]))
			last = i;
	return last >= 0 && last + 1 < n ? pcs[last + 1] : NULL;
}

static void ma_copy(char *dst, size_t room, const char *src)
{
	snprintf(dst, room, "%s", src ? src : "");
}

/* Name @e->caller (dladdr): function + offset, or object + offset from its base. */
static void ma_optin_name(struct ma_optin_entry *e)
{
	Dl_info info;
	const char *base;

	e->function[0] = e->object[0] = '\0';
	e->offset = 0;
	/* return addresses point after the call: look up the call instruction's byte */
	if (!e->caller || !dladdr((const char *)e->caller - 1, &info))
		return;
	if (info.dli_fname) {
		base = strrchr(info.dli_fname, '/');
		ma_copy(e->object, sizeof(e->object), base ? base + 1 : info.dli_fname);
	}
	if (info.dli_sname && info.dli_saddr) {
		ma_copy(e->function, sizeof(e->function), info.dli_sname);
		e->offset = (size_t)((const char *)e->caller - (const char *)info.dli_saddr);
	} else if (info.dli_fbase) {
		e->offset = (size_t)((const char *)e->caller - (const char *)info.dli_fbase);
	}
}

static struct ma_optin_entry *ma_optin_find(const void *caller, const char *dev, const char *what)
{
	struct ma_optin_entry *e;
	unsigned int i;

	for (i = 0; i < ma_optin.nsites; i++) {
		e = &ma_optin.sites[i];
		if (e->caller == caller && e->call == what &&
		    !strncmp(e->device, dev, MA_OPTIN_NAME - 1))
			return e;
	}
	if (ma_optin.nsites == MINALIGN_DMA_OPTIN_MAX)
		return NULL;
	e = &ma_optin.sites[ma_optin.nsites++];
	memset(e, 0, sizeof(*e));
	e->caller = caller;
	e->call = what;
	e->size_min = SIZE_MAX;
	ma_copy(e->device, sizeof(e->device), dev);
	ma_optin_name(e);
	return e;
}

void ma_dma_optin_note(struct device *dev, phys_addr_t phys, size_t size, const char *what)
{
	struct ma_slab_slot slot;
	struct ma_optin_entry *e;
	const void *caller;

	if (!ma_slab_slot(ma_phys_to_virt(phys), &slot) || strncmp(slot.cache, "kmalloc-", 8))
		return;
	caller = ma_optin_caller();
	ma_mutex_lock(&ma_optin.lock);
	e = ma_optin_find(caller, dev_name(dev), what);
	if (!e) {
		ma_optin.dropped++;
		goto out;
	}
	if (!e->bounces)
		ma_copy(e->cache, sizeof(e->cache), slot.cache);
	e->bounces++;
	e->bytes += size;
	e->size_min = size < e->size_min ? size : e->size_min;
	e->size_max = size > e->size_max ? size : e->size_max;
out:
	ma_mutex_unlock(&ma_optin.lock);
}

/* ---- readers ---------------------------------------------------------------------------- */

static int ma_optin_cmp(const void *pa, const void *pb)
{
	const struct ma_optin_entry *a = pa, *b = pb;
	int c;

	if (a->bounces != b->bounces)
		return a->bounces > b->bounces ? -1 : 1;
	c = strcmp(a->device, b->device);
	if (c)
		return c;
	if (a->caller != b->caller)
		return (uintptr_t)a->caller < (uintptr_t)b->caller ? -1 : 1;
	return strcmp(a->call, b->call);
}

static void ma_optin_export(struct minalign_dma_optin_site *s, const struct ma_optin_entry *e)
{
	s->caller = e->caller;
	s->function = e->function[0] ? e->function : NULL;
	s->offset = e->offset;
	s->object = e->object[0] ? e->object : NULL;
	s->device = e->device;
	s->call = e->call;
	s->cache = e->cache;
	s->bounces = e->bounces;
	s->bytes = e->bytes;
	s->size_min = e->size_min;
	s->size_max = e->size_max;
}

size_t minalign_dma_optin_sites(struct minalign_dma_optin_site *sites, size_t max,
				uint64_t *dropped)
{
	size_t n, i;

	ma_mutex_lock(&ma_optin.lock);
	n = ma_optin.nsites;
	/* sorted in place: the order of the table does not matter to the writers */
	qsort(ma_optin.sites, n, sizeof(ma_optin.sites[0]), ma_optin_cmp);
	for (i = 0; i < n && i < max && sites; i++)
		ma_optin_export(&sites[i], &ma_optin.sites[i]);
	if (dropped)
		*dropped = ma_optin.dropped;
	ma_mutex_unlock(&ma_optin.lock);
	return n;
}

int minalign_dma_optin_report(FILE *out)
{
	struct minalign_dma_optin_site s[MINALIGN_DMA_OPTIN_MAX];
	size_t n = minalign_dma_optin_sites(s, MINALIGN_DMA_OPTIN_MAX, NULL), i;
	int err = 0;

	if (!out)
		out = stderr;
	for (i = 0; i < n; i++) {
		if (fprintf(out,
			    "%s: %s+0x%zx (%s) %s: %" PRIu64 " bounce(s), %" PRIu64
			    " bytes, %zu..%zu bytes, %s: not allocated DMA-safe (GFP_DMA or "
			    "dma_kmalloc)\n",
			    s[i].device, s[i].function ? s[i].function : "?", s[i].offset,
			    s[i].object ? s[i].object : "?", s[i].call, s[i].bounces, s[i].bytes,
			    s[i].size_min, s[i].size_max, s[i].cache) < 0)
			err = -EIO;
	}
	if (fflush(out))
		err = -EIO;
	return err ? err : (int)n;
}

/* fork (lib/fork.c): the table's mutex is held across fork; the child's copy is released. */
void ma_dma_optin_atfork(enum ma_fork_phase phase)
{
	if (phase == MA_FORK_PREPARE)
		ma_mutex_lock(&ma_optin.lock);
	else
		ma_mutex_unlock(&ma_optin.lock);
}
