/* SPDX-License-Identifier: MIT */
/*
 * mm/vmalloc.c - vmalloc(): memory outside the simulated RAM, as vmalloc memory is outside
 * Linux's linear map.
 *
 * Each area is host memory (library metadata, so fault injection and the meta_live count cover
 * it) recorded on a list, so that vfree() and minalign_is_vmalloc_addr() find it by address
 * (never by a header in front of the pointer).  Such memory is not in RAM, so every DMA mapping
 * of it is refused and reported, as DMA-API debug refuses vmalloc memory.
 *
 * Locking: ma_vm_lock (a mutex, leaf) protects the list.  Lookups are O(areas): vmalloc is a
 * slow path in drivers (probe-time tables, kvmalloc fallbacks).
 */
#include "mm/mm.h"

struct ma_vm_area {
	struct ma_vm_area *next;
	unsigned char *addr;
	size_t size;
};

static ma_mutex_t ma_vm_lock = MA_MUTEX_INIT;
static struct ma_vm_area *ma_vm_areas;

void *vmalloc(unsigned long size)
{
	struct ma_vm_area *a;

	if (!size)
		return NULL;
	a = ma_meta_alloc(sizeof(*a));
	if (!a)
		return NULL;
	a->addr = ma_meta_alloc(size); /* zeroed: vmalloc and vzalloc alike */
	if (!a->addr) {
		ma_meta_free(a);
		return NULL;
	}
	a->size = size;
	ma_mutex_lock(&ma_vm_lock);
	a->next = ma_vm_areas;
	ma_vm_areas = a;
	ma_mutex_unlock(&ma_vm_lock);
	return a->addr;
}

void *vzalloc(unsigned long size)
{
	return vmalloc(size);
}

/* The area containing @addr (@start: only one starting there), unlinked when @unlink. */
static struct ma_vm_area *ma_vm_find(const void *addr, bool start, bool unlink)
{
	const unsigned char *p = addr;
	struct ma_vm_area **link, *a;

	ma_mutex_lock(&ma_vm_lock);
	for (link = &ma_vm_areas; (a = *link); link = &a->next) {
		if (start ? p == a->addr : (p >= a->addr && p < a->addr + a->size)) {
			if (unlink)
				*link = a->next;
			break;
		}
	}
	ma_mutex_unlock(&ma_vm_lock);
	return a;
}

void vfree(const void *addr)
{
	struct ma_vm_area *a;

	if (!addr)
		return;
	a = ma_vm_find(addr, true, true);
	if (!a) {
		ma_report("mm", NULL, 0, 0, "vfree(%p): not a vmalloc() allocation", addr);
		return;
	}
	ma_meta_free(a->addr);
	ma_meta_free(a);
}

bool minalign_is_vmalloc_addr(const void *addr)
{
	return addr && ma_vm_find(addr, false, false) != NULL;
}
