/* SPDX-License-Identifier: MIT */
/*
 * lib/init.c - minalign_init() and minalign_exit(): the one place that knows every module.
 *
 * It sits above all modules (like tools/ it may call any of them) so that no module calls up:
 * core validates the configuration, then the subsystems start bottom-up (mm, cache, slab,
 * swiotlb, dma) and stop top-down.  A failure part-way unwinds what started.  ma_up is set
 * before the first subsystem starts, so a subsystem may use a lower one's public API while it
 * starts, and cleared before the first one stops.
 *
 * Locking: init/exit are not thread-safe against each other (documented in the API); ma_init_lock
 * only makes a racing second init fail with -EBUSY instead of corrupting state.
 */
#include "core/core.h"

/* Each module's own header declares its entry points, so the compiler checks them here. */
#include "cache/cache.h"     /* ma_cache_init, ma_cache_exit */
#include "dma/internal.h"    /* ma_dma_init, ma_dma_exit */
#include "mm/mm.h"	     /* ma_mm_init, ma_mm_exit */
#include "slab/slab.h"	     /* ma_slab_init, ma_slab_exit */
#include "swiotlb/swiotlb.h" /* ma_swiotlb_init, ma_swiotlb_exit */

struct ma_subsys {
	const char *name;
	int (*init)(void);
	void (*exit)(void);
};

static ma_mutex_t ma_init_lock = MA_MUTEX_INIT;
static bool ma_started;

/* fork (lib/fork.c): init/exit's lock is the outermost. */
void ma_init_atfork(enum ma_fork_phase phase)
{
	if (phase == MA_FORK_PREPARE)
		ma_mutex_lock(&ma_init_lock);
	else
		ma_mutex_unlock(&ma_init_lock);
}

/* Whether the library is up (ma_init_lock held). */
bool ma_init_started(void)
{
	return ma_started;
}

static void ma_subsys_table(struct ma_subsys *t)
{
	t[0] = (struct ma_subsys){"mm", ma_mm_init, ma_mm_exit};
	t[1] = (struct ma_subsys){"cache", ma_cache_init, ma_cache_exit};
	t[2] = (struct ma_subsys){"slab", ma_slab_init, ma_slab_exit};
	t[3] = (struct ma_subsys){"swiotlb", ma_swiotlb_init, ma_swiotlb_exit};
	t[4] = (struct ma_subsys){"dma", ma_dma_init, ma_dma_exit};
}
#define MA_NR_SUBSYS 5

static void ma_stop(const struct ma_subsys *t, int n)
{
	while (n-- > 0)
		t[n].exit();
}

int minalign_init(const struct minalign_config *cfg)
{
	struct ma_subsys t[MA_NR_SUBSYS];
	struct minalign_config def;
	int i, err;

	if (!cfg) {
		minalign_config_init(&def);
		cfg = &def;
	}
	ma_fork_register();
	ma_mutex_lock(&ma_init_lock);
	if (ma_started) {
		ma_mutex_unlock(&ma_init_lock);
		ma_report("core", NULL, 0, 0, "minalign_init: already initialised");
		return -EBUSY;
	}
	err = ma_config_validate(cfg);
	if (err)
		goto out_unlock;
	ma_stats_reset();
	ma_cfg = *cfg;
	ma_subsys_table(t);
	/* Up before the subsystems start: a higher one may use a lower one's public API. */
	atomic_store_explicit(&ma_up, true, memory_order_release);
	for (i = 0; i < MA_NR_SUBSYS; i++) {
		err = t[i].init();
		if (err) {
			ma_stop(t, i);
			atomic_store_explicit(&ma_up, false, memory_order_release);
			goto out_unlock;
		}
	}
	ma_started = true;
out_unlock:
	ma_mutex_unlock(&ma_init_lock);
	return err;
}

void minalign_exit(void)
{
	struct ma_subsys t[MA_NR_SUBSYS];

	ma_mutex_lock(&ma_init_lock);
	if (!ma_started) {
		ma_mutex_unlock(&ma_init_lock);
		return;
	}
	ma_dma_pool_destroy_all(); /* pools still alive, then devices: their release actions */
	ma_device_destroy_all();   /* run while the library is up */
	atomic_store_explicit(&ma_up, false, memory_order_release);
	ma_subsys_table(t);
	ma_stop(t, MA_NR_SUBSYS);
	ma_started = false;
	ma_mutex_unlock(&ma_init_lock);
}
