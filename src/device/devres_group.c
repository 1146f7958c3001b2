/* SPDX-License-Identifier: MIT */
/*
 * device/devres_group.c - devres groups and the devres calls built on the resource list:
 * devres_open_group/close_group/remove_group/release_group, devres_get, devm_is_action_added,
 * devm_krealloc, devm_kasprintf, devm_kstrdup_const, devm_get_free_pages/devm_free_pages.
 *
 * Groups, as Linux's drivers/base/devres.c: devres_open_group() puts an open marker on the
 * list (its id is the caller's, or the marker itself) and preallocates the close marker, which
 * devres_close_group() links, so closing never fails.  A NULL id names the newest group not yet
 * closed.  devres_release_group() releases, newest first, every resource from the open marker
 * to the close marker (to the newest entry when the group is open), and drops the markers of
 * every group wholly inside that range (its own included); markers of groups only partly inside
 * stay.  The markers are bookkeeping: they are not counted as Linux devres.
 *
 * Locking: dev->p->lock around every list walk and change; releases, kfree() and metadata frees
 * run with it released (devres.c's rule).
 */
#include "device/device.h"
#include "slab/slab.h"

#include <stdarg.h>
#include <stdio.h>

#include <minalign/slab.h>

/* ---- groups --------------------------------------------------------------------------------- */

/* The newest open marker of group @id (NULL: newest not closed).  Under dev->p->lock. */
static struct ma_devres *ma_group_find(struct device *dev, void *id)
{
	for (struct ma_devres *dr = dev->p->newest; dr; dr = dr->older) {
		if (dr->kind != MA_DR_GROUP_OPEN)
			continue;
		if (id ? dr->res == id : !dr->partner->dev)
			return dr;
	}
	return NULL;
}

void *devres_open_group(struct device *dev, void *id, gfp_t gfp)
{
	struct ma_devres *open, *close;

	(void)gfp;
	if (!ma_devres_dev_ok(dev, "devres_open_group"))
		return NULL;
	open = ma_dr_new(MA_DR_GROUP_OPEN, 0);
	close = open ? ma_dr_new(MA_DR_GROUP_CLOSE, 0) : NULL;
	if (!close) {
		if (open)
			ma_dr_free(open);
		return NULL;
	}
	open->res = id ? id : open;
	open->partner = close;
	close->res = open->res;
	close->partner = open;
	ma_mutex_lock(&dev->p->lock);
	ma_dr_link(dev, open);
	ma_mutex_unlock(&dev->p->lock);
	return open->res;
}

void devres_close_group(struct device *dev, void *id)
{
	struct ma_devres *open;

	if (!ma_devres_dev_ok(dev, "devres_close_group"))
		return;
	ma_mutex_lock(&dev->p->lock);
	open = ma_group_find(dev, id);
	if (open && !open->partner->dev)
		ma_dr_link(dev, open->partner);
	ma_mutex_unlock(&dev->p->lock);
	if (!open) /* Linux: WARN_ON(1) */
		ma_report("device", dev->p->name, 0, 0, "devres_close_group(%p): no such group",
			  id);
}

void devres_remove_group(struct device *dev, void *id)
{
	struct ma_devres *open;

	if (!ma_devres_dev_ok(dev, "devres_remove_group"))
		return;
	ma_mutex_lock(&dev->p->lock);
	open = ma_group_find(dev, id);
	if (open) {
		ma_dr_unlink(dev, open);
		if (open->partner->dev)
			ma_dr_unlink(dev, open->partner);
	}
	ma_mutex_unlock(&dev->p->lock);
	if (!open) {
		ma_report("device", dev->p->name, 0, 0, "devres_remove_group(%p): no such group",
			  id);
		return;
	}
	ma_dr_free(open); /* frees the (now unlinked) close marker with it */
}

/*
 * Take the range [@open, its close marker or the newest entry] off @dev's list: resources go
 * to *@todo (newest first, linked by ->older), wholly contained groups to *@groups (open
 * markers, linked by ->older).  The walk goes newest to oldest, so a group's close marker is
 * met (and left in place) before its open marker decides for both.  Under dev->p->lock.
 * Return: resources taken.
 */
