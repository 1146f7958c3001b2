/* SPDX-License-Identifier: MIT */
/*
 * tools/common/cli.c - one-line diagnostics, the option parser shared by every subcommand, number
 * parsing with overflow checks, and human-readable byte counts.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <minalign/minalign.h>

#include "cli.h"
#include "json.h"

static void vmsg(const char *cmd, const char *tag, const char *fmt, va_list ap)
{
	fputs("minalign: ", stderr);
	if (cmd)
		fprintf(stderr, "%s: ", cmd);
	if (tag)
		fputs(tag, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(cmd, NULL, fmt, ap);
	va_end(ap);
	return CLI_EXIT_USAGE;
}

int cli_fail(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(cmd, NULL, fmt, ap);
	va_end(ap);
	return CLI_EXIT_FAILURE;
}

void cli_warn(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(cmd, "warning: ", fmt, ap);
	va_end(ap);
}

/* ---- option parser ---------------------------------------------------------------------- */

void cli_parser_init(struct cli_parser *p, const char *cmd, int argc, char **argv,
		     const struct cli_opt *opts)
{
	memset(p, 0, sizeof(*p));
	p->cmd = cmd;
	p->argc = argc;
	p->argv = argv;
	p->index = 1;
	p->opts = opts;
}

static const struct cli_opt *find_long(const struct cli_opt *opts, const char *name, size_t len)
{
	for (; opts && opts->name; opts++)
		if (strlen(opts->name) == len && !strncmp(opts->name, name, len))
			return opts;
	return NULL;
}

static const struct cli_opt *find_short(const struct cli_opt *opts, char c)
{
	for (; opts && opts->name; opts++)
		if (opts->short_name && opts->short_name == c)
			return opts;
	return NULL;
}

/* Take the option's argument from @inline_val or the next argv element. */
static int take_arg(struct cli_parser *p, const struct cli_opt *o, const char *inline_val,
		    const char *shown, const char **value)
{
	if (o->arg == CLI_NO_ARG) {
		if (inline_val) {
			cli_usage_error(p->cmd, "option '%s' takes no value", shown);
			return CLI_ERROR;
		}
		*value = NULL;
		return o->id;
	}
	if (inline_val) {
		*value = inline_val;
		return o->id;
	}
	if (p->index >= p->argc) {
		cli_usage_error(p->cmd, "option '%s' needs a value", shown);
		return CLI_ERROR;
	}
	*value = p->argv[p->index++];
	return o->id;
}

static int parse_long(struct cli_parser *p, const char *arg, const char **value)
{
	const char *name = arg + 2;
	const char *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct cli_opt *o;
	char shown[72];

	if (len == 4 && !strncmp(name, "help", 4) && !eq)
		return CLI_HELP;
	o = find_long(p->opts, name, len);
	if (!o) {
		cli_usage_error(p->cmd, "unknown option '--%.*s'", (int)(len > 64 ? 64 : len),
				name);
		return CLI_ERROR;
	}
	snprintf(shown, sizeof(shown), "--%s", o->name);
	return take_arg(p, o, eq ? eq + 1 : NULL, shown, value);
}

static int parse_short(struct cli_parser *p, const char *arg, const char **value)
{
	const struct cli_opt *o;
	char shown[3] = {'-', arg[1], 0};

	if (arg[1] == 'h' && !arg[2])
		return CLI_HELP;
	o = find_short(p->opts, arg[1]);
	if (!o) {
		if (isprint((unsigned char)arg[1]))
			cli_usage_error(p->cmd, "unknown option '-%c'", arg[1]);
		else
			cli_usage_error(p->cmd, "unknown option");
		return CLI_ERROR;
	}
	if (o->arg == CLI_NO_ARG && arg[2]) {
		cli_usage_error(p->cmd, "option '%s' takes no value", shown);
		return CLI_ERROR;
	}
	return take_arg(p, o, arg[2] ? arg + 2 : NULL, shown, value);
}

int cli_next(struct cli_parser *p, const char **value)
{
	const char *arg;

	*value = NULL;
	if (p->index >= p->argc)
		return CLI_END;
	arg = p->argv[p->index++];
	if (!arg)
		return CLI_END;
	if (p->only_positional || arg[0] != '-' || !arg[1]) {
		*value = arg; /* "-" alone is positional (stdin) */
		return CLI_POSITIONAL;
	}
	if (!strcmp(arg, "--")) {
		p->only_positional = true;
		return cli_next(p, value);
	}
	if (arg[1] == '-')
		return parse_long(p, arg, value);
	return parse_short(p, arg, value);
}

/* ---- numbers ---------------------------------------------------------------------------- */

bool cli_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

bool cli_parse_uint(const char *s, unsigned int *out)
{
	uint64_t v;

	if (!cli_parse_u64(s, &v) || v > 0xffffffffu)
		return false;
	*out = (unsigned int)v;
	return true;
}

static int suffix_shift(const char *sfx)
{
	static const struct {
		const char *name;
		int shift;
	} tab[] = {
		{"", 0},     {"b", 0},	 {"k", 10},   {"kb", 10},  {"kib", 10},
		{"m", 20},   {"mb", 20}, {"mib", 20}, {"g", 30},   {"gb", 30},
		{"gib", 30}, {"t", 40},	 {"tb", 40},  {"tib", 40},
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (!strcasecmp(sfx, tab[i].name))
			return tab[i].shift;
	return -1;
}

bool cli_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	int shift;

	if (!s || !isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (!isxdigit((unsigned char)s[2]))
			return false;
		v = strtoull(s + 2, &end, 16); /* hexadecimal; a leading 0 is not octal */
	} else {
		v = strtoull(s, &end, 10);
	}
	if (errno)
		return false;
	shift = suffix_shift(end);
	if (shift < 0 || (shift && v > (UINT64_MAX >> shift)))
		return false;
	*out = (uint64_t)v << shift;
	return true;
}

