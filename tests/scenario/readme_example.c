/* SPDX-License-Identifier: MIT */
/*
 * tests/scenario/readme_example.c - the README's "API at a glance" example (examples/quickstart.c,
 * which tests/tools/examples.sh builds and runs as a user would) as a scenario under both
 * policies: a 24-byte kmalloc RX buffer on a non-coherent device is bounced under BOUNCE and its
 * neighbour's CPU write survives; under NAIVE the same code loses the neighbour's write.
 */
#include "test_util.h"

#include <string.h>

static int run(enum minalign_policy policy, uint64_t *bounces)
{
	static const u8 packet[24] = "0123456789abcdefghijklm";
	struct minalign_device_info info = {.name = "nic0", .coherent = false, .dma_bits = 32};
	struct minalign_config cfg;
	struct minalign_stats st;
	struct device *dev;
	u8 *rx, *neighbour;
	dma_addr_t h;
	int bad = 0;

	minalign_config_init(&cfg);
	cfg.ram_size = (size_t)64 << 20;
	cfg.policy = policy;
	cfg.debug = 0; /* NAIVE's conflict would be reported; the point here is the data */
	assert_int_equal(minalign_init(&cfg), 0);
	dev = minalign_device_create(&info);
	assert_non_null(dev);
	rx = kmalloc(24, GFP_KERNEL);
	neighbour = kmalloc(24, GFP_KERNEL); /* same class, next slot: the same 128-byte line */
	assert_non_null(rx);
	assert_non_null(neighbour);
	assert_true((uintptr_t)neighbour / 128 == (uintptr_t)rx / 128);
	memset(neighbour, 0, 24);
	h = dma_map_single(dev, rx, 24, DMA_FROM_DEVICE);
	assert_int_equal(dma_mapping_error(dev, h), 0);
	memset(neighbour, 0x5a, 24); /* CPU writes the neighbour meanwhile */
	assert_int_equal(minalign_dma_write(dev, h, packet, 24), 0);
	dma_unmap_single(dev, h, 24, DMA_FROM_DEVICE);
	bad += memcmp(rx, packet, 24) != 0;
	for (int i = 0; i < 24; i++)
		bad += neighbour[i] != 0x5a;
	minalign_get_stats(&st);
	*bounces = st.bounce_maps;
	kfree(neighbour);
	kfree(rx);
	minalign_device_destroy(dev);
	minalign_exit();
	return bad;
}

static void test_bounce_is_safe(void **state)
{
	uint64_t bounces;

	(void)state;
	assert_int_equal(run(MINALIGN_POLICY_BOUNCE, &bounces), 0);
	assert_int_equal(bounces, 1);
}

static void test_naive_corrupts(void **state)
{
	uint64_t bounces;

	(void)state;
	assert_true(run(MINALIGN_POLICY_NAIVE, &bounces) > 0); /* the neighbour's write is lost */
	assert_int_equal(bounces, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounce_is_safe),
		cmocka_unit_test(test_naive_corrupts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
