/* SPDX-License-Identifier: MIT */
/*
 * tools/soc/socwork.h - the threads of the simulated SoC (socwork.c), as soc.c starts them: churn
 * threads (CPUs allocating, stamping, checking and freeing kmalloc objects) and device threads
 * (a driver and its device: map a small kmalloc buffer among neighbour objects, let the CPU
 * write the neighbours and the device write or read the buffer, unmap, check everything).
 */
#ifndef MINALIGN_TOOLS_SOCWORK_H
#define MINALIGN_TOOLS_SOCWORK_H

#include <pthread.h>
#include <stdatomic.h>

#include "soc.h"

struct soc_shared {
	const struct soc_params *p;
	atomic_bool stop;
};

struct soc_worker {
	struct soc_shared *sh;
	pthread_t th;
	unsigned int id;    /* thread number, part of every pattern tag */
	struct device *dev; /* NULL for a churn thread */
	bool coherent;	    /* dev is the coherent device (it also uses coherent memory) */
	gfp_t gfp;	    /* churn objects; the neighbours of DMA buffers */
	gfp_t buf_gfp;	    /* DMA buffers */
	uint64_t rng;
	struct soc_counts n;
};

/*
 * A driver's dma_map_single() with retries (up to 64 on DMA_MAPPING_ERROR).  Exported (the
 * program is linked with -rdynamic) so that the library's missing-opt-in report can name it.
 */
dma_addr_t soc_driver_map(struct soc_worker *w, void *buf, size_t size,
			  enum dma_data_direction dir);

/* pthread entry points; @arg is a struct soc_worker. */
void *soc_churn_main(void *arg);
void *soc_device_main(void *arg);

/* splitmix64: seeds the threads' generators. */
uint64_t soc_mix(uint64_t x);

#endif /* MINALIGN_TOOLS_SOCWORK_H */
