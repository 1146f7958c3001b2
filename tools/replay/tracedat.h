/* SPDX-License-Identifier: MIT */
/*
 * tools/replay/tracedat.h - trace-cmd's binary trace.dat, read with the kernel community's own
 * libraries (libtracecmd opens the file, libtraceevent formats each event from the event format
 * the file carries), turned into the text `trace-cmd report` prints, which traceparse reads.
 */
#ifndef MINALIGN_TOOLS_REPLAY_TRACEDAT_H
#define MINALIGN_TOOLS_REPLAY_TRACEDAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Does @f (positioned at its start; rewound again) begin with trace.dat's magic? */
bool td_is_tracedat(FILE *f);

/*
 * td_to_text() - the events of trace.dat @path, one line each in `trace-cmd report`'s form
 * (`comm-pid [cpu] secs: name: fields`), and `CPU:N [n EVENTS DROPPED]` where the ring buffer
 * lost events, in a temporary stream positioned at its start.
 * Return: the stream (the caller fcloses it), or NULL with @err set (a file libtracecmd cannot
 * open, no memory, or a program built without libtracecmd).
 */
FILE *td_to_text(const char *path, char *err, size_t errlen);

/* Was the program built with libtracecmd (trace.dat input, `minalign record`)? */
bool td_available(void);

#endif /* MINALIGN_TOOLS_REPLAY_TRACEDAT_H */
