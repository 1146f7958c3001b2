/* SPDX-License-Identifier: MIT */
/*
 * tools/whatif/wimodel.c - the what-if model (see wimodel.h for the method).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wimodel.h"

struct group_in {
	bool present;		 /* the input has a row of this type and size */
	uint64_t objs;		 /* num_objs, summed over duplicate rows */
	unsigned int objperslab; /* from the first row */
	unsigned int pagesperslab;
};

struct type_in {
	char type[KM_TYPE_LEN];
	bool dma;
	struct group_in c[KM_NR_CLASSES];
};

struct model {
	struct type_in *types;
	unsigned int ntypes;
};

uint64_t wi_linux_pool_bytes(uint64_t ram_bytes)
{
	const uint64_t segment = 128 * 2048; /* IO_TLB_SEGSIZE slots of 2 KiB */
	uint64_t size = ram_bytes / 1024 + (ram_bytes % 1024 != 0);

	if (size > (64ull << 20))
		size = 64ull << 20;
	return (size + segment - 1) / segment * segment;
}

static struct type_in *find_type(struct model *m, const struct km_name *km)
{
	for (unsigned int i = 0; i < m->ntypes; i++)
		if (!strcmp(m->types[i].type, km->type))
			return &m->types[i];
	if (m->ntypes == WI_MAX_TYPES)
		return NULL;
	memcpy(m->types[m->ntypes].type, km->type, KM_TYPE_LEN);
	m->types[m->ntypes].dma = km->dma;
	return &m->types[m->ntypes++];
}

static uint64_t row_bytes(const struct slab_row *row)
{
	return sat_mul(sat_mul(row->num_slabs, row->pagesperslab), KM_PAGE_SIZE);
}

/* Sort the table's kmalloc-family rows into per-type groups and the input totals. */
static void load_rows(const struct slab_table *t, struct model *m, struct wi_result *r)
{
	unsigned int min_plain = 0, min_any = 0;

	for (size_t i = 0; i < t->nrows; i++) {
		const struct slab_row *row = &t->rows[i];
		struct km_name km;
		enum km_name_kind kind = km_parse_name(row->name, &km);
		struct type_in *ty;
		struct group_in *g;
		int idx;

		if (kind == KM_NOT_KMALLOC && !strcmp(row->name, "kmalloc-node") &&
		    km_class_index(row->objsize) >= 0) {
			/* SLAB up to 4.10: its 64-byte kmalloc class, named by its objsize */
			snprintf(km.type, sizeof(km.type), "kmalloc");
			km.size = row->objsize;
			kind = KM_KMALLOC;
			r->legacy_names++;
		} else if (kind == KM_KMALLOC && !strncmp(row->name, "size-", 5)) {
			r->legacy_names++;
		}
		if (kind == KM_NOT_KMALLOC)
			continue;
		if (kind == KM_BAD_SIZE) {
			cli_bad_add(&r->ignored, row->line, row->name, "no kmalloc size class");
			continue;
		}
		ty = find_type(m, &km);
		if (!ty) {
			cli_bad_add(&r->ignored, row->line, row->name, "too many cache types");
			continue;
		}
		idx = km_class_index(km.size);
		g = &ty->c[idx];
		if (!g->present) {
			g->present = true;
			g->objperslab = row->objperslab;
			g->pagesperslab = row->pagesperslab;
		}
		g->objs = sat_add(g->objs, row->num_objs);
		r->rows++;
		r->in_objs = sat_add(r->in_objs, row->num_objs);
		r->in_bytes = sat_add(r->in_bytes, row_bytes(row));
		r->classes[idx].in_objs = sat_add(r->classes[idx].in_objs, row->num_objs);
		r->classes[idx].in_bytes = sat_add(r->classes[idx].in_bytes, row_bytes(row));
		if (!strcmp(km.type, "kmalloc") && (!min_plain || km.size < min_plain))
			min_plain = km.size;
		if (!min_any || km.size < min_any)
			min_any = km.size;
	}
	r->types = m->ntypes;
	r->in_min_class = min_plain ? min_plain : min_any;
}

static void note_slubbed(struct wi_result *r, const char *type, unsigned int size,
			 unsigned int order, unsigned int objperslab)
{
	for (unsigned int i = 0; i < r->nslubbed && i < WI_MAX_SLUBBED; i++)
		if (r->slubbed[i].size == size && !strcmp(r->slubbed[i].type, type))
			return;
	if (r->nslubbed < WI_MAX_SLUBBED) {
		struct wi_slubbed *s = &r->slubbed[r->nslubbed];

		memcpy(s->type, type, KM_TYPE_LEN);
		s->size = size;
		s->order = order;
		s->objperslab = objperslab;
	}
	r->nslubbed++;
}

