/* SPDX-License-Identifier: MIT */
/*
 * tools/whatif/whatif.c - `minalign whatif [FILE]`: what every policy would cost for the kmalloc
 * objects in slab statistics (slabinfo 2.1 text or a /sys/kernel/slab directory; default the live
 * ones). The model is in wimodel.c, the presentation in wiout.c.
 */
#include <string.h>

#include "common/cli.h"
#include "wiout.h"

enum { OPT_CACHE_LINE = 1, OPT_RAM, OPT_CPUS, OPT_JSON, OPT_SVG, OPT_POOL };

static const struct cli_opt whatif_opts[] = {
	{"cache-line", 'l', CLI_REQ_ARG, OPT_CACHE_LINE},
	{"ram", 0, CLI_REQ_ARG, OPT_RAM},
	{"cpus", 0, CLI_REQ_ARG, OPT_CPUS},
	{"json", 0, CLI_NO_ARG, OPT_JSON},
	{"svg", 0, CLI_REQ_ARG, OPT_SVG},
	{"pool", 0, CLI_REQ_ARG, OPT_POOL},
	{NULL, 0, CLI_NO_ARG, 0},
};

static void whatif_help(void)
{
	fputs("usage: minalign whatif [FILE] [--cache-line N] [--ram BYTES] [--cpus N] [--json]\n"
	      "                       [--svg FILE] [--pool BYTES]\n\n"
	      "What each kmalloc policy would cost for the kmalloc objects in slab statistics.\n"
	      "FILE is /proc/slabinfo 2.1 text ('-' for stdin) or a /sys/kernel/slab directory;\n"
	      "default: /proc/slabinfo, else /sys/kernel/slab, else the bundled sample.\n\n"
	      "Method: every kmalloc-family row (kmalloc-N, kmalloc-cg-N, kmalloc-rcl-N,\n"
	      "dma-kmalloc-N, kmalloc-rnd-NN-N) contributes num_objs; the objects move to the "
	      "class\n"
	      "they would use under the policy's minimum alignment, are rounded up to whole slabs\n"
	      "(the input's geometry for that size and type, else SLUB's order rule), and\n"
	      "bytes = slabs x pages per slab x 4096.\n\n"
	      "options:\n"
	      "  -l, --cache-line N  ARCH_DMA_MINALIGN, a power of two in 16..256 (default 128)\n"
	      "  --ram BYTES         RAM of the machine, for Linux's bounce pool size (K/M/G "
	      "suffix;\n"
	      "                      default this host's)\n"
	      "  --cpus N            CPUs of the machine, for SLUB's slab order (default this "
	      "host's)\n"
	      "  --pool BYTES        minalign's bounce pool for bounce and dma_opt_in: what a\n"
	      "                      workload needs (`minalign report` measures the SoC's;\n"
	      "                      default: the library's default reservation)\n"
	      "  --json              machine-readable output\n"
	      "  --svg FILE          also write a bar chart of slab bytes per policy and size "
	      "class\n",
	      stdout);
}

struct whatif_args {
	const char *file;
	const char *svg;
	bool json;
	struct wi_params params;
};

static int parse_args(int argc, char **argv, struct whatif_args *a)
{
	struct cli_parser p;
	const char *v;
	int id;

	wi_params_default(&a->params);
	cli_parser_init(&p, "whatif", argc, argv, whatif_opts);
	while ((id = cli_next(&p, &v)) != CLI_END) {
		switch (id) {
		case CLI_ERROR:
			return CLI_EXIT_USAGE;
		case CLI_HELP:
			whatif_help();
			return -1;
		case CLI_POSITIONAL:
			if (a->file)
				return cli_usage_error("whatif", "takes at most one FILE");
			a->file = v;
			break;
		case OPT_CACHE_LINE:
			if (!cli_opt_cache_line("whatif", v, &a->params.cache_line))
				return CLI_EXIT_USAGE;
			break;
		case OPT_RAM:
			if (!cli_opt_ram("whatif", v, &a->params.ram_bytes))
				return CLI_EXIT_USAGE;
			a->params.ram_given = true;
			break;
		case OPT_CPUS:
			if (!cli_parse_uint(v, &a->params.cpus) || !a->params.cpus ||
			    a->params.cpus > 65536)
				return cli_usage_error("whatif",
						       "--cpus must be a number in 1..65536");
			a->params.cpus_given = true;
			break;
		case OPT_JSON:
			a->json = true;
			break;
		case OPT_SVG:
			if (!*v)
				return cli_usage_error("whatif", "--svg needs a file name");
			a->svg = v;
			break;
		case OPT_POOL:
			if (!cli_parse_size(v, &a->params.minalign_pool))
				return cli_usage_error("whatif",
						       "--pool must be a size (K/M/G suffix)");
			a->params.pool_given = true;
			break;
		}
	}
	return CLI_EXIT_OK;
}

static int write_svg(const char *path, const struct slab_table *t, const struct wi_result *r)
{
	struct wi_svg s;
	char src[600];
	int err;

	wi_svg_panels(&s, r);
	slab_describe_source(t, src, sizeof(src));
	err = svg_write_bar_chart(path, "minalign whatif: slab bytes per kmalloc policy", src,
				  s.panels, 2);
	if (err)
		return cli_fail("whatif", "%s: %s", path, strerror(-err));
	return CLI_EXIT_OK;
}

int cmd_whatif(int argc, char **argv)
{
	struct whatif_args a = {0};
	struct slab_table t;
	struct wi_result r;
	int rc = parse_args(argc, argv, &a);

	if (rc)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if (a.svg && (rc = svg_check_path(a.svg)) != 0)
		return cli_fail("whatif", "--svg %s: %s", a.svg, strerror(-rc));
	rc = wi_load("whatif", a.file, &t);
	if (rc)
		return rc;
	if (wi_compute(&t, &a.params, &r)) {
		slab_table_free(&t);
		return cli_fail("whatif", "out of memory");
	}
	if (!r.rows) {
		rc = cli_fail(
			"whatif",
			"%s: no kmalloc rows (kmalloc-N, kmalloc-cg-N, dma-kmalloc-N, size-N, "
			"...) among its %zu caches",
			t.source ? t.source : "input", t.nrows);
		slab_table_free(&t);
		return rc;
	}
	if (a.json) {
		struct json j;

		json_init(&j, stdout);
		json_begin_object(&j);
		wi_json_result_members(&j, &r);
		wi_json_input(&j, &t, &r);
		json_end_object(&j);
		json_finish(&j);
	} else {
		printf("minalign whatif: kmalloc slab memory and bounce pool per policy\n\n");
		wi_print_input(stdout, &t, &r);
		wi_print_text(stdout, &r);
	}
	if (a.svg)
		rc = write_svg(a.svg, &t, &r);
	slab_table_free(&t);
	return rc;
}
