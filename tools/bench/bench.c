/* SPDX-License-Identifier: MIT */
/*
 * tools/bench/bench.c - `minalign bench`: the kernel's dma_map_benchmark on a simulated device.
 *
 * The options are dma_map_benchmark's (threads, seconds, dir, granule, dma_bits, xdelay), plus
 * the policy, a coherent or non-coherent device, the cache line and --size for sub-page kmalloc
 * buffers.  Every thread owns one buffer (granule pages, or a kmalloc object of --size bytes)
 * and maps and unmaps it with dma_map_single()/dma_unmap_single() until the time is up, timing
 * each call; as in the kernel, the CPU writes the buffer before each mapping unless the
 * direction is FROM_DEVICE, and the device "transmits" for xdelay ns between map and unmap.
 * The result is the average map and unmap latency and its standard deviation, in ns and, as the
 * kernel computes them, in units of 100 ns (printed as microseconds like its tool does).
 */
#include <stdlib.h>
#include <string.h>

#include <minalign/minalign.h>

#include "bench.h"
#include "common/cli.h"
#include "common/json.h"

static const struct cli_opt bench_opts[] = {
	{"threads", 't', CLI_REQ_ARG, OPT_THREADS},
	{"seconds", 's', CLI_REQ_ARG, OPT_SECONDS},
	{"dir", 'd', CLI_REQ_ARG, OPT_DIR},
	{"granule", 'g', CLI_REQ_ARG, OPT_GRANULE},
	{"dma-bits", 'b', CLI_REQ_ARG, OPT_DMA_BITS},
	{"xdelay", 'x', CLI_REQ_ARG, OPT_XDELAY},
	{"size", 0, CLI_REQ_ARG, OPT_SIZE},
	{"policy", 'p', CLI_REQ_ARG, OPT_POLICY},
	{"coherent", 0, CLI_NO_ARG, OPT_COHERENT},
	{"noncoherent", 0, CLI_NO_ARG, OPT_NONCOHERENT},
	{"cache-line", 'l', CLI_REQ_ARG, OPT_CACHE_LINE},
	{"ram-base", 0, CLI_REQ_ARG, OPT_RAM_BASE},
	{"dma-debug", 0, CLI_NO_ARG, OPT_DMA_DEBUG},
	{"json", 0, CLI_NO_ARG, OPT_JSON},
	{NULL, 0, CLI_NO_ARG, 0},
};

static void bench_help(void)
{
	fputs("usage: minalign bench [--threads N] [--seconds S] [--dir 0|1|2] [--granule PAGES]\n"
	      "                      [--dma-bits N] [--xdelay NS] [--size BYTES] [--policy P]\n"
	      "                      [--coherent|--noncoherent] [--cache-line N] [--ram-base "
	      "ADDR]\n"
	      "                      [--dma-debug] [--json]\n\n"
	      "The kernel's dma_map_benchmark on a simulated device: N threads map and unmap a\n"
	      "buffer each with dma_map_single()/dma_unmap_single(); prints the average map and\n"
	      "unmap latency and standard deviation (ns, and the kernel's units of 100 ns).\n\n"
	      "options:\n"
	      "  -t, --threads N     mapping threads, 1..1024 (default 1)\n"
	      "  -s, --seconds S     run time, in (0, 300] (default 2)\n"
	      "  -d, --dir D         0 BIDIRECTIONAL (default), 1 TO_DEVICE, 2 FROM_DEVICE\n"
	      "  -g, --granule N     pages per buffer, 1..1024 (default 1)\n"
	      "  -b, --dma-bits N    the device's DMA mask, 20..64 bits (default 32)\n"
	      "  -x, --xdelay NS     ns the device transmits between map and unmap, 0..10000\n"
	      "  --size BYTES        a sub-page kmalloc buffer of 1..4095 bytes instead of pages\n"
	      "  -p, --policy P      legacy, bounce (default), packed, dma_opt_in, naive\n"
	      "  --coherent          a cache-coherent device\n"
	      "  --noncoherent       a non-coherent device (default)\n"
	      "  -l, --cache-line N  a power of two in 16..256 (default 128)\n"
	      "  --ram-base ADDR     physical address of the simulated RAM (default 0x1000000,\n"
	      "                      so that masks below 32 bits reach some of it)\n"
	      "  --dma-debug         keep DMA-API debug on (its table costs ~30 ns per mapping;\n"
	      "                      off by default, as in a production kernel)\n"
	      "  --json              machine-readable output\n",
	      stdout);
}