/* One type under one policy: move, regroup, round up to slabs, add to the result. */
static void compute_type(const struct type_in *ty, unsigned int min_align, int pol,
			 struct wi_result *r)
{
	uint64_t moved[KM_NR_CLASSES] = {0};
	struct wi_policy *wp = &r->pol[pol];

	for (unsigned int i = 0; i < KM_NR_CLASSES; i++) {
		unsigned int to;

		if (!ty->c[i].objs)
			continue;
		to = km_class_for(km_class_size(i), min_align);
		moved[km_class_index(to)] = sat_add(moved[km_class_index(to)], ty->c[i].objs);
	}
	for (unsigned int j = 0; j < KM_NR_CLASSES; j++) {
		unsigned int size = km_class_size(j), per, pages;
		uint64_t slabs, bytes;

		if (!moved[j])
			continue;
		if (ty->c[j].present) {
			per = ty->c[j].objperslab;
			pages = ty->c[j].pagesperslab;
		} else {
			unsigned int order = slub_calculate_order(size, r->params.cpus);

			per = slub_objs_per_slab(size, order);
			if (!per)
				per = 1;
			pages = 1u << order;
			note_slubbed(r, ty->type, size, order, per);
		}
		slabs = moved[j] / per + (moved[j] % per != 0);
		bytes = sat_mul(sat_mul(slabs, pages), KM_PAGE_SIZE);
		r->classes[j].objs[pol] = sat_add(r->classes[j].objs[pol], moved[j]);
		r->classes[j].bytes[pol] = sat_add(r->classes[j].bytes[pol], bytes);
		wp->objs = sat_add(wp->objs, moved[j]);
		wp->slabs = sat_add(wp->slabs, slabs);
		wp->slab_bytes = sat_add(wp->slab_bytes, bytes);
	}
}

static void policy_setup(struct wi_result *r)
{
	unsigned int line = r->params.cache_line;

	for (int p = 0; p < WI_NPOL; p++) {
		struct wi_policy *wp = &r->pol[p];

		switch ((enum minalign_policy)p) {
		case MINALIGN_POLICY_LEGACY:
		case MINALIGN_POLICY_PACKED:
			wp->min_align = wp->dma_min_align = line;
			break;
		case MINALIGN_POLICY_BOUNCE:
			wp->min_align = wp->dma_min_align = 8;
			wp->pool_bytes = r->params.minalign_pool;
			wp->pool_linux_bytes = wi_linux_pool_bytes(r->params.ram_bytes);
			break;
		case MINALIGN_POLICY_DMA_OPT_IN:
			wp->min_align = 8;
			wp->dma_min_align = line;
			wp->pool_bytes = r->params.minalign_pool;
			break;
		case MINALIGN_POLICY_NAIVE:
			wp->min_align = wp->dma_min_align = 8;
			break;
		}
	}
}

int wi_compute(const struct slab_table *t, const struct wi_params *p, struct wi_result *r)
{
	struct model m = {0};

	memset(r, 0, sizeof(*r));
	r->params = *p;
	for (unsigned int i = 0; i < KM_NR_CLASSES; i++)
		r->classes[i].size = km_class_size(i);
	m.types = calloc(WI_MAX_TYPES, sizeof(*m.types));
	if (!m.types)
		return -ENOMEM;
	load_rows(t, &m, r);
	policy_setup(r);
	for (int pol = 0; pol < WI_NPOL; pol++)
		for (unsigned int i = 0; i < m.ntypes; i++)
			compute_type(&m.types[i],
				     m.types[i].dma ? r->pol[pol].dma_min_align
						    : r->pol[pol].min_align,
				     pol, r);
	for (int pol = 0; pol < WI_NPOL; pol++) {
		struct wi_policy *wp = &r->pol[pol], *legacy = &r->pol[MINALIGN_POLICY_LEGACY];
		uint64_t base = sat_add(legacy->slab_bytes, legacy->pool_bytes);
		uint64_t base_linux = sat_add(legacy->slab_bytes, legacy->pool_linux_bytes);

		wp->net_vs_legacy = sat_diff(sat_add(wp->slab_bytes, wp->pool_bytes), base);
		wp->net_linux_vs_legacy =
			sat_diff(sat_add(wp->slab_bytes, wp->pool_linux_bytes), base_linux);
	}
	free(m.types);
	return 0;
}
