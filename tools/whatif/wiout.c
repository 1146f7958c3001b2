/* SPDX-License-Identifier: MIT */
/*
 * tools/whatif/wiout.c - what-if input loading and presentation (text, JSON, SVG panels).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "wiout.h"

#define DEVRES_NODE_BYTES 40u /* Linux's struct devres_node on 64-bit */

void wi_params_default(struct wi_params *p)
{
	struct minalign_config cfg;
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	memset(p, 0, sizeof(*p));
	minalign_config_init(&cfg);
	p->cache_line = cfg.cache_line;
	p->minalign_pool = cfg.swiotlb_size;
	p->ram_bytes = pages > 0 && psize > 0 ? (uint64_t)pages * (uint64_t)psize : 1ull << 30;
	p->cpus = cpus > 0 ? (unsigned int)cpus : 1;
}

int wi_load(const char *cmd, const char *path, struct slab_table *t)
{
	int err;

	slab_table_init(t);
	if (!path) {
		err = slab_read_default(t);
		if (err)
			return cli_fail(cmd,
					"no slab statistics: /proc/slabinfo and /sys/kernel/slab "
					"are unreadable and no bundled sample was found");
		return CLI_EXIT_OK;
	}
	t->origin = SLAB_FROM_FILE;
	err = slab_read_path(path, t);
	if (err) {
		slab_table_free(t);
		return cli_fail(cmd, "%s: %s", path, strerror(-err));
	}
	if (!t->nrows) {
		unsigned long bad = t->bad.count;

		slab_table_free(t);
		return cli_fail(cmd, "%s: no slab rows found (%lu malformed)", path, bad);
	}
	return CLI_EXIT_OK;
}

static const char *pname(int p)
{
	return minalign_policy_name((enum minalign_policy)p);
}

void wi_print_input(FILE *f, const struct slab_table *t, const struct wi_result *r)
{
	char src[600], h1[32], h2[32];

	slab_describe_source(t, src, sizeof(src));
	fprintf(f, "source:  %s\n", src);
	if (t->note)
		fprintf(f, "         (%s)\n", t->note);
	fprintf(f,
		"input:   %zu caches, %u kmalloc-family rows in %u cache types: %" PRIu64
		" objects in %s of slabs\n",
		t->nrows, r->rows, r->types, r->in_objs, cli_human(h1, sizeof(h1), r->in_bytes));
	if (t->format == SLAB_FMT_SYSFS)
		cli_bad_print(f, &t->bad, "entry", "entries");
	else
		cli_bad_print(f, &t->bad, "line", "lines");
	if (r->ignored.count) {
		fputs("ignored ", f);
		cli_bad_print(f, &r->ignored, "row", "rows");
	}
	if (t->wrapped_rows)
		fprintf(f,
			"note:    %lu rows were cut inside \": tunables\" (mail-wrapped?): read "
			"from "
			"their six fields, slabs = num_objs / objperslab; %lu continuation lines "
			"skipped\n",
			t->wrapped_rows, t->continuation_lines);
	if (r->legacy_names)
		fprintf(f,
			"note:    %u rows with old SLAB names (kmalloc-node, size-N, size-N(DMA)) "
			"counted as kmalloc classes\n",
			r->legacy_names);
	fprintf(f, "machine: RAM %s (%s), %u CPUs for SLUB's slab order (%s)\n",
		cli_human(h2, sizeof(h2), r->params.ram_bytes),
		r->params.ram_given ? "--ram" : "this host; --ram to change", r->params.cpus,
		r->params.cpus_given ? "--cpus" : "this host; --cpus to change");
}

/* "<bytes> (<human>)" into @buf. */
static const char *both(char *buf, size_t len, uint64_t v)
{
	char h[32];

	snprintf(buf, len, "%" PRIu64 " (%s)", v, cli_human(h, sizeof(h), v));
	return buf;
}

static const char *both_signed(char *buf, size_t len, int64_t v)
{
	char h[32];

	snprintf(buf, len, "%" PRId64 " (%s)", v, cli_human_signed(h, sizeof(h), v));
	return buf;
}

