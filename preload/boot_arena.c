/* SPDX-License-Identifier: MIT */
/*
 * preload/boot_arena.c - host memory for everything libminalign-malloc.so must not serve from
 * kmalloc: the library's own metadata (slab descriptors, statistics blocks, the thread-cache
 * registry's pool...), which it asks of calloc() while it is inside kmalloc, and whatever the
 * dynamic loader, pthread or liburcu allocate before kmalloc is up or while it starts.
 *
 * One reservation of BA_RESERVE bytes (committed lazily, as the kernel touches it) carved by a
 * bump pointer into power-of-two chunks of 32 bytes .. BA_MAX_CHUNK, each with a 16-byte header
 * (its class); freed chunks go on per-class free lists.  Larger requests are refused (the
 * caller then maps them on its own).  ba_owns() is a range check, so free() tells these
 * pointers from kmalloc's and from mapped ones without reading memory.
 *
 * Locking: one mutex; ba_atfork() holds it across fork.  Allocation is rare (slab creation,
 * thread start), so a lock is cheap enough.
 */
#include "preload/preload.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* address space only; touched pages only are resident (256 MiB on a 32-bit host) */
#define BA_RESERVE   ((size_t)1 << (sizeof(size_t) > 4 ? 32 : 28))
#define BA_MIN_SHIFT 5
#define BA_MAX_SHIFT 20 /* chunks up to 1 MiB */
#define BA_HDR	     16

static pthread_mutex_t ba_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char *ba_base, *ba_next, *ba_end;
static void *ba_free[BA_MAX_SHIFT + 1];

/* Reserve the range once; false when the host refuses. */
static bool ba_reserve(void)
{
	void *p;

	if (ba_base)
		return true;
	p = mmap(NULL, BA_RESERVE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return false;
	ba_base = ba_next = p;
	ba_end = ba_base + BA_RESERVE;
	return true;
}

static unsigned int ba_class(size_t size)
{
	unsigned int s = BA_MIN_SHIFT;

	while (((size_t)1 << s) < size + BA_HDR)
		s++;
	return s;
}

/**
 * ba_alloc() - a zeroed chunk of at least @size bytes, 16-byte aligned.
 * Return: the chunk, or NULL when @size is above the largest class or the range is used up.
 */
void *ba_alloc(size_t size)
{
	unsigned int c;
	unsigned char *p = NULL;
	bool reused = false;

	if (size > ((size_t)1 << BA_MAX_SHIFT) - BA_HDR)
		return NULL;
	c = ba_class(size);
	pthread_mutex_lock(&ba_lock);
	if (ba_reserve()) {
		if (ba_free[c]) {
			p = ba_free[c];
			memcpy(&ba_free[c], p + BA_HDR, sizeof(void *));
			reused = true;
		} else if ((size_t)(ba_end - ba_next) >= ((size_t)1 << c)) {
			p = ba_next;
			ba_next += (size_t)1 << c;
		}
	}
	pthread_mutex_unlock(&ba_lock);
	if (!p)
		return NULL;
	if (reused) /* fresh memory from the reservation is zero already (and not resident) */
		memset(p, 0, (size_t)1 << c);
	p[0] = (unsigned char)c;
	return p + BA_HDR;
}

/** ba_owns() - whether @p points into the arena (no memory is read). */
bool ba_owns(const void *p)
{
	return ba_base && (const unsigned char *)p >= ba_base && (const unsigned char *)p < ba_end;
}

/** ba_usable() - usable bytes of the chunk at @p (ba_owns(@p)). */
size_t ba_usable(const void *p)
{
	return ((size_t)1 << ((const unsigned char *)p)[-BA_HDR]) - BA_HDR;
}

/** ba_release() - give the chunk at @p (ba_owns(@p)) back. */
void ba_release(void *p)
{
	unsigned char *h = (unsigned char *)p - BA_HDR;
	unsigned int c = h[0];

	pthread_mutex_lock(&ba_lock);
	memcpy(p, &ba_free[c], sizeof(void *));
	ba_free[c] = h;
	pthread_mutex_unlock(&ba_lock);
}

/** ba_atfork() - hold the arena's lock across fork (@phase 0 prepare, 1 parent, 2 child). */
void ba_atfork(int phase)
{
	if (phase == 0)
		pthread_mutex_lock(&ba_lock);
	else
		pthread_mutex_unlock(&ba_lock);
}
