/* SPDX-License-Identifier: MIT */
/*
 * tools/report/report_soc.c - the simulated system-on-chip half of `minalign report`: the SoC of
 * soc.c run under every policy in turn (default settings, the report's --seconds per policy and
 * --seed), presented as a table (text) or as the members "soc": {"config", "policies"} and, for
 * a reader that looks for the policies at the top, "policies" (JSON).
 */
#include <inttypes.h>

#include "common/cli.h"
#include "report.h"
#include "whatif/wimodel.h"

static void json_out(struct json *j, const struct report_soc *s, int rc)
{
	json_key(j, "soc");
	json_begin_object(j);
	json_kv_bool(j, "available", rc == CLI_EXIT_OK);
	if (rc != CLI_EXIT_OK)
		json_kv_string(j, "reason", "the simulated run failed (see the message on stderr)");
	soc_json_config(j, &s->params);
	soc_json_policies(j, s->r, s->n);
	json_end_object(j);
	soc_json_policies(j, s->r, s->n);
}

int report_soc_run(const struct report_soc_opts *o, FILE *text, struct json *j,
		   struct report_soc *s)
{
	char label[64];
	int rc = CLI_EXIT_OK;

	soc_params_default(&s->params, MINALIGN_POLICY_LEGACY);
	s->params.seconds = o->seconds;
	s->params.seed = o->seed;
	s->n = 0;
	if (!j) {
		fputs("\n", text);
		soc_print_setup(text, &s->params);
		fputs("\n", text);
		fflush(text);
	}
	for (int p = 0; p < MINALIGN_NR_POLICIES && rc == CLI_EXIT_OK; p++) {
		struct soc_params params = s->params;

		params.policy = (enum minalign_policy)p;
		snprintf(label, sizeof(label), "[policy %d/%d] %s", p + 1, MINALIGN_NR_POLICIES,
			 minalign_policy_name(params.policy));
		params.progress = o->progress ? label : NULL;
		rc = soc_run("report", &params, &s->r[s->n]);
		if (rc == CLI_EXIT_OK)
			s->n++;
	}
	if (j)
		json_out(j, s, rc);
	else if (s->n)
		soc_print_table(text, s->r, s->n);
	return rc;
}

/* ---- the bounce pool the workload needed ----------------------------------------------- */

static bool grew(const struct soc_result *r)
{
	return r->st.swiotlb_pools > 1 || r->st.swiotlb_transient > 0;
}

static uint64_t needed(const struct soc_result *r)
{
	return r->st.swiotlb_slots_hiwater * (uint64_t)r->params.cache_line;
}

void report_pool_need(FILE *text, struct json *j, const struct report_soc *s,
		      const struct wi_result *w)
{
	const uint64_t legacy = w->pol[MINALIGN_POLICY_LEGACY].slab_bytes;
	char h1[32], h2[32], h3[32];

	if (j) {
		json_key(j, "bounce_pool_need");
		json_begin_object(j);
		json_kv_uint(j, "reserved_bytes", w->params.minalign_pool);
		json_kv_uint(j, "cache_line", w->params.cache_line);
	} else {
		fprintf(text,
			"\nbounce pool the SoC run needed (most slots taken at once) beside the "
			"%s reserved by default, and what-if's net vs legacy at cache line %u with "
			"each:\n",
			cli_human(h1, sizeof(h1), w->params.minalign_pool), w->params.cache_line);
	}
	for (unsigned int i = 0; i < s->n; i++) {
		const struct soc_result *r = &s->r[i];
		enum minalign_policy p = r->params.policy;
		uint64_t slab = w->pol[p].slab_bytes;

		if (p != MINALIGN_POLICY_BOUNCE && p != MINALIGN_POLICY_DMA_OPT_IN)
			continue;
		if (j) {
			json_key(j, minalign_policy_name(p));
			json_begin_object(j);
			json_kv_uint(j, "needed_bytes", needed(r));
			json_kv_bool(j, "grew", grew(r));
			json_kv_int(j, "net_vs_legacy_needed", sat_diff(slab + needed(r), legacy));
			json_kv_int(j, "net_vs_legacy_reserved",
				    sat_diff(slab + w->params.minalign_pool, legacy));
			json_end_object(j);
			continue;
		}
		fprintf(text, "  %-10s  needed %s (%s); net %s with it, %s with the reservation\n",
			minalign_policy_name(p), cli_human(h1, sizeof(h1), needed(r)),
			grew(r) ? "the pool grew" : "no growth",
			cli_human_signed(h2, sizeof(h2), sat_diff(slab + needed(r), legacy)),
			cli_human_signed(h3, sizeof(h3),
					 sat_diff(slab + w->params.minalign_pool, legacy)));
	}
	if (j)
		json_end_object(j);
}
