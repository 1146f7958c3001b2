/* SPDX-License-Identifier: MIT */
/*
 * tools/replay/replay.c - `minalign replay TRACE`: replay an ftrace kmem trace
 * (trace_pipe, `trace-cmd report` or `perf script` text) through the real
 * allocator under every policy and print peak and final slab bytes and
 * per-class counts.  Parsing is in traceparse.c, the replay engine in
 * replayeng.c.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "common/json.h"
#include "replay.h"
#include "tracedat.h"

enum {
	OPT_CACHE_LINE = 1,
	OPT_RAM,
	OPT_POLICY,
	OPT_JSON,
	OPT_SYMBOLS,
	OPT_SITE_OFFSETS,
	OPT_PACKED_SITES,
	OPT_PACKED_TOP,
	OPT_PHYS_OFFSET,
	OPT_TOP,
};

static const struct cli_opt replay_opts[] = {
	{"cache-line", 'l', CLI_REQ_ARG, OPT_CACHE_LINE},
	{"ram", 0, CLI_REQ_ARG, OPT_RAM},
	{"policy", 'p', CLI_REQ_ARG, OPT_POLICY},
	{"json", 0, CLI_NO_ARG, OPT_JSON},
	{"symbols", 0, CLI_REQ_ARG, OPT_SYMBOLS},
	{"site-offsets", 0, CLI_NO_ARG, OPT_SITE_OFFSETS},
	{"packed-sites", 0, CLI_REQ_ARG, OPT_PACKED_SITES},
	{"packed-top", 0, CLI_REQ_ARG, OPT_PACKED_TOP},
	{"phys-offset", 0, CLI_REQ_ARG, OPT_PHYS_OFFSET},
	{"top", 0, CLI_REQ_ARG, OPT_TOP},
	{NULL, 0, CLI_NO_ARG, 0},
};

struct replay_args {
	const char *trace;
	bool json;
	int only_policy; /* -1: all */
	struct minalign_config cfg;
	const char *symbols;
	bool site_offsets;
	unsigned int top; /* sites in the text output */
	struct rp_packed packed;
	struct rp_site_opts site;
};

static void replay_help(void)
{
	fputs("usage: minalign replay TRACE [--cache-line N] [--ram BYTES] [--policy "
	      "P] [--json]\n\n"
	      "Replay the kmalloc, kmalloc_node, kmem_cache_alloc(_node), kfree and "
	      "kmem_cache_free\n"
	      "events of an ftrace kmem trace (trace_pipe, `trace-cmd report` or "
	      "`perf script` text;\n"
	      "TRACE '-' is stdin) through the allocator under each policy; print "
	      "peak and final slab\n"
	      "bytes and per-class counts.  Malformed lines are counted and listed, "
	      "never fatal.\n\n"
	      "options:\n"
	      "  -l, --cache-line N  a power of two in 16..256 (default 128)\n"
	      "  --ram BYTES         simulated RAM (K/M/G suffix; default 1 GiB)\n"
	      "  -p, --policy P      replay under P only (legacy, bounce, packed, "
	      "dma_opt_in, naive)\n"
	      "  --symbols FILE      name raw call sites from a System.map or kallsyms copy\n"
	      "  --site-offsets      keep +0xoff in site keys (default: the function only)\n"
	      "  --packed-sites FILE the packed policy allocates these sites (one a line)\n"
	      "                      with __GFP_PACKED\n"
	      "  --packed-top K      ... the top K sites not known to be DMA-mapped\n"
	      "  --phys-offset OFF   linear map: phys = virt - OFF (attributes dma_map events\n"
	      "                      to the live objects they map)\n"
	      "  --top N             sites in the text output (default 10)\n"
	      "  --json              machine-readable output\n",
	      stdout);
}

/* A decimal or 0x-prefixed hex number (--phys-offset ffff... without 0x is taken as hex too). */
static bool parse_offset(const char *v, uint64_t *out)
{
	char *end;
	bool hex = strspn(v, "0123456789") != strlen(v);

	if (!isxdigit((unsigned char)v[0]))
		return false;
	errno = 0;
	*out = strtoull(v, &end, hex ? 16 : 10);
	return !errno && !*end;
}

