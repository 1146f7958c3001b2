/* SPDX-License-Identifier: MIT */
/*
 * tools/record/record.c - `minalign record`: capture a kmem trace on a live machine with
 * libtracefs, into a file `minalign replay` reads.
 *
 * Steps: find tracefs (libtracefs: /sys/kernel/tracing, or debugfs's tracing; `--tracefs DIR`
 * points it elsewhere, which the tests do with a fake directory); remember the `enable` file
 * of every event below that exists and `tracing_on`; enable them and turn tracing on; copy
 * `trace_pipe` (the text replay parses, call sites included) to the output for the given time;
 * then write back every value it found, also after SIGINT/SIGTERM and after a failure part-way.
 * Events: kmem's kmalloc, kmalloc_node, kfree, kmem_cache_alloc, kmem_cache_alloc_node,
 * kmem_cache_free (at least one must exist), and where the kernel has them dma's
 * dma_map_page, dma_map_sg, dma_unmap_page, dma_unmap_sg (6.8+) and swiotlb_bounced.
 *
 * Not restored: the events recorded are consumed from the ring buffer (trace_pipe reads
 * destructively), as `cat trace_pipe` would.  Events already in the buffer when the capture
 * starts are part of the output.
 *
 * Built only with libtracefs (MINALIGN_HAVE_TRACECMD); without it the subcommand says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/cli.h"
#include "common/json.h"
#include "record/record.h"

#ifdef MINALIGN_HAVE_TRACECMD
#include <tracefs/tracefs.h>
#endif

static const char *const rec_usage =
	"usage: minalign record [--seconds S] [--output FILE] [--tracefs DIR] [--json]\n"
	"Capture the kmem events (and dma/swiotlb ones where the kernel has them) with their call\n"
	"sites for S seconds (default 10) into FILE (default minalign-trace.txt), for `minalign\n"
	"replay`.  Needs root (a writable tracefs).  The tracing state found is restored.\n";

const struct rec_event rec_events[REC_NR_EVENTS] = {
	{"kmem", "kmalloc", true},
	{"kmem", "kmalloc_node", true},
	{"kmem", "kfree", true},
	{"kmem", "kmem_cache_alloc", true},
	{"kmem", "kmem_cache_alloc_node", true},
	{"kmem", "kmem_cache_free", true},
	{"dma", "dma_map_page", false},
	{"dma", "dma_map_sg", false},
	{"dma", "dma_unmap_page", false},
	{"dma", "dma_unmap_sg", false},
	{"swiotlb", "swiotlb_bounced", false},
};

struct rec_args {
	double seconds;
	const char *output;
	const char *tracefs;
	bool json;
};

static int rec_parse(int argc, char **argv, struct rec_args *a)
{
	static const struct cli_opt opts[] = {
		{"seconds", 's', CLI_REQ_ARG, 1}, {"output", 'o', CLI_REQ_ARG, 2},
		{"tracefs", 0, CLI_REQ_ARG, 3},	  {"json", 0, CLI_NO_ARG, 4},
		{NULL, 0, CLI_NO_ARG, 0},
	};
	struct cli_parser p;
	const char *v;
	char *end;
	int id;

	a->seconds = 10;
	a->output = "minalign-trace.txt";
	cli_parser_init(&p, "record", argc, argv, opts);
	while ((id = cli_next(&p, &v)) != CLI_END) {
		switch (id) {
		case CLI_HELP:
			fputs(rec_usage, stdout);
			return -1;
		case CLI_ERROR:
			return CLI_EXIT_USAGE;
		case CLI_POSITIONAL:
			return cli_usage_error("record", "unexpected argument '%.64s'", v);
		case 1:
			errno = 0;
			a->seconds = strtod(v, &end);
			if (errno || end == v || *end || !(a->seconds > 0 && a->seconds <= 3600))
				return cli_usage_error("record", "--seconds must be in (0, 3600]");
			break;
		case 2:
			a->output = v;
			break;
		case 3:
			a->tracefs = v;
			break;
		case 4:
			a->json = true;
			break;
		}
	}
	return CLI_EXIT_OK;
}

#ifdef MINALIGN_HAVE_TRACECMD

static volatile sig_atomic_t rec_stop;

static void rec_on_signal(int sig)
{
	(void)sig;
	rec_stop = 1;
}

struct rec_state {
	char enable[REC_NR_EVENTS]; /* the value found: '0', '1', or 0 = no such event */
	int tracing_on;		    /* as found, or -1 */
	unsigned int enabled;	    /* events turned on by us, in order */
};

