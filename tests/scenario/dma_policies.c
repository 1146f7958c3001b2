/* SPDX-License-Identifier: MIT */
/*
 * tests/scenario/dma_policies.c - the corruption the whole design is about, on the simulator,
 * for every policy and both victim modes.
 *
 * A small kmalloc DMA buffer and a neighbour object sharing its cache line (when the policy
 * packs objects that tightly).  The device owns the buffer; meanwhile the CPU writes the
 * neighbour and the device writes the buffer; then the CPU takes the buffer back.
 * LEGACY, BOUNCE, DMA_OPT_IN and PACKED (for ordinary kmalloc buffers) leave both exactly
 * right.  NAIVE corrupts one of them - the neighbour with LOSE_CPU_WRITES, the buffer with
 * LOSE_DEVICE_WRITES - and the conflict is counted and reported.  The same for
 * BIDIRECTIONAL, for sync_for_cpu / sync_for_device cycles without unmapping, and for a
 * scatterlist mixing safe and unsafe segments.
 */
#include "../unit/dma_helpers.h"

#include <stdio.h>

#define BUF   24 /* kmalloc-24 -> kmalloc-32 under 8-byte alignment */
#define NB_V0 0x11
#define NB_V1 0x22

struct sc {
	enum minalign_policy policy;
	enum minalign_sim_victim victim;
};

static int sc_setup(void **state)
{
	const struct sc *p = *state;

	th_init(p->policy, p->victim, (size_t)1 << 20);
	tu_reports_capture();
	return 0;
}

static int sc_teardown(void **state)
{
	(void)state;
	tu_reports_release();
	minalign_exit();
	return 0;
}

static bool packs(enum minalign_policy p)
{
	return p == MINALIGN_POLICY_BOUNCE || p == MINALIGN_POLICY_DMA_OPT_IN ||
	       p == MINALIGN_POLICY_NAIVE;
}

static bool naive(const struct sc *p)
{
	return p->policy == MINALIGN_POLICY_NAIVE;
}

/* What the buffer and the neighbour hold after the CPU took the buffer back. */
static void expect_outcome(const struct sc *p, const void *buf, unsigned char dev_seed,
			   unsigned char cpu_seed, const unsigned char *nb, uint64_t conflicts0)
{
	bool buf_ok = th_holds(buf, dev_seed, BUF);
	bool nb_ok = true;

	for (int i = 0; i < BUF; i++)
		nb_ok &= nb[i] == NB_V1;
	if (!naive(p)) {
		assert_true(buf_ok);
		assert_true(nb_ok);
		assert_int_equal(th_stats().sim_conflicts, conflicts0);
		tu_expect_no_report();
		return;
	}
	if (p->victim == MINALIGN_SIM_LOSE_CPU_WRITES) {
		assert_true(buf_ok);
		assert_false(nb_ok); /* the neighbour's CPU write vanished */
		assert_int_equal(nb[0], NB_V0);
	} else {
		assert_false(buf_ok); /* stale CPU bytes overwrote the device's */
		assert_true(th_holds(buf, cpu_seed, BUF));
		assert_true(nb_ok);
	}
	assert_true(th_stats().sim_conflicts > conflicts0);
	tu_expect_report("dma", "cache line");
}

static void get_pair(const struct sc *p, void **buf, void **nb)
{
	assert_int_equal(th_pair(BUF, GFP_KERNEL, buf, nb), packs(p->policy));
	if (packs(p->policy))
		assert_true(is_swiotlb_active(NULL));
}

