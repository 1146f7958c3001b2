/* SPDX-License-Identifier: MIT */
/*
 * tools/report_soc.c - the simulated system-on-chip half of `minalign report`.
 *
 * Not available yet: it needs the DMA-mapping layer (devices, dma_map_*, SWIOTLB).  When that
 * exists, this file runs, per policy, CPU threads churning small kmalloc objects beside
 * non-coherent devices doing RX and TX DMA into kmalloc buffers (plus a coherent one), and reports
 * slab memory, bounces (exact rule and Linux's heuristic), bounce-pool peak, operations per
 * second, conflicts and corrupted bytes; JSON: "soc": {"policies": {"<name>": {...}}}.
 */
#include "cli.h"
#include "report.h"

#define SOC_UNAVAILABLE "the simulated SoC run is not available yet: it needs the DMA layer"

int report_soc_run(const struct report_soc_opts *o, FILE *text, struct json *j)
{
	(void)o;
	if (j) {
		json_key(j, "soc");
		json_begin_object(j);
		json_kv_bool(j, "available", false);
		json_kv_string(j, "reason", SOC_UNAVAILABLE);
		json_end_object(j);
		return CLI_EXIT_OK;
	}
	fprintf(text, "\nsimulated SoC run: %s\n", SOC_UNAVAILABLE);
	return CLI_EXIT_OK;
}
