/* SPDX-License-Identifier: MIT */
/*
 * examples/drivers/harness.h - what the example drivers share to run on the simulator: the
 * machine (policy and victim from the command line), a report counter, and the verdict.
 *
 * A driver example is "driver code" (written against <minalign/linux.h> only, as it would be
 * against the kernel's headers) plus a main() that plays the bus and the hardware: it makes
 * the device, calls the driver, and does what the device's DMA engine would do with
 * minalign_dma_write()/minalign_dma_read().  Every byte the device wrote and every byte the
 * CPU wrote meanwhile is checked; the verdict compares the corrupted bytes with what the
 * configuration should give: none, except under NAIVE where the driver shares cache lines.
 *
 * Usage: <example> POLICY [VICTIM]   (legacy|bounce|packed|dma_opt_in|naive,
 *                                     lose_cpu_writes|lose_device_writes)
 */
#ifndef MINALIGN_EXAMPLES_DRIVERS_HARNESS_H
#define MINALIGN_EXAMPLES_DRIVERS_HARNESS_H

#include <minalign/linux.h>

#include <stdio.h>
#include <stdlib.h>

struct harness {
	const char *name;
	enum minalign_policy policy;
	enum minalign_sim_victim victim;
	unsigned long reports;
	unsigned long corrupted; /* bytes found wrong by the checks */
};

static void harness_count_report(const struct minalign_report *r, void *arg)
{
	struct harness *h = (struct harness *)arg;

	h->reports++;
	if (h->policy != MINALIGN_POLICY_NAIVE) /* NAIVE's reports are the expected ones */
		fprintf(stderr, "%s: report: %s: %s: %s\n", h->name, r->subsystem, r->device,
			r->message);
}

static void harness_quiet_log(const struct minalign_log *l, void *arg)
{
	(void)l;
	(void)arg;
}

/* Bring the machine up for @argv's policy and victim; exits with a usage message on error. */
static inline void harness_init(struct harness *h, const char *name, int argc, char **argv)
{
	static const char *const victims[] = {"lose_cpu_writes", "lose_device_writes"};
	struct minalign_config cfg;
	int p;

	h->name = name;
	h->reports = 0;
	h->corrupted = 0;
	h->policy = MINALIGN_POLICY_BOUNCE;
	h->victim = MINALIGN_SIM_LOSE_CPU_WRITES;
	for (p = 0; argc > 1 && p < MINALIGN_NR_POLICIES; p++)
		if (!strcmp(argv[1], minalign_policy_name((enum minalign_policy)p)))
			break;
	if (argc > 1 && p == MINALIGN_NR_POLICIES) {
		fprintf(stderr, "usage: %s POLICY [lose_cpu_writes|lose_device_writes]\n", name);
		exit(2);
	}
	if (argc > 1)
		h->policy = (enum minalign_policy)p;
	if (argc > 2)
		h->victim = !strcmp(argv[2], victims[1]) ? MINALIGN_SIM_LOSE_DEVICE_WRITES
							 : MINALIGN_SIM_LOSE_CPU_WRITES;
	minalign_config_init(&cfg);
	cfg.ram_size = (size_t)64 << 20;
	cfg.policy = h->policy;
	cfg.sim_victim = h->victim;
	cfg.swiotlb_size = (size_t)1 << 20;
	minalign_set_report_handler(harness_count_report, h);
	minalign_set_log_handler(harness_quiet_log, NULL);
	if (minalign_init(&cfg)) {
		fprintf(stderr, "%s: minalign_init failed\n", name);
		exit(1);
	}
}

/* Count the bytes of @got that differ from @want. */
static inline unsigned long harness_diff(const void *got, const void *want, size_t n)
{
	const u8 *g = (const u8 *)got, *w = (const u8 *)want;
	unsigned long bad = 0;

	for (size_t i = 0; i < n; i++)
		bad += g[i] != w[i];
	return bad;
}

/*
 * Shut down and give the verdict: exit status 0 when the corruption matches the expectation
 * (@shares: the driver shares cache lines, so NAIVE must corrupt and only NAIVE).
 */
static inline int harness_finish(struct harness *h, bool shares)
{
	struct minalign_stats st;
	bool expect = shares && h->policy == MINALIGN_POLICY_NAIVE;
	bool ok;

	minalign_get_stats(&st);
	minalign_exit();
	minalign_set_report_handler(NULL, NULL);
	minalign_set_log_handler(NULL, NULL);
	ok = expect ? h->corrupted > 0 : h->corrupted == 0 && h->reports == 0;
	printf("%s: policy %s: %lu corrupted bytes, %llu bounces, %llu cache-line conflicts, "
	       "%lu reports: %s (%s)\n",
	       h->name, minalign_policy_name(h->policy), h->corrupted,
	       (unsigned long long)st.bounce_maps, (unsigned long long)st.sim_conflicts, h->reports,
	       ok ? "as expected" : "UNEXPECTED",
	       expect ? "NAIVE must corrupt: the driver shares lines" : "must not corrupt");
	return ok ? 0 : 1;
}

#endif /* MINALIGN_EXAMPLES_DRIVERS_HARNESS_H */
