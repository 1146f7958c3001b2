/* SPDX-License-Identifier: MIT */
/*
 * tools/common/kmclass.c - kmalloc cache names, the size-class rule and SLUB's choice of slab
 * order.
 *
 * SLUB's rule, from its documented semantics (mm/slub.c, Documentation/mm/slub.rst):
 *  - min_objects is slub_min_objects, or when unset 4 * (fls(nr_cpus) + 1);
 *  - it is capped by the number of objects that fit in a slab of slub_max_order, and the
 *    smallest order is the one holding min_objects objects (at least slub_min_order);
 *  - then, accepting at most 1/16 of the slab as leftover, then 1/8, then 1/4, the smallest
 *    order from there up to slub_max_order whose leftover is small enough is chosen;
 *  - if no order up to slub_max_order holds even one object, the order of the object size.
 *  - a slab never holds more than MAX_OBJS_PER_PAGE (32767) objects.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "kmclass.h"

static const unsigned int class_sizes[KM_NR_CLASSES] = {
	8,	16,	 32,	  64,	   96,	    128,      192,	256,	512,
	1024,	2048,	 4096,	  8192,	   16384,   32768,    65536,	131072, 262144,
	524288, 1048576, 2097152, 4194304, 8388608, 16777216, 33554432,
};

unsigned int km_class_size(unsigned int index)
{
	return index < KM_NR_CLASSES ? class_sizes[index] : 0;
}

int km_class_index(unsigned int size)
{
	for (int i = 0; i < KM_NR_CLASSES; i++)
		if (class_sizes[i] == size)
			return i;
	return -1;
}

bool km_class_exists(unsigned int size, unsigned int min_align)
{
	if (km_class_index(size) < 0)
		return false;
	return size >= min_align && size % min_align == 0;
}

unsigned int km_class_for(unsigned int size, unsigned int min_align)
{
	if (size > KM_MAX_CACHE_SIZE)
		return size;
	for (int i = 0; i < KM_NR_CLASSES; i++)
		if (class_sizes[i] >= size && km_class_exists(class_sizes[i], min_align))
			return class_sizes[i];
	return size;
}

/* Parse "N", "Nk" or "NM" ending the name; 0 when it is not a number. */
static unsigned int parse_size(const char *s)
{
	unsigned long v = 0;
	size_t i = 0;

	if (s[0] < '1' || s[0] > '9')
		return 0;
	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > KM_MAX_ROW_SIZE)
			return 0;
	}
	if (s[i] == 'k' && !s[i + 1])
		v <<= 10;
	else if (s[i] == 'M' && !s[i + 1])
		v <<= 20;
	else if (s[i])
		return 0;
	return v > KM_MAX_ROW_SIZE ? 0 : (unsigned int)v;
}

/* "kmalloc-rnd-NN-": one or two digits, then a dash; returns the length of the prefix or 0. */
static size_t rnd_prefix(const char *s)
{
	size_t i = strlen("kmalloc-rnd-"), d = 0;

	if (strncmp(s, "kmalloc-rnd-", i))
		return 0;
	while (s[i + d] >= '0' && s[i + d] <= '9' && d < 3)
		d++;
	if (d == 0 || d > 2 || s[i + d] != '-')
		return 0;
	return i + d + 1;
}

/*
 * 2.6-era SLAB named its kmalloc caches "size-N" and "size-N(DMA)": the same classes as
 * kmalloc-N and dma-kmalloc-N.
 */
static enum km_name_kind parse_size_n(const char *name, struct km_name *out)
{
	char digits[16];
	size_t n = strspn(name + 5, "0123456789");
	const char *rest = name + 5 + n;
	bool dma = !strcmp(rest, "(DMA)");

	if (!n || n >= sizeof(digits) || (*rest && !dma))
		return KM_NOT_KMALLOC;
	memcpy(digits, name + 5, n);
	digits[n] = 0;
	snprintf(out->type, sizeof(out->type), "%s", dma ? "dma-kmalloc" : "kmalloc");
	out->dma = dma;
	out->preference = dma ? 3 : 0;
	out->size = parse_size(digits);
	if (!out->size || km_class_index(out->size) < 0)
		return KM_BAD_SIZE;
	return KM_KMALLOC;
}

enum km_name_kind km_parse_name(const char *name, struct km_name *out)
{
	static const struct {
		const char *prefix;
		int preference;
	} kinds[] = {
		{"kmalloc-cg-", 1},
		{"kmalloc-rcl-", 2},
		{"dma-kmalloc-", 3},
		{"kmalloc-", 0},
	};
	size_t plen = 0;
	int pref = 0;

	memset(out, 0, sizeof(*out));
	if (!strncmp(name, "size-", 5))
		return parse_size_n(name, out);
	plen = rnd_prefix(name);
	if (plen) {
		pref = 4;
	} else {
		for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
			size_t l = strlen(kinds[i].prefix);

			if (!strncmp(name, kinds[i].prefix, l)) {
				plen = l;
				pref = kinds[i].preference;
				break;
			}
		}
	}
	if (!plen)
		return KM_NOT_KMALLOC;
	if (name[plen] < '0' || name[plen] > '9')
		return KM_NOT_KMALLOC; /* kmalloc-rnd-... handled above; others are not ours */
	memcpy(out->type, name, plen - 1);
	out->type[plen - 1] = 0;
	out->preference = pref;
	out->dma = pref == 3;
	out->size = parse_size(name + plen);
	if (!out->size || km_class_index(out->size) < 0)
		return KM_BAD_SIZE;
	return KM_KMALLOC;
}

unsigned int km_get_order(uint64_t bytes)
{
	unsigned int order = 0;

	while (order < 63 && ((uint64_t)KM_PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

unsigned int slub_objs_per_slab(unsigned int size, unsigned int order)
{
	return size ? (unsigned int)(((uint64_t)KM_PAGE_SIZE << order) / size) : 0;
}

static unsigned int fls_uint(unsigned int v)
{
	unsigned int n = 0;

	while (v) {
		n++;
		v >>= 1;
	}
	return n;
}

/* Smallest order in [min_order, SLUB_MAX_ORDER] leaving at most 1/@fraction of the slab. */
static int order_with_leftover(unsigned int size, unsigned int min_order, unsigned int fraction)
{
	for (unsigned int order = min_order; order <= SLUB_MAX_ORDER; order++) {
		uint64_t slab = (uint64_t)KM_PAGE_SIZE << order;

		if (slab % size <= slab / fraction)
			return (int)order;
	}
	return -1;
}

unsigned int slub_calculate_order(unsigned int size, unsigned int cpus)
{
	unsigned int min_objects, max_objects, min_order;

	if (!size)
		return 0;
	min_objects = 4 * (fls_uint(cpus ? cpus : 1) + 1);
	max_objects = slub_objs_per_slab(size, SLUB_MAX_ORDER);
	if (max_objects < 1)
		max_objects = 1;
	if (min_objects > max_objects)
		min_objects = max_objects;
	min_order = km_get_order((uint64_t)min_objects * size); /* slub_min_order is 0 */
	if (slub_objs_per_slab(size, min_order) > SLUB_MAX_OBJS_SLAB)
		return km_get_order((uint64_t)size * SLUB_MAX_OBJS_SLAB) - 1;
	for (unsigned int fraction = 16; fraction > 1; fraction /= 2) {
		int order = order_with_leftover(size, min_order, fraction);

		if (order >= 0)
			return (unsigned int)order;
	}
	return km_get_order(size);
}
