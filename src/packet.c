/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bounds-checked parsing of captured frames down to the transport header. */
#include "packet.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pcap/dlt.h>
#include <string.h>
#include <sys/socket.h>

int cursor_u8(struct cursor *c, uint8_t *v)
{
	if (c->len < 1)
		return -1;
	*v = c->p[0];
	c->p++;
	c->len--;
	return 0;
}

int cursor_be16(struct cursor *c, uint16_t *v)
{
	if (c->len < 2)
		return -1;
	*v = (uint16_t)(c->p[0] << 8 | c->p[1]);
	c->p += 2;
	c->len -= 2;
	return 0;
}

int cursor_be32(struct cursor *c, uint32_t *v)
{
	if (c->len < 4)
		return -1;
	*v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 |
	     (uint32_t)c->p[2] << 8 | c->p[3];
	c->p += 4;
	c->len -= 4;
	return 0;
}

int cursor_skip(struct cursor *c, size_t n)
{
	if (c->len < n)
		return -1;
	c->p += n;
	c->len -= n;
	return 0;
}

static int cursor_copy(struct cursor *c, void *out, size_t n)
{
	if (c->len < n)
		return -1;
	memcpy(out, c->p, n);
	return cursor_skip(c, n);
}

int ip_addr_equal(const struct ip_addr *a, const struct ip_addr *b)
{
	size_t n = a->family == AF_INET ? 4 : 16;

	return a->family == b->family && memcmp(a->bytes, b->bytes, n) == 0;
}

void ip_addr_format(const struct ip_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family, a->bytes, buf, (socklen_t)len) && len > 0)
		buf[0] = '\0';
}

int ip_addr_parse(const char *text, struct ip_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, text, a->bytes) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, text, a->bytes) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	return -1;
}

#define ETHERTYPE_IPV4	 0x0800
#define ETHERTYPE_IPV6	 0x86dd
#define ETHERTYPE_VLAN	 0x8100
#define ETHERTYPE_QINQ	 0x88a8
#define ETHERTYPE_QINQ_X 0x9100

/* BSD loopback puts the address family in host byte order; accept both. */
#define BSD_AF_INET	    2
#define BSD_AF_INET6_BSD    24
#define BSD_AF_INET6_FREE   28
#define BSD_AF_INET6_DARWIN 30

int packet_linktype_supported(int linktype)
{
	switch (linktype) {
	case DLT_EN10MB:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_NULL:
	case DLT_LOOP:
		return 1;
	default:
		return 0;
	}
}

/* Skips 802.1Q and QinQ tags; leaves the cursor on the network header. */
static enum packet_status ether_skip(struct cursor *c, uint16_t *ethertype)
{
	if (cursor_skip(c, 12) || cursor_be16(c, ethertype))
		return PACKET_TRUNCATED;
	while (*ethertype == ETHERTYPE_VLAN || *ethertype == ETHERTYPE_QINQ ||
	       *ethertype == ETHERTYPE_QINQ_X) {
		if (cursor_skip(c, 2) || cursor_be16(c, ethertype))
			return PACKET_TRUNCATED;
	}
	return PACKET_OK;
}

static enum packet_status bsd_loopback_skip(struct cursor *c, int linktype,
					    uint16_t *ethertype)
{
	uint32_t family;

	if (c->len < 4)
		return PACKET_TRUNCATED;
	if (linktype == DLT_LOOP)
		family = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 |
			 (uint32_t)c->p[2] << 8 | c->p[3];
	else if (c->p[0] == 0 && c->p[1] == 0)
		family = (uint32_t)c->p[2] << 8 | c->p[3];
	else
		family = (uint32_t)c->p[1] << 8 | c->p[0];
	cursor_skip(c, 4);

	switch (family) {
	case BSD_AF_INET:
		*ethertype = ETHERTYPE_IPV4;
		break;
	case BSD_AF_INET6_BSD:
	case BSD_AF_INET6_FREE:
	case BSD_AF_INET6_DARWIN:
		*ethertype = ETHERTYPE_IPV6;
		break;
	default:
		*ethertype = 0;
	}
	return PACKET_OK;
}

