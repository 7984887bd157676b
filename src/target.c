/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading and validating target jobs. */
#include "target.h"
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* A job line longer than this is reported and skipped. */
#define TARGET_MAX_LINE (64 * 1024)

static const char *const component = "input";

void job_free(struct job *job)
{
	if (!job)
		return;
	for (size_t i = 0; i < job->config_count; i++)
		json_decref(job->results[i].flow);
	json_decref(job->record);
	free(job);
}

int target_reader_open(struct target_reader *r, const char *path, int csv,
		       uint16_t default_port)
{
	memset(r, 0, sizeof(*r));
	r->csv = csv;
	r->default_port = default_port;
	if (strcmp(path, "-") == 0) {
		r->file = stdin;
		r->name = "standard input";
	} else {
		r->file = fopen(path, "r");
		r->name = path;
		if (!r->file) {
			log_error(component, "cannot open %s: %s", path,
				  strerror(errno));
			return -1;
		}
	}
	r->buf_cap = TARGET_MAX_LINE + 1;
	r->buf = malloc(r->buf_cap);
	if (!r->buf) {
		target_reader_close(r);
		return -1;
	}
	return 0;
}

void target_reader_close(struct target_reader *r)
{
	if (r->file && r->file != stdin)
		fclose(r->file);
	free(r->buf);
	dip_set_free(&r->seen);
	memset(r, 0, sizeof(*r));
}

long target_read_line(struct target_reader *r)
{
	size_t len = 0;
	int too_long = 0;
	int c;

	while ((c = getc_unlocked(r->file)) != EOF && c != '\n') {
		if (len < r->buf_cap - 1)
			r->buf[len++] = (char)c;
		else
			too_long = 1;
	}
	if (c == EOF && len == 0 && !too_long)
		return -1;
	r->line++;
	r->buf[len] = '\0';
	return too_long ? -2 : (long)len;
}

static int parse_port(json_int_t value, uint16_t *port)
{
	if (value < 1 || value > 65535)
		return -1;
	*port = (uint16_t)value;
	return 0;
}

static int parse_port_text(const char *text, uint16_t *port)
{
	char *end;
	long value;

	if (!*text || !isdigit((unsigned char)*text))
		return -1;
	errno = 0;
	value = strtol(text, &end, 10);
	if (errno || *end)
		return -1;
	return parse_port(value, port);
}

/* A domain goes into HTTP headers and DNS queries: names only. */
#define DOMAIN_MAX_LEN 253 /* RFC 1035 section 2.3.4, without the dot */

static int domain_check(const char *domain, char *why, size_t why_len)
{
	size_t len = strlen(domain);

	if (len > DOMAIN_MAX_LEN) {
		snprintf(why, why_len,
			 "invalid \"domain\": longer than %d "
			 "characters",
			 DOMAIN_MAX_LEN);
		return -1;
	}
	for (const char *p = domain; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			snprintf(why, why_len,
				 "invalid \"domain\": it "
				 "contains a space or control character");
			return -1;
		}
	return 0;
}

/* Reads an IPv4-mapped IPv6 address (::ffff:a.b.c.d) as the IPv4 one,
 * which is what the kernel connects to. */
static int parse_dip(const char *text, struct ip_addr *addr)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
					   0, 0, 0, 0, 0xff, 0xff};

	if (ip_addr_parse(text, addr) != 0)
		return -1;
	if (addr->family == AF_INET6 &&
	    memcmp(addr->bytes, mapped, sizeof(mapped)) == 0) {
		memmove(addr->bytes, addr->bytes + 12, 4);
		memset(addr->bytes + 4, 0, 12);
		addr->family = AF_INET;
	}
	return 0;
}

static struct job *job_new(json_t *record)
{
	struct job *job = calloc(1, sizeof(*job));

	if (!job) {
		json_decref(record);
		return NULL;
	}
	job->record = record;
	return job;
}

static int parse_json_job(const char *line, size_t len, uint16_t default_port,
			  struct job **out, char *why, size_t why_len)
{
	json_error_t err;
	json_t *rec, *dip, *dp, *domain;
	struct job *job;