static int ma_group_take(struct device *dev, struct ma_devres *open, struct ma_devres **todo,
			 struct ma_devres **groups)
{
	struct ma_devres *first = open->partner->dev ? open->partner : dev->p->newest;
	struct ma_devres *dr, *next, **tail = todo;
	int n = 0;

	for (dr = first; dr; dr = dr == open ? NULL : dr->older)
		dr->mark = true;
	for (dr = first; dr; dr = next) {
		next = dr == open ? NULL : dr->older;
		if (dr->kind == MA_DR_GROUP_OPEN) {
			struct ma_devres *close = dr->partner;

			if (close->dev && !close->mark) /* closed beyond the range: stays */
				continue;
			if (close->dev)
				ma_dr_unlink(dev, close);
			ma_dr_unlink(dev, dr);
			dr->older = *groups;
			*groups = dr;
		} else if (dr->kind != MA_DR_GROUP_CLOSE) {
			ma_dr_unlink(dev, dr);
			*tail = dr;
			tail = &dr->older;
			n++;
		}
	}
	*tail = NULL;
	for (dr = dev->p->newest; dr; dr = dr->older)
		dr->mark = false;
	for (dr = *groups; dr; dr = dr->older)
		dr->mark = dr->partner->mark = false;
	return n;
}

int devres_release_group(struct device *dev, void *id)
{
	struct ma_devres *open, *todo = NULL, *groups = NULL, *next;
	int n = 0;

	if (!ma_devres_dev_ok(dev, "devres_release_group"))
		return 0;
	ma_mutex_lock(&dev->p->lock);
	open = ma_group_find(dev, id);
	if (open)
		n = ma_group_take(dev, open, &todo, &groups);
	ma_mutex_unlock(&dev->p->lock);
	if (!open) {
		ma_report("device", dev->p->name, 0, 0, "devres_release_group(%p): no such group",
			  id);
		return 0;
	}
	for (; todo; todo = next) {
		next = todo->older;
		ma_dr_run(dev, todo);
		ma_dr_free(todo);
	}
	for (; groups; groups = next) {
		next = groups->older;
		ma_dr_free(groups);
	}
	return n;
}

/* ---- lookups and replacements -----------------------------------------------------------------
 */

void *devres_get(struct device *dev, void *new_res, dr_match_t match, void *match_data)
{
	struct ma_devres *nd, *dr;
	struct ma_dr_key k = {.kind = MA_DR_DEVRES, .match = match, .match_data = match_data};

	if (!ma_devres_dev_ok(dev, "devres_get"))
		return NULL;
	nd = new_res ? ma_dr_check(new_res, "devres_get") : NULL;
	if (!nd) {
		if (!new_res)
			ma_report("device", dev->p->name, 0, 0, "devres_get: NULL resource");
		return NULL;
	}
	if (nd->dev) {
		ma_report("device", dev->p->name, 0, 0, "devres_get(%p): already on a list",
			  new_res);
		return NULL;
	}
	k.release = nd->fn.release;
	ma_mutex_lock(&dev->p->lock);
	dr = ma_dr_find_locked(dev, &k);
	if (!dr) {
		ma_dr_link(dev, nd);
		dr = nd;
		nd = NULL;
	}
	ma_mutex_unlock(&dev->p->lock);
	if (nd)
		ma_dr_free(nd);
	return dr->res;
}

bool devm_is_action_added(struct device *dev, void (*action)(void *), void *data)
{
	struct ma_dr_key k = {.kind = MA_DR_ACTION, .action = action, .res = data};

	if (!ma_devres_dev_ok(dev, "devm_is_action_added"))
		return false;
	return ma_dr_find(dev, &k, false) != NULL;
}

