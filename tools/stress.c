/* SPDX-License-Identifier: MIT */
/*
 * tools/stress.c - `minalign stress`: the simulated system-on-chip with every knob (policy,
 * threads, devices, seconds, sizes, victim mode, seed).
 *
 * Not available yet: it needs the DMA-mapping layer.  The subcommand exists so that its usage,
 * --help and --json behave like every other one; it fails with status 1 until then.
 */
#include "cli.h"
#include "json.h"

enum { OPT_JSON = 1 };

static const struct cli_opt stress_opts[] = {
	{"json", 0, CLI_NO_ARG, OPT_JSON},
	{NULL, 0, CLI_NO_ARG, 0},
};

static void stress_help(void)
{
	fputs("usage: minalign stress [--json]\n\n"
	      "The simulated system-on-chip with every knob (policy, threads, devices, seconds,\n"
	      "sizes, victim mode, seed).\n\n"
	      "Not available yet: it needs the DMA layer.\n",
	      stdout);
}

int cmd_stress(int argc, char **argv)
{
	struct cli_parser p;
	const char *v;
	bool json = false;
	int id;

	cli_parser_init(&p, "stress", argc, argv, stress_opts);
	while ((id = cli_next(&p, &v)) != CLI_END) {
		if (id == CLI_ERROR)
			return CLI_EXIT_USAGE;
		if (id == CLI_HELP) {
			stress_help();
			return CLI_EXIT_OK;
		}
		if (id == CLI_POSITIONAL)
			return cli_usage_error("stress", "unexpected argument '%.64s'", v);
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
	return cli_fail("stress", "not available yet: it needs the DMA layer");
}
