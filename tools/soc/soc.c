/* SPDX-License-Identifier: MIT */
/*
 * tools/soc/soc.c - run the simulated system-on-chip under one policy: bring the library up with
 * the policy, cache line and victim (sim cache model), create the devices, start the churn and
 * device threads (socwork.c), sample the slab bytes and show progress until the time is up, stop
 * and join the threads, collect what they counted and the library's statistics, and take the
 * library down again.  Misuse reports (NAIVE's conflicts are reported at unmap) are counted
 * rather than printed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cli.h"
#include "socwork.h"

#define SAMPLE_NS   (5 * 1000 * 1000)	/* slab bytes sampled every 5 ms */
#define PROGRESS_NS (100 * 1000 * 1000) /* progress line redrawn every 100 ms */

struct soc_reports {
	atomic_uint_fast64_t count;
	char first[SOC_REPORT_KEEP];
};

void soc_params_default(struct soc_params *p, enum minalign_policy policy)
{
	memset(p, 0, sizeof(*p));
	p->policy = policy;
	p->cache_line = 128;
	p->victim = MINALIGN_SIM_LOSE_CPU_WRITES;
	p->cpus = SOC_DEFAULT_CPUS;
	p->devices = SOC_DEFAULT_DEVICES;
	p->seconds = SOC_DEFAULT_SECONDS;
	p->size_min = SOC_DEFAULT_SIZE_MIN;
	p->size_max = SOC_DEFAULT_SIZE_MAX;
	p->seed = 1;
}

bool soc_unexpected(const struct soc_result *r)
{
	return r->params.policy != MINALIGN_POLICY_NAIVE && r->corrupted_bytes;
}

