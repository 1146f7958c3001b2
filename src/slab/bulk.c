/* SPDX-License-Identifier: MIT */
/*
 * slab/bulk.c - the kmem_cache calls built on the single-object ones: bulk allocation and
 * free (Linux's all-or-nothing kmem_cache_alloc_bulk) and kmem_cache_create_usercopy().
 *
 * Locking and paths: those of kmem_cache_alloc/free for each object (the calling thread's cache
 * first).  Every object freed goes through the same checks as kmem_cache_free()/kfree().
 */
#include "slab/internal.h"

int kmem_cache_alloc_bulk(struct kmem_cache *s, gfp_t flags, size_t size, void **p)
{
	size_t i;

	if (!s || (size && !p)) {
		ma_report("slab", NULL, 0, size, "kmem_cache_alloc_bulk: NULL %s",
			  s ? "array" : "cache");
		return 0;
	}
	for (i = 0; i < size; i++) {
		p[i] = kmem_cache_alloc(s, flags);
		if (!p[i]) {
			kmem_cache_free_bulk(s, i, p);
			return 0;
		}
	}
	return (int)size;
}

void kmem_cache_free_bulk(struct kmem_cache *s, size_t size, void **p)
{
	if (size && !p) {
		ma_report("slab", NULL, 0, size, "kmem_cache_free_bulk: NULL array");
		return;
	}
	for (size_t i = 0; i < size; i++) {
		if (s)
			kmem_cache_free(s, p[i]);
		else
			kfree(p[i]);
	}
}

struct kmem_cache *kmem_cache_create_usercopy(const char *name, unsigned int size,
					      unsigned int align, slab_flags_t flags,
					      unsigned int useroffset, unsigned int usersize,
					      void (*ctor)(void *))
{
	if (useroffset > size || usersize > size - useroffset) {
		ma_report("slab", NULL, 0, size,
			  "kmem_cache_create_usercopy(%s): window %u+%u outside the %u-byte object",
			  name ? name : "(null)", useroffset, usersize, size);
		return NULL;
	}
	return kmem_cache_create(name, size, align, flags, ctor);
}