static int parse_one(struct replay_args *a, int id, const char *v)
{
	uint64_t u;

	switch (id) {
	case OPT_CACHE_LINE:
		return cli_opt_cache_line("replay", v, &a->cfg.cache_line) ? 0 : CLI_EXIT_USAGE;
	case OPT_RAM:
		if (!cli_opt_ram("replay", v, &u) || u > SIZE_MAX)
			return CLI_EXIT_USAGE;
		a->cfg.ram_size = (size_t)u;
		return 0;
	case OPT_POLICY:
		return cli_opt_policy("replay", v, &a->only_policy) ? 0 : CLI_EXIT_USAGE;
	case OPT_JSON:
		a->json = true;
		return 0;
	case OPT_SYMBOLS:
		a->symbols = v;
		return 0;
	case OPT_SITE_OFFSETS:
		a->site_offsets = true;
		return 0;
	case OPT_PACKED_SITES:
		if (a->packed.source == RP_PACKED_TOP)
			return cli_usage_error("replay", "--packed-sites and --packed-top exclude "
							 "each other");
		a->packed.source = RP_PACKED_FILE;
		a->packed.file = v;
		return 0;
	case OPT_PACKED_TOP:
		if (a->packed.source == RP_PACKED_FILE)
			return cli_usage_error("replay", "--packed-sites and --packed-top exclude "
							 "each other");
		if (!cli_parse_u64(v, &a->packed.top) || !a->packed.top)
			return cli_usage_error("replay", "--packed-top must be a positive number");
		a->packed.source = RP_PACKED_TOP;
		return 0;
	case OPT_PHYS_OFFSET:
		if (!parse_offset(v, &a->site.phys_offset))
			return cli_usage_error("replay",
					       "--phys-offset must be a number (0x... for "
					       "hex)");
		a->site.have_phys_offset = true;
		return 0;
	case OPT_TOP:
		if (!cli_parse_uint(v, &a->top))
			return cli_usage_error("replay", "--top must be a number");
		return 0;
	}
	return CLI_EXIT_USAGE;
}

static int parse_args(int argc, char **argv, struct replay_args *a)
{
	struct cli_parser p;
	const char *v;
	int id, rc;

	minalign_config_init(&a->cfg);
	a->only_policy = -1;
	a->top = 10;
	cli_parser_init(&p, "replay", argc, argv, replay_opts);
	while ((id = cli_next(&p, &v)) != CLI_END) {
		if (id == CLI_ERROR)
			return CLI_EXIT_USAGE;
		if (id == CLI_HELP) {
			replay_help();
			return -1;
		}
		if (id == CLI_POSITIONAL) {
			if (a->trace)
				return cli_usage_error("replay", "takes exactly one TRACE");
			a->trace = v;
			continue;
		}
		rc = parse_one(a, id, v);
		if (rc)
			return rc;
	}
	if (!a->trace)
		return cli_usage_error("replay", "missing TRACE (a kmem trace file, or '-')");
	return 0;
}

static const char *slot_name(unsigned int i, char *buf, size_t len)
{
	if (i == RP_SLOT_LARGE)
		return "large";
	if (i == RP_SLOT_CACHE)
		return "kmem_cache";
	if (i == RP_SLOT_ZERO)
		return "zero";
	snprintf(buf, len, "%u", km_class_size(i));
	return buf;
}

static bool slot_used(const struct rp_result *res, unsigned int i)
{
	for (int p = 0; p < MINALIGN_NR_POLICIES; p++)
		if (res[p].slots[i].allocs)
			return true;
	return false;
}

/* ---- text
 * ----------------------------------------------------------------------------------
 */

