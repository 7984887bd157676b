/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Packet parsing for the observer: link layer, IPv4 (RFC 791), IPv6 and its
 * extension headers (RFC 8200), TCP (RFC 9293), UDP (RFC 768), ICMP
 * (RFC 792) and ICMPv6 (RFC 4443), with the header quoted by an ICMP error.
 *
 * Every read goes through a bounds-checked cursor.  Lengths that matter for
 * measurement (payload, octets) come from the IP header, never from the
 * captured length, because link layers pad short frames.
 */
#ifndef PP_PACKET_H
#define PP_PACKET_H

#include <stddef.h>
#include <stdint.h>

struct cursor {
	const uint8_t *p;
	size_t len;
};

int cursor_u8(struct cursor *c, uint8_t *v);
int cursor_be16(struct cursor *c, uint16_t *v);
int cursor_be32(struct cursor *c, uint32_t *v);
int cursor_skip(struct cursor *c, size_t n);

/* An IPv4 or IPv6 address; IPv4 uses the first four bytes. */
struct ip_addr {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t bytes[16];
};

int ip_addr_equal(const struct ip_addr *a, const struct ip_addr *b);
/* Writes the RFC 5952 text form; buf needs INET6_ADDRSTRLEN bytes. */
void ip_addr_format(const struct ip_addr *a, char *buf, size_t len);
/* Returns 0 and fills a from an IPv4 or IPv6 literal, -1 if it is neither. */
int ip_addr_parse(const char *text, struct ip_addr *a);

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

#define IP_ECN_MASK 0x03
#define IP_ECN_ECT1 0x01
#define IP_ECN_ECT0 0x02
#define IP_ECN_CE   0x03

/* The transport header and ports an ICMP error quotes. */
struct icmp_quote {
	int valid;
	struct ip_addr src;
	struct ip_addr dst;
	uint8_t proto;
	int has_ports;
	uint16_t sport;
	uint16_t dport;
};

struct packet {
	double ts;

	/* IP layer */
	int ip_version;
	struct ip_addr src;
	struct ip_addr dst;
	uint8_t tos; /* IPv4 TOS or IPv6 traffic class */
	uint8_t ttl;
	int ipv4_reserved_flag; /* RFC 3514's evil bit */
	uint32_t ip_len;	/* total length from the IP header */
	uint8_t proto;		/* transport protocol after extensions */
	int later_fragment;	/* no transport header in this packet */

	/* transport layer: valid only when has_transport is set */
	int has_transport;
	int transport_truncated; /* the capture cut the header short */
	const uint8_t *l4;
	size_t l4_captured;
	uint32_t l4_len; /* from the IP header */
	uint16_t sport;
	uint16_t dport;

	/* TCP */
	uint32_t tcp_seq;
	uint32_t tcp_ack;
	uint8_t tcp_flags;
	const uint8_t *tcp_options;
	size_t tcp_options_len; /* captured bytes of the options */
	uint32_t payload_len;	/* transport payload from the IP length */
	const uint8_t *payload;
	size_t payload_captured;

	/* UDP */
	uint16_t udp_checksum;

	/* ICMP and ICMPv6 */
	uint8_t icmp_type;
	uint8_t icmp_code;
	struct icmp_quote quote;
};

enum packet_status {
	PACKET_OK,
	PACKET_NOT_IP,
	PACKET_TRUNCATED,
	PACKET_UNKNOWN_LINK,
};

/* Parses one captured frame of the given pcap link type (DLT_*). */
enum packet_status packet_parse(int linktype, const uint8_t *data,
				size_t caplen, double ts, struct packet *pkt);

/* Parses a packet that starts at the IP header (version from the header). */
enum packet_status packet_parse_ip(const uint8_t *data, size_t caplen,
				   struct packet *pkt);

int packet_linktype_supported(int linktype);

/* Returns 1 for an ICMP or ICMPv6 error that quotes the offending packet. */
int packet_is_icmp_error(const struct packet *pkt);
/* Returns 1 for a destination unreachable message (ICMP 3, ICMPv6 1). */
int packet_is_icmp_unreachable(const struct packet *pkt);

#endif
