/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fz_main.c - the API-sequence fuzzer's entry point (LLVMFuzzerTestOneInput).
 *
 * Input layout: 4 configuration bytes, then operations until the input (or FZ_MAX_OPS) ends.
 *   byte 0: policy = b % 5; victim = (b / 5) & 1; cache model = SIM unless (b / 10) % 8 is 6
 *           (COHERENT) or 7 (NATIVE)
 *   byte 1: cache line = {32, 64, 128}[b % 3]; debug = (b / 3) & 3 (DMA 1, SLAB 2);
 *           Linux's bounce rule = (b / 12) & 1; RAM above 4 GiB = (b / 24) & 1
 *   byte 2: bounce pool = {0, 4 KiB, 8 KiB, 64 KiB, 1 MiB, 4 MiB}[b % 6]; dynamic = (b / 6) & 1
 *   byte 3: bit 7: fail allocation 1 + (b & 63) during a first minalign_init (bit 6: metadata
 *           only), which must fail cleanly or succeed; then init for real
 *   then:   opcode byte (index into fz_ops[] modulo its size) and the operation's arguments.
 * After every operation: report count, statistics, and contents of a rotating object (of all
 * objects every 16 steps).  At the end everything is undone in a valid order and checked, then
 * minalign_exit() must leave no metadata behind.  Set FZ_TRACE=1 to print the operations.
 */
#include "fz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noreturn)) void fz_fail(const char *file, int line, const char *cond,
				       const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "\nFUZZ ORACLE FAILURE at %s:%d (%s) step %u\n  ", file, line, cond,
		fz.step);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr,
		"\n  config: policy %d line %zu victim %d model %d debug %#x pool %zu dyn "
		"%d linux %d ram %#llx; relaxed %d faults %d; last report: %s\n",
		fz.cfg.policy, fz.line, fz.cfg.sim_victim, fz.cfg.cache_model, fz.cfg.debug,
		fz.cfg.swiotlb_size, fz.cfg.swiotlb_dynamic, fz.cfg.bounce_linux_rule,
		(unsigned long long)fz.cfg.ram_base, fz.relaxed, fz.faults, fz.last_report);
	abort();
}