bool cli_opt_cache_line(const char *cmd, const char *value, unsigned int *out)
{
	unsigned int v;

	if (!cli_parse_uint(value, &v) || v < 16 || v > 256 || (v & (v - 1))) {
		cli_usage_error(cmd, "--cache-line must be a power of two in 16..256");
		return false;
	}
	*out = v;
	return true;
}

bool cli_opt_ram(const char *cmd, const char *value, uint64_t *out)
{
	uint64_t v;

	if (!cli_parse_size(value, &v) || v == 0 || v % 4096) {
		cli_usage_error(cmd, "--ram must be a non-zero multiple of 4096 bytes "
				     "(a suffix K, M, G or T is allowed)");
		return false;
	}
	*out = v;
	return true;
}

bool cli_opt_policy(const char *cmd, const char *value, int *out)
{
	char norm[32];
	size_t i;

	for (i = 0; value[i] && i + 1 < sizeof(norm); i++)
		norm[i] = value[i] == '-' ? '_' : (char)tolower((unsigned char)value[i]);
	norm[i] = 0;
	for (int p = 0; p < MINALIGN_NR_POLICIES; p++) {
		const char *name = minalign_policy_name((enum minalign_policy)p);

		if (name && !value[i] && !strcmp(norm, name)) {
			*out = p;
			return true;
		}
	}
	cli_usage_error(cmd, "--policy must be one of legacy, bounce, packed, dma_opt_in, naive");
	return false;
}

/* ---- the library ------------------------------------------------------------------------ */

static char init_report[256];

static void capture_report(const struct minalign_report *r, void *arg)
{
	(void)arg;
	if (!init_report[0])
		snprintf(init_report, sizeof(init_report), "%s", r->message ? r->message : "?");
}

int cli_init_library(const char *cmd, const struct minalign_config *cfg)
{
	int err;

	init_report[0] = 0;
	minalign_set_report_handler(capture_report, NULL);
	err = minalign_init(cfg);
	minalign_set_report_handler(NULL, NULL);
	if (err == -EINVAL)
		return cli_usage_error(cmd, "bad configuration: %s",
				       init_report[0] ? init_report : "rejected");
	if (err)
		return cli_fail(cmd, "minalign_init: %s%s%s", strerror(-err),
				init_report[0] ? ": " : "", init_report);
	return CLI_EXIT_OK;
}

/* ---- malformed input ---------------------------------------------------------------------- */

void cli_bad_add(struct cli_badlist *b, unsigned long line, const char *name, const char *reason)
{
	struct cli_bad *it;

	b->count++;
	if (b->kept >= CLI_BAD_KEEP)
		return;
	it = &b->items[b->kept++];
	it->line = line;
	it->reason = reason;
	snprintf(it->name, sizeof(it->name), "%s", name ? name : "");
}

/* Print a record name with non-printable bytes replaced, so terminal output stays one line. */
static void print_name(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(isprint((unsigned char)*s) ? *s : '?', f);
}

void cli_bad_print(FILE *f, const struct cli_badlist *b, const char *what, const char *whats)
{
	if (!b->count)
		return;
	fprintf(f, "malformed: %lu %s:", b->count, b->count == 1 ? what : whats);
	for (unsigned int i = 0; i < b->kept; i++) {
		const struct cli_bad *it = &b->items[i];

		fputs(i ? ", " : " ", f);
		if (it->line)
			fprintf(f, "line %lu", it->line);
		else
			print_name(f, it->name);
		fprintf(f, " (%s)", it->reason);
	}
	if (b->count > b->kept)
		fprintf(f, " and %lu more", b->count - b->kept);
	fputc('\n', f);
}

void cli_bad_json(struct json *j, const struct cli_badlist *b)
{
	json_begin_object(j);
	json_kv_uint(j, "count", b->count);
	json_key(j, "records");
	json_begin_array(j);
	for (unsigned int i = 0; i < b->kept; i++) {
		json_begin_object(j);
		if (b->items[i].line)
			json_kv_uint(j, "line", b->items[i].line);
		if (b->items[i].name[0])
			json_kv_string(j, "name", b->items[i].name);
		json_kv_string(j, "reason", b->items[i].reason);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
}

/* ---- formatting ------------------------------------------------------------------------- */

const char *cli_human(char *buf, size_t len, uint64_t bytes)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	double v = (double)bytes;
	unsigned int u = 0;

	while (v >= 1024.0 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		v /= 1024.0;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
	else
		snprintf(buf, len, "%.1f %s", v, unit[u]);
	return buf;
}

const char *cli_human_signed(char *buf, size_t len, int64_t bytes)
{
	uint64_t mag = bytes < 0 ? (uint64_t)0 - (uint64_t)bytes : (uint64_t)bytes;

	if (len < 2)
		return cli_human(buf, len, mag);
	buf[0] = bytes < 0 ? '-' : bytes > 0 ? '+' : ' ';
	cli_human(buf + (bytes ? 1 : 0), len - 1, mag);
	return buf;
}

size_t cli_utf8_seq(const unsigned char *s, size_t n)
{
	unsigned int c = s[0], min, len, cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		min = 0x80;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		min = 0x800;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		min = 0x10000;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (unsigned int i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

bool cli_isatty(FILE *f)
{
	return isatty(fileno(f)) == 1;
}