/* Moves the cursor to the network header and reports its ethertype. */
static enum packet_status link_skip(int linktype, struct cursor *c,
				    uint16_t *ethertype)
{
	switch (linktype) {
	case DLT_EN10MB:
		return ether_skip(c, ethertype);
	case DLT_LINUX_SLL:
		/* packet type, ARPHRD, address length, 8-byte address */
		if (cursor_skip(c, 14) || cursor_be16(c, ethertype))
			return PACKET_TRUNCATED;
		return PACKET_OK;
	case DLT_LINUX_SLL2:
		/* protocol, reserved, ifindex, ARPHRD, type, len, address */
		if (cursor_be16(c, ethertype) || cursor_skip(c, 18))
			return PACKET_TRUNCATED;
		return PACKET_OK;
	case DLT_NULL:
	case DLT_LOOP:
		return bsd_loopback_skip(c, linktype, ethertype);
	case DLT_RAW:
		*ethertype = 0; /* taken from the IP version nibble */
		return PACKET_OK;
	case DLT_IPV4:
		*ethertype = ETHERTYPE_IPV4;
		return PACKET_OK;
	case DLT_IPV6:
		*ethertype = ETHERTYPE_IPV6;
		return PACKET_OK;
	default:
		return PACKET_UNKNOWN_LINK;
	}
}

struct ip_header {
	int version;
	struct ip_addr src;
	struct ip_addr dst;
	uint8_t tos;
	uint8_t ttl;
	int reserved_flag;
	uint32_t total_len;
	uint8_t proto;
	int later_fragment;
};

/* Parses an IPv4 header (RFC 791) and skips its options. */
static enum packet_status ipv4_parse(struct cursor *c, struct ip_header *h)
{
	uint8_t vihl, proto, ttl;
	uint16_t total, frag;
	size_t ihl;

	if (cursor_u8(c, &vihl) || cursor_u8(c, &h->tos) ||
	    cursor_be16(c, &total) || cursor_skip(c, 2) ||
	    cursor_be16(c, &frag) || cursor_u8(c, &ttl) ||
	    cursor_u8(c, &proto) || cursor_skip(c, 2))
		return PACKET_TRUNCATED;
	ihl = (size_t)(vihl & 0x0f) * 4;
	if (ihl < 20 || total < ihl)
		return PACKET_NOT_IP;

	h->version = 4;
	h->src.family = h->dst.family = AF_INET;
	memset(h->src.bytes, 0, sizeof(h->src.bytes));
	memset(h->dst.bytes, 0, sizeof(h->dst.bytes));
	if (cursor_copy(c, h->src.bytes, 4) || cursor_copy(c, h->dst.bytes, 4))
		return PACKET_TRUNCATED;
	/* Options are not needed; a short capture may still hold them only
	 * partly, which leaves no transport header to read. */
	if (cursor_skip(c, ihl - 20))
		return PACKET_TRUNCATED;

	h->ttl = ttl;
	h->proto = proto;
	h->total_len = total;
	h->reserved_flag = (frag & 0x8000) != 0;
	h->later_fragment = (frag & 0x1fff) != 0;
	/* Trust the IP length for what follows, never the padded frame. */
	if (c->len > total - ihl)
		c->len = total - ihl;
	return PACKET_OK;
}

#define IPV6_HOP_BY_HOP 0
#define IPV6_ROUTING	43
#define IPV6_FRAGMENT	44
#define IPV6_ESP	50
#define IPV6_AH		51
#define IPV6_DEST_OPTS	60
#define IPV6_MOBILITY	135
#define IPV6_HIP	139
#define IPV6_SHIM6	140

/* Walks the extension header chain (RFC 8200 section 4) to the transport. */
static enum packet_status
ipv6_walk_extensions(struct cursor *c, struct ip_header *h, uint32_t *left)
{
	for (;;) {
		uint8_t next, hdr_len;
		size_t size;

		switch (h->proto) {
		case IPV6_HOP_BY_HOP:
		case IPV6_ROUTING:
		case IPV6_DEST_OPTS:
		case IPV6_MOBILITY:
		case IPV6_HIP:
		case IPV6_SHIM6:
		case IPV6_AH:
		case IPV6_FRAGMENT:
			break;
		default:
			return PACKET_OK;
		}
		if (cursor_u8(c, &next) || cursor_u8(c, &hdr_len))
			return PACKET_TRUNCATED;
		if (h->proto == IPV6_FRAGMENT) {
			uint16_t offset;

			size = 8;
			if (cursor_be16(c, &offset) || cursor_skip(c, 4))
				return PACKET_TRUNCATED;
			if (offset & 0xfff8)
				h->later_fragment = 1;
		} else {
			size = h->proto == IPV6_AH ? ((size_t)hdr_len + 2) * 4
						   : ((size_t)hdr_len + 1) * 8;
			if (cursor_skip(c, size - 2))
				return PACKET_TRUNCATED;
		}
		if (*left < size)
			return PACKET_NOT_IP;
		*left -= (uint32_t)size;
		h->proto = next;
		if (h->later_fragment)
			return PACKET_OK;
	}
}

