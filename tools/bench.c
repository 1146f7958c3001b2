/* SPDX-License-Identifier: MIT */
/*
 * tools/bench.c - `minalign bench`: the slab and DMA-mapping benchmarks, with dma_map_benchmark's
 * options (threads, seconds, dir, granule, dma_bits): average map and unmap latency and deviation.
 *
 * Not available yet: it needs the DMA-mapping layer.  The subcommand exists so that its usage,
 * --help and --json behave like every other one; it fails with status 1 until then.
 */
#include "cli.h"
#include "json.h"

enum { OPT_JSON = 1 };

static const struct cli_opt bench_opts[] = {
	{"json", 0, CLI_NO_ARG, OPT_JSON},
	{NULL, 0, CLI_NO_ARG, 0},
};

static void bench_help(void)
{
	fputs("usage: minalign bench [--json]\n\n"
	      "The slab and DMA-mapping benchmarks, with dma_map_benchmark's options (threads,\n"
	      "seconds, dir, granule, dma_bits): average map and unmap latency and deviation.\n\n"
	      "Not available yet: it needs the DMA layer.\n",
	      stdout);
}

int cmd_bench(int argc, char **argv)
{
	struct cli_parser p;
	const char *v;
	bool json = false;
	int id;

	cli_parser_init(&p, "bench", argc, argv, bench_opts);
	while ((id = cli_next(&p, &v)) != CLI_END) {
		if (id == CLI_ERROR)
			return CLI_EXIT_USAGE;
		if (id == CLI_HELP) {
			bench_help();
			return CLI_EXIT_OK;
		}
		if (id == CLI_POSITIONAL)
			return cli_usage_error("bench", "unexpected argument '%.64s'", v);
		json = true;
	}
	if (json) {
		struct json j;

		json_init(&j, stdout);
		json_begin_object(&j);
		json_kv_bool(&j, "available", false);
		json_kv_string(&j, "reason", "needs the DMA layer");
		json_end_object(&j);
		json_finish(&j);
	}
	return cli_fail("bench", "not available yet: it needs the DMA layer");
}
