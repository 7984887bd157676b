/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Forged packets for plugins that need header bits no socket option sets:
 * the reserved IPv4 flag (RFC 3514) and a UDP checksum of zero (RFC 768).
 * A TCP SYN (RFC 9293) or a DNS query (RFC 1035) over UDP is built here,
 * IPv4 header included, and sent on a raw socket.
 *
 * The source port is taken by binding an ordinary socket of the same
 * protocol to port 0 on the source address the route gives; that socket
 * stays open until the connection ends, so the kernel gives the port to
 * no one else, answers a SYN-ACK with a RST, and takes in the DNS answer
 * instead of sending an ICMP port unreachable.
 */
#include "conn.h"
#include "timeutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#define FORGE_TTL      64
#define FORGE_MSS      1460
#define FORGE_WINDOW   64240
#define IPV4_FLAG_EVIL 0x8000 /* RFC 3514 */
#define IPV4_FLAG_DF   0x4000

struct forge_buf {
	uint8_t data[600];
	size_t len;
};

static void put8(struct forge_buf *b, uint8_t v)
{
	if (b->len < sizeof(b->data))
		b->data[b->len++] = v;
}

static void put16(struct forge_buf *b, uint16_t v)
{
	put8(b, (uint8_t)(v >> 8));
	put8(b, (uint8_t)v);
}

static void put32(struct forge_buf *b, uint32_t v)
{
	put16(b, (uint16_t)(v >> 16));
	put16(b, (uint16_t)v);
}

static void set16(struct forge_buf *b, size_t at, uint16_t v)
{
	b->data[at] = (uint8_t)(v >> 8);
	b->data[at + 1] = (uint8_t)v;
}

/* The Internet checksum (RFC 1071), starting from a partial sum. */
static uint16_t inet_checksum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t pseudo_header_sum(const uint8_t *src, const uint8_t *dst,
				  uint8_t proto, size_t len)
{
	return ((uint32_t)src[0] << 8 | src[1]) +
	       ((uint32_t)src[2] << 8 | src[3]) +
	       ((uint32_t)dst[0] << 8 | dst[1]) +
	       ((uint32_t)dst[2] << 8 | dst[3]) + proto + (uint32_t)len;
}

static uint32_t random32(void)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = (uint32_t)(time_now_mono() * 1e9);
	return v;
}

/* Writes the IPv4 header; the total length and checksum come later. */
static void ipv4_header(struct forge_buf *b, const struct conn *c,
			uint8_t proto, const uint8_t *src)
{
	uint16_t flags =
	    IPV4_FLAG_DF | (c->setup.evil_bit ? IPV4_FLAG_EVIL : 0);
	int tos = c->setup.tos < 0 ? 0 : c->setup.tos;

	put8(b, 0x45);
	put8(b, (uint8_t)tos);
	put16(b, 0); /* total length */
	put16(b, (uint16_t)random32());
	put16(b, flags);
	put8(b, FORGE_TTL);
	put8(b, proto);
	put16(b, 0); /* checksum */
	for (int i = 0; i < 4; i++)
		put8(b, src[i]);
	for (int i = 0; i < 4; i++)
		put8(b, c->job->dip.bytes[i]);
}

static void tcp_syn(struct forge_buf *b, uint16_t sport, uint16_t dport)
{
	put16(b, sport);
	put16(b, dport);
	put32(b, random32());
	put32(b, 0);
	put8(b, 6 << 4); /* 24 bytes: header and the MSS option */
	put8(b, 0x02);	 /* SYN */
	put16(b, FORGE_WINDOW);
	put16(b, 0); /* checksum */
	put16(b, 0); /* urgent pointer */
	put8(b, 2);  /* MSS, RFC 9293 */
	put8(b, 4);
	put16(b, FORGE_MSS);
}

/* Appends a DNS name in wire form; returns -1 for an invalid name. */
static int dns_name(struct forge_buf *b, const char *name)
{
	size_t start = b->len;

	while (*name) {
		const char *dot = strchr(name, '.');
		size_t n = dot ? (size_t)(dot - name) : strlen(name);

		if (n == 0 || n > 63)
			return -1;
		put8(b, (uint8_t)n);
		for (size_t i = 0; i < n; i++)
			put8(b, (uint8_t)name[i]);
		name += n + (dot ? 1 : 0);
	}
	put8(b, 0);
	return b->len - start > 255 ? -1 : 0;
}

