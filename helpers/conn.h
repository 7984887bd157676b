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

/* What an epoll event's data points at; every such struct starts with it. */
enum event_source {
	EVENT_WAKE,
	EVENT_TCP,
	EVENT_CURL,
};

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

	/* TCP helper */
	int fd;

	/* HTTP helper */
	CURL *easy;
	struct curl_slist *headers;
	size_t body_bytes;
	size_t body_limit;
	int body_capped;
};

/* Records the local address and port of a socket into the result. */
void conn_note_local(struct conn *c, int fd);

/* Applies the connection's socket marks (TOS or traffic class) to fd;
 * returns 0, or -1 with errno set. */
int conn_apply_marks(const struct conn *c, int fd);

/* Helpers in helpers/tcp.c: non-blocking connect with a deadline. */
int tcp_conn_start(struct conn *c);	/* 0: in progress, -1: done */
void tcp_conn_complete(struct conn *c); /* the socket became writable */
void tcp_conn_expire(struct conn *c);	/* the deadline passed */

/* Helpers in helpers/http.c: a libcurl GET on a multi handle. */
CURL *http_conn_create(struct conn *c);
void http_conn_complete(struct conn *c, CURLcode code);

#endif
