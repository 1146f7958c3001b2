/* SPDX-License-Identifier: MIT */
/*
 * tools/soc/socwork.c - the threads of the simulated SoC.
 *
 * Every byte the program writes carries a pattern derived from a tag (kind, thread, sequence),
 * so a check can count exactly which bytes are wrong.
 *
 * A churn thread keeps a working set of live kmalloc objects of a realistic size mix, and
 * replaces random ones as fast as it can: each object is stamped when allocated and checked
 * before it is freed.
 *
 * A device thread is a driver with its device.  Each round it allocates a small group of
 * consecutive kmalloc objects of one size (so they sit side by side in one slab and share cache
 * lines when the policy packs them), picks as the DMA buffer one that shares a line with another
 * member, maps it (RX: FROM_DEVICE, TX: TO_DEVICE, or BIDIRECTIONAL), writes every other member
 * from the CPU while the device owns the buffer, lets the device write (RX) or read and check
 * (TX) the buffer, unmaps, and checks the buffer and every neighbour.  Under packed the buffer is
 * an ordinary (cache-line aligned) kmalloc object and the neighbours __GFP_PACKED ones; under
 * dma_opt_in a driver that opted in allocates its buffers with GFP_DMA.  The coherent device
 * does the same rounds, and also exchanges descriptors with the CPU in dma_alloc_coherent()
 * memory.  A mapping that fails (DMA_MAPPING_ERROR) is counted and retried, never taken for
 * corruption.
 */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "socwork.h"

#define GROUP	   6	/* objects allocated together; one of them is the DMA buffer */
#define MAP_TRIES  64	/* attempts before a mapping is abandoned */
#define CHURN_LIVE 4096 /* live objects per churn thread */
#define RING_BYTES 4096 /* the coherent device's descriptor ring */
#define DESC_BYTES 64

enum tag_kind {
	TAG_CHURN = 1,
	TAG_CPU,      /* what the CPU puts in a DMA buffer */
	TAG_DEVICE,   /* what the device writes into one */
	TAG_NB_OLD,   /* a neighbour before the DMA */
	TAG_NB_NEW,   /* a neighbour written by the CPU during the DMA */
	TAG_DESC_DEV, /* a descriptor the device writes in coherent memory */
	TAG_DESC_CPU, /* and one the CPU writes for the device */
};

uint64_t soc_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t rnd(struct soc_worker *w)
{
	w->rng = soc_mix(w->rng);
	return w->rng;
}

static uint64_t tag(enum tag_kind kind, unsigned int thread, uint64_t seq)
{
	return (uint64_t)kind << 58 | (uint64_t)thread << 40 | (seq & ((1ull << 40) - 1));
}

static inline uint8_t pattern_byte(uint64_t v, size_t i)
{
	return (uint8_t)((v >> (8 * (i & 7))) + (i >> 3) * 0x9d);
}

static void stamp(void *p, size_t n, uint64_t t)
{
	uint64_t v = soc_mix(t);
	uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = pattern_byte(v, i);
}

/* The number of bytes of @p that do not hold the pattern of @t. */
static uint64_t check(const void *p, size_t n, uint64_t t)
{
	uint64_t v = soc_mix(t), bad = 0;
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		bad += b[i] != pattern_byte(v, i);
	return bad;
}

static bool stopping(const struct soc_worker *w)
{
	return atomic_load_explicit(&w->sh->stop, memory_order_relaxed);
}

/* ---- churn threads ----------------------------------------------------------------------- */

/* Weighted size mix: about four in five objects are at most 128 bytes. */
static const struct {
	unsigned short lo, hi, weight;
} churn_mix[] = {
	{8, 16, 20}, {17, 32, 22}, {33, 64, 24}, {65, 128, 16}, {129, 256, 11}, {257, 512, 7},
};

static size_t churn_size(struct soc_worker *w)
{
	unsigned int total = 0, r;
	size_t i;

	for (i = 0; i < sizeof(churn_mix) / sizeof(churn_mix[0]); i++)
		total += churn_mix[i].weight;
	r = (unsigned int)(rnd(w) % total);
	for (i = 0; r >= churn_mix[i].weight; i++)
		r -= churn_mix[i].weight;
	return churn_mix[i].lo + rnd(w) % (churn_mix[i].hi - churn_mix[i].lo + 1u);
}

struct live_obj {
	void *p;
	uint32_t size;
	uint64_t tag;
};

static void churn_free(struct soc_worker *w, struct live_obj *o)
{
	w->n.bad.churn += check(o->p, o->size, o->tag);
	kfree(o->p);
	w->n.kfrees++;
	o->p = NULL;
}

