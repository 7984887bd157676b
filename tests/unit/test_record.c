/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The record writer: the text form must parse as JSON and equal the
 * jansson form field by field, for every kind of value and for strings
 * that need escaping.
 */
#include "harness.h"
#include "record.h"

#include <limits.h>
#include <string.h>

static void write_fields(struct record_writer *w)
{
	record_int(w, "zero", 0);
	record_int(w, "negative", -42);
	record_int(w, "max", LLONG_MAX);
	record_int(w, "min", LLONG_MIN);
	record_bool(w, "yes", 1);
	record_bool(w, "no", 0);
	record_null(w, "nothing");
	record_int_or_null(w, "absent", 0, 7);
	record_bool_or_null(w, "present", 1, 1);
	record_string(w, "plain", "2001:db8::1");
	record_string(w, "quoted", "a\"b\\c");
	record_string(w, "control", "tab\there\nnl\x01");
	record_string(w, "empty", "");
	record_string(w, "utf8", "caf\xc3\xa9");
	record_time(w, "epoch", 1796403169.2311707);
	record_time(w, "small", 1.5);
	record_time(w, "before", -0.25);
}

void test_record(void)
{
	struct record_writer text = {0};
	struct record_writer obj;
	json_error_t err;
	json_t *parsed;

	test_case = "text equals json form";
	record_begin_text(&text);
	write_fields(&text);
	CHECK(record_end_text(&text) == 0, "writer failed");
	parsed = json_loadb(text.text, text.len, 0, &err);
	CHECK(parsed != NULL, "text is not JSON: %s: %.*s", err.text,
	      (int)text.len, text.text);
	CHECK(record_begin_json(&obj) == 0, "no object");
	write_fields(&obj);
	CHECK(parsed && json_equal(parsed, obj.object), "forms differ: %.*s",
	      (int)text.len, text.text);

	test_case = "text time format";
	CHECK(text.len > 0 && strstr(text.text, "\"epoch\":1796403169.231171"),
	      "%.*s", (int)text.len, text.text);
	CHECK(strstr(text.text, "\"before\":-0.250000") != NULL, "%.*s",
	      (int)text.len, text.text);

	test_case = "writer buffer reused";
	record_begin_text(&text);
	record_int(&text, "only", 1);
	record_end_text(&text);
	CHECK(text.len == 10, "length %zu", text.len);
	if (text.len == 10)
		CHECK(memcmp(text.text, "{\"only\":1}", 10) == 0, "%.*s",
		      (int)text.len, text.text);

	json_decref(parsed);
	json_decref(obj.object);
	record_free_text(&text);
}
