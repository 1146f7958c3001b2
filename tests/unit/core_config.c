/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/core_config.c - configuration validation, lifecycle, reports, stats, fault hook.
 */
#include "test_util.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "core/core.h"

static void expect_einval(struct minalign_config *cfg, const char *field)
{
	tu_reports_clear();
	assert_int_equal(minalign_init(cfg), -EINVAL);
	assert_false(minalign_initialized());
	tu_expect_report("core", field);
}

static void test_defaults(void **state)
{
	struct minalign_config c;

	(void)state;
	minalign_config_init(&c);
	assert_int_equal(c.ram_base, 0x80000000ull);
	assert_int_equal(c.ram_size, sizeof(void *) == 4 ? 256u << 20 : 1u << 30);
	assert_int_equal(c.cache_line, 128);
	assert_int_equal(c.policy, MINALIGN_POLICY_BOUNCE);
	assert_int_equal(c.swiotlb_size, 256u << 10);
	assert_true(c.swiotlb_dynamic);
	assert_int_equal(c.cache_model, MINALIGN_CACHE_SIM);
	assert_int_equal(c.sim_victim, MINALIGN_SIM_LOSE_CPU_WRITES);
	assert_int_equal(c.debug, MINALIGN_DEBUG_DMA);
	minalign_config_init(NULL); /* ignored */
}

static void test_bad_cache_line(void **state)
{
	static const unsigned int bad[] = {0, 1, 8, 15, 17, 24, 100, 129, 255, 512, 1024};
	struct minalign_config c;
	unsigned int i;

	(void)state;
	tu_reports_capture();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tu_config_small(&c);
		c.cache_line = bad[i];
		expect_einval(&c, "cache_line");
	}
	tu_reports_release();
}

static void test_bad_ram(void **state)
{
	struct minalign_config c;

	(void)state;
	tu_reports_capture();
	tu_config_small(&c);
	c.ram_size = (64u << 20) + 100;
	expect_einval(&c, "ram_size");
	tu_config_small(&c);
	c.ram_size = 0;
	expect_einval(&c, "ram_size");
	tu_config_small(&c);
	c.ram_size = 1u << 20; /* below the 4 MiB minimum */
	expect_einval(&c, "ram_size");
	tu_config_small(&c);
	c.ram_base = 0x80000800ull;
	expect_einval(&c, "ram_base");
	tu_config_small(&c);
	c.ram_base = 1;
	expect_einval(&c, "ram_base");
	tu_config_small(&c);
	c.ram_base = (1ull << 52) - 4096;
	expect_einval(&c, "ram_base");
	tu_reports_release();
}

static void test_bad_enums(void **state)
{
	struct minalign_config c;

	(void)state;
	tu_reports_capture();
	tu_config_small(&c);
	c.policy = (enum minalign_policy)5;
	expect_einval(&c, "policy");
	tu_config_small(&c);
	c.cache_model = (enum minalign_cache_model)3;
	expect_einval(&c, "cache_model");
	tu_config_small(&c);
	c.sim_victim = (enum minalign_sim_victim)2;
	expect_einval(&c, "sim_victim");
	tu_config_small(&c);
	c.debug = 0x80;
	expect_einval(&c, "debug");
	tu_config_small(&c);
	c.swiotlb_size = c.ram_size;
	expect_einval(&c, "swiotlb_size");
	tu_reports_release();
}

static void test_good_edges(void **state)
{
	static const unsigned int lines[] = {16, 32, 64, 128, 256};
	struct minalign_config c;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		tu_config_small(&c);
		c.cache_line = lines[i];
		assert_int_equal(minalign_init(&c), 0);
		minalign_exit();
	}
	tu_config_small(&c);
	c.ram_size = 4u << 20;
	c.swiotlb_size = 0;
	assert_int_equal(minalign_init(&c), 0);
	minalign_exit();
	tu_config_small(&c);
	c.ram_base = 0x80001000ull; /* page-aligned, not block-aligned */
	assert_int_equal(minalign_init(&c), 0);
	minalign_exit();
}

static void test_init_twice_and_repeat(void **state)
{
	struct minalign_config c, got;
	struct minalign_stats st;
	unsigned int i;

	(void)state;
	tu_config_small(&c);
	assert_int_equal(minalign_get_config(&got), -ENODEV);
	for (i = 0; i < 50; i++) {
		assert_int_equal(minalign_init(&c), 0);
		assert_true(minalign_initialized());
		tu_reports_capture();
		assert_int_equal(minalign_init(&c), -EBUSY);
		tu_expect_report("core", "already initialised");
		tu_reports_release();
		assert_int_equal(minalign_get_config(&got), 0);
		assert_memory_equal(&got, &c, sizeof(c));
		minalign_exit();
		assert_false(minalign_initialized());
	}
	minalign_exit();			  /* exit when not initialised is harmless */
	assert_int_equal(minalign_init(NULL), 0); /* NULL means defaults */
	assert_int_equal(minalign_get_config(&got), 0);
	assert_int_equal(got.ram_size, sizeof(void *) == 4 ? 256u << 20 : 1u << 30);
	minalign_get_stats(&st);
	assert_true(st.meta_live > 0); /* the subsystems' bookkeeping */
	minalign_exit();
	minalign_get_stats(&st); /* exit returned every metadata allocation */
	assert_int_equal(st.meta_live, 0);
}

