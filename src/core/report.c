/* SPDX-License-Identifier: MIT */
/*
 * core/report.c - misuse reports.
 *
 * Owns the report handler.  The handler pointer and its argument are published together as
 * one immutable pair (swapped atomically), so a report racing with minalign_set_report_handler
 * sees either the old pair or the new one, never a mix.  Reports are formatted on the stack and
 * delivered synchronously on the reporting thread; no lock is held by this file while the
 * handler runs, so a handler may call back into the library.
 */
#include "core/core.h"

#include <stdarg.h>

struct ma_handler {
	minalign_report_fn fn;
	void *arg;
};

static void ma_default_handler(const struct minalign_report *r, void *arg)
{
	(void)arg;
	fprintf(stderr, "minalign: %s: %s: %s\n", r->subsystem, r->device, r->message);
}

static const struct ma_handler ma_default = {ma_default_handler, NULL};
/* Two slots so a new pair is never written while a reporter may be reading it. */
static struct ma_handler ma_slots[2];
static unsigned int ma_slot_next;
static ma_mutex_t ma_handler_lock = MA_MUTEX_INIT;
static _Atomic(const struct ma_handler *) ma_handler = &ma_default;

void minalign_set_report_handler(minalign_report_fn fn, void *arg)
{
	struct ma_handler *h;

	if (!fn) {
		atomic_store_explicit(&ma_handler, &ma_default, memory_order_release);
		return;
	}
	ma_mutex_lock(&ma_handler_lock);
	h = &ma_slots[ma_slot_next];
	ma_slot_next ^= 1;
	h->fn = fn;
	h->arg = arg;
	atomic_store_explicit(&ma_handler, h, memory_order_release);
	ma_mutex_unlock(&ma_handler_lock);
}

void ma_report(const char *subsys, const char *dev, uint64_t addr, size_t size, const char *fmt,
	       ...)
{
	const struct ma_handler *h;
	struct minalign_report r;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r.subsystem = subsys ? subsys : "core";
	r.device = dev ? dev : "-";
	r.message = msg;
	r.addr = addr;
	r.size = size;
	ma_stat_add(MA_STAT_reports, 1);
	h = atomic_load_explicit(&ma_handler, memory_order_acquire);
	h->fn(&r, h->arg);
	if (ma_cfg.abort_on_report && ma_is_up())
		abort();
}
