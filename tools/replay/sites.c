/* SPDX-License-Identifier: MIT */
/*
 * tools/replay/sites.c - call-site keys, the symbol table that names raw sites, the site table,
 * and kmalloc_size_roundup() per minimum alignment (sites.h).
 *
 * call_site= comes in every form the kernel has printed: symbolic `foo+0x1a/0x40` (%pS, with a
 * `[module]` token after it for modules), `foo` alone, and raw `ffffffff81234567` or
 * `0xffffffff81234567` (%lx, `options/fields`, kernels without kallsyms).  A raw site is named by
 * the nearest symbol at or below it in a System.map or /proc/kallsyms copy (`--symbols`); one
 * below the first symbol stays raw.  Keys drop the offset unless asked to keep it.
 *
 * The site table is an array with an open-addressing hash of indices; sites are never removed.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay/sites.h"

const unsigned int rs_aligns[RS_NALIGN] = {64, 128};

/* ---- symbols --------------------------------------------------------------------------- */

static int sym_cmp(const void *a, const void *b)
{
	const struct rs_sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int sym_push(struct rs_symtab *st, uint64_t addr, const char *name, size_t nlen)
{
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 1024;
		struct rs_sym *v = realloc(st->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		st->v = v;
		st->cap = cap;
	}
	if (st->nlen + nlen + 1 > st->ncap) {
		size_t cap = st->ncap ? st->ncap * 2 : 65536;
		char *p;

		while (cap < st->nlen + nlen + 1)
			cap *= 2;
		p = realloc(st->names, cap);
		if (!p)
			return -ENOMEM;
		st->names = p;
		st->ncap = cap;
	}
	memcpy(st->names + st->nlen, name, nlen);
	st->names[st->nlen + nlen] = 0;
	st->v[st->n++] = (struct rs_sym){addr, (uint32_t)st->nlen};
	st->nlen += nlen + 1;
	return 0;
}

/* "addr type name [module]": text symbols (t, T, w, W) only; the module is kept in the name. */
static int sym_line(struct rs_symtab *st, const char *line, bool *zero)
{
	char type, name[RS_KEY_LEN], module[64] = "", full[RS_KEY_LEN + 70];
	unsigned long long addr;
	int n = sscanf(line, "%llx %c %111s %63s", &addr, &type, name, module);

	if (n < 3 || !strchr("tTwW", type))
		return 0;
	if (!addr) {
		*zero = true;
		return 0;
	}
	if (n == 4 && module[0] == '[')
		n = snprintf(full, sizeof(full), "%s %s", name, module);
	else
		n = snprintf(full, sizeof(full), "%s", name);
	return sym_push(st, addr, full, (size_t)n);
}

int rs_symbols_load(const char *path, struct rs_symtab *st, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	bool zero = false;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	if (!f) {
		snprintf(err, errlen, "--symbols %s: %s", path, strerror(errno));
		return -1;
	}
	while (!rc && getline(&line, &cap, f) >= 0)
		rc = sym_line(st, line, &zero);
	free(line);
	fclose(f);
	if (rc) {
		snprintf(err, errlen, "--symbols %s: out of memory", path);
	} else if (!st->n) {
		snprintf(
			err, errlen,
			zero ? "--symbols %s: every address is zero (read /proc/kallsyms as root)"
			     : "--symbols %s: no text symbols (System.map or /proc/kallsyms lines)",
			path);
		rc = -1;
	}
	if (rc) {
		rs_symbols_free(st);
		return -1;
	}
	qsort(st->v, st->n, sizeof(st->v[0]), sym_cmp);
	return 0;
}

void rs_symbols_free(struct rs_symtab *st)
{
	free(st->v);
	free(st->names);
	memset(st, 0, sizeof(*st));
}

/* The symbol at or below @addr, or NULL. */
static const struct rs_sym *sym_find(const struct rs_symtab *st, uint64_t addr)
{
	size_t lo = 0, hi = st->n;

	if (!st->n || addr < st->v[0].addr)
		return NULL;
	while (hi - lo > 1) { /* v[lo].addr <= addr < v[hi].addr (hi may be n) */
		size_t mid = lo + (hi - lo) / 2;

		if (st->v[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return &st->v[lo];
}

/* ---- keys ------------------------------------------------------------------------------ */

/* A raw address: 8..16 hex digits, with or without 0x. */
static bool raw_address(const char *s, uint64_t *out)
{
	size_t i = s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 2 : 0, n;
	char *end;

	n = strlen(s + i);
	if (n < 8 || n > 16 || strspn(s + i, "0123456789abcdefABCDEF") != n)
		return false;
	*out = strtoull(s + i, &end, 16);
	return true;
}

void rs_site_key(const char *site, const char *module, const struct rs_symtab *syms, bool offsets,
		 char *key, size_t len)
{
	const struct rs_sym *sym;
	uint64_t addr;
	size_t n;

	if (!site[0]) {
		snprintf(key, len, "(no call_site)");
		return;
	}
	if (raw_address(site, &addr)) {
		sym = syms ? sym_find(syms, addr) : NULL;
		if (!sym)
			snprintf(key, len, "0x%016llx", (unsigned long long)addr);
		else if (offsets)
			snprintf(key, len, "%s+0x%llx", syms->names + sym->name,
				 (unsigned long long)(addr - sym->addr));
		else
			snprintf(key, len, "%s", syms->names + sym->name);
		return;
	}
	/* symbolic: "name", "name+0xoff", "name+0xoff/0xsize" */
	n = strcspn(site, offsets ? "/" : "+/");
	snprintf(key, len, "%.*s%s%s%s", (int)n, site, module[0] ? " [" : "", module,
		 module[0] ? "]" : "");
}

/* ---- the table ------------------------------------------------------------------------- */

void rs_table_init(struct rs_table *t)
{
	memset(t, 0, sizeof(*t));
}

void rs_table_free(struct rs_table *t)
{
	free(t->v);
	free(t->hash);
	rs_table_init(t);
}

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static int rehash(struct rs_table *t)
{
	size_t n = t->hash ? (t->hmask + 1) * 2 : 256;
	uint32_t *h = calloc(n, sizeof(*h));

	if (!h)
		return -ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		size_t j = str_hash(t->v[i].key) & (n - 1);

		while (h[j])
			j = (j + 1) & (n - 1);
		h[j] = (uint32_t)i + 1;
	}
	free(t->hash);
	t->hash = h;
	t->hmask = n - 1;
	return 0;
}

int rs_intern(struct rs_table *t, const char *key, uint32_t *out)
{
	size_t j;

	if ((!t->hash || (t->n + 1) * 2 > t->hmask + 1) && rehash(t))
		return -ENOMEM;
	for (j = str_hash(key) & t->hmask; t->hash[j]; j = (j + 1) & t->hmask) {
		if (!strcmp(t->v[t->hash[j] - 1].key, key)) {
			*out = t->hash[j] - 1;
			return 0;
		}
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct rs_site *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	memset(&t->v[t->n], 0, sizeof(t->v[0]));
	snprintf(t->v[t->n].key, sizeof(t->v[0].key), "%s", key);
	t->hash[j] = (uint32_t)t->n + 1;
	*out = (uint32_t)t->n++;
	return 0;
}

/* ---- sizes ----------------------------------------------------------------------------- */

unsigned int rs_size_slot(uint64_t size)
{
	if (!size)
		return RS_SIZE_ZERO;
	if (size > KM_MAX_CACHE_SIZE)
		return RS_SIZE_LARGE;
	for (unsigned int i = 0; i < KM_NR_CLASSES; i++)
		if (km_class_size(i) >= size && km_class_exists(km_class_size(i), 8))
			return i;
	return RS_SIZE_LARGE;
}

uint64_t rs_roundup(uint64_t size, unsigned int align)
{
	unsigned int slot = rs_size_slot(size);

	if (slot == RS_SIZE_ZERO)
		return 0;
	if (slot == RS_SIZE_LARGE)
		return size;
	return km_class_for(km_class_size(slot), align);
}

const char *rs_size_name(unsigned int slot, char *buf, size_t len)
{
	if (slot == RS_SIZE_LARGE)
		return "large";
	if (slot == RS_SIZE_ZERO)
		return "zero";
	snprintf(buf, len, "%u", km_class_size(slot));
	return buf;
}
