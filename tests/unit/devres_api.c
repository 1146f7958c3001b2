/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/devres_api.c - device-managed resources: release order, devm_kmalloc and friends,
 * devm_kfree misuse, actions, devres_alloc, dmam_alloc_coherent, placement (kmalloc's exactly,
 * bookkeeping outside simulated RAM) and the Linux padding figures.
 */
#include "dma_helpers.h"

#include <errno.h>

#include "device/device.h"
#include "mm/mm.h"
#include "slab/slab.h"

static int teardown(void **state)
{
	(void)state;
	minalign_fault_set(0, 0);
	tu_reports_release();
	minalign_exit();
	return 0;
}

static void start(enum minalign_policy policy, unsigned int line)
{
	struct minalign_config c;

	th_config(&c, policy, MINALIGN_SIM_LOSE_CPU_WRITES, (size_t)1 << 20);
	c.cache_line = line;
	tu_init(&c);
	tu_reports_capture();
}

/* Leak snapshots with the calling thread's cached slabs given back first. */
static void snap(struct tu_snapshot *s)
{
	minalign_slab_shrink();
	tu_snapshot(s);
}

static void no_leak(const struct tu_snapshot *s)
{
	minalign_slab_shrink();
	tu_assert_no_leak(s);
}

/* ---- release order ---------------------------------------------------------------------- */

/* What each release saw when it ran. */
struct seen {
	int id;
	size_t left;	      /* devres entries still on the list */
	uint64_t large;	      /* kmalloc_large_bytes */
	uint64_t coherent;    /* coherent_bytes */
	bool dma_state_alive; /* dev->dma: the DMA layer's teardown has not run yet */
};
static struct seen seen[16];
static int nseen;
static struct device *order_dev;

static void record(int id)
{
	struct minalign_stats st = th_stats();

	seen[nseen].id = id;
	seen[nseen].left = minalign_device_devres_count(order_dev);
	seen[nseen].large = st.kmalloc_large_bytes;
	seen[nseen].coherent = st.coherent_bytes;
	seen[nseen].dma_state_alive = order_dev->p->dma != NULL;
	nseen++;
}

static void act(void *data)
{
	record((int)(intptr_t)data);
}

static void dr_rel(struct device *dev, void *res)
{
	assert_ptr_equal(dev, order_dev);
	record(*(int *)res);
}

/*
 * Actions, a devres_alloc() resource, small and large devm_kmalloc() buffers and managed
 * coherent memory, interleaved: each release finds exactly the entries older than itself left,
 * the memory registered after it already returned, and the DMA layer's state still alive.
 */
static void test_release_order(void **state)
{
	struct tu_snapshot s;
	uint64_t large0, coh0;
	dma_addr_t h;
	int *r;

	(void)state;
	start(MINALIGN_POLICY_BOUNCE, 128);
	snap(&s);
	order_dev = th_dev("order", false, 0, false);
	nseen = 0;
	large0 = th_stats().kmalloc_large_bytes;
	coh0 = th_stats().coherent_bytes;
	assert_int_equal(devm_add_action(order_dev, act, (void *)1), 0);	    /* 1 */
	assert_non_null(devm_kmalloc(order_dev, 24, GFP_KERNEL));		    /* 2 */
	assert_int_equal(devm_add_action(order_dev, act, (void *)3), 0);	    /* 3 */
	assert_non_null(dmam_alloc_coherent(order_dev, PAGE_SIZE, &h, GFP_KERNEL)); /* 4 */
	assert_int_equal(devm_add_action(order_dev, act, (void *)5), 0);	    /* 5 */
	assert_non_null(devm_kmalloc(order_dev, 20000, GFP_KERNEL));		    /* 6 */
	r = devres_alloc(dr_rel, sizeof(*r), GFP_KERNEL);			    /* 7 */
	assert_non_null(r);
	*r = 7;
	devres_add(order_dev, r);
	assert_non_null(devm_kstrdup(order_dev, "eight", GFP_KERNEL));	 /* 8 */
	assert_int_equal(devm_add_action(order_dev, act, (void *)9), 0); /* 9 */
	assert_int_equal(minalign_device_devres_count(order_dev), 9);
	assert_int_equal(ma_devres_validate(order_dev), 0);
	assert_true(th_stats().kmalloc_large_bytes > large0);
	assert_int_equal(th_stats().coherent_bytes, coh0 + PAGE_SIZE);

	minalign_device_destroy(order_dev);
	assert_int_equal(nseen, 4 + 1);
	{
		const int ids[] = {9, 7, 5, 3, 1};
		const size_t left[] = {8, 6, 4, 2, 0};

		for (int i = 0; i < nseen; i++) {
			assert_int_equal(seen[i].id, ids[i]);
			assert_int_equal(seen[i].left, left[i]);
			assert_true(seen[i].dma_state_alive); /* dma/'s teardown runs last */
		}
	}
	/* 9 and 7 ran before the large buffer (6) was freed, 5 after it */
	assert_true(seen[0].large > large0 && seen[1].large > large0);
	assert_int_equal(seen[2].large, large0);
	/* the coherent page (4) went back between 5 and 3 */
	assert_int_equal(seen[2].coherent, coh0 + PAGE_SIZE);
	assert_int_equal(seen[3].coherent, coh0);
	assert_int_equal(th_stats().devres_live, 0);
	assert_int_equal(th_stats().devres_linux_pad_bytes, 0);
	no_leak(&s);
	tu_expect_no_report();
}

