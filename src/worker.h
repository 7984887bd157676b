/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Workers: threads that each run an event loop (epoll) carrying many
 * connections at once, TCP connects on non-blocking sockets and HTTP
 * transfers on a libcurl multi handle driven by its socket callbacks.
 * Connections are handed over through an inbox and reported back through
 * a callback when they end.
 */
#ifndef PP_WORKER_H
#define PP_WORKER_H

#include "../helpers/conn.h"

#include <pthread.h>

struct curl_watch;

typedef void (*worker_done_fn)(struct conn *c, void *ctx);

struct worker {
	enum event_source wake_source; /* EVENT_WAKE, for the eventfd */
	int id;
	char name[16];
	pthread_t thread;
	int started;
	int epfd;
	int wakefd;
	CURLM *multi;
	double curl_deadline; /* CLOCK_MONOTONIC, 0 when no timer */
	size_t active;
	struct curl_watch *removed_watches; /* freed after each batch */
	struct dns_watch *removed_dns;

	pthread_mutex_t lock;
	struct conn *inbox;
	struct conn *inbox_tail;
	int stopping;

	/* TCP and DNS connections in deadline order (one timeout for all,
	 * so a FIFO) */
	struct conn *tcp_head;
	struct conn *tcp_tail;

	worker_done_fn done;
	void *ctx;
};

int worker_start(struct worker *w, int id, worker_done_fn done, void *ctx);
void worker_submit(struct worker *w, struct conn *c);
/* Lets the connections in flight end, then joins the thread. */
void worker_stop(struct worker *w);

#endif
