/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Packet parsing of IPv4 and IPv6 TCP behind every supported link type.
 * The cases cover the IP and TCP fields the chains read (ECN bits, TTL, the
 * reserved bit, lengths from the IP header even in padded frames), IPv4
 * options, IPv6 extension headers and fragments.  Frames are also cut at
 * every length, and there are non-IP frames, unknown link types, ICMP and
 * ICMPv6 errors with their quotes, and the text form of addresses.  Every
 * packet is built here byte by byte, with zero checksums because the
 * parser does not verify them.
 */
#include "harness.h"
#include "packet.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pcap/dlt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct bytes {
	uint8_t data[1600];
	size_t len;
};

static void put_data(struct bytes *b, const void *p, size_t n)
{
	if (b->len + n > sizeof(b->data))
		abort();
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void put_u8(struct bytes *b, uint8_t v)
{
	put_data(b, &v, 1);
}

static void put_be16(struct bytes *b, uint16_t v)
{
	put_u8(b, (uint8_t)(v >> 8));
	put_u8(b, (uint8_t)v);
}

static void put_be32(struct bytes *b, uint32_t v)
{
	put_be16(b, (uint16_t)(v >> 16));
	put_be16(b, (uint16_t)v);
}

static void put_fill(struct bytes *b, uint8_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_u8(b, v);
}

/* Appends the 4 or 16 bytes of an address literal. */
static void put_addr(struct bytes *b, int family, const char *text)
{
	uint8_t addr[16];

	if (inet_pton(family, text, addr) != 1)
		abort();
	put_data(b, addr, family == AF_INET ? 4 : 16);
}

/* Returns 1 when a contains exactly the address of the literal text. */
static int addr_is(const struct ip_addr *a, const char *text)
{
	int family = strchr(text, ':') ? AF_INET6 : AF_INET;
	uint8_t addr[16] = {0};

	if (inet_pton(family, text, addr) != 1)
		abort();
	return a->family == family &&
	       memcmp(a->bytes, addr, family == AF_INET ? 4 : 16) == 0;
}

struct tcp_spec {
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint8_t flags;
	uint8_t options_len; /* a multiple of 4, at most 40 */
	uint16_t payload_len;
};

/* Appends a TCP header whose options start with an MSS option. */
static void put_tcp(struct bytes *b, const struct tcp_spec *t)
{
	put_be16(b, t->sport);
	put_be16(b, t->dport);
	put_be32(b, t->seq);
	put_be32(b, t->ack);
	put_u8(b, (uint8_t)((20 + t->options_len) / 4 << 4));
	put_u8(b, t->flags);
	put_be16(b, 65535); /* window */
	put_be16(b, 0);	    /* checksum */
	put_be16(b, 0);	    /* urgent pointer */
	if (t->options_len >= 4) {
		put_u8(b, 2); /* MSS */
		put_u8(b, 4);
		put_be16(b, 1460);
		put_fill(b, 1, t->options_len - 4u); /* NOP */
	}
	for (size_t i = 0; i < t->payload_len; i++)
		put_u8(b, (uint8_t)('a' + i % 26));
}

static void put_udp(struct bytes *b, uint16_t sport, uint16_t dport,
		    uint16_t checksum, uint16_t payload_len)
{
	put_be16(b, sport);
	put_be16(b, dport);
	put_be16(b, (uint16_t)(8 + payload_len));
	put_be16(b, checksum);
	put_fill(b, 0x5a, payload_len);
}

/* Appends an ICMP or ICMPv6 error quoting the first quote_len bytes. */
static void put_icmp(struct bytes *b, uint8_t type, uint8_t code,
		     const struct bytes *quote, size_t quote_len)
{
	put_u8(b, type);
	put_u8(b, code);
	put_be16(b, 0); /* checksum */
	put_be32(b, 0); /* unused, or the MTU or pointer of some types */
	put_data(b, quote->data, quote_len);
}

struct ipv4_spec {
	const char *src;
	const char *dst;
	uint8_t tos;
	uint8_t ttl;
	uint8_t proto;
	uint16_t frag;	     /* flags and fragment offset, as on the wire */
	uint8_t options_len; /* a multiple of 4, at most 40 */
};

/* Appends an IPv4 header with the right total length, then the payload. */
static void put_ipv4(struct bytes *b, const struct ipv4_spec *s,
		     const struct bytes *payload)
{
	size_t ihl = 20u + s->options_len;

	put_u8(b, (uint8_t)(0x40 | ihl / 4));
	put_u8(b, s->tos);
	put_be16(b, (uint16_t)(ihl + payload->len));
	put_be16(b, 0x1234); /* identification */
	put_be16(b, s->frag);
	put_u8(b, s->ttl);
	put_u8(b, s->proto);
	put_be16(b, 0); /* checksum */
	put_addr(b, AF_INET, s->src);
	put_addr(b, AF_INET, s->dst);
	if (s->options_len) {
		/* NOPs, then an end-of-options byte */
		put_fill(b, 1, s->options_len - 1u);
		put_u8(b, 0);
	}
	put_data(b, payload->data, payload->len);
}

#define EXT_HOP_BY_HOP 0
#define EXT_ROUTING    43
#define EXT_FRAGMENT   44
#define EXT_DEST_OPTS  60

struct ipv6_spec {
	const char *src;
	const char *dst;
	uint8_t tclass;
	uint32_t flow_label;
	uint8_t hop_limit;
	uint8_t proto;
	uint8_t ext[4]; /* extension headers in order */
	size_t ext_count;
	uint16_t frag_offset; /* in 8-byte units, for a fragment header */
};

/* Appends one extension header: 8 bytes, except 16 for destination
 * options so that the length field's unit is exercised. */
static void put_ipv6_ext(struct bytes *b, uint8_t type, uint8_t next,
			 uint16_t frag_offset)
{
	put_u8(b, next);
	switch (type) {
	case EXT_FRAGMENT:
		put_u8(b, 0); /* reserved */
		/* offset, then the more-fragments flag on the first one */
		put_be16(b, (uint16_t)(frag_offset << 3 | (frag_offset == 0)));
		put_be32(b, 0xabcd0001); /* identification */
		break;
	case EXT_DEST_OPTS:
		put_u8(b, 1);
		put_u8(b, 1); /* PadN */
		put_u8(b, 12);
		put_fill(b, 0, 12);
		break;
	case EXT_ROUTING:
		put_u8(b, 0);
		put_u8(b, 0); /* routing type */
		put_u8(b, 0); /* segments left */
		put_be32(b, 0);
		break;
	default:
		put_u8(b, 0);
		put_u8(b, 1); /* PadN */
		put_u8(b, 4);
		put_be32(b, 0);
		break;
	}
}

static size_t ipv6_ext_size(uint8_t type)
{
	return type == EXT_DEST_OPTS ? 16 : 8;
}

static void put_ipv6(struct bytes *b, const struct ipv6_spec *s,
		     const struct bytes *payload)
{
	size_t ext_bytes = 0;

	for (size_t i = 0; i < s->ext_count; i++)
		ext_bytes += ipv6_ext_size(s->ext[i]);
	put_be32(b, 6u << 28 | (uint32_t)s->tclass << 20 |
			(s->flow_label & 0xfffff));
	put_be16(b, (uint16_t)(ext_bytes + payload->len));
	put_u8(b, s->ext_count ? s->ext[0] : s->proto);
	put_u8(b, s->hop_limit);
	put_addr(b, AF_INET6, s->src);
	put_addr(b, AF_INET6, s->dst);
	for (size_t i = 0; i < s->ext_count; i++) {
		uint8_t next = i + 1 < s->ext_count ? s->ext[i + 1] : s->proto;

		put_ipv6_ext(b, s->ext[i], next, s->frag_offset);
	}
	put_data(b, payload->data, payload->len);
}

/* Documentation MAC addresses (RFC 7042): destination, then source. */
#define MACS                                                                   \
	0x00, 0x00, 0x5e, 0x00, 0x53, 0x02, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01

#define V4_CLIENT "192.0.2.1"
#define V4_SERVER "203.0.113.5"
#define V4_ROUTER "198.51.100.1"
#define V6_CLIENT "2001:db8::1"
#define V6_SERVER "2001:db8:ffff::5"
#define V6_ROUTER "2001:db8:1::1"

static const struct tcp_spec syn_spec = {
    .sport = 49152,
    .dport = 443,
    .seq = 0x01020304,
    .flags = TCP_SYN | TCP_ECE | TCP_CWR,
    .options_len = 20,
};

/* The SYN above in IPv4 (ECT(0), TTL 61) or IPv6 (ECT(1), hop limit 62). */
static void build_syn(struct bytes *b, int version)
{
	struct bytes tcp = {.len = 0};

	put_tcp(&tcp, &syn_spec);
	if (version == 4) {
		struct ipv4_spec ip = {
		    V4_CLIENT, V4_SERVER, IP_ECN_ECT0, 61, IPPROTO_TCP, 0, 0};

		put_ipv4(b, &ip, &tcp);
	} else {
		struct ipv6_spec ip = {
		    .src = V6_CLIENT,
		    .dst = V6_SERVER,
		    .tclass = IP_ECN_ECT1,
		    .hop_limit = 62,
		    .proto = IPPROTO_TCP,
		};

		put_ipv6(b, &ip, &tcp);
	}
}

struct link_case {
	const char *name;
	int linktype;
	int version; /* of the IP packet behind the header */
	uint8_t header[24];
	size_t header_len;
	enum packet_status status;
};

static const struct link_case link_cases[] = {
    {"ethernet ipv4", DLT_EN10MB, 4, {MACS, 0x08, 0x00}, 14, PACKET_OK},
    {"ethernet ipv6", DLT_EN10MB, 6, {MACS, 0x86, 0xdd}, 14, PACKET_OK},
    {"ethernet 802.1q ipv4",
     DLT_EN10MB,
     4,
     {MACS, 0x81, 0x00, 0x00, 0x64, 0x08, 0x00},
     18,
     PACKET_OK},
    {"ethernet 802.1q ipv6",
     DLT_EN10MB,
     6,
     {MACS, 0x81, 0x00, 0x20, 0x64, 0x86, 0xdd},
     18,
     PACKET_OK},
    {"ethernet qinq ipv4",
     DLT_EN10MB,
     4,
     {MACS, 0x88, 0xa8, 0x00, 0xc8, 0x81, 0x00, 0x00, 0x64, 0x08, 0x00},
     22,
     PACKET_OK},
    {"ethernet qinq ipv6",
     DLT_EN10MB,
     6,
     {MACS, 0x88, 0xa8, 0x00, 0xc8, 0x81, 0x00, 0x00, 0x64, 0x86, 0xdd},
     22,
     PACKET_OK},
    {"ethernet 0x9100 qinq ipv4",
     DLT_EN10MB,
     4,
     {MACS, 0x91, 0x00, 0x00, 0xc8, 0x81, 0x00, 0x00, 0x64, 0x08, 0x00},
     22,
     PACKET_OK},
    {"linux sll ipv4",
     DLT_LINUX_SLL,
     4,
     {0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01,
      0x00, 0x00, 0x08, 0x00},
     16,
     PACKET_OK},
    {"linux sll ipv6",
     DLT_LINUX_SLL,
     6,
     {0x00, 0x04, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01,
      0x00, 0x00, 0x86, 0xdd},
     16,
     PACKET_OK},
    {"linux sll2 ipv4",
     DLT_LINUX_SLL2,
     4,
     {0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01,
      0x00, 0x06, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01, 0x00, 0x00},
     20,
     PACKET_OK},
    {"linux sll2 ipv6",
     DLT_LINUX_SLL2,
     6,
     {0x86, 0xdd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01,
      0x04, 0x06, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01, 0x00, 0x00},
     20,
     PACKET_OK},
    {"null little-endian ipv4", DLT_NULL, 4, {2, 0, 0, 0}, 4, PACKET_OK},
    {"null big-endian ipv4", DLT_NULL, 4, {0, 0, 0, 2}, 4, PACKET_OK},
    {"null ipv6 family 24", DLT_NULL, 6, {24, 0, 0, 0}, 4, PACKET_OK},
    {"null ipv6 family 28", DLT_NULL, 6, {28, 0, 0, 0}, 4, PACKET_OK},
    {"null big-endian ipv6 family 30",
     DLT_NULL,
     6,
     {0, 0, 0, 30},
     4,
     PACKET_OK},
    {"loop ipv4", DLT_LOOP, 4, {0, 0, 0, 2}, 4, PACKET_OK},
    {"loop ipv6", DLT_LOOP, 6, {0, 0, 0, 24}, 4, PACKET_OK},
    {"raw ipv4", DLT_RAW, 4, {0}, 0, PACKET_OK},
    {"raw ipv6", DLT_RAW, 6, {0}, 0, PACKET_OK},
    {"dlt ipv4", DLT_IPV4, 4, {0}, 0, PACKET_OK},
    {"dlt ipv6", DLT_IPV6, 6, {0}, 0, PACKET_OK},
    {"ethertype ipv4 carrying ipv6",
     DLT_EN10MB,
     6,
     {MACS, 0x08, 0x00},
     14,
     PACKET_NOT_IP},
    {"sll ipv6 carrying ipv4",
     DLT_LINUX_SLL,
     4,
     {0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01,
      0x00, 0x00, 0x86, 0xdd},
     16,
     PACKET_NOT_IP},
    {"dlt ipv4 carrying ipv6", DLT_IPV4, 6, {0}, 0, PACKET_NOT_IP},
    {"dlt ipv6 carrying ipv4", DLT_IPV6, 4, {0}, 0, PACKET_NOT_IP},
    {"null unknown family", DLT_NULL, 4, {99, 0, 0, 0}, 4, PACKET_NOT_IP},
    {"loop little-endian family", DLT_LOOP, 4, {2, 0, 0, 0}, 4, PACKET_NOT_IP},
};

static void check_link_case(const struct link_case *tc)
{
	struct bytes frame = {.len = 0};
	struct packet pkt;
	enum packet_status st;

	test_case = tc->name;
	put_data(&frame, tc->header, tc->header_len);
	build_syn(&frame, tc->version);
	memset(&pkt, 0xff, sizeof(pkt));
	st = packet_parse(tc->linktype, frame.data, frame.len, 12.5, &pkt);
	CHECK(st == tc->status, "status %d, expected %d", st, tc->status);
	if (st != PACKET_OK || tc->status != PACKET_OK)
		return;

	CHECK(pkt.ts == 12.5, "ts %f", pkt.ts);
	CHECK(pkt.ip_version == tc->version, "version %d", pkt.ip_version);
	CHECK(addr_is(&pkt.src, tc->version == 4 ? V4_CLIENT : V6_CLIENT),
	      "wrong source address");
	CHECK(addr_is(&pkt.dst, tc->version == 4 ? V4_SERVER : V6_SERVER),
	      "wrong destination address");
	CHECK(pkt.ttl == (tc->version == 4 ? 61 : 62), "ttl %u", pkt.ttl);
	CHECK(pkt.tos == (tc->version == 4 ? IP_ECN_ECT0 : IP_ECN_ECT1),
	      "tos 0x%02x", pkt.tos);
	CHECK(pkt.ip_len == (tc->version == 4 ? 60u : 80u), "ip_len %u",
	      pkt.ip_len);
	CHECK(pkt.proto == IPPROTO_TCP, "proto %u", pkt.proto);
	CHECK(pkt.has_transport, "no transport");
	CHECK(!pkt.transport_truncated, "transport truncated");
	CHECK(pkt.sport == 49152, "sport %u", pkt.sport);
	CHECK(pkt.dport == 443, "dport %u", pkt.dport);
	CHECK(pkt.tcp_flags == (TCP_SYN | TCP_ECE | TCP_CWR), "flags 0x%02x",
	      pkt.tcp_flags);
	CHECK(pkt.tcp_seq == 0x01020304, "seq 0x%08x", pkt.tcp_seq);
	CHECK(pkt.tcp_options_len == 20, "options %zu", pkt.tcp_options_len);
	CHECK(pkt.payload_len == 0, "payload_len %u", pkt.payload_len);
}

struct ipv4_case {
	const char *name;
	uint8_t tos;
	uint16_t frag;
	uint8_t options_len;
	struct tcp_spec tcp;
	size_t frame_len; /* Ethernet frame padded to this many bytes, or 0 */
	/* expected */
	uint8_t ecn;
	int reserved_flag;
	int later_fragment;
	uint32_t ip_len;
	uint32_t payload_len;
};

#define DATA_SPEC(n)                                                           \
	{                                                                      \
		.sport = 49152, .dport = 80, .seq = 0xfffffff0,                \
		.ack = 0x80000001, .flags = TCP_PSH | TCP_ACK,                 \
		.options_len = 12, .payload_len = (n)                          \
	}
/* 2 bytes of data and no options: the frame needs padding to 60 */
#define SHORT_DATA_SPEC                                                        \
	{                                                                      \
		.sport = 49152, .dport = 80, .seq = 9, .ack = 10,              \
		.flags = TCP_PSH | TCP_ACK, .payload_len = 2                   \
	}
#define BARE_SYN_SPEC                                                          \
	{                                                                      \
		.sport = 49152, .dport = 80, .seq = 7, .flags = TCP_SYN        \
	}

static const struct ipv4_case ipv4_cases[] = {
    {"not-ect syn", 0x00, 0, 0, BARE_SYN_SPEC, 0, 0, 0, 0, 40, 0},
    {"ect0 data", IP_ECN_ECT0, 0, 0, DATA_SPEC(100), 0, IP_ECN_ECT0, 0, 0, 152,
     100},
    {"ect1 data", IP_ECN_ECT1, 0, 0, DATA_SPEC(1), 0, IP_ECN_ECT1, 0, 0, 53, 1},
    {"ce under dscp ef", 0xb8 | IP_ECN_CE, 0, 0, DATA_SPEC(10), 0, IP_ECN_CE, 0,
     0, 62, 10},
    {"reserved bit set", 0, 0x8000, 0, BARE_SYN_SPEC, 0, 0, 1, 0, 40, 0},
    {"dont-fragment not reserved", 0, 0x4000, 0, BARE_SYN_SPEC, 0, 0, 0, 0, 40,
     0},
    {"reserved and dont-fragment", 0, 0xc000, 0, BARE_SYN_SPEC, 0, 0, 1, 0, 40,
     0},
    {"options ihl 6", 0, 0, 4, DATA_SPEC(5), 0, 0, 0, 0, 61, 5},
    {"options ihl 15", 0, 0, 40, DATA_SPEC(5), 0, 0, 0, 0, 97, 5},
    {"syn padded to 60", 0, 0, 0, BARE_SYN_SPEC, 60, 0, 0, 0, 40, 0},
    {"data padded to 60", IP_ECN_ECT0, 0, 0, SHORT_DATA_SPEC, 60, IP_ECN_ECT0,
     0, 0, 42, 2},
    {"options padded to 60", 0, 0, 4, BARE_SYN_SPEC, 60, 0, 0, 0, 44, 0},
    {"first fragment", 0, 0x2000, 0, DATA_SPEC(40), 0, 0, 0, 0, 92, 40},
    {"later fragment", 0, 0x0010, 0, DATA_SPEC(40), 0, 0, 0, 1, 92, 0},
    {"later fragment more flag", 0, 0x2001, 0, DATA_SPEC(40), 0, 0, 0, 1, 92,
     0},
    {"later fragment max offset", 0, 0x1fff, 0, DATA_SPEC(8), 0, 0, 0, 1, 60,
     0},
    {"later fragment high offset", 0, 0x1000, 0, DATA_SPEC(8), 0, 0, 0, 1, 60,
     0},
    {"reserved bit on fragment", 0, 0x9000, 0, DATA_SPEC(8), 0, 0, 1, 1, 60, 0},
};

static void check_tcp_fields(const struct packet *pkt, const struct tcp_spec *t,
			     uint32_t payload_len)
{
	CHECK(pkt->sport == t->sport, "sport %u", pkt->sport);
	CHECK(pkt->dport == t->dport, "dport %u", pkt->dport);
	CHECK(pkt->tcp_seq == t->seq, "seq 0x%08x", pkt->tcp_seq);
	CHECK(pkt->tcp_ack == t->ack, "ack 0x%08x", pkt->tcp_ack);
	CHECK(pkt->tcp_flags == t->flags, "flags 0x%02x", pkt->tcp_flags);
	CHECK(pkt->tcp_options_len == t->options_len, "options_len %zu",
	      pkt->tcp_options_len);
	CHECK(pkt->payload_len == payload_len, "payload_len %u",
	      pkt->payload_len);
	CHECK(pkt->payload_captured == payload_len, "payload_captured %zu",
	      pkt->payload_captured);
	if (payload_len > 0 && pkt->payload)
		CHECK(pkt->payload[0] == 'a', "payload starts with 0x%02x",
		      pkt->payload[0]);
}

static void check_ipv4_case(const struct ipv4_case *tc)
{
	struct ipv4_spec ip = {V4_CLIENT,   V4_SERVER, tc->tos,	       64,
			       IPPROTO_TCP, tc->frag,  tc->options_len};
	struct bytes tcp = {.len = 0}, frame = {.len = 0};
	const uint8_t eth[] = {MACS, 0x08, 0x00};
	struct packet pkt;
	enum packet_status st;

	test_case = tc->name;
	put_tcp(&tcp, &tc->tcp);
	put_data(&frame, eth, sizeof(eth));
	put_ipv4(&frame, &ip, &tcp);
	if (tc->frame_len) {
		CHECK(frame.len <= tc->frame_len, "frame %zu bytes", frame.len);
		put_fill(&frame, 0, tc->frame_len - frame.len);
	}

	st = packet_parse(DLT_EN10MB, frame.data, frame.len, 1.0, &pkt);
	CHECK(st == PACKET_OK, "status %d", st);
	CHECK(pkt.ip_version == 4, "version %d", pkt.ip_version);
	CHECK(addr_is(&pkt.src, V4_CLIENT), "wrong source");
	CHECK(addr_is(&pkt.dst, V4_SERVER), "wrong destination");
	CHECK(pkt.tos == tc->tos, "tos 0x%02x", pkt.tos);
	CHECK((pkt.tos & IP_ECN_MASK) == tc->ecn, "ecn %u",
	      pkt.tos & IP_ECN_MASK);
	CHECK(pkt.ttl == 64, "ttl %u", pkt.ttl);
	CHECK(pkt.ipv4_reserved_flag == tc->reserved_flag, "reserved flag %d",
	      pkt.ipv4_reserved_flag);
	CHECK(pkt.ip_len == tc->ip_len, "ip_len %u", pkt.ip_len);
	CHECK(pkt.proto == IPPROTO_TCP, "proto %u", pkt.proto);
	CHECK(pkt.later_fragment == tc->later_fragment, "later_fragment %d",
	      pkt.later_fragment);
	CHECK(pkt.has_transport == !tc->later_fragment, "has_transport %d",
	      pkt.has_transport);
	if (!pkt.has_transport)
		return;
	CHECK(pkt.l4 == frame.data + 14 + 20 + tc->options_len,
	      "transport at offset %td", pkt.l4 - frame.data);
	CHECK(pkt.l4_len == tc->ip_len - 20 - tc->options_len, "l4_len %u",
	      pkt.l4_len);
	check_tcp_fields(&pkt, &tc->tcp, tc->payload_len);
}

struct ipv6_case {
	const char *name;
	uint8_t tclass;
	uint32_t flow_label;
	uint8_t ext[4];
	size_t ext_count;
	uint16_t frag_offset;
	struct tcp_spec tcp;
	size_t trailer; /* bytes after the packet, as an Ethernet FCS */
	/* expected */
	uint8_t ecn;
	int later_fragment;
	uint32_t ip_len;
	uint32_t payload_len;
};

static const struct ipv6_case ipv6_cases[] = {
    {"not-ect syn", 0, 0, {0}, 0, 0, BARE_SYN_SPEC, 0, 0, 0, 60, 0},
    {"ect1 syn",
     IP_ECN_ECT1,
     0,
     {0},
     0,
     0,
     BARE_SYN_SPEC,
     0,
     IP_ECN_ECT1,
     0,
     60,
     0},
    {"ect0 with flow label",
     0xb8 | IP_ECN_ECT0,
     0xfffff,
     {0},
     0,
     0,
     DATA_SPEC(30),
     0,
     IP_ECN_ECT0,
     0,
     102,
     30},
    {"ce without flow label",
     IP_ECN_CE,
     0,
     {0},
     0,
     0,
     DATA_SPEC(30),
     0,
     IP_ECN_CE,
     0,
     102,
     30},
    {"hop-by-hop", 0, 0, {EXT_HOP_BY_HOP}, 1, 0, DATA_SPEC(3), 0, 0, 0, 83, 3},
    {"hbh destopts fragment",
     IP_ECN_ECT0,
     0,
     {EXT_HOP_BY_HOP, EXT_DEST_OPTS, EXT_FRAGMENT},
     3,
     0,
     DATA_SPEC(9),
     0,
     IP_ECN_ECT0,
     0,
     113,
     9},
    {"routing then destopts",
     0,
     0,
     {EXT_ROUTING, EXT_DEST_OPTS},
     2,
     0,
     BARE_SYN_SPEC,
     0,
     0,
     0,
     84,
     0},
    {"later fragment",
     0,
     0,
     {EXT_FRAGMENT},
     1,
     185,
     DATA_SPEC(16),
     0,
     0,
     1,
     96,
     0},
    {"hbh then later fragment",
     0,
     0,
     {EXT_HOP_BY_HOP, EXT_FRAGMENT},
     2,
     1,
     DATA_SPEC(16),
     0,
     0,
     1,
     104,
     0},
    {"trailer after payload", 0, 0, {0}, 0, 0, DATA_SPEC(7), 4, 0, 0, 79, 7},
    {"trailer after bare syn",
     0,
     0,
     {EXT_DEST_OPTS},
     1,
     0,
     BARE_SYN_SPEC,
     6,
     0,
     0,
     76,
     0},
};

static void check_ipv6_case(const struct ipv6_case *tc)
{
	struct ipv6_spec ip = {
	    .src = V6_CLIENT,
	    .dst = V6_SERVER,
	    .tclass = tc->tclass,
	    .flow_label = tc->flow_label,
	    .hop_limit = 255,
	    .proto = IPPROTO_TCP,
	    .ext_count = tc->ext_count,
	    .frag_offset = tc->frag_offset,
	};
	struct bytes tcp = {.len = 0}, frame = {.len = 0};
	const uint8_t eth[] = {MACS, 0x86, 0xdd};
	size_t ext_bytes = 0;
	struct packet pkt;
	enum packet_status st;

	test_case = tc->name;
	memcpy(ip.ext, tc->ext, sizeof(ip.ext));
	for (size_t i = 0; i < tc->ext_count; i++)
		ext_bytes += ipv6_ext_size(tc->ext[i]);
	put_tcp(&tcp, &tc->tcp);
	put_data(&frame, eth, sizeof(eth));
	put_ipv6(&frame, &ip, &tcp);
	put_fill(&frame, 0xee, tc->trailer);

	st = packet_parse(DLT_EN10MB, frame.data, frame.len, 1.0, &pkt);
	CHECK(st == PACKET_OK, "status %d", st);
	CHECK(pkt.ip_version == 6, "version %d", pkt.ip_version);
	CHECK(addr_is(&pkt.src, V6_CLIENT), "wrong source");
	CHECK(addr_is(&pkt.dst, V6_SERVER), "wrong destination");
	CHECK(pkt.tos == tc->tclass, "traffic class 0x%02x", pkt.tos);
	CHECK((pkt.tos & IP_ECN_MASK) == tc->ecn, "ecn %u",
	      pkt.tos & IP_ECN_MASK);
	CHECK(pkt.ttl == 255, "hop limit %u", pkt.ttl);
	CHECK(pkt.ipv4_reserved_flag == 0, "reserved flag on IPv6");
	CHECK(pkt.ip_len == tc->ip_len, "ip_len %u", pkt.ip_len);
	CHECK(pkt.proto == IPPROTO_TCP, "proto %u", pkt.proto);
	CHECK(pkt.later_fragment == tc->later_fragment, "later_fragment %d",
	      pkt.later_fragment);
	CHECK(pkt.has_transport == !tc->later_fragment, "has_transport %d",
	      pkt.has_transport);
	if (!pkt.has_transport)
		return;
	CHECK(pkt.l4 == frame.data + 14 + 40 + ext_bytes,
	      "transport at offset %td", pkt.l4 - frame.data);
	CHECK(pkt.l4_len == tc->ip_len - 40 - ext_bytes, "l4_len %u",
	      pkt.l4_len);
	check_tcp_fields(&pkt, &tc->tcp, tc->payload_len);
}

/* A full frame that the cut test shortens one byte at a time. */
struct cut_frame {
	const char *name;
	int linktype;
	struct bytes bytes;
	size_t l4_offset; /* where the transport header starts */
	size_t l4_fixed;  /* its fixed part: 20 for TCP, 8 for UDP and ICMP */
	size_t quote_ip_len; /* IP header quoted by an ICMP error, else 0 */
};

static void build_cut_frames(struct cut_frame *f, size_t *count)
{
	const uint8_t eth4[] = {MACS, 0x08, 0x00};
	const uint8_t vlan6[] = {MACS, 0x81, 0x00, 0x00, 0x07, 0x86, 0xdd};
	const uint8_t sll2_6[] = {0x86, 0xdd, 0,    0,	  0,	0,   0,
				  2,	0,    1,    0,	  6,	0,   0,
				  0x5e, 0x00, 0x53, 0x01, 0x00, 0x00};
	const struct tcp_spec data = DATA_SPEC(30);
	struct ipv4_spec ip4 = {V4_CLIENT, V4_SERVER, 0, 64, IPPROTO_TCP, 0, 8};
	struct ipv4_spec icmp4 = {V4_ROUTER,	V4_CLIENT, 0, 250,
				  IPPROTO_ICMP, 0,	   0};
	struct ipv6_spec ip6 = {
	    .src = V6_CLIENT,
	    .dst = V6_SERVER,
	    .hop_limit = 64,
	    .proto = IPPROTO_TCP,
	    .ext = {EXT_HOP_BY_HOP, EXT_DEST_OPTS},
	    .ext_count = 2,
	};
	struct ipv6_spec icmp6 = {
	    .src = V6_ROUTER,
	    .dst = V6_CLIENT,
	    .hop_limit = 64,
	    .proto = IPPROTO_ICMPV6,
	};
	struct bytes l4 = {.len = 0}, inner = {.len = 0};
	size_t n = 0;

	/* IPv4 with options, TCP with options and payload */
	put_tcp(&l4, &data);
	f[n] = (struct cut_frame){
	    "cut ipv4 tcp", DLT_EN10MB, {.len = 0}, 42, 20, 0};
	put_data(&f[n].bytes, eth4, sizeof(eth4));
	put_ipv4(&f[n].bytes, &ip4, &l4);
	n++;

	/* IPv6 with hop-by-hop and destination options behind 802.1Q */
	f[n] = (struct cut_frame){"cut ipv6 extensions tcp",
				  DLT_EN10MB,
				  {.len = 0},
				  18 + 40 + 24,
				  20,
				  0};
	put_data(&f[n].bytes, vlan6, sizeof(vlan6));
	put_ipv6(&f[n].bytes, &ip6, &l4);
	n++;

	/* IPv4 UDP */
	l4.len = 0;
	put_udp(&l4, 5353, 53, 0xbeef, 20);
	ip4.proto = IPPROTO_UDP;
	ip4.options_len = 0;
	f[n] = (struct cut_frame){
	    "cut ipv4 udp", DLT_EN10MB, {.len = 0}, 34, 8, 0};
	put_data(&f[n].bytes, eth4, sizeof(eth4));
	put_ipv4(&f[n].bytes, &ip4, &l4);
	n++;

	/* raw IPv6 UDP */
	ip6.proto = IPPROTO_UDP;
	ip6.ext_count = 0;
	f[n] = (struct cut_frame){
	    "cut raw ipv6 udp", DLT_RAW, {.len = 0}, 40, 8, 0};
	put_ipv6(&f[n].bytes, &ip6, &l4);
	n++;

	/* ICMP unreachable quoting a whole SYN */
	build_syn(&inner, 4);
	l4.len = 0;
	put_icmp(&l4, 3, 1, &inner, inner.len);
	f[n] = (struct cut_frame){
	    "cut icmp quote", DLT_EN10MB, {.len = 0}, 34, 8, 20};
	put_data(&f[n].bytes, eth4, sizeof(eth4));
	put_ipv4(&f[n].bytes, &icmp4, &l4);
	n++;

	/* ICMPv6 unreachable quoting a whole IPv6 SYN, over SLL2 */
	inner.len = 0;
	build_syn(&inner, 6);
	l4.len = 0;
	put_icmp(&l4, 1, 3, &inner, inner.len);
	f[n] = (struct cut_frame){
	    "cut icmpv6 quote", DLT_LINUX_SLL2, {.len = 0}, 60, 8, 40};
	put_data(&f[n].bytes, sll2_6, sizeof(sll2_6));
	put_ipv6(&f[n].bytes, &icmp6, &l4);
	n++;

	*count = n;
}

/* Parses the first cut bytes from a buffer of exactly that size, so that
 * AddressSanitizer reports any read past the captured length. */
static void check_cut(const struct cut_frame *f, const struct packet *full,
		      size_t cut)
{
	uint8_t *buf = malloc(cut ? cut : 1);
	const uint8_t *end;
	struct packet pkt;
	enum packet_status st;
	size_t l4_captured = cut > f->l4_offset ? cut - f->l4_offset : 0;

	if (!buf)
		abort();
	memcpy(buf, f->bytes.data, cut);
	end = buf + cut;
	memset(&pkt, 0, sizeof(pkt));
	st = packet_parse(f->linktype, buf, cut, 2.0, &pkt);

	if (cut < f->l4_offset) {
		CHECK(st == PACKET_TRUNCATED, "cut %zu: status %d", cut, st);
		free(buf);
		return;
	}
	CHECK(st == PACKET_OK, "cut %zu: status %d", cut, st);
	CHECK(pkt.ip_len == full->ip_len, "cut %zu: ip_len %u", cut,
	      pkt.ip_len);
	CHECK(pkt.has_transport == (l4_captured >= f->l4_fixed),
	      "cut %zu: has_transport %d", cut, pkt.has_transport);
	CHECK(pkt.transport_truncated == (l4_captured < f->l4_fixed),
	      "cut %zu: transport_truncated %d", cut, pkt.transport_truncated);
	if (!pkt.has_transport) {
		free(buf);
		return;
	}
	CHECK(pkt.l4 == buf + f->l4_offset, "cut %zu: l4 at %td", cut,
	      pkt.l4 - buf);
	CHECK(pkt.l4_captured == l4_captured, "cut %zu: l4_captured %zu", cut,
	      pkt.l4_captured);
	CHECK(pkt.sport == full->sport, "cut %zu: sport %u", cut, pkt.sport);
	CHECK(pkt.dport == full->dport, "cut %zu: dport %u", cut, pkt.dport);
	CHECK(pkt.tcp_flags == full->tcp_flags, "cut %zu: flags", cut);
	CHECK(pkt.tcp_seq == full->tcp_seq, "cut %zu: seq", cut);
	CHECK(pkt.payload_len == full->payload_len, "cut %zu: payload_len %u",
	      cut, pkt.payload_len);
	if (pkt.payload) {
		CHECK(pkt.payload >= buf && pkt.payload <= end,
		      "cut %zu: payload outside the buffer", cut);
		CHECK(pkt.payload_captured <= (size_t)(end - pkt.payload),
		      "cut %zu: payload past the capture", cut);
	}
	if (pkt.tcp_options) {
		CHECK(pkt.tcp_options >= buf && pkt.tcp_options <= end,
		      "cut %zu: options outside the buffer", cut);
		CHECK(pkt.tcp_options_len <= (size_t)(end - pkt.tcp_options),
		      "cut %zu: options past the capture", cut);
	}
	if (pkt.proto == IPPROTO_TCP) {
		size_t options = full->tcp_options_len;
		size_t after_fixed = l4_captured - 20;

		CHECK(pkt.tcp_options_len ==
			  (after_fixed < options ? after_fixed : options),
		      "cut %zu: tcp_options_len %zu", cut, pkt.tcp_options_len);
	}
	if (f->quote_ip_len) {
		size_t quoted = l4_captured - 8;

		CHECK(pkt.icmp_type == full->icmp_type, "cut %zu: type", cut);
		CHECK(pkt.quote.valid == (quoted >= f->quote_ip_len),
		      "cut %zu: quote valid %d", cut, pkt.quote.valid);
		CHECK(pkt.quote.has_ports == (quoted >= f->quote_ip_len + 4),
		      "cut %zu: quote has_ports %d", cut, pkt.quote.has_ports);
		if (pkt.quote.valid) {
			CHECK(ip_addr_equal(&pkt.quote.src, &full->quote.src),
			      "cut %zu: quote source", cut);
			CHECK(ip_addr_equal(&pkt.quote.dst, &full->quote.dst),
			      "cut %zu: quote destination", cut);
			CHECK(pkt.quote.proto == IPPROTO_TCP,
			      "cut %zu: quote proto %u", cut, pkt.quote.proto);
		}
		if (pkt.quote.has_ports)
			CHECK(pkt.quote.sport == 49152 &&
				  pkt.quote.dport == 443,
			      "cut %zu: quote ports %u %u", cut,
			      pkt.quote.sport, pkt.quote.dport);
	}
	free(buf);
}

static void test_cuts(void)
{
	struct cut_frame frames[8];
	size_t count;

	build_cut_frames(frames, &count);
	for (size_t i = 0; i < count; i++) {
		const struct cut_frame *f = &frames[i];
		struct packet full;
		enum packet_status st;

		test_case = f->name;
		st = packet_parse(f->linktype, f->bytes.data, f->bytes.len, 2.0,
				  &full);
		CHECK(st == PACKET_OK, "full frame: status %d", st);
		CHECK(full.has_transport, "full frame: no transport");
		CHECK(full.l4 == f->bytes.data + f->l4_offset,
		      "full frame: transport at %td", full.l4 - f->bytes.data);
		if (f->quote_ip_len) {
			CHECK(full.quote.valid, "full frame: no quote");
			CHECK(full.quote.has_ports, "full frame: no ports");
		}
		for (size_t cut = 0; cut <= f->bytes.len; cut++)
			check_cut(f, &full, cut);
	}
}

struct status_case {
	const char *name;
	int linktype;
	uint8_t frame[64];
	size_t len;
	enum packet_status status;
};

static const struct status_case status_cases[] = {
    {"ethernet arp request",
     DLT_EN10MB,
     {MACS, 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
      0x00, 0x00, 0x5e, 0x00, 0x53, 0x01, 192,	0,    2,    1,	  0,
      0,    0,	  0,	0,    0,    192,  0,	2,    2},
     42,
     PACKET_NOT_IP},
    {"vlan tagged arp",
     DLT_EN10MB,
     {MACS, 0x81, 0x00, 0x00, 0x05, 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06,
      0x04, 0x00, 0x02},
     22,
     PACKET_NOT_IP},
    {"ethernet lldp",
     DLT_EN10MB,
     {MACS, 0x88, 0xcc, 0x02, 0x07},
     16,
     PACKET_NOT_IP},
    {"sll arp",
     DLT_LINUX_SLL,
     {0, 0, 0, 1, 0, 6, 0, 0, 0x5e, 0, 0x53, 1, 0, 0, 0x08, 0x06, 0, 1},
     18,
     PACKET_NOT_IP},
    {"raw version 5", DLT_RAW, {0x55, 0, 0, 20}, 20, PACKET_NOT_IP},
    {"raw version 0", DLT_RAW, {0x00, 0, 0, 20}, 20, PACKET_NOT_IP},
    {"ipv4 ihl 4",
     DLT_RAW,
     {0x44, 0, 0, 20, 0, 0, 0, 0, 64, 6, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2},
     20,
     PACKET_NOT_IP},
    {"ipv4 total below ihl",
     DLT_RAW,
     {0x45, 0, 0, 19, 0, 0, 0, 0, 64, 6, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2},
     20,
     PACKET_NOT_IP},
    {"raw empty", DLT_RAW, {0}, 0, PACKET_TRUNCATED},
    {"ethernet short header", DLT_EN10MB, {MACS, 0x08}, 13, PACKET_TRUNCATED},
    {"vlan tag cut",
     DLT_EN10MB,
     {MACS, 0x81, 0x00, 0x00, 0x05, 0x08},
     17,
     PACKET_TRUNCATED},
    {"null short header", DLT_NULL, {2, 0, 0}, 3, PACKET_TRUNCATED},
    {"sll2 short header",
     DLT_LINUX_SLL2,
     {0x08, 0x00, 0, 0},
     19,
     PACKET_TRUNCATED},
    {"user0 link type", DLT_USER0, {0x45}, 1, PACKET_UNKNOWN_LINK},
    {"802.11 link type", DLT_IEEE802_11, {MACS}, 12, PACKET_UNKNOWN_LINK},
    {"ppp link type",
     DLT_PPP,
     {0xff, 0x03, 0x00, 0x21},
     4,
     PACKET_UNKNOWN_LINK},
};

static void check_status_case(const struct status_case *tc)
{
	uint8_t *buf = malloc(tc->len ? tc->len : 1);
	struct packet pkt;
	enum packet_status st;

	if (!buf)
		abort();
	test_case = tc->name;
	memcpy(buf, tc->frame, tc->len);
	st = packet_parse(tc->linktype, buf, tc->len, 0.0, &pkt);
	CHECK(st == tc->status, "status %d, expected %d", st, tc->status);
	free(buf);
}

struct supported_case {
	int linktype;
	int supported;
};

static const struct supported_case supported_cases[] = {
    {DLT_EN10MB, 1},	{DLT_RAW, 1},	     {DLT_IPV4, 1}, {DLT_IPV6, 1},
    {DLT_LINUX_SLL, 1}, {DLT_LINUX_SLL2, 1}, {DLT_NULL, 1}, {DLT_LOOP, 1},
    {DLT_USER0, 0},	{DLT_IEEE802_11, 0}, {DLT_PPP, 0},  {-1, 0},
};

static void test_linktype_supported(void)
{
	test_case = "linktype supported";
	for (size_t i = 0;
	     i < sizeof(supported_cases) / sizeof(supported_cases[0]); i++) {
		const struct supported_case *tc = &supported_cases[i];
		int got = packet_linktype_supported(tc->linktype);

		CHECK(got == tc->supported, "link type %d: %d", tc->linktype,
		      got);
	}
}

/* A TCP header whose data offset is below 5 is malformed. */
static void test_bad_data_offset(void)
{
	struct ipv4_spec ip = {V4_CLIENT, V4_SERVER, 0, 64, IPPROTO_TCP, 0, 0};
	struct bytes tcp = {.len = 0}, frame = {.len = 0};
	const struct tcp_spec t = BARE_SYN_SPEC;
	struct packet pkt;
	enum packet_status st;

	test_case = "tcp data offset 4";
	put_tcp(&tcp, &t);
	tcp.data[12] = 4 << 4;
	put_ipv4(&frame, &ip, &tcp);
	st = packet_parse(DLT_RAW, frame.data, frame.len, 0.0, &pkt);
	CHECK(st == PACKET_OK, "status %d", st);
	CHECK(!pkt.has_transport, "transport accepted");
}

/* The UDP fields, with a UDP length that the IP length overrides. */
static void test_udp(void)
{
	struct ipv4_spec ip = {
	    V4_CLIENT, V4_SERVER, IP_ECN_ECT1, 64, IPPROTO_UDP, 0, 0};
	struct ipv6_spec ip6 = {.src = V6_CLIENT,
				.dst = V6_SERVER,
				.hop_limit = 9,
				.proto = IPPROTO_UDP,
				.ext = {EXT_DEST_OPTS},
				.ext_count = 1};
	const uint8_t eth[] = {MACS, 0x08, 0x00};
	struct bytes udp = {.len = 0}, frame = {.len = 0};
	struct packet pkt;
	enum packet_status st;

	test_case = "udp ipv4 padded";
	put_udp(&udp, 5353, 53, 0xbeef, 4);
	put_data(&frame, eth, sizeof(eth));
	put_ipv4(&frame, &ip, &udp);
	put_fill(&frame, 0, 60 - frame.len);
	st = packet_parse(DLT_EN10MB, frame.data, frame.len, 0.0, &pkt);
	CHECK(st == PACKET_OK, "status %d", st);
	CHECK(pkt.has_transport, "no transport");
	CHECK(pkt.proto == IPPROTO_UDP, "proto %u", pkt.proto);
	CHECK(pkt.sport == 5353, "sport %u", pkt.sport);
	CHECK(pkt.dport == 53, "dport %u", pkt.dport);
	CHECK(pkt.udp_checksum == 0xbeef, "checksum 0x%04x", pkt.udp_checksum);
	CHECK(pkt.ip_len == 32, "ip_len %u", pkt.ip_len);
	CHECK(pkt.payload_len == 4, "payload_len %u", pkt.payload_len);
	CHECK(pkt.payload_captured == 4, "payload_captured %zu",
	      pkt.payload_captured);
	CHECK((pkt.tos & IP_ECN_MASK) == IP_ECN_ECT1, "tos 0x%02x", pkt.tos);

	test_case = "udp ipv6 destopts";
	frame.len = 0;
	put_ipv6(&frame, &ip6, &udp);
	st = packet_parse(DLT_IPV6, frame.data, frame.len, 0.0, &pkt);
	CHECK(st == PACKET_OK, "status %d", st);
	CHECK(pkt.has_transport, "no transport");
	CHECK(pkt.proto == IPPROTO_UDP, "proto %u", pkt.proto);
	CHECK(pkt.sport == 5353, "sport %u", pkt.sport);
	CHECK(pkt.dport == 53, "dport %u", pkt.dport);
	CHECK(pkt.ip_len == 40 + 16 + 12, "ip_len %u", pkt.ip_len);
	CHECK(pkt.payload_len == 4, "payload_len %u", pkt.payload_len);
	CHECK(pkt.ttl == 9, "hop limit %u", pkt.ttl);
}

struct icmp_case {
	const char *name;
	int version;
	uint8_t type;
	uint8_t code;
	size_t quote_len;    /* bytes of the offending packet, 0 for all */
	uint16_t inner_frag; /* IPv4 flags and offset of the quoted packet */
	int inner_destopts; /* the quoted IPv6 packet has destination options */
	/* expected */
	int is_error;
	int is_unreachable;
	int valid;
	int has_ports;
};

static const struct icmp_case icmp_cases[] = {
    {"unreachable full quote", 4, 3, 1, 0, 0, 0, 1, 1, 1, 1},
    {"unreachable 8-byte quote", 4, 3, 13, 28, 0, 0, 1, 1, 1, 1},
    {"unreachable 4-byte quote", 4, 3, 3, 24, 0, 0, 1, 1, 1, 1},
    {"unreachable 3-byte quote", 4, 3, 3, 23, 0, 0, 1, 1, 1, 0},
    {"unreachable cut ip header", 4, 3, 3, 19, 0, 0, 1, 1, 0, 0},
    {"unreachable later fragment", 4, 3, 4, 28, 0x00b9, 0, 1, 1, 1, 0},
    {"source quench", 4, 4, 0, 28, 0, 0, 1, 0, 1, 1},
    {"redirect", 4, 5, 1, 28, 0, 0, 1, 0, 1, 1},
    {"time exceeded", 4, 11, 0, 0, 0, 0, 1, 0, 1, 1},
    {"parameter problem", 4, 12, 0, 28, 0, 0, 1, 0, 1, 1},
    {"echo request", 4, 8, 0, 0, 0, 0, 0, 0, 0, 0},
    {"echo reply", 4, 0, 0, 28, 0, 0, 0, 0, 0, 0},
    {"icmpv6 unreachable full", 6, 1, 4, 0, 0, 0, 1, 1, 1, 1},
    {"icmpv6 8-byte quote", 6, 1, 0, 48, 0, 0, 1, 1, 1, 1},
    {"icmpv6 quote destopts", 6, 1, 1, 0, 0, 1, 1, 1, 1, 1},
    {"icmpv6 destopts 4-byte quote", 6, 1, 1, 60, 0, 1, 1, 1, 1, 1},
    {"icmpv6 destopts cut", 6, 1, 1, 50, 0, 1, 1, 1, 0, 0},
    {"icmpv6 cut ip header", 6, 1, 0, 39, 0, 0, 1, 1, 0, 0},
    {"icmpv6 packet too big", 6, 2, 0, 0, 0, 0, 1, 0, 1, 1},
    {"icmpv6 time exceeded", 6, 3, 0, 48, 0, 0, 1, 0, 1, 1},
    {"icmpv6 parameter problem", 6, 4, 0, 48, 0, 0, 1, 0, 1, 1},
    {"icmpv6 echo request", 6, 128, 0, 0, 0, 0, 0, 0, 0, 0},
};

/* The offending packet: the SYN of build_syn, optionally changed. */
static void build_offending(struct bytes *b, const struct icmp_case *tc)
{
	struct bytes tcp = {.len = 0};

	put_tcp(&tcp, &syn_spec);
	if (tc->version == 4) {
		struct ipv4_spec ip = {V4_CLIENT,   V4_SERVER,	    0, 61,
				       IPPROTO_TCP, tc->inner_frag, 0};

		put_ipv4(b, &ip, &tcp);
	} else {
		struct ipv6_spec ip = {
		    .src = V6_CLIENT,
		    .dst = V6_SERVER,
		    .hop_limit = 62,
		    .proto = IPPROTO_TCP,
		    .ext = {EXT_DEST_OPTS},
		    .ext_count = tc->inner_destopts ? 1 : 0,
		};

		put_ipv6(b, &ip, &tcp);
	}
}

static void check_icmp_case(const struct icmp_case *tc)
{
	struct bytes inner = {.len = 0}, icmp = {.len = 0}, frame = {.len = 0};
	const char *client = tc->version == 4 ? V4_CLIENT : V6_CLIENT;
	const char *server = tc->version == 4 ? V4_SERVER : V6_SERVER;
	uint8_t proto = tc->version == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	struct packet pkt;
	enum packet_status st;

	test_case = tc->name;
	build_offending(&inner, tc);
	put_icmp(&icmp, tc->type, tc->code, &inner,
		 tc->quote_len ? tc->quote_len : inner.len);
	if (tc->version == 4) {
		struct ipv4_spec ip = {V4_ROUTER, V4_CLIENT, 0, 250,
				       proto,	  0,	     0};

		put_ipv4(&frame, &ip, &icmp);
	} else {
		struct ipv6_spec ip = {.src = V6_ROUTER,
				       .dst = V6_CLIENT,
				       .hop_limit = 250,
				       .proto = proto};

		put_ipv6(&frame, &ip, &icmp);
	}

	st = packet_parse(DLT_RAW, frame.data, frame.len, 3.0, &pkt);
	CHECK(st == PACKET_OK, "status %d", st);
	CHECK(pkt.proto == proto, "proto %u", pkt.proto);
	CHECK(pkt.has_transport, "no transport");
	CHECK(pkt.icmp_type == tc->type, "type %u", pkt.icmp_type);
	CHECK(pkt.icmp_code == tc->code, "code %u", pkt.icmp_code);
	CHECK(pkt.sport == 0, "ICMP sport %u", pkt.sport);
	CHECK(pkt.dport == 0, "ICMP dport %u", pkt.dport);
	CHECK(addr_is(&pkt.src, tc->version == 4 ? V4_ROUTER : V6_ROUTER),
	      "wrong outer source");
	CHECK(pkt.payload_len == icmp.len - 8, "payload_len %u",
	      pkt.payload_len);
	CHECK(packet_is_icmp_error(&pkt) == tc->is_error, "is_error %d",
	      packet_is_icmp_error(&pkt));
	CHECK(packet_is_icmp_unreachable(&pkt) == tc->is_unreachable,
	      "is_unreachable %d", packet_is_icmp_unreachable(&pkt));
	CHECK(pkt.quote.valid == tc->valid, "quote valid %d", pkt.quote.valid);
	CHECK(pkt.quote.has_ports == tc->has_ports, "quote has_ports %d",
	      pkt.quote.has_ports);
	if (pkt.quote.valid) {
		CHECK(addr_is(&pkt.quote.src, client), "wrong quote source");
		CHECK(addr_is(&pkt.quote.dst, server),
		      "wrong quote destination");
		CHECK(pkt.quote.proto == IPPROTO_TCP, "quote proto %u",
		      pkt.quote.proto);
	}
	if (pkt.quote.has_ports) {
		CHECK(pkt.quote.sport == 49152, "quote sport %u",
		      pkt.quote.sport);
		CHECK(pkt.quote.dport == 443, "quote dport %u",
		      pkt.quote.dport);
	}
}

/* An ICMP error is only one when the packet carries a whole ICMP header. */
static void test_icmp_not_captured(void)
{
	struct bytes icmp = {.len = 0}, frame = {.len = 0}, inner = {.len = 0};
	struct ipv4_spec ip = {V4_ROUTER,    V4_CLIENT, 0, 250,
			       IPPROTO_ICMP, 0,		0};
	struct packet pkt;
	enum packet_status st;

	test_case = "icmp header cut";
	build_syn(&inner, 4);
	put_icmp(&icmp, 3, 1, &inner, 28);
	put_ipv4(&frame, &ip, &icmp);
	st = packet_parse(DLT_RAW, frame.data, 20 + 7, 0.0, &pkt);
	CHECK(st == PACKET_OK, "status %d", st);
	CHECK(!pkt.has_transport, "transport from 7 bytes");
	CHECK(!packet_is_icmp_error(&pkt), "error without a header");
	CHECK(!packet_is_icmp_unreachable(&pkt), "unreachable without header");
	CHECK(!pkt.quote.valid, "quote without a header");
}

struct addr_case {
	const char *text;
	int family;	  /* 0 when the text is not an address */
	const char *form; /* expected RFC 5952 text */
};

static const struct addr_case addr_cases[] = {
    {"192.0.2.1", AF_INET, "192.0.2.1"},
    {"203.0.113.255", AF_INET, "203.0.113.255"},
    {"0.0.0.0", AF_INET, "0.0.0.0"},
    {"2001:db8::1", AF_INET6, "2001:db8::1"},
    {"2001:DB8::A", AF_INET6, "2001:db8::a"},
    {"2001:0db8:0000:0000:0000:0000:0000:0001", AF_INET6, "2001:db8::1"},
    {"2001:db8:0:0:1:0:0:1", AF_INET6, "2001:db8::1:0:0:1"},
    {"2001:db8:0:1:1:1:1:1", AF_INET6, "2001:db8:0:1:1:1:1:1"},
    {"2001:db8:0:0:1:0:0:0", AF_INET6, "2001:db8:0:0:1::"},
    {"2001:db8::", AF_INET6, "2001:db8::"},
    {"2001:db8:ffff:0:0:0:0:5", AF_INET6, "2001:db8:ffff::5"},
    {"::", AF_INET6, "::"},
    {"::1", AF_INET6, "::1"},
    {"::ffff:192.0.2.1", AF_INET6, "::ffff:192.0.2.1"},
    {"", 0, NULL},
    {"192.0.2", 0, NULL},
    {"192.0.2.256", 0, NULL},
    {"192.0.2.1 ", 0, NULL},
    {"2001:db8:::1", 0, NULL},
    {"2001:db8::1::2", 0, NULL},
    {"2001:db8::g", 0, NULL},
    {"2001:db8::1%eth0", 0, NULL},
    {"www.example", 0, NULL},
};

static void check_addr_case(const struct addr_case *tc)
{
	struct ip_addr a, again;
	char text[64];
	int rc;

	test_case = tc->text[0] ? tc->text : "empty address";
	memset(&a, 0xff, sizeof(a));
	rc = ip_addr_parse(tc->text, &a);
	if (!tc->family) {
		CHECK(rc == -1, "parsed as an address");
		return;
	}
	CHECK(rc == 0, "not parsed");
	CHECK(a.family == tc->family, "family %u", a.family);
	if (tc->family == AF_INET) {
		static const uint8_t zero[12];

		CHECK(memcmp(a.bytes + 4, zero, sizeof(zero)) == 0,
		      "IPv4 address leaves bytes after the first four set");
	}
	ip_addr_format(&a, text, sizeof(text));
	CHECK(strcmp(text, tc->form) == 0, "formatted as \"%s\", expected %s",
	      text, tc->form);
	rc = ip_addr_parse(text, &again);
	CHECK(rc == 0, "formatted text not parsed");
	CHECK(ip_addr_equal(&a, &again), "round trip changed the address");
}

static void test_addr_equal(void)
{
	struct ip_addr v4, v4b, v6, mapped;

	test_case = "ip_addr_equal";
	ip_addr_parse("192.0.2.1", &v4);
	ip_addr_parse("192.0.2.1", &v4b);
	ip_addr_parse("2001:db8::1", &v6);
	ip_addr_parse("::ffff:192.0.2.1", &mapped);
	CHECK(ip_addr_equal(&v4, &v4b), "same IPv4 differs");
	CHECK(ip_addr_equal(&v6, &v6), "IPv6 differs from itself");
	CHECK(!ip_addr_equal(&v4, &v6), "IPv4 equals IPv6");
	CHECK(!ip_addr_equal(&v4, &mapped), "IPv4 equals its mapped form");
	ip_addr_parse("192.0.2.2", &v4b);
	CHECK(!ip_addr_equal(&v4, &v4b), "different IPv4 equal");
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

void test_packet(void)
{
	for (size_t i = 0; i < COUNT(link_cases); i++)
		check_link_case(&link_cases[i]);
	for (size_t i = 0; i < COUNT(ipv4_cases); i++)
		check_ipv4_case(&ipv4_cases[i]);
	for (size_t i = 0; i < COUNT(ipv6_cases); i++)
		check_ipv6_case(&ipv6_cases[i]);
	test_cuts();
	for (size_t i = 0; i < COUNT(status_cases); i++)
		check_status_case(&status_cases[i]);
	test_linktype_supported();
	test_bad_data_offset();
	test_udp();
	for (size_t i = 0; i < COUNT(icmp_cases); i++)
		check_icmp_case(&icmp_cases[i]);
	test_icmp_not_captured();
	for (size_t i = 0; i < COUNT(addr_cases); i++)
		check_addr_case(&addr_cases[i]);
	test_addr_equal();
	test_case = NULL;
}
