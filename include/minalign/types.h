/* SPDX-License-Identifier: MIT */
/*
 * minalign/types.h - basic types shared by every public header.
 *
 * Physical addresses, DMA addresses and CPU pointers are distinct types and are converted
 * only through named helpers (virt_to_phys, phys_to_virt, dma_map_*).  Both phys_addr_t and
 * dma_addr_t are 64-bit on every target, 32-bit ones included.
 */
#ifndef MINALIGN_TYPES_H
#define MINALIGN_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define MINALIGN_BEGIN_DECLS extern "C" {
#define MINALIGN_END_DECLS   }
#else
#define MINALIGN_BEGIN_DECLS
#define MINALIGN_END_DECLS
#endif

/* Marks the exported API; everything else in the shared library is hidden. */
#if defined(__GNUC__) || defined(__clang__)
#define MINALIGN_API __attribute__((visibility("default")))
#else
#define MINALIGN_API
#endif

/*
 * __dma: the sparse address space of DMA-safe memory (docs/sparse.md).  Code that opts in
 * (MINALIGN_SPARSE_DMA defined when sparse runs; sparse defines __CHECKER__) sees __dma on the
 * pointers that DMA-safe allocators return (dma_kmalloc, dma_kzalloc) and that the streaming
 * map functions accept (dma_map_single, sg_set_buf, sg_init_one), so passing a plain pointer
 * (kmalloc, a stack or static buffer) where a DMA-safe one is required is a sparse warning
 * "different address spaces".  __dma memory may be read and written through its own pointer
 * (no noderef); handing it to a function that takes a plain pointer (memcpy, memset) needs
 * dma_cpu_ptr(), and memory the code knows to be DMA-safe by other means (whole pages, a
 * SLAB_HWCACHE_ALIGN cache of objects above half a line) is blessed with dma_assume_safe(). Without
 * sparse, or without the opt-in, every one of these expands to nothing: the C types and the ABI
 * never change.
 */
#if defined(__CHECKER__) && defined(MINALIGN_SPARSE_DMA)
#define __dma	    __attribute__((address_space(__dma)))
#define __force_dma __attribute__((force))
#else
#define __dma
#define __force_dma
#endif
/* A DMA-safe pointer used as plain CPU memory (always allowed). */
#define dma_cpu_ptr(p)	   ((void __force_dma *)(p))
/* Plain memory the caller vouches is DMA-safe (it owns whole cache lines). */
#define dma_assume_safe(p) ((void __dma __force_dma *)(p))

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64; /* as in the kernel, on every target */
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef long long s64;

typedef unsigned int gfp_t;
typedef u64 phys_addr_t; /* as in the kernel (CONFIG_PHYS_ADDR_T_64BIT) */
typedef u64 dma_addr_t; /* as in the kernel (CONFIG_ARCH_DMA_ADDR_T_64BIT) */

/* Direction of a streaming DMA transfer (Linux's values). */
enum dma_data_direction {
	DMA_BIDIRECTIONAL = 0,
	DMA_TO_DEVICE = 1,
	DMA_FROM_DEVICE = 2,
	DMA_NONE = 3,
};

#endif /* MINALIGN_TYPES_H */
