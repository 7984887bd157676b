/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The worker event loop: epoll over TCP sockets and libcurl's sockets. */
#include "worker.h"
#include "log.h"
#include "timeutil.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define WORKER_EVENTS 256

/* A socket libcurl asked us to watch. */
struct curl_watch {
	enum event_source source; /* EVENT_CURL */
	curl_socket_t fd;
	int removed;
	struct curl_watch *next_removed;
};

static void worker_finish(struct worker *w, struct conn *c)
{
	w->active--;
	w->done(c, w->ctx);
}

static int curl_on_socket(CURL *easy, curl_socket_t fd, int what, void *userp,
			  void *socketp)
{
	struct worker *w = userp;
	struct curl_watch *watch = socketp;
	struct epoll_event ev = {0};
	struct conn *c = NULL;

	/* The port is bound by now: connect() has returned EINPROGRESS. */
	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&c);
	if (c)
		conn_note_local(c, fd);

	if (what == CURL_POLL_REMOVE) {
		/* Events already fetched may still point at the watch, so it
		 * is freed after the current batch. */
		if (watch) {
			epoll_ctl(w->epfd, EPOLL_CTL_DEL, fd, NULL);
			curl_multi_assign(w->multi, fd, NULL);
			watch->removed = 1;
			watch->next_removed = w->removed_watches;
			w->removed_watches = watch;
		}
		return 0;
	}
	ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) |
		    (what & CURL_POLL_OUT ? EPOLLOUT : 0);
	if (!watch) {
		watch = calloc(1, sizeof(*watch));
		if (!watch)
			return -1;
		watch->source = EVENT_CURL;
		watch->fd = fd;
		ev.data.ptr = watch;
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
			free(watch);
			return -1;
		}
		curl_multi_assign(w->multi, fd, watch);
	} else {
		ev.data.ptr = watch;
		epoll_ctl(w->epfd, EPOLL_CTL_MOD, fd, &ev);
	}
	return 0;
}

static int curl_on_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct worker *w = userp;

	(void)multi;
	w->curl_deadline =
	    timeout_ms < 0 ? 0 : time_now_mono() + timeout_ms / 1e3;
	return 0;
}

static void curl_collect(struct worker *w)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(w->multi, &left))) {
		struct conn *c = NULL;
		CURL *easy = msg->easy_handle;
		CURLcode code = msg->data.result;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&c);
		curl_multi_remove_handle(w->multi, easy);
		http_conn_complete(c, code);
		curl_easy_cleanup(easy);
		c->easy = NULL;
		worker_finish(w, c);
	}
}

static void tcp_list_remove(struct worker *w, struct conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		w->tcp_head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		w->tcp_tail = c->prev;
	c->prev = c->next = NULL;
}

/* Puts a TCP or DNS connection on the deadline list. */
static void deadline_list_append(struct worker *w, struct conn *c)
{
	c->deadline = time_now_mono() + c->timeout;
	c->next = NULL;
	c->prev = w->tcp_tail;
	if (w->tcp_tail)
		w->tcp_tail->next = c;
	else
		w->tcp_head = c;
	w->tcp_tail = c;
}

static void worker_start_tcp(struct worker *w, struct conn *c)
{
	struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};

	if (tcp_conn_start(c) != 0 ||
	    epoll_ctl(w->epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
		if (c->fd >= 0)
			tcp_conn_complete(c);
		worker_finish(w, c);
		return;
	}
	deadline_list_append(w, c);
}

static int dns_watch_slot(const struct conn *c, int fd)
{
	for (int i = 0; i < DNS_MAX_SOCKETS; i++)
		if (c->watches[i] && c->watches[i]->fd == fd)
			return i;
	return -1;
}

static void dns_watch_add(struct worker *w, struct conn *c, int fd,
			  struct epoll_event *ev)
{
	struct dns_watch *watch;
	int slot = 0;

	while (slot < DNS_MAX_SOCKETS && c->watches[slot])
		slot++;
	watch = slot < DNS_MAX_SOCKETS ? calloc(1, sizeof(*watch)) : NULL;
	if (!watch) {
		log_warn(w->name, "cannot watch another DNS socket");
		return;
	}
	watch->source = EVENT_DNS;
	watch->fd = fd;
	watch->conn = c;
	c->watches[slot] = watch;
	ev->data.ptr = watch;
	epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, ev);
}

