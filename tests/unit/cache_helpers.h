/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/cache_helpers.h - the machine the cache tests (tests/unit/cache_*.c) run on: the
 * small configuration with the cache settings under test, and an AREA of pages whose CPU view
 * and (simulator) DRAM view start filled with known bytes.  Include after test_util.h.
 *
 * Each test program is one translation unit, so the area lives here as file-scope state:
 * cache_machine_up() sets area_pg and area, cache_machine_down() frees them.
 */
#ifndef MINALIGN_TESTS_CACHE_HELPERS_H
#define MINALIGN_TESTS_CACHE_HELPERS_H

#include "test_util.h"

#include <string.h>

#include "cache/cache.h"

#define AREA_ORDER 2
#define AREA	   ((size_t)PAGE_SIZE << AREA_ORDER)
#define CPU_FILL   0xC5 /* the CPU view of the area after cache_machine_up() */
#define DRAM_FILL  0xD7 /* the simulator's DRAM view of it */

/* The cache settings of a test machine; zero fields keep the small configuration's value. */
struct cache_machine {
	unsigned int line;		 /* cache_line */
	enum minalign_cache_model model; /* default: MINALIGN_CACHE_SIM */
	enum minalign_sim_victim victim; /* default: MINALIGN_SIM_LOSE_CPU_WRITES */
	uint64_t ram_base;		 /* 0: the default base */
	bool no_fill;			 /* leave the area as alloc_pages() gave it */
};

static struct page *area_pg; /* the AREA_ORDER block under test */
static phys_addr_t area;     /* its physical address */

/* Bring the library up on @m and take the area: CPU view CPU_FILL, DRAM view DRAM_FILL (SIM),
 * unless @m->no_fill. */
static inline void cache_machine_up(const struct cache_machine *m)
{
	struct minalign_config cfg;

	tu_config_small(&cfg);
	cfg.cache_line = m->line;
	cfg.cache_model = m->model;
	cfg.sim_victim = m->victim;
	if (m->ram_base)
		cfg.ram_base = m->ram_base;
	tu_init(&cfg);
	area_pg = alloc_pages(GFP_KERNEL, AREA_ORDER);
	assert_non_null(area_pg);
	area = page_to_phys(area_pg);
	assert_true(area >= cfg.ram_base);
	if (m->no_fill)
		return;
	memset(ma_phys_to_virt(area), CPU_FILL, AREA);
	if (m->model == MINALIGN_CACHE_SIM)
		memset(ma_phys_to_dram(area), DRAM_FILL, AREA);
}

/* No line may stay tracked once a test is done with the area; then free it and exit. */
static inline void cache_machine_down(void)
{
	assert_int_equal(ma_cache_tracked(), 0);
	__free_pages(area_pg, AREA_ORDER);
	minalign_exit();
}

/* The CPU's view of the area at @off. */
static inline unsigned char *cpu(size_t off)
{
	return (unsigned char *)ma_phys_to_virt(area + off);
}

/* The simulated DRAM's view of the area at @off (MINALIGN_CACHE_SIM only). */
static inline unsigned char *dram(size_t off)
{
	return (unsigned char *)ma_phys_to_dram(area + off);
}

/* cmocka teardown: after a failed assertion the machine is still up; take it down. */
static inline int cache_cleanup(void **state)
{
	(void)state;
	if (minalign_initialized())
		minalign_exit();
	return 0;
}

#endif /* MINALIGN_TESTS_CACHE_HELPERS_H */
