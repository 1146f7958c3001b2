/* SPDX-License-Identifier: MIT */
/*
 * core/fault.c - fault injection: "fail the Nth allocation from now".
 *
 * Owns the injection state.  ma_fault_armed holds the armed kinds (MINALIGN_FAULT_PAGE,
 * MINALIGN_FAULT_META); when it is 0 the check in ma_fault_fail() is one relaxed load.  When
 * armed, every allocation of an armed kind takes a ticket (atomic increment); the ticket equal
 * to the target fails, and with MINALIGN_FAULT_PERSIST every later ticket fails too.  Tickets
 * make the Nth allocation well defined even when several threads allocate.
 */
#include "core/core.h"

atomic_uint ma_fault_armed;
static atomic_ulong ma_fault_target;
static atomic_ulong ma_fault_seen;
static atomic_ulong ma_fault_hit;
static atomic_bool ma_fault_persist;

void minalign_fault_set(unsigned long nth, unsigned int flags)
{
	atomic_store(&ma_fault_armed, 0);
	atomic_store(&ma_fault_seen, 0);
	atomic_store(&ma_fault_hit, 0);
	atomic_store(&ma_fault_target, nth);
	atomic_store(&ma_fault_persist, (flags & MINALIGN_FAULT_PERSIST) != 0);
	if (nth)
		atomic_store(&ma_fault_armed, flags & (MINALIGN_FAULT_PAGE | MINALIGN_FAULT_META));
}

bool ma_fault_fail_slow(unsigned int kind)
{
	unsigned long ticket, target;

	(void)kind;
	ticket = atomic_fetch_add(&ma_fault_seen, 1) + 1;
	target = atomic_load(&ma_fault_target);
	if (ticket == target || (ticket > target && atomic_load(&ma_fault_persist))) {
		atomic_fetch_add(&ma_fault_hit, 1);
		return true;
	}
	return false;
}

unsigned long minalign_fault_hits(void)
{
	return atomic_load(&ma_fault_hit);
}

unsigned long minalign_fault_count(void)
{
	return atomic_load(&ma_fault_seen);
}
