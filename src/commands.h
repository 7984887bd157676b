/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The subcommands of the pathprobe program. */
#ifndef PP_COMMANDS_H
#define PP_COMMANDS_H

int cmd_observe(int argc, char **argv);
int cmd_measure(int argc, char **argv);

#endif