static void udp_dns_query(struct forge_buf *b, const struct conn *c,
			  uint16_t sport)
{
	const char *name = c->job->domain ? c->job->domain : "";
	size_t name_start;

	put16(b, sport);
	put16(b, c->job->dp);
	put16(b, 0); /* length */
	put16(b, 0); /* checksum */
	put16(b, (uint16_t)random32());
	put16(b, 0x0100); /* a query, recursion desired */
	put16(b, 1);
	put16(b, 0);
	put16(b, 0);
	put16(b, 0);
	name_start = b->len;
	/* The root name replaces a missing or invalid domain. */
	if (strcmp(name, ".") == 0 || dns_name(b, name) != 0) {
		b->len = name_start;
		put8(b, 0);
	}
	put16(b, 1); /* type A */
	put16(b, 1); /* class IN */
}

/* Finds the source address the route to the target uses. */
static int route_source(const struct conn *c, struct sockaddr_in *src)
{
	struct sockaddr_in dst = {.sin_family = AF_INET,
				  .sin_port = htons(c->job->dp)};
	socklen_t len = sizeof(*src);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc;

	if (fd < 0)
		return -1;
	memcpy(&dst.sin_addr, c->job->dip.bytes, 4);
	rc = connect(fd, (struct sockaddr *)&dst, sizeof(dst));
	if (rc == 0)
		rc = getsockname(fd, (struct sockaddr *)src, &len);
	close(fd);
	return rc;
}

static int forge_fail(struct conn *c, enum conn_state state, int error)
{
	c->result->state = state;
	c->result->error = error;
	c->result->stop = time_now_real();
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
	return -1;
}

static int forge_send(const struct conn *c, const struct forge_buf *b)
{
	struct sockaddr_in dst = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	ssize_t n;

	if (fd < 0)
		return -1;
	memcpy(&dst.sin_addr, c->job->dip.bytes, 4);
	n = sendto(fd, b->data, b->len, 0, (struct sockaddr *)&dst,
		   sizeof(dst));
	close(fd);
	return n == (ssize_t)b->len ? 0 : -1;
}

int forge_conn_start(struct conn *c)
{
	int udp = c->mode == CONNECT_DNSUDP;
	uint8_t proto = udp ? IPPROTO_UDP : IPPROTO_TCP;
	struct sockaddr_in src;
	socklen_t len = sizeof(src);
	struct forge_buf b = {.len = 0};
	size_t l4;

	c->source = EVENT_FORGE;
	c->result->proto = proto;
	c->result->start = time_now_real();
	if (c->job->dip.family != AF_INET)
		return forge_fail(c, CONN_SKIPPED, EAFNOSUPPORT);
	if (route_source(c, &src) != 0)
		return forge_fail(c, CONN_FAILED, errno);

	/* Hold the source port for the whole connection. */
	src.sin_port = 0;
	c->fd = socket(
	    AF_INET,
	    (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0 ||
	    bind(c->fd, (struct sockaddr *)&src, sizeof(src)) != 0 ||
	    getsockname(c->fd, (struct sockaddr *)&src, &len) != 0)
		return forge_fail(c, CONN_FAILED, errno);
	conn_note_local(c, c->fd);

	ipv4_header(&b, c, proto, (const uint8_t *)&src.sin_addr);
	l4 = b.len;
	if (udp)
		udp_dns_query(&b, c, ntohs(src.sin_port));
	else
		tcp_syn(&b, ntohs(src.sin_port), c->job->dp);
	set16(&b, 2, (uint16_t)b.len);
	set16(&b, 10, inet_checksum(b.data, l4, 0));
	if (udp) {
		set16(&b, l4 + 4, (uint16_t)(b.len - l4));
		/* RFC 768: a computed checksum of zero is sent as all ones, so
		 * zero on the wire always means "none". */
		if (!c->setup.zero_checksum) {
			uint16_t sum = inet_checksum(
			    b.data + l4, b.len - l4,
			    pseudo_header_sum(b.data + 12, b.data + 16, proto,
					      b.len - l4));

			set16(&b, l4 + 6, sum ? sum : 0xffff);
		}
	} else {
		set16(&b, l4 + 16,
		      inet_checksum(b.data + l4, b.len - l4,
				    pseudo_header_sum(b.data + 12, b.data + 16,
						      proto, b.len - l4)));
	}
	if (forge_send(c, &b) != 0)
		return forge_fail(c, CONN_FAILED, errno);
	return 0;
}

void forge_conn_finish(struct conn *c)
{
	/* Sent and waited for: the flow shows whether the target responded. */
	c->result->state = CONN_OK;
	c->result->stop = time_now_real();
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
}
