/* SPDX-License-Identifier: MIT */
/*
 * tools/common/datadir.c - the candidate places of a shipped data file (datadir.h).
 *
 * The program's own directory comes from /proc/self/exe, so an installed prefix is found where
 * it is now, not where CMake was told it would be; the compiled-in directories (the source tree
 * and the configured prefix) follow as fallbacks.  Nothing is opened here: the caller tries the
 * candidates in order and says which one it used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datadir.h"

#ifndef MINALIGN_BIN_TO_DATA
#define MINALIGN_BIN_TO_DATA "../share/minalign" /* CMake passes the configured layout's */
#endif

/* Append "@dir/@name" to @out when it fits. */
static void add(char out[][PATH_MAX], size_t max, size_t *n, const char *dir, const char *name)
{
	int len;

	if (*n >= max || !dir || !*dir)
		return;
	len = snprintf(out[*n], PATH_MAX, "%s/%s", dir, name);
	if (len > 0 && len < PATH_MAX)
		(*n)++;
}

/*
 * "<directory of the running program>/@rel", canonical, in @buf (PATH_MAX bytes); "" when
 * /proc/self/exe is unreadable or the directory does not exist.
 */
static const char *exe_relative(char *buf, const char *rel)
{
	char exe[PATH_MAX], dir[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	buf[0] = '\0';
	if (n <= 0)
		return buf;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return buf;
	*slash = '\0';
	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", exe, rel) >= sizeof(dir) ||
	    !realpath(dir, buf))
		buf[0] = '\0';
	return buf;
}

size_t cli_data_candidates(const char *name, char out[][PATH_MAX], size_t max)
{
	const char *env = getenv("MINALIGN_DATADIR");
	char here[PATH_MAX];
	size_t n = 0;

	if (env && *env) {
		add(out, max, &n, env, name);
		return n;
	}
	add(out, max, &n, exe_relative(here, MINALIGN_BIN_TO_DATA), name);
#ifdef MINALIGN_SAMPLE_DIR
	add(out, max, &n, MINALIGN_SAMPLE_DIR, name);
#endif
#ifdef MINALIGN_INSTALLED_SAMPLE_DIR
	add(out, max, &n, MINALIGN_INSTALLED_SAMPLE_DIR, name);
#endif
	return n;
}
