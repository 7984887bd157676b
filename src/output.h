/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Newline-delimited JSON output that only ever writes whole records, so a
 * run killed at any moment leaves a file of complete lines.
 */
#ifndef PP_OUTPUT_H
#define PP_OUTPUT_H

#include <jansson.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/types.h>

struct output {
	int fd;
	int owns_fd;
	int flush_each; /* write every record at once */
	char *buf;
	size_t len;
	size_t cap;
	unsigned long records;
	off_t committed;   /* end of the last whole record in a regular file */
	int regular;	   /* the output is a regular file */
	atomic_int failed; /* read by other threads to stop the run */
};

/* Opens "-" as standard output, or creates/truncates the file. */
int output_open(struct output *out, const char *path, int flush_each);
/* Writes one record as a line; returns 0, or -1 once writing failed. */
int output_write(struct output *out, const json_t *record);
/* Writes one record given as JSON text, without its newline. */
int output_write_text(struct output *out, const char *text, size_t len);
int output_flush(struct output *out);
/* Returns 1 once a write has failed. */
int output_failed(const struct output *out);

/* Flushes and closes; returns 0, or -1 when any write failed. */
int output_close(struct output *out);

#endif