/* A release that acquires more resources: they are released next, before older entries. */
static struct device *late_dev;
static void *late_buf;

static void late_second(void *data)
{
	(void)data;
	record(102);
}

static void late_first(void *data)
{
	(void)data;
	record(101);
	late_buf = devm_kmalloc(late_dev, 40, GFP_KERNEL);
	assert_non_null(late_buf);
	assert_int_equal(devm_add_action(late_dev, late_second, NULL), 0);
}

static void test_release_adds(void **state)
{
	struct tu_snapshot s;

	(void)state;
	start(MINALIGN_POLICY_BOUNCE, 128);
	snap(&s);
	late_dev = order_dev = th_dev("late", false, 0, false);
	nseen = 0;
	assert_int_equal(devm_add_action(late_dev, act, (void *)100), 0);
	assert_int_equal(devm_add_action(late_dev, late_first, NULL), 0);
	minalign_device_destroy(late_dev);
	assert_int_equal(nseen, 3);
	assert_int_equal(seen[0].id, 101);
	assert_int_equal(seen[1].id, 102);
	assert_int_equal(seen[1].left, 2); /* late_buf and action 100 */
	assert_int_equal(seen[2].id, 100);
	assert_int_equal(seen[2].left, 0);
	assert_true(seen[2].dma_state_alive);
	no_leak(&s);
	tu_expect_no_report();
}

/* ---- devm_kfree ------------------------------------------------------------------------- */

static void test_kfree(void **state)
{
	struct tu_snapshot s;
	struct device *a, *b;
	void *pa, *pb, *plain;

	(void)state;
	start(MINALIGN_POLICY_BOUNCE, 128);
	snap(&s);
	a = th_dev("a", false, 0, false);
	b = th_dev("b", false, 0, false);
	pa = devm_kmalloc(a, 64, GFP_KERNEL);
	pb = devm_kmalloc(b, 64, GFP_KERNEL);
	plain = kmalloc(64, GFP_KERNEL);
	assert_non_null(pa);
	assert_non_null(pb);
	assert_non_null(plain);
	memset(pa, 0x5a, 64);
	memset(plain, 0x6b, 64);

	/* not the device's: one report each, nothing changes */
	devm_kfree(a, plain);
	tu_expect_report("device", "not a devm_kmalloc allocation");
	devm_kfree(a, pb);
	tu_expect_report("device", "not a devm_kmalloc allocation");
	devm_kfree(a, (char *)pa + 8);
	tu_expect_report("device", "not a devm_kmalloc allocation");
	assert_int_equal(minalign_device_devres_count(a), 1);
	assert_int_equal(minalign_device_devres_count(b), 1);
	assert_int_equal(ma_devres_validate(a), 0);
	assert_int_equal(ma_devres_validate(b), 0);
	for (int i = 0; i < 64; i++) {
		assert_int_equal(((unsigned char *)pa)[i], 0x5a);
		assert_int_equal(((unsigned char *)plain)[i], 0x6b);
	}
	assert_int_equal(ksize(pb), 64);

	/* NULL and ZERO_SIZE_PTR are ignored; a NULL device is reported */
	devm_kfree(a, NULL);
	devm_kfree(a, ZERO_SIZE_PTR);
	tu_expect_no_report();
	devm_kfree(NULL, pa);
	tu_expect_report("device", "NULL device");

	/* the owner frees it; a second free is reported and changes nothing */
	devm_kfree(a, pa);
	tu_expect_no_report();
	assert_int_equal(minalign_device_devres_count(a), 0);
	devm_kfree(a, pa);
	tu_expect_report("device", "not a devm_kmalloc allocation");
	assert_int_equal(ma_devres_validate(a), 0);

	kfree(plain);
	minalign_device_destroy(a);
	minalign_device_destroy(b);
	no_leak(&s);
	tu_expect_no_report();
}