/* Map, CPU writes the neighbour, device writes the buffer, unmap. */
static void one_mapping(const struct sc *p, struct device *dev, enum dma_data_direction dir)
{
	uint64_t c0 = th_stats().sim_conflicts;
	void *buf, *nb;
	dma_addr_t a;

	get_pair(p, &buf, &nb);
	th_fill(buf, 1, BUF);
	memset(nb, NB_V0, BUF);
	a = dma_map_single(dev, buf, BUF, dir);
	assert_int_equal(dma_mapping_error(dev, a), 0);
	assert_int_equal(is_swiotlb_buffer(dev, a),
			 p->policy == MINALIGN_POLICY_BOUNCE ||
				 p->policy == MINALIGN_POLICY_DMA_OPT_IN);
	if (dir == DMA_BIDIRECTIONAL)
		assert_true(th_dev_holds(dev, a, 1, BUF));
	memset(nb, NB_V1, BUF);
	th_dev_fill(dev, a, 90, BUF);
	dma_unmap_single(dev, a, BUF, dir);
	expect_outcome(p, buf, 90, 1, nb, c0);
	kfree(buf);
	kfree(nb);
}

static void test_from_device(void **state)
{
	struct device *dev = th_dev("nic", false, 0, false);

	one_mapping(*state, dev, DMA_FROM_DEVICE);
	minalign_device_destroy(dev);
}

static void test_bidirectional(void **state)
{
	struct device *dev = th_dev("nic", false, 0, false);

	one_mapping(*state, dev, DMA_BIDIRECTIONAL);
	minalign_device_destroy(dev);
}

/* Three device-to-CPU hand-overs through sync calls, then unmap. */
static void test_sync_cycles(void **state)
{
	const struct sc *p = *state;
	struct device *dev = th_dev("nic", false, 0, false);
	void *buf, *nb;
	dma_addr_t a;

	get_pair(p, &buf, &nb);
	th_fill(buf, 1, BUF);
	a = dma_map_single(dev, buf, BUF, DMA_FROM_DEVICE);
	assert_int_equal(dma_mapping_error(dev, a), 0);
	for (unsigned char k = 0; k < 3; k++) {
		uint64_t c0 = th_stats().sim_conflicts;

		memset(nb, NB_V0, BUF);
		dma_sync_single_for_device(dev, a, BUF, DMA_FROM_DEVICE);
		memset(nb, NB_V1, BUF); /* while the device owns the buffer */
		th_dev_fill(dev, a, (unsigned char)(100 + k), BUF);
		dma_sync_single_for_cpu(dev, a, BUF, DMA_FROM_DEVICE);
		/* the CPU copy the device's data replaces is the previous cycle's */
		expect_outcome(p, buf, (unsigned char)(100 + k), k ? (unsigned char)(99 + k) : 1,
			       nb, c0);
		th_fill(buf, (unsigned char)(100 + k), BUF); /* the driver repairs, for the next */
	}
	dma_unmap_single(dev, a, BUF, DMA_FROM_DEVICE);
	tu_reports_clear();
	kfree(buf);
	kfree(nb);
	minalign_device_destroy(dev);
}

/* A table of a page (safe), the small buffer (unsafe where packed) and a 256-byte object. */
static void test_scatterlist(void **state)
{
	const struct sc *p = *state;
	struct device *dev = th_dev("nic", false, 0, false);
	uint64_t c0 = th_stats().sim_conflicts;
	struct scatterlist sg[3], *s;
	unsigned char *pg = th_pages(0);
	void *buf, *nb, *obj = kmalloc(256, GFP_KERNEL);
	size_t len[3] = {PAGE_SIZE, BUF, 256};
	int i;

	get_pair(p, &buf, &nb);
	{
		void *b[3] = {pg, buf, obj};

		sg_init_table(sg, 3);
		for_each_sg (sg, s, 3, i) {
			sg_set_buf(s, b[i], (unsigned int)len[i]);
			th_fill(b[i], 1, len[i]);
		}
	}
	memset(nb, NB_V0, BUF);
	assert_int_equal(dma_map_sg(dev, sg, 3, DMA_FROM_DEVICE), 3);
	memset(nb, NB_V1, BUF);
	for_each_sg (sg, s, 3, i) {
		assert_int_equal(is_swiotlb_buffer(dev, sg_dma_address(s)),
				 i == 1 && (p->policy == MINALIGN_POLICY_BOUNCE ||
					    p->policy == MINALIGN_POLICY_DMA_OPT_IN));
		th_dev_fill(dev, sg_dma_address(s), (unsigned char)(60 + i), len[i]);
	}
	dma_unmap_sg(dev, sg, 3, DMA_FROM_DEVICE);
	assert_true(th_holds(pg, 60, PAGE_SIZE));
	assert_true(th_holds(obj, 62, 256));
	expect_outcome(p, buf, 61, 1, nb, c0);
	kfree(buf);
	kfree(nb);
	kfree(obj);
	free_pages((unsigned long)pg, 0);
	minalign_device_destroy(dev);
}

