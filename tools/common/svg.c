/* SPDX-License-Identifier: MIT */
/*
 * tools/common/svg.c - SVG primitives and the grouped bar chart (see svg.h).  The document is plain
 * SVG 1.1 with inline attributes only (no CSS, no scripts, no external references), so any browser
 * or XML parser takes it as is.
 */
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "svg.h"

#define CHART_W	  960.0
#define PANEL_H	  350.0
#define PLOT_H	  220.0
#define MARGIN_L  110.0
#define MARGIN_R  20.0
#define HEADER_H  70.0
#define PANEL_TOP 40.0 /* panel title + legend above the plot */

static const char *const palette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759",
				      "#76b7b2", "#edc948", "#b07aa1", "#ff9da7"};
#define NCOLORS (sizeof(palette) / sizeof(palette[0]))

void svg_escape(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)p), i = 0;

	while (i < len) {
		unsigned char c = p[i];
		size_t n;

		switch (c) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				fputc(' ', f);
				break;
			}
			n = cli_utf8_seq(p + i, len - i);
			if (n == 0) {
				fputs("&#xFFFD;", f);
				break;
			}
			fwrite(p + i, 1, n, f);
			i += n;
			continue;
		}
		i++;
	}
}

void svg_begin(FILE *f, unsigned int width, unsigned int height, const char *title)
{
	fprintf(f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%u\" "
		"height=\"%u\" viewBox=\"0 0 %u %u\" font-family=\"sans-serif\">\n",
		width, height, width, height);
	fputs("<title>", f);
	svg_escape(f, title);
	fputs("</title>\n", f);
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%u\" height=\"%u\" fill=\"#ffffff\"/>\n", width,
		height);
}

void svg_end(FILE *f)
{
	fputs("</svg>\n", f);
}

void svg_rect(FILE *f, double x, double y, double w, double h, const char *fill, const char *tip)
{
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">", x, y,
		w, h, fill);
	if (tip) {
		fputs("<title>", f);
		svg_escape(f, tip);
		fputs("</title>", f);
	}
	fputs("</rect>\n", f);
}

void svg_text(FILE *f, double x, double y, unsigned int size, const char *anchor, const char *s)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%u\" text-anchor=\"%s\" fill=\"#222\">",
		x, y, size, anchor);
	svg_escape(f, s);
	fputs("</text>\n", f);
}

void svg_line(FILE *f, double x1, double y1, double x2, double y2, const char *stroke)
{
	fprintf(f,
		"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
		"stroke-width=\"1\"/>\n",
		x1, y1, x2, y2, stroke);
}

/* Axis scale: a unit (power of 1024) and a 1/2/2.5/5 x 10^k step giving about five ticks. */
struct axis {
	double unit;
	const char *unit_name;
	double step; /* in units */
	double top;  /* in units, a multiple of step */
};

