/* SPDX-License-Identifier: MIT */
/*
 * tools/bench/bench.h - `minalign bench`: options (bench.c) and the mapping threads (benchrun.c).
 */
#ifndef MINALIGN_TOOLS_BENCH_H
#define MINALIGN_TOOLS_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BENCH_MAX_THREADS 1024	/* dma_map_benchmark's DMA_MAP_MAX_THREADS */
#define BENCH_MAX_SECONDS 300	/* DMA_MAP_MAX_SECONDS */
#define BENCH_MAX_GRANULE 1024	/* pages */
#define BENCH_MAX_XDELAY  10000 /* DMA_MAP_MAX_TRANS_DELAY, ns */
#define BENCH_RAM_BASE	  0x10000ull

enum {
	OPT_THREADS = 1,
	OPT_SECONDS,
	OPT_DIR,
	OPT_GRANULE,
	OPT_DMA_BITS,
	OPT_XDELAY,
	OPT_SIZE,
	OPT_POLICY,
	OPT_COHERENT,
	OPT_NONCOHERENT,
	OPT_CACHE_LINE,
	OPT_RAM_BASE,
	OPT_DMA_DEBUG,
	OPT_JSON,
};

struct bench_args {
	unsigned int threads;
	double seconds;
	unsigned int dir; /* enum dma_data_direction: 0 BIDIRECTIONAL, 1 TO_DEVICE, 2 FROM_DEVICE */
	unsigned int granule; /* pages per buffer */
	bool granule_given;
	unsigned int dma_bits;
	unsigned int xdelay; /* ns */
	unsigned int size;   /* sub-page kmalloc buffer bytes, 0 for granule pages */
	int policy;
	bool coherent;
	unsigned int cache_line;
	uint64_t ram_base;
	bool dma_debug; /* MINALIGN_DEBUG_DMA during the run (off by default, like production) */
	bool json;
	bool progress;
};

/* Latency of one kind of call. */
struct bench_lat {
	double avg_ns, stddev_ns;
	double avg_100ns, stddev_100ns; /* the kernel's: from latencies truncated to 100 ns */
};

struct bench_result {
	size_t buf_bytes;
	uint64_t loops; /* map/unmap pairs timed */
	uint64_t map_failures;
	uint64_t bounces;
	uint64_t reports; /* misuse reports (each failed mapping makes one) */
	double seconds;
	struct bench_lat map, unmap;
};

/*
 * bench_run() - initialise the library, create the device, run the threads, fill @r.
 * Return: CLI_EXIT_OK, or CLI_EXIT_FAILURE / CLI_EXIT_USAGE after a one-line message.
 */
int bench_run(const struct bench_args *a, struct bench_result *r);

#endif /* MINALIGN_TOOLS_BENCH_H */
