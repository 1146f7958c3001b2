/* SPDX-License-Identifier: MIT */
/*
 * tools/report/report.c - `minalign report` (also `minalign` alone): on this machine, what every
 * policy would cost at cache lines 64 and 128 for the live slab statistics (the what-if half), then
 * the simulated system-on-chip run under every policy (report_soc.c).
 */
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "report.h"
#include "whatif/wiout.h"

enum { OPT_SLABINFO = 1, OPT_RAM, OPT_CPUS, OPT_JSON, OPT_SVG, OPT_SECONDS, OPT_SEED };

static const struct cli_opt report_opts[] = {
	{"slabinfo", 0, CLI_REQ_ARG, OPT_SLABINFO}, {"ram", 0, CLI_REQ_ARG, OPT_RAM},
	{"cpus", 0, CLI_REQ_ARG, OPT_CPUS},	    {"json", 0, CLI_NO_ARG, OPT_JSON},
	{"svg", 0, CLI_REQ_ARG, OPT_SVG},	    {"seconds", 0, CLI_REQ_ARG, OPT_SECONDS},
	{"seed", 0, CLI_REQ_ARG, OPT_SEED},	    {NULL, 0, CLI_NO_ARG, 0},
};

static const unsigned int report_lines[] = {64, 128};
#define NLINES (sizeof(report_lines) / sizeof(report_lines[0]))

static void report_help(void)
{
	fputs("usage: minalign report [--slabinfo FILE] [--ram BYTES] [--cpus N] [--seconds S]\n"
	      "                       [--seed N] [--json] [--svg FILE]\n\n"
	      "The main job.  Reads the live slab statistics (/proc/slabinfo, else\n"
	      "/sys/kernel/slab, else the bundled sample, saying which), prints what every policy\n"
	      "would cost at cache lines 64 and 128 (slab bytes, bounce pool, net against "
	      "legacy),\n"
	      "then runs a short simulated system-on-chip under every policy: slab memory,\n"
	      "bounces, bounce-pool peak, throughput, conflicts and corrupted bytes.\n\n"
	      "options:\n"
	      "  --slabinfo FILE  read FILE (slabinfo text or a /sys/kernel/slab directory) "
	      "instead\n"
	      "  --ram BYTES      RAM of the machine for Linux's bounce pool size (default this "
	      "host's)\n"
	      "  --cpus N         CPUs for SLUB's slab order (default this host's)\n"
	      "  --seconds S      run time of the simulated SoC per policy (default 2)\n"
	      "  --seed N         seed of the simulated run (default 1)\n"
	      "  --json           machine-readable output\n"
	      "  --svg FILE       also write a bar chart of slab bytes per policy and size class\n",
	      stdout);
}

struct report_args {
	const char *file;
	const char *svg;
	bool json;
	struct wi_params params;
	struct report_soc_opts soc;
};

static int parse_seconds(const char *v, double *out)
{
	char *end;
	double s = strtod(v, &end);

	if (end == v || *end || !(s > 0.0) || s > 3600.0)
		return cli_usage_error("report", "--seconds must be a number in (0, 3600]");
	*out = s;
	return CLI_EXIT_OK;
}

static int parse_one(struct report_args *a, int id, const char *v)
{
	switch (id) {
	case OPT_SLABINFO:
		a->file = v;
		return CLI_EXIT_OK;
	case OPT_RAM:
		a->params.ram_given = true;
		return cli_opt_ram("report", v, &a->params.ram_bytes) ? CLI_EXIT_OK
								      : CLI_EXIT_USAGE;
	case OPT_CPUS:
		a->params.cpus_given = true;
		if (!cli_parse_uint(v, &a->params.cpus) || !a->params.cpus ||
		    a->params.cpus > 65536)
			return cli_usage_error("report", "--cpus must be a number in 1..65536");
		return CLI_EXIT_OK;
	case OPT_JSON:
		a->json = true;
		return CLI_EXIT_OK;
	case OPT_SVG:
		a->svg = v;
		return *v ? CLI_EXIT_OK : cli_usage_error("report", "--svg needs a file name");
	case OPT_SECONDS:
		return parse_seconds(v, &a->soc.seconds);
	case OPT_SEED:
		if (!cli_parse_u64(v, &a->soc.seed))
			return cli_usage_error("report", "--seed must be an unsigned number");
		return CLI_EXIT_OK;
	}
	return CLI_EXIT_USAGE;
}

