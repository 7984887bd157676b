/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A writer for the fields of one flow record.  Chains write their fields
 * through it, once, and the writer decides the form: a jansson object for
 * records that are combined further, or JSON text straight into a buffer
 * for `observe`, which writes hundreds of thousands of records a second.
 */
#ifndef PP_RECORD_H
#define PP_RECORD_H

#include <jansson.h>
#include <stddef.h>

struct record_writer;

struct record_writer_ops {
	void (*put_int)(struct record_writer *w, const char *name,
			long long value);
	void (*put_bool)(struct record_writer *w, const char *name, int value);
	void (*put_null)(struct record_writer *w, const char *name);
	void (*put_string)(struct record_writer *w, const char *name,
			   const char *value);
	/* Seconds since the epoch, written with microseconds. */
	void (*put_time)(struct record_writer *w, const char *name, double t);
};

struct record_writer {
	const struct record_writer_ops *ops;
	json_t *object; /* the jansson form */
	char *text;	/* the text form: a growing buffer */
	size_t len;
	size_t cap;
	int failed; /* out of memory */
};

void record_int(struct record_writer *w, const char *name, long long value);
void record_bool(struct record_writer *w, const char *name, int value);
void record_null(struct record_writer *w, const char *name);
void record_string(struct record_writer *w, const char *name,
		   const char *value);
void record_time(struct record_writer *w, const char *name, double t);
/* Writes the integer, or null when `present` is 0. */
void record_int_or_null(struct record_writer *w, const char *name, int present,
			long long value);
/* Writes the boolean, or null when `present` is 0. */
void record_bool_or_null(struct record_writer *w, const char *name, int present,
			 int value);

/* Starts a record that builds a jansson object (w->object). */
int record_begin_json(struct record_writer *w);

/*
 * Starts a text record in a buffer that is kept between records; call
 * record_end_text to close the object, then read w->text and w->len.
 */
void record_begin_text(struct record_writer *w);
int record_end_text(struct record_writer *w);
void record_free_text(struct record_writer *w);

#endif
