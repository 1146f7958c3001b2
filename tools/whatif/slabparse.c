/* SPDX-License-Identifier: MIT */
/*
 * tools/whatif/slabparse.c - the slab statistics table, the /proc/slabinfo 2.1 text parser and the
 * choice of the default source.  The /sys/kernel/slab reader is in slabsysfs.c.
 *
 * A slabinfo row is "name active_objs num_objs objsize objperslab pagesperslab : tunables l b s
 * : slabdata active_slabs num_slabs sharedavail", fields separated by blanks.  The five numbers
 * after the name are required; the tunables and slabdata groups are optional, but when their
 * labels are present their numbers must parse.  Extra groups after slabdata (SLAB's statistics
 * format) are ignored.  Blank lines, '#' comments and the version header are not rows.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "slabparse.h"

#define MAX_TOKENS 24

void slab_table_init(struct slab_table *t)
{
	memset(t, 0, sizeof(*t));
}

void slab_table_free(struct slab_table *t)
{
	for (size_t i = 0; i < t->nrows; i++)
		free(t->rows[i].name);
	free(t->rows);
	free(t->source);
	free(t->note);
	slab_table_init(t);
}

int slab_table_add(struct slab_table *t, const struct slab_row *row)
{
	struct slab_row *r;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct slab_row *n = realloc(t->rows, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		t->rows = n;
		t->cap = cap;
	}
	r = &t->rows[t->nrows];
	*r = *row;
	r->name = strdup(row->name);
	if (!r->name)
		return -ENOMEM;
	t->nrows++;
	return 0;
}

/* Strict decimal unsigned long: digits only, no sign, no overflow. */
static bool parse_ulong(const char *s, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (~0UL - (unsigned long)(*s - '0')) / 10)
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return true;
}

static bool parse_uint32(const char *s, unsigned int *out)
{
	unsigned long v;

	if (!parse_ulong(s, &v) || v > 0xffffffffUL)
		return false;
	*out = (unsigned int)v;
	return true;
}

/* Split @line in place on blanks; returns the token count (at most @max; more is an error). */
static int tokenize(char *line, char **tok, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == '\v' ||
		       *p == '\f')
			p++;
		if (!*p)
			return n;
		if (n == max)
			return max + 1;
		tok[n++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n' && *p != '\v' &&
		       *p != '\f')
			p++;
		if (*p)
			*p++ = 0;
	}
}

/* Find ": <label>" among tok[from..n); returns the index after the label or -1. */
static int find_group(char **tok, int n, int from, const char *label)
{
	for (int i = from; i + 1 < n; i++)
		if (!strcmp(tok[i], ":") && !strcmp(tok[i + 1], label))
			return i + 2;
	return -1;
}

/* Parse one data row; returns NULL on success or the reason it is malformed.  *@wrapped: the
 * row ends inside its ": tunables" group (a mail-wrapped line): read from its six fields. */
static const char *parse_row(char **tok, int n, struct slab_row *r, bool *wrapped)
{
	int g;
	unsigned long ignored;

	if (n > MAX_TOKENS)
		return "too many fields";
	if (n < 6)
		return "too few fields";
	r->name = tok[0];
	if (!parse_ulong(tok[1], &r->active_objs) || !parse_ulong(tok[2], &r->num_objs) ||
	    !parse_uint32(tok[3], &r->objsize) || !parse_uint32(tok[4], &r->objperslab) ||
	    !parse_uint32(tok[5], &r->pagesperslab))
		return "bad number";
	if (r->active_objs > r->num_objs)
		return "active_objs above num_objs";
	if (!r->objperslab || !r->pagesperslab)
		return "zero objperslab or pagesperslab";
	if (r->pagesperslab > (1u << 20))
		return "pagesperslab out of range";
	g = find_group(tok, n, 6, "tunables");
	*wrapped = g >= 0 && g + 3 > n && g == 8 && find_group(tok, n, 6, "slabdata") < 0;
	for (int i = g; *wrapped && i < n; i++)
		if (!parse_ulong(tok[i], &ignored))
			*wrapped = false;
	if (*wrapped) {
		r->num_slabs = r->num_objs / r->objperslab + (r->num_objs % r->objperslab != 0);
		r->active_slabs = r->num_slabs;
		return NULL;
	}
	if (g >= 0 && (g + 3 > n || !parse_ulong(tok[g], &ignored) ||
		       !parse_ulong(tok[g + 1], &ignored) || !parse_ulong(tok[g + 2], &ignored)))
		return "bad tunables";
	g = find_group(tok, n, 6, "slabdata");
	if (g >= 0) {
		if (g + 3 > n || !parse_ulong(tok[g], &r->active_slabs) ||
		    !parse_ulong(tok[g + 1], &r->num_slabs) || !parse_ulong(tok[g + 2], &ignored))
			return "bad slabdata";
	} else {
		if (n > 6 && strcmp(tok[6], ":"))
			return "unexpected field after pagesperslab";
		r->num_slabs = r->num_objs / r->objperslab + (r->num_objs % r->objperslab != 0);
		r->active_slabs = r->num_slabs;
	}
	return NULL;
}

/* The header "slabinfo - version: X": record X. */
static bool parse_header(char **tok, int n, struct slab_table *t)
{
	if (n != 4 || strcmp(tok[0], "slabinfo") || strcmp(tok[1], "-") ||
	    strcmp(tok[2], "version:"))
		return false;
	snprintf(t->version, sizeof(t->version), "%.15s", tok[3]);
	return true;
}

