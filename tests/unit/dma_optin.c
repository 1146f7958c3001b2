/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/dma_optin.c - the library names the drivers that forgot the DMA opt-in
 * (minalign/dma-optin.h, src/dma/optin.c).
 *
 * Two "drivers" receive 24-byte packets on their own non-coherent device: careful_rx()
 * allocates its buffers with GFP_DMA, lazy_rx() with GFP_KERNEL.  Under DMA_OPT_IN both work
 * (the lazy buffers are bounced as the safety net), and minalign_dma_optin_sites() names
 * lazy_rx on "lazy-nic" with the exact bounce count, and nothing for careful_rx.  The test
 * program is linked with -rdynamic (tests/CMakeLists.txt) so dladdr() sees the drivers'
 * symbols.  Also: dma_map_sg and dma_map_page are attributed to their own callers; BOUNCE
 * records only with DMA-API debug on; LEGACY, NAIVE and addressing bounces record nothing.
 */
#include "dma_helpers.h"

#include <stdio.h>

enum { PKT = 24, ROUNDS = 5 };

/* An RX buffer and its neighbour (@gfp for the buffer, as its driver chose). */
static unsigned char *rx_alloc(gfp_t gfp, unsigned char **nb)
{
	unsigned char *buf = kmalloc(PKT, gfp);

	*nb = kmalloc(PKT, GFP_KERNEL);
	assert_non_null(buf);
	assert_non_null(*nb);
	return buf;
}

/* The device fills the mapped buffer while the CPU writes the neighbour; 1 if it bounced. */
static unsigned int rx_finish(struct device *dev, dma_addr_t a, unsigned char *buf,
			      unsigned char *nb)
{
	unsigned int bounced;

	assert_false(dma_mapping_error(dev, a));
	bounced = is_swiotlb_buffer(dev, a);
	th_fill(nb, 3, PKT);
	th_dev_fill(dev, a, 9, PKT);
	dma_unmap_single(dev, a, PKT, DMA_FROM_DEVICE);
	assert_true(th_holds(buf, 9, PKT));
	assert_true(th_holds(nb, 3, PKT));
	kfree(nb);
	kfree(buf);
	return bounced;
}

/* A driver function dladdr() cannot name (static, not in the dynamic symbol table). */
static __attribute__((noinline)) unsigned int hidden_rx(struct device *dev)
{
	unsigned char *nb, *buf = rx_alloc(GFP_KERNEL, &nb);

	return rx_finish(dev, dma_map_single(dev, buf, PKT, DMA_FROM_DEVICE), buf, nb);
}

/* The drivers: exported (-rdynamic) and not inlined, so their names are what dladdr sees. */
unsigned int careful_rx(struct device *dev, int n);
unsigned int lazy_rx(struct device *dev, int n);
unsigned int lazy_sg_rx(struct device *dev, int n);

__attribute__((noinline)) unsigned int careful_rx(struct device *dev, int n)
{
	unsigned int b = 0;

	for (int i = 0; i < n; i++) {
		unsigned char *nb, *buf = rx_alloc(GFP_KERNEL | GFP_DMA, &nb);

		b += rx_finish(dev, dma_map_single(dev, buf, PKT, DMA_FROM_DEVICE), buf, nb);
	}
	return b;
}

__attribute__((noinline)) unsigned int lazy_rx(struct device *dev, int n)
{
	unsigned int b = 0;

	for (int i = 0; i < n; i++) {
		unsigned char *nb, *buf = rx_alloc(GFP_KERNEL, &nb);

		b += rx_finish(dev, dma_map_single(dev, buf, PKT, DMA_FROM_DEVICE), buf, nb);
	}
	return b;
}