void fz_trace(const char *fmt, ...)
{
	va_list ap;

	if (!fz.trace)
		return;
	fprintf(stderr, "[%u] ", fz.step);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void fz_report(const struct minalign_report *r, void *arg)
{
	(void)arg;
	fz.reports++;
	snprintf(fz.last_report, sizeof(fz.last_report), "%s: %s: %s", r->subsystem, r->device,
		 r->message);
	fz_trace("  report: %s", fz.last_report);
}

/* ---- fault injection toggles ------------------------------------------------------------ */

static void fz_op_fault(struct fz_in *in)
{
	static const unsigned int kinds[4] = {
		MINALIGN_FAULT_PAGE | MINALIGN_FAULT_META, MINALIGN_FAULT_PAGE, MINALIGN_FAULT_META,
		MINALIGN_FAULT_PAGE | MINALIGN_FAULT_META | MINALIGN_FAULT_PERSIST};
	unsigned int b = fz_u8(in);

	fz.faults = true;
	fz.fault_ops = 1 + ((b >> 5) & 3);
	minalign_fault_set(1 + (b & 7), kinds[(b >> 3) & 3]);
	fz_trace("fault nth %u kinds %#x for %u ops", 1 + (b & 7), kinds[(b >> 3) & 3],
		 fz.fault_ops);
}

static void fz_fault_tick(void)
{
	if (!fz.faults || --fz.fault_ops)
		return;
	minalign_fault_set(0, 0);
	fz.faults = false;
}

/*
 * The operations; `slab` marks those that may make the slab allocator write slab memory
 * (allocation, free, shrink, device teardown).  They are skipped while a tainted mapping lives
 * under LOSE_CPU_WRITES: its unmap would throw those writes away, free-list links included,
 * and the allocator would then hand out wild pointers (what NAIVE does to a real kernel).
 */
static const struct {
	const char *name;
	void (*fn)(struct fz_in *in);
	bool slab;
} fz_ops[] = {
	{"kmalloc", fz_op_kmalloc, true},
	{"free", fz_op_kfree, true},
	{"krealloc", fz_op_krealloc, true},
	{"ksize", fz_op_ksize, false},
	{"cache_create", fz_op_cache_create, false},
	{"cache_alloc", fz_op_cache_alloc, true},
	{"cache_destroy", fz_op_cache_destroy, true},
	{"pages", fz_op_pages, false},
	{"cpu_write", fz_op_cpu_write, false},
	{"cpu_check", fz_op_cpu_check, false},
	{"shrink", fz_op_shrink, true},
	{"dev_create", fz_op_dev_create, false},
	{"dev_destroy", fz_op_dev_destroy, true},
	{"dev_mask", fz_op_dev_mask, false},
	{"map", fz_op_map, false},
	{"unmap", fz_op_unmap, false},
	{"sync", fz_op_sync, false},
	{"dev_write", fz_op_dev_write, false},
	{"dev_read", fz_op_dev_read, false},
	{"sg_map", fz_op_sg_map, false},
	{"sg_unmap", fz_op_sg_unmap, false},
	{"sg_sync", fz_op_sg_sync, false},
	{"query", fz_op_query, false},
	{"coherent", fz_op_coherent, false},
	{"coh_dev_io", fz_op_coh_dev_io, false},
	{"pool_create", fz_op_pool_create, false},
	{"pool_alloc", fz_op_pool_alloc, false},
	{"pool_destroy", fz_op_pool_destroy, false},
	{"devm", fz_op_devm, true},
	{"devm_action", fz_op_devm_action, false},
	{"fault", fz_op_fault, false},
	{"misuse", fz_op_misuse, true},
	{"noop", fz_op_noop, false},
	{"debug_misuse", fz_op_debug_misuse, true},
};
#define FZ_NOPS (sizeof(fz_ops) / sizeof(fz_ops[0]))

/* ---- configuration and lifecycle --------------------------------------------------------- */

static void fz_config(struct fz_in *in, struct minalign_config *c)
{
	static const size_t pools[6] = {0, 4096, 8192, 65536, 1 << 20, 4 << 20};
	static const unsigned int lines[3] = {32, 64, 128};
	unsigned int b0 = fz_u8(in), b1 = fz_u8(in), b2 = fz_u8(in);
	unsigned int model = (b0 / 10) % 8;

	minalign_config_init(c);
	c->ram_size = (size_t)32 << 20;
	c->policy = (enum minalign_policy)(b0 % 5);
	c->sim_victim = (enum minalign_sim_victim)((b0 / 5) & 1);
	c->cache_model = model == 6   ? MINALIGN_CACHE_COHERENT
			 : model == 7 ? MINALIGN_CACHE_NATIVE
				      : MINALIGN_CACHE_SIM;
	c->cache_line = lines[b1 % 3];
	c->debug = (b1 / 3) & 3;
	c->bounce_linux_rule = (b1 / 12) & 1;
	if ((b1 / 24) & 1)
		c->ram_base = (uint64_t)1 << 32;
	c->swiotlb_size = pools[b2 % 6];
	c->swiotlb_dynamic = (b2 / 6) & 1;
}

/* A first minalign_init() with an injected failure must fail cleanly or succeed. */
static void fz_init_faulty(unsigned int b)
{
	struct minalign_stats st;
	int err;

	minalign_fault_set(1 + (b & 63), (b & 0x40) ? MINALIGN_FAULT_META
						    : MINALIGN_FAULT_PAGE | MINALIGN_FAULT_META);
	err = minalign_init(&fz.cfg);
	minalign_fault_set(0, 0);
	fz_trace("faulty init (nth %u) = %d", 1 + (b & 63), err);
	if (!err) {
		minalign_exit();
		return;
	}
	FZ_CHECK(err == -ENOMEM && !minalign_initialized(), "failed init = %d", err);
	minalign_get_stats(&st);
	FZ_CHECK(st.meta_live == 0, "failed init left %llu metadata allocations",
		 (unsigned long long)st.meta_live);
	FZ_CHECK(fz.reports == 0, "failed init reported: %s", fz.last_report);
}

/*
 * The library's own "wait for the bounce-pool worker and the deferred frees" (a private test
 * hook of swiotlb/): referenced weakly, so the harness still links if it is renamed; without
 * it the page balance is checked only when no pool grows in the background.
 */
void ma_swiotlb_quiesce(bool frees) __attribute__((weak));

static uint64_t fz_pages_now(void)
{
	struct minalign_stats st;

	minalign_get_stats(&st);
	return st.pages_free + st.swiotlb_bytes / PAGE_SIZE;
}

/* Undo everything in a valid order, checking as we go; then exit. */
static void fz_teardown(uint64_t pages0)
{
	struct minalign_stats st;

	minalign_fault_set(0, 0);
	fz.faults = false;
	fz.step++;
	fz_trace("teardown");
	for (int g = 0; g < FZ_MAX_SG; g++)
		if (fz.sg[g].live)
			fz_sg_unmap(g);
	for (int m = 0; m < FZ_MAX_MAP; m++)
		if (fz.map[m].live)
			fz_unmap(m);
	fz_obj_check_all();
	for (int i = 0; i < FZ_MAX_OBJ; i++)
		if (fz.obj[i].kind != FZ_FREE && fz.obj[i].kind != FZ_DEVM &&
		    fz.obj[i].kind != FZ_DMAM)
			fz_free_obj(i);
	for (int p = 0; p < FZ_MAX_POOL; p++)
		if (fz.pool[p].p)
			fz_pool_destroy(p);
	for (int k = 0; k < FZ_MAX_CACHE; k++)
		if (fz.cache[k].c)
			kmem_cache_destroy(fz.cache[k].c);
	for (int d = 0; d < FZ_MAX_DEV; d++)
		if (fz.dev[d].d)
			fz_dev_destroy(d);
	fz_check_reports("teardown");
	fz_check_stats();
	minalign_slab_shrink();
	fz_check_slab_objects();
	if (ma_swiotlb_quiesce)
		ma_swiotlb_quiesce(true);
	minalign_get_stats(&st);
	FZ_CHECK(st.swiotlb_slots_used == 0, "%llu bounce slots used after teardown",
		 (unsigned long long)st.swiotlb_slots_used);
	if (ma_swiotlb_quiesce || !fz.cfg.swiotlb_dynamic) {
		FZ_CHECK(st.swiotlb_transient_live == 0, "%llu transient pools live after teardown",
			 (unsigned long long)st.swiotlb_transient_live);
		FZ_CHECK(fz_pages_now() == pages0,
			 "pages leaked: %llu free (+pools) at init, %llu now",
			 (unsigned long long)pages0, (unsigned long long)fz_pages_now());
	}
	minalign_exit();
	minalign_get_stats(&st);
	FZ_CHECK(st.meta_live == 0, "minalign_exit left %llu metadata allocations",
		 (unsigned long long)st.meta_live);
	FZ_CHECK(fz.reports == fz.rep_hi || fz.relaxed, "exit reported: %s", fz.last_report);
}

static void fz_step(struct fz_in *in)
{
	unsigned int op = fz_u8(in) % FZ_NOPS;

	fz.step++;
	if (fz_ops[op].slab && fz.cfg.sim_victim == MINALIGN_SIM_LOSE_CPU_WRITES &&
	    fz_tainted_live())
		return;
	fz_ops[op].fn(in);
	fz_fault_tick();
	fz_check_reports(fz_ops[op].name);
	fz_check_stats();
	if (fz.step % 16 == 0) {
		fz_obj_check_all();
	} else {
		fz.rot = (fz.rot + 1) % FZ_MAX_OBJ;
		fz_obj_check((int)fz.rot);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = {data, size, 0};
	uint64_t pages0;
	unsigned int b3, ops = 0;
	int err;

	memset(&fz, 0, sizeof(fz));
	fz.trace = getenv("FZ_TRACE") != NULL;
	if (size < 4)
		return 0;
	fz_config(&in, &fz.cfg);
	b3 = fz_u8(&in);
	fz.line = fz.cfg.cache_line;
	minalign_set_report_handler(fz_report, NULL);
	if (b3 & 0x80)
		fz_init_faulty(b3);
	err = minalign_init(&fz.cfg);
	FZ_CHECK(err == 0, "minalign_init = %d", err);
	fz.reports = fz.rep_lo = fz.rep_hi = 0;
	if (ma_swiotlb_quiesce)
		ma_swiotlb_quiesce(true);
	pages0 = fz_pages_now();
	while (fz_more(&in) && ops++ < FZ_MAX_OPS)
		fz_step(&in);
	fz_teardown(pages0);
	minalign_set_report_handler(NULL, NULL);
	return 0;
}
