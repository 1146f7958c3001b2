/* SPDX-License-Identifier: MIT */
/*
 * cache/cache.c - the cache module's entry points: model dispatch, line size, device accessors.
 *
 * Owns: the choice of model (read from ma_cfg.cache_model, fixed between ma_cache_init and
 * ma_cache_exit), the line size maintenance uses, and the device's view of memory.  The sim's
 * state lives in sim.c, the instructions in native.c.
 *
 * Invariants: cache_line_bytes is a power of two no larger than ma_cfg.cache_line and is set
 * before any other call; a zero-sized range is never maintained.
 *
 * Locking: none here; sim.c locks its tracking table, native.c needs none.
 *
 * Fast paths: COHERENT returns at once; the device accessors copy straight to the CPU view
 * when the device is coherent or the model is not SIM, and page by page otherwise.
 */
#include "cache/internal.h"

static unsigned int cache_line_bytes;

static inline enum minalign_cache_model cache_model(void)
{
	return ma_cfg.cache_model;
}

unsigned int ma_cache_line(void)
{
	return cache_line_bytes ? cache_line_bytes : ma_cfg.cache_line;
}

int ma_cache_init(void)
{
	unsigned int hw;

	cache_line_bytes = ma_cfg.cache_line;
	switch (cache_model()) {
	case MINALIGN_CACHE_SIM:
		return ma_sim_init();
	case MINALIGN_CACHE_NATIVE:
		hw = ma_native_probe();
		if (hw && MA_IS_POW2(hw) && hw < cache_line_bytes)
			cache_line_bytes = hw;
		return 0;
	case MINALIGN_CACHE_COHERENT:
		return 0;
	}
	ma_report("cache", NULL, 0, 0, "unknown cache_model %d", (int)cache_model());
	return -EINVAL;
}

void ma_cache_exit(void)
{
	ma_sim_exit();
	cache_line_bytes = 0;
}

/* ---- native: the same ownership rules, on real lines ------------------------------------ */

static void native_for_device(phys_addr_t phys, size_t size, enum dma_data_direction dir)
{
	unsigned int line = cache_line_bytes;
	struct ma_line_span s;

	if (dir == DMA_TO_DEVICE || dir == DMA_BIDIRECTIONAL) {
		ma_native_op(phys, size, MA_CACHE_CLEAN, line);
		return;
	}
	if (dir != DMA_FROM_DEVICE)
		return;
	ma_line_span(&s, phys, size, line);
	if (s.head)
		ma_native_op(s.first, line, MA_CACHE_FLUSH, line);
	if (s.full_hi > s.full_lo)
		ma_native_op(s.full_lo, (size_t)(s.full_hi - s.full_lo), MA_CACHE_INVAL, line);
	if (s.tail)
		ma_native_op(s.end - line, line, MA_CACHE_FLUSH, line);
}

/* ---- maintenance entry points ----------------------------------------------------------- */

static void cache_op(phys_addr_t phys, size_t size, enum ma_cache_op op)
{
	if (!size)
		return;
	if (cache_model() == MINALIGN_CACHE_SIM)
		ma_sim_op(phys, size, op);
	else if (cache_model() == MINALIGN_CACHE_NATIVE)
		ma_native_op(phys, size, op, cache_line_bytes);
}

void ma_cache_clean(phys_addr_t phys, size_t size)
{
	cache_op(phys, size, MA_CACHE_CLEAN);
}

void ma_cache_inval(phys_addr_t phys, size_t size)
{
	cache_op(phys, size, MA_CACHE_INVAL);
}

void ma_cache_flush(phys_addr_t phys, size_t size)
{
	cache_op(phys, size, MA_CACHE_FLUSH);
}

void ma_cache_sync_for_device(phys_addr_t phys, size_t size, enum dma_data_direction dir)
{
	if (!size)
		return;
	if (cache_model() == MINALIGN_CACHE_SIM)
		ma_sim_for_device(phys, size, dir);
	else if (cache_model() == MINALIGN_CACHE_NATIVE)
		native_for_device(phys, size, dir);
}

unsigned int ma_cache_sync_for_cpu(phys_addr_t phys, size_t size, enum dma_data_direction dir)
{
	if (!size)
		return 0;
	if (cache_model() == MINALIGN_CACHE_SIM)
		return ma_sim_for_cpu(phys, size, dir);
	if (cache_model() == MINALIGN_CACHE_NATIVE &&
	    (dir == DMA_FROM_DEVICE || dir == DMA_BIDIRECTIONAL))
		ma_native_op(phys, size, MA_CACHE_INVAL, cache_line_bytes);
	return 0;
}

void ma_cache_forget(phys_addr_t phys, size_t size)
{
	if (cache_model() == MINALIGN_CACHE_SIM)
		ma_sim_forget(phys, size);
}

size_t ma_cache_tracked(void)
{
	return cache_model() == MINALIGN_CACHE_SIM ? ma_sim_tracked() : 0;
}

/* ---- the device side -------------------------------------------------------------------- */

/* The view a non-coherent device uses for the page holding @phys. */
static unsigned char *dev_view(phys_addr_t phys)
{
	if (ma_cache_page_uncached(phys))
		return ma_phys_to_virt(phys);
	return ma_phys_to_dram(phys);
}

static bool dev_uses_cpu_view(bool coherent)
{
	return coherent || cache_model() != MINALIGN_CACHE_SIM;
}

void ma_dev_write(phys_addr_t phys, const void *src, size_t len, bool coherent)
{
	const unsigned char *s = src;

	if (dev_uses_cpu_view(coherent)) {
		if (len)
			memcpy(ma_phys_to_virt(phys), src, len);
		return;
	}
	while (len) {
		size_t n = MA_MIN(len, (size_t)(PAGE_SIZE - (phys & (PAGE_SIZE - 1))));

		memcpy(dev_view(phys), s, n);
		phys += n;
		s += n;
		len -= n;
	}
}

void ma_dev_read(phys_addr_t phys, void *dst, size_t len, bool coherent)
{
	unsigned char *d = dst;

	if (dev_uses_cpu_view(coherent)) {
		if (len)
			memcpy(dst, ma_phys_to_virt(phys), len);
		return;
	}
	while (len) {
		size_t n = MA_MIN(len, (size_t)(PAGE_SIZE - (phys & (PAGE_SIZE - 1))));

		memcpy(d, dev_view(phys), n);
		phys += n;
		d += n;
		len -= n;
	}
}

void ma_cache_atfork(enum ma_fork_phase phase)
{
	if (cache_model() == MINALIGN_CACHE_SIM)
		ma_sim_atfork(phase);
}
