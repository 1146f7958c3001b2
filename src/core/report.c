/* SPDX-License-Identifier: MIT */
/*
 * core/report.c - misuse reports.
 *
 * Owns the report handler.  The handler pointer and its argument are published together as
 * one immutable pair (swapped atomically), so a report racing with minalign_set_report_handler
 * sees either the old pair or the new one, never a mix.  Reports are formatted on the stack and
 * delivered on the reporting thread: at once when it holds no library lock, else queued (per
 * thread) and delivered when it drops its last lock (platform.h counts the locks), still inside
 * the call that made them.  So no library lock is ever held while the handler runs, from any
 * subsystem, and a handler may call any API.
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

/*
 * Reports made while the thread holds a library lock wait here (per thread) until its last lock
 * is dropped (ma_lock_dropped() in platform.h calls ma_report_flush()).  A ring of
 * MA_REPORT_QUEUE; more than that under one lock are counted and announced by one report.
 */
#define MA_REPORT_QUEUE 8

struct ma_queued {
	char subsys[16];
	char dev[64];
	char msg[512];
	uint64_t addr;
	size_t size;
};

static _Thread_local struct {
	struct ma_queued q[MA_REPORT_QUEUE];
	unsigned int head, count, dropped;
} ma_rq;

static void ma_deliver(const char *subsys, const char *dev, uint64_t addr, size_t size,
		       const char *msg)
{
	const struct ma_handler *h;
	struct minalign_report r;

	r.subsystem = subsys;
	r.device = dev;
	r.message = msg;
	r.addr = addr;
	r.size = size;
	h = atomic_load_explicit(&ma_handler, memory_order_acquire);
	h->fn(&r, h->arg);
	if (ma_cfg.abort_on_report && ma_is_up())
		abort();
}

void ma_report_flush(void)
{
	struct ma_queued e;

	while (ma_rq.count && !ma_lockdepth.held) {
		e = ma_rq.q[ma_rq.head];
		ma_rq.head = (ma_rq.head + 1) % MA_REPORT_QUEUE;
		ma_rq.count--;
		ma_lockdepth.queued = ma_rq.count + ma_rq.dropped;
		ma_deliver(e.subsys, e.dev, e.addr, e.size, e.msg); /* may report again */
	}
	if (ma_rq.dropped && !ma_rq.count && !ma_lockdepth.held) {
		snprintf(e.msg, sizeof(e.msg), "%u more reports were dropped (made under a lock)",
			 ma_rq.dropped);
		ma_rq.dropped = 0;
		ma_lockdepth.queued = 0;
		ma_deliver("core", "-", 0, 0, e.msg);
	}
}

static void ma_enqueue(const char *subsys, const char *dev, uint64_t addr, size_t size,
		       const char *msg)
{
	struct ma_queued *e;

	if (ma_rq.count == MA_REPORT_QUEUE) {
		ma_rq.dropped++;
	} else {
		e = &ma_rq.q[(ma_rq.head + ma_rq.count) % MA_REPORT_QUEUE];
		snprintf(e->subsys, sizeof(e->subsys), "%s", subsys);
		snprintf(e->dev, sizeof(e->dev), "%s", dev);
		snprintf(e->msg, sizeof(e->msg), "%s", msg);
		e->addr = addr;
		e->size = size;
		ma_rq.count++;
	}
	ma_lockdepth.queued = ma_rq.count + ma_rq.dropped;
}

void ma_report(const char *subsys, const char *dev, uint64_t addr, size_t size, const char *fmt,
	       ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	subsys = subsys ? subsys : "core";
	dev = dev ? dev : "-";
	ma_stat_add(MA_STAT_reports, 1);
	if (ma_lockdepth.held) {
		ma_enqueue(subsys, dev, addr, size, msg);
		return;
	}
	ma_deliver(subsys, dev, addr, size, msg);
}