/* ---- allocations ------------------------------------------------------------------------- */

static void test_alloc_variants(void **state)
{
	struct tu_snapshot s;
	struct device *dev;
	unsigned char *z;
	char *str;
	int arr[5] = {1, 2, 3, 4, 5}, *dup;

	(void)state;
	start(MINALIGN_POLICY_BOUNCE, 128);
	snap(&s);
	dev = th_dev("v", false, 0, false);

	/* devm_kzalloc zeroes: dirty slots, free them, get (some of) them back zeroed */
	{
		enum { N = 32 };
		unsigned char *dirty[N];
		int reused = 0;

		for (int i = 0; i < N; i++) {
			dirty[i] = devm_kmalloc(dev, 48, GFP_KERNEL);
			assert_non_null(dirty[i]);
			memset(dirty[i], 0xee, 48);
		}
		for (int i = 0; i < N; i++)
			devm_kfree(dev, dirty[i]);
		/* allocate until a dirtied slot comes back (the slab bumps through fresh ones
		 * first) */
		for (int i = 0; i < 4096 && !reused; i++) {
			z = devm_kzalloc(dev, 48, GFP_KERNEL);
			assert_non_null(z);
			for (int j = 0; j < 48; j++)
				assert_int_equal(z[j], 0);
			for (int j = 0; j < N; j++)
				reused += z == dirty[j];
		}
		assert_true(reused > 0); /* the check above saw recycled memory */
		minalign_device_destroy(dev);
		dev = th_dev("v", false, 0, false);
	}

	/* devm_kcalloc: zeroed, and NULL on overflow with nothing registered */
	z = devm_kcalloc(dev, 6, 8, GFP_KERNEL);
	assert_non_null(z);
	for (int i = 0; i < 48; i++)
		assert_int_equal(z[i], 0);
	assert_null(devm_kcalloc(dev, SIZE_MAX / 2 + 1, 2, GFP_KERNEL));
	assert_null(devm_kcalloc(dev, 2, SIZE_MAX / 2 + 1, GFP_KERNEL));
	assert_null(devm_kmalloc_array(dev, SIZE_MAX / 8, 16, GFP_KERNEL));
	assert_int_equal(minalign_device_devres_count(dev), 1);
	tu_expect_no_report();

	/* devm_kstrdup, devm_kmemdup */
	str = devm_kstrdup(dev, "eth0-rx", GFP_KERNEL);
	assert_non_null(str);
	assert_string_equal(str, "eth0-rx");
	assert_int_equal(ksize(str), kmalloc_size_roundup(8));
	assert_null(devm_kstrdup(dev, NULL, GFP_KERNEL));
	dup = devm_kmemdup(dev, arr, sizeof(arr), GFP_KERNEL);
	assert_non_null(dup);
	assert_memory_equal(dup, arr, sizeof(arr));
	assert_int_equal(minalign_device_devres_count(dev), 3);

	/* size 0: ZERO_SIZE_PTR, nothing registered */
	assert_ptr_equal(devm_kmalloc(dev, 0, GFP_KERNEL), ZERO_SIZE_PTR);
	assert_ptr_equal(devm_kcalloc(dev, 0, 8, GFP_KERNEL), ZERO_SIZE_PTR);
	assert_int_equal(minalign_device_devres_count(dev), 3);

	/* too large for kmalloc: NULL, nothing registered, no report */
	assert_null(devm_kmalloc(dev, KMALLOC_MAX_SIZE + 1, GFP_KERNEL));
	assert_int_equal(minalign_device_devres_count(dev), 3);
	tu_expect_no_report();

	/* NULL device */
	assert_null(devm_kzalloc(NULL, 8, GFP_KERNEL));
	tu_expect_report("device", "NULL device");

	assert_int_equal(ma_devres_validate(dev), 0);
	minalign_device_destroy(dev);
	no_leak(&s);
	tu_expect_no_report();
}

