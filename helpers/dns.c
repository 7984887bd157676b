/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DNS helper: one query (RFC 1035) for the job's domain, type A, sent with
 * c-ares to the target itself over UDP (dnsudp) or TCP (dnstcp), with no
 * retry and no other server.  Any well-formed response, an error rcode
 * included, means the path works; no response means a timeout.
 *
 * Each connection has its own channel, made without reading the system's
 * resolver configuration, so nothing is sent anywhere but the target.
 */
#include "conn.h"
#include "timeutil.h"

#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

/* A name that always exists, asked when the job has no domain. */
#define DNS_DEFAULT_NAME "."

static void dns_socket_state(void *data, ares_socket_t fd, int readable,
			     int writable)
{
	struct conn *c = data;

	if (readable || writable)
		conn_note_local(c, fd);
	c->dns_watch(c, fd, readable, writable);
}

/* Sets the connection's socket options before c-ares connects. */
static int dns_socket_created(ares_socket_t fd, int type, void *data)
{
	(void)type;
	return conn_apply_marks(data, fd) == 0 ? ARES_SUCCESS : -1;
}

static void dns_answer(void *arg, int status, int timeouts, unsigned char *abuf,
		       int alen)
{
	struct conn *c = arg;

	(void)timeouts;
	(void)abuf;
	(void)alen;
	if (c->dns_done)
		return;
	c->dns_done = 1;
	c->dns_status = status;
	c->result->stop = time_now_real();
}

static int dns_set_server(struct conn *c)
{
	struct ares_addr_port_node server;

	memset(&server, 0, sizeof(server));
	server.family = c->job->dip.family;
	if (server.family == AF_INET)
		memcpy(&server.addr.addr4, c->job->dip.bytes, 4);
	else
		memcpy(&server.addr.addr6, c->job->dip.bytes, 16);
	server.udp_port = c->job->dp;
	server.tcp_port = c->job->dp;
	return ares_set_servers_ports(c->channel, &server);
}

int dns_conn_start(struct conn *c, dns_watch_fn watch, void *watch_ctx)
{
	struct ares_options opts;
	ares_channel channel;
	int optmask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
		      ARES_OPT_SOCK_STATE_CB | ARES_OPT_RESOLVCONF;
	const char *name = c->job->domain && *c->job->domain ? c->job->domain
							     : DNS_DEFAULT_NAME;

	c->source = EVENT_DNS;
	c->dns_watch = watch;
	c->dns_watch_ctx = watch_ctx;
	c->result->proto =
	    c->mode == CONNECT_DNSTCP ? IPPROTO_TCP : IPPROTO_UDP;
	c->result->start = time_now_real();

	memset(&opts, 0, sizeof(opts));
	opts.flags = ARES_FLAG_NOSEARCH |
		     (c->mode == CONNECT_DNSTCP ? ARES_FLAG_USEVC : 0);
	opts.timeout = (int)(c->timeout * 1000);
	opts.tries = 1;
	opts.sock_state_cb = dns_socket_state;
	opts.sock_state_cb_data = c;
	opts.resolvconf_path = (char *)"/dev/null";
	if (ares_init_options(&channel, &opts, optmask) != ARES_SUCCESS) {
		c->result->state = CONN_FAILED;
		c->result->error = ENOMEM;
		c->result->stop = time_now_real();
		return -1;
	}
	c->channel = channel;
	ares_set_socket_callback(channel, dns_socket_created, c);
	if (dns_set_server(c) != ARES_SUCCESS) {
		dns_conn_finish(c, 0);
		return -1;
	}
	ares_query(channel, name, C_IN, T_A, dns_answer, c);
	return c->dns_done ? (dns_conn_finish(c, 0), -1) : 0;
}

void dns_conn_process(struct conn *c, int fd, int readable, int writable)
{
	ares_process_fd(c->channel, readable ? fd : ARES_SOCKET_BAD,
			writable ? fd : ARES_SOCKET_BAD);
}

/* Maps a c-ares status to a connection state. */
static enum conn_state dns_state(int status)
{
	switch (status) {
	case ARES_SUCCESS:
	case ARES_ENODATA:
	case ARES_ENOTFOUND:
	case ARES_ESERVFAIL:
	case ARES_EREFUSED:
	case ARES_ENOTIMP:
	case ARES_EFORMERR:
		return CONN_OK; /* the target answered */
	case ARES_ETIMEOUT:
		return CONN_TIMEOUT;
	default:
		return CONN_FAILED;
	}
}

void dns_conn_finish(struct conn *c, int timed_out)
{
	struct conn_result *r = c->result;

	if (timed_out && !c->dns_done) {
		c->dns_done = 1;
		c->dns_status = ARES_ETIMEOUT;
		r->stop = time_now_real();
	}
	r->state = dns_state(c->dns_status);
	r->error = c->dns_status;
	/* Destroying the channel closes its sockets.  Queries still pending
	 * complete with ARES_EDESTRUCTION, which is ignored. */
	if (c->channel) {
		ares_destroy(c->channel);
		c->channel = NULL;
	}
}
