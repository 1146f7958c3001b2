/* SPDX-License-Identifier: MIT */
/*
 * tools/stress/stress.c - `minalign stress`: the simulated system-on-chip of the report (soc.c)
 * with every knob: policy (one or all), CPU threads, devices, seconds, DMA buffer sizes, victim
 * mode, seed and cache line.  Exit status 1 when a policy other than naive corrupted data (or a
 * device access was refused): that is a library bug.
 */
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "soc/soc.h"

enum {
	OPT_POLICY = 1,
	OPT_THREADS,
	OPT_DEVICES,
	OPT_SECONDS,
	OPT_SIZES,
	OPT_VICTIM,
	OPT_SEED,
	OPT_CACHE_LINE,
	OPT_JSON,
};

static const struct cli_opt stress_opts[] = {
	{"policy", 'p', CLI_REQ_ARG, OPT_POLICY},
	{"threads", 't', CLI_REQ_ARG, OPT_THREADS},
	{"devices", 'd', CLI_REQ_ARG, OPT_DEVICES},
	{"seconds", 's', CLI_REQ_ARG, OPT_SECONDS},
	{"sizes", 0, CLI_REQ_ARG, OPT_SIZES},
	{"victim", 0, CLI_REQ_ARG, OPT_VICTIM},
	{"seed", 0, CLI_REQ_ARG, OPT_SEED},
	{"cache-line", 'l', CLI_REQ_ARG, OPT_CACHE_LINE},
	{"json", 0, CLI_NO_ARG, OPT_JSON},
	{NULL, 0, CLI_NO_ARG, 0},
};

static void stress_help(void)
{
	fputs("usage: minalign stress [--policy P|all] [--threads N] [--devices N] [--seconds S]\n"
	      "                       [--sizes MIN-MAX] [--victim V] [--seed N] [--cache-line N]\n"
	      "                       [--json]\n\n"
	      "The simulated system-on-chip of `minalign report` with every knob: CPU threads\n"
	      "churning small kmalloc objects beside non-coherent devices doing RX, TX and\n"
	      "bidirectional DMA into small kmalloc buffers that share cache lines with neighbour\n"
	      "objects, and a coherent device.  Every buffer and neighbour is checked; naive must\n"
	      "corrupt, every other policy must not.\n\n"
	      "options:\n"
	      "  -p, --policy P      legacy, bounce, packed, dma_opt_in, naive or all (default)\n"
	      "  -t, --threads N     CPU threads churning kmalloc, 0..64 (default 2)\n"
	      "  -d, --devices N     non-coherent devices, one driver thread each, 0..16 (default "
	      "2)\n"
	      "  -s, --seconds S     run time per policy, in (0, 3600] (default 2)\n"
	      "  --sizes MIN-MAX     DMA buffer sizes in bytes, 1..4096 (default 8-96)\n"
	      "  --victim V          what a cache-line conflict destroys: lose_cpu_writes "
	      "(default)\n"
	      "                      or lose_device_writes\n"
	      "  --seed N            seed of the run (default 1)\n"
	      "  -l, --cache-line N  a power of two in 16..256 (default 128)\n"
	      "  --json              machine-readable output\n\n"
	      "Exit status 1 when a policy other than naive corrupted data: a library bug.\n",
	      stdout);
}

struct stress_args {
	struct soc_params p;
	int policy; /* -1: all */
	bool json;
};

static int parse_count(const char *v, const char *opt, unsigned int max, unsigned int *out)
{
	if (!cli_parse_uint(v, out) || *out > max)
		return cli_usage_error("stress", "%s must be a number in 0..%u", opt, max);
	return CLI_EXIT_OK;
}

static int parse_sizes(const char *v, struct soc_params *p)
{
	char lo[32];
	const char *dash = strchr(v, '-');
	unsigned int a, b;
	size_t n = dash ? (size_t)(dash - v) : strlen(v);

	if (n < sizeof(lo)) {
		memcpy(lo, v, n);
		lo[n] = 0;
		if (cli_parse_uint(lo, &a) && (dash ? cli_parse_uint(dash + 1, &b) : (b = a, 1)) &&
		    a >= 1 && a <= b && b <= SOC_MAX_SIZE) {
			p->size_min = a;
			p->size_max = b;
			return CLI_EXIT_OK;
		}
	}
	return cli_usage_error("stress", "--sizes must be MIN-MAX with 1 <= MIN <= MAX <= %d",
			       SOC_MAX_SIZE);
}

static int parse_victim(const char *v, struct soc_params *p)
{
	if (!strcmp(v, "lose_cpu_writes") || !strcmp(v, "lose-cpu-writes"))
		p->victim = MINALIGN_SIM_LOSE_CPU_WRITES;
	else if (!strcmp(v, "lose_device_writes") || !strcmp(v, "lose-device-writes"))
		p->victim = MINALIGN_SIM_LOSE_DEVICE_WRITES;
	else
		return cli_usage_error("stress", "--victim must be lose_cpu_writes or "
						 "lose_device_writes");
	return CLI_EXIT_OK;
}