static void print_trace_text(const struct replay_args *a, const struct rp_trace *t)
{
	const struct tr_stats *st = &t->st;

	printf("trace:   %s%s: %lu lines, %lu ignored (not kmem events)", a->trace,
	       t->binary ? " (trace.dat, as `trace-cmd report` text)" : "", st->lines, st->ignored);
	if (st->truncated)
		printf(", last line truncated");
	printf("\nevents: ");
	for (int e = 0; e < TR_NR_EVENTS; e++)
		printf(" %s %lu%s", tr_event_name((enum tr_event)e), st->events[e],
		       e + 1 < TR_NR_EVENTS ? "," : "\n");
	if (st->bad.count)
		cli_bad_print(stdout, &st->bad, "line", "lines");
	printf("skipped: %" PRIu64 " allocations that returned NULL in the trace, %" PRIu64
	       " frees of NULL\n",
	       t->null_allocs, t->null_frees);
	if (st->unknown_gfp)
		printf("gfp:     %lu flag names with no minalign meaning were ignored\n",
		       st->unknown_gfp);
	if (st->hex_gfp)
		printf("gfp:     %lu events printed gfp_flags as a number: decoded with Linux "
		       "4.x-6.7's bit values\n",
		       st->hex_gfp);
	if (st->lost_markers)
		printf("lost:    %" PRIu64
		       " events%s in %lu markers: live counts are lower bounds\n",
		       st->lost_events, st->lost_unknown ? " and more" : "", st->lost_markers);
	for (int e = 0; e < TR_NR_DMA_EVENTS; e++)
		if (st->dma_events[e])
			printf("dma:     %s %lu\n", tr_dma_event_name((enum tr_dma_event)e),
			       st->dma_events[e]);
}

static void print_policies_text(const struct replay_args *a, const struct rp_result *res)
{
	char h1[32], h2[32];

	printf("\ncache line %u, RAM %s\n", a->cfg.cache_line,
	       cli_human(h1, sizeof(h1), a->cfg.ram_size));
	printf("  %-11s %-22s %-22s %10s %10s %8s %9s %8s\n", "policy", "peak slab bytes",
	       "final slab bytes", "allocs", "frees", "failed", "unmatched", "reused");
	for (int p = 0; p < MINALIGN_NR_POLICIES; p++) {
		const struct rp_result *r = &res[p];
		char b1[64], b2[64];

		if (a->only_policy >= 0 && p != a->only_policy)
			continue;
		if (r->init_err) {
			printf("  %-11s minalign_init failed: %s\n",
			       minalign_policy_name((enum minalign_policy)p),
			       strerror(-r->init_err));
			continue;
		}
		snprintf(b1, sizeof(b1), "%" PRIu64 " (%s)", r->peak_slab_bytes,
			 cli_human(h1, sizeof(h1), r->peak_slab_bytes));
		snprintf(b2, sizeof(b2), "%" PRIu64 " (%s)", r->final_slab_bytes,
			 cli_human(h2, sizeof(h2), r->final_slab_bytes));
		printf("  %-11s %-22s %-22s %10" PRIu64 " %10" PRIu64 " %8" PRIu64 " %9" PRIu64
		       " %8" PRIu64 "\n",
		       minalign_policy_name((enum minalign_policy)p), b1, b2, r->allocs, r->frees,
		       r->failed_allocs, r->unmatched_frees, r->reused_ptrs);
	}
}

static void print_classes_text(const struct replay_args *a, const struct rp_result *res)
{
	char buf[16];

	printf("\n  allocations / live at the end, per class\n  %-10s", "class");
	for (int p = 0; p < MINALIGN_NR_POLICIES; p++)
		if (a->only_policy < 0 || p == a->only_policy)
			printf(" %21s", minalign_policy_name((enum minalign_policy)p));
	printf("\n");
	for (unsigned int i = 0; i < RP_NSLOTS; i++) {
		if (!slot_used(res, i))
			continue;
		printf("  %-10s", slot_name(i, buf, sizeof(buf)));
		for (int p = 0; p < MINALIGN_NR_POLICIES; p++) {
			char cell[48];

			if (a->only_policy >= 0 && p != a->only_policy)
				continue;
			snprintf(cell, sizeof(cell), "%" PRIu64 " / %" PRIu64,
				 res[p].slots[i].allocs, res[p].slots[i].live);
			printf(" %21s", cell);
		}
		printf("\n");
	}
	printf("\n  peak and final slab bytes exclude kmalloc beyond 8 KiB (whole "
	       "pages: "
	       "\"large\"); large peak/final per policy is in --json\n");
}

/* ---- JSON
 * ----------------------------------------------------------------------------------
 */

