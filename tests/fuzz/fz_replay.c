/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fz_replay.c - run the fuzzer's inputs without libFuzzer: every file named on the
 * command line, or every file of a named directory (in name order, *.md and dot-files
 * skipped), once each.  Built with any
 * compiler, so the seed corpus and the saved crash reproducers run in the ordinary test suite.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f) {
		perror(path);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (!buf || (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)) {
		fprintf(stderr, "%s: read error\n", path);
		fclose(f);
		free(buf);
		return 1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir, unsigned int *count)
{
	struct dirent *e;
	char **names = NULL, path[4096];
	size_t n = 0;
	int err = 0;
	DIR *d = opendir(dir);

	if (!d) {
		perror(dir);
		return 1;
	}
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.' || (len > 3 && !strcmp(e->d_name + len - 3, ".md")))
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (!stat(path, &st) && S_ISREG(st.st_mode)) {
			err |= run_file(path);
			++*count;
		}
		free(names[i]);
	}
	free(names);
	return err;
}

int main(int argc, char **argv)
{
	unsigned int count = 0;
	int err = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st)) {
			perror(argv[i]);
			err = 1;
		} else if (S_ISDIR(st.st_mode)) {
			err |= run_dir(argv[i], &count);
		} else {
			err |= run_file(argv[i]);
			count++;
		}
	}
	printf("fuzz replay: %u inputs, %s\n", count, err ? "errors" : "all passed");
	return err;
}
