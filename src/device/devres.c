/* SPDX-License-Identifier: MIT */
/*
 * device/devres.c - device-managed resources: the resource list, devm_*() and devres_*().
 *
 * Owns every device's resource list: struct ma_devres nodes, one per release action or
 * resource, newest at dev->p->newest.  Four kinds share the list so that one order covers them
 * all: the library's internal release actions (dma/'s per-device teardown, registered by its
 * attach hook before anything else, hence the oldest and released last), devres_alloc()
 * resources (data inline in the node), devm_add_action() actions and devm_kmalloc() buffers.
 *
 * Where things live: every node is library metadata (ma_meta_alloc, host memory), never
 * simulated RAM.  A devm_kmalloc() buffer is a plain kmalloc() object the node points to, so it
 * has exactly kmalloc()'s size class, alignment and placement under the active policy, and
 * adding or removing list entries never writes a byte of simulated RAM (so never a line a
 * device may own).  Linux instead puts a 40-byte node padded to ARCH_DMA_MINALIGN in front of
 * the data; what that would cost is counted per device (nr_linux x ma_devres_linux_pad()) and in
 * the devres_live / devres_linux_pad_bytes statistics.
 *
 * Invariants: a node is on a list iff node->dev is set; the list is doubly linked (newer/older)
 * from dev->p->newest to dev->p->oldest; dev->p->nr_entries counts its nodes and dev->p->nr_linux
 * those not MA_DR_INTERNAL; the statistics are changed exactly when a Linux-kind node is linked or
 * unlinked.  A node's allocation or release never happens under the lock.
 *
 * Locking: dev->p->lock (a mutex, leaf) protects the list and the counters.  Releases, kfree()
 * and metadata frees run with it released, so a release may use the device, even add devres
 * to it.  devres_find() & co call the caller's match function with the lock held (it must not
 * call back into devres for the same device).  minalign_device_destroy() must not race with
 * other calls on the device.
 *
 * Costs: adding is one metadata allocation and a short critical section; devm_kfree() and the
 * finders walk the list newest first (O(entries), as in Linux).
 */
#include "device/device.h"

#include <minalign/slab.h>

#include "slab/slab.h" /* ma_slab_set_managed() */

/* ---- the list ---------------------------------------------------------------------------- */

static bool ma_dr_linux(const struct ma_devres *dr)
{
	return dr->kind != MA_DR_INTERNAL;
}

static struct ma_devres *ma_dr_new(enum ma_devres_kind kind, size_t extra)
{
	struct ma_devres *dr;

	if (extra > SIZE_MAX - sizeof(*dr))
		return NULL;
	dr = ma_meta_alloc(sizeof(*dr) + extra);
	if (!dr)
		return NULL;
	dr->magic = MA_DEVRES_MAGIC;
	dr->kind = (u8)kind;
	return dr;
}

static void ma_dr_free(struct ma_devres *dr)
{
	if (dr->kind == MA_DR_DEVRES)
		ma_drreg_del(dr);
	dr->magic = 0;
	ma_meta_free(dr);
}

/* Caller holds dev->p->lock.  Push @dr as the newest entry. */
static void ma_dr_link(struct device *dev, struct ma_devres *dr)
{
	dr->dev = dev;
	dr->newer = NULL;
	dr->older = dev->p->newest;
	if (dev->p->newest)
		dev->p->newest->newer = dr;
	else
		dev->p->oldest = dr;
	dev->p->newest = dr;
	dev->p->nr_entries++;
	if (ma_dr_linux(dr)) {
		dev->p->nr_linux++;
		ma_stat_add(MA_STAT_devres_live, 1);
		ma_stat_add(MA_STAT_devres_linux_pad_bytes, (int64_t)ma_devres_linux_pad());
	}
}

/* Caller holds dev->p->lock. */
static void ma_dr_unlink(struct device *dev, struct ma_devres *dr)
{
	if (dr->newer)
		dr->newer->older = dr->older;
	else
		dev->p->newest = dr->older;
	if (dr->older)
		dr->older->newer = dr->newer;
	else
		dev->p->oldest = dr->newer;
	dr->newer = dr->older = NULL;
	dr->dev = NULL;
	dev->p->nr_entries--;
	if (ma_dr_linux(dr)) {
		dev->p->nr_linux--;
		ma_stat_add(MA_STAT_devres_live, -1);
		ma_stat_add(MA_STAT_devres_linux_pad_bytes, -(int64_t)ma_devres_linux_pad());
	}
}

static void ma_dr_add(struct device *dev, struct ma_devres *dr)
{
	ma_mutex_lock(&dev->p->lock);
	ma_dr_link(dev, dr);
	ma_mutex_unlock(&dev->p->lock);
}