static void test_report_handler(void **state)
{
	const struct tu_report *r;

	(void)state;
	tu_reports_capture();
	ma_report("mm", "dev0", 0x1234, 56, "hello %d", 42);
	assert_int_equal(tu_reports_count(), 1);
	r = tu_report_get(0);
	assert_string_equal(r->subsystem, "mm");
	assert_string_equal(r->device, "dev0");
	assert_string_equal(r->message, "hello 42");
	assert_int_equal(r->addr, 0x1234);
	assert_int_equal(r->size, 56);
	tu_reports_clear();
	ma_report("dma", NULL, 0, 0, "x");
	assert_string_equal(tu_report_get(0)->device, "-");
	tu_reports_release();
}

static void test_policy_names(void **state)
{
	(void)state;
	assert_string_equal(minalign_policy_name(MINALIGN_POLICY_LEGACY), "legacy");
	assert_string_equal(minalign_policy_name(MINALIGN_POLICY_BOUNCE), "bounce");
	assert_string_equal(minalign_policy_name(MINALIGN_POLICY_PACKED), "packed");
	assert_string_equal(minalign_policy_name(MINALIGN_POLICY_DMA_OPT_IN), "dma_opt_in");
	assert_string_equal(minalign_policy_name(MINALIGN_POLICY_NAIVE), "naive");
	assert_null(minalign_policy_name((enum minalign_policy)7));
}

static void *stat_thread(void *arg)
{
	unsigned int i;

	(void)arg;
	for (i = 0; i < 1000; i++)
		ma_stat_add(MA_STAT_bounce_maps, 1);
	return NULL;
}

static void test_stats_sum_threads(void **state)
{
	struct minalign_stats st;
	pthread_t t[4];
	unsigned int i;

	(void)state;
	tu_init(NULL);
	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, stat_thread, NULL);
	stat_thread(NULL);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL); /* folded into the base at exit */
	minalign_get_stats(&st);
	assert_true(st.bounce_maps >= 3000);
	for (i = 2; i < 4; i++)
		pthread_join(t[i], NULL);
	minalign_get_stats(&st);
	assert_int_equal(st.bounce_maps, 5000);
	ma_stat_max(MA_STAT_swiotlb_slots_hiwater, 7);
	ma_stat_max(MA_STAT_swiotlb_slots_hiwater, 3);
	minalign_get_stats(&st);
	assert_int_equal(st.swiotlb_slots_hiwater, 7);
	minalign_exit();
	tu_init(NULL); /* zeroed by init */
	minalign_get_stats(&st);
	assert_int_equal(st.bounce_maps, 0);
	minalign_exit();
}

static void test_fault_meta(void **state)
{
	void *a, *b, *c;

	(void)state;
	tu_init(NULL);
	minalign_fault_set(2, MINALIGN_FAULT_META);
	a = ma_meta_alloc(16);
	b = ma_meta_alloc(16);
	c = ma_meta_alloc(16);
	assert_non_null(a);
	assert_null(b);
	assert_non_null(c);
	assert_int_equal(minalign_fault_hits(), 1);
	assert_int_equal(minalign_fault_count(), 3);
	minalign_fault_set(1, MINALIGN_FAULT_META | MINALIGN_FAULT_PERSIST);
	assert_null(ma_meta_alloc(8));
	assert_null(ma_meta_alloc(8));
	assert_int_equal(minalign_fault_hits(), 2);
	minalign_fault_set(1, MINALIGN_FAULT_PAGE); /* another kind: meta unaffected */
	b = ma_meta_alloc(8);
	assert_non_null(b);
	minalign_fault_set(0, 0);
	ma_meta_free(a);
	ma_meta_free(b);
	ma_meta_free(c);
	ma_meta_free(NULL);
	minalign_exit();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_bad_cache_line),
		cmocka_unit_test(test_bad_ram),
		cmocka_unit_test(test_bad_enums),
		cmocka_unit_test(test_good_edges),
		cmocka_unit_test(test_init_twice_and_repeat),
		cmocka_unit_test(test_report_handler),
		cmocka_unit_test(test_policy_names),
		cmocka_unit_test(test_stats_sum_threads),
		cmocka_unit_test(test_fault_meta),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
