/* SPDX-License-Identifier: MIT */
/*
 * tools/whatif/slabparse.h - slab statistics readers: /proc/slabinfo 2.1 text and /sys/kernel/slab
 * directories, and the choice of the live source (/proc/slabinfo, else /sys/kernel/slab, else
 * the sample bundled with the program).
 *
 * Readers never fail on bad content: a row that cannot be parsed is counted in @bad with its line
 * number (slabinfo) or entry name (sysfs) and skipped.  They fail only when the source cannot be
 * opened or memory runs out.
 */
#ifndef MINALIGN_TOOLS_SLABPARSE_H
#define MINALIGN_TOOLS_SLABPARSE_H

#include <stdbool.h>
#include <stdio.h>

#include "common/cli.h"

struct slab_row {
	char *name;
	unsigned long active_objs;
	unsigned long num_objs;
	unsigned int objsize;
	unsigned int objperslab;
	unsigned int pagesperslab;
	unsigned long active_slabs;
	unsigned long num_slabs;
	unsigned long line; /* 1-based line in slabinfo text; 0 for sysfs */
};

enum slab_format { SLAB_FMT_SLABINFO, SLAB_FMT_SYSFS };
enum slab_origin { SLAB_FROM_FILE, SLAB_FROM_LIVE, SLAB_FROM_SAMPLE };

struct slab_table {
	struct slab_row *rows;
	size_t nrows;
	size_t cap;
	unsigned long lines;   /* lines read (slabinfo) or directory entries seen (sysfs) */
	unsigned long aliases; /* sysfs: entries that were symlinks to a directory already read */
	char version[16];      /* slabinfo header version, "" when no header was seen */
	enum slab_format format;
	enum slab_origin origin;
	char *source; /* path read */
	char *note;   /* why this source was chosen (default sources), or NULL */
	struct cli_badlist bad;
	unsigned long wrapped_rows;	  /* rows whose ": tunables" group was cut (mail wrap) */
	unsigned long continuation_lines; /* the wrapped rest of such rows, skipped */
	bool last_wrapped;		  /* parser state: the previous line was a wrapped row */
};

void slab_table_init(struct slab_table *t);
void slab_table_free(struct slab_table *t);

/* Append a copy of @row (its name is duplicated).  Return: 0 or -ENOMEM. */
int slab_table_add(struct slab_table *t, const struct slab_row *row);

/* Parse slabinfo text from @f.  Return: 0, or -ENOMEM. */
int slab_parse_slabinfo(FILE *f, struct slab_table *t);
/* Read a slabinfo file ("-": stdin), or a /sys/kernel/slab-style directory.  Return: 0 or -errno.
 */
int slab_read_path(const char *path, struct slab_table *t);
/* Read a /sys/kernel/slab-style directory.  Return: 0 or -errno. */
int slab_read_sysfs(const char *dir, struct slab_table *t);

/*
 * slab_read_default() - the live statistics, else the bundled sample; t->origin and t->note say
 * which and why.  The live paths can be overridden for tests with the environment variables
 * MINALIGN_PROC_SLABINFO and MINALIGN_SYS_SLAB.  Return: 0, or -ENOENT when nothing is readable.
 */
int slab_read_default(struct slab_table *t);

/* Human description of the source, e.g. "/proc/slabinfo (live, slabinfo 2.1)". */
void slab_describe_source(const struct slab_table *t, char *buf, size_t len);

#endif /* MINALIGN_TOOLS_SLABPARSE_H */
