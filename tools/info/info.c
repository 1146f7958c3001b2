/* SPDX-License-Identifier: MIT */
/*
 * tools/info/info.c - `minalign info`: initialise the library and describe the configuration and
 * the simulated machine.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <minalign/minalign.h>

#include "common/cli.h"
#include "common/json.h"

enum { OPT_POLICY = 1, OPT_CACHE_LINE, OPT_RAM, OPT_SWIOTLB, OPT_CACHE_MODEL, OPT_JSON };

static const struct cli_opt info_opts[] = {
	{"policy", 'p', CLI_REQ_ARG, OPT_POLICY},
	{"cache-line", 'l', CLI_REQ_ARG, OPT_CACHE_LINE},
	{"ram", 0, CLI_REQ_ARG, OPT_RAM},
	{"swiotlb", 0, CLI_REQ_ARG, OPT_SWIOTLB},
	{"cache-model", 0, CLI_REQ_ARG, OPT_CACHE_MODEL},
	{"json", 0, CLI_NO_ARG, OPT_JSON},
	{NULL, 0, CLI_NO_ARG, 0},
};

static void info_help(void)
{
	fputs("usage: minalign info [--policy P] [--cache-line N] [--ram BYTES] [--swiotlb BYTES]\n"
	      "                     [--cache-model M] [--json]\n\n"
	      "Initialise the library and print its configuration and the simulated machine.\n\n"
	      "options:\n"
	      "  -p, --policy P      legacy, bounce (default), packed, dma_opt_in, naive\n"
	      "  -l, --cache-line N  a power of two in 16..256 (default 128)\n"
	      "  --ram BYTES         simulated RAM (K/M/G suffix; default 1 GiB)\n"
	      "  --swiotlb BYTES     default bounce pool (0: none; default 4 MiB)\n"
	      "  --cache-model M     sim (default), native, coherent\n"
	      "  --json              machine-readable output\n",
	      stdout);
}

static const char *const model_names[] = {"sim", "native", "coherent"};
static const char *const victim_names[] = {"lose_cpu_writes", "lose_device_writes"};

static bool parse_model(const char *v, struct minalign_config *cfg)
{
	for (unsigned int i = 0; i < 3; i++) {
		if (!strcmp(v, model_names[i])) {
			cfg->cache_model = (enum minalign_cache_model)i;
			return true;
		}
	}
	cli_usage_error("info", "--cache-model must be one of sim, native, coherent");
	return false;
}

static int parse_args(int argc, char **argv, struct minalign_config *cfg, bool *json)
{
	struct cli_parser p;
	const char *v;
	uint64_t u;
	int id, pol;

	cli_parser_init(&p, "info", argc, argv, info_opts);
	while ((id = cli_next(&p, &v)) != CLI_END) {
		switch (id) {
		case CLI_ERROR:
			return CLI_EXIT_USAGE;
		case CLI_HELP:
			info_help();
			return -1;
		case CLI_POSITIONAL:
			return cli_usage_error("info", "unexpected argument '%.64s'", v);
		case OPT_POLICY:
			if (!cli_opt_policy("info", v, &pol))
				return CLI_EXIT_USAGE;
			cfg->policy = (enum minalign_policy)pol;
			break;
		case OPT_CACHE_LINE:
			if (!cli_opt_cache_line("info", v, &cfg->cache_line))
				return CLI_EXIT_USAGE;
			break;
		case OPT_RAM:
			if (!cli_opt_ram("info", v, &u) || u > SIZE_MAX)
				return CLI_EXIT_USAGE;
			cfg->ram_size = (size_t)u;
			break;
		case OPT_SWIOTLB:
			if (!cli_parse_size(v, &u) || u > SIZE_MAX)
				return cli_usage_error("info", "--swiotlb must be a size in bytes "
							       "(K/M/G suffix allowed)");
			cfg->swiotlb_size = (size_t)u;
			break;
		case OPT_CACHE_MODEL:
			if (!parse_model(v, cfg))
				return CLI_EXIT_USAGE;
			break;
		case OPT_JSON:
			*json = true;
			break;
		}
	}
	return CLI_EXIT_OK;
}

static void debug_names(unsigned int debug, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", debug & MINALIGN_DEBUG_DMA ? "dma" : "",
		 (debug & MINALIGN_DEBUG_DMA) && (debug & MINALIGN_DEBUG_SLAB) ? "," : "",
		 debug & MINALIGN_DEBUG_SLAB ? "slab" : "");
	if (!buf[0])
		snprintf(buf, len, "none");
}

/* The kmalloc size classes of the active policy, from kmalloc_size_roundup(). */
static unsigned int kmalloc_classes(size_t *out, unsigned int max)
{
	unsigned int n = 0;
	size_t last = 0;

	for (size_t size = 1; size <= KMALLOC_MAX_CACHE_SIZE && n < max; size++) {
		size_t c = kmalloc_size_roundup(size);

		if (c != last && c <= KMALLOC_MAX_CACHE_SIZE)
			out[n++] = c;
		last = c;
	}
	return n;
}

