/* SPDX-License-Identifier: MIT */
/*
 * tools/slabinfo.c - `minalign slabinfo`: the library's caches in /proc/slabinfo 2.1 format.
 * Placeholder until the slab module's minalign_slab_foreach() exists.
 */
#include "cli.h"

int cmd_slabinfo(int argc, char **argv)
{
	struct cli_parser p;
	static const struct cli_opt opts[] = {{"json", 0, CLI_NO_ARG, 1}, {NULL, 0, CLI_NO_ARG, 0}};
	const char *v;
	int id;

	cli_parser_init(&p, "slabinfo", argc, argv, opts);
	while ((id = cli_next(&p, &v)) != CLI_END) {
		if (id == CLI_ERROR)
			return CLI_EXIT_USAGE;
		if (id == CLI_HELP) {
			puts("usage: minalign slabinfo [--json]");
			return CLI_EXIT_OK;
		}
		if (id == CLI_POSITIONAL)
			return cli_usage_error("slabinfo", "unexpected argument '%.64s'", v);
	}
	return cli_fail("slabinfo", "not available yet: it needs the slab module");
}