void *soc_churn_main(void *arg)
{
	struct soc_worker *w = arg;
	struct live_obj *live = calloc(CHURN_LIVE, sizeof(*live));
	uint64_t seq = 0;

	if (!live) {
		w->n.alloc_failures++;
		return NULL;
	}
	while (!stopping(w)) {
		struct live_obj *o = &live[rnd(w) % CHURN_LIVE];

		if (o->p)
			churn_free(w, o);
		o->size = (uint32_t)churn_size(w);
		o->tag = tag(TAG_CHURN, w->id, seq++);
		o->p = kmalloc(o->size, w->gfp);
		if (!o->p) {
			w->n.alloc_failures++;
			continue;
		}
		w->n.kmallocs++;
		stamp(o->p, o->size, o->tag);
	}
	for (size_t i = 0; i < CHURN_LIVE; i++)
		if (live[i].p)
			churn_free(w, &live[i]);
	free(live);
	return NULL;
}

/* ---- device threads ---------------------------------------------------------------------- */

struct group {
	void *o[GROUP];
	size_t size;
	unsigned int buf; /* index of the DMA buffer */
	bool shared;	  /* the buffer shares a cache line with another member */
	uint64_t seq;
};

static bool share_line(uintptr_t a, uintptr_t b, size_t size, unsigned int line)
{
	uintptr_t a0 = a / line, a1 = (a + size - 1) / line;
	uintptr_t b0 = b / line, b1 = (b + size - 1) / line;

	return a0 <= b1 && b0 <= a1;
}

static bool shares_with_group(const struct group *g, unsigned int k, unsigned int line)
{
	for (unsigned int i = 0; i < GROUP; i++)
		if (i != k && share_line((uintptr_t)g->o[k], (uintptr_t)g->o[i], g->size, line))
			return true;
	return false;
}

/* The buffer: the member nearest the middle that shares a line with another member. */
static void pick_buffer(struct group *g, const struct soc_worker *w)
{
	static const unsigned int order[GROUP] = {GROUP / 2, GROUP / 2 - 1, GROUP / 2 + 1,
						  1,	     GROUP - 1,	    0};
	unsigned int line = w->sh->p->cache_line;

	g->buf = GROUP / 2;
	g->shared = false;
	if (w->buf_gfp != w->gfp) { /* a separately aligned buffer: it shares no line */
		g->shared = shares_with_group(g, g->buf, line);
		return;
	}
	for (unsigned int i = 0; i < GROUP; i++) {
		if (shares_with_group(g, order[i], line)) {
			g->buf = order[i];
			g->shared = true;
			return;
		}
	}
}

static void free_group(struct soc_worker *w, struct group *g)
{
	for (unsigned int i = 0; i < GROUP; i++) {
		if (g->o[i]) {
			kfree(g->o[i]);
			w->n.kfrees++;
		}
	}
}

static bool alloc_group(struct soc_worker *w, struct group *g)
{
	const struct soc_params *p = w->sh->p;

	memset(g, 0, sizeof(*g));
	g->size = p->size_min + rnd(w) % (p->size_max - p->size_min + 1u);
	for (unsigned int i = 0; i < GROUP; i++) {
		g->o[i] = kmalloc(g->size, i == GROUP / 2 ? w->buf_gfp : w->gfp);
		if (!g->o[i]) {
			w->n.alloc_failures++;
			free_group(w, g);
			return false;
		}
		w->n.kmallocs++;
	}
	pick_buffer(g, w);
	return true;
}

static enum dma_data_direction pick_dir(struct soc_worker *w)
{
	unsigned int r = (unsigned int)(rnd(w) % 10);

	if (r < 5)
		return DMA_FROM_DEVICE;
	return r < 7 ? DMA_BIDIRECTIONAL : DMA_TO_DEVICE;
}

dma_addr_t soc_driver_map(struct soc_worker *w, void *buf, size_t size, enum dma_data_direction dir)
{
	for (unsigned int i = 0; i < MAP_TRIES; i++) {
		dma_addr_t a = dma_map_single(w->dev, buf, size, dir);

		if (!dma_mapping_error(w->dev, a))
			return a;
		w->n.map_failures++;
		sched_yield();
	}
	w->n.map_gave_up++;
	return DMA_MAPPING_ERROR;
}

static void count_dir(struct soc_worker *w, enum dma_data_direction dir)
{
	w->n.maps++;
	w->n.coherent_maps += w->coherent;
	if (dir == DMA_FROM_DEVICE)
		w->n.rx++;
	else if (dir == DMA_TO_DEVICE)
		w->n.tx++;
	else
		w->n.bidir++;
}