static void json_trace(struct json *j, const struct replay_args *a, const struct rp_trace *t)
{
	json_kv_string(j, "trace", a->trace);
	json_kv_string(j, "format", t->binary ? "trace.dat" : "text");
	json_kv_uint(j, "lines", t->st.lines);
	json_kv_uint(j, "ignored_lines", t->st.ignored);
	json_kv_bool(j, "truncated", t->st.truncated);
	json_key(j, "events");
	json_begin_object(j);
	for (int e = 0; e < TR_NR_EVENTS; e++)
		json_kv_uint(j, tr_event_name((enum tr_event)e), t->st.events[e]);
	json_end_object(j);
	json_key(j, "malformed");
	cli_bad_json(j, &t->st.bad);
	json_kv_uint(j, "null_allocs", t->null_allocs);
	json_kv_uint(j, "null_frees", t->null_frees);
	json_kv_uint(j, "unknown_gfp_flags", t->st.unknown_gfp);
	json_kv_uint(j, "hex_gfp_events", t->st.hex_gfp);
	json_key(j, "dma_events");
	json_begin_object(j);
	for (int e = 0; e < TR_NR_DMA_EVENTS; e++)
		json_kv_uint(j, tr_dma_event_name((enum tr_dma_event)e), t->st.dma_events[e]);
	json_end_object(j);
	json_key(j, "lost");
	json_begin_object(j);
	json_kv_uint(j, "markers", t->st.lost_markers);
	json_kv_uint(j, "events", t->st.lost_events);
	json_kv_uint(j, "markers_without_count", t->st.lost_unknown);
	json_kv_bool(j, "live_counts_are_lower_bounds", t->st.lost_markers > 0);
	json_end_object(j);
	json_kv_uint(j, "cache_line", a->cfg.cache_line);
	json_kv_uint(j, "ram_bytes", a->cfg.ram_size);
}

static void json_policy(struct json *j, const struct rp_result *r)
{
	char buf[16];

	json_begin_object(j);
	if (r->init_err) {
		json_kv_int(j, "init_error", r->init_err);
		json_end_object(j);
		return;
	}
	json_kv_uint(j, "peak_slab_bytes", r->peak_slab_bytes);
	json_kv_uint(j, "final_slab_bytes", r->final_slab_bytes);
	json_kv_uint(j, "peak_large_bytes", r->peak_large_bytes);
	json_kv_uint(j, "final_large_bytes", r->final_large_bytes);
	json_kv_uint(j, "allocs", r->allocs);
	json_kv_uint(j, "frees", r->frees);
	json_kv_uint(j, "failed_allocs", r->failed_allocs);
	json_kv_uint(j, "unmatched_frees", r->unmatched_frees);
	json_kv_uint(j, "reused_ptrs", r->reused_ptrs);
	json_kv_uint(j, "reports", r->reports);
	json_key(j, "classes");
	json_begin_object(j);
	for (unsigned int i = 0; i < RP_NSLOTS; i++) {
		if (!r->slots[i].allocs)
			continue;
		json_key(j, slot_name(i, buf, sizeof(buf)));
		json_begin_object(j);
		json_kv_uint(j, "allocs", r->slots[i].allocs);
		json_kv_uint(j, "live", r->slots[i].live);
		json_end_object(j);
	}
	json_end_object(j);
	json_end_object(j);
}

static void print_json(const struct replay_args *a, const struct rp_trace *t,
		       const struct rp_result *res, const struct rp_site_result *sr,
		       const uint32_t *order)
{
	struct json j;

	json_init(&j, stdout);
	json_begin_object(&j);
	json_trace(&j, a, t);
	json_key(&j, "policies");
	json_begin_object(&j);
	for (int p = 0; p < MINALIGN_NR_POLICIES; p++) {
		if (a->only_policy >= 0 && p != a->only_policy)
			continue;
		json_key(&j, minalign_policy_name((enum minalign_policy)p));
		json_policy(&j, &res[p]);
	}
	json_end_object(&j);
	rp_sites_json(&j, t, sr, order, &a->packed, res, &a->site);
	json_end_object(&j);
	json_finish(&j);
}

/* ---- the subcommand
 * ------------------------------------------------------------------------ */

