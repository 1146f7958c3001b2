/* SPDX-License-Identifier: MIT */
/*
 * tools/whatif/wiout.h - loading a slab statistics source and presenting what-if results as text,
 * JSON and SVG chart panels; shared by the whatif and report subcommands.
 */
#ifndef MINALIGN_TOOLS_WIOUT_H
#define MINALIGN_TOOLS_WIOUT_H

#include <stdio.h>

#include "common/json.h"
#include "common/svg.h"
#include "wimodel.h"

/* Defaults for the model: this host's RAM and CPUs, minalign's default bounce pool. */
void wi_params_default(struct wi_params *p);

/*
 * wi_load() - read @path (slabinfo text, "-" for stdin, or a sysfs directory), or the default
 * source when @path is NULL.  Prints a one-line message on failure.
 * Return: CLI_EXIT_OK, or CLI_EXIT_FAILURE when nothing usable could be read.
 */
int wi_load(const char *cmd, const char *path, struct slab_table *t);

/* The input summary: source, rows, malformed lines, machine. */
void wi_print_input(FILE *f, const struct slab_table *t, const struct wi_result *r);
/* The per-policy and per-class tables for one cache line, then the notes. */
void wi_print_text(FILE *f, const struct wi_result *r);

/* Source and input description as JSON members of the current object. */
void wi_json_input(struct json *j, const struct slab_table *t, const struct wi_result *r);
/* One what-if result as a JSON object: cache_line, policies, classes, method notes. */
void wi_json_result(struct json *j, const struct wi_result *r);
/* The same as members of the current object. */
void wi_json_result_members(struct json *j, const struct wi_result *r);

/* Two chart panels per result: slab bytes per policy, and per size class and policy. */
/* Panel 0: per policy, slab bytes, the bounce pool, and both (noted with the net vs legacy);
 * panel 1: slab bytes per size class and policy. */
struct wi_svg {
	struct svg_panel panels[2];
	char titles[2][128];
	const char *series[WI_NPOL];
	const char *total_label[3];
	uint64_t totals[3 * WI_NPOL];
	const char *notes[3 * WI_NPOL];
	char note_buf[WI_NPOL][40];
	const char *group_labels[KM_NR_CLASSES];
	char label_buf[KM_NR_CLASSES][16];
	uint64_t values[KM_NR_CLASSES * WI_NPOL];
};
void wi_svg_panels(struct wi_svg *s, const struct wi_result *r);

#endif /* MINALIGN_TOOLS_WIOUT_H */
