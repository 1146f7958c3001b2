/* SPDX-License-Identifier: MIT */
/*
 * tools/report.h - the two halves of `minalign report`: the what-if tables (report.c) and the
 * simulated system-on-chip run (report_soc.c), so the second can be completed on its own.
 */
#ifndef MINALIGN_TOOLS_REPORT_H
#define MINALIGN_TOOLS_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"

struct report_soc_opts {
	double seconds; /* total budget for the run, all policies together */
	bool progress;	/* show progress (stderr is a terminal and --json was not given) */
	uint64_t seed;
};

/*
 * report_soc_run() - run the simulated SoC under every policy and present the results: as text
 * on @text when @j is NULL, else as the member "soc" of the JSON object being written to @j.
 * Return: CLI_EXIT_OK or CLI_EXIT_FAILURE.
 */
int report_soc_run(const struct report_soc_opts *o, FILE *text, struct json *j);

#endif /* MINALIGN_TOOLS_REPORT_H */
