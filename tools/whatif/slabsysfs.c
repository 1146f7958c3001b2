/* SPDX-License-Identifier: MIT */
/*
 * tools/whatif/slabsysfs.c - the /sys/kernel/slab reader.
 *
 * Every cache is a directory of one-value files.  Merged caches appear once as a real directory
 * (often named ":<flags>-<size>") and once more per alias as a symlink to it: each real directory
 * is read once, named after its kmalloc-family alias if it has one (kmalloc-N before kmalloc-cg-N,
 * kmalloc-rcl-N, dma-kmalloc-N, kmalloc-rnd-NN-N), else after its first alias in name order.
 * Counts may carry per-node suffixes ("12 N0=8 N1=4"): the leading total is used.
 *
 * Row fields: num_objs = total_objects (else slabs x objs_per_slab), active_objs = objects (else
 * num_objs), objsize = slab_size (else object_size), objperslab = objs_per_slab (else
 * 2^order pages / objsize), pagesperslab = 2^order, num_slabs = slabs (else from the objects).
 * An entry that lacks what these need is malformed.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/kmclass.h"
#include "slabparse.h"

struct entry {
	char *name; /* the entry in the directory */
	char *real; /* canonical path of the directory it is or points to */
};

static void free_entries(struct entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].name);
		free(e[i].real);
	}
	free(e);
}

/* Lower ranks first: kmalloc-family names by kind, then other names, ":" names last. */
static int name_rank(const char *name)
{
	struct km_name km;

	if (km_parse_name(name, &km) == KM_KMALLOC)
		return km.preference;
	return name[0] == ':' ? 20 : 10;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->real, y->real);

	if (c)
		return c;
	c = name_rank(x->name) - name_rank(y->name);
	return c ? c : strcmp(x->name, y->name);
}

/* Read the leading unsigned number of @dir/@file; false when missing or not a number. */
static bool read_number(const char *dir, const char *file, unsigned long *out)
{
	char path[PATH_MAX], buf[256], *end;
	FILE *f;
	size_t n;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >= sizeof(path))
		return false;
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	if (n == 0 || buf[0] < '0' || buf[0] > '9')
		return false;
	errno = 0;
	*out = strtoul(buf, &end, 10);
	if (errno)
		return false;
	/* what follows the total: nothing, a newline, or " N0=8 N1=4" */
	return *end == 0 || *end == '\n' || *end == ' ';
}

/* Fill @r from the directory @dir; returns NULL or the reason the entry is malformed. */
static const char *read_cache(const char *dir, struct slab_row *r)
{
	unsigned long order, slabs, objs_per_slab, size, total, objects;
	bool have_slabs, have_ops, have_total;

	if (!read_number(dir, "order", &order))
		return "missing or bad order";
	if (order > 20)
		return "order out of range";
	r->pagesperslab = 1u << order;
	if (!read_number(dir, "slab_size", &size) && !read_number(dir, "object_size", &size))
		size = 0;
	if (size > 0xffffffffUL)
		return "object size out of range";
	r->objsize = (unsigned int)size;
	have_ops = read_number(dir, "objs_per_slab", &objs_per_slab);
	if (!have_ops && size)
		objs_per_slab = ((unsigned long)KM_PAGE_SIZE << order) / size;
	if (!objs_per_slab || objs_per_slab > 0xffffffffUL)
		return "missing objs_per_slab and slab_size";
	r->objperslab = (unsigned int)objs_per_slab;
	have_slabs = read_number(dir, "slabs", &slabs);
	have_total = read_number(dir, "total_objects", &total);
	if (!have_total && !have_slabs)
		return "missing total_objects and slabs";
	if (!have_total)
		total = slabs > ~0UL / objs_per_slab ? ~0UL : slabs * objs_per_slab;
	if (!have_slabs)
		slabs = total / objs_per_slab + (total % objs_per_slab != 0);
	if (!read_number(dir, "objects", &objects) || objects > total)
		objects = total;
	r->num_objs = total;
	r->active_objs = objects;
	r->num_slabs = slabs;
	r->active_slabs = slabs;
	return NULL;
}

/* Collect every entry of @dir that is, or points to, a directory. */
static int collect(const char *dir, struct slab_table *t, struct entry **out, size_t *nout)
{
	struct entry *e = NULL;
	size_t n = 0, cap = 0;
	struct dirent *d;
	DIR *dp = opendir(dir);
	char path[PATH_MAX], real[PATH_MAX];
	struct stat st;

	if (!dp)
		return -errno;
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		t->lines++;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, d->d_name) >= sizeof(path) ||
		    stat(path, &st) || !S_ISDIR(st.st_mode) || !realpath(path, real)) {
			cli_bad_add(&t->bad, 0, d->d_name, "not a readable cache directory");
			continue;
		}
		if (n == cap) {
			struct entry *ne = realloc(e, (cap ? cap * 2 : 128) * sizeof(*ne));

			if (!ne)
				goto nomem;
			e = ne;
			cap = cap ? cap * 2 : 128;
		}
		e[n].name = strdup(d->d_name);
		e[n].real = strdup(real);
		n++;
		if (!e[n - 1].name || !e[n - 1].real)
			goto nomem;
	}
	closedir(dp);
	*out = e;
	*nout = n;
	return 0;
nomem:
	closedir(dp);
	free_entries(e, n);
	return -ENOMEM;
}

int slab_read_sysfs(const char *dir, struct slab_table *t)
{
	struct entry *e = NULL;
	size_t n = 0;
	int err;

	t->format = SLAB_FMT_SYSFS;
	free(t->source);
	t->source = strdup(dir);
	if (!t->source)
		return -ENOMEM;
	err = collect(dir, t, &e, &n);
	if (err)
		return err;
	if (n)
		qsort(e, n, sizeof(*e), cmp_entry);
	for (size_t i = 0; i < n && !err; i++) {
		struct slab_row row = {0};
		const char *why;

		if (i && !strcmp(e[i].real, e[i - 1].real)) {
			t->aliases++;
			continue;
		}
		why = read_cache(e[i].real, &row);
		if (why) {
			cli_bad_add(&t->bad, 0, e[i].name, why);
			continue;
		}
		row.name = e[i].name;
		err = slab_table_add(t, &row);
	}
	free_entries(e, n);
	return err;
}
