/* SPDX-License-Identifier: MIT */
/*
 * tests/scenario/devres_dma.c - the seeds' devres scenario on the cache simulator.
 *
 * A driver's small devm_kmalloc() RX buffer is mapped DMA_FROM_DEVICE on a non-coherent device
 * while the same driver keeps allocating, writing and freeing other devm_* objects of the same
 * size on the same device (so, where the policy packs objects, in the buffer's cache lines),
 * registers actions and duplicates strings.  The device writes the buffer; the driver unmaps.
 *
 * Under every policy meant to be safe (LEGACY, BOUNCE, DMA_OPT_IN, PACKED with ordinary
 * kmalloc), with both victim modes and with GFP_KERNEL and GFP_DMA buffers: the buffer holds
 * what the device wrote, every other object what the CPU wrote, no conflict, no report; the
 * resource list is intact, and minalign_device_destroy() frees everything.  Linux's layout
 * hazard is absent by construction: no devres node lies in simulated RAM (the only memory a
 * device reaches or a cache line is shared in), and the buffer starts its kmalloc slot (no
 * header in front).  NAIVE runs as the control: the shared lines really are shared (one side
 * is corrupted and the conflict reported), yet the bookkeeping still comes through intact.
 */
#include "../unit/dma_helpers.h"

#include <stdio.h>

#include "device/device.h"
#include "mm/mm.h"
#include "slab/slab.h"

#define SZ    24 /* kmalloc-32 under 8-byte alignment: four objects to a 128-byte line */
#define NOLD  12 /* objects allocated before the buffer */
#define NNEW  12 /* objects allocated while the device owns it */
#define DSEED 90 /* what the device writes */

struct sc {
	enum minalign_policy policy;
	enum minalign_sim_victim victim;
	gfp_t gfp; /* of the DMA buffer */
};

