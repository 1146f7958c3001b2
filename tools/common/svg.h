/* SPDX-License-Identifier: MIT */
/*
 * tools/common/svg.h - standalone SVG output: a few drawing primitives with XML escaping, and the
 * grouped bar chart the report and whatif subcommands draw (slab bytes per policy and per size
 * class).
 */
#ifndef MINALIGN_TOOLS_SVG_H
#define MINALIGN_TOOLS_SVG_H

#include <stdint.h>
#include <stdio.h>

/*
 * One chart panel: @ngroups groups of @nseries bars; values[g * nseries + s] in bytes.
 * Optional (NULL: none): @x_title and @y_title name the axes (the y axis's unit is added);
 * @notes[g * nseries + s] is a short label drawn above that bar (e.g. "net -2.3 MiB").
 */
struct svg_panel {
	const char *title;
	unsigned int ngroups;
	unsigned int nseries;
	const char *const *group_labels;
	const char *const *series_labels;
	const uint64_t *values;
	const char *x_title;
	const char *y_title;
	const char *const *notes;
};

/* Primitives: the document, filled rectangles with a tooltip, text, lines. */
void svg_begin(FILE *f, unsigned int width, unsigned int height, const char *title);
void svg_end(FILE *f);
void svg_rect(FILE *f, double x, double y, double w, double h, const char *fill, const char *tip);
/* @anchor: "start", "middle" or "end". */
void svg_text(FILE *f, double x, double y, unsigned int size, const char *anchor, const char *s);
void svg_line(FILE *f, double x1, double y1, double x2, double y2, const char *stroke);
/* Writes @s with XML special characters escaped, controls dropped and bad UTF-8 replaced. */
void svg_escape(FILE *f, const char *s);

/*
 * svg_write_bar_chart() - write a standalone SVG document with @npanels panels stacked
 * vertically under @title and @subtitle (either may be NULL) to @path.
 * Return: 0, or -errno when the file cannot be written.
 */
int svg_write_bar_chart(const char *path, const char *title, const char *subtitle,
			const struct svg_panel *panels, unsigned int npanels);

/*
 * svg_check_path() - can @path be written (an existing regular file that is writable, or a new
 * file in a writable directory)?  Called before a long run, so it fails before it starts.
 * Return: 0 or -errno (ENOENT: no such directory, EISDIR, EACCES, ...).
 */
int svg_check_path(const char *path);

#endif /* MINALIGN_TOOLS_SVG_H */