static enum packet_status ipv6_parse(struct cursor *c, struct ip_header *h)
{
	uint32_t vtcfl;
	uint16_t payload;
	uint32_t left;
	enum packet_status st;

	if (cursor_be32(c, &vtcfl) || cursor_be16(c, &payload) ||
	    cursor_u8(c, &h->proto) || cursor_u8(c, &h->ttl))
		return PACKET_TRUNCATED;
	h->version = 6;
	h->tos = (uint8_t)(vtcfl >> 20);
	h->reserved_flag = 0;
	h->later_fragment = 0;
	h->src.family = h->dst.family = AF_INET6;
	if (cursor_copy(c, h->src.bytes, 16) ||
	    cursor_copy(c, h->dst.bytes, 16))
		return PACKET_TRUNCATED;
	/* A jumbogram's zero payload length is not supported and reads as an
	 * empty packet. */
	h->total_len = 40u + payload;
	if (c->len > payload)
		c->len = payload;

	left = payload;
	st = ipv6_walk_extensions(c, h, &left);
	if (st != PACKET_OK)
		return st;
	if (c->len > left)
		c->len = left;
	return PACKET_OK;
}

static enum packet_status ip_parse(struct cursor *c, struct ip_header *h)
{
	if (c->len < 1)
		return PACKET_TRUNCATED;
	switch (c->p[0] >> 4) {
	case 4:
		return ipv4_parse(c, h);
	case 6:
		return ipv6_parse(c, h);
	default:
		return PACKET_NOT_IP;
	}
}

/* Length of the transport payload the IP header promises after a header. */
static uint32_t transport_len(size_t header_bytes, uint32_t l4_len)
{
	return l4_len > header_bytes ? l4_len - (uint32_t)header_bytes : 0;
}

static enum packet_status tcp_parse(struct cursor *c, struct packet *pkt)
{
	uint8_t offset_byte;
	size_t header_len;
	const uint8_t *start = c->p;

	if (cursor_be16(c, &pkt->sport) || cursor_be16(c, &pkt->dport) ||
	    cursor_be32(c, &pkt->tcp_seq) || cursor_be32(c, &pkt->tcp_ack) ||
	    cursor_u8(c, &offset_byte) || cursor_u8(c, &pkt->tcp_flags) ||
	    cursor_skip(c, 6))
		return PACKET_TRUNCATED;
	header_len = (size_t)(offset_byte >> 4) * 4;
	if (header_len < 20)
		return PACKET_NOT_IP;

	pkt->tcp_options = c->p;
	pkt->tcp_options_len =
	    header_len - 20 < c->len ? header_len - 20 : c->len;
	pkt->payload_len = transport_len(header_len, pkt->l4_len);
	if (c->len > header_len - 20) {
		pkt->payload = start + header_len;
		pkt->payload_captured = c->len - (header_len - 20);
	}
	return PACKET_OK;
}

static enum packet_status udp_parse(struct cursor *c, struct packet *pkt)
{
	if (cursor_be16(c, &pkt->sport) || cursor_be16(c, &pkt->dport) ||
	    cursor_skip(c, 2) || cursor_be16(c, &pkt->udp_checksum))
		return PACKET_TRUNCATED;
	pkt->payload_len = transport_len(8, pkt->l4_len);
	pkt->payload = c->p;
	pkt->payload_captured = c->len;
	return PACKET_OK;
}

/* Reads the IP header and first transport bytes an ICMP error quotes. */
static void icmp_quote_parse(struct cursor c, struct icmp_quote *q)
{
	struct ip_header inner;
	uint16_t sport, dport;

	memset(q, 0, sizeof(*q));
	if (ip_parse(&c, &inner) != PACKET_OK)
		return;
	q->valid = 1;
	q->src = inner.src;
	q->dst = inner.dst;
	q->proto = inner.proto;
	if (inner.later_fragment)
		return;
	/* RFC 792 guarantees 8 bytes of the transport header: both ports. */
	if (cursor_be16(&c, &sport) || cursor_be16(&c, &dport))
		return;
	q->has_ports = 1;
	q->sport = sport;
	q->dport = dport;
}

