/* SPDX-License-Identifier: MIT */
/*
 * device/printk.c - the kernel's printing for driver code: dev_printk() and friends (their
 * macros are in <minalign/linux.h>), dev_err_probe(), and the log handler.
 *
 * dev_printk messages are not misuse reports: they go to the log handler (default: stderr, one
 * line "<level>: <device>: <message>"), never counted in the reports statistic.
 *
 * Locking: the handler pair is swapped atomically, as the report handler is (report.c); no lock
 * is held while a handler runs.
 */
#include "device/device.h"

#include <minalign/linux.h>

#include <stdarg.h>

static const char *const ma_level_names[8] = {"emerg", "alert",	 "crit", "err",
					      "warn",  "notice", "info", "debug"};

struct ma_log_handler {
	minalign_log_fn fn;
	void *arg;
};

static void ma_log_default(const struct minalign_log *l, void *arg)
{
	size_t n = strlen(l->message);

	(void)arg;
	fprintf(stderr, "%s: %s: %s%s", ma_level_names[l->level & 7], l->device, l->message,
		n && l->message[n - 1] == '\n' ? "" : "\n");
}

static const struct ma_log_handler ma_log_def = {ma_log_default, NULL};
static struct ma_log_handler ma_log_slots[2];
static unsigned int ma_log_next;
static ma_mutex_t ma_log_lock = MA_MUTEX_INIT;
static _Atomic(const struct ma_log_handler *) ma_log_cur = &ma_log_def;

void minalign_set_log_handler(minalign_log_fn fn, void *arg)
{
	struct ma_log_handler *h;

	if (!fn) {
		atomic_store_explicit(&ma_log_cur, &ma_log_def, memory_order_release);
		return;
	}
	ma_mutex_lock(&ma_log_lock);
	h = &ma_log_slots[ma_log_next];
	ma_log_next ^= 1;
	h->fn = fn;
	h->arg = arg;
	atomic_store_explicit(&ma_log_cur, h, memory_order_release);
	ma_mutex_unlock(&ma_log_lock);
}

/* The level of a KERN_* prefix ("\0013"); messages without one are KERN_DEFAULT (warn). */
static int ma_log_level(const char *level)
{
	if (level && level[0] == '\001' && level[1] >= '0' && level[1] <= '7')
		return level[1] - '0';
	return 4;
}

int minalign_dev_vprintk(const char *level, const struct device *dev, const char *fmt, va_list ap)
{
	const struct ma_log_handler *h;
	struct minalign_log l;
	char msg[512];
	int n;

	if (!level && fmt && fmt[0] == '\001' && fmt[1]) { /* printk(KERN_ERR "...") */
		level = fmt;
		fmt += 2;
	}
	n = vsnprintf(msg, sizeof(msg), fmt ? fmt : "(null)", ap);
	l.level = ma_log_level(level);
	l.device = dev ? dev_name(dev) : "(NULL device *)";
	l.message = msg;
	h = atomic_load_explicit(&ma_log_cur, memory_order_acquire);
	h->fn(&l, h->arg);
	return n;
}

int minalign_dev_printk(const char *level, const struct device *dev, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = minalign_dev_vprintk(level, dev, fmt, ap);
	va_end(ap);
	return n;
}

int dev_err_probe(const struct device *dev, int err, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Linux: a deferred probe is only a debug message; anything else an error naming err */
	if (err == -EPROBE_DEFER)
		minalign_dev_printk(KERN_DEBUG, dev, "error %d: %s", err, msg);
	else
		minalign_dev_printk(KERN_ERR, dev, "error %d: %s", err, msg);
	return err;
}
