/* SPDX-License-Identifier: MIT */
/*
 * slab/kvmalloc.c - the kmalloc family's wrappers: NUMA-node variants (one node here),
 * krealloc_array, kfree_sensitive, kvmalloc (kmalloc with a vmalloc fallback), and the string
 * and memory copies (kstrndup, kmemdup_nul, kstrdup_const).
 *
 * kvmalloc() tries kmalloc() first (quietly when the size is above a page, as Linux) and falls
 * back to vmalloc() (mm/vmalloc.c: host memory outside RAM) when the flags allow sleeping;
 * kvfree() asks mm/ whether the pointer is a vmalloc area.
 *
 * Locking and paths: those of kmalloc/kfree and vmalloc/vfree.
 */
#include "slab/internal.h"

void *kmalloc_node(size_t size, gfp_t flags, int node)
{
	(void)node;
	return kmalloc(size, flags);
}

void *kzalloc_node(size_t size, gfp_t flags, int node)
{
	(void)node;
	return kzalloc(size, flags);
}

void *kmalloc_array_node(size_t n, size_t size, gfp_t flags, int node)
{
	(void)node;
	return kmalloc_array(n, size, flags);
}

void *kcalloc_node(size_t n, size_t size, gfp_t flags, int node)
{
	(void)node;
	return kcalloc(n, size, flags);
}

void *krealloc_array(void *p, size_t new_n, size_t new_size, gfp_t flags)
{
	size_t bytes;

	if (__builtin_mul_overflow(new_n, new_size, &bytes))
		return NULL;
	return krealloc(p, bytes, flags);
}

void kfree_sensitive(const void *objp)
{
	size_t n;

	if (ZERO_OR_NULL_PTR(objp))
		return;
	n = ksize(objp);
	if (n) { /* a bad pointer has ksize 0 and is reported by kfree() */
		memset((void *)(uintptr_t)objp, 0, n);
		__asm__ volatile("" : : "r"(objp) : "memory"); /* memzero_explicit */
	}
	kfree(objp);
}

void *kvmalloc(size_t size, gfp_t flags)
{
	void *p;

	if (size > KMALLOC_MAX_SIZE) {
		p = NULL;
	} else {
		gfp_t kflags = flags;

		if (size > PAGE_SIZE) /* Linux: don't try hard, the fallback is there */
			kflags |= __GFP_NOWARN | __GFP_NORETRY;
		p = kmalloc(size, kflags);
	}
	if (p || !(flags & __GFP_DIRECT_RECLAIM) || !size)
		return p;
	return vmalloc(size); /* zeroed, so __GFP_ZERO holds too */
}

void *kvzalloc(size_t size, gfp_t flags)
{
	return kvmalloc(size, flags | __GFP_ZERO);
}

void *kvmalloc_array(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return kvmalloc(bytes, flags);
}

void *kvcalloc(size_t n, size_t size, gfp_t flags)
{
	return kvmalloc_array(n, size, flags | __GFP_ZERO);
}

void kvfree(const void *addr)
{
	if (minalign_is_vmalloc_addr(addr))
		vfree(addr);
	else
		kfree(addr);
}

void kvfree_sensitive(const void *addr, size_t len)
{
	if (ZERO_OR_NULL_PTR(addr))
		return;
	memset((void *)(uintptr_t)addr, 0, len);
	__asm__ volatile("" : : "r"(addr) : "memory");
	kvfree(addr);
}

char *kstrndup(const char *s, size_t max, gfp_t gfp)
{
	if (!s)
		return NULL;
	return kmemdup_nul(s, strnlen(s, max), gfp);
}

char *kmemdup_nul(const char *s, size_t len, gfp_t gfp)
{
	char *p;

	if (!s)
		return NULL;
	p = kmalloc(len + 1, gfp);
	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

const char *kstrdup_const(const char *s, gfp_t gfp)
{
	return kstrdup(s, gfp);
}

void kfree_const(const void *x)
{
	if (x && ma_virt_in_ram(x, 1))
		kfree(x);
}