/* After a wrapped row: a line of its cut-off numbers and groups ("0 0 0 : slabdata 4 4 0"). */
static bool continuation(char **tok, int n)
{
	unsigned long v;

	return n > 0 && (!strcmp(tok[0], ":") || parse_ulong(tok[0], &v));
}

static int parse_line(char *line, size_t len, struct slab_table *t)
{
	char *tok[MAX_TOKENS + 1];
	struct slab_row row = {0};
	bool wrapped = false, after_wrap = t->last_wrapped;
	const char *why;
	int n;

	if (memchr(line, 0, len)) {
		cli_bad_add(&t->bad, t->lines, NULL, "NUL byte");
		return 0;
	}
	n = tokenize(line, tok, MAX_TOKENS);
	t->last_wrapped = false;
	if (n == 0 || tok[0][0] == '#')
		return 0;
	if (parse_header(tok, n, t))
		return 0;
	if (after_wrap && n <= MAX_TOKENS && continuation(tok, n)) {
		t->continuation_lines++;
		return 0;
	}
	why = parse_row(tok, n, &row, &wrapped);
	if (why) {
		cli_bad_add(&t->bad, t->lines, NULL, why);
		return 0;
	}
	t->wrapped_rows += wrapped;
	t->last_wrapped = wrapped;
	row.line = t->lines;
	return slab_table_add(t, &row);
}

int slab_parse_slabinfo(FILE *f, struct slab_table *t)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int err = 0;

	t->format = SLAB_FMT_SLABINFO;
	while (!err && (len = getline(&line, &cap, f)) >= 0) {
		t->lines++;
		err = parse_line(line, (size_t)len, t);
	}
	if (!err && ferror(f))
		err = -EIO;
	free(line);
	return err;
}

static int set_source(struct slab_table *t, const char *path)
{
	free(t->source);
	t->source = strdup(path);
	return t->source ? 0 : -ENOMEM;
}

int slab_read_path(const char *path, struct slab_table *t)
{
	struct stat st;
	FILE *f;
	int err;

	if (!strcmp(path, "-")) {
		err = set_source(t, "<stdin>");
		return err ? err : slab_parse_slabinfo(stdin, t);
	}
	if (stat(path, &st))
		return -errno;
	if (S_ISDIR(st.st_mode))
		return slab_read_sysfs(path, t);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	err = set_source(t, path);
	if (!err)
		err = slab_parse_slabinfo(f, t);
	fclose(f);
	return err;
}

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v && *v ? v : fallback;
}

/* Try one candidate; keeps it when it yields at least one row. */
static bool try_source(struct slab_table *t, const char *path, char *why, size_t len, size_t *used)
{
	int err;

	slab_table_free(t);
	err = slab_read_path(path, t);
	if (!err && t->nrows)
		return true;
	if (*used < len)
		*used += (size_t)snprintf(why + *used, len - *used, "%s%s: %s", *used ? "; " : "",
					  path, err ? strerror(-err) : "no slab rows");
	if (*used >= len)
		*used = len;
	return false;
}

static int keep_note(struct slab_table *t, const char *why)
{
	if (!why[0])
		return 0;
	t->note = strdup(why);
	return t->note ? 0 : -ENOMEM;
}

int slab_read_default(struct slab_table *t)
{
	const char *live[2] = {env_or("MINALIGN_PROC_SLABINFO", "/proc/slabinfo"),
			       env_or("MINALIGN_SYS_SLAB", "/sys/kernel/slab")};
	const char *samples[2] = {
#ifdef MINALIGN_SAMPLE_DIR
		MINALIGN_SAMPLE_DIR "/slabinfo.txt",
#else
		NULL,
#endif
#ifdef MINALIGN_INSTALLED_SAMPLE_DIR
		MINALIGN_INSTALLED_SAMPLE_DIR "/slabinfo.txt",
#else
		NULL,
#endif
	};
	char why[512] = "";
	size_t used = 0;

	for (int i = 0; i < 2; i++) {
		if (try_source(t, live[i], why, sizeof(why), &used)) {
			t->origin = SLAB_FROM_LIVE;
			return keep_note(t, why);
		}
	}
	for (int i = 0; i < 2; i++) {
		if (samples[i] && try_source(t, samples[i], why, sizeof(why), &used)) {
			t->origin = SLAB_FROM_SAMPLE;
			return keep_note(t, why);
		}
	}
	slab_table_free(t);
	return -ENOENT;
}

void slab_describe_source(const struct slab_table *t, char *buf, size_t len)
{
	const char *origin = t->origin == SLAB_FROM_LIVE     ? "live, "
			     : t->origin == SLAB_FROM_SAMPLE ? "bundled sample, "
							     : "";
	char fmt[40];

	if (t->format == SLAB_FMT_SYSFS)
		snprintf(fmt, sizeof(fmt), "/sys/kernel/slab format");
	else if (t->version[0])
		snprintf(fmt, sizeof(fmt), "slabinfo %s", t->version);
	else
		snprintf(fmt, sizeof(fmt), "slabinfo without header");
	snprintf(buf, len, "%s (%s%s)", t->source ? t->source : "?", origin, fmt);
}
