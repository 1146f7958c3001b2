/* SPDX-License-Identifier: MIT */
/*
 * tools/report/report.h - the two halves of `minalign report`: the what-if tables (report.c) and
 * the simulated system-on-chip run (report_soc.c), so the second can be completed on its own.
 */
#ifndef MINALIGN_TOOLS_REPORT_H
#define MINALIGN_TOOLS_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/json.h"
#include "soc/soc.h"

struct report_soc_opts {
	double seconds; /* run time of each policy */
	bool progress;	/* show progress (stderr is a terminal) */
	uint64_t seed;
};

/* The results, kept for the chart. */
struct report_soc {
	struct soc_params params; /* the settings common to every policy */
	struct soc_result r[MINALIGN_NR_POLICIES];
	unsigned int n; /* policies that ran */
};

/*
 * report_soc_run() - run the simulated SoC under every policy into @s and present the results:
 * as text on @text when @j is NULL, else as the members "soc" ({"available", "config",
 * "policies"}) and "policies" (the same objects) of the JSON object being written to @j.
 * Return: CLI_EXIT_OK, or CLI_EXIT_FAILURE / CLI_EXIT_USAGE after a one-line message.
 */
int report_soc_run(const struct report_soc_opts *o, FILE *text, struct json *j,
		   struct report_soc *s);

struct wi_result;
/*
 * report_pool_need() - the bounce pool the SoC run needed under bounce and dma_opt_in (most
 * slots taken at once), whether it grew, and what-if result @w's net vs legacy with that pool
 * and with the default reservation: text on @text when @j is NULL, else the JSON member
 * "bounce_pool_need".
 */
void report_pool_need(FILE *text, struct json *j, const struct report_soc *s,
		      const struct wi_result *w);

#endif /* MINALIGN_TOOLS_REPORT_H */
