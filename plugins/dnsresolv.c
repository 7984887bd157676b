/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dnsresolv: turns names into jobs for a later measurement.  Input lines
 * are CSV rows `rank,domain`, or JSON jobs with a "domain" and no "dip";
 * each name is resolved for A and AAAA with c-ares, many at once, and one
 * job is written per address, the input's fields kept and "dip" added.
 * Jobs that already have a "dip" pass through unchanged.
 *
 * --resolver ADDR[:PORT] sends every query to that server; without it the
 * system's resolver configuration is used.
 */
#include "plugin.h"

#include "../src/log.h"
#include "../src/output.h"
#include "../src/target.h"

#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

static const char *const component = "dnsresolv";

/* Addresses kept per name; a name with more is cut. */
#define RESOLVE_MAX_ADDRESSES 32

struct name_job {
	json_t *record;
	char *domain;
	int pending; /* queries still out: A, AAAA */
	size_t address_count;
	char addresses[RESOLVE_MAX_ADDRESSES][INET6_ADDRSTRLEN];
};

struct resolver {
	ares_channel channel;
	struct output out;
	size_t in_flight;
	unsigned long names;
	unsigned long jobs_written;
	unsigned long unresolved;
};

static void name_add_address(struct name_job *nj, int family, const void *addr)
{
	char text[INET6_ADDRSTRLEN];

	if (!inet_ntop(family, addr, text, sizeof(text)))
		return;
	for (size_t i = 0; i < nj->address_count; i++)
		if (strcmp(nj->addresses[i], text) == 0)
			return;
	if (nj->address_count < RESOLVE_MAX_ADDRESSES)
		strcpy(nj->addresses[nj->address_count++], text);
}

static void name_parse_answer(struct name_job *nj, int type,
			      const unsigned char *abuf, int alen)
{
	struct ares_addrttl v4[RESOLVE_MAX_ADDRESSES];
	struct ares_addr6ttl v6[RESOLVE_MAX_ADDRESSES];
	int n = RESOLVE_MAX_ADDRESSES;

	if (type == T_A &&
	    ares_parse_a_reply(abuf, alen, NULL, v4, &n) == ARES_SUCCESS)
		for (int i = 0; i < n; i++)
			name_add_address(nj, AF_INET, &v4[i].ipaddr);
	if (type == T_AAAA &&
	    ares_parse_aaaa_reply(abuf, alen, NULL, v6, &n) == ARES_SUCCESS)
		for (int i = 0; i < n; i++)
			name_add_address(nj, AF_INET6, &v6[i].ip6addr);
}

static void name_finish(struct resolver *rs, struct name_job *nj)
{
	for (size_t i = 0; i < nj->address_count; i++) {
		json_t *job = json_deep_copy(nj->record);

		json_object_set_new(job, "dip", json_string(nj->addresses[i]));
		if (output_write(&rs->out, job) == 0)
			rs->jobs_written++;
		json_decref(job);
	}
	if (nj->address_count == 0) {
		rs->unresolved++;
		log_debug(component, "%s: no address", nj->domain);
	}
	json_decref(nj->record);
	free(nj->domain);
	free(nj);
	rs->in_flight--;
}

struct query {
	struct resolver *rs;
	struct name_job *nj;
	int type;
};

static void query_done(void *arg, int status, int timeouts, unsigned char *abuf,
		       int alen)
{
	struct query *q = arg;

	(void)timeouts;
	if (status == ARES_SUCCESS)
		name_parse_answer(q->nj, q->type, abuf, alen);
	else if (status != ARES_EDESTRUCTION)
		log_debug(component, "%s: %s", q->nj->domain,
			  ares_strerror(status));
	if (--q->nj->pending == 0)
		name_finish(q->rs, q->nj);
	free(q);
}

