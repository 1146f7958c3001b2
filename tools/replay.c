/* SPDX-License-Identifier: MIT */
/*
 * tools/replay.c - placeholder.
 */
#include "cli.h"

int cmd_replay(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_fail("replay", "not available yet");
}
