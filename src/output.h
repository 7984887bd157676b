/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Newline-delimited JSON output that only ever writes whole records, so a
 * run killed at any moment leaves a file of complete lines.
 */
#ifndef PP_OUTPUT_H
#define PP_OUTPUT_H

#include <jansson.h>
#include <stddef.h>

struct output {
	int fd;
	int owns_fd;
	int flush_each; /* write every record at once */
	char *buf;
	size_t len;
	size_t cap;
	unsigned long records;
	int failed;
};

/* Opens "-" as standard output, or creates/truncates the file. */
int output_open(struct output *out, const char *path, int flush_each);
/* Writes one record as a line; returns 0, or -1 once writing failed. */
int output_write(struct output *out, const json_t *record);
/* Writes one record given as JSON text, without its newline. */
int output_write_text(struct output *out, const char *text, size_t len);
int output_flush(struct output *out);
void output_close(struct output *out);

#endif
