/* SPDX-License-Identifier: MIT */
/*
 * tests/scenario/iommu_policies.c - the cache-line-sharing corruption on a device behind an
 * IOMMU, for every policy, both victim modes and both bounce backends.
 *
 * As tests/scenario/dma_policies.c, but the device's DMA addresses are IOVAs: a small
 * kmalloc buffer shares its line with a neighbour the CPU writes while the device owns the
 * buffer.  BOUNCE and DMA_OPT_IN bounce it (it is unsafe and not granule-aligned), LEGACY and
 * PACKED never pack it with a neighbour: all four leave both exactly right.  NAIVE corrupts
 * (the neighbour with LOSE_CPU_WRITES, the buffer with LOSE_DEVICE_WRITES).  Scenarios:
 * FROM_DEVICE, BIDIRECTIONAL, sync cycles, and a scatterlist (a page, the small buffer, a
 * 256-byte object) that is merged into fewer DMA segments where nothing bounces.
 */
#include "../unit/dma_helpers.h"

#include <errno.h>
#include <stdio.h>

#define BUF   24
#define NB_V0 0x11
#define NB_V1 0x22

struct sc {
	enum minalign_policy policy;
	enum minalign_sim_victim victim;
	enum minalign_bounce_backend backend;
};

static int sc_setup(void **state)
{
	const struct sc *p = *state;
	struct minalign_config c;

	th_config(&c, p->policy, p->victim, (size_t)1 << 20);
	c.bounce_backend = p->backend;
	tu_init(&c);
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

static struct device *iommu_dev(void)
{
	struct minalign_device_info info = {.name = "smmu-nic", .iommu = true};
	struct device *dev = minalign_device_create(&info);

	assert_non_null(dev);
	return dev;
}

static bool packs(enum minalign_policy p)
{
	return p == MINALIGN_POLICY_BOUNCE || p == MINALIGN_POLICY_DMA_OPT_IN ||
	       p == MINALIGN_POLICY_NAIVE;
}

static bool bounces(enum minalign_policy p)
{
	return p == MINALIGN_POLICY_BOUNCE || p == MINALIGN_POLICY_DMA_OPT_IN;
}

/* The buffer must hold @want (@n bytes); the neighbour NB_V1.  NAIVE: the corruption. */
static void expect_outcome(const struct sc *p, const unsigned char *buf, const unsigned char *want,
			   const unsigned char *old, const unsigned char *nb, uint64_t conflicts0)
{
	bool buf_ok = memcmp(buf, want, BUF) == 0;
	bool nb_ok = true;

	for (int i = 0; i < BUF; i++)
		nb_ok &= nb[i] == NB_V1;
	if (p->policy != MINALIGN_POLICY_NAIVE) {
		assert_true(buf_ok);
		assert_true(nb_ok);
		assert_int_equal(th_stats().sim_conflicts, conflicts0);
		tu_expect_no_report();
		return;
	}
	if (p->victim == MINALIGN_SIM_LOSE_CPU_WRITES) {
		assert_true(buf_ok);
		assert_false(nb_ok);
		assert_int_equal(nb[0], NB_V0);
	} else {
		assert_false(buf_ok);
		assert_memory_equal(buf, old, BUF);
		assert_true(nb_ok);
	}
	assert_true(th_stats().sim_conflicts > conflicts0);
	tu_expect_report("dma", "cache line");
}

static void get_pair(const struct sc *p, void **buf, void **nb)
{
	assert_int_equal(th_pair(BUF, GFP_KERNEL, buf, nb), packs(p->policy));
}

static void one_mapping(const struct sc *p, enum dma_data_direction dir)
{
	struct device *dev = iommu_dev();
	uint64_t c0 = th_stats().sim_conflicts, b0 = th_stats().bounce_maps;
	unsigned char want[BUF], old[BUF];
	void *buf, *nb;
	dma_addr_t a;

	get_pair(p, &buf, &nb);
	th_fill(buf, 1, BUF);
	memcpy(old, buf, BUF);
	memset(nb, NB_V0, BUF);
	a = dma_map_single(dev, buf, BUF, dir);
	assert_int_equal(dma_mapping_error(dev, a), 0);
	assert_false(is_swiotlb_buffer(dev, a)); /* an IOVA, never a pool address */
	assert_int_equal(th_stats().bounce_maps - b0, bounces(p->policy) ? 1 : 0);
	if (dir == DMA_BIDIRECTIONAL)
		assert_true(th_dev_holds(dev, a, 1, BUF));
	memset(nb, NB_V1, BUF);
	th_dev_fill(dev, a, 90, BUF);
	th_fill(want, 90, BUF);
	dma_unmap_single(dev, a, BUF, dir);
	expect_outcome(p, buf, want, old, nb, c0);
	/* after the unmap the IOVA is gone: the device faults */
	assert_int_equal(minalign_dma_write(dev, a, want, 1), -EFAULT);
	tu_expect_report("iommu", "IOMMU fault");
	kfree(buf);
	kfree(nb);
	minalign_device_destroy(dev);
}

static void test_from_device(void **state)
{
	one_mapping(*state, DMA_FROM_DEVICE);
}

static void test_bidirectional(void **state)
{
	one_mapping(*state, DMA_BIDIRECTIONAL);
}

static void test_sync_cycles(void **state)
{
	const struct sc *p = *state;
	struct device *dev = iommu_dev();
	unsigned char want[BUF], old[BUF];
	void *buf, *nb;
	dma_addr_t a;

	get_pair(p, &buf, &nb);
	th_fill(buf, 1, BUF);
	a = dma_map_single(dev, buf, BUF, DMA_FROM_DEVICE);
	assert_int_equal(dma_mapping_error(dev, a), 0);
	for (unsigned char k = 0; k < 3; k++) {
		uint64_t c0 = th_stats().sim_conflicts;

		memcpy(old, buf, BUF);
		memset(nb, NB_V0, BUF);
		dma_sync_single_for_device(dev, a, BUF, DMA_FROM_DEVICE);
		memset(nb, NB_V1, BUF);
		th_dev_fill(dev, a, (unsigned char)(100 + k), BUF);
		dma_sync_single_for_cpu(dev, a, BUF, DMA_FROM_DEVICE);
		th_fill(want, (unsigned char)(100 + k), BUF);
		expect_outcome(p, buf, want, old, nb, c0);
		th_fill(buf, (unsigned char)(100 + k), BUF);
	}
	dma_unmap_single(dev, a, BUF, DMA_FROM_DEVICE);
	tu_reports_clear();
	kfree(buf);
	kfree(nb);
	minalign_device_destroy(dev);
}

/*
 * A table of a page, the small buffer and a 256-byte object.  The device fills each DMA
 * segment it was given; the original segments must then hold the matching slices.
 */
static void test_scatterlist(void **state)
{
	const struct sc *p = *state;
	struct device *dev = iommu_dev();
	uint64_t c0 = th_stats().sim_conflicts;
	struct scatterlist sg[3], *s;
	unsigned char *pg = th_pages(0), stream[PAGE_SIZE + 512], old[BUF];
	void *buf, *nb, *obj = kmalloc(256, GFP_KERNEL);
	size_t len[3] = {PAGE_SIZE, BUF, 256}, at = 0;
	void *b[3];
	int i, n;

	get_pair(p, &buf, &nb);
	b[0] = pg;
	b[1] = buf;
	b[2] = obj;
	sg_init_table(sg, 3);
	for_each_sg (sg, s, 3, i) {
		sg_set_buf(s, b[i], (unsigned int)len[i]);
		th_fill(b[i], 1, len[i]);
	}
	memcpy(old, buf, BUF);
	memset(nb, NB_V0, BUF);
	n = dma_map_sg(dev, sg, 3, DMA_FROM_DEVICE);
	/* merged where nothing bounces: the page and the buffer cannot share a DMA segment
	 * (the buffer starts inside a granule), nor the buffer and the object */
	assert_true(n >= 1 && n <= 3);
	if (bounces(p->policy))
		assert_int_equal(n, 3);
	memset(nb, NB_V1, BUF);
	for (int k = 0; k < n; k++) {
		th_fill(stream + at, (unsigned char)(60 + k), sg_dma_len(&sg[k]));
		th_dev_fill(dev, sg_dma_address(&sg[k]), (unsigned char)(60 + k),
			    sg_dma_len(&sg[k]));
		at += sg_dma_len(&sg[k]);
	}
	assert_int_equal(at, PAGE_SIZE + BUF + 256);
	dma_unmap_sg(dev, sg, 3, DMA_FROM_DEVICE);
	assert_memory_equal(pg, stream, PAGE_SIZE);
	assert_memory_equal(obj, stream + PAGE_SIZE + BUF, 256);
	expect_outcome(p, buf, stream + PAGE_SIZE, old, nb, c0);
	kfree(buf);
	kfree(nb);
	kfree(obj);
	free_pages((unsigned long)pg, 0);
	minalign_device_destroy(dev);
}

#define SC(pol, vic, be)                                                        \
	{                                                                       \
		MINALIGN_POLICY_##pol, MINALIGN_SIM_##vic, MINALIGN_BOUNCE_##be \
	}
static struct sc cases[] = {
	SC(LEGACY, LOSE_CPU_WRITES, SWIOTLB),	  SC(LEGACY, LOSE_DEVICE_WRITES, SWIOTLB),
	SC(BOUNCE, LOSE_CPU_WRITES, SWIOTLB),	  SC(BOUNCE, LOSE_DEVICE_WRITES, SWIOTLB),
	SC(BOUNCE, LOSE_CPU_WRITES, KMALLOC),	  SC(BOUNCE, LOSE_DEVICE_WRITES, KMALLOC),
	SC(PACKED, LOSE_CPU_WRITES, SWIOTLB),	  SC(PACKED, LOSE_DEVICE_WRITES, SWIOTLB),
	SC(DMA_OPT_IN, LOSE_CPU_WRITES, SWIOTLB), SC(DMA_OPT_IN, LOSE_DEVICE_WRITES, KMALLOC),
	SC(NAIVE, LOSE_CPU_WRITES, SWIOTLB),	  SC(NAIVE, LOSE_DEVICE_WRITES, SWIOTLB),
};

static const struct {
	const char *name;
	CMUnitTestFunction fn;
} scenarios[] = {
	{"from_device", test_from_device},
	{"bidirectional", test_bidirectional},
	{"sync_cycles", test_sync_cycles},
	{"scatterlist", test_scatterlist},
};

int main(void)
{
	enum {
		NS = sizeof(scenarios) / sizeof(scenarios[0]),
		NC = sizeof(cases) / sizeof(cases[0])
	};
	static struct CMUnitTest tests[NS * NC];
	static char names[NS * NC][96];

	for (unsigned int c = 0; c < NC; c++) {
		for (unsigned int k = 0; k < NS; k++) {
			struct CMUnitTest *t = &tests[c * NS + k];

			snprintf(names[c * NS + k], sizeof(names[0]), "%s/%s/%s: %s",
				 minalign_policy_name(cases[c].policy),
				 cases[c].victim == MINALIGN_SIM_LOSE_CPU_WRITES
					 ? "lose_cpu_writes"
					 : "lose_device_writes",
				 cases[c].backend == MINALIGN_BOUNCE_KMALLOC ? "kmalloc"
									     : "swiotlb",
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