static int parse_range(const char *v, const char *opt, unsigned int lo, unsigned int hi,
		       unsigned int *out)
{
	if (!cli_parse_uint(v, out) || *out < lo || *out > hi)
		return cli_usage_error("bench", "%s must be a number in %u..%u", opt, lo, hi);
	return CLI_EXIT_OK;
}

static int parse_seconds(const char *v, double *out)
{
	char *end;
	double s = strtod(v, &end);

	if (end == v || *end || !(s > 0.0) || s > BENCH_MAX_SECONDS)
		return cli_usage_error("bench", "--seconds must be a number in (0, %d]",
				       BENCH_MAX_SECONDS);
	*out = s;
	return CLI_EXIT_OK;
}

static int parse_ram_base(const char *v, uint64_t *out)
{
	if (!cli_parse_size(v, out) || *out % 4096)
		return cli_usage_error("bench", "--ram-base must be a multiple of 4096");
	return CLI_EXIT_OK;
}

static int parse_one(struct bench_args *a, int id, const char *v)
{
	switch (id) {
	case OPT_THREADS:
		return parse_range(v, "--threads", 1, BENCH_MAX_THREADS, &a->threads);
	case OPT_SECONDS:
		return parse_seconds(v, &a->seconds);
	case OPT_DIR:
		return parse_range(v, "--dir", 0, 2, &a->dir);
	case OPT_GRANULE:
		a->granule_given = true;
		return parse_range(v, "--granule", 1, BENCH_MAX_GRANULE, &a->granule);
	case OPT_DMA_BITS:
		return parse_range(v, "--dma-bits", 20, 64, &a->dma_bits);
	case OPT_XDELAY:
		return parse_range(v, "--xdelay", 0, BENCH_MAX_XDELAY, &a->xdelay);
	case OPT_SIZE:
		return parse_range(v, "--size", 1, 4095, &a->size);
	case OPT_POLICY:
		return cli_opt_policy("bench", v, &a->policy) ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	case OPT_COHERENT:
	case OPT_NONCOHERENT:
		a->coherent = id == OPT_COHERENT;
		return CLI_EXIT_OK;
	case OPT_CACHE_LINE:
		return cli_opt_cache_line("bench", v, &a->cache_line) ? CLI_EXIT_OK
								      : CLI_EXIT_USAGE;
	case OPT_RAM_BASE:
		return parse_ram_base(v, &a->ram_base);
	case OPT_DMA_DEBUG:
		a->dma_debug = true;
		return CLI_EXIT_OK;
	case OPT_JSON:
		a->json = true;
		return CLI_EXIT_OK;
	}
	return CLI_EXIT_USAGE;
}

static void args_default(struct bench_args *a)
{
	memset(a, 0, sizeof(*a));
	a->threads = 1;
	a->seconds = 2.0;
	a->dir = DMA_BIDIRECTIONAL;
	a->granule = 1;
	a->dma_bits = 32;
	a->policy = MINALIGN_POLICY_BOUNCE;
	a->cache_line = 128;
	a->ram_base = BENCH_RAM_BASE;
}

static int parse_args(int argc, char **argv, struct bench_args *a)
{
	struct cli_parser p;
	const char *v;
	int id, rc;

	args_default(a);
	cli_parser_init(&p, "bench", argc, argv, bench_opts);
	while ((id = cli_next(&p, &v)) != CLI_END) {
		if (id == CLI_ERROR)
			return CLI_EXIT_USAGE;
		if (id == CLI_HELP) {
			bench_help();
			return -1;
		}
		if (id == CLI_POSITIONAL)
			return cli_usage_error("bench", "unexpected argument '%.64s'", v);
		rc = parse_one(a, id, v);
		if (rc)
			return rc;
	}
	if (a->size && a->granule_given)
		return cli_usage_error("bench", "--size and --granule exclude each other");
	return CLI_EXIT_OK;
}

/* ---- output ----------------------------------------------------------------------------- */

static const char *dir_name(unsigned int dir)
{
	static const char *const names[] = {"BIDIRECTIONAL", "TO_DEVICE", "FROM_DEVICE"};

	return dir < 3 ? names[dir] : "?";
}