static void print_text(const struct minalign_config *c, const struct minalign_stats *st)
{
	size_t classes[32];
	unsigned int n = kmalloc_classes(classes, 32);

	char h1[32], h2[32], dbg[32];

	debug_names(c->debug, dbg, sizeof(dbg));
	printf("minalign configuration\n");
	printf("  policy          %s\n", minalign_policy_name(c->policy));
	printf("  cache line      %u bytes (ARCH_DMA_MINALIGN)\n", c->cache_line);
	printf("  cache model     %s (victim: %s)\n", model_names[c->cache_model % 3],
	       victim_names[c->sim_victim % 2]);
	printf("  swiotlb         %s default pool, dynamic growth %s\n",
	       cli_human(h1, sizeof(h1), c->swiotlb_size), c->swiotlb_dynamic ? "on" : "off");
	printf("  bounce rule     %s\n", c->bounce_linux_rule
						 ? "Linux's size heuristic"
						 : "exact (Linux's heuristic counted)");
	printf("  debug           %s\n", dbg);
	printf("simulated machine\n");
	printf("  RAM             0x%" PRIx64 "..0x%" PRIx64 " (%s, %" PRIu64 " pages of 4 KiB)\n",
	       c->ram_base, c->ram_base + (uint64_t)c->ram_size - 1,
	       cli_human(h2, sizeof(h2), c->ram_size), (uint64_t)c->ram_size / 4096);
	printf("  pages free      %" PRIu64 "\n", st->pages_free);
	printf("  bounce pools    %" PRIu64 " (%" PRIu64 " slots, %s)\n", st->swiotlb_pools,
	       st->swiotlb_slots_total, cli_human(h1, sizeof(h1), st->swiotlb_bytes));
	printf("  kmalloc classes");
	for (unsigned int i = 0; i < n; i++)
		printf(" %zu", classes[i]);
	printf(" (GFP_KERNEL)\n");
}

static void print_json(const struct minalign_config *c, const struct minalign_stats *st)
{
	size_t classes[32];
	unsigned int n = kmalloc_classes(classes, 32);
	struct json j;
	char dbg[32];

	debug_names(c->debug, dbg, sizeof(dbg));
	json_init(&j, stdout);
	json_begin_object(&j);
	json_key(&j, "config");
	json_begin_object(&j);
	json_kv_string(&j, "policy", minalign_policy_name(c->policy));
	json_kv_uint(&j, "cache_line", c->cache_line);
	json_kv_string(&j, "cache_model", model_names[c->cache_model % 3]);
	json_kv_string(&j, "sim_victim", victim_names[c->sim_victim % 2]);
	json_kv_uint(&j, "swiotlb_size", c->swiotlb_size);
	json_kv_bool(&j, "swiotlb_dynamic", c->swiotlb_dynamic);
	json_kv_bool(&j, "bounce_linux_rule", c->bounce_linux_rule);
	json_kv_uint(&j, "debug", c->debug);
	json_kv_string(&j, "debug_names", dbg);
	json_end_object(&j);
	json_key(&j, "machine");
	json_begin_object(&j);
	json_kv_uint(&j, "ram_base", c->ram_base);
	json_kv_uint(&j, "ram_size", c->ram_size);
	json_kv_uint(&j, "page_size", 4096);
	json_kv_uint(&j, "pages_free", st->pages_free);
	json_kv_uint(&j, "swiotlb_pools", st->swiotlb_pools);
	json_kv_uint(&j, "swiotlb_slots_total", st->swiotlb_slots_total);
	json_kv_uint(&j, "swiotlb_bytes", st->swiotlb_bytes);
	json_key(&j, "kmalloc_classes");
	json_begin_array(&j);
	for (unsigned int i = 0; i < n; i++)
		json_uint(&j, classes[i]);
	json_end_array(&j);
	json_end_object(&j);
	json_end_object(&j);
	json_finish(&j);
}

int cmd_info(int argc, char **argv)
{
	struct minalign_config cfg, active;
	struct minalign_stats st;
	bool json = false;
	int rc;

	minalign_config_init(&cfg);
	rc = parse_args(argc, argv, &cfg, &json);
	if (rc)
		return rc < 0 ? CLI_EXIT_OK : rc;
	rc = cli_init_library("info", &cfg);
	if (rc)
		return rc;
	if (minalign_get_config(&active))
		active = cfg;
	minalign_get_stats(&st);
	if (json)
		print_json(&active, &st);
	else
		print_text(&active, &st);
	minalign_exit();
	return CLI_EXIT_OK;
}
