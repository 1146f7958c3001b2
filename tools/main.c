/* SPDX-License-Identifier: MIT */
/*
 * tools/main.c - the minalign program: subcommand dispatch and the top-level help.
 *
 * `minalign` with no arguments runs `report`.  A first argument starting with '-' (other than
 * --help/-h) is taken as an option of `report`.
 */
#include <string.h>

#include <minalign/minalign.h>

#include "common/cli.h"
#include "record/record.h"

struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct subcommand subcommands[] = {
	{"report", cmd_report, "what every policy costs on this machine (the main job; default)"},
	{"whatif", cmd_whatif, "slab bytes and bounce pool per policy for slabinfo data"},
	{"replay", cmd_replay, "replay an ftrace kmem trace through the allocator per policy"},
	{"record", cmd_record, "capture a kmem trace on this machine (root, libtracefs)"},
	{"stress", cmd_stress, "the simulated system-on-chip with every knob"},
	{"bench", cmd_bench, "allocator and DMA-mapping benchmarks"},
	{"slabinfo", cmd_slabinfo, "the library's caches in /proc/slabinfo 2.1 format"},
	{"info", cmd_info, "the configuration and the simulated machine"},
	{"help", cmd_help, "help on a subcommand"},
};
#define NSUB (sizeof(subcommands) / sizeof(subcommands[0]))

static void usage(FILE *f)
{
	fputs("usage: minalign [SUBCOMMAND] [OPTIONS]\n\n"
	      "Small kmalloc objects and non-coherent DMA: what each kmalloc alignment policy\n"
	      "(legacy, bounce, packed, dma_opt_in, naive) costs and whether it is safe.\n\n"
	      "subcommands:\n",
	      f);
	for (size_t i = 0; i < NSUB; i++)
		fprintf(f, "  %-10s %s\n", subcommands[i].name, subcommands[i].summary);
	fputs("\nWithout a subcommand, minalign runs `report`.  Every subcommand takes --help and\n"
	      "--json.  Exit status: 0 success, 1 runtime failure, 2 bad usage.\n",
	      f);
}

int cmd_help(int argc, char **argv)
{
	char *sub_argv[3];

	if (argc < 2) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (argc > 2)
		return cli_usage_error("help", "takes at most one subcommand name");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < NSUB; i++) {
		if (!strcmp(argv[1], subcommands[i].name)) {
			sub_argv[0] = argv[1];
			sub_argv[1] = (char *)"--help";
			sub_argv[2] = NULL;
			return subcommands[i].fn(2, sub_argv);
		}
	}
	return cli_usage_error("help", "unknown subcommand '%s'", argv[1]);
}

int main(int argc, char **argv)
{
	char *report_argv[] = {(char *)"report", NULL};

	if (argc < 2)
		return cmd_report(1, report_argv);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (argv[1][0] == '-') {
		argv[0] = (char *)"report";
		return cmd_report(argc, argv);
	}
	for (size_t i = 0; i < NSUB; i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	if (strlen(argv[1]) > 64)
		return cli_usage_error(NULL, "unknown subcommand (try 'minalign --help')");
	return cli_usage_error(NULL, "unknown subcommand '%s' (try 'minalign --help')", argv[1]);
}
