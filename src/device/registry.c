/* SPDX-License-Identifier: MIT */
/*
 * device/registry.c - the set of live devices: a device handle is looked up here before any
 * byte of it is read, so a stale pointer (a destroyed device, whose memory may be freed or
 * reused by anything else, or one that outlived minalign_exit()) is recognised without touching
 * it.  minalign_exit() destroys the devices still registered.
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