static int load(const struct replay_args *a, struct rp_trace *t)
{
	FILE *f = strcmp(a->trace, "-") ? fopen(a->trace, "r") : stdin;
	char why[512];
	int err;

	if (!f)
		return cli_fail("replay", "%s: %s", a->trace, strerror(errno));
	if (f != stdin && td_is_tracedat(f)) { /* trace-cmd's binary trace.dat */
		fclose(f);
		f = td_to_text(a->trace, why, sizeof(why));
		if (!f)
			return cli_fail("replay", "%s", why);
		t->binary = true;
	}
	err = rp_trace_load(f, t);
	if (f != stdin)
		fclose(f);
	if (err)
		return cli_fail("replay", "%s: %s", a->trace, strerror(-err));
	return CLI_EXIT_OK;
}

static uint64_t kmem_events(const struct rp_trace *t)
{
	uint64_t n = 0;

	for (int e = 0; e < TR_NR_EVENTS; e++)
		n += t->st.events[e];
	return n;
}

/* After the load: nothing to replay is a failure; lost events are a warning. */
static int check_trace(const struct replay_args *a, const struct rp_trace *t)
{
	const struct tr_stats *st = &t->st;

	if (!kmem_events(t))
		return cli_fail("replay",
				"%s: no kmem events (kmalloc, kfree, kmem_cache_alloc, ...) "
				"in %lu lines%s",
				a->trace, st->lines, st->bad.count ? ", only malformed ones" : "");
	if (st->lost_markers && !a->json)
		cli_warn("replay",
			 "the trace lost %" PRIu64 " events%s (%lu markers): live counts "
			 "are lower bounds, frees of lost allocations are unmatched",
			 st->lost_events, st->lost_unknown ? " and more" : "", st->lost_markers);
	return CLI_EXIT_OK;
}

/* Per-site pass, order and packed selection (before the replays: packed uses them). */
static int prepare_sites(struct replay_args *a, struct rp_trace *t, struct rp_site_result *sr,
			 uint32_t **order)
{
	char err[256];

	if (rp_sites_analyse(t, &a->site, sr))
		return cli_fail("replay", "out of memory");
	*order = rp_sites_order(t);
	if (!*order)
		return cli_fail("replay", "out of memory");
	if (rp_packed_select(t, sr, *order, &a->packed, err, sizeof(err)))
		return cli_fail("replay", "%s", err);
	return CLI_EXIT_OK;
}

static int run_policies(struct replay_args *a, const struct rp_trace *t, struct rp_result *res)
{
	for (int p = 0; p < MINALIGN_NR_POLICIES; p++) {
		if (a->only_policy >= 0 && p != a->only_policy)
			continue;
		a->cfg.policy = (enum minalign_policy)p;
		if (rp_run(t, &a->cfg, &res[p]))
			return cli_fail("replay", "out of memory");
		if (res[p].init_err == -EINVAL)
			return cli_usage_error("replay", "bad configuration: %s",
					       res[p].first_report[0] ? res[p].first_report
								      : "rejected");
		if (res[p].init_err)
			return cli_fail("replay", "minalign_init: %s", strerror(-res[p].init_err));
	}
	return CLI_EXIT_OK;
}

int cmd_replay(int argc, char **argv)
{
	static struct rp_result res[MINALIGN_NR_POLICIES];
	struct replay_args a = {0};
	struct rp_site_result sr = {0};
	struct rs_symtab syms = {0};
	uint32_t *order = NULL;
	struct rp_trace t;
	char err[512];
	int rc = parse_args(argc, argv, &a);

	if (rc)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if (a.symbols && rs_symbols_load(a.symbols, &syms, err, sizeof(err)))
		return cli_fail("replay", "%s", err);
	rp_trace_init(&t);
	t.syms = a.symbols ? &syms : NULL;
	t.site_offsets = a.site_offsets;
	rc = load(&a, &t);
	if (!rc)
		rc = check_trace(&a, &t);
	if (!rc)
		rc = prepare_sites(&a, &t, &sr, &order);
	if (!rc)
		rc = run_policies(&a, &t, res);
	if (!rc && a.json) {
		print_json(&a, &t, res, &sr, order);
	} else if (!rc) {
		printf("minalign replay: the trace's allocations through the allocator, "
		       "per policy\n\n");
		print_trace_text(&a, &t);
		print_policies_text(&a, res);
		print_classes_text(&a, res);
		rp_sites_text(&t, &sr, order, &a.packed, res, a.top);
	}
	free(order);
	rp_site_result_free(&sr);
	rp_trace_free(&t);
	rs_symbols_free(&syms);
	return rc;
}
