/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Target input: newline-delimited JSON jobs, or CSV rows with --csv-input.
 * Lines are read one at a time, so input of any length streams through.
 * A malformed line is reported with its line number and skipped; a repeated
 * dip is measured once.
 */
#ifndef PP_TARGET_H
#define PP_TARGET_H

#include "job.h"

#include <stdint.h>
#include <stdio.h>

struct dip_set {
	uint64_t *slots; /* 0 marks a free slot */
	size_t mask;
	size_t count;
};

struct target_reader {
	FILE *file;
	const char *name; /* for messages */
	int csv;
	uint16_t default_port;
	unsigned long line;
	unsigned long malformed;
	unsigned long duplicates;
	char *buf;
	size_t buf_cap;
	struct dip_set seen;
};

int target_reader_open(struct target_reader *r, const char *path, int csv,
		       uint16_t default_port);
void target_reader_close(struct target_reader *r);

/*
 * Reads up to the next valid job.  Returns 1 with *job set, 0 at the end
 * of input, -1 on a read error.
 */
int target_read(struct target_reader *r, struct job **job);

/*
 * Reads one line into r->buf without its LF and counts it; returns its
 * length, -1 at the end of input, or -2 when it was longer than the
 * buffer (the rest is skipped).
 */
long target_read_line(struct target_reader *r);

/*
 * Parses one line into a job, without the duplicate check.  Returns 0, or
 * -1 with a reason in `why`.  Exposed for the unit tests.
 */
int target_parse_line(const char *line, size_t len, int csv,
		      uint16_t default_port, struct job **job, char *why,
		      size_t why_len);

/* Returns 1 when the address was not in the set (and adds it), else 0. */
int dip_set_add(struct dip_set *set, const struct ip_addr *addr);
void dip_set_free(struct dip_set *set);

#endif
