/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/devres_threads.c - one device, two threads acquiring and releasing device-managed
 * resources at the same time (devm_kmalloc / devm_kzalloc / devm_kfree, actions added and
 * removed, the padding queries).  Each thread owns its objects and checks their contents; at
 * the end the list is consistent, the counts add up, and destroy frees the rest.  Built for
 * TSan too: the per-device lock must be the only synchronisation needed.
 */
#include "dma_helpers.h"

#include <pthread.h>

#include "device/device.h"

#define ROUNDS 4000
#define LIVE   48

static struct device *shared_dev;
static atomic_int actions_run;

struct worker {
	unsigned int id;
	uint64_t seed;
	unsigned char *obj[LIVE];
	size_t len[LIVE];
	bool action[LIVE];
	size_t live; /* resources this thread holds on the device at the end */
};

static void act(void *data)
{
	(void)data;
	atomic_fetch_add(&actions_run, 1);
}

static void check(const struct worker *w, int i)
{
	for (size_t j = 0; j < w->len[i]; j++)
		assert_int_equal(w->obj[i][j], (unsigned char)(w->id * 16 + i));
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	for (int r = 0; r < ROUNDS; r++) {
		int i = (int)(tu_rand(&w->seed) % LIVE);

		if (w->obj[i]) {
			check(w, i);
			devm_kfree(shared_dev, w->obj[i]);
			w->obj[i] = NULL;
		} else {
			size_t n = 1 + tu_rand(&w->seed) % 300;

			w->obj[i] = tu_rand(&w->seed) & 1 ? devm_kmalloc(shared_dev, n, GFP_KERNEL)
							  : devm_kzalloc(shared_dev, n, GFP_KERNEL);
			assert_non_null(w->obj[i]);
			w->len[i] = n;
			memset(w->obj[i], w->id * 16 + i, n);
		}
		if (r % 16 == 0) {
			void *key = &w->action[i];

			if (w->action[i])
				devm_remove_action(shared_dev, act, key);
			else
				assert_int_equal(devm_add_action(shared_dev, act, key), 0);
			w->action[i] = !w->action[i];
		}
		/* The other thread changes the list between two queries, so only each answer's
		 * own consistency can be checked here (the formula is checked in devres_api). */
		if (r % 64 == 0)
			assert_true(minalign_device_devres_pad_bytes(shared_dev) %
					    MA_ALIGN_UP(40u, dma_get_cache_alignment()) ==
				    0);
	}
	for (int i = 0; i < LIVE; i++) {
		if (w->obj[i]) {
			check(w, i);
			w->live++;
		}
		w->live += w->action[i];
	}
	return NULL;
}

static void test_two_threads(void **state)
{
	struct worker w[2] = {{.id = 1, .seed = 0x1234567}, {.id = 2, .seed = 0x89abcdef}};
	pthread_t t[2];
	struct tu_snapshot snap;
	int expected_actions;

	(void)state;
	th_init(MINALIGN_POLICY_BOUNCE, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)1 << 20);
	tu_reports_capture();
	minalign_slab_shrink();
	tu_snapshot(&snap);
	shared_dev = th_dev("shared", false, 0, false);
	atomic_store(&actions_run, 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(ma_devres_validate(shared_dev), 0);
	assert_int_equal(minalign_device_devres_count(shared_dev), w[0].live + w[1].live);
	assert_int_equal(th_stats().devres_live, w[0].live + w[1].live);
	expected_actions = 0;
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < LIVE; i++)
			expected_actions += w[k].action[i];
	assert_int_equal(atomic_load(&actions_run), 0);
	minalign_device_destroy(shared_dev);
	assert_int_equal(atomic_load(&actions_run), expected_actions);
	assert_int_equal(th_stats().devres_live, 0);
	minalign_slab_shrink();
	tu_assert_no_leak(&snap);
	tu_expect_no_report();
	tu_reports_release();
	minalign_exit();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
