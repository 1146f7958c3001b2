/* SPDX-License-Identifier: MIT */
/*
 * tests/common/test_util.c - report capture, leak snapshots and init helpers for the tests.
 */
#include "test_util.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t tu_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tu_report tu_log[TU_MAX_REPORTS];
static unsigned int tu_nlog;   /* stored */
static unsigned int tu_ntotal; /* seen, including those beyond the log */

static void tu_handler(const struct minalign_report *r, void *arg)
{
	(void)arg;
	pthread_mutex_lock(&tu_lock);
	if (tu_nlog < TU_MAX_REPORTS) {
		struct tu_report *t = &tu_log[tu_nlog++];

		snprintf(t->subsystem, sizeof(t->subsystem), "%s", r->subsystem);
		snprintf(t->device, sizeof(t->device), "%s", r->device);
		snprintf(t->message, sizeof(t->message), "%s", r->message);
		t->addr = r->addr;
		t->size = r->size;
	}
	tu_ntotal++;
	pthread_mutex_unlock(&tu_lock);
}

void tu_reports_capture(void)
{
	tu_reports_clear();
	minalign_set_report_handler(tu_handler, NULL);
}

void tu_reports_release(void)
{
	minalign_set_report_handler(NULL, NULL);
}

void tu_reports_clear(void)
{
	pthread_mutex_lock(&tu_lock);
	tu_nlog = 0;
	tu_ntotal = 0;
	pthread_mutex_unlock(&tu_lock);
}

unsigned int tu_reports_count(void)
{
	unsigned int n;

	pthread_mutex_lock(&tu_lock);
	n = tu_ntotal;
	pthread_mutex_unlock(&tu_lock);
	return n;
}

const struct tu_report *tu_report_get(unsigned int i)
{
	return i < tu_nlog ? &tu_log[i] : NULL;
}

void tu_reports_dump(void)
{
	unsigned int i;

	pthread_mutex_lock(&tu_lock);
	for (i = 0; i < tu_nlog; i++)
		fprintf(stderr, "  report %u: %s: %s: %s (addr %#llx size %zu)\n", i,
			tu_log[i].subsystem, tu_log[i].device, tu_log[i].message,
			(unsigned long long)tu_log[i].addr, tu_log[i].size);
	pthread_mutex_unlock(&tu_lock);
}

void tu_expect_report_(const char *subsys, const char *needle, const char *file, int line)
{
	unsigned int n = tu_reports_count();

	if (n != 1 || strcmp(tu_log[0].subsystem, subsys) != 0 ||
	    !strstr(tu_log[0].message, needle)) {
		fprintf(stderr,
			"%s:%d: expected exactly one '%s' report containing '%s', got %u:\n", file,
			line, subsys, needle, n);
		tu_reports_dump();
		_fail(file, line);
	}
	tu_reports_clear();
}

void tu_expect_no_report_(const char *file, int line)
{
	if (tu_reports_count() != 0) {
		fprintf(stderr, "%s:%d: expected no report, got %u:\n", file, line,
			tu_reports_count());
		tu_reports_dump();
		_fail(file, line);
	}
}

void tu_snapshot(struct tu_snapshot *s)
{
	struct minalign_stats st;

	/* Per-thread slab caches keep empty slabs after kfree; give them back so page counts
	 * compare exactly. */
	if (minalign_initialized())
		minalign_slab_shrink();
	minalign_get_stats(&st);
	s->pages_free = st.pages_free;
	s->meta_live = st.meta_live;
	s->slab_objects = st.slab_objects;
}

void tu_assert_no_leak_(const struct tu_snapshot *s, const char *file, int line)
{
	struct tu_snapshot now;

	tu_snapshot(&now); /* shrinks too */
	if (now.pages_free != s->pages_free || now.meta_live != s->meta_live) {
		fprintf(stderr, "%s:%d: leak: pages_free %llu -> %llu, meta_live %llu -> %llu\n",
			file, line, (unsigned long long)s->pages_free,
			(unsigned long long)now.pages_free, (unsigned long long)s->meta_live,
			(unsigned long long)now.meta_live);
		_fail(file, line);
	}
}

void tu_config_small(struct minalign_config *cfg)
{
	minalign_config_init(cfg);
	cfg->ram_size = (size_t)64 << 20;
	cfg->swiotlb_size = (size_t)1 << 20;
}

void tu_init(const struct minalign_config *cfg)
{
	struct minalign_config def;
	int err;

	if (!cfg) {
		tu_config_small(&def);
		cfg = &def;
	}
	err = minalign_init(cfg);
	if (err) {
		fprintf(stderr, "minalign_init failed: %d\n", err);
		_fail(__FILE__, __LINE__);
	}
}