/* Follows c-ares's sockets of a DNS connection in epoll. */
static void worker_dns_watch(struct conn *c, int fd, int readable, int writable)
{
	struct worker *w = c->dns_watch_ctx;
	struct epoll_event ev = {0};
	int slot = dns_watch_slot(c, fd);
	struct dns_watch *watch = slot >= 0 ? c->watches[slot] : NULL;

	if (!readable && !writable) {
		if (!watch)
			return;
		/* Events already fetched may still point at the watch. */
		epoll_ctl(w->epfd, EPOLL_CTL_DEL, fd, NULL);
		watch->removed = 1;
		watch->next_removed = w->removed_dns;
		w->removed_dns = watch;
		c->watches[slot] = NULL;
		return;
	}
	ev.events = (readable ? EPOLLIN : 0) | (writable ? EPOLLOUT : 0);
	if (!watch) {
		dns_watch_add(w, c, fd, &ev);
		return;
	}
	ev.data.ptr = watch;
	epoll_ctl(w->epfd, EPOLL_CTL_MOD, fd, &ev);
}

static void worker_start_dns(struct worker *w, struct conn *c)
{
	if (dns_conn_start(c, worker_dns_watch, w) != 0) {
		worker_finish(w, c);
		return;
	}
	deadline_list_append(w, c);
}

static void worker_dns_event(struct worker *w, struct dns_watch *watch,
			     uint32_t events)
{
	struct conn *c = watch->conn;

	if (watch->removed)
		return;
	dns_conn_process(c, watch->fd,
			 (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0,
			 (events & EPOLLOUT) != 0);
	if (!c->dns_done)
		return;
	tcp_list_remove(w, c);
	dns_conn_finish(c, 0);
	worker_finish(w, c);
}

/*
 * A forged packet's connection lasts until its deadline, when the observer
 * has had the time to see an answer; a DNS answer arriving on the held
 * UDP port ends it early.
 */
static void worker_start_forge(struct worker *w, struct conn *c)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};

	if (forge_conn_start(c) != 0) {
		worker_finish(w, c);
		return;
	}
	if (c->mode == CONNECT_DNSUDP)
		epoll_ctl(w->epfd, EPOLL_CTL_ADD, c->fd, &ev);
	deadline_list_append(w, c);
}

static void worker_forge_event(struct worker *w, struct conn *c)
{
	tcp_list_remove(w, c);
	epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	forge_conn_finish(c);
	worker_finish(w, c);
}

static void worker_start_http(struct worker *w, struct conn *c)
{
	CURL *easy = http_conn_create(c);

	if (!easy || curl_multi_add_handle(w->multi, easy) != CURLM_OK) {
		if (easy)
			curl_easy_cleanup(easy);
		c->easy = NULL;
		http_conn_complete(c, CURLE_OUT_OF_MEMORY);
		worker_finish(w, c);
	}
}

static void worker_take_inbox(struct worker *w)
{
	struct conn *c;
	uint64_t count;

	if (read(w->wakefd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		log_warn(w->name, "reading the wake-up counter failed: %s",
			 strerror(errno));
	pthread_mutex_lock(&w->lock);
	c = w->inbox;
	w->inbox = w->inbox_tail = NULL;
	pthread_mutex_unlock(&w->lock);

	while (c) {
		struct conn *next = c->next;

		w->active++;
		if (c->setup.forged)
			worker_start_forge(w, c);
		else if (c->mode == CONNECT_TCP)
			worker_start_tcp(w, c);
		else if (c->mode == CONNECT_DNSUDP || c->mode == CONNECT_DNSTCP)
			worker_start_dns(w, c);
		else
			worker_start_http(w, c);
		c = next;
	}
}

static void worker_tcp_event(struct worker *w, struct conn *c)
{
	tcp_list_remove(w, c);
	epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	tcp_conn_complete(c);
	worker_finish(w, c);
}

static void worker_expire(struct worker *w, double now)
{
	int running;

	while (w->tcp_head && w->tcp_head->deadline <= now) {
		struct conn *c = w->tcp_head;

		tcp_list_remove(w, c);
		if (c->source == EVENT_DNS) {
			dns_conn_finish(c, 1);
		} else if (c->source == EVENT_FORGE) {
			if (c->mode == CONNECT_DNSUDP)
				epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->fd, NULL);
			forge_conn_finish(c);
		} else {
			epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->fd, NULL);
			tcp_conn_expire(c);
		}
		worker_finish(w, c);
	}
	if (w->curl_deadline > 0 && w->curl_deadline <= now) {
		w->curl_deadline = 0;
		curl_multi_socket_action(w->multi, CURL_SOCKET_TIMEOUT, 0,
					 &running);
	}
}

/* Milliseconds until the next deadline, or -1 to wait for events only. */
static int worker_wait_ms(const struct worker *w)
{
	double next = 0;
	double ms;

	if (w->tcp_head)
		next = w->tcp_head->deadline;
	if (w->curl_deadline > 0 && (next == 0 || w->curl_deadline < next))
		next = w->curl_deadline;
	if (next == 0)
		return -1;
	ms = ceil((next - time_now_mono()) * 1e3);
	if (ms < 0)
		return 0;
	if (ms > 60000)
		return 60000;
	return (int)ms;
}

