/* SPDX-License-Identifier: MIT */
/*
 * tools/soc/socout.c - the simulated SoC's results as text (a table per policy and notes), JSON
 * (an object per policy, keyed by the policy's name) and SVG chart panels.
 */
#include <inttypes.h>
#include <string.h>

#include "common/cli.h"
#include "soc.h"

static const char *pname(const struct soc_result *r)
{
	return minalign_policy_name(r->params.policy);
}

static const char *victim_name(enum minalign_sim_victim v)
{
	return v == MINALIGN_SIM_LOSE_DEVICE_WRITES ? "lose_device_writes" : "lose_cpu_writes";
}

void soc_print_setup(FILE *f, const struct soc_params *p)
{
	fprintf(f,
		"simulated SoC: %u CPU thread%s churning kmalloc objects (%u..%u B, most <= 128 "
		"B);\n"
		"  %u non-coherent device%s doing RX, TX and bidirectional DMA into %u..%u B "
		"kmalloc\n"
		"  buffers among neighbour objects, and 1 coherent device; every buffer and "
		"neighbour checked\n"
		"  cache line %u, sim cache model (victim %s), %.1f s per policy, seed %" PRIu64
		"\n",
		p->cpus, p->cpus == 1 ? "" : "s", SOC_CHURN_SIZE_MIN, SOC_CHURN_SIZE_MAX,
		p->devices, p->devices == 1 ? "" : "s", p->size_min, p->size_max, p->cache_line,
		victim_name(p->victim), p->seconds, p->seed);
}

/* "1.23 M"-style rendering of an operation rate. */
static const char *rate(char *buf, size_t len, double v)
{
	if (v >= 1e6)
		snprintf(buf, len, "%.2f M", v / 1e6);
	else if (v >= 1e3)
		snprintf(buf, len, "%.1f k", v / 1e3);
	else
		snprintf(buf, len, "%.0f", v);
	return buf;
}

static void print_row(FILE *f, const struct soc_result *r)
{
	char slab[32], pool[32], ops[32];

	fprintf(f,
		"  %-10s  %10s  %8" PRIu64 "  %8" PRIu64 "  %8" PRIu64 "  %10s  %9s  %9" PRIu64
		"  %9" PRIu64 "%s\n",
		pname(r), cli_human(slab, sizeof(slab), r->slab_bytes_peak), r->st.bounce_maps,
		r->st.bounce_exact, r->st.bounce_linux,
		cli_human(pool, sizeof(pool), r->st.swiotlb_bytes_peak),
		rate(ops, sizeof(ops), r->ops_per_second), r->st.sim_conflicts, r->corrupted_bytes,
		soc_unexpected(r) ? "  LIBRARY BUG" : "");
}

static void print_corruption(FILE *f, const struct soc_result *r)
{
	const struct soc_corruption *b = &r->n.bad;

	fprintf(f,
		"  - %s: %" PRIu64 " corrupted bytes: %" PRIu64 " in neighbours (CPU writes lost), "
		"%" PRIu64 " in RX buffers (device writes lost), %" PRIu64
		" sent wrong by TX, %" PRIu64 " in churned objects, %" PRIu64
		" in coherent memory\n",
		pname(r), r->corrupted_bytes, b->neighbours, b->buffers, b->tx, b->churn,
		b->coherent);
	if (soc_unexpected(r))
		fprintf(f, "    this policy must never corrupt: a library bug\n");
}

static void print_slots(FILE *f, const struct soc_result *r)
{
	char h[32];
	uint64_t bytes = r->st.swiotlb_slots_hiwater * (uint64_t)r->params.cache_line;

	fprintf(f,
		"  - %s: at most %" PRIu64 " bounce slots (%s) taken at once (mapped or cached "
		"per thread)\n",
		pname(r), r->st.swiotlb_slots_hiwater, cli_human(h, sizeof(h), bytes));
}

/* The drivers the library named: bounces of kmalloc buffers not allocated DMA-safe. */
static void print_optin(FILE *f, const struct soc_result *r)
{
	fprintf(f,
		"  - %s: missing DMA opt-ins named by the library (kmalloc buffers bounced that "
		"were not allocated with GFP_DMA or dma_kmalloc):\n",
		pname(r));
	for (unsigned int i = 0; i < r->noptin && i < SOC_OPTIN_KEEP; i++)
		fprintf(f, "      %s: %s %s: %" PRIu64 " bounces\n", r->optin[i].device,
			r->optin[i].where, r->optin[i].call, r->optin[i].bounces);
}

