/* SPDX-License-Identifier: MIT */
/*
 * core/warn.c - WARN/BUG for driver code (the macros are in <minalign/linux.h>) and
 * object_is_on_stack().
 *
 * A WARN or BUG that fires in driver code is a bug the driver detected: one report (subsystem
 * "warn" or "bug", file and line in the message) through the report handler; BUG then aborts,
 * as the kernel would stop.  Locking: none (report.c's rules).
 */
#include "core/core.h"

#include <minalign/linux.h>

#include <stdarg.h>

int minalign_warn(int cond, const char *file, int line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	if (!cond)
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ma_report("warn", NULL, 0, 0, "WARNING at %s:%d: %s", file, line, msg);
	return cond;
}

void minalign_bug(const char *file, int line, const char *cond)
{
	ma_report("bug", NULL, 0, 0, "BUG at %s:%d: %s", file, line, cond);
	abort();
}

bool minalign_object_is_on_stack(const void *obj)
{
	return ma_plat_on_stack(obj);
}