static void resolve_start(struct resolver *rs, json_t *record,
			  const char *domain)
{
	static const int types[] = {T_A, T_AAAA};
	struct name_job *nj = calloc(1, sizeof(*nj));

	if (!nj || !(nj->domain = strdup(domain))) {
		free(nj);
		json_decref(record);
		return;
	}
	nj->record = record;
	nj->pending = 2;
	rs->in_flight++;
	rs->names++;
	for (int i = 0; i < 2; i++) {
		struct query *q = calloc(1, sizeof(*q));

		if (!q) {
			if (--nj->pending == 0)
				name_finish(rs, nj);
			continue;
		}
		q->rs = rs;
		q->nj = nj;
		q->type = types[i];
		ares_query(rs->channel, nj->domain, C_IN, types[i], query_done,
			   q);
	}
}

/* Parses one input line into a record to resolve, or passes a job on. */
static void resolve_line(struct resolver *rs, struct target_reader *r,
			 const char *line, size_t len)
{
	json_t *record;
	json_t *domain;

	while (len > 0 && isspace((unsigned char)line[len - 1]))
		len--;
	if (len == 0)
		return;
	if (line[0] == '{') {
		record = json_loadb(line, len, 0, NULL);
		domain = json_object_get(record, "domain");
		if (json_object_get(record, "dip")) {
			output_write(&rs->out, record);
			json_decref(record);
			return;
		}
		if (!json_is_object(record) || !json_is_string(domain)) {
			log_warn(component,
				 "%s line %lu: expected a JSON job "
				 "with a \"domain\" string, skipped",
				 r->name, r->line);
			json_decref(record);
			return;
		}
		resolve_start(rs, record, json_string_value(domain));
		return;
	}

	const char *comma = memchr(line, ',', len);
	char rank[32], name[256];
	size_t name_len = comma ? len - (size_t)(comma + 1 - line) : 0;
	size_t rank_len = comma ? (size_t)(comma - line) : 0;

	if (!comma || rank_len >= sizeof(rank) || name_len == 0 ||
	    name_len >= sizeof(name) || memchr(comma + 1, ',', name_len)) {
		log_warn(component,
			 "%s line %lu: expected rank,domain, "
			 "skipped",
			 r->name, r->line);
		return;
	}
	memcpy(rank, line, rank_len);
	rank[rank_len] = '\0';
	memcpy(name, comma + 1, name_len);
	name[name_len] = '\0';
	record = json_object();
	json_object_set_new(record, "domain", json_string(name));
	json_object_set_new(record, "rank",
			    rank_len && strspn(rank, "0123456789") == rank_len
				? json_integer(strtoll(rank, NULL, 10))
				: json_string(rank));
	resolve_start(rs, record, name);
}

/* Waits for c-ares's sockets or its next timeout, then processes them. */
static void resolve_wait(struct resolver *rs)
{
	ares_socket_t socks[ARES_GETSOCK_MAXNUM];
	struct pollfd fds[ARES_GETSOCK_MAXNUM];
	struct timeval tv, *tvp;
	int bits = ares_getsock(rs->channel, socks, ARES_GETSOCK_MAXNUM);
	int n = 0;

	for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
		/* c-ares's own test macros shift a signed 1 into the sign
		 * bit for the last socket, so the bits are read unsigned. */
		unsigned int mask = (unsigned int)bits;
		short events =
		    (mask & (1u << i) ? POLLIN : 0) |
		    (mask & (1u << (i + ARES_GETSOCK_MAXNUM)) ? POLLOUT : 0);

		if (!events)
			continue;
		fds[n].fd = socks[i];
		fds[n].events = events;
		fds[n].revents = 0;
		n++;
	}
	tvp = ares_timeout(rs->channel, NULL, &tv);
	if (poll(fds, (nfds_t)n,
		 tvp ? (int)(tvp->tv_sec * 1000 + tvp->tv_usec / 1000) : -1) <
	    0) {
		if (errno != EINTR)
			log_error(component, "poll failed: %s",
				  strerror(errno));
		return;
	}
	for (int i = 0; i < n; i++)
		ares_process_fd(rs->channel,
				fds[i].revents & (POLLIN | POLLERR | POLLHUP)
				    ? fds[i].fd
				    : ARES_SOCKET_BAD,
				fds[i].revents & POLLOUT ? fds[i].fd
							 : ARES_SOCKET_BAD);
	/* Timeouts are handled by a call with no socket. */
	ares_process_fd(rs->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
}