static void print_notes(FILE *f, const struct soc_result *r, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		const struct soc_result *x = &r[i];

		if (x->corrupted_bytes)
			print_corruption(f, x);
		if (x->st.swiotlb_slots_hiwater && x->st.bounce_maps)
			print_slots(f, x);
		if (x->reports)
			fprintf(f, "  - %s: %" PRIu64 " misuse report%s, the first: %s\n", pname(x),
				x->reports, x->reports == 1 ? "" : "s", x->first_report);
		if (x->noptin)
			print_optin(f, x);
		if (x->n.map_failures)
			fprintf(f,
				"  - %s: %" PRIu64 " mappings failed (DMA_MAPPING_ERROR) and were "
				"retried; %" PRIu64 " abandoned\n",
				pname(x), x->n.map_failures, x->n.map_gave_up);
		if (x->n.alloc_failures || x->n.dma_errors)
			fprintf(f,
				"  - %s: %" PRIu64 " allocations failed, %" PRIu64
				" device accesses refused\n",
				pname(x), x->n.alloc_failures, x->n.dma_errors);
	}
}

void soc_print_table(FILE *f, const struct soc_result *r, unsigned int n)
{
	fprintf(f, "  %-10s  %10s  %8s  %8s  %8s  %10s  %9s  %9s  %9s\n", "policy", "slab peak",
		"bounces", "exact", "linux", "pool peak", "ops/s", "conflicts", "corrupted");
	for (unsigned int i = 0; i < n; i++)
		print_row(f, &r[i]);
	fputs("\n  slab peak: most slab memory during the run; bounces: mappings bounced through\n"
	      "  SWIOTLB, exact: mappings minalign's exact rule found unsafe, linux: mappings\n"
	      "  Linux's dma_kmalloc_needs_bounce() would bounce; pool peak: most bytes held by\n"
	      "  bounce pools (the default pool is reserved at start-up, as Linux does at boot);\n"
	      "  ops/s: kmalloc, kfree, map and unmap calls per second; conflicts: cache lines the "
	      "CPU\n"
	      "  and a device both wrote; corrupted: bytes found wrong in buffers and neighbours\n",
	      f);
	print_notes(f, r, n);
}

/* ---- JSON ------------------------------------------------------------------------------- */

void soc_json_config(struct json *j, const struct soc_params *p)
{
	json_key(j, "config");
	json_begin_object(j);
	json_kv_uint(j, "cache_line", p->cache_line);
	json_kv_string(j, "cache_model", "sim");
	json_kv_string(j, "victim", victim_name(p->victim));
	json_kv_uint(j, "cpu_threads", p->cpus);
	json_kv_uint(j, "noncoherent_devices", p->devices);
	json_kv_uint(j, "coherent_devices", 1);
	json_kv_double(j, "seconds_per_policy", p->seconds);
	json_kv_uint(j, "dma_size_min", p->size_min);
	json_kv_uint(j, "dma_size_max", p->size_max);
	json_kv_uint(j, "churn_size_min", SOC_CHURN_SIZE_MIN);
	json_kv_uint(j, "churn_size_max", SOC_CHURN_SIZE_MAX);
	json_kv_uint(j, "seed", p->seed);
	json_end_object(j);
}

static void json_corruption(struct json *j, const struct soc_corruption *b)
{
	json_key(j, "corrupted");
	json_begin_object(j);
	json_kv_uint(j, "neighbours", b->neighbours);
	json_kv_uint(j, "rx_buffers", b->buffers);
	json_kv_uint(j, "tx", b->tx);
	json_kv_uint(j, "churn", b->churn);
	json_kv_uint(j, "coherent", b->coherent);
	json_end_object(j);
}

static void json_mappings(struct json *j, const struct soc_counts *n)
{
	json_key(j, "mappings");
	json_begin_object(j);
	json_kv_uint(j, "total", n->maps);
	json_kv_uint(j, "from_device", n->rx);
	json_kv_uint(j, "to_device", n->tx);
	json_kv_uint(j, "bidirectional", n->bidir);
	json_kv_uint(j, "coherent_device", n->coherent_maps);
	json_kv_uint(j, "sharing_a_line", n->shared_line_maps);
	json_end_object(j);
}