/* A devm_kmalloc buffer is exactly a kmalloc buffer; the bookkeeping is not in simulated RAM. */
static void test_placement(void **state)
{
	static const enum minalign_policy pols[] = {
		MINALIGN_POLICY_LEGACY, MINALIGN_POLICY_BOUNCE, MINALIGN_POLICY_PACKED,
		MINALIGN_POLICY_DMA_OPT_IN, MINALIGN_POLICY_NAIVE};
	static const size_t sizes[] = {1, 8, 24, 40, 96, 100, 192, 256, 1000, 8192, 9000};
	static const gfp_t gfps[] = {GFP_KERNEL, GFP_DMA, GFP_KERNEL | __GFP_PACKED};

	(void)state;
	for (unsigned int pi = 0; pi < MA_ARRAY_SIZE(pols); pi++) {
		struct device *dev;

		start(pols[pi], 128);
		dev = th_dev("p", false, 0, false);
		for (unsigned int si = 0; si < MA_ARRAY_SIZE(sizes); si++) {
			for (unsigned int gi = 0; gi < MA_ARRAY_SIZE(gfps); gi++) {
				size_t n = sizes[si];
				void *k = kmalloc(n, gfps[gi]);
				void *d = devm_kmalloc(dev, n, gfps[gi]);
				struct ma_slab_slot sk, sd;
				size_t slot;

				assert_non_null(k);
				assert_non_null(d);
				/* a slot start of the very cache kmalloc uses, of the same size */
				assert_true(ma_slab_slot(k, &sk));
				assert_true(ma_slab_slot(d, &sd));
				assert_int_equal(sd.start, (uintptr_t)d);
				slot = sd.end - sd.start;
				assert_int_equal(slot, sk.end - sk.start);
				assert_string_equal(sd.cache, sk.cache);
				assert_int_equal(ksize(d), ksize(k));
				/* power-of-two sizes are naturally aligned, as kmalloc's */
				if (MA_IS_POW2(slot))
					assert_int_equal((uintptr_t)d % MA_MIN(slot, PAGE_SIZE), 0);
				kfree(k);
			}
		}
		assert_int_equal(ma_devres_validate(dev), 0);
		for (struct ma_devres *dr = dev->p->newest; dr; dr = dr->older)
			assert_false(ma_virt_in_ram(dr, sizeof(*dr)));
		assert_false(ma_virt_in_ram(dev, sizeof(*dev)));
		minalign_device_destroy(dev);
		tu_expect_no_report();
		teardown(NULL);
	}
}

/* ---- actions ----------------------------------------------------------------------------- */

static int calls;

static void count_call(void *data)
{
	calls += (int)(intptr_t)data;
}

