/* SPDX-License-Identifier: MIT */
/*
 * tools/common/datadir.h - where the program finds the files it ships (the bundled slabinfo
 * sample), so that an installed copy works once the source tree is gone and when the whole
 * prefix is moved.
 */
#ifndef MINALIGN_TOOLS_DATADIR_H
#define MINALIGN_TOOLS_DATADIR_H

#include <limits.h>
#include <stddef.h>

#define CLI_DATA_MAX 4 /* candidates cli_data_candidates() can give */

/*
 * cli_data_candidates() - the places to look for the shipped file @name, best first:
 *  1. $MINALIGN_DATADIR/@name (the override; when set, the only candidate);
 *  2. <directory of the running program>/MINALIGN_BIN_TO_DATA/@name: an installed program's
 *     own prefix (bin/../share/minalign), wherever the prefix was installed or moved to;
 *  3. MINALIGN_SAMPLE_DIR/@name: the source tree, for a program run from its build tree;
 *  4. MINALIGN_INSTALLED_SAMPLE_DIR/@name: the prefix configured at build time.
 * Fills @out[0..n) with the paths (a path that does not fit is skipped).  Return: n.
 */
size_t cli_data_candidates(const char *name, char out[][PATH_MAX], size_t max);

#endif /* MINALIGN_TOOLS_DATADIR_H */