static void worker_dispatch(struct worker *w, const struct epoll_event *ev)
{
	enum event_source *source = ev->data.ptr;
	int running;

	switch (*source) {
	case EVENT_WAKE:
		worker_take_inbox(w);
		break;
	case EVENT_TCP:
		worker_tcp_event(w, (struct conn *)source);
		break;
	case EVENT_DNS:
		worker_dns_event(w, (struct dns_watch *)source, ev->events);
		break;
	case EVENT_FORGE:
		worker_forge_event(w, (struct conn *)source);
		break;
	case EVENT_CURL: {
		struct curl_watch *watch = (struct curl_watch *)source;
		int flags;

		if (watch->removed)
			break;
		flags =
		    (ev->events & EPOLLIN ? CURL_CSELECT_IN : 0) |
		    (ev->events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
		    (ev->events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);

		curl_multi_socket_action(w->multi, watch->fd, flags, &running);
		break;
	}
	}
}

static int worker_should_exit(struct worker *w)
{
	int exit_now;

	pthread_mutex_lock(&w->lock);
	exit_now = w->stopping && !w->inbox && w->active == 0;
	pthread_mutex_unlock(&w->lock);
	return exit_now;
}

static void worker_free_removed(struct worker *w)
{
	while (w->removed_dns) {
		struct dns_watch *next = w->removed_dns->next_removed;

		free(w->removed_dns);
		w->removed_dns = next;
	}
	while (w->removed_watches) {
		struct curl_watch *next = w->removed_watches->next_removed;

		free(w->removed_watches);
		w->removed_watches = next;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event events[WORKER_EVENTS];

	while (!worker_should_exit(w)) {
		int n = epoll_wait(w->epfd, events, WORKER_EVENTS,
				   worker_wait_ms(w));

		if (n < 0 && errno != EINTR) {
			log_error(w->name, "epoll_wait failed: %s",
				  strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++)
			worker_dispatch(w, &events[i]);
		worker_expire(w, time_now_mono());
		curl_collect(w);
		worker_free_removed(w);
	}
	return NULL;
}

int worker_start(struct worker *w, int id, worker_done_fn done, void *ctx)
{
	struct epoll_event ev = {.events = EPOLLIN};

	memset(w, 0, sizeof(*w));
	w->wake_source = EVENT_WAKE;
	w->id = id;
	snprintf(w->name, sizeof(w->name), "worker %d", id);
	w->done = done;
	w->ctx = ctx;
	pthread_mutex_init(&w->lock, NULL);
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	w->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	w->multi = curl_multi_init();
	if (w->epfd < 0 || w->wakefd < 0 || !w->multi) {
		log_error(w->name, "cannot set up the event loop: %s",
			  strerror(errno));
		return -1;
	}
	ev.data.ptr = &w->wake_source;
	epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wakefd, &ev);
	curl_multi_setopt(w->multi, CURLMOPT_SOCKETFUNCTION, curl_on_socket);
	curl_multi_setopt(w->multi, CURLMOPT_SOCKETDATA, w);
	curl_multi_setopt(w->multi, CURLMOPT_TIMERFUNCTION, curl_on_timer);
	curl_multi_setopt(w->multi, CURLMOPT_TIMERDATA, w);
	curl_multi_setopt(w->multi, CURLMOPT_MAXCONNECTS, 0L);

	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		log_error(w->name, "cannot start the thread");
		return -1;
	}
	w->started = 1;
	return 0;
}

static void worker_wake(struct worker *w)
{
	uint64_t one = 1;

	if (write(w->wakefd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn(w->name, "wake-up failed: %s", strerror(errno));
}

void worker_submit(struct worker *w, struct conn *c)
{
	c->next = NULL;
	pthread_mutex_lock(&w->lock);
	if (w->inbox_tail)
		w->inbox_tail->next = c;
	else
		w->inbox = c;
	w->inbox_tail = c;
	pthread_mutex_unlock(&w->lock);
	worker_wake(w);
}

void worker_stop(struct worker *w)
{
	if (w->started) {
		pthread_mutex_lock(&w->lock);
		w->stopping = 1;
		pthread_mutex_unlock(&w->lock);
		worker_wake(w);
		pthread_join(w->thread, NULL);
		w->started = 0;
	}
	worker_free_removed(w);
	if (w->multi)
		curl_multi_cleanup(w->multi);
	if (w->epfd >= 0)
		close(w->epfd);
	if (w->wakefd >= 0)
		close(w->wakefd);
	pthread_mutex_destroy(&w->lock);
}