static void test_actions(void **state)
{
	struct tu_snapshot s;
	struct device *dev;

	(void)state;
	start(MINALIGN_POLICY_BOUNCE, 128);
	snap(&s);
	dev = th_dev("act", false, 0, false);
	calls = 0;

	/* registration fails (metadata fault): _or_reset runs the action, the plain one not */
	minalign_fault_set(1, MINALIGN_FAULT_META);
	assert_int_equal(devm_add_action_or_reset(dev, count_call, (void *)1), -ENOMEM);
	assert_int_equal(minalign_fault_hits(), 1);
	assert_int_equal(calls, 1);
	minalign_fault_set(1, MINALIGN_FAULT_META);
	assert_int_equal(devm_add_action(dev, count_call, (void *)1), -ENOMEM);
	minalign_fault_set(0, 0);
	assert_int_equal(calls, 1);
	assert_int_equal(minalign_device_devres_count(dev), 0);
	assert_int_equal(ma_devres_validate(dev), 0);
	tu_expect_no_report();

	/* success: runs at destroy only */
	assert_int_equal(devm_add_action_or_reset(dev, count_call, (void *)10), 0);
	assert_int_equal(devm_add_action(dev, count_call, (void *)100), 0);
	assert_int_equal(devm_add_action(dev, count_call, (void *)1000), 0);
	assert_int_equal(calls, 1);

	/* remove forgets it, release runs it now; a missing one is reported */
	devm_remove_action(dev, count_call, (void *)100);
	devm_release_action(dev, count_call, (void *)1000);
	assert_int_equal(calls, 1001);
	tu_expect_no_report();
	devm_remove_action(dev, count_call, (void *)100);
	tu_expect_report("device", "no such action");
	devm_release_action(dev, count_call, (void *)7);
	tu_expect_report("device", "no such action");
	assert_int_equal(calls, 1001);

	/* bad arguments */
	assert_int_equal(devm_add_action(dev, NULL, NULL), -EINVAL);
	tu_expect_report("device", "NULL action");
	assert_int_equal(devm_add_action_or_reset(NULL, count_call, (void *)10000), -EINVAL);
	tu_expect_report("device", "NULL device");
	assert_int_equal(calls, 11001); /* reset semantics: it ran */

	assert_int_equal(minalign_device_devres_count(dev), 1);
	minalign_device_destroy(dev);
	assert_int_equal(calls, 11011);
	no_leak(&s);
	tu_expect_no_report();
}

/* ---- devres_alloc and the generic layer --------------------------------------------------- */

struct res {
	int key;
	int released;
};
static int released_keys;

static void res_release(struct device *dev, void *r)
{
	(void)dev;
	released_keys += ((struct res *)r)->key;
}

static int res_match(struct device *dev, void *r, void *key)
{
	(void)dev;
	return ((struct res *)r)->key == *(int *)key;
}

static void test_devres_generic(void **state)
{
	struct tu_snapshot s;
	struct device *dev, *other;
	struct res *r1, *r2, *r3;
	int k;

	(void)state;
	start(MINALIGN_POLICY_BOUNCE, 128);
	snap(&s);
	dev = th_dev("g", false, 0, false);
	other = th_dev("o", false, 0, false);
	released_keys = 0;
	r1 = devres_alloc(res_release, sizeof(*r1), GFP_KERNEL);
	r2 = devres_alloc(res_release, sizeof(*r2), GFP_KERNEL);
	r3 = devres_alloc(res_release, sizeof(*r3), GFP_KERNEL);
	assert_non_null(r1);
	assert_non_null(r2);
	assert_non_null(r3);
	assert_int_equal(r1->key, 0); /* zeroed */
	assert_int_equal((uintptr_t)r1 % _Alignof(max_align_t), 0);
	r1->key = 1;
	r2->key = 2;
	r3->key = 4;
	devres_add(dev, r1);
	devres_add(dev, r2);
	devres_add(dev, r3);
	assert_int_equal(minalign_device_devres_count(dev), 3);

	/* misuse: added twice, freed while on a list */
	devres_add(other, r1);
	tu_expect_report("device", "already on a device's list");
	devres_free(r2);
	tu_expect_report("device", "still on the device's list");
	assert_int_equal(minalign_device_devres_count(other), 0);
	devres_add(dev, NULL);
	tu_expect_report("device", "NULL resource");
	assert_null(devres_alloc(NULL, 8, GFP_KERNEL));
	tu_expect_report("device", "NULL release");

	/* find: the newest match; NULL match = any */
	k = 2;
	assert_ptr_equal(devres_find(dev, res_release, res_match, &k), r2);
	assert_ptr_equal(devres_find(dev, res_release, NULL, NULL), r3);
	assert_null(devres_find(dev, dr_rel, NULL, NULL));
	assert_null(devres_find(other, res_release, NULL, NULL));

	/* remove: off the list, not released; then it can move to another device */
	assert_ptr_equal(devres_remove(dev, res_release, res_match, &k), r2);
	assert_int_equal(minalign_device_devres_count(dev), 2);
	devres_add(other, r2);
	assert_int_equal(minalign_device_devres_count(other), 1);

	/* destroy: removed and freed, not released; release: released and freed */
	k = 4;
	assert_int_equal(devres_destroy(dev, res_release, res_match, &k), 0);
	assert_int_equal(devres_destroy(dev, res_release, res_match, &k), -ENOENT);
	k = 1;
	assert_int_equal(devres_release(dev, res_release, res_match, &k), 0);
	assert_int_equal(released_keys, 1);
	assert_int_equal(devres_release(dev, res_release, res_match, &k), -ENOENT);
	assert_int_equal(minalign_device_devres_count(dev), 0);

	/* a resource never added is freed with devres_free */
	r1 = devres_alloc(res_release, 1000, GFP_KERNEL);
	assert_non_null(r1);
	devres_free(r1);
	devres_free(NULL);
	tu_expect_no_report();

	minalign_device_destroy(dev);
	minalign_device_destroy(other);
	assert_int_equal(released_keys, 1 + 2);
	no_leak(&s);
	tu_expect_no_report();
}

