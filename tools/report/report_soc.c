/* SPDX-License-Identifier: MIT */
/*
 * tools/report/report_soc.c - the simulated system-on-chip half of `minalign report`: the SoC of
 * soc.c run under every policy in turn (default settings, the report's --seconds per policy and
 * --seed), presented as a table (text) or as the members "soc": {"config", "policies"} and, for
 * a reader that looks for the policies at the top, "policies" (JSON).
 */
#include "common/cli.h"
#include "report.h"

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
