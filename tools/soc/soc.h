/* SPDX-License-Identifier: MIT */
/*
 * tools/soc/soc.h - the simulated system-on-chip shared by `minalign report` and `minalign stress`:
 * CPU threads churning small kmalloc objects beside non-coherent devices doing RX, TX and
 * bidirectional DMA into small kmalloc buffers that share cache lines with neighbour objects,
 * plus a coherent device, under one policy; every buffer and every neighbour is checked.
 *
 * soc.c runs it (library, devices, threads, sampling, progress), socwork.c holds the threads'
 * loops and socout.c presents the results (text table, JSON, SVG panels).
 */
#ifndef MINALIGN_TOOLS_SOC_H
#define MINALIGN_TOOLS_SOC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <minalign/minalign.h>

#include "common/json.h"
#include "common/svg.h"

#define SOC_MAX_CPUS	     64
#define SOC_MAX_DEVICES	     16
#define SOC_MAX_SIZE	     4096 /* largest DMA buffer (--sizes) */
#define SOC_DEFAULT_SECONDS  2.0
#define SOC_DEFAULT_CPUS     2
#define SOC_DEFAULT_DEVICES  2
#define SOC_DEFAULT_SIZE_MIN 8
#define SOC_DEFAULT_SIZE_MAX 96
#define SOC_CHURN_SIZE_MIN   8 /* the churn threads' size mix (weighted, most <= 128) */
#define SOC_CHURN_SIZE_MAX   512
#define SOC_REPORT_KEEP	     160 /* bytes of the first misuse report kept */

struct soc_params {
	enum minalign_policy policy;
	unsigned int cache_line;
	enum minalign_sim_victim victim;
	unsigned int cpus;    /* churn threads, 0..SOC_MAX_CPUS */
	unsigned int devices; /* non-coherent devices, 0..SOC_MAX_DEVICES (one thread each) */
	double seconds;	      /* run time of this policy */
	unsigned int size_min, size_max; /* DMA buffer sizes, 1..SOC_MAX_SIZE */
	uint64_t seed;
	const char *progress; /* label of a progress line on stderr, or NULL for none */
};

/* Corrupted bytes by where they were found. */
struct soc_corruption {
	uint64_t buffers;    /* inbound DMA buffers not holding exactly what the device wrote */
	uint64_t neighbours; /* neighbour objects that lost CPU writes made during a DMA */
	uint64_t tx;	     /* bytes a device read that differ from what the CPU wrote */
	uint64_t churn;	     /* churned objects whose stamp changed before their free */
	uint64_t coherent;   /* coherent-memory descriptors the CPU read wrong */
};

/* What the threads counted. */
struct soc_counts {
	uint64_t kmallocs, kfrees;
	uint64_t maps, unmaps;	   /* successful mappings and their unmaps */
	uint64_t rx, tx, bidir;	   /* mappings per direction (non-coherent and coherent devices) */
	uint64_t coherent_maps;	   /* mappings on the coherent device */
	uint64_t shared_line_maps; /* buffers sharing a cache line with a neighbour of theirs */
	uint64_t map_failures;	   /* DMA_MAPPING_ERROR returns (each retried) */
	uint64_t map_gave_up;	   /* mappings abandoned after repeated failures */
	uint64_t alloc_failures;   /* kmalloc or dma_alloc_coherent returning NULL */
	uint64_t dma_errors;	   /* minalign_dma_read/write refusing an access */
	struct soc_corruption bad;
};

/* A site the library named for bounces of kmalloc buffers not allocated DMA-safe (dma-optin.h) */
#define SOC_OPTIN_KEEP 8
struct soc_optin {
	char device[32];
	char where[128]; /* "function+0xoff (object)" or "object+0xoff" */
	char call[24];
	uint64_t bounces;
};

struct soc_result {
	struct soc_params params;
	double seconds; /* measured */
	struct soc_counts n;
	uint64_t corrupted_bytes; /* the sum of n.bad */
	uint64_t ops;		  /* kmalloc + kfree + map + unmap */
	double ops_per_second;
	uint64_t slab_bytes_peak; /* most slab bytes seen during the run */
	uint64_t slab_bytes_start;
	struct minalign_stats st; /* the library's statistics at the end of the run */
	uint64_t reports;	  /* misuse reports delivered during the run */
	char first_report[SOC_REPORT_KEEP];
	struct soc_optin optin[SOC_OPTIN_KEEP]; /* missing opt-ins, most bounces first */
	unsigned int noptin;			/* sites the library recorded */
};

/* Fill @p with the defaults: @policy, cache line 128, LOSE_CPU_WRITES, 2 CPUs, 2 devices. */
void soc_params_default(struct soc_params *p, enum minalign_policy policy);

/*
 * soc_run() - bring the library up under @p, run the SoC for p->seconds, check everything, take
 * the library down and fill @r.
 * Return: CLI_EXIT_OK, CLI_EXIT_USAGE (configuration rejected) or CLI_EXIT_FAILURE, with one
 * line on stderr naming @cmd for the two failures.
 */
int soc_run(const char *cmd, const struct soc_params *p, struct soc_result *r);

/* True when @r found corruption that its policy must not allow (every policy but naive). */
bool soc_unexpected(const struct soc_result *r);

/* ---- output (socout.c) ----------------------------------------------------------------- */

/* The run's description: threads, devices, sizes, cache line, victim, seconds, seed. */
void soc_print_setup(FILE *f, const struct soc_params *p);
/* The per-policy table of @n results and the notes under it. */
void soc_print_table(FILE *f, const struct soc_result *r, unsigned int n);
/* The setup as a JSON object member "config". */
void soc_json_config(struct json *j, const struct soc_params *p);
/* "policies": {"<name>": {...}, ...} for @n results. */
void soc_json_policies(struct json *j, const struct soc_result *r, unsigned int n);

/* Two chart panels per policy: peak slab bytes, the bounce pool held (reservation included)
 * and the bounce slots actually used at most; corrupted bytes. */
struct soc_svg {
	const char *series[MINALIGN_NR_POLICIES];
	const char *mem_groups[3];
	const char *bad_group[1];
	uint64_t mem[3 * MINALIGN_NR_POLICIES];
	uint64_t bad[MINALIGN_NR_POLICIES];
	char titles[2][112];
	struct svg_panel panels[2];
};
void soc_svg_panels(struct soc_svg *s, const struct soc_result *r, unsigned int n);

#endif /* MINALIGN_TOOLS_SOC_H */