/* The same mistake through a scatterlist: two small kmalloc buffers in one table. */
__attribute__((noinline)) unsigned int lazy_sg_rx(struct device *dev, int n)
{
	unsigned int b = 0;

	for (int i = 0; i < n; i++) {
		struct scatterlist sg[2];
		void *p0 = kmalloc(40, GFP_KERNEL), *p1 = kmalloc(40, GFP_KERNEL);
		void *nb = kmalloc(40, GFP_KERNEL);

		sg_init_table(sg, 2);
		sg_set_buf(&sg[0], p0, 40);
		sg_set_buf(&sg[1], p1, 40);
		assert_int_equal(dma_map_sg(dev, sg, 2, DMA_FROM_DEVICE), 2);
		b += is_swiotlb_buffer(dev, sg_dma_address(&sg[0])) +
		     is_swiotlb_buffer(dev, sg_dma_address(&sg[1]));
		dma_unmap_sg(dev, sg, 2, DMA_FROM_DEVICE);
		kfree(nb);
		kfree(p1);
		kfree(p0);
	}
	return b;
}

static void setup(enum minalign_policy policy, unsigned int debug)
{
	struct minalign_config c;

	th_config(&c, policy, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)1 << 20);
	c.debug = debug;
	tu_init(&c);
	tu_reports_capture();
}

static void teardown(void)
{
	tu_expect_no_report();
	tu_reports_release();
	minalign_exit();
}

static size_t sites(struct minalign_dma_optin_site *s)
{
	return minalign_dma_optin_sites(s, MINALIGN_DMA_OPTIN_MAX, NULL);
}

static void test_forgotten_gfp_dma_is_named(void **state)
{
	struct minalign_dma_optin_site s[MINALIGN_DMA_OPTIN_MAX];
	struct device *good, *bad;
	unsigned int bounced;
	char text[4096] = "";
	FILE *f;

	(void)state;
	setup(MINALIGN_POLICY_DMA_OPT_IN, 0);
	good = th_dev("careful-nic", false, 0, false);
	bad = th_dev("lazy-nic", false, 0, false);
	assert_int_equal(careful_rx(good, ROUNDS), 0); /* GFP_DMA: never bounced */
	assert_int_equal(sites(NULL), 0);
	bounced = lazy_rx(bad, ROUNDS);
	assert_true(bounced > 0);
	minalign_device_destroy(bad); /* the names outlive the device */
	minalign_device_destroy(good);
	assert_int_equal(sites(s), 1);
	assert_string_equal(s[0].device, "lazy-nic");
	assert_non_null(s[0].function);
	assert_string_equal(s[0].function, "lazy_rx");
	assert_true(s[0].offset > 0);
	assert_string_equal(s[0].call, "dma_map_single");
	assert_int_equal(s[0].bounces, bounced);
	assert_int_equal(s[0].bytes, (uint64_t)bounced * PKT);
	assert_int_equal(s[0].size_min, PKT);
	assert_int_equal(s[0].size_max, PKT);
	assert_string_equal(s[0].cache, "kmalloc-32");
	teardown();

	/* still readable after exit, and printed by the report */
	f = tmpfile();
	assert_non_null(f);
	assert_int_equal(minalign_dma_optin_report(f), 1);
	rewind(f);
	assert_true(fread(text, 1, sizeof(text) - 1, f) > 0);
	fclose(f);
	assert_non_null(strstr(text, "lazy-nic: lazy_rx+0x"));
	assert_non_null(strstr(text, "dma_map_single"));
	assert_null(strstr(text, "careful"));
}

static void test_sg_and_sort_order(void **state)
{
	struct minalign_dma_optin_site s[MINALIGN_DMA_OPTIN_MAX];
	struct device *dev;
	unsigned int by_sg, by_single;
	uint64_t dropped = 1;

	(void)state;
	setup(MINALIGN_POLICY_DMA_OPT_IN, MINALIGN_DEBUG_DMA);
	dev = th_dev("nic", false, 0, false);
	by_single = lazy_rx(dev, 2);
	by_sg = lazy_sg_rx(dev, 3);
	assert_true(by_sg > by_single && by_single > 0);
	assert_int_equal(minalign_dma_optin_sites(s, MINALIGN_DMA_OPTIN_MAX, &dropped), 2);
	assert_int_equal(dropped, 0);
	/* most bounces first */
	assert_string_equal(s[0].function, "lazy_sg_rx");
	assert_string_equal(s[0].call, "dma_map_sg");
	assert_int_equal(s[0].bounces, by_sg);
	assert_string_equal(s[1].function, "lazy_rx");
	assert_int_equal(s[1].bounces, by_single);
	/* a short array gets the first sites, the return value says how many there are */
	memset(s, 0, sizeof(s));
	assert_int_equal(minalign_dma_optin_sites(s, 1, NULL), 2);
	assert_string_equal(s[0].function, "lazy_sg_rx");
	assert_null(s[1].device);
	minalign_device_destroy(dev);
	teardown();
	/* the next init forgets them */
	setup(MINALIGN_POLICY_DMA_OPT_IN, 0);
	assert_int_equal(minalign_dma_optin_sites(NULL, 0, NULL), 0);
	teardown();
}

