/* SPDX-License-Identifier: MIT */
/*
 * tests/fault/walk.h - the SQLite-style fault walk shared by the tests of tests/fault/.
 *
 * fw_walk() runs one operation again and again, making its 1st, 2nd, ... Nth allocation fail
 * (minalign_fault_set(n, kinds)), until a run hits no injected fault.  Every run:
 *  - starts from a settled allocator (thread caches shrunk, the bounce-pool worker idle);
 *  - a run that fails must have been failed by the injection, must return the documented error
 *    (the operation's run() asserts which), must not report, and must leave the pages, the
 *    library's metadata and the DMA statistics exactly as they were;
 *  - a run that succeeds is undone by undo(); then the same must hold (unless the operation
 *    keeps a cache until its teardown(), or changes what setup() made: then it must hold
 *    after the teardown);
 *  - after each run a small kmalloc/kfree still works.
 * Return: the number of failing runs (the allocation points the walk found).
 */
#ifndef MINALIGN_TESTS_FAULT_WALK_H
#define MINALIGN_TESTS_FAULT_WALK_H

#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FW_FAULTS (MINALIGN_FAULT_PAGE | MINALIGN_FAULT_META)
#define FW_MAX	  2000

struct fw_ctx;

struct fw_op {
	const char *name;
	void (*setup)(struct fw_ctx *c);    /* per run, before the snapshot it is checked against */
	bool (*run)(struct fw_ctx *c);	    /* the call under test: true when it succeeded */
	void (*undo)(struct fw_ctx *c);	    /* release what a successful run made */
	void (*teardown)(struct fw_ctx *c); /* per run, after the checks */
	bool keeps; /* success keeps a cache until teardown() or changes setup()'s state */
};

/* Bring the library up on @cfg with reports captured (a walk asserts there are none). */
static inline void fw_start_with(const struct minalign_config *cfg)
{
	tu_init(cfg);
	tu_reports_capture();
}

/* The small machine, with slab debugging when @slab_debug. */
static inline void fw_start(bool slab_debug)
{
	struct minalign_config cfg;

	tu_config_small(&cfg);
	if (slab_debug)
		cfg.debug |= MINALIGN_DEBUG_SLAB;
	fw_start_with(&cfg);
}

/* cmocka teardown of a walk test: injection off, reports released, the library down. */
static inline int fw_teardown(void **state)
{
	(void)state;
	minalign_fault_set(0, 0);
	tu_reports_release();
	minalign_exit();
	return 0;
}

/* The library's "wait for the bounce-pool worker" test hook (weak: optional). */
void ma_swiotlb_quiesce(bool frees) __attribute__((weak));

static inline void fw_settle(void)
{
	minalign_slab_shrink();
	if (ma_swiotlb_quiesce)
		ma_swiotlb_quiesce(true);
}

struct fw_state {
	struct tu_snapshot snap;
	struct minalign_stats st;
};

static inline void fw_take(struct fw_state *s)
{
	fw_settle();
	tu_snapshot(&s->snap);
	minalign_get_stats(&s->st);
}

static inline void fw_same(const struct fw_op *op, unsigned long n, const struct fw_state *s,
			   const char *when)
{
	struct minalign_stats now;

	fw_settle();
	minalign_get_stats(&now);
	if (now.pages_free != s->snap.pages_free || now.meta_live != s->snap.meta_live)
		fprintf(stderr, "%s, fault %lu: state differs %s\n", op->name, n, when);
	if (now.dma_live_mappings != s->st.dma_live_mappings ||
	    now.coherent_bytes != s->st.coherent_bytes ||
	    now.swiotlb_slots_used != s->st.swiotlb_slots_used ||
	    now.devres_live != s->st.devres_live) {
		fprintf(stderr, "%s, fault %lu: DMA statistics changed\n", op->name, n);
		fail();
	}
	tu_assert_no_leak(&s->snap);
}

static inline unsigned long fw_walk(const struct fw_op *op, struct fw_ctx *c, unsigned int kinds)
{
	unsigned long n, failures = 0;

	for (n = 1; n < FW_MAX; n++) {
		struct fw_state before, ready;
		unsigned long hits;
		bool ok;

		fw_take(&before);
		if (op->setup)
			op->setup(c);
		fw_take(&ready);
		tu_reports_clear();
		minalign_fault_set(n, kinds);
		ok = op->run(c);
		hits = minalign_fault_hits();
		minalign_fault_set(0, 0);
		if (tu_reports_count()) {
			fprintf(stderr, "%s, fault %lu (%s): unexpected report\n", op->name, n,
				ok ? "succeeded" : "failed");
			tu_reports_dump();
			fail();
		}
		if (!ok && !hits) {
			fprintf(stderr, "%s failed with no fault injected\n", op->name);
			fail();
		}
		failures += !ok;
		if (ok)
			op->undo(c);
		if (!ok || !op->keeps)
			fw_same(op, n, &ready, ok ? "after undo" : "after the failure");
		if (op->teardown)
			op->teardown(c);
		fw_same(op, n, &before, "after teardown");
		kfree(kmalloc(8, GFP_KERNEL));
		if (!hits) {
			if (getenv("FW_VERBOSE"))
				fprintf(stderr, "%s: %lu failure points (kinds %#x)\n", op->name,
					failures, kinds);
			return failures;
		}
	}
	fprintf(stderr, "%s: still hitting faults after %d runs\n", op->name, FW_MAX);
	fail();
	return failures;
}

#endif /* MINALIGN_TESTS_FAULT_WALK_H */
