/* SPDX-License-Identifier: MIT */
/*
 * core/config.c - configuration defaults, validation and the lifecycle state.
 *
 * Owns ma_cfg (the active configuration) and ma_up.  ma_cfg is written only by minalign_init()
 * before any subsystem starts and read-only afterwards; ma_up is set (release) after ma_cfg is
 * written and before the subsystems start, and cleared before teardown, so a thread that sees
 * ma_up also sees ma_cfg.
 * Validation names the offending field in exactly one report and returns -EINVAL.
 */
#include "core/core.h"

#include <minalign/mm.h> /* PAGE_SIZE: RAM is configured in whole pages */

struct minalign_config ma_cfg;
atomic_bool ma_up;

void minalign_config_init(struct minalign_config *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->ram_base = 0x80000000ull;
	cfg->ram_size = sizeof(void *) == 4 ? (size_t)256 << 20 : (size_t)1 << 30;
	cfg->cache_line = 128;
	cfg->policy = MINALIGN_POLICY_BOUNCE;
	cfg->swiotlb_size = (size_t)256 << 10; /* docs/swiotlb.md "Default size" */
	cfg->swiotlb_dynamic = true;
	cfg->cache_model = MINALIGN_CACHE_SIM;
	cfg->sim_victim = MINALIGN_SIM_LOSE_CPU_WRITES;
	cfg->debug = MINALIGN_DEBUG_DMA;
	cfg->bounce_linux_rule = false;
	cfg->abort_on_report = false;
}

static const char *const ma_policy_names[MINALIGN_NR_POLICIES] = {
	[MINALIGN_POLICY_LEGACY] = "legacy", [MINALIGN_POLICY_BOUNCE] = "bounce",
	[MINALIGN_POLICY_PACKED] = "packed", [MINALIGN_POLICY_DMA_OPT_IN] = "dma_opt_in",
	[MINALIGN_POLICY_NAIVE] = "naive",
};

const char *minalign_policy_name(enum minalign_policy policy)
{
	if ((unsigned int)policy >= MINALIGN_NR_POLICIES)
		return NULL;
	return ma_policy_names[policy];
}

#define MA_RAM_MIN     ((size_t)4 << 20)   /* one largest buddy block */
#define MA_RAM_MAX     ((uint64_t)1 << 40) /* page indexes stay 32-bit */
/* arm64/riscv physical address space; 2^44 where a pfn (unsigned long) is 32-bit */
#define MA_PHYS_LIMIT  ((uint64_t)1 << (sizeof(unsigned long) == 4 ? 44 : 52))
#define MA_DEBUG_KNOWN (MINALIGN_DEBUG_DMA | MINALIGN_DEBUG_SLAB)

static int ma_bad(const char *field, uint64_t val, const char *why)
{
	ma_report("core", NULL, 0, 0, "config: %s %s (got %llu)", field, why,
		  (unsigned long long)val);
	return -EINVAL;
}

/*
 * ma_config_validate() - check every field of @cfg.
 *
 * Return: 0, or -EINVAL after one report naming the first bad field.
 */
int ma_config_validate(const struct minalign_config *cfg)
{
	uint64_t max_ram = sizeof(void *) == 4 ? ((uint64_t)1 << 30) : MA_RAM_MAX;

	if (cfg->cache_line < 16 || cfg->cache_line > 256 || !MA_IS_POW2(cfg->cache_line))
		return ma_bad("cache_line", cfg->cache_line, "must be a power of two in 16..256");
	if (cfg->ram_base & (PAGE_SIZE - 1))
		return ma_bad("ram_base", cfg->ram_base, "must be page-aligned (4096)");
	if (cfg->ram_size & (PAGE_SIZE - 1))
		return ma_bad("ram_size", cfg->ram_size,
			      "must be a multiple of the page size (4096)");
	if (cfg->ram_size < MA_RAM_MIN)
		return ma_bad("ram_size", cfg->ram_size, "must be at least 4 MiB");
	if ((uint64_t)cfg->ram_size > max_ram)
		return ma_bad("ram_size", cfg->ram_size, "is larger than this host supports");
	if (cfg->ram_base >= MA_PHYS_LIMIT || MA_PHYS_LIMIT - cfg->ram_base < cfg->ram_size)
		return ma_bad("ram_base", cfg->ram_base,
			      "puts RAM beyond the physical address space");
	if ((unsigned int)cfg->policy >= MINALIGN_NR_POLICIES)
		return ma_bad("policy", (uint64_t)cfg->policy, "is not a minalign_policy");
	if ((unsigned int)cfg->cache_model > MINALIGN_CACHE_COHERENT)
		return ma_bad("cache_model", (uint64_t)cfg->cache_model,
			      "is not a minalign_cache_model");
	if ((unsigned int)cfg->sim_victim > MINALIGN_SIM_LOSE_DEVICE_WRITES)
		return ma_bad("sim_victim", (uint64_t)cfg->sim_victim,
			      "is not a minalign_sim_victim");
	if (cfg->debug & ~MA_DEBUG_KNOWN)
		return ma_bad("debug", cfg->debug, "has unknown MINALIGN_DEBUG_* bits");
	if (cfg->swiotlb_size > cfg->ram_size / 2)
		return ma_bad("swiotlb_size", cfg->swiotlb_size,
			      "must be at most half of ram_size");
	return 0;
}

bool minalign_initialized(void)
{
	return ma_is_up();
}

int minalign_get_config(struct minalign_config *cfg)
{
	if (!cfg)
		return -EINVAL;
	if (!ma_is_up())
		return -ENODEV;
	*cfg = ma_cfg;
	return 0;
}

_Noreturn void ma_bug(const char *file, int line, const char *what)
{
	fprintf(stderr, "minalign: BUG at %s:%d: %s\n", file, line, what);
	abort();
}