static void print_policy_row(FILE *f, const struct wi_result *r, int p)
{
	const struct wi_policy *w = &r->pol[p];
	char align[24], b1[64], b2[64], b3[64];

	if (w->dma_min_align != w->min_align)
		snprintf(align, sizeof(align), "%u (dma-: %u)", w->min_align, w->dma_min_align);
	else
		snprintf(align, sizeof(align), "%u", w->min_align);
	fprintf(f, "  %-11s %-14s %-22s %-22s %s\n", pname(p), align,
		both(b1, sizeof(b1), w->slab_bytes), both(b2, sizeof(b2), w->pool_bytes),
		both_signed(b3, sizeof(b3), w->net_vs_legacy));
	if (p == MINALIGN_POLICY_BOUNCE)
		fprintf(f, "  %-11s %-14s %-22s %-22s %s\n", "", "",
			"  with Linux's pool:", both(b2, sizeof(b2), w->pool_linux_bytes),
			both_signed(b3, sizeof(b3), w->net_linux_vs_legacy));
}

static bool class_used(const struct wi_class *c)
{
	if (c->in_objs)
		return true;
	for (int p = 0; p < WI_NPOL; p++)
		if (c->objs[p])
			return true;
	return false;
}

static void print_classes(FILE *f, const struct wi_result *r)
{
	fprintf(f, "\n  slab bytes per size class (all cache types together)\n");
	fprintf(f, "  %6s %12s %12s", "class", "input objs", "input bytes");
	for (int p = 0; p < WI_NPOL; p++)
		fprintf(f, " %12s", pname(p));
	fputc('\n', f);
	for (unsigned int i = 0; i < KM_NR_CLASSES; i++) {
		const struct wi_class *c = &r->classes[i];

		if (!class_used(c))
			continue;
		fprintf(f, "  %6u %12" PRIu64 " %12" PRIu64, c->size, c->in_objs, c->in_bytes);
		for (int p = 0; p < WI_NPOL; p++)
			fprintf(f, " %12" PRIu64, c->bytes[p]);
		fputc('\n', f);
	}
}

static unsigned int devres_header(unsigned int line)
{
	return (DEVRES_NODE_BYTES + line - 1) / line * line;
}

static void print_notes(FILE *f, const struct wi_result *r)
{
	const struct wi_params *pp = &r->params;
	char h1[32], h2[32], h3[32];

	fprintf(f, "\n  notes:\n");
	fprintf(f,
		"  - bounce pool: Linux reserves min(64 MiB, RAM/1024) rounded up to 256 KiB "
		"segments = %s for %s of RAM; minalign uses %s, %s of cache-line slots that grows "
		"on demand (slab statistics cannot show what a workload bounces: `minalign "
		"report` measures the simulated SoC's need; --pool BYTES puts a measured need "
		"here)\n",
		cli_human(h1, sizeof(h1), r->pol[MINALIGN_POLICY_BOUNCE].pool_linux_bytes),
		cli_human(h2, sizeof(h2), pp->ram_bytes),
		pp->pool_given ? "the pool given with --pool" : "its default reservation",
		cli_human(h3, sizeof(h3), pp->minalign_pool));
	fprintf(f, "  - dma_opt_in keeps minalign's pool as a safety net for buffers that miss "
		   "their GFP_DMA opt-in; legacy, packed and naive need no pool for kmalloc\n");
	fprintf(f, "  - packed is modelled with no __GFP_PACKED callers (slab statistics cannot "
		   "show which would opt in), so it costs what legacy costs\n");
	fprintf(f, "  - naive needs no pool, but DMA into kmalloc buffers that share cache lines "
		   "corrupts data\n");
	if (r->in_min_class > 8)
		fprintf(f,
			"  - the input's smallest kmalloc class is %u (recorded minimum alignment):"
			" objects in it may be smaller, so the figures for alignments below %u "
			"are upper bounds\n",
			r->in_min_class, r->in_min_class);
	if (r->nslubbed) {
		fprintf(f,
			"  - classes missing from the input, geometry from SLUB's order rule "
			"(%u CPUs):",
			pp->cpus);
		for (unsigned int i = 0; i < r->nslubbed && i < WI_MAX_SLUBBED; i++)
			fprintf(f, "%s %s-%u order %u (%u objs/slab)", i ? "," : "",
				r->slubbed[i].type, r->slubbed[i].size, r->slubbed[i].order,
				r->slubbed[i].objperslab);
		if (r->nslubbed > WI_MAX_SLUBBED)
			fprintf(f, " and %u more", r->nslubbed - WI_MAX_SLUBBED);
		fputc('\n', f);
	}
	fprintf(f,
		"  - devres padding: not computable from slab statistics (it needs the number "
		"of live devm_kmalloc allocations); Linux pads each devres header of %u bytes "
		"to %u at this cache line\n",
		DEVRES_NODE_BYTES, devres_header(pp->cache_line));
}