/* While the device owns the buffer: the CPU writes the neighbours, the device does its part. */
static void during_dma(struct soc_worker *w, struct group *g, dma_addr_t a,
		       enum dma_data_direction dir)
{
	uint8_t io[SOC_MAX_SIZE];

	for (unsigned int i = 0; i < GROUP; i++)
		if (i != g->buf)
			stamp(g->o[i], g->size, tag(TAG_NB_NEW, w->id, g->seq + i));
	if (dir != DMA_FROM_DEVICE) {
		if (minalign_dma_read(w->dev, a, io, g->size))
			w->n.dma_errors++;
		else
			w->n.bad.tx += check(io, g->size, tag(TAG_CPU, w->id, g->seq));
	}
	if (dir != DMA_TO_DEVICE) {
		stamp(io, g->size, tag(TAG_DEVICE, w->id, g->seq));
		if (minalign_dma_write(w->dev, a, io, g->size))
			w->n.dma_errors++;
	}
}

/* After the unmap: the buffer holds what the device wrote (or the CPU, for TX), and every
 * neighbour what the CPU wrote during the DMA. */
static void check_group(struct soc_worker *w, const struct group *g, enum dma_data_direction dir)
{
	enum tag_kind want = dir == DMA_TO_DEVICE ? TAG_CPU : TAG_DEVICE;

	w->n.bad.buffers += check(g->o[g->buf], g->size, tag(want, w->id, g->seq));
	for (unsigned int i = 0; i < GROUP; i++)
		if (i != g->buf)
			w->n.bad.neighbours +=
				check(g->o[i], g->size, tag(TAG_NB_NEW, w->id, g->seq + i));
}

static void dma_round(struct soc_worker *w, uint64_t seq)
{
	enum dma_data_direction dir = pick_dir(w);
	struct group g;
	dma_addr_t a;

	if (!alloc_group(w, &g))
		return;
	g.seq = seq * (GROUP + 1);
	for (unsigned int i = 0; i < GROUP; i++)
		if (i != g.buf)
			stamp(g.o[i], g.size, tag(TAG_NB_OLD, w->id, g.seq + i));
	stamp(g.o[g.buf], g.size, tag(TAG_CPU, w->id, g.seq));
	a = soc_driver_map(w, g.o[g.buf], g.size, dir);
	if (a != DMA_MAPPING_ERROR) {
		count_dir(w, dir);
		w->n.shared_line_maps += g.shared;
		during_dma(w, &g, a, dir);
		dma_unmap_single(w->dev, a, g.size, dir);
		w->n.unmaps++;
		check_group(w, &g, dir);
	}
	free_group(w, &g);
}

/* The coherent device and the CPU exchange one descriptor each way in coherent memory. */
static void ring_round(struct soc_worker *w, uint8_t *ring, dma_addr_t ring_dma, uint64_t seq)
{
	size_t off = (size_t)(seq % (RING_BYTES / DESC_BYTES)) * DESC_BYTES;
	uint8_t desc[DESC_BYTES];

	stamp(desc, DESC_BYTES, tag(TAG_DESC_DEV, w->id, seq));
	if (minalign_dma_write(w->dev, ring_dma + off, desc, DESC_BYTES))
		w->n.dma_errors++;
	else
		w->n.bad.coherent += check(ring + off, DESC_BYTES, tag(TAG_DESC_DEV, w->id, seq));
	stamp(ring + off, DESC_BYTES, tag(TAG_DESC_CPU, w->id, seq));
	if (minalign_dma_read(w->dev, ring_dma + off, desc, DESC_BYTES))
		w->n.dma_errors++;
	else
		w->n.bad.coherent += check(desc, DESC_BYTES, tag(TAG_DESC_CPU, w->id, seq));
}

void *soc_device_main(void *arg)
{
	struct soc_worker *w = arg;
	dma_addr_t ring_dma = 0;
	uint8_t *ring = NULL;
	uint64_t seq = 0;

	if (w->coherent) {
		ring = dma_alloc_coherent(w->dev, RING_BYTES, &ring_dma, GFP_KERNEL);
		if (!ring)
			w->n.alloc_failures++;
	}
	while (!stopping(w)) {
		dma_round(w, seq);
		if (ring)
			ring_round(w, ring, ring_dma, seq);
		seq++;
	}
	if (ring)
		dma_free_coherent(w->dev, RING_BYTES, ring, ring_dma);
	return NULL;
}
