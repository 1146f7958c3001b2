/* SPDX-License-Identifier: MIT */
/*
 * tools/slabinfo/slabinfo.c - `minalign slabinfo`: initialise the library and print its
 * caches exactly as /proc/slabinfo 2.1 does (SLUB: tunables 0, sharedavail 0),
 * or as JSON.
 */
#include <errno.h>
#include <string.h>

#include <minalign/minalign.h>

#include "common/cli.h"
#include "common/json.h"

enum { OPT_POLICY = 1, OPT_CACHE_LINE, OPT_RAM, OPT_JSON };

static const struct cli_opt slabinfo_opts[] = {
	{"policy", 'p', CLI_REQ_ARG, OPT_POLICY},
	{"cache-line", 'l', CLI_REQ_ARG, OPT_CACHE_LINE},
	{"ram", 0, CLI_REQ_ARG, OPT_RAM},
	{"json", 0, CLI_NO_ARG, OPT_JSON},
	{NULL, 0, CLI_NO_ARG, 0},
};

static void slabinfo_help(void)
{
	fputs("usage: minalign slabinfo [--policy P] [--cache-line N] [--ram BYTES] "
	      "[--json]\n\n"
	      "Initialise the library and print its slab caches in /proc/slabinfo "
	      "2.1 format (the\n"
	      "kmalloc caches the policy and cache line create, before any "
	      "allocation).\n\n"
	      "options:\n"
	      "  -p, --policy P      legacy, bounce (default), packed, dma_opt_in, "
	      "naive\n"
	      "  -l, --cache-line N  a power of two in 16..256 (default 128)\n"
	      "  --ram BYTES         simulated RAM (K/M/G suffix; default 1 GiB)\n"
	      "  --json              machine-readable output\n",
	      stdout);
}

static int parse_args(int argc, char **argv, struct minalign_config *cfg, bool *json)
{
	struct cli_parser p;
	const char *v;
	uint64_t u;
	int id, pol;

	cli_parser_init(&p, "slabinfo", argc, argv, slabinfo_opts);
	while ((id = cli_next(&p, &v)) != CLI_END) {
		switch (id) {
		case CLI_ERROR:
			return CLI_EXIT_USAGE;
		case CLI_HELP:
			slabinfo_help();
			return -1;
		case CLI_POSITIONAL:
			return cli_usage_error("slabinfo", "unexpected argument '%.64s'", v);
		case OPT_POLICY:
			if (!cli_opt_policy("slabinfo", v, &pol))
				return CLI_EXIT_USAGE;
			cfg->policy = (enum minalign_policy)pol;
			break;
		case OPT_CACHE_LINE:
			if (!cli_opt_cache_line("slabinfo", v, &cfg->cache_line))
				return CLI_EXIT_USAGE;
			break;
		case OPT_RAM:
			if (!cli_opt_ram("slabinfo", v, &u) || u > SIZE_MAX)
				return CLI_EXIT_USAGE;
			cfg->ram_size = (size_t)u;
			break;
		case OPT_JSON:
			*json = true;
			break;
		}
	}
	return CLI_EXIT_OK;
}

static int print_row(const struct minalign_slabinfo *s, void *arg)
{
	(void)arg;
	printf("%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6lu "
	       "%6lu %6lu\n",
	       s->name ? s->name : "?", s->active_objs, s->num_objs, s->objsize, s->objperslab,
	       (int)s->pagesperslab, 0u, 0u, 0u, s->active_slabs, s->num_slabs, 0ul);
	return 0;
}

static int json_row(const struct minalign_slabinfo *s, void *arg)
{
	struct json *j = arg;

	json_begin_object(j);
	json_kv_string(j, "name", s->name);
	json_kv_uint(j, "active_objs", s->active_objs);
	json_kv_uint(j, "num_objs", s->num_objs);
	json_kv_uint(j, "objsize", s->objsize);
	json_kv_uint(j, "objperslab", s->objperslab);
	json_kv_uint(j, "pagesperslab", s->pagesperslab);
	json_kv_uint(j, "active_slabs", s->active_slabs);
	json_kv_uint(j, "num_slabs", s->num_slabs);
	json_end_object(j);
	return 0;
}

static int print_all(const struct minalign_config *cfg, bool json)
{
	struct json j;
	int err;

	if (!json) {
		printf("slabinfo - version: 2.1\n");
		printf("# name            <active_objs> <num_objs> <objsize> <objperslab> "
		       "<pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : "
		       "slabdata "
		       "<active_slabs> <num_slabs> <sharedavail>\n");
		return minalign_slab_foreach(print_row, NULL);
	}
	json_init(&j, stdout);
	json_begin_object(&j);
	json_kv_string(&j, "policy", minalign_policy_name(cfg->policy));
	json_kv_uint(&j, "cache_line", cfg->cache_line);
	json_key(&j, "caches");
	json_begin_array(&j);
	err = minalign_slab_foreach(json_row, &j);
	json_end_array(&j);
	json_end_object(&j);
	json_finish(&j);
	return err;
}

int cmd_slabinfo(int argc, char **argv)
{
	struct minalign_config cfg;
	bool json = false;
	int rc, err;

	minalign_config_init(&cfg);
	rc = parse_args(argc, argv, &cfg, &json);
	if (rc)
		return rc < 0 ? CLI_EXIT_OK : rc;
	rc = cli_init_library("slabinfo", &cfg);
	if (rc)
		return rc;
	err = print_all(&cfg, json);
	minalign_exit();
	if (err)
		return cli_fail("slabinfo", "minalign_slab_foreach: %s", strerror(-err));
	return CLI_EXIT_OK;
}