	rec = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err);
	if (!rec) {
		snprintf(why, why_len, "invalid JSON at column %d: %s",
			 err.column, err.text);
		return -1;
	}
	if (!json_is_object(rec)) {
		snprintf(why, why_len, "a job must be a JSON object");
		goto invalid;
	}
	job = job_new(rec);
	if (!job) {
		snprintf(why, why_len, "out of memory");
		return -1;
	}

	dip = json_object_get(rec, "dip");
	if (!json_is_string(dip)) {
		snprintf(why, why_len,
			 "missing \"dip\" (a string holding an "
			 "IPv4 or IPv6 address)");
		goto invalid_job;
	}
	if (parse_dip(json_string_value(dip), &job->dip) != 0) {
		snprintf(why, why_len,
			 "invalid \"dip\" \"%.64s\": not an IPv4 "
			 "or IPv6 address",
			 json_string_value(dip));
		goto invalid_job;
	}

	dp = json_object_get(rec, "dp");
	job->dp = default_port;
	if (dp && !json_is_null(dp) &&
	    !(json_is_integer(dp) &&
	      parse_port(json_integer_value(dp), &job->dp) == 0) &&
	    !(json_is_string(dp) &&
	      parse_port_text(json_string_value(dp), &job->dp) == 0)) {
		snprintf(why, why_len,
			 "invalid \"dp\": a port is an integer "
			 "from 1 to 65535");
		goto invalid_job;
	}

	domain = json_object_get(rec, "domain");
	if (domain && !json_is_string(domain) && !json_is_null(domain)) {
		snprintf(why, why_len,
			 "invalid \"domain\": it must be a "
			 "string");
		goto invalid_job;
	}
	if (json_is_string(domain) &&
	    domain_check(json_string_value(domain), why, why_len) != 0)
		goto invalid_job;
	job->domain = json_is_string(domain) ? json_string_value(domain) : NULL;
	*out = job;
	return 0;

invalid_job:
	job_free(job);
	return -1;
invalid:
	json_decref(rec);
	return -1;
}

/* Splits a CSV row in place; returns the number of fields. */
static size_t csv_split(char *line, char **fields, size_t max)
{
	size_t n = 0;
	char *p = line;

	for (;;) {
		char *comma = strchr(p, ',');

		if (n < max)
			fields[n] = p;
		n++;
		if (!comma)
			break;
		*comma = '\0';
		p = comma + 1;
	}
	for (size_t i = 0; i < n && i < max; i++) {
		char *end;

		while (isspace((unsigned char)*fields[i]))
			fields[i]++;
		end = fields[i] + strlen(fields[i]);
		while (end > fields[i] && isspace((unsigned char)end[-1]))
			*--end = '\0';
	}
	return n;
}

static json_t *csv_rank_json(const char *text)
{
	char *end;
	long long value;

	errno = 0;
	value = strtoll(text, &end, 10);
	if (*text && !*end && !errno)
		return json_integer(value);
	return json_string(text);
}

static int parse_csv_job(const char *line, size_t len, struct job **out,
			 char *why, size_t why_len)
{
	char copy[TARGET_MAX_LINE + 1];
	char *fields[4];
	struct ip_addr dip;
	uint16_t dp;
	size_t n;
	json_t *rec;
	struct job *job;

	memcpy(copy, line, len);
	copy[len] = '\0';
	n = csv_split(copy, fields, 4);
	if (n == 2) {
		snprintf(why, why_len,
			 "rank,domain rows need name resolution, "
			 "which measure does not do: give dip,dp,domain rows");
		return -1;
	}
	if (n != 3 && n != 4) {
		snprintf(why, why_len,
			 "expected dip,dp,domain or "
			 "dip,dp,domain,rank but found %zu fields",
			 n);
		return -1;
	}
	if (parse_dip(fields[0], &dip) != 0) {
		snprintf(why, why_len,
			 "invalid dip \"%.64s\": not an IPv4 or "
			 "IPv6 address",
			 fields[0]);
		return -1;
	}
	if (parse_port_text(fields[1], &dp) != 0) {
		snprintf(why, why_len,
			 "invalid dp \"%.16s\": a port is an "
			 "integer from 1 to 65535",
			 fields[1]);
		return -1;
	}

	if (domain_check(fields[2], why, why_len) != 0)
		return -1;
	rec = json_object();
	json_object_set_new(rec, "dip", json_string(fields[0]));
	json_object_set_new(rec, "dp", json_integer(dp));
	json_object_set_new(rec, "domain", json_string(fields[2]));
	if (n == 4)
		json_object_set_new(rec, "rank", csv_rank_json(fields[3]));
	job = job_new(rec);
	if (!job) {
		snprintf(why, why_len, "out of memory");
		return -1;
	}
	job->dip = dip;
	job->dp = dp;
	job->domain = json_string_value(json_object_get(rec, "domain"));
	*out = job;
	return 0;
}