static void print_text(const struct bench_args *a, const struct bench_result *r)
{
	const struct bench_lat *m = &r->map, *u = &r->unmap;

	printf("dma mapping benchmark: threads:%u seconds:%g node:-1 dir:%s granule: %u\n",
	       a->threads, a->seconds, dir_name(a->dir), a->size ? 0 : a->granule);
	printf("average map latency(us):%.1f standard deviation:%.1f\n", m->avg_100ns / 10.0,
	       m->stddev_100ns / 10.0);
	printf("average unmap latency(us):%.1f standard deviation:%.1f\n", u->avg_100ns / 10.0,
	       u->stddev_100ns / 10.0);
	printf("\n%s buffer of %zu bytes, policy %s, %s device, %u-bit DMA mask, cache line %u\n",
	       a->size ? "kmalloc" : "page", r->buf_bytes, minalign_policy_name(a->policy),
	       a->coherent ? "coherent" : "non-coherent", a->dma_bits, a->cache_line);
	printf("map:   average %.0f ns (%.1f x 100 ns), standard deviation %.0f ns (%.1f x 100 "
	       "ns)\n",
	       m->avg_ns, m->avg_100ns, m->stddev_ns, m->stddev_100ns);
	printf("unmap: average %.0f ns (%.1f x 100 ns), standard deviation %.0f ns (%.1f x 100 "
	       "ns)\n",
	       u->avg_ns, u->avg_100ns, u->stddev_ns, u->stddev_100ns);
	printf("%llu map/unmap pairs in %.2f s, %llu bounced, %llu failed mappings\n",
	       (unsigned long long)r->loops, r->seconds, (unsigned long long)r->bounces,
	       (unsigned long long)r->map_failures);
}

static void json_lat(struct json *j, const char *what, const struct bench_lat *l)
{
	char key[48];

	snprintf(key, sizeof(key), "avg_%s_ns", what);
	json_kv_double(j, key, l->avg_ns);
	snprintf(key, sizeof(key), "%s_stddev_ns", what);
	json_kv_double(j, key, l->stddev_ns);
	snprintf(key, sizeof(key), "avg_%s_100ns", what);
	json_kv_double(j, key, l->avg_100ns);
	snprintf(key, sizeof(key), "%s_stddev_100ns", what);
	json_kv_double(j, key, l->stddev_100ns);
	snprintf(key, sizeof(key), "avg_%s_latency_us", what);
	json_kv_double(j, key, l->avg_100ns / 10.0);
	snprintf(key, sizeof(key), "%s_stddev_us", what);
	json_kv_double(j, key, l->stddev_100ns / 10.0);
}

static void print_json(const struct bench_args *a, const struct bench_result *r)
{
	struct json j;

	json_init(&j, stdout);
	json_begin_object(&j);
	json_kv_uint(&j, "threads", a->threads);
	json_kv_double(&j, "seconds", a->seconds);
	json_kv_uint(&j, "dir", a->dir);
	json_kv_string(&j, "dir_name", dir_name(a->dir));
	json_kv_uint(&j, "granule", a->size ? 0 : a->granule);
	json_kv_uint(&j, "size", a->size);
	json_kv_uint(&j, "buffer_bytes", r->buf_bytes);
	json_kv_uint(&j, "dma_bits", a->dma_bits);
	json_kv_uint(&j, "xdelay_ns", a->xdelay);
	json_kv_string(&j, "policy", minalign_policy_name(a->policy));
	json_kv_bool(&j, "coherent", a->coherent);
	json_kv_uint(&j, "cache_line", a->cache_line);
	json_kv_uint(&j, "ram_base", a->ram_base);
	json_kv_uint(&j, "loops", r->loops);
	json_kv_double(&j, "elapsed_seconds", r->seconds);
	json_kv_uint(&j, "bounces", r->bounces);
	json_kv_uint(&j, "map_failures", r->map_failures);
	json_kv_uint(&j, "reports", r->reports);
	json_lat(&j, "map", &r->map);
	json_lat(&j, "unmap", &r->unmap);
	json_end_object(&j);
	json_finish(&j);
}

int cmd_bench(int argc, char **argv)
{
	struct bench_args a;
	struct bench_result r;
	int rc = parse_args(argc, argv, &a);

	if (rc)
		return rc < 0 ? CLI_EXIT_OK : rc;
	a.progress = !a.json && cli_isatty(stderr) && cli_isatty(stdout);
	rc = bench_run(&a, &r);
	if (rc)
		return rc;
	if (a.json)
		print_json(&a, &r);
	else
		print_text(&a, &r);
	return CLI_EXIT_OK;
}