static int resolver_open(struct resolver *rs, const struct plugin_params *p)
{
	struct ares_options opts;
	int optmask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
	int rc;

	memset(&opts, 0, sizeof(opts));
	opts.timeout = (int)(p->timeout * 1000);
	opts.tries = 2;
	if (p->resolver) {
		opts.resolvconf_path = (char *)"/dev/null";
		optmask |= ARES_OPT_RESOLVCONF;
	}
	rc = ares_init_options(&rs->channel, &opts, optmask);
	if (rc != ARES_SUCCESS) {
		log_error(component, "cannot set up the resolver: %s",
			  ares_strerror(rc));
		return -1;
	}
	if (p->resolver) {
		rc = ares_set_servers_ports_csv(rs->channel, p->resolver);
		if (rc != ARES_SUCCESS) {
			log_error(component,
				  "invalid --resolver \"%s\": %s "
				  "(give ADDRESS or ADDRESS:PORT, IPv6 in "
				  "brackets with a port)",
				  p->resolver, ares_strerror(rc));
			ares_destroy(rs->channel);
			return -1;
		}
	}
	return 0;
}

static int dnsresolv_run(const struct resolver_run *run)
{
	struct resolver rs;
	struct target_reader r;
	long len = 0;
	int rc = 0;

	memset(&rs, 0, sizeof(rs));
	ares_library_init(ARES_LIB_INIT_ALL);
	if (resolver_open(&rs, run->params) != 0)
		return 1;
	if (target_reader_open(&r, run->input, 0, 0) != 0 ||
	    output_open(&rs.out, run->output, 1) != 0) {
		ares_destroy(rs.channel);
		return 1;
	}
	while (len != -1 || rs.in_flight > 0) {
		while (len != -1 && rs.in_flight < (size_t)run->max_in_flight) {
			len = target_read_line(&r);
			if (len >= 0)
				resolve_line(&rs, &r, r.buf, (size_t)len);
			else if (len == -2)
				log_warn(component,
					 "%s line %lu: line too "
					 "long, skipped",
					 r.name, r.line);
		}
		if (rs.in_flight > 0)
			resolve_wait(&rs);
	}
	if (ferror(r.file)) {
		log_error(component, "reading %s failed", r.name);
		rc = 1;
	}
	log_info(component,
		 "%lu names resolved into %lu jobs; %lu had no "
		 "address",
		 rs.names, rs.jobs_written, rs.unresolved);
	ares_destroy(rs.channel);
	ares_library_cleanup();
	target_reader_close(&r);
	output_close(&rs.out);
	return rc;
}

static const char *const dnsresolv_configs[] = {NULL};
static const char *const dnsresolv_chains[] = {NULL};
static const char *const dnsresolv_conditions[] = {NULL};

static void dnsresolv_combine(const struct plugin_params *params,
			      const struct job *job, json_t *conditions)
{
	(void)params;
	(void)job;
	(void)conditions;
}

const struct plugin plugin_dnsresolv = {
    .name = "dnsresolv",
    .description = "resolve names (rank,domain rows) into jobs",
    .kind = PLUGIN_RESOLVER,
    .chains = dnsresolv_chains,
    .configs = dnsresolv_configs,
    .connect_modes = CONNECT_MASK(CONNECT_DNSUDP),
    .default_connect = CONNECT_DNSUDP,
    .conditions = dnsresolv_conditions,
    .options = PLUGIN_OPTION_RESOLVER,
    .config_count = plugin_no_config_count,
    .prepare = plugin_no_prepare,
    .combine = dnsresolv_combine,
    .run = dnsresolv_run,
    .step_begin = plugin_no_step_begin,
    .step_end = plugin_no_step_end,
};
