/* SPDX-License-Identifier: MIT */
/*
 * tools/common/cli.h - the minalign program's shared vocabulary: subcommand entry points, exit
 * codes, the option parser, number parsing and formatting helpers.
 *
 * Every subcommand is one file with one entry point `int cmd_<name>(int argc, char **argv)`
 * (argv[0] is the subcommand's name) returning one of the EXIT_* codes below.  Usage errors print
 * exactly one line, "minalign: <subcommand>: <problem>", and return CLI_EXIT_USAGE.
 */
#ifndef MINALIGN_TOOLS_CLI_H
#define MINALIGN_TOOLS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_EXIT_OK	 0 /* success */
#define CLI_EXIT_FAILURE 1 /* runtime failure */
#define CLI_EXIT_USAGE	 2 /* bad usage */

#if defined(__GNUC__) || defined(__clang__)
#define CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CLI_PRINTF(a, b)
#endif

/* ---- subcommands (one file each) ----------------------------------------------------- */

int cmd_report(int argc, char **argv);
int cmd_whatif(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_stress(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_slabinfo(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_help(int argc, char **argv);

/* ---- messages -------------------------------------------------------------------------- */

/* "minalign: <cmd>: <message>" on stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) CLI_PRINTF(2, 3);
/* "minalign: <cmd>: <message>" on stderr; returns CLI_EXIT_FAILURE. */
int cli_fail(const char *cmd, const char *fmt, ...) CLI_PRINTF(2, 3);
/* "minalign: <cmd>: warning: <message>" on stderr. */
void cli_warn(const char *cmd, const char *fmt, ...) CLI_PRINTF(2, 3);

/* ---- option parsing -------------------------------------------------------------------- */

enum cli_arg { CLI_NO_ARG, CLI_REQ_ARG };

struct cli_opt {
	const char *name; /* long name without "--"; "help" is handled for every command */
	char short_name;  /* 0 for none */
	enum cli_arg arg;
	int id; /* > 0 */
};

#define CLI_END	       0    /* no more arguments */
#define CLI_POSITIONAL (-1) /* *value is a positional argument */
#define CLI_ERROR      (-2) /* a usage error was printed */
#define CLI_HELP       (-3) /* --help or -h */

struct cli_parser {
	const char *cmd; /* subcommand name for messages */
	int argc;
	char **argv;
	int index;		    /* next argv element */
	bool only_positional;	    /* after "--" */
	const struct cli_opt *opts; /* terminated by an entry with name NULL */
};

void cli_parser_init(struct cli_parser *p, const char *cmd, int argc, char **argv,
		     const struct cli_opt *opts);
/*
 * cli_next() - the next option: its id with *value set to its argument (or NULL), CLI_POSITIONAL,
 * CLI_HELP, CLI_END, or CLI_ERROR after printing a one-line message.  Accepts "--name value",
 * "--name=value", "-x value", "-xvalue" and "--" (everything after is positional).
 */
int cli_next(struct cli_parser *p, const char **value);

/* Number parsing: true on success; no message. */
bool cli_parse_u64(const char *s, uint64_t *out);
/* Bytes with an optional binary suffix: K, M, G, T (also KiB, MiB, ...; k, m, g). */
bool cli_parse_size(const char *s, uint64_t *out);
bool cli_parse_uint(const char *s, unsigned int *out);

/* Shared option validators: print the one-line message themselves, return false on error. */
bool cli_opt_cache_line(const char *cmd, const char *value, unsigned int *out);
bool cli_opt_ram(const char *cmd, const char *value, uint64_t *out);
bool cli_opt_policy(const char *cmd, const char *value, int *out);

/* ---- the library ------------------------------------------------------------------------ */

struct minalign_config;
/*
 * cli_init_library() - minalign_init(@cfg), turning a failure into one line: a configuration the
 * library rejects is bad usage (with the library's reason), anything else a runtime failure.
 * Return: CLI_EXIT_OK (initialised), CLI_EXIT_USAGE or CLI_EXIT_FAILURE.
 */
int cli_init_library(const char *cmd, const struct minalign_config *cfg);

/* ---- malformed input: counted, the first few kept with line numbers ----------------------- */

#define CLI_BAD_KEEP 64

struct cli_bad {
	unsigned long line; /* 1-based line number, or 0 when @name identifies the record */
	const char *reason; /* static string */
	char name[64];	    /* the record's name (sysfs entry, cache), or "" */
};

struct cli_badlist {
	unsigned long count; /* every malformed record */
	unsigned int kept;   /* the first CLI_BAD_KEEP of them */
	struct cli_bad items[CLI_BAD_KEEP];
};

void cli_bad_add(struct cli_badlist *b, unsigned long line, const char *name, const char *reason);
/* "malformed: N <whats>: line 5 (reason), 9 (reason) ... and M more" or nothing when N is 0. */
void cli_bad_print(FILE *f, const struct cli_badlist *b, const char *what, const char *whats);
struct json;
/* {"count": N, "records": [{"line": 5, "reason": "..."}, ...]} */
void cli_bad_json(struct json *j, const struct cli_badlist *b);

/* ---- formatting ------------------------------------------------------------------------ */

/* "12.3 MiB"-style rendering of a byte count into @buf (at least 32 bytes). */
const char *cli_human(char *buf, size_t len, uint64_t bytes);
/* As cli_human() for a signed difference, with an explicit sign ("+1.0 MiB", "-512 B", "0 B"). */
const char *cli_human_signed(char *buf, size_t len, int64_t bytes);

/* Saturating arithmetic for numbers that come from untrusted input. */
static inline uint64_t sat_add(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

static inline uint64_t sat_mul(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

/* a - b as a signed difference, clamped to the int64_t range. */
static inline int64_t sat_diff(uint64_t a, uint64_t b)
{
	if (a >= b)
		return a - b > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)(a - b);
	return b - a > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)(b - a);
}

/*
 * cli_utf8_seq() - length (1..4) of the well-formed UTF-8 sequence at @s (at most @n bytes), or 0
 * when the bytes there are not one (overlong, surrogate, beyond U+10FFFF, truncated, stray).
 */
size_t cli_utf8_seq(const unsigned char *s, size_t n);

/* True if stdout-like stream @f is a terminal. */
bool cli_isatty(FILE *f);

#endif /* MINALIGN_TOOLS_CLI_H */
