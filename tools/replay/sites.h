/* SPDX-License-Identifier: MIT */
/*
 * tools/replay/sites.h - replay per call site: site keys (symbolic, raw, named from a System.map
 * or kallsyms copy), what each site's objects waste at minimum alignments 64 and 128, which
 * sites DMA events show mapped, and the __GFP_PACKED candidates.
 */
#ifndef MINALIGN_TOOLS_REPLAY_SITES_H
#define MINALIGN_TOOLS_REPLAY_SITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/kmclass.h"

#define RS_KEY_LEN    112
#define RS_NO_SITE    UINT32_MAX
#define RS_NALIGN     2 /* waste at minimum alignment 64 and 128 */
#define RS_SIZE_LARGE (KM_NR_CLASSES)
#define RS_SIZE_ZERO  (KM_NR_CLASSES + 1)
#define RS_NSIZES     (KM_NR_CLASSES + 2)

extern const unsigned int rs_aligns[RS_NALIGN]; /* 64, 128 */

/* A System.map or /proc/kallsyms copy: text symbols sorted by address. */
struct rs_sym {
	uint64_t addr;
	uint32_t name; /* offset into rs_symtab.names */
};

struct rs_symtab {
	struct rs_sym *v;
	size_t n, cap;
	char *names;
	size_t nlen, ncap;
};

/* Load @path; 0, or -1 with @err set (unreadable, no symbols, only zero addresses). */
int rs_symbols_load(const char *path, struct rs_symtab *st, char *err, size_t errlen);
void rs_symbols_free(struct rs_symtab *st);

struct rs_site {
	char key[RS_KEY_LEN];
	uint64_t allocs, frees, bytes_req, live, live_bytes_req;
	uint64_t waste_live[RS_NALIGN], waste_total[RS_NALIGN];
	uint64_t sizes[RS_NSIZES]; /* allocations per class at minimum alignment 8 */
	uint64_t dma_maps;	   /* DMA mappings attributed to its live objects */
	bool packed;		   /* allocated with __GFP_PACKED under the packed policy */
};

struct rs_table {
	struct rs_site *v;
	size_t n, cap;
	uint32_t *hash; /* open addressing over indices + 1 (0 = empty) */
	size_t hmask;
};

void rs_table_init(struct rs_table *t);
void rs_table_free(struct rs_table *t);

/*
 * rs_site_key() - the key of a call_site value @site ("" when the event had none) with the
 * module token @module (""): the function name (`--site-offsets`: with +0xoff), " [module]"
 * appended; a raw address named by @syms (may be NULL) with the nearest lower symbol, else
 * "0x<16 hex digits>".
 */
void rs_site_key(const char *site, const char *module, const struct rs_symtab *syms, bool offsets,
		 char *key, size_t len);
/* Index of @key in @t, added if new; 0 or -ENOMEM. */
int rs_intern(struct rs_table *t, const char *key, uint32_t *out);

/* kmalloc_size_roundup(@size) under minimum alignment @align (pages beyond 8 KiB: @size). */
uint64_t rs_roundup(uint64_t size, unsigned int align);
/* The class slot (index, RS_SIZE_LARGE, RS_SIZE_ZERO) of @size at minimum alignment 8. */
unsigned int rs_size_slot(uint64_t size);
const char *rs_size_name(unsigned int slot, char *buf, size_t len);

#endif /* MINALIGN_TOOLS_REPLAY_SITES_H */
