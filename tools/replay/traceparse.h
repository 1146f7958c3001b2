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

/* DMA events (Linux 6.8+ dma:*, with phys_addr=) and swiotlb:swiotlb_bounced. */
enum tr_dma_event {
	TR_DMA_MAP_PAGE,
	TR_DMA_MAP_SG,
	TR_DMA_UNMAP_PAGE,
	TR_DMA_UNMAP_SG,
	TR_SWIOTLB_BOUNCED,
	TR_NR_DMA_EVENTS
};

#define TR_NAME_LEN 48
#define TR_SITE_LEN 96
#define TR_DMA_MAX  16 /* physical ranges kept per dma_map_sg event */

struct tr_record {
	enum tr_event event;
	unsigned long line;
	uint64_t ptr;		  /* 0 for NULL */
	uint64_t bytes_req;	  /* 0 when absent */
	uint64_t bytes_alloc;	  /* 0 when absent */
	unsigned int gfp;	  /* minalign's GFP bits for the flags printed (see tr_parse_gfp) */
	bool gfp_hex;		  /* gfp_flags was a hex number */
	char name[TR_NAME_LEN];	  /* kmem_cache name= value, or "" */
	char site[TR_SITE_LEN];	  /* call_site= value as printed (cut), or "" */
	char module[TR_NAME_LEN]; /* "[module]" token after call_site, without brackets, or "" */
	/* DMA events (dma is true; event is then meaningless) */
	bool dma;
	enum tr_dma_event dma_event;
	unsigned int nphys; /* ranges in phys/len (0: the event has no physical address) */
	uint64_t phys[TR_DMA_MAX];
	uint64_t len[TR_DMA_MAX];
	char device[TR_NAME_LEN]; /* the device's name, or "" */
};

struct tr_stats {
	unsigned long lines;
	unsigned long ignored;			    /* not kmem events */
	unsigned long events[TR_NR_EVENTS];	    /* well-formed events per type */
	unsigned long dma_events[TR_NR_DMA_EVENTS]; /* well-formed DMA events per type */
	unsigned long unknown_gfp;		    /* gfp flag names with no minalign meaning */
	unsigned long hex_gfp;			    /* events whose gfp_flags were a hex number */
	unsigned long lost_markers; /* "[LOST n EVENTS]" / "[n EVENTS DROPPED]" lines */
	uint64_t lost_events;	    /* the n of those markers */
	unsigned long lost_unknown; /* markers without a count */
	bool truncated;		    /* the last line had no newline */
	struct cli_badlist bad;	    /* malformed kmem event lines */
};

const char *tr_dma_event_name(enum tr_dma_event e);

const char *tr_event_name(enum tr_event e);
static inline bool tr_is_alloc(enum tr_event e)
{
	return e <= TR_KMEM_CACHE_ALLOC_NODE;
}

/*
 * Map "GFP_KERNEL_ACCOUNT|__GFP_ZERO" to minalign GFP bits; *unknown counts names not mapped.
 * A hex number ("0xcc0", as trace-cmd and options/fields print it) is decoded with the bit
 * values Linux 4.x..6.7 share for DMA, DMA32, RECLAIMABLE, HIGH, IO, FS, ZERO, DIRECT_RECLAIM,
 * KSWAPD_RECLAIM and NOWARN; every other set bit counts once in *unknown.
 */
unsigned int tr_parse_gfp(const char *s, size_t len, unsigned long *unknown);

/*
 * tr_parse_line() - parse one line (@len bytes, may lack the newline, may hold NUL bytes).
 * Return: 1 with @rec filled (a kmem event, or a DMA event with @rec->dma set); 0 when the line
 * is neither; -1 when it is malformed, with *why set to a static reason.
 */
int tr_parse_line(const char *line, size_t len, struct tr_record *rec, const char **why,
		  unsigned long *unknown_gfp);

/*
 * tr_lost_marker() - is the line a ring-buffer loss marker: trace_pipe's "CPU:N [LOST n EVENTS]"
 * or trace-cmd's "CPU:N [n EVENTS DROPPED]" / "[EVENTS DROPPED]"?  *n gets the count, or
 * UINT64_MAX when the marker has none.
 */
bool tr_lost_marker(const char *line, size_t len, uint64_t *n);

/* Parse a whole stream, calling @fn for every record; @fn returning non-zero stops (and is
 * returned).  Return: 0, @fn's value, or -errno on a read error. */
int tr_parse_stream(FILE *f, struct tr_stats *st, int (*fn)(const struct tr_record *, void *),
		    void *arg);

#endif /* MINALIGN_TOOLS_TRACEPARSE_H */
