/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TCP helper: a non-blocking connect whose outcome is the handshake's.
 * The socket is closed at once after the handshake, so the target sees a
 * connection that opens and closes with FINs.
 */
#include "conn.h"
#include "timeutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void conn_note_local(struct conn *c, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (c->result->sp != 0 || getsockname(fd, (struct sockaddr *)&ss, &len))
		return;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;

		c->result->sip.family = AF_INET;
		memcpy(c->result->sip.bytes, &sin->sin_addr, 4);
		c->result->sp = ntohs(sin->sin_port);
	} else if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 =
		    (const struct sockaddr_in6 *)&ss;

		c->result->sip.family = AF_INET6;
		memcpy(c->result->sip.bytes, &sin6->sin6_addr, 16);
		c->result->sp = ntohs(sin6->sin6_port);
	}
}

int conn_apply_marks(const struct conn *c, int fd)
{
	int tos = c->setup.tos;
	int on = 1;

	/* The kernel then sends the first data on the SYN, with the cookie
	 * it has for the target, or requests a cookie. */
	if (c->setup.fast_open &&
	    setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &on,
		       sizeof(on)) != 0)
		return -1;
	if (tos < 0)
		return 0;
	if (c->job->dip.family == AF_INET6)
		return setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos,
				  sizeof(tos));
	return setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
}

static socklen_t target_sockaddr(const struct job *job,
				 struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (job->dip.family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(job->dp);
		memcpy(&sin->sin_addr, job->dip.bytes, 4);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(job->dp);
	memcpy(&sin6->sin6_addr, job->dip.bytes, 16);
	return sizeof(*sin6);
}

static void tcp_conn_finish(struct conn *c, enum conn_state state, int error)
{
	c->result->state = state;
	c->result->error = error;
	c->result->stop = time_now_real();
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
}

int tcp_conn_start(struct conn *c)
{
	struct sockaddr_storage ss;
	socklen_t len = target_sockaddr(c->job, &ss);

	c->source = EVENT_TCP;
	c->result->proto = IPPROTO_TCP;
	c->result->start = time_now_real();
	c->fd =
	    socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || conn_apply_marks(c, c->fd) != 0) {
		tcp_conn_finish(c, CONN_FAILED, errno);
		return -1;
	}
	if (connect(c->fd, (struct sockaddr *)&ss, len) == 0) {
		conn_note_local(c, c->fd);
		tcp_conn_finish(c, CONN_OK, 0);
		return -1;
	}
	if (errno != EINPROGRESS) {
		int error = errno;

		conn_note_local(c, c->fd);
		tcp_conn_finish(c, CONN_FAILED, error);
		return -1;
	}
	conn_note_local(c, c->fd);
	return 0;
}

void tcp_conn_complete(struct conn *c)
{
	int error = 0;
	socklen_t len = sizeof(error);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0)
		error = errno;
	if (error == 0)
		tcp_conn_finish(c, CONN_OK, 0);
	else
		tcp_conn_finish(
		    c, error == ETIMEDOUT ? CONN_TIMEOUT : CONN_FAILED, error);
}

void tcp_conn_expire(struct conn *c)
{
	tcp_conn_finish(c, CONN_TIMEOUT, ETIMEDOUT);
}