static int parse_args(int argc, char **argv, struct report_args *a)
{
	struct cli_parser p;
	const char *v;
	int id, rc;

	wi_params_default(&a->params);
	a->soc.seconds = SOC_DEFAULT_SECONDS;
	a->soc.seed = 1;
	cli_parser_init(&p, "report", argc, argv, report_opts);
	while ((id = cli_next(&p, &v)) != CLI_END) {
		if (id == CLI_ERROR)
			return CLI_EXIT_USAGE;
		if (id == CLI_HELP) {
			report_help();
			return -1;
		}
		if (id == CLI_POSITIONAL)
			return cli_usage_error("report",
					       "unexpected argument '%.64s' (use --slabinfo "
					       "FILE to read a file)",
					       v);
		rc = parse_one(a, id, v);
		if (rc)
			return rc;
	}
	a->soc.progress = !a->json && cli_isatty(stderr) && cli_isatty(stdout);
	return CLI_EXIT_OK;
}

static int write_svg(const char *path, const struct slab_table *t, const struct wi_result *r,
		     const struct report_soc *soc)
{
	struct wi_svg s[NLINES];
	struct soc_svg ss;
	struct svg_panel panels[2 * NLINES + 2];
	unsigned int n = 0;
	char src[600];
	int err;

	for (size_t i = 0; i < NLINES; i++) {
		wi_svg_panels(&s[i], &r[i]);
		panels[n++] = s[i].panels[0];
		panels[n++] = s[i].panels[1];
	}
	if (soc->n) {
		soc_svg_panels(&ss, soc->r, soc->n);
		panels[n++] = ss.panels[0];
		panels[n++] = ss.panels[1];
	}
	slab_describe_source(t, src, sizeof(src));
	err = svg_write_bar_chart(path, "minalign report: slab bytes per kmalloc policy", src,
				  panels, n);
	if (err)
		return cli_fail("report", "%s: %s", path, strerror(-err));
	return CLI_EXIT_OK;
}

static void print_json(const struct slab_table *t, const struct wi_result *r,
		       const struct report_args *a, struct report_soc *soc, int *rc)
{
	struct json j;

	json_init(&j, stdout);
	json_begin_object(&j);
	wi_json_input(&j, t, &r[0]);
	json_key(&j, "whatif");
	json_begin_array(&j);
	for (size_t i = 0; i < NLINES; i++)
		wi_json_result(&j, &r[i]);
	json_end_array(&j);
	*rc = report_soc_run(&a->soc, stdout, &j, soc);
	report_pool_need(NULL, &j, soc, &r[NLINES - 1]);
	json_end_object(&j);
	json_finish(&j);
}

int cmd_report(int argc, char **argv)
{
	static struct report_soc soc;
	struct report_args a = {0};
	struct wi_result r[NLINES];
	struct slab_table t;
	int rc = parse_args(argc, argv, &a);

	if (rc)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if (a.svg && (rc = svg_check_path(a.svg)) != 0) /* fail before the run, not after it */
		return cli_fail("report", "--svg %s: %s", a.svg, strerror(-rc));
	rc = wi_load("report", a.file, &t);
	if (rc)
		return rc;
	for (size_t i = 0; i < NLINES; i++) {
		a.params.cache_line = report_lines[i];
		if (wi_compute(&t, &a.params, &r[i])) {
			slab_table_free(&t);
			return cli_fail("report", "out of memory");
		}
	}
	if (a.json) {
		print_json(&t, r, &a, &soc, &rc);
	} else {
		printf("minalign report: what each kmalloc alignment policy costs on this "
		       "machine\n\n");
		wi_print_input(stdout, &t, &r[0]);
		for (size_t i = 0; i < NLINES; i++)
			wi_print_text(stdout, &r[i]);
		fflush(stdout);
		rc = report_soc_run(&a.soc, stdout, NULL, &soc);
		if (rc == CLI_EXIT_OK)
			report_pool_need(stdout, NULL, &soc, &r[NLINES - 1]);
	}
	if (a.svg && rc == CLI_EXIT_OK)
		rc = write_svg(a.svg, &t, r, &soc);
	slab_table_free(&t);
	return rc;
}
