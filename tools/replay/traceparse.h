/* SPDX-License-Identifier: MIT */
/*
 * tools/replay/traceparse.h - ftrace kmem event text, as printed by trace_pipe, `trace-cmd report`
 * and `perf script`: kmalloc, kmalloc_node, kmem_cache_alloc, kmem_cache_alloc_node, kfree and
 * kmem_cache_free, with or without a "kmem:" prefix.
 *
 * Fields are found as key=value pairs after the event name, never by position.  Pointers may be
 * hashed (000000009c3a1e77) or raw (0xffff888..., ffff888...); NULL prints as zeros, "(null)" or
 * "(nil)".  Lines that are not kmem events (other events, headers, comments) are ignored; a kmem
 * event line missing what it needs is malformed: counted, kept with its line number, skipped.
 */
#ifndef MINALIGN_TOOLS_TRACEPARSE_H
#define MINALIGN_TOOLS_TRACEPARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/cli.h"

enum tr_event {
	TR_KMALLOC,
	TR_KMALLOC_NODE,
	TR_KMEM_CACHE_ALLOC,
	TR_KMEM_CACHE_ALLOC_NODE,
	TR_KFREE,
	TR_KMEM_CACHE_FREE,
	TR_NR_EVENTS
};

#define TR_NAME_LEN 48

struct tr_record {
	enum tr_event event;
	unsigned long line;
	uint64_t ptr;		/* 0 for NULL */
	uint64_t bytes_req;	/* 0 when absent */
	uint64_t bytes_alloc;	/* 0 when absent */
	unsigned int gfp;	/* minalign's GFP bits for the flags printed (see tr_parse_gfp) */
	char name[TR_NAME_LEN]; /* kmem_cache name= value, or "" */
};

struct tr_stats {
	unsigned long lines;
	unsigned long ignored;		    /* not kmem events */
	unsigned long events[TR_NR_EVENTS]; /* well-formed events per type */
	unsigned long unknown_gfp;	    /* gfp flag names with no minalign meaning */
	bool truncated;			    /* the last line had no newline */
	struct cli_badlist bad;		    /* malformed kmem event lines */
};

const char *tr_event_name(enum tr_event e);
static inline bool tr_is_alloc(enum tr_event e)
{
	return e <= TR_KMEM_CACHE_ALLOC_NODE;
}

/* Map "GFP_KERNEL_ACCOUNT|__GFP_ZERO" to minalign GFP bits; *unknown counts names not mapped. */
unsigned int tr_parse_gfp(const char *s, size_t len, unsigned long *unknown);

/*
 * tr_parse_line() - parse one line (@len bytes, may lack the newline, may hold NUL bytes).
 * Return: 1 with @rec filled; 0 when the line is not a kmem event; -1 when it is malformed, with
 * *why set to a static reason.
 */
int tr_parse_line(const char *line, size_t len, struct tr_record *rec, const char **why,
		  unsigned long *unknown_gfp);

/* Parse a whole stream, calling @fn for every record; @fn returning non-zero stops (and is
 * returned).  Return: 0, @fn's value, or -errno on a read error. */
int tr_parse_stream(FILE *f, struct tr_stats *st, int (*fn)(const struct tr_record *, void *),
		    void *arg);

#endif /* MINALIGN_TOOLS_TRACEPARSE_H */