/* ---- dmam_alloc_coherent ------------------------------------------------------------------- */

static void test_dmam(void **state)
{
	struct tu_snapshot s;
	struct device *dev;
	unsigned char *c1, *c2, *c3;
	dma_addr_t h1, h2, h3;
	uint64_t coh0;

	(void)state;
	start(MINALIGN_POLICY_BOUNCE, 128);
	snap(&s);
	coh0 = th_stats().coherent_bytes;
	dev = th_dev("coh", false, 32, false);
	c1 = dmam_alloc_coherent(dev, 100, &h1, GFP_KERNEL);
	c2 = dmam_alloc_coherent(dev, 3 * PAGE_SIZE, &h2, GFP_KERNEL);
	c3 = dmam_alloc_coherent(dev, PAGE_SIZE, &h3, GFP_KERNEL);
	assert_non_null(c1);
	assert_non_null(c2);
	assert_non_null(c3);
	assert_true(h2 + 4 * PAGE_SIZE - 1 <= DMA_BIT_MASK(32));
	assert_int_equal(c2[5], 0);
	assert_int_equal(th_stats().coherent_bytes, coh0 + 6 * PAGE_SIZE);
	assert_int_equal(minalign_device_devres_count(dev), 3);

	/* the device writes coherent memory: the CPU sees it at once */
	th_dev_fill(dev, h1, 3, 100);
	assert_true(th_holds(c1, 3, 100));

	/* dmam_free_coherent: exact match needed; a mismatch is reported, nothing freed */
	dmam_free_coherent(dev, 100, c1, h1 + 1);
	tu_expect_report("dma", "not a managed coherent allocation");
	dmam_free_coherent(dev, 2 * PAGE_SIZE, c2, h2);
	tu_expect_report("dma", "not a managed coherent allocation");
	assert_int_equal(th_stats().coherent_bytes, coh0 + 6 * PAGE_SIZE);
	dmam_free_coherent(dev, PAGE_SIZE, c3, h3);
	tu_expect_no_report();
	assert_int_equal(th_stats().coherent_bytes, coh0 + 5 * PAGE_SIZE);
	assert_int_equal(minalign_device_devres_count(dev), 2);
	dmam_free_coherent(dev, PAGE_SIZE, NULL, 0);

	/* bad arguments leave nothing behind */
	assert_null(dmam_alloc_coherent(dev, 0, &h3, GFP_KERNEL));
	tu_expect_report("dma", "zero size");
	assert_null(dmam_alloc_coherent(NULL, 8, &h3, GFP_KERNEL));
	tu_expect_report("dma", "NULL device");
	assert_int_equal(minalign_device_devres_count(dev), 2);

	minalign_device_destroy(dev);
	assert_int_equal(th_stats().coherent_bytes, coh0);
	no_leak(&s);
	tu_expect_no_report();
}