static int sc_setup(void **state)
{
	const struct sc *p = *state;
	struct minalign_config c;

	th_config(&c, p->policy, p->victim, (size_t)1 << 20);
	c.debug = MINALIGN_DEBUG_DMA;
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

static bool packs(enum minalign_policy p)
{
	return p == MINALIGN_POLICY_BOUNCE || p == MINALIGN_POLICY_DMA_OPT_IN ||
	       p == MINALIGN_POLICY_NAIVE;
}

static int actions_run;

static void count_action(void *data)
{
	(void)data;
	actions_run++;
}

/* True when [p, p+n) and [q, q+m) touch a common cache line. */
static bool share_line(const void *p, size_t n, const void *q, size_t m)
{
	uintptr_t l = dma_get_cache_alignment();
	uintptr_t p0 = (uintptr_t)p & ~(l - 1), p1 = ((uintptr_t)p + n - 1) & ~(l - 1);
	uintptr_t q0 = (uintptr_t)q & ~(l - 1), q1 = ((uintptr_t)q + m - 1) & ~(l - 1);

	return p0 <= q1 && q0 <= p1;
}

/* Every node of @dev's list lies outside simulated RAM; returns how many there are. */
static size_t nodes_outside_ram(struct device *dev)
{
	size_t n = 0;

	for (struct ma_devres *dr = dev->p->newest; dr; dr = dr->older, n++) {
		assert_false(ma_virt_in_ram(dr, sizeof(*dr)));
		assert_int_equal(dr->magic, MA_DEVRES_MAGIC);
	}
	return n;
}

static void test_scenario(void **state)
{
	const struct sc *p = *state;
	const bool packed_buf = packs(p->policy) && !(p->gfp & GFP_DMA);
	const bool corrupts = p->policy == MINALIGN_POLICY_NAIVE && packed_buf;
	struct device *dev;
	struct tu_snapshot snap;
	unsigned char *old[NOLD], *fresh[NNEW], *buf;
	char *label;
	struct ma_slab_slot slot;
	uint64_t c0;
	size_t entries, shared = 0;
	dma_addr_t a;
	bool buf_ok, cpu_ok = true;

	minalign_slab_shrink();
	tu_snapshot(&snap);
	dev = th_dev("nic", false, 0, false);
	actions_run = 0;

	/* the driver's state so far, then the RX buffer */
	for (int i = 0; i < NOLD; i++) {
		old[i] = devm_kmalloc(dev, SZ, GFP_KERNEL);
		assert_non_null(old[i]);
		memset(old[i], 0x10 + i, SZ);
	}
	buf = devm_kmalloc(dev, SZ, p->gfp);
	assert_non_null(buf);
	th_fill(buf, 1, SZ);
	label = devm_kstrdup(dev, "nic rx ring 0", GFP_KERNEL);
	assert_non_null(label);
	assert_int_equal(devm_add_action(dev, count_action, NULL), 0);

	/* no header in front of the buffer: it starts its slab slot, exactly as kmalloc's */
	assert_true(ma_slab_slot(buf, &slot));
	assert_int_equal(slot.start, (uintptr_t)buf);
	if (!packed_buf)
		assert_int_equal((uintptr_t)buf % dma_get_cache_alignment(), 0);

	c0 = th_stats().sim_conflicts;
	a = dma_map_single(dev, buf, SZ, DMA_FROM_DEVICE);
	assert_int_equal(dma_mapping_error(dev, a), 0);
	assert_int_equal(is_swiotlb_buffer(dev, a),
			 packed_buf && (p->policy == MINALIGN_POLICY_BOUNCE ||
					p->policy == MINALIGN_POLICY_DMA_OPT_IN));

	/* while the device owns the buffer: the CPU allocates, writes and frees around it */
	for (int i = 0; i < NNEW; i++) {
		fresh[i] = i % 3 == 2 ? devm_kzalloc(dev, SZ, GFP_KERNEL)
				      : devm_kmalloc(dev, SZ, GFP_KERNEL);
		assert_non_null(fresh[i]);
		memset(fresh[i], 0x40 + i, SZ);
		if (i % 4 == 1) {
			devm_kfree(dev, old[i]);
			old[i] = NULL;
		}
		if (i % 5 == 0)
			assert_int_equal(devm_add_action(dev, count_action, NULL), 0);
	}
	for (int i = 0; i < NOLD; i++)
		if (old[i])
			memset(old[i], 0x20 + i, SZ);
	for (int i = 0; i < NOLD; i++)
		shared += old[i] && share_line(buf, SZ, old[i], SZ);
	for (int i = 0; i < NNEW; i++)
		shared += share_line(buf, SZ, fresh[i], SZ);
	/* where the policy packs, the buffer's lines really held other live objects */
	assert_true(packed_buf ? shared > 0 : shared == 0);

	/* the device writes the buffer; the driver takes it back */
	th_dev_fill(dev, a, DSEED, SZ);
	dma_unmap_single(dev, a, SZ, DMA_FROM_DEVICE);

	buf_ok = th_holds(buf, DSEED, SZ);
	for (int i = 0; i < NOLD; i++)
		for (int j = 0; old[i] && j < SZ; j++)
			cpu_ok &= old[i][j] == 0x20 + i;
	for (int i = 0; i < NNEW; i++)
		for (int j = 0; j < SZ; j++)
			cpu_ok &= fresh[i][j] == 0x40 + i;
	if (!corrupts) {
		assert_true(buf_ok);
		assert_true(cpu_ok);
		assert_int_equal(th_stats().sim_conflicts, c0);
		tu_expect_no_report();
	} else {
		/* the control: one side lost, as the victim mode says */
		assert_true(p->victim == MINALIGN_SIM_LOSE_CPU_WRITES ? buf_ok && !cpu_ok
								      : !buf_ok && cpu_ok);
		assert_true(th_stats().sim_conflicts > c0);
		tu_reports_clear();
	}

	/* the bookkeeping came through intact, whatever the policy: it is not in RAM */
	assert_string_equal(label, "nic rx ring 0");
	assert_int_equal(ma_devres_validate(dev), 0);
	entries = NOLD - 3 + 1 + 1 + 1 + NNEW + 3; /* 3 freed; buf, label, 1 + 3 actions */
	assert_int_equal(minalign_device_devres_count(dev), entries);
	assert_int_equal(nodes_outside_ram(dev), entries + 1); /* + dma/'s teardown */
	assert_int_equal(minalign_device_devres_pad_bytes(dev),
			 entries * MA_ALIGN_UP(40u, dma_get_cache_alignment()));

	minalign_device_destroy(dev);
	assert_int_equal(actions_run, 4);
	assert_int_equal(th_stats().devres_live, 0);
	minalign_slab_shrink();
	tu_assert_no_leak(&snap);
	tu_expect_no_report();
}

#define CASE(pol, vic, g)                                                                      \
	{                                                                                      \
		.policy = MINALIGN_POLICY_##pol, .victim = MINALIGN_SIM_LOSE_##vic, .gfp = (g) \
	}

static const struct sc cases[] = {
	CASE(LEGACY, CPU_WRITES, GFP_KERNEL),	     CASE(LEGACY, DEVICE_WRITES, GFP_KERNEL),
	CASE(BOUNCE, CPU_WRITES, GFP_KERNEL),	     CASE(BOUNCE, DEVICE_WRITES, GFP_KERNEL),
	CASE(BOUNCE, CPU_WRITES, GFP_DMA),	     CASE(DMA_OPT_IN, CPU_WRITES, GFP_KERNEL),
	CASE(DMA_OPT_IN, DEVICE_WRITES, GFP_KERNEL), CASE(DMA_OPT_IN, DEVICE_WRITES, GFP_DMA),
	CASE(PACKED, CPU_WRITES, GFP_KERNEL),	     CASE(PACKED, DEVICE_WRITES, GFP_KERNEL),
	CASE(NAIVE, CPU_WRITES, GFP_KERNEL),	     CASE(NAIVE, DEVICE_WRITES, GFP_KERNEL),
	CASE(NAIVE, DEVICE_WRITES, GFP_DMA),
};

int main(void)
{
	struct CMUnitTest tests[MA_ARRAY_SIZE(cases)];
	static char names[MA_ARRAY_SIZE(cases)][64];

	for (unsigned int i = 0; i < MA_ARRAY_SIZE(cases); i++) {
		snprintf(names[i], sizeof(names[i]), "devres_dma/%s/%s/%s",
			 minalign_policy_name(cases[i].policy),
			 cases[i].victim == MINALIGN_SIM_LOSE_CPU_WRITES ? "lose_cpu" : "lose_dev",
			 cases[i].gfp & GFP_DMA ? "gfp_dma" : "gfp_kernel");
		tests[i] = (struct CMUnitTest){names[i], test_scenario, sc_setup, sc_teardown,
					       (void *)&cases[i]};
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
