/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "record.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void json_put_int(struct record_writer *w, const char *name,
			 long long value)
{
	json_object_set_new(w->object, name, json_integer(value));
}

static void json_put_bool(struct record_writer *w, const char *name, int value)
{
	json_object_set_new(w->object, name, json_boolean(value));
}

static void json_put_null(struct record_writer *w, const char *name)
{
	json_object_set_new(w->object, name, json_null());
}

static void json_put_string(struct record_writer *w, const char *name,
			    const char *value)
{
	json_object_set_new(w->object, name, json_string(value));
}

/* Rounds to microseconds, as the text form writes them. */
static void json_put_time(struct record_writer *w, const char *name, double t)
{
	json_object_set_new(w->object, name, json_real(round(t * 1e6) / 1e6));
}

static const struct record_writer_ops json_ops = {
    .put_int = json_put_int,
    .put_bool = json_put_bool,
    .put_null = json_put_null,
    .put_string = json_put_string,
    .put_time = json_put_time,
};

static int text_grow(struct record_writer *w, size_t more)
{
	char *bigger;
	size_t cap;

	cap = w->cap ? w->cap : 512;
	while (cap < w->len + more)
		cap *= 2;
	bigger = realloc(w->text, cap);
	if (!bigger) {
		w->failed = 1;
		return -1;
	}
	w->text = bigger;
	w->cap = cap;
	return 0;
}

static inline void text_append(struct record_writer *w, const char *s, size_t n)
{
	if (w->len + n > w->cap && text_grow(w, n) != 0)
		return;
	memcpy(w->text + w->len, s, n);
	w->len += n;
}

/* Appends a JSON string literal (RFC 8259 section 7), copying runs of
 * characters that need no escape in one go. */
static void text_append_string(struct record_writer *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	text_append(w, "\"", 1);
	while (*s) {
		size_t run = 0;
		unsigned char c;

		while (s[run] && (unsigned char)s[run] >= 0x20 &&
		       s[run] != '"' && s[run] != '\\')
			run++;
		text_append(w, s, run);
		s += run;
		c = (unsigned char)*s;
		if (!c)
			break;
		if (c == '"' || c == '\\') {
			char esc[2] = {'\\', (char)c};

			text_append(w, esc, 2);
		} else {
			char esc[6] = {'\\', 'u',	  '0',
				       '0',  hex[c >> 4], hex[c & 15]};

			text_append(w, esc, 6);
		}
		s++;
	}
	text_append(w, "\"", 1);
}

static void text_name(struct record_writer *w, const char *name)
{
	if (w->len > 1)
		text_append(w, ",", 1);
	text_append_string(w, name);
	text_append(w, ":", 1);
}

/* Writes an unsigned decimal into the end of buf; returns its start. */
static char *format_unsigned(char *end, unsigned long long v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

static void text_put_int(struct record_writer *w, const char *name,
			 long long value)
{
	char buf[24];
	char *end = buf + sizeof(buf);
	char *p;

	text_name(w, name);
	p = format_unsigned(end, value < 0 ? 0ULL - (unsigned long long)value
					   : (unsigned long long)value);
	if (value < 0)
		*--p = '-';
	text_append(w, p, (size_t)(end - p));
}

static void text_put_bool(struct record_writer *w, const char *name, int value)
{
	text_name(w, name);
	if (value)
		text_append(w, "true", 4);
	else
		text_append(w, "false", 5);
}

static void text_put_null(struct record_writer *w, const char *name)
{
	text_name(w, name);
	text_append(w, "null", 4);
}

static void text_put_string(struct record_writer *w, const char *name,
			    const char *value)
{
	text_name(w, name);
	text_append_string(w, value);
}

static void text_put_time(struct record_writer *w, const char *name, double t)
{
	long long usec = llround(t * 1e6);
	char buf[48];
	char *end = buf + sizeof(buf);
	char *p = end;
	int negative = usec < 0;
	unsigned long long u = negative ? 0ULL - (unsigned long long)usec
					: (unsigned long long)usec;
	unsigned long long fraction = u % 1000000;

	/* Six fraction digits, then the seconds: "1796403169.231171". */
	for (int i = 0; i < 6; i++) {
		*--p = (char)('0' + fraction % 10);
		fraction /= 10;
	}
	*--p = '.';
	p = format_unsigned(p, u / 1000000);
	if (negative)
		*--p = '-';
	text_name(w, name);
	text_append(w, p, (size_t)(end - p));
}

static const struct record_writer_ops text_ops = {
    .put_int = text_put_int,
    .put_bool = text_put_bool,
    .put_null = text_put_null,
    .put_string = text_put_string,
    .put_time = text_put_time,
};

void record_int(struct record_writer *w, const char *name, long long value)
{
	w->ops->put_int(w, name, value);
}

void record_bool(struct record_writer *w, const char *name, int value)
{
	w->ops->put_bool(w, name, value);
}

void record_null(struct record_writer *w, const char *name)
{
	w->ops->put_null(w, name);
}

void record_string(struct record_writer *w, const char *name, const char *value)
{
	w->ops->put_string(w, name, value);
}

void record_time(struct record_writer *w, const char *name, double t)
{
	w->ops->put_time(w, name, t);
}

void record_int_or_null(struct record_writer *w, const char *name, int present,
			long long value)
{
	if (present)
		w->ops->put_int(w, name, value);
	else
		w->ops->put_null(w, name);
}

void record_bool_or_null(struct record_writer *w, const char *name, int present,
			 int value)
{
	if (present)
		w->ops->put_bool(w, name, value);
	else
		w->ops->put_null(w, name);
}

int record_begin_json(struct record_writer *w)
{
	memset(w, 0, sizeof(*w));
	w->ops = &json_ops;
	w->object = json_object();
	return w->object ? 0 : -1;
}

void record_begin_text(struct record_writer *w)
{
	w->ops = &text_ops;
	w->len = 0;
	w->failed = 0;
	text_append(w, "{", 1);
}

int record_end_text(struct record_writer *w)
{
	text_append(w, "}", 1);
	return w->failed ? -1 : 0;
}

void record_free_text(struct record_writer *w)
{
	free(w->text);
	w->text = NULL;
	w->len = w->cap = 0;
}
