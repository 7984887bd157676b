/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pathprobe: measures whether Internet paths let transport features
 * through, with A/B connections and a passive observer.
 */
#include "commands.h"
#include "log.h"

#include <stdio.h>
#include <string.h>

#ifndef PATHPROBE_VERSION
#define PATHPROBE_VERSION "0.1.0"
#endif

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: pathprobe [-v|-q] COMMAND [OPTIONS]\n\n"
	    "Measures Internet path transparency: whether paths let new "
	    "transport\nfeatures through, or drop, strip or rewrite them.\n\n"
	    "Commands:\n"
	    "  measure   run A/B connections to targets and write one "
	    "record per target\n"
	    "  observe   meter live or captured packets into flow "
	    "records\n\n"
	    "Run 'pathprobe COMMAND --help' for the options of a "
	    "command.\n");
}

int main(int argc, char **argv)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("pathprobe %s\n", PATHPROBE_VERSION);
			return 0;
		}
		if (strcmp(argv[i], "-v") == 0 ||
		    strcmp(argv[i], "--verbose") == 0) {
			log_max_level = LOG_DEBUG;
		} else if (strcmp(argv[i], "-q") == 0 ||
			   strcmp(argv[i], "--quiet") == 0) {
			log_max_level = LOG_WARN;
		} else {
			log_error("pathprobe", "unknown option %s", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[i], "measure") == 0)
		return cmd_measure(argc - i, argv + i);
	if (strcmp(argv[i], "observe") == 0)
		return cmd_observe(argc - i, argv + i);
	log_error("pathprobe", "unknown command \"%s\" (try --help)", argv[i]);
	return 2;
}