static int parse_seconds(const char *v, double *out)
{
	char *end;
	double s = strtod(v, &end);

	if (end == v || *end || !(s > 0.0) || s > 3600.0)
		return cli_usage_error("stress", "--seconds must be a number in (0, 3600]");
	*out = s;
	return CLI_EXIT_OK;
}

static int parse_one(struct stress_args *a, int id, const char *v)
{
	switch (id) {
	case OPT_POLICY:
		if (!strcmp(v, "all")) {
			a->policy = -1;
			return CLI_EXIT_OK;
		}
		return cli_opt_policy("stress", v, &a->policy) ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	case OPT_THREADS:
		return parse_count(v, "--threads", SOC_MAX_CPUS, &a->p.cpus);
	case OPT_DEVICES:
		return parse_count(v, "--devices", SOC_MAX_DEVICES, &a->p.devices);
	case OPT_SECONDS:
		return parse_seconds(v, &a->p.seconds);
	case OPT_SIZES:
		return parse_sizes(v, &a->p);
	case OPT_VICTIM:
		return parse_victim(v, &a->p);
	case OPT_SEED:
		if (!cli_parse_u64(v, &a->p.seed))
			return cli_usage_error("stress", "--seed must be an unsigned number");
		return CLI_EXIT_OK;
	case OPT_CACHE_LINE:
		return cli_opt_cache_line("stress", v, &a->p.cache_line) ? CLI_EXIT_OK
									 : CLI_EXIT_USAGE;
	case OPT_JSON:
		a->json = true;
		return CLI_EXIT_OK;
	}
	return CLI_EXIT_USAGE;
}

static int parse_args(int argc, char **argv, struct stress_args *a)
{
	struct cli_parser p;
	const char *v;
	int id, rc;

	memset(a, 0, sizeof(*a));
	soc_params_default(&a->p, MINALIGN_POLICY_LEGACY);
	a->policy = -1;
	cli_parser_init(&p, "stress", argc, argv, stress_opts);
	while ((id = cli_next(&p, &v)) != CLI_END) {
		if (id == CLI_ERROR)
			return CLI_EXIT_USAGE;
		if (id == CLI_HELP) {
			stress_help();
			return -1;
		}
		if (id == CLI_POSITIONAL)
			return cli_usage_error("stress", "unexpected argument '%.64s'", v);
		rc = parse_one(a, id, v);
		if (rc)
			return rc;
	}
	return CLI_EXIT_OK;
}

/* Run the selected policies into @r; returns the exit status of the runs. */
static int run_all(const struct stress_args *a, struct soc_result *r, unsigned int *n)
{
	int first = a->policy < 0 ? 0 : a->policy;
	int last = a->policy < 0 ? MINALIGN_NR_POLICIES - 1 : a->policy;
	bool progress = cli_isatty(stderr) && cli_isatty(stdout) && !a->json;
	char label[64];
	int rc = CLI_EXIT_OK;

	*n = 0;
	for (int p = first; p <= last && rc == CLI_EXIT_OK; p++) {
		struct soc_params params = a->p;

		params.policy = (enum minalign_policy)p;
		snprintf(label, sizeof(label), "[policy %d/%d] %s", p - first + 1, last - first + 1,
			 minalign_policy_name(params.policy));
		params.progress = progress ? label : NULL;
		rc = soc_run("stress", &params, &r[*n]);
		if (rc == CLI_EXIT_OK)
			(*n)++;
	}
	return rc;
}

/* The exit status for results that ran: 1 and one line when a safe policy failed. */
static int verdict(const struct soc_result *r, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		const char *name = minalign_policy_name(r[i].params.policy);

		if (soc_unexpected(&r[i]))
			return cli_fail("stress",
					"%llu bytes corrupted under %s, which must never corrupt: "
					"a library bug",
					(unsigned long long)r[i].corrupted_bytes, name);
		if (r[i].n.dma_errors)
			return cli_fail("stress", "%llu device accesses refused under %s",
					(unsigned long long)r[i].n.dma_errors, name);
	}
	return CLI_EXIT_OK;
}

static void print_json(const struct stress_args *a, const struct soc_result *r, unsigned int n)
{
	struct json j;
	bool bug = false;

	for (unsigned int i = 0; i < n; i++)
		bug |= soc_unexpected(&r[i]);
	json_init(&j, stdout);
	json_begin_object(&j);
	soc_json_config(&j, &a->p);
	soc_json_policies(&j, r, n);
	json_kv_bool(&j, "library_bug", bug);
	json_end_object(&j);
	json_finish(&j);
}

int cmd_stress(int argc, char **argv)
{
	static struct soc_result r[MINALIGN_NR_POLICIES];
	struct stress_args a;
	unsigned int n;
	int rc = parse_args(argc, argv, &a);

	if (rc)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if (!a.json) {
		printf("minalign stress\n\n");
		soc_print_setup(stdout, &a.p);
		fputs("\n", stdout);
		fflush(stdout);
	}
	rc = run_all(&a, r, &n);
	if (rc == CLI_EXIT_USAGE)
		return rc;
	if (a.json)
		print_json(&a, r, n);
	else if (n)
		soc_print_table(stdout, r, n);
	fflush(stdout);
	return rc ? rc : verdict(r, n);
}