/* BOUNCE records only with DMA-API debug on; the other policies never bounce for sharing. */
static void test_which_modes_record(void **state)
{
	static const struct {
		enum minalign_policy policy;
		unsigned int debug;
		bool records;
	} modes[] = {
		{MINALIGN_POLICY_BOUNCE, MINALIGN_DEBUG_DMA, true},
		{MINALIGN_POLICY_BOUNCE, 0, false},
		{MINALIGN_POLICY_LEGACY, MINALIGN_DEBUG_DMA, false},
		{MINALIGN_POLICY_PACKED, MINALIGN_DEBUG_DMA, false},
	};
	struct minalign_dma_optin_site s[MINALIGN_DMA_OPTIN_MAX];

	(void)state;
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		struct device *dev;
		unsigned int bounced;

		setup(modes[m].policy, modes[m].debug);
		dev = th_dev("nic", false, 0, false);
		bounced = lazy_rx(dev, ROUNDS);
		assert_int_equal(bounced > 0, modes[m].policy == MINALIGN_POLICY_BOUNCE);
		if (modes[m].records) {
			assert_int_equal(sites(s), 1);
			assert_string_equal(s[0].function, "lazy_rx");
			assert_int_equal(s[0].bounces, bounced);
		} else {
			assert_int_equal(sites(s), 0);
		}
		minalign_device_destroy(dev);
		teardown();
	}
}

/* A bounce for addressing (force_bounce here, or the DMA mask) is not a missing opt-in. */
static void test_addressing_bounce_not_named(void **state)
{
	struct device *dev;
	unsigned char *buf;
	dma_addr_t a;

	(void)state;
	setup(MINALIGN_POLICY_DMA_OPT_IN, 0);
	dev = th_dev("forced", false, 0, true); /* force_bounce: every mapping bounces */
	buf = kmalloc(PKT, GFP_KERNEL);
	assert_non_null(buf);
	a = dma_map_single(dev, buf, PKT, DMA_FROM_DEVICE);
	assert_false(dma_mapping_error(dev, a));
	assert_true(is_swiotlb_buffer(dev, a));
	dma_unmap_single(dev, a, PKT, DMA_FROM_DEVICE);
	kfree(buf);
	assert_int_equal(sites(NULL), 0);
	minalign_device_destroy(dev);
	teardown();
}

/* A caller without a visible symbol: its object and the offset from the object's base. */
static void test_hidden_caller(void **state)
{
	struct minalign_dma_optin_site s[MINALIGN_DMA_OPTIN_MAX];
	struct device *dev;

	(void)state;
	setup(MINALIGN_POLICY_DMA_OPT_IN, 0);
	dev = th_dev("nic", false, 0, false);
	assert_int_equal(hidden_rx(dev), 1);
	assert_int_equal(sites(s), 1);
	assert_null(s[0].function);
	assert_non_null(s[0].caller);
	assert_non_null(s[0].object);
	assert_string_equal(s[0].object, "unit_dma_optin");
	assert_true(s[0].offset > 0);
	minalign_device_destroy(dev);
	teardown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forgotten_gfp_dma_is_named),
		cmocka_unit_test(test_sg_and_sort_order),
		cmocka_unit_test(test_which_modes_record),
		cmocka_unit_test(test_addressing_bounce_not_named),
		cmocka_unit_test(test_hidden_caller),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