/* What a lookup asks for: a kind and the fields that must match (NULL = any). */
struct ma_dr_key {
	enum ma_devres_kind kind;
	void (*release)(struct device *, void *);
	void (*action)(void *);
	const void *res;
	dr_match_t match;
	void *match_data;
};

static bool ma_dr_matches(struct device *dev, const struct ma_devres *dr, const struct ma_dr_key *k)
{
	if (dr->kind != k->kind)
		return false;
	switch (k->kind) {
	case MA_DR_INTERNAL:
		return dr->fn.release == k->release && dr->res == k->res;
	case MA_DR_DEVRES:
		return dr->fn.release == k->release &&
		       (!k->match || k->match(dev, dr->res, k->match_data));
	case MA_DR_ACTION:
		return dr->fn.action == k->action && dr->res == k->res;
	case MA_DR_KMALLOC:
		return dr->res == k->res;
	}
	return false;
}

/* Find the newest entry matching @k; with @unlink, take it off the list. */
static struct ma_devres *ma_dr_find(struct device *dev, const struct ma_dr_key *k, bool unlink)
{
	struct ma_devres *dr;

	ma_mutex_lock(&dev->p->lock);
	for (dr = dev->p->newest; dr; dr = dr->older)
		if (ma_dr_matches(dev, dr, k))
			break;
	if (dr && unlink)
		ma_dr_unlink(dev, dr);
	ma_mutex_unlock(&dev->p->lock);
	return dr;
}

/* Release what @dr stands for (called without the lock, @dr already unlinked). */
static void ma_dr_run(struct device *dev, struct ma_devres *dr)
{
	switch ((enum ma_devres_kind)dr->kind) {
	case MA_DR_INTERNAL:
	case MA_DR_DEVRES:
		dr->fn.release(dev, dr->res);
		break;
	case MA_DR_ACTION:
		dr->fn.action(dr->res);
		break;
	case MA_DR_KMALLOC:
		ma_slab_set_managed(dr->res, false);
		kfree(dr->res);
		break;
	}
}

void ma_devres_release_all(struct device *dev)
{
	for (;;) {
		struct ma_devres *dr;

		ma_mutex_lock(&dev->p->lock);
		dr = dev->p->newest;
		if (dr)
			ma_dr_unlink(dev, dr);
		ma_mutex_unlock(&dev->p->lock);
		if (!dr)
			return;
		ma_dr_run(dev, dr);
		ma_dr_free(dr);
	}
}

int ma_devres_validate(struct device *dev)
{
	const struct ma_devres *dr, *newer = NULL;
	size_t n = 0, nl = 0;
	const char *why = NULL;

	ma_mutex_lock(&dev->p->lock);
	for (dr = dev->p->newest; dr && !why; newer = dr, dr = dr->older) {
		if (dr->magic != MA_DEVRES_MAGIC)
			why = "bad magic";
		else if (dr->dev != dev)
			why = "entry names another device";
		else if (dr->newer != newer)
			why = "newer link broken";
		else if (dr->kind < MA_DR_INTERNAL || dr->kind > MA_DR_KMALLOC)
			why = "bad kind";
		else if (dr->kind == MA_DR_DEVRES && dr->res != dr->data)
			why = "devres data pointer broken";
		else if (++n > dev->p->nr_entries)
			why = "more entries than counted";
		else
			nl += ma_dr_linux(dr);
	}
	if (!why && dev->p->oldest != newer)
		why = "oldest pointer broken";
	if (!why && (n != dev->p->nr_entries || nl != dev->p->nr_linux))
		why = "entry counts differ";
	ma_mutex_unlock(&dev->p->lock);
	if (!why)
		return 0;
	ma_report("device", dev->p->name, 0, 0, "devres list: %s after %zu entries", why, n);
	return -EUCLEAN;
}

/* ---- the library's release actions ----------------------------------------------------- */

int ma_device_add_action(struct device *dev, void (*fn)(struct device *, void *), void *data)
{
	struct ma_devres *dr = ma_dr_new(MA_DR_INTERNAL, 0);

	if (!dr)
		return -ENOMEM;
	dr->fn.release = fn;
	dr->res = data;
	ma_dr_add(dev, dr);
	return 0;
}

int ma_device_remove_action(struct device *dev, void (*fn)(struct device *, void *), void *data)
{
	struct ma_dr_key k = {.kind = MA_DR_INTERNAL, .release = fn, .res = data};
	struct ma_devres *dr = ma_dr_find(dev, &k, true);

	if (!dr)
		return -ENOENT;
	ma_dr_free(dr);
	return 0;
}

