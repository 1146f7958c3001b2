/* SPDX-License-Identifier: MIT */
/*
 * tools/replay/tracedat.c - trace.dat to `trace-cmd report` text (tracedat.h).
 *
 * libtracecmd opens the file (its header, the event formats, kallsyms and cmdlines it carries,
 * every CPU's ring-buffer pages) and iterates the records in time order over all CPUs;
 * libtraceevent prints each one with the event's own print format, so call sites come out as
 * `func+0xoff` where the file has kallsyms, exactly as `trace-cmd report` prints them.  Records
 * the ring buffer dropped before a record are announced as trace-cmd does:
 * `CPU:N [n EVENTS DROPPED]`, or `CPU:N [EVENTS DROPPED]` when the count is unknown.
 *
 * The text goes to a tmpfile() that traceparse reads like any other text input, so every input
 * rule (fields by key, malformed events, gfp flags) is the same for binary and text traces.
 * Built only with libtracecmd (MINALIGN_HAVE_TRACECMD); without it td_to_text() says so.
 */
#include "replay/tracedat.h"

#include <errno.h>
#include <string.h>

#ifdef MINALIGN_HAVE_TRACECMD
#include <trace-cmd/trace-cmd.h>
#endif

/* 0x17 0x08 0x44 "tracing" */
static const unsigned char td_magic[10] = {0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g'};

bool td_is_tracedat(FILE *f)
{
	unsigned char b[sizeof(td_magic)];
	size_t n = fread(b, 1, sizeof(b), f);

	rewind(f);
	return n == sizeof(b) && !memcmp(b, td_magic, sizeof(b));
}

#ifdef MINALIGN_HAVE_TRACECMD

bool td_available(void)
{
	return true;
}

struct td_ctx {
	FILE *out;
	struct trace_seq seq;
	bool failed;
};

static int td_record(struct tracecmd_input *h, struct tep_record *rec, int cpu, void *arg)
{
	struct td_ctx *c = arg;
	struct tep_handle *tep = tracecmd_get_tep(h);

	if (rec->missed_events > 0)
		fprintf(c->out, "CPU:%d [%lld EVENTS DROPPED]\n", cpu, rec->missed_events);
	else if (rec->missed_events < 0)
		fprintf(c->out, "CPU:%d [EVENTS DROPPED]\n", cpu);
	trace_seq_reset(&c->seq);
	tep_print_event(tep, &c->seq, rec, "%16s-%-5d [%03d] %6.1000d: %s: %s\n", TEP_PRINT_COMM,
			TEP_PRINT_PID, TEP_PRINT_CPU, TEP_PRINT_TIME, TEP_PRINT_NAME,
			TEP_PRINT_INFO);
	trace_seq_terminate(&c->seq);
	if (c->seq.state != TRACE_SEQ__GOOD ||
	    fwrite(c->seq.buffer, 1, c->seq.len, c->out) != c->seq.len) {
		c->failed = true;
		return 1;
	}
	return 0;
}

FILE *td_to_text(const char *path, char *err, size_t errlen)
{
	struct td_ctx c = {0};
	struct tracecmd_input *h;

	tracecmd_set_loglevel(TEP_LOG_NONE);
	h = tracecmd_open(path, TRACECMD_FL_LOAD_NO_PLUGINS | TRACECMD_FL_LOAD_NO_SYSTEM_PLUGINS);
	if (!h) {
		snprintf(err, errlen, "%s: libtracecmd cannot read it as a trace.dat file", path);
		return NULL;
	}
	c.out = tmpfile();
	if (!c.out) {
		snprintf(err, errlen, "cannot create a temporary file: %s", strerror(errno));
		tracecmd_close(h);
		return NULL;
	}
	trace_seq_init(&c.seq);
	if (tracecmd_iterate_events(h, NULL, 0, td_record, &c) < 0 || c.failed) {
		snprintf(err, errlen, "%s: reading its events failed", path);
		fclose(c.out);
		c.out = NULL;
	}
	trace_seq_destroy(&c.seq);
	tracecmd_close(h);
	if (c.out && (fflush(c.out) || fseek(c.out, 0, SEEK_SET))) {
		snprintf(err, errlen, "writing a temporary file failed: %s", strerror(errno));
		fclose(c.out);
		return NULL;
	}
	return c.out;
}

#else /* !MINALIGN_HAVE_TRACECMD */

bool td_available(void)
{
	return false;
}

FILE *td_to_text(const char *path, char *err, size_t errlen)
{
	snprintf(err, errlen,
		 "%s is a trace.dat file, but minalign was built without libtracecmd "
		 "(install libtracecmd-dev and rebuild, or convert it with `trace-cmd report`)",
		 path);
	return NULL;
}

#endif