static void json_policy(struct json *j, const struct soc_result *r)
{
	const struct minalign_stats *st = &r->st;

	json_key(j, pname(r));
	json_begin_object(j);
	json_kv_uint(j, "slab_bytes", r->slab_bytes_peak);
	json_kv_uint(j, "slab_bytes_start", r->slab_bytes_start);
	json_kv_uint(j, "bounces", st->bounce_maps);
	json_kv_uint(j, "bounce_exact", st->bounce_exact);
	json_kv_uint(j, "bounce_linux", st->bounce_linux);
	json_kv_uint(j, "bounce_addressing", st->bounce_addressing);
	json_kv_uint(j, "bounce_pool_peak_bytes", st->swiotlb_bytes_peak);
	json_kv_uint(j, "bounce_slots_peak_bytes",
		     st->swiotlb_slots_hiwater * (uint64_t)r->params.cache_line);
	json_kv_uint(j, "ops", r->ops);
	json_kv_double(j, "ops_per_second", r->ops_per_second);
	json_kv_uint(j, "kmalloc_ops", r->n.kmallocs + r->n.kfrees);
	json_kv_uint(j, "dma_ops", r->n.maps + r->n.unmaps);
	json_kv_uint(j, "conflicts", st->sim_conflicts);
	json_kv_uint(j, "corrupted_bytes", r->corrupted_bytes);
	json_corruption(j, &r->n.bad);
	json_mappings(j, &r->n);
	json_kv_uint(j, "map_failures", r->n.map_failures);
	json_kv_uint(j, "maps_abandoned", r->n.map_gave_up);
	json_kv_uint(j, "alloc_failures", r->n.alloc_failures);
	json_kv_uint(j, "dma_errors", r->n.dma_errors);
	json_kv_uint(j, "reports", r->reports);
	if (r->reports)
		json_kv_string(j, "first_report", r->first_report);
	else
		json_kv_null(j, "first_report");
	json_key(j, "missing_opt_ins");
	json_begin_array(j);
	for (unsigned int i = 0; i < r->noptin && i < SOC_OPTIN_KEEP; i++) {
		json_begin_object(j);
		json_kv_string(j, "device", r->optin[i].device);
		json_kv_string(j, "caller", r->optin[i].where);
		json_kv_string(j, "call", r->optin[i].call);
		json_kv_uint(j, "bounces", r->optin[i].bounces);
		json_end_object(j);
	}
	json_end_array(j);
	json_kv_bool(j, "library_bug", soc_unexpected(r));
	json_kv_double(j, "seconds", r->seconds);
	json_end_object(j);
}

void soc_json_policies(struct json *j, const struct soc_result *r, unsigned int n)
{
	json_key(j, "policies");
	json_begin_object(j);
	for (unsigned int i = 0; i < n; i++)
		json_policy(j, &r[i]);
	json_end_object(j);
}

/* ---- SVG -------------------------------------------------------------------------------- */

void soc_svg_panels(struct soc_svg *s, const struct soc_result *r, unsigned int n)
{
	memset(s, 0, sizeof(*s));
	if (n > MINALIGN_NR_POLICIES)
		n = MINALIGN_NR_POLICIES;
	s->mem_groups[0] = "peak slab bytes";
	s->mem_groups[1] = "bounce pool held (peak, reservation included)";
	s->mem_groups[2] = "bounce slots used (peak)";
	s->bad_group[0] = "corrupted bytes";
	for (unsigned int i = 0; i < n; i++) {
		s->series[i] = pname(&r[i]);
		s->mem[i] = r[i].slab_bytes_peak;
		s->mem[n + i] = r[i].st.swiotlb_bytes_peak;
		s->mem[2 * n + i] =
			r[i].st.swiotlb_slots_hiwater * (uint64_t)r[i].params.cache_line;
		s->bad[i] = r[i].corrupted_bytes;
	}
	snprintf(s->titles[0], sizeof(s->titles[0]),
		 "Simulated SoC: slab peak, bounce pool held and used per policy, cache line %u",
		 n ? r[0].params.cache_line : 0);
	snprintf(s->titles[1], sizeof(s->titles[1]), "Simulated SoC: corrupted bytes per policy");
	s->panels[0] = (struct svg_panel){
		s->titles[0], 3, n, s->mem_groups, s->series, s->mem, "measure", "bytes", NULL};
	s->panels[1] = (struct svg_panel){s->titles[1], 1,	n,	  s->bad_group,
					  s->series,	s->bad, "policy", "corrupted bytes",
					  NULL};
}