/* PACKED: objects allocated with __GFP_PACKED share lines and are not bounced (DMA-API debug
 * reports such a mapping); the data is then at the mercy of the cache, as with NAIVE. */
static void test_packed_objects_are_not_bounced(void **state)
{
	const struct sc *p = *state;
	struct device *dev;
	void *buf, *nb;
	dma_addr_t a;

	if (p->policy != MINALIGN_POLICY_PACKED)
		return;
	dev = th_dev("nic", false, 0, false);
	assert_true(th_pair(BUF, GFP_KERNEL | __GFP_PACKED, &buf, &nb));
	a = dma_map_single(dev, buf, BUF, DMA_FROM_DEVICE);
	assert_false(is_swiotlb_buffer(dev, a));
	assert_int_equal(th_stats().bounce_exact, 1);
	memset(nb, NB_V1, BUF);
	th_dev_fill(dev, a, 90, BUF);
	dma_unmap_single(dev, a, BUF, DMA_FROM_DEVICE);
	assert_int_equal(th_stats().sim_conflicts, 1);
	tu_expect_report("dma", "cache line");
	kfree(buf);
	kfree(nb);
	minalign_device_destroy(dev);
}

#define SC(pol, vic)                                      \
	{                                                 \
		MINALIGN_POLICY_##pol, MINALIGN_SIM_##vic \
	}
static struct sc cases[] = {
	SC(LEGACY, LOSE_CPU_WRITES),	 SC(LEGACY, LOSE_DEVICE_WRITES),
	SC(BOUNCE, LOSE_CPU_WRITES),	 SC(BOUNCE, LOSE_DEVICE_WRITES),
	SC(PACKED, LOSE_CPU_WRITES),	 SC(PACKED, LOSE_DEVICE_WRITES),
	SC(DMA_OPT_IN, LOSE_CPU_WRITES), SC(DMA_OPT_IN, LOSE_DEVICE_WRITES),
	SC(NAIVE, LOSE_CPU_WRITES),	 SC(NAIVE, LOSE_DEVICE_WRITES),
};

static const struct {
	const char *name;
	CMUnitTestFunction fn;
} scenarios[] = {
	{"from_device", test_from_device},
	{"bidirectional", test_bidirectional},
	{"sync_cycles", test_sync_cycles},
	{"scatterlist", test_scatterlist},
	{"packed_objects_are_not_bounced", test_packed_objects_are_not_bounced},
};

int main(void)
{
	enum {
		NS = sizeof(scenarios) / sizeof(scenarios[0]),
		NC = sizeof(cases) / sizeof(cases[0])
	};
	static struct CMUnitTest tests[NS * NC];
	static char names[NS * NC][80];

	for (unsigned int c = 0; c < NC; c++) {
		for (unsigned int k = 0; k < NS; k++) {
			struct CMUnitTest *t = &tests[c * NS + k];

			snprintf(names[c * NS + k], sizeof(names[0]), "%s/%s: %s",
				 minalign_policy_name(cases[c].policy),
				 cases[c].victim == MINALIGN_SIM_LOSE_CPU_WRITES
					 ? "lose_cpu_writes"
					 : "lose_device_writes",
				 scenarios[k].name);
			t->name = names[c * NS + k];
			t->test_func = scenarios[k].fn;
			t->setup_func = sc_setup;
			t->teardown_func = sc_teardown;
			t->initial_state = &cases[c];
		}
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