/* ---- devm_kmalloc() and friends --------------------------------------------------------- */

static bool ma_devres_dev_ok(struct device *dev, const char *what)
{
	if (ma_likely(ma_device_live(dev)))
		return true;
	ma_report("device", NULL, 0, 0, "%s: %s", what,
		  dev ? "not a live device (destroyed, or never initialised)" : "NULL device");
	return false;
}

static void *ma_devm_kmalloc(struct device *dev, size_t size, gfp_t gfp, const char *what)
{
	struct ma_devres *dr;
	void *p;

	if (!ma_devres_dev_ok(dev, what))
		return NULL;
	if (!size)
		return ZERO_SIZE_PTR;
	dr = ma_dr_new(MA_DR_KMALLOC, 0);
	if (!dr)
		return NULL;
	p = kmalloc(size, gfp);
	if (!p) {
		ma_dr_free(dr);
		return NULL;
	}
	dr->res = p;
	dr->size = size;
	ma_slab_set_managed(p, true); /* a plain kfree() of it is refused */
	ma_dr_add(dev, dr);
	return p;
}

void *devm_kmalloc(struct device *dev, size_t size, gfp_t gfp)
{
	return ma_devm_kmalloc(dev, size, gfp, "devm_kmalloc");
}

void *devm_kzalloc(struct device *dev, size_t size, gfp_t gfp)
{
	return ma_devm_kmalloc(dev, size, gfp | __GFP_ZERO, "devm_kzalloc");
}

void *devm_kmalloc_array(struct device *dev, size_t n, size_t size, gfp_t gfp)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return ma_devm_kmalloc(dev, n * size, gfp, "devm_kmalloc_array");
}

void *devm_kcalloc(struct device *dev, size_t n, size_t size, gfp_t gfp)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return ma_devm_kmalloc(dev, n * size, gfp | __GFP_ZERO, "devm_kcalloc");
}

char *devm_kstrdup(struct device *dev, const char *s, gfp_t gfp)
{
	size_t n;
	char *p;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	p = ma_devm_kmalloc(dev, n, gfp, "devm_kstrdup");
	if (p)
		memcpy(p, s, n);
	return p;
}

void *devm_kmemdup(struct device *dev, const void *src, size_t len, gfp_t gfp)
{
	void *p = ma_devm_kmalloc(dev, len, gfp, "devm_kmemdup");

	if (p && len)
		memcpy(p, src, len);
	return p;
}

void devm_kfree(struct device *dev, const void *p)
{
	struct ma_dr_key k = {.kind = MA_DR_KMALLOC, .res = p};
	struct ma_devres *dr;

	if (ZERO_OR_NULL_PTR(p))
		return;
	if (!ma_devres_dev_ok(dev, "devm_kfree"))
		return;
	dr = ma_dr_find(dev, &k, true);
	if (!dr) {
		ma_report("device", dev->p->name, 0, 0,
			  "devm_kfree(%p): not a devm_kmalloc allocation of this device", p);
		return;
	}
	ma_slab_set_managed(dr->res, false);
	kfree(dr->res);
	ma_dr_free(dr);
}

/* ---- actions ---------------------------------------------------------------------------- */

int devm_add_action(struct device *dev, void (*action)(void *), void *data)
{
	struct ma_devres *dr;

	if (!ma_devres_dev_ok(dev, "devm_add_action"))
		return -EINVAL;
	if (!action) {
		ma_report("device", dev->p->name, 0, 0, "devm_add_action: NULL action");
		return -EINVAL;
	}
	dr = ma_dr_new(MA_DR_ACTION, 0);
	if (!dr)
		return -ENOMEM;
	dr->fn.action = action;
	dr->res = data;
	ma_dr_add(dev, dr);
	return 0;
}

int devm_add_action_or_reset(struct device *dev, void (*action)(void *), void *data)
{
	int err = devm_add_action(dev, action, data);

	if (err && action)
		action(data);
	return err;
}

static struct ma_devres *ma_devm_action_take(struct device *dev, void (*action)(void *), void *data,
					     const char *what)
{
	struct ma_dr_key k = {.kind = MA_DR_ACTION, .action = action, .res = data};
	struct ma_devres *dr;

	if (!ma_devres_dev_ok(dev, what))
		return NULL;
	dr = ma_dr_find(dev, &k, true);
	if (!dr)
		ma_report("device", dev->p->name, 0, 0, "%s: no such action registered", what);
	return dr;
}

void devm_remove_action(struct device *dev, void (*action)(void *), void *data)
{
	struct ma_devres *dr = ma_devm_action_take(dev, action, data, "devm_remove_action");

	if (dr)
		ma_dr_free(dr);
}

