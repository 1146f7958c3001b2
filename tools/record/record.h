/* SPDX-License-Identifier: MIT */
/*
 * tools/record/record.h - `minalign record` (record.c): the events it captures.
 */
#ifndef MINALIGN_TOOLS_RECORD_RECORD_H
#define MINALIGN_TOOLS_RECORD_RECORD_H

#include <stdbool.h>

struct rec_event {
	const char *system, *event;
	bool required; /* a kmem event: at least one must exist */
};

#define REC_NR_EVENTS 11
extern const struct rec_event rec_events[REC_NR_EVENTS];

int cmd_record(int argc, char **argv);

#endif /* MINALIGN_TOOLS_RECORD_RECORD_H */
