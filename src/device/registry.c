/* SPDX-License-Identifier: MIT */
/*
 * device/registry.c - the set of live devices: a device handle is looked up here before any
 * byte of it is read, so a stale pointer (a destroyed device, whose memory may be freed or
 * reused by anything else, or one that outlived minalign_exit()) is recognised without touching
 * it.  minalign_exit() destroys the devices still registered.
 *
 * Also the set of live devres_alloc() nodes, hashed by their data pointer, so devres_free(),
 * devres_add() & co never read a header in front of a pointer they were handed (a malloc'd or
 * stack pointer, or one already freed, is simply not found).
 *
 * Owns a fixed table of MA_DEVREG_MAX pointers (no allocation: registering never fails for
 * lack of memory; the table itself never leaks).  Lookups are a linear scan under a spinlock:
 * O(live devices), on device creation, destruction, devres and coherent/pool calls, never on a
 * streaming map or sync.
 *
 * Locking: ma_devreg_lock (a leaf spinlock).
 */
#include "device/device.h"

#define MA_DEVREG_MAX 4096

static ma_spinlock_t ma_devreg_lock = MA_SPINLOCK_INIT;
static struct device *ma_devreg[MA_DEVREG_MAX];
static unsigned int ma_devreg_n;

/* fork (lib/fork.c): a leaf, taken after every other library lock and released first. */
static ma_spinlock_t ma_drreg_lock = MA_SPINLOCK_INIT;

void ma_devreg_atfork(enum ma_fork_phase phase)
{
	if (phase == MA_FORK_PREPARE) {
		ma_spin_lock(&ma_devreg_lock);
		ma_spin_lock(&ma_drreg_lock); /* the devres_alloc() registry: a leaf too */
	} else {
		ma_spin_unlock(&ma_drreg_lock);
		ma_spin_unlock(&ma_devreg_lock);
	}
}

int ma_devreg_add(struct device *dev)
{
	int err = -ENOSPC;

	ma_spin_lock(&ma_devreg_lock);
	if (ma_devreg_n < MA_DEVREG_MAX) {
		ma_devreg[ma_devreg_n++] = dev;
		err = 0;
	}
	ma_spin_unlock(&ma_devreg_lock);
	return err;
}

void ma_devreg_del(const struct device *dev)
{
	ma_spin_lock(&ma_devreg_lock);
	for (unsigned int i = 0; i < ma_devreg_n; i++)
		if (ma_devreg[i] == dev) {
			ma_devreg[i] = ma_devreg[--ma_devreg_n];
			break;
		}
	ma_spin_unlock(&ma_devreg_lock);
}

bool ma_devreg_has(const struct device *dev)
{
	bool found = false;

	ma_spin_lock(&ma_devreg_lock);
	for (unsigned int i = 0; i < ma_devreg_n && !found; i++)
		found = ma_devreg[i] == dev;
	ma_spin_unlock(&ma_devreg_lock);
	return found;
}

struct device *ma_devreg_first(void)
{
	struct device *dev;

	ma_spin_lock(&ma_devreg_lock);
	dev = ma_devreg_n ? ma_devreg[0] : NULL;
	ma_spin_unlock(&ma_devreg_lock);
	return dev;
}

/* ---- devres_alloc() nodes ------------------------------------------------------------------ */

#define MA_DRREG_BUCKETS 1024

static struct ma_devres *ma_drreg[MA_DRREG_BUCKETS];

static unsigned int ma_drreg_hash(const void *res)
{
	return (unsigned int)(((uintptr_t)res * 0x9e3779b97f4a7c15ull) >> 54) &
	       (MA_DRREG_BUCKETS - 1);
}

void ma_drreg_add(struct ma_devres *dr)
{
	struct ma_devres **b = &ma_drreg[ma_drreg_hash(dr->data)];

	ma_spin_lock(&ma_drreg_lock);
	dr->hnext = *b;
	*b = dr;
	ma_spin_unlock(&ma_drreg_lock);
}

void ma_drreg_del(struct ma_devres *dr)
{
	struct ma_devres **pp = &ma_drreg[ma_drreg_hash(dr->data)];

	ma_spin_lock(&ma_drreg_lock);
	for (; *pp; pp = &(*pp)->hnext)
		if (*pp == dr) {
			*pp = dr->hnext;
			break;
		}
	ma_spin_unlock(&ma_drreg_lock);
}

struct ma_devres *ma_drreg_find(const void *res)
{
	struct ma_devres *dr;

	ma_spin_lock(&ma_drreg_lock);
	for (dr = ma_drreg[ma_drreg_hash(res)]; dr && (const void *)dr->data != res; dr = dr->hnext)
		;
	ma_spin_unlock(&ma_drreg_lock);
	return dr;
}
