/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One connection of a job, carried by a worker's event loop.  The helpers
 * start it, the loop drives it, and the helper turns the outcome into a
 * conn_result: state, local address and port, start and stop times.
 */
#ifndef PP_CONN_H
#define PP_CONN_H

#include "../plugins/plugin.h"
#include "job.h"

#include <curl/curl.h>

/* The kind of object an epoll event's data points at, which is the first
 * member of every such object. */
enum event_source {
	EVENT_WAKE,
	EVENT_TCP,
	EVENT_CURL,
	EVENT_DNS,
	EVENT_FORGE,
};

#define DNS_MAX_SOCKETS 4

struct conn {
	enum event_source source; /* EVENT_TCP while a TCP helper owns fd */
	struct conn *next;
	struct conn *prev;
	struct job *job;
	size_t config;
	enum connect_mode mode;
	double timeout;	 /* seconds */
	double deadline; /* CLOCK_MONOTONIC seconds */
	struct conn_result *result;
	struct conn_setup setup;
	int verify_certificates;
	int worker_index; /* the worker that carries the job's connections */

	/* TCP helper */
	int fd;

	/* DNS helper */
	void *channel; /* ares_channel */
	struct dns_watch *watches[DNS_MAX_SOCKETS];
	int dns_done;
	int dns_status;
	void (*dns_watch)(struct conn *c, int fd, int readable, int writable);
	void *dns_watch_ctx; /* the worker */

	/* HTTP helper */
	CURL *easy;
	struct curl_slist *headers;
	size_t body_bytes;
	size_t body_limit;
	int body_capped;
};

/* Records the local address and port of a socket into the result. */
void conn_note_local(struct conn *c, int fd);

/* Applies the connection's socket options (TOS or traffic class, TCP Fast
 * Open) to fd; returns 0, or -1 with errno set. */
int conn_apply_marks(const struct conn *c, int fd);

/* Helpers in helpers/tcp.c: non-blocking connect with a deadline. */
int tcp_conn_start(struct conn *c);	/* 0: in progress, -1: done */
void tcp_conn_complete(struct conn *c); /* the socket became writable */
void tcp_conn_expire(struct conn *c);	/* the deadline passed */

/* A socket of a DNS connection, watched by the worker's epoll. */
struct dns_watch {
	enum event_source source; /* EVENT_DNS */
	int fd;
	int removed;
	struct conn *conn;
	struct dns_watch *next_removed;
};

/*
 * Helpers in helpers/dns.c: a DNS query with c-ares, sent to the target
 * itself.  dns_conn_start returns 0 when the query is on its way, -1 when
 * the connection already ended.  The worker calls dns_conn_process for
 * socket events and dns_conn_finish once dns_done is set or the deadline
 * passed.  c-ares reports socket changes through the `watch` callback.
 */
typedef void (*dns_watch_fn)(struct conn *c, int fd, int readable,
			     int writable);
int dns_conn_start(struct conn *c, dns_watch_fn watch, void *watch_ctx);
void dns_conn_process(struct conn *c, int fd, int readable, int writable);
void dns_conn_finish(struct conn *c, int timed_out);

/*
 * Helpers in helpers/forge.c: a TCP SYN or a DNS query over UDP built by
 * hand (IPv4 only) and sent on a raw socket.  The local port is held by
 * an ordinary socket bound to it until the connection ends, at its
 * deadline; the observer's flow then shows whether the target responded.
 */
int forge_conn_start(struct conn *c); /* 0: sent, -1: done (failed) */
void forge_conn_finish(struct conn *c);

/* Helpers in helpers/http.c: a libcurl GET on a multi handle. */
CURL *http_conn_create(struct conn *c);
void http_conn_complete(struct conn *c, CURLcode code);

#endif