static double rec_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * An event's file through libtracefs's path of the tracing directory (tracefs_get_tracing_file
 * honours tracefs_set_tracing_dir(); libtracefs 1.6's event helpers with a NULL instance look
 * for the system's mount instead).
 */
static char *rec_event_path(const struct rec_event *e, const char *file)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "events/%s/%s/%s", e->system, e->event, file);
	return tracefs_get_tracing_file(rel);
}

/* The first byte of the event's enable file ('0' or '1'), 0 when it does not exist, or -errno. */
static int rec_enable_read(const struct rec_event *e)
{
	char *path = rec_event_path(e, "enable"), c = 0;
	int fd, rc;

	if (!path)
		return -ENOMEM;
	fd = open(path, O_RDONLY);
	tracefs_put_tracing_file(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	rc = read(fd, &c, 1) == 1 ? (c == '1' ? '1' : '0') : -EIO;
	close(fd);
	return rc;
}

static int rec_enable_write(const struct rec_event *e, char v)
{
	char *path = rec_event_path(e, "enable");
	int fd, rc = 0;

	if (!path)
		return -ENOMEM;
	fd = open(path, O_WRONLY | O_TRUNC);
	tracefs_put_tracing_file(path);
	if (fd < 0)
		return -errno;
	if (write(fd, &v, 1) != 1)
		rc = -errno;
	close(fd);
	return rc;
}

/* Put back what rec_setup() found (every event it may have touched). */
static bool rec_restore(const struct rec_state *s)
{
	bool ok = true;

	for (int i = 0; i < REC_NR_EVENTS; i++) {
		if (s->enable[i] && rec_enable_write(&rec_events[i], s->enable[i]) < 0)
			ok = false;
	}
	if (s->tracing_on == 0 && tracefs_trace_off(NULL) < 0)
		ok = false;
	if (s->tracing_on == 1 && tracefs_trace_on(NULL) < 0)
		ok = false;
	return ok;
}

/* Remember each event's enable value, then turn it on; 0 or a runtime failure (printed). */
static int rec_setup(struct rec_state *s, const char *dir)
{
	unsigned int kmem = 0;

	s->tracing_on = tracefs_trace_is_on(NULL);
	for (int i = 0; i < REC_NR_EVENTS; i++) {
		const struct rec_event *e = &rec_events[i];
		int v = rec_enable_read(e), err;

		if (v < 0)
			return cli_fail("record", "cannot read %s/%s's enable file in %s: %s",
					e->system, e->event, dir, strerror(-v));
		if (!v)
			continue;
		s->enable[i] = (char)v;
		err = rec_enable_write(e, '1');
		if (err < 0)
			return cli_fail("record", "cannot enable %s/%s in %s: %s%s", e->system,
					e->event, dir, strerror(-err),
					err == -EACCES || err == -EPERM ? " (run as root)" : "");
		s->enabled++;
		kmem += e->required;
	}
	if (!kmem)
		return cli_fail("record", "%s has no kmem events (events/kmem/kmalloc/enable)",
				dir);
	if (tracefs_trace_on(NULL) < 0)
		return cli_fail("record", "cannot turn tracing on in %s: %s", dir, strerror(errno));
	return CLI_EXIT_OK;
}

/* Copy trace_pipe to @out until @seconds pass or a signal; bytes copied, or -errno. */
static int64_t rec_capture(FILE *out, double seconds)
{
	char *path = tracefs_get_tracing_file("trace_pipe");
	int fd = path ? open(path, O_RDONLY | O_NONBLOCK) : -1;
	double end = rec_now() + seconds;
	int64_t total = 0;
	char buf[65536];

	if (fd < 0) {
		int err = path ? -errno : -ENOMEM;

		tracefs_put_tracing_file(path);
		return err;
	}
	tracefs_put_tracing_file(path);
	while (!rec_stop) {
		double left = end - rec_now();
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (left <= 0)
			break;
		if (poll(&pfd, 1, (int)ceil(fmin(left, 0.1) * 1000)) < 0 && errno != EINTR)
			break;
		n = read(fd, buf, sizeof(buf));
		if (n > 0) {
			if (fwrite(buf, 1, (size_t)n, out) != (size_t)n) {
				close(fd);
				return -EIO;
			}
			total += n;
		} else if (n == 0 || errno == EAGAIN) {
			/* no data (a regular file or a FIFO at its end): wait a little */
			struct timespec ts = {0, 10 * 1000 * 1000};

			nanosleep(&ts, NULL);
		} else if (errno != EINTR) {
			int err = -errno;

			close(fd);
			return err;
		}
	}
	close(fd);
	return total;
}

static void rec_json(const struct rec_args *a, const char *dir, const struct rec_state *s,
		     int64_t bytes, bool restored)
{
	struct json j;

	json_init(&j, stdout);
	json_begin_object(&j);
	json_kv_string(&j, "tracefs", dir);
	json_kv_string(&j, "output", a->output);
	json_kv_double(&j, "seconds", a->seconds);
	json_kv_uint(&j, "bytes", (uint64_t)bytes);
	json_key(&j, "events");
	json_begin_array(&j);
	for (int i = 0; i < REC_NR_EVENTS; i++) {
		json_begin_object(&j);
		json_kv_string(&j, "system", rec_events[i].system);
		json_kv_string(&j, "event", rec_events[i].event);
		json_kv_bool(&j, "present", s->enable[i] != 0);
		if (s->enable[i])
			json_kv_bool(&j, "was_enabled", s->enable[i] == '1');
		else
			json_kv_null(&j, "was_enabled");
		json_end_object(&j);
	}
	json_end_array(&j);
	json_kv_bool(&j, "restored", restored);
	json_end_object(&j);
	json_finish(&j);
}

static int rec_run(const struct rec_args *a)
{
	struct rec_state s = {.tracing_on = -1};
	struct sigaction sa = {.sa_handler = rec_on_signal}, old_int, old_term;
	const char *dir;
	FILE *out = NULL;
	int64_t bytes = 0;
	bool restored;
	int rc;

	if (a->tracefs && tracefs_set_tracing_dir((char *)a->tracefs) < 0)
		return cli_fail("record", "--tracefs %s: %s", a->tracefs, strerror(errno));
	dir = tracefs_tracing_dir();
	if (!dir)
		return cli_fail("record", "tracefs not found (mount it: mount -t tracefs nodev "
					  "/sys/kernel/tracing; run as root)");
	if (access(dir, W_OK))
		return cli_fail("record", "%s is not writable: %s (run as root)", dir,
				strerror(errno));
	out = strcmp(a->output, "-") ? fopen(a->output, "w") : stdout;
	if (!out)
		return cli_fail("record", "%s: %s", a->output, strerror(errno));
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	rc = rec_setup(&s, dir);
	if (!rc) {
		fprintf(out, "# minalign record: %s, %g s\n", dir, a->seconds);
		bytes = rec_capture(out, a->seconds);
		if (bytes < 0)
			rc = cli_fail("record", "reading %s/trace_pipe: %s", dir,
				      strerror((int)-bytes));
	}
	restored = rec_restore(&s);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if ((out != stdout && fclose(out)) || (out == stdout && fflush(out)))
		rc = rc ? rc : cli_fail("record", "%s: %s", a->output, strerror(errno));
	if (!restored)
		rc = rc ? rc : cli_fail("record", "could not restore the tracing state of %s", dir);
	if (rc)
		return rc;
	if (a->json && out != stdout)
		rec_json(a, dir, &s, bytes, restored);
	else if (out != stdout)
		printf("minalign record: %" PRId64 " bytes of kmem events from %s in %g s to %s "
		       "(replay it: minalign replay %s)\n",
		       bytes, dir, a->seconds, a->output, a->output);
	return CLI_EXIT_OK;
}

#else /* !MINALIGN_HAVE_TRACECMD */

static int rec_run(const struct rec_args *a)
{
	(void)a;
	return cli_fail("record", "minalign was built without libtracefs (install libtracefs-dev "
				  "and rebuild)");
}

#endif

int cmd_record(int argc, char **argv)
{
	struct rec_args a = {0};
	int rc = rec_parse(argc, argv, &a);

	if (rc)
		return rc < 0 ? CLI_EXIT_OK : rc;
	return rec_run(&a);
}