static void count_report(const struct minalign_report *rep, void *arg)
{
	struct soc_reports *rs = arg;

	if (atomic_fetch_add(&rs->count, 1) == 0)
		snprintf(rs->first, sizeof(rs->first), "%s: %s: %s", rep->subsystem, rep->device,
			 rep->message ? rep->message : "?");
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nap(long ns)
{
	struct timespec ts = {0, ns};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* The library's configuration for @p. */
static void soc_config(const struct soc_params *p, struct minalign_config *cfg)
{
	minalign_config_init(cfg);
	cfg->policy = p->policy;
	cfg->cache_line = p->cache_line;
	cfg->cache_model = MINALIGN_CACHE_SIM;
	cfg->sim_victim = p->victim;
}

struct soc_run {
	struct soc_shared sh;
	struct soc_worker *w;
	unsigned int nw, started;
	struct device *dev[SOC_MAX_DEVICES + 1];
	unsigned int ndev;
};

static int create_devices(const char *cmd, struct soc_run *s)
{
	const struct soc_params *p = s->sh.p;
	char name[32];

	for (unsigned int i = 0; i <= p->devices; i++) {
		struct minalign_device_info info = {name, i == p->devices, 0, false};

		if (i == p->devices)
			snprintf(name, sizeof(name), "coherent0");
		else
			snprintf(name, sizeof(name), "nic%u", i);
		s->dev[i] = minalign_device_create(&info);
		if (!s->dev[i])
			return cli_fail(cmd, "cannot create device %s", name);
		s->ndev++;
	}
	return CLI_EXIT_OK;
}

/*
 * The threads: churn threads first, then one per device.  Under packed the churn objects and
 * the neighbours of DMA buffers opt into packing; under dma_opt_in every even-numbered
 * non-coherent device (and the coherent one) opted in with GFP_DMA, the odd ones did not.
 */
static void setup_workers(struct soc_run *s)
{
	const struct soc_params *p = s->sh.p;
	gfp_t gfp = p->policy == MINALIGN_POLICY_PACKED ? GFP_KERNEL | __GFP_PACKED : GFP_KERNEL;

	for (unsigned int i = 0; i < s->nw; i++) {
		struct soc_worker *w = &s->w[i];

		w->sh = &s->sh;
		w->id = i;
		w->rng = soc_mix(p->seed * 0x100000001b3ull + i);
		w->gfp = gfp;
		w->buf_gfp = GFP_KERNEL;
		if (i < p->cpus)
			continue;
		w->dev = s->dev[i - p->cpus];
		w->coherent = i - p->cpus == p->devices;
		if (p->policy == MINALIGN_POLICY_DMA_OPT_IN && (i - p->cpus) % 2 == 0)
			w->buf_gfp = GFP_KERNEL | GFP_DMA;
		if (p->policy == MINALIGN_POLICY_DMA_OPT_IN && w->coherent)
			w->buf_gfp = GFP_KERNEL | GFP_DMA;
	}
}

static int start_workers(const char *cmd, struct soc_run *s)
{
	pthread_attr_t attr;
	int err = 0;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, (size_t)256 << 10);
	for (; s->started < s->nw; s->started++) {
		struct soc_worker *w = &s->w[s->started];

		err = pthread_create(&w->th, &attr, w->dev ? soc_device_main : soc_churn_main, w);
		if (err)
			break;
	}
	pthread_attr_destroy(&attr);
	return err ? cli_fail(cmd, "cannot start a thread: %s", strerror(err)) : CLI_EXIT_OK;
}

static void stop_workers(struct soc_run *s)
{
	atomic_store(&s->sh.stop, true);
	for (unsigned int i = 0; i < s->started; i++)
		pthread_join(s->w[i].th, NULL);
}

static void progress(const struct soc_params *p, double elapsed)
{
	fprintf(stderr, "\r\033[K%s %.1f/%.1f s", p->progress, elapsed, p->seconds);
	fflush(stderr);
}

/* Sleep until p->seconds have passed, sampling the peak slab bytes. */
static void watch(struct soc_run *s, struct soc_result *r, double t0)
{
	const struct soc_params *p = s->sh.p;
	double next_progress = t0, t;
	struct minalign_stats st;

	while ((t = now()) - t0 < p->seconds) {
		minalign_get_stats(&st);
		if (st.slab_bytes > r->slab_bytes_peak)
			r->slab_bytes_peak = st.slab_bytes;
		if (p->progress && t >= next_progress) {
			progress(p, t - t0);
			next_progress = t + PROGRESS_NS / 1e9;
		}
		nap(SAMPLE_NS);
	}
	if (p->progress)
		fputs("\r\033[K", stderr);
}

static void add_counts(struct soc_counts *a, const struct soc_counts *b)
{
	const uint64_t *src = (const uint64_t *)b;
	uint64_t *dst = (uint64_t *)a;

	/* every member is a uint64_t, the nested struct included */
	for (size_t i = 0; i < sizeof(*a) / sizeof(uint64_t); i++)
		dst[i] += src[i];
}

static void collect(struct soc_run *s, struct soc_result *r, double elapsed)
{
	const struct soc_corruption *b = &r->n.bad;

	for (unsigned int i = 0; i < s->started; i++)
		add_counts(&r->n, &s->w[i].n);
	r->seconds = elapsed;
	r->corrupted_bytes = b->buffers + b->neighbours + b->tx + b->churn + b->coherent;
	r->ops = r->n.kmallocs + r->n.kfrees + r->n.maps + r->n.unmaps;
	r->ops_per_second = elapsed > 0 ? (double)r->ops / elapsed : 0.0;
	minalign_get_stats(&r->st);
	if (r->st.slab_bytes > r->slab_bytes_peak)
		r->slab_bytes_peak = r->st.slab_bytes;
}

static int run_threads(const char *cmd, struct soc_run *s, struct soc_result *r)
{
	struct minalign_stats st;
	double t0;
	int rc;

	minalign_get_stats(&st);
	r->slab_bytes_start = st.slab_bytes;
	r->slab_bytes_peak = st.slab_bytes;
	t0 = now();
	rc = start_workers(cmd, s);
	if (rc == CLI_EXIT_OK)
		watch(s, r, t0);
	stop_workers(s);
	collect(s, r, now() - t0);
	return rc;
}

/* The drivers the library named for missing DMA opt-ins (dma_opt_in; bounce with DMA debug). */
static void collect_optin(struct soc_result *r)
{
	struct minalign_dma_optin_site site[SOC_OPTIN_KEEP];
	size_t n = minalign_dma_optin_sites(site, SOC_OPTIN_KEEP, NULL);

	r->noptin = (unsigned int)n;
	for (size_t i = 0; i < n && i < SOC_OPTIN_KEEP; i++) {
		struct soc_optin *o = &r->optin[i];

		snprintf(o->device, sizeof(o->device), "%s", site[i].device);
		snprintf(o->call, sizeof(o->call), "%s", site[i].call);
		if (site[i].function)
			snprintf(o->where, sizeof(o->where), "%s+0x%zx (%s)", site[i].function,
				 site[i].offset, site[i].object ? site[i].object : "?");
		else
			snprintf(o->where, sizeof(o->where), "%s+0x%zx",
				 site[i].object ? site[i].object : "?", site[i].offset);
		o->bounces = site[i].bounces;
	}
}

int soc_run(const char *cmd, const struct soc_params *p, struct soc_result *r)
{
	static struct soc_reports reports;
	struct minalign_config cfg;
	struct soc_run s;
	int rc;

	memset(r, 0, sizeof(*r));
	memset(&s, 0, sizeof(s));
	r->params = *p;
	s.sh.p = &r->params;
	atomic_init(&s.sh.stop, false);
	s.nw = p->cpus + p->devices + 1;
	s.w = calloc(s.nw, sizeof(*s.w));
	if (!s.w)
		return cli_fail(cmd, "out of memory");
	soc_config(p, &cfg);
	rc = cli_init_library(cmd, &cfg);
	if (rc) {
		free(s.w);
		return rc;
	}
	atomic_store(&reports.count, 0);
	reports.first[0] = 0;
	minalign_set_report_handler(count_report, &reports);
	rc = create_devices(cmd, &s);
	if (rc == CLI_EXIT_OK) {
		setup_workers(&s);
		rc = run_threads(cmd, &s, r);
	}
	for (unsigned int i = 0; i < s.ndev; i++)
		minalign_device_destroy(s.dev[i]);
	r->reports = atomic_load(&reports.count);
	snprintf(r->first_report, sizeof(r->first_report), "%s", reports.first);
	minalign_set_report_handler(NULL, NULL);
	minalign_exit();
	collect_optin(r);
	free(s.w);
	return rc;
}