/* ---- Linux's padding ----------------------------------------------------------------------- */

/*
 * Linux puts a 40-byte struct devres_node in front of every devres' data and aligns the data to
 * ARCH_DMA_MINALIGN: ALIGN(40, line) bytes per resource.  Hand-computed: at 128, 3 buffers cost
 * 3 x 128 = 384; with an action and a coherent block, 5 x 128 = 640; at 64, 5 x 64 = 320; at
 * 32, 5 x ALIGN(40, 32) = 5 x 64 = 320; at 16, 5 x 48 = 240.  The library's own teardown
 * action is no devres and costs nothing.
 */
static void test_pad(void **state)
{
	static const struct {
		unsigned int line;
		size_t per;
	} cases[] = {{128, 128}, {64, 64}, {32, 64}, {16, 48}, {256, 256}};

	(void)state;
	for (unsigned int i = 0; i < MA_ARRAY_SIZE(cases); i++) {
		struct device *a, *b;
		void *p1, *p2, *p3;
		dma_addr_t h;

		start(MINALIGN_POLICY_BOUNCE, cases[i].line);
		a = th_dev("a", false, 0, false);
		b = th_dev("b", false, 0, false);
		assert_int_equal(minalign_device_devres_pad_bytes(a), 0);
		assert_int_equal(th_stats().devres_live, 0);
		p1 = devm_kmalloc(a, 8, GFP_KERNEL);
		p2 = devm_kmalloc(a, 8, GFP_KERNEL);
		p3 = devm_kmalloc(a, 8, GFP_KERNEL);
		assert_true(p1 && p2 && p3);
		if (cases[i].line == 128)
			assert_int_equal(minalign_device_devres_pad_bytes(a), 384);
		assert_int_equal(minalign_device_devres_pad_bytes(a), 3 * cases[i].per);
		assert_int_equal(devm_add_action(a, count_call, NULL), 0);
		assert_non_null(dmam_alloc_coherent(a, 64, &h, GFP_KERNEL));
		assert_int_equal(minalign_device_devres_count(a), 5);
		assert_int_equal(minalign_device_devres_pad_bytes(a), 5 * cases[i].per);
		assert_non_null(devm_kzalloc(b, 300, GFP_KERNEL));
		assert_int_equal(minalign_device_devres_pad_bytes(b), cases[i].per);
		assert_int_equal(th_stats().devres_live, 6);
		assert_int_equal(th_stats().devres_linux_pad_bytes, 6 * cases[i].per);
		devm_kfree(a, p2);
		assert_int_equal(minalign_device_devres_pad_bytes(a), 4 * cases[i].per);
		assert_int_equal(th_stats().devres_linux_pad_bytes, 5 * cases[i].per);
		minalign_device_destroy(a);
		assert_int_equal(th_stats().devres_live, 1);
		minalign_device_destroy(b);
		assert_int_equal(th_stats().devres_live, 0);
		assert_int_equal(th_stats().devres_linux_pad_bytes, 0);
		assert_int_equal(minalign_device_devres_pad_bytes(NULL), 0);
		assert_int_equal(minalign_device_devres_count(NULL), 0);
		tu_expect_no_report();
		teardown(NULL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_release_order, teardown),
		cmocka_unit_test_teardown(test_release_adds, teardown),
		cmocka_unit_test_teardown(test_kfree, teardown),
		cmocka_unit_test_teardown(test_alloc_variants, teardown),
		cmocka_unit_test_teardown(test_placement, teardown),
		cmocka_unit_test_teardown(test_actions, teardown),
		cmocka_unit_test_teardown(test_devres_generic, teardown),
		cmocka_unit_test_teardown(test_dmam, teardown),
		cmocka_unit_test_teardown(test_pad, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
