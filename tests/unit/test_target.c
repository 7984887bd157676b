/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Target input: JSON and CSV job lines, the malformed lines that must be
 * skipped with a reason, and the duplicate-dip set.
 */
#include "harness.h"
#include "target.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct line_case {
	const char *name;
	const char *line;
	int csv;
	int ok;
	const char *dip;    /* expected text of "dip" */
	int dp;		    /* expected port */
	const char *domain; /* expected domain, NULL for none */
	const char *reason; /* a word the rejection must contain */
};

static const struct line_case line_cases[] = {
    {"json ipv4 full",
     "{\"dip\":\"192.0.2.1\",\"dp\":8080,"
     "\"domain\":\"a.example\"}",
     0, 1, "192.0.2.1", 8080, "a.example", NULL},
    {"json default port", "{\"dip\":\"192.0.2.1\"}", 0, 1, "192.0.2.1", 80,
     NULL, NULL},
    {"json ipv6", "{\"dip\":\"2001:db8::1\",\"dp\":443}", 0, 1, "2001:db8::1",
     443, NULL, NULL},
    {"json port as string", "{\"dip\":\"192.0.2.1\",\"dp\":\"81\"}", 0, 1,
     "192.0.2.1", 81, NULL, NULL},
    {"json crlf", "{\"dip\":\"192.0.2.1\"}\r", 0, 1, "192.0.2.1", 80, NULL,
     NULL},
    {"json bom", "\xef\xbb\xbf{\"dip\":\"192.0.2.1\"}", 0, 1, "192.0.2.1", 80,
     NULL, NULL},
    {"json nested passthrough",
     "{\"dip\":\"192.0.2.1\",\"meta\":{\"a\":[1,2]}}", 0, 1, "192.0.2.1", 80,
     NULL, NULL},
    {"json invalid", "{\"dip\":", 0, 0, NULL, 0, NULL, "JSON"},
    {"json not object", "[\"192.0.2.1\"]", 0, 0, NULL, 0, NULL, "object"},
    {"json missing dip", "{\"dp\":80}", 0, 0, NULL, 0, NULL, "dip"},
    {"json dip not string", "{\"dip\":3221225985}", 0, 0, NULL, 0, NULL, "dip"},
    {"json bad address", "{\"dip\":\"192.0.2.300\"}", 0, 0, NULL, 0, NULL,
     "dip"},
    {"json hostname as dip", "{\"dip\":\"www.example\"}", 0, 0, NULL, 0, NULL,
     "dip"},
    {"json port zero", "{\"dip\":\"192.0.2.1\",\"dp\":0}", 0, 0, NULL, 0, NULL,
     "dp"},
    {"json port too large", "{\"dip\":\"192.0.2.1\",\"dp\":65536}", 0, 0, NULL,
     0, NULL, "dp"},
    {"json port negative", "{\"dip\":\"192.0.2.1\",\"dp\":-1}", 0, 0, NULL, 0,
     NULL, "dp"},
    {"json port fraction", "{\"dip\":\"192.0.2.1\",\"dp\":80.5}", 0, 0, NULL, 0,
     NULL, "dp"},
    {"json domain number", "{\"dip\":\"192.0.2.1\",\"domain\":5}", 0, 0, NULL,
     0, NULL, "domain"},
    {"json duplicate key", "{\"dip\":\"192.0.2.1\",\"dip\":\"192.0.2.2\"}", 0,
     0, NULL, 0, NULL, "JSON"},
    {"json domain with crlf",
     "{\"dip\":\"192.0.2.1\",\"domain\":\"a\\r\\nX: 1\"}", 0, 0, NULL, 0, NULL,
     "control"},
    {"json domain with space", "{\"dip\":\"192.0.2.1\",\"domain\":\"a b\"}", 0,
     0, NULL, 0, NULL, "space"},
    {"json domain too long",
     "{\"dip\":\"192.0.2.1\",\"domain\":\""
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
     0, 0, NULL, 0, NULL, "longer"},
    {"json mapped ipv6 dip", "{\"dip\":\"::ffff:192.0.2.5\"}", 0, 1,
     "192.0.2.5", 80, NULL, NULL},
    {"json null port", "{\"dip\":\"192.0.2.1\",\"dp\":null}", 0, 1, "192.0.2.1",
     80, NULL, NULL},
    {"csv domain with space", "192.0.2.7,80,b example", 1, 0, NULL, 0, NULL,
     "space"},
    {"empty line", "", 0, 0, NULL, 0, NULL, "empty"},
    {"blank crlf line", "\r", 0, 0, NULL, 0, NULL, "empty"},
    {"csv three fields", "192.0.2.7,80,b.example", 1, 1, "192.0.2.7", 80,
     "b.example", NULL},
    {"csv with rank", "2001:db8::7, 8080 ,c.example,12", 1, 1, "2001:db8::7",
     8080, "c.example", NULL},
    {"csv crlf", "192.0.2.7,80,b.example\r", 1, 1, "192.0.2.7", 80, "b.example",
     NULL},
    {"csv rank domain", "1,example.com", 1, 0, NULL, 0, NULL, "resolution"},
    {"csv bad port", "192.0.2.7,http,b.example", 1, 0, NULL, 0, NULL, "dp"},
    {"csv too many fields", "192.0.2.7,80,b,1,x", 1, 0, NULL, 0, NULL,
     "fields"},
    {"csv bad address", "192.0.2,80,b.example", 1, 0, NULL, 0, NULL, "dip"},
};