int packet_is_icmp_error(const struct packet *pkt)
{
	if (!pkt->has_transport)
		return 0;
	if (pkt->proto == IPPROTO_ICMP)
		return pkt->icmp_type == 3 || pkt->icmp_type == 4 ||
		       pkt->icmp_type == 5 || pkt->icmp_type == 11 ||
		       pkt->icmp_type == 12;
	if (pkt->proto == IPPROTO_ICMPV6)
		return pkt->icmp_type >= 1 && pkt->icmp_type <= 4;
	return 0;
}

int packet_is_icmp_unreachable(const struct packet *pkt)
{
	if (!pkt->has_transport)
		return 0;
	return (pkt->proto == IPPROTO_ICMP && pkt->icmp_type == 3) ||
	       (pkt->proto == IPPROTO_ICMPV6 && pkt->icmp_type == 1);
}

static enum packet_status icmp_parse(struct cursor *c, struct packet *pkt)
{
	if (cursor_u8(c, &pkt->icmp_type) || cursor_u8(c, &pkt->icmp_code) ||
	    cursor_skip(c, 6))
		return PACKET_TRUNCATED;
	pkt->payload_len = transport_len(8, pkt->l4_len);
	pkt->payload = c->p;
	pkt->payload_captured = c->len;
	pkt->has_transport = 1;
	if (packet_is_icmp_error(pkt))
		icmp_quote_parse(*c, &pkt->quote);
	return PACKET_OK;
}

enum packet_status packet_parse_ip(const uint8_t *data, size_t caplen,
				   struct packet *pkt)
{
	struct cursor c = {data, caplen};
	struct ip_header h;
	enum packet_status st;
	double ts = pkt->ts;

	memset(pkt, 0, sizeof(*pkt));
	pkt->ts = ts;
	st = ip_parse(&c, &h);
	if (st != PACKET_OK)
		return st;

	pkt->ip_version = h.version;
	pkt->src = h.src;
	pkt->dst = h.dst;
	pkt->tos = h.tos;
	pkt->ttl = h.ttl;
	pkt->ipv4_reserved_flag = h.reserved_flag;
	pkt->ip_len = h.total_len;
	pkt->proto = h.proto;
	pkt->later_fragment = h.later_fragment;
	if (h.later_fragment)
		return PACKET_OK;

	pkt->l4 = c.p;
	pkt->l4_captured = c.len;
	pkt->l4_len = h.total_len - (uint32_t)(c.p - data);
	if ((size_t)(c.p - data) > h.total_len)
		pkt->l4_len = 0;

	switch (h.proto) {
	case IPPROTO_TCP:
		st = tcp_parse(&c, pkt);
		break;
	case IPPROTO_UDP:
		st = udp_parse(&c, pkt);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		st = icmp_parse(&c, pkt);
		break;
	default:
		return PACKET_OK;
	}
	/* A transport header cut short still leaves a valid IP packet. */
	pkt->has_transport = st == PACKET_OK;
	pkt->transport_truncated = st != PACKET_OK;
	return PACKET_OK;
}

enum packet_status packet_parse(int linktype, const uint8_t *data,
				size_t caplen, double ts, struct packet *pkt)
{
	struct cursor c = {data, caplen};
	uint16_t ethertype;
	enum packet_status st;

	st = link_skip(linktype, &c, &ethertype);
	if (st != PACKET_OK)
		return st;
	if (ethertype != 0 && ethertype != ETHERTYPE_IPV4 &&
	    ethertype != ETHERTYPE_IPV6)
		return PACKET_NOT_IP;
	if (ethertype == 0 && linktype != DLT_RAW)
		return PACKET_NOT_IP;

	pkt->ts = ts;
	st = packet_parse_ip(c.p, c.len, pkt);
	if (st != PACKET_OK)
		return st;
	if ((ethertype == ETHERTYPE_IPV4 && pkt->ip_version != 4) ||
	    (ethertype == ETHERTYPE_IPV6 && pkt->ip_version != 6))
		return PACKET_NOT_IP;
	return PACKET_OK;
}