void wi_print_text(FILE *f, const struct wi_result *r)
{
	fprintf(f, "\ncache line %u (ARCH_DMA_MINALIGN)\n", r->params.cache_line);
	fprintf(f, "  %-11s %-14s %-22s %-22s %s\n", "policy", "kmalloc align", "slab bytes",
		"bounce pool", "net vs legacy");
	for (int p = 0; p < WI_NPOL; p++)
		print_policy_row(f, r, p);
	print_classes(f, r);
	print_notes(f, r);
}

/* ---- JSON -------------------------------------------------------------------------------- */

void wi_json_input(struct json *j, const struct slab_table *t, const struct wi_result *r)
{
	static const char *const origin[] = {"file", "live", "sample"};

	json_kv_string(j, "source", t->source);
	json_kv_string(j, "source_kind", origin[t->origin]);
	json_kv_string(j, "source_format", t->format == SLAB_FMT_SYSFS ? "sysfs" : "slabinfo");
	if (t->version[0])
		json_kv_string(j, "slabinfo_version", t->version);
	if (t->note)
		json_kv_string(j, "source_note", t->note);
	json_key(j, "input");
	json_begin_object(j);
	json_kv_uint(j, t->format == SLAB_FMT_SYSFS ? "entries" : "lines", t->lines);
	json_kv_uint(j, "caches", t->nrows);
	if (t->format == SLAB_FMT_SYSFS)
		json_kv_uint(j, "aliases", t->aliases);
	json_kv_uint(j, "kmalloc_rows", r->rows);
	json_kv_uint(j, "cache_types", r->types);
	json_kv_uint(j, "objs", r->in_objs);
	json_kv_uint(j, "slab_bytes", r->in_bytes);
	json_kv_uint(j, "min_class", r->in_min_class);
	json_kv_uint(j, "wrapped_rows", t->wrapped_rows);
	json_kv_uint(j, "continuation_lines", t->continuation_lines);
	json_kv_uint(j, "legacy_names", r->legacy_names);
	json_key(j, "malformed");
	cli_bad_json(j, &t->bad);
	json_key(j, "ignored");
	cli_bad_json(j, &r->ignored);
	json_end_object(j);
	json_key(j, "machine");
	json_begin_object(j);
	json_kv_uint(j, "ram_bytes", r->params.ram_bytes);
	json_kv_string(j, "ram_from", r->params.ram_given ? "option" : "host");
	json_kv_uint(j, "cpus", r->params.cpus);
	json_kv_string(j, "cpus_from", r->params.cpus_given ? "option" : "host");
	json_end_object(j);
}

static void json_policy(struct json *j, const struct wi_result *r, int p)
{
	const struct wi_policy *w = &r->pol[p];

	json_key(j, pname(p));
	json_begin_object(j);
	json_kv_uint(j, "min_align", w->min_align);
	json_kv_uint(j, "dma_min_align", w->dma_min_align);
	json_kv_uint(j, "objs", w->objs);
	json_kv_uint(j, "slabs", w->slabs);
	json_kv_uint(j, "slab_bytes", w->slab_bytes);
	json_kv_uint(j, "bounce_pool_bytes", w->pool_bytes);
	json_kv_int(j, "net_vs_legacy", w->net_vs_legacy);
	if (p == MINALIGN_POLICY_BOUNCE) {
		json_kv_uint(j, "bounce_pool_linux_bytes", w->pool_linux_bytes);
		json_kv_int(j, "net_vs_legacy_linux", w->net_linux_vs_legacy);
	}
	json_end_object(j);
}

static void json_classes(struct json *j, const struct wi_result *r)
{
	json_key(j, "classes");
	json_begin_array(j);
	for (unsigned int i = 0; i < KM_NR_CLASSES; i++) {
		const struct wi_class *c = &r->classes[i];

		if (!class_used(c))
			continue;
		json_begin_object(j);
		json_kv_uint(j, "size", c->size);
		json_kv_uint(j, "input_objs", c->in_objs);
		json_kv_uint(j, "input_slab_bytes", c->in_bytes);
		json_key(j, "objs");
		json_begin_object(j);
		for (int p = 0; p < WI_NPOL; p++)
			json_kv_uint(j, pname(p), c->objs[p]);
		json_end_object(j);
		json_key(j, "slab_bytes");
		json_begin_object(j);
		for (int p = 0; p < WI_NPOL; p++)
			json_kv_uint(j, pname(p), c->bytes[p]);
		json_end_object(j);
		json_end_object(j);
	}
	json_end_array(j);
}