static void check_line_case(const struct line_case *tc)
{
	struct job *job = NULL;
	char why[256] = "";
	char text[64];
	int rc;

	test_case = tc->name;
	rc = target_parse_line(tc->line, strlen(tc->line), tc->csv, 80, &job,
			       why, sizeof(why));
	CHECK((rc == 0) == tc->ok, "rc %d, reason \"%s\"", rc, why);
	if (rc != 0) {
		CHECK(tc->reason && strstr(why, tc->reason),
		      "reason \"%s\" lacks \"%s\"", why, tc->reason);
		return;
	}
	ip_addr_format(&job->dip, text, sizeof(text));
	CHECK(strcmp(text, tc->dip) == 0, "dip %s", text);
	CHECK(job->dp == tc->dp, "dp %u", job->dp);
	if (tc->domain)
		CHECK(job->domain && strcmp(job->domain, tc->domain) == 0,
		      "domain %s", job->domain ? job->domain : "(none)");
	else
		CHECK(job->domain == NULL, "domain %s", job->domain);
	CHECK(json_is_object(job->record), "record is not an object");
	job_free(job);
}

static void check_passthrough(void)
{
	const char *line = "{\"dip\":\"192.0.2.1\",\"meta\":{\"a\":[1,2]},"
			   "\"rank\":3}";
	struct job *job = NULL;
	char why[128];
	json_t *meta;

	test_case = "nested fields kept";
	CHECK(target_parse_line(line, strlen(line), 0, 80, &job, why,
				sizeof(why)) == 0,
	      "%s", why);
	if (!job)
		return;
	meta = json_object_get(job->record, "meta");
	CHECK(json_is_array(json_object_get(meta, "a")), "meta.a missing");
	CHECK(json_integer_value(json_object_get(job->record, "rank")) == 3,
	      "rank changed");
	job_free(job);

	test_case = "csv record fields";
	line = "192.0.2.9,81,d.example,7";
	CHECK(target_parse_line(line, strlen(line), 1, 80, &job, why,
				sizeof(why)) == 0,
	      "%s", why);
	if (!job)
		return;
	CHECK(json_integer_value(json_object_get(job->record, "dp")) == 81,
	      "dp not an integer");
	CHECK(json_integer_value(json_object_get(job->record, "rank")) == 7,
	      "rank not an integer");
	job_free(job);
}

static void check_dip_set(void)
{
	struct dip_set set = {0};
	struct ip_addr a, b, c;
	unsigned long added = 0;

	test_case = "dip set";
	ip_addr_parse("192.0.2.1", &a);
	ip_addr_parse("2001:db8::1", &b);
	ip_addr_parse("::ffff:192.0.2.1", &c);
	CHECK(dip_set_add(&set, &a) == 1, "first add");
	CHECK(dip_set_add(&set, &a) == 0, "repeat add");
	CHECK(dip_set_add(&set, &b) == 1, "ipv6 add");
	CHECK(dip_set_add(&set, &c) == 1, "mapped address is distinct");

	/* Growth keeps every member. */
	for (unsigned i = 0; i < 50000; i++) {
		struct ip_addr x = {.family = AF_INET6};

		x.bytes[0] = 0x20;
		x.bytes[1] = 0x01;
		x.bytes[2] = 0x0d;
		x.bytes[3] = 0xb8;
		memcpy(x.bytes + 12, &i, sizeof(i));
		added += (unsigned long)dip_set_add(&set, &x);
	}
	CHECK(added == 50000, "added %lu of 50000", added);
	CHECK(dip_set_add(&set, &a) == 0, "member lost after growth");
	dip_set_free(&set);
}

/* Reads a whole input with malformed lines and duplicates in it. */
static void check_reader(void)
{
	static const char input[] = "{\"dip\":\"192.0.2.1\"}\n"
				    "\n"
				    "not json\n"
				    "{\"dip\":\"192.0.2.2\"}\r\n"
				    "{\"dip\":\"192.0.2.1\",\"dp\":81}\n"
				    "{\"dip\":\"2001:db8::2\"}";
	char path[] = "/tmp/pathprobe-test-XXXXXX";
	struct target_reader r;
	struct job *job;
	unsigned long lines[8];
	size_t n = 0;
	int fd = mkstemp(path);

	test_case = "reader skips and numbers lines";
	CHECK(fd >= 0, "mkstemp failed");
	if (fd < 0)
		return;
	CHECK(write(fd, input, sizeof(input) - 1) == sizeof(input) - 1,
	      "short write");
	close(fd);
	CHECK(target_reader_open(&r, path, 0, 80) == 0, "open failed");
	while (n < 8 && target_read(&r, &job) == 1) {
		lines[n++] = job->line;
		job_free(job);
	}
	CHECK(n == 3, "read %zu jobs, expected 3", n);
	if (n >= 3) {
		CHECK(lines[0] == 1, "first job on line %lu", lines[0]);
		CHECK(lines[1] == 4, "second job on line %lu", lines[1]);
		CHECK(lines[2] == 6, "third job on line %lu", lines[2]);
	}
	CHECK(r.malformed == 2, "malformed %lu", r.malformed);
	CHECK(r.duplicates == 1, "duplicates %lu", r.duplicates);
	target_reader_close(&r);
	unlink(path);
}

void test_target(void)
{
	for (size_t i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++)
		check_line_case(&line_cases[i]);
	check_passthrough();
	check_dip_set();
	check_reader();
}