void *devm_krealloc(struct device *dev, void *ptr, size_t new_size, gfp_t gfp)
{
	struct ma_dr_key k = {.kind = MA_DR_KMALLOC, .res = ptr};
	struct ma_devres *dr;
	size_t old;
	void *n;

	if (!new_size) {
		devm_kfree(dev, ptr);
		return ZERO_SIZE_PTR;
	}
	if (ZERO_OR_NULL_PTR(ptr))
		return devm_kmalloc(dev, new_size, gfp);
	if (!ma_devres_dev_ok(dev, "devm_krealloc"))
		return NULL;
	if (!ma_dr_find(dev, &k, false)) { /* Linux: WARN, NULL */
		ma_report("device", dev->p->name, 0, new_size,
			  "devm_krealloc(%p): not a devm_kmalloc allocation of this device", ptr);
		return NULL;
	}
	old = ksize(ptr);
	if (new_size <= old)
		return ptr; /* Linux: the chunk is large enough, the same pointer */
	n = kmalloc(new_size, gfp);
	if (!n)
		return NULL;
	ma_mutex_lock(&dev->p->lock);
	dr = ma_dr_find_locked(dev, &k);
	if (dr) { /* the new buffer takes the old one's place in the release order */
		dr->res = n;
		dr->size = new_size;
		ma_slab_set_managed(n, true); /* a plain kfree() of it is refused */
	}
	ma_mutex_unlock(&dev->p->lock);
	if (!dr) { /* freed by another thread meanwhile */
		kfree(n);
		ma_report("device", dev->p->name, 0, new_size,
			  "devm_krealloc(%p): freed while being reallocated", ptr);
		return NULL;
	}
	memcpy(n, ptr, MA_MIN(old, new_size));
	ma_slab_set_managed(ptr, false);
	kfree(ptr);
	return n;
}

void *devm_krealloc_array(struct device *dev, void *p, size_t new_n, size_t new_size, gfp_t flags)
{
	size_t bytes;

	if (__builtin_mul_overflow(new_n, new_size, &bytes))
		return NULL;
	return devm_krealloc(dev, p, bytes, flags);
}

/* ---- strings and pages ------------------------------------------------------------------------
 */

char *devm_kvasprintf(struct device *dev, gfp_t gfp, const char *fmt, va_list ap)
{
	va_list aq;
	int len;
	char *p;

	va_copy(aq, ap);
	len = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (len < 0)
		return NULL;
	p = devm_kmalloc(dev, (size_t)len + 1, gfp);
	if (p)
		vsnprintf(p, (size_t)len + 1, fmt, ap);
	return p;
}

char *devm_kasprintf(struct device *dev, gfp_t gfp, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = devm_kvasprintf(dev, gfp, fmt, ap);
	va_end(ap);
	return p;
}

const char *devm_kstrdup_const(struct device *dev, const char *s, gfp_t gfp)
{
	return devm_kstrdup(dev, s, gfp); /* minalign always copies (kstrdup_const) */
}

struct ma_devm_pages {
	unsigned long addr;
	unsigned int order;
};

static void ma_devm_pages_release(struct device *dev, void *res)
{
	struct ma_devm_pages *p = res;

	(void)dev;
	free_pages(p->addr, p->order);
}

static int ma_devm_pages_match(struct device *dev, void *res, void *data)
{
	(void)dev;
	return ((struct ma_devm_pages *)res)->addr == *(unsigned long *)data;
}

unsigned long devm_get_free_pages(struct device *dev, gfp_t gfp_mask, unsigned int order)
{
	struct ma_devm_pages *p;
	unsigned long addr;

	if (!ma_devres_dev_ok(dev, "devm_get_free_pages"))
		return 0;
	p = devres_alloc(ma_devm_pages_release, sizeof(*p), gfp_mask);
	if (!p)
		return 0;
	addr = __get_free_pages(gfp_mask, order);
	if (!addr) {
		devres_free(p);
		return 0;
	}
	p->addr = addr;
	p->order = order;
	devres_add(dev, p);
	return addr;
}

void devm_free_pages(struct device *dev, unsigned long addr)
{
	if (!ma_devres_dev_ok(dev, "devm_free_pages"))
		return;
	if (devres_release(dev, ma_devm_pages_release, ma_devm_pages_match, &addr))
		ma_report("device", dev->p->name, 0, 0,
			  "devm_free_pages(%#lx): not a devm_get_free_pages block of this device",
			  addr);
}
