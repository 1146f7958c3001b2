/* SPDX-License-Identifier: MIT */
/*
 * preload/preload.h - libminalign-malloc.so's private interface (the malloc family over
 * kmalloc: malloc.c; host memory for the library's own metadata: boot_arena.c).
 */
#ifndef MINALIGN_PRELOAD_H
#define MINALIGN_PRELOAD_H

#include <stdbool.h>
#include <stddef.h>

void *ba_alloc(size_t size);
bool ba_owns(const void *p);
size_t ba_usable(const void *p);
void ba_release(void *p);
void ba_atfork(int phase);

#endif /* MINALIGN_PRELOAD_H */