int target_parse_line(const char *line, size_t len, int csv,
		      uint16_t default_port, struct job **job, char *why,
		      size_t why_len)
{
	/* Windows line ends and a UTF-8 byte order mark are accepted. */
	if (len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
		line += 3;
		len -= 3;
	}
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' ||
			   line[len - 1] == '\t'))
		len--;
	if (len == 0) {
		snprintf(why, why_len, "empty line");
		return -1;
	}
	if (len > TARGET_MAX_LINE) {
		snprintf(why, why_len, "line longer than %d bytes",
			 TARGET_MAX_LINE);
		return -1;
	}
	if (memchr(line, '\0', len)) {
		snprintf(why, why_len, "line contains a NUL byte");
		return -1;
	}
	if (csv)
		return parse_csv_job(line, len, job, why, why_len);
	return parse_json_job(line, len, default_port, job, why, why_len);
}

int target_read(struct target_reader *r, struct job **job)
{
	char why[256];

	for (;;) {
		long len = target_read_line(r);
		char dip[64];

		if (len == -1)
			return ferror(r->file) ? -1 : 0;
		if (len == -2) {
			log_warn(component,
				 "%s line %lu: line longer than %d "
				 "bytes, skipped",
				 r->name, r->line, TARGET_MAX_LINE);
			r->malformed++;
			continue;
		}
		if (target_parse_line(r->buf, (size_t)len, r->csv,
				      r->default_port, job, why,
				      sizeof(why)) != 0) {
			log_warn(component, "%s line %lu: %s, skipped", r->name,
				 r->line, why);
			r->malformed++;
			continue;
		}
		(*job)->line = r->line;
		if (!dip_set_add(&r->seen, &(*job)->dip)) {
			ip_addr_format(&(*job)->dip, dip, sizeof(dip));
			log_info(component,
				 "%s line %lu: %s was already "
				 "measured, skipped",
				 r->name, r->line, dip);
			r->duplicates++;
			job_free(*job);
			continue;
		}
		return 1;
	}
}

/*
 * The set keeps a 64-bit hash of each address instead of the address, so
 * a million targets cost 16 MiB; two addresses share a hash with a chance
 * of about n^2 / 2^65, negligible at any list size measured.
 */
static uint64_t dip_hash(const struct ip_addr *addr)
{
	uint64_t h = 1469598103934665603ULL ^ addr->family;

	for (size_t i = 0; i < 16; i++) {
		h ^= addr->bytes[i];
		h *= 1099511628211ULL;
	}
	h ^= h >> 29;
	return h ? h : 1;
}

static int dip_set_grow(struct dip_set *set)
{
	size_t cap = set->slots ? (set->mask + 1) * 2 : 1024;
	uint64_t *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -1;
	for (size_t i = 0; set->slots && i <= set->mask; i++) {
		size_t j;

		if (!set->slots[i])
			continue;
		j = set->slots[i] & (cap - 1);
		while (slots[j])
			j = (j + 1) & (cap - 1);
		slots[j] = set->slots[i];
	}
	free(set->slots);
	set->slots = slots;
	set->mask = cap - 1;
	return 0;
}

int dip_set_add(struct dip_set *set, const struct ip_addr *addr)
{
	uint64_t h = dip_hash(addr);
	size_t i;

	if ((!set->slots || (set->count + 1) * 2 > set->mask + 1) &&
	    dip_set_grow(set) != 0)
		return 1; /* without memory, measure rather than skip */
	i = h & set->mask;
	while (set->slots[i]) {
		if (set->slots[i] == h)
			return 0;
		i = (i + 1) & set->mask;
	}
	set->slots[i] = h;
	set->count++;
	return 1;
}

void dip_set_free(struct dip_set *set)
{
	free(set->slots);
	memset(set, 0, sizeof(*set));
}