static void json_method(struct json *j, const struct wi_result *r)
{
	json_key(j, "slub_computed");
	json_begin_array(j);
	for (unsigned int i = 0; i < r->nslubbed && i < WI_MAX_SLUBBED; i++) {
		char name[KM_TYPE_LEN + 16];

		snprintf(name, sizeof(name), "%s-%u", r->slubbed[i].type, r->slubbed[i].size);
		json_begin_object(j);
		json_kv_string(j, "cache", name);
		json_kv_uint(j, "order", r->slubbed[i].order);
		json_kv_uint(j, "objperslab", r->slubbed[i].objperslab);
		json_end_object(j);
	}
	json_end_array(j);
	json_key(j, "bounce_pool_method");
	json_begin_object(j);
	json_kv_string(j, "linux", "min(64 MiB, RAM/1024) rounded up to 256 KiB segments");
	json_kv_string(j, "minalign",
		       r->params.pool_given
			       ? "--pool: a workload's measured need (line-granular slots, grows "
				 "on demand)"
			       : "the library's default pool (line-granular slots, grows on "
				 "demand), independent of the input");
	json_kv_uint(j, "minalign_pool_bytes", r->params.minalign_pool);
	json_kv_string(j, "minalign_pool_from", r->params.pool_given ? "option" : "default");
	json_end_object(j);
	json_kv_string(j, "packed_model", "no __GFP_PACKED callers: equal to legacy");
	json_key(j, "devres_padding");
	json_begin_object(j);
	json_kv_bool(j, "computable", false);
	json_kv_null(j, "bytes");
	json_kv_string(j, "reason",
		       "slab statistics do not show the number of live devm_kmalloc "
		       "allocations");
	json_kv_uint(j, "linux_header_bytes", devres_header(r->params.cache_line));
	json_kv_uint(j, "devres_node_bytes", DEVRES_NODE_BYTES);
	json_end_object(j);
}

void wi_json_result_members(struct json *j, const struct wi_result *r)
{
	json_kv_uint(j, "cache_line", r->params.cache_line);
	json_key(j, "policies");
	json_begin_object(j);
	for (int p = 0; p < WI_NPOL; p++)
		json_policy(j, r, p);
	json_end_object(j);
	json_classes(j, r);
	json_method(j, r);
}

void wi_json_result(struct json *j, const struct wi_result *r)
{
	json_begin_object(j);
	wi_json_result_members(j, r);
	json_end_object(j);
}

/* ---- SVG --------------------------------------------------------------------------------- */

void wi_svg_panels(struct wi_svg *s, const struct wi_result *r)
{
	unsigned int n = 0;
	char h[32];

	memset(s, 0, sizeof(*s));
	for (int p = 0; p < WI_NPOL; p++) {
		const struct wi_policy *w = &r->pol[p];

		s->series[p] = pname(p);
		s->totals[p] = w->slab_bytes;
		s->totals[WI_NPOL + p] = w->pool_bytes;
		s->totals[2 * WI_NPOL + p] = sat_add(w->slab_bytes, w->pool_bytes);
		snprintf(s->note_buf[p], sizeof(s->note_buf[p]), "net %s",
			 cli_human_signed(h, sizeof(h), w->net_vs_legacy));
		s->notes[2 * WI_NPOL + p] = s->note_buf[p];
	}
	s->total_label[0] = "slab (all kmalloc caches)";
	s->total_label[1] = "bounce pool";
	s->total_label[2] = "slab + pool (net vs legacy)";
	snprintf(s->titles[0], sizeof(s->titles[0]),
		 "Slab bytes, bounce pool and both per policy, cache line %u",
		 r->params.cache_line);
	snprintf(s->titles[1], sizeof(s->titles[1]),
		 "Slab bytes per size class and policy, cache line %u", r->params.cache_line);
	for (unsigned int i = 0; i < KM_NR_CLASSES; i++) {
		const struct wi_class *c = &r->classes[i];

		if (!class_used(c))
			continue;
		snprintf(s->label_buf[n], sizeof(s->label_buf[n]), "%u", c->size);
		s->group_labels[n] = s->label_buf[n];
		for (int p = 0; p < WI_NPOL; p++)
			s->values[n * WI_NPOL + p] = c->bytes[p];
		n++;
	}
	s->panels[0] = (struct svg_panel){s->titles[0],	       3,	  WI_NPOL,
					  s->total_label,      s->series, s->totals,
					  "memory per policy", "bytes",	  s->notes};
	s->panels[1] = (struct svg_panel){s->titles[1],
					  n,
					  WI_NPOL,
					  s->group_labels,
					  s->series,
					  s->values,
					  "kmalloc size class (bytes)",
					  "slab bytes",
					  NULL};
}