void devm_release_action(struct device *dev, void (*action)(void *), void *data)
{
	struct ma_devres *dr = ma_devm_action_take(dev, action, data, "devm_release_action");

	if (!dr)
		return;
	action(data);
	ma_dr_free(dr);
}

/* ---- devres_alloc() and the generic layer ------------------------------------------------ */

void *devres_alloc(dr_release_t release, size_t size, gfp_t gfp)
{
	struct ma_devres *dr;

	(void)gfp;
	if (!release) {
		ma_report("device", NULL, 0, size, "devres_alloc: NULL release function");
		return NULL;
	}
	dr = ma_dr_new(MA_DR_DEVRES, size);
	if (!dr)
		return NULL;
	dr->fn.release = release;
	dr->res = dr->data;
	dr->size = size;
	ma_drreg_add(dr);
	return dr->data;
}

/* @res as a devres_alloc() node, or NULL after one report. */
static struct ma_devres *ma_dr_check(void *res, const char *what)
{
	struct ma_devres *dr = ma_drreg_find(res); /* looked up: no header read before @res */

	if (!dr || dr->magic != MA_DEVRES_MAGIC || dr->kind != MA_DR_DEVRES || dr->res != res) {
		ma_report("device", NULL, 0, 0, "%s(%p): not a devres_alloc() resource", what, res);
		return NULL;
	}
	return dr;
}

void devres_free(void *res)
{
	struct ma_devres *dr;

	if (!res)
		return;
	dr = ma_dr_check(res, "devres_free");
	if (!dr)
		return;
	if (dr->dev) {
		ma_report("device", dr->dev->p->name, 0, 0,
			  "devres_free(%p): still on the device's list", res);
		return;
	}
	ma_dr_free(dr);
}

void devres_add(struct device *dev, void *res)
{
	struct ma_devres *dr;

	if (!ma_devres_dev_ok(dev, "devres_add"))
		return;
	if (!res) {
		ma_report("device", dev->p->name, 0, 0, "devres_add: NULL resource");
		return;
	}
	dr = ma_dr_check(res, "devres_add");
	if (!dr)
		return;
	ma_mutex_lock(&dev->p->lock);
	if (!dr->dev) {
		ma_dr_link(dev, dr);
		dr = NULL;
	}
	ma_mutex_unlock(&dev->p->lock);
	if (dr)
		ma_report("device", dev->p->name, 0, 0,
			  "devres_add(%p): already on a device's list", res);
}

static struct ma_devres *ma_devres_lookup(struct device *dev, dr_release_t release,
					  dr_match_t match, void *match_data, bool unlink,
					  const char *what)
{
	struct ma_dr_key k = {
		.kind = MA_DR_DEVRES, .release = release, .match = match, .match_data = match_data};

	if (!ma_devres_dev_ok(dev, what))
		return NULL;
	return ma_dr_find(dev, &k, unlink);
}

void *devres_find(struct device *dev, dr_release_t release, dr_match_t match, void *match_data)
{
	struct ma_devres *dr =
		ma_devres_lookup(dev, release, match, match_data, false, "devres_find");

	return dr ? dr->res : NULL;
}

void *devres_remove(struct device *dev, dr_release_t release, dr_match_t match, void *match_data)
{
	struct ma_devres *dr =
		ma_devres_lookup(dev, release, match, match_data, true, "devres_remove");

	return dr ? dr->res : NULL;
}

int devres_destroy(struct device *dev, dr_release_t release, dr_match_t match, void *match_data)
{
	struct ma_devres *dr =
		ma_devres_lookup(dev, release, match, match_data, true, "devres_destroy");

	if (!dr)
		return -ENOENT;
	ma_dr_free(dr);
	return 0;
}

int devres_release(struct device *dev, dr_release_t release, dr_match_t match, void *match_data)
{
	struct ma_devres *dr =
		ma_devres_lookup(dev, release, match, match_data, true, "devres_release");

	if (!dr)
		return -ENOENT;
	release(dev, dr->res);
	ma_dr_free(dr);
	return 0;
}

/* ---- what Linux's layout would cost ------------------------------------------------------ */

size_t minalign_device_devres_count(struct device *dev)
{
	size_t n;

	if (!dev)
		return 0;
	ma_mutex_lock(&dev->p->lock);
	n = dev->p->nr_linux;
	ma_mutex_unlock(&dev->p->lock);
	return n;
}

size_t minalign_device_devres_pad_bytes(struct device *dev)
{
	return minalign_device_devres_count(dev) * ma_devres_linux_pad();
}
