/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for target input lines, as JSON and as CSV. */
#include "target.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[256];
	struct job *job = NULL;
	char *line = malloc(size ? size : 1);

	memcpy(line, data, size);
	for (int csv = 0; csv < 2; csv++) {
		if (target_parse_line(line, size, csv, 80, &job, why,
				      sizeof(why)) == 0)
			job_free(job);
		job = NULL;
	}
	free(line);
	return 0;
}