static void axis_for(struct axis *a, uint64_t max)
{
	static const char *const names[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	static const double nice[] = {1.0, 2.0, 2.5, 5.0, 10.0};
	double m, raw, mag;
	unsigned int u = 0;

	a->unit = 1.0;
	while ((double)max >= 1024.0 * a->unit && u + 1 < 5) {
		a->unit *= 1024.0;
		u++;
	}
	a->unit_name = names[u];
	m = (double)max / a->unit;
	if (m <= 0.0)
		m = 1.0;
	raw = m / 5.0;
	mag = pow(10.0, floor(log10(raw)));
	a->step = nice[4] * mag;
	for (unsigned int i = 0; i < 5; i++) {
		if (nice[i] * mag >= raw) {
			a->step = nice[i] * mag;
			break;
		}
	}
	a->top = ceil(m / a->step) * a->step;
	if (a->top <= 0.0)
		a->top = a->step;
}

static void draw_legend(FILE *f, const struct svg_panel *p, double y)
{
	double x = MARGIN_L;

	for (unsigned int s = 0; s < p->nseries; s++) {
		const char *label = p->series_labels ? p->series_labels[s] : "";

		svg_rect(f, x, y - 10, 12, 12, palette[s % NCOLORS], NULL);
		svg_text(f, x + 16, y, 12, "start", label);
		x += 24 + 8.0 * (double)(strlen(label ? label : "") + 2);
	}
}

/* The axis titles: the y one rotated along the axis with its unit, the x one under the labels. */
static void draw_titles(FILE *f, const struct svg_panel *p, const struct axis *a, double y0)
{
	double cy = y0 + PLOT_H / 2;

	if (p->y_title) {
		fprintf(f,
			"<text x=\"0\" y=\"0\" font-size=\"12\" text-anchor=\"middle\" "
			"fill=\"#222\" "
			"transform=\"translate(%.1f,%.1f) rotate(-90)\">",
			18.0, cy);
		svg_escape(f, p->y_title);
		fprintf(f, " (%s)</text>\n", a->unit_name);
	}
	if (p->x_title)
		svg_text(f, MARGIN_L + (CHART_W - MARGIN_L - MARGIN_R) / 2, y0 + PLOT_H + 34, 12,
			 "middle", p->x_title);
}

static void draw_axis(FILE *f, const struct axis *a, double y0)
{
	char label[48];

	for (double v = 0.0; v <= a->top + a->step / 2; v += a->step) {
		double y = y0 + PLOT_H - PLOT_H * v / a->top;

		svg_line(f, MARGIN_L, y, CHART_W - MARGIN_R, y, v == 0.0 ? "#444" : "#ddd");
		snprintf(label, sizeof(label), "%g %s", v, a->unit_name);
		svg_text(f, MARGIN_L - 6, y + 4, 11, "end", label);
	}
}

static void draw_panel(FILE *f, const struct svg_panel *p, double top)
{
	double y0 = top + PANEL_TOP, plot_w = CHART_W - MARGIN_L - MARGIN_R;
	double group_w, bar_w;
	uint64_t max = 0;
	struct axis a;
	char tip[256], human[32];

	svg_text(f, MARGIN_L, top + 16, 14, "start", p->title);
	draw_legend(f, p, top + 34);
	for (unsigned int i = 0; i < p->ngroups * p->nseries; i++)
		if (p->values[i] > max)
			max = p->values[i];
	axis_for(&a, max);
	draw_axis(f, &a, y0);
	draw_titles(f, p, &a, y0);
	if (!p->ngroups || !p->nseries)
		return;
	group_w = plot_w / p->ngroups;
	bar_w = group_w * 0.8 / p->nseries;
	for (unsigned int g = 0; g < p->ngroups; g++) {
		double gx = MARGIN_L + g * group_w + group_w * 0.1;
		const char *glabel = p->group_labels ? p->group_labels[g] : "";

		for (unsigned int s = 0; s < p->nseries; s++) {
			uint64_t v = p->values[g * p->nseries + s];
			double h = PLOT_H * ((double)v / a.unit) / a.top;

			snprintf(tip, sizeof(tip), "%s, %s: %llu bytes (%s)", glabel,
				 p->series_labels ? p->series_labels[s] : "", (unsigned long long)v,
				 cli_human(human, sizeof(human), v));
			svg_rect(f, gx + s * bar_w, y0 + PLOT_H - h, bar_w > 1 ? bar_w - 1 : bar_w,
				 h, palette[s % NCOLORS], tip);
			if (p->notes && p->notes[g * p->nseries + s])
				svg_text(f, gx + (s + 0.5) * bar_w, /* alternate rows: no overlap */
					 y0 + PLOT_H - h - 4 - (s % 2) * 11, 10, "middle",
					 p->notes[g * p->nseries + s]);
		}
		svg_text(f, MARGIN_L + (g + 0.5) * group_w, y0 + PLOT_H + 16, 11, "middle", glabel);
	}
}

int svg_write_bar_chart(const char *path, const char *title, const char *subtitle,
			const struct svg_panel *panels, unsigned int npanels)
{
	unsigned int height = (unsigned int)(HEADER_H + PANEL_H * npanels);
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return -errno;
	svg_begin(f, (unsigned int)CHART_W, height, title ? title : "minalign");
	if (title)
		svg_text(f, MARGIN_L, 28, 18, "start", title);
	if (subtitle)
		svg_text(f, MARGIN_L, 50, 12, "start", subtitle);
	for (unsigned int i = 0; i < npanels; i++)
		draw_panel(f, &panels[i], HEADER_H + PANEL_H * i);
	svg_end(f);
	if (ferror(f))
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

int svg_check_path(const char *path)
{
	struct stat st;
	char *copy, *dir;
	int err = 0;

	if (!stat(path, &st)) {
		if (S_ISDIR(st.st_mode))
			return -EISDIR;
		return access(path, W_OK) ? -errno : 0;
	}
	if (errno != ENOENT)
		return -errno;
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	dir = dirname(copy);
	if (stat(dir, &st))
		err = -errno;
	else if (!S_ISDIR(st.st_mode))
		err = -ENOTDIR;
	else if (access(dir, W_OK | X_OK))
		err = -errno;
	free(copy);
	return err;
}
