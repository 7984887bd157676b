/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dns: whether a DNS response (RFC 1035 section 4.1.1: a 12-byte header
 * with the QR bit set) came back in the reverse direction, over UDP or
 * over TCP, where messages carry a 2-byte length prefix (RFC 1035 section
 * 4.2.2) and may be split over segments.
 *
 * For TCP only the first message of the reverse stream is read, from
 * in-order segments; a capture that reorders the start of the answer
 * reads as no valid response.
 */
#include "../chain.h"

#include <string.h>

#define DNS_HEADER_LEN 12
#define DNS_FLAG_QR    0x80 /* in the third header byte */

struct dns_state {
	int valid;
	int stream_started;
	int gave_up; /* the capture cut the start of the answer */
	uint32_t next_seq;
	size_t have;
	uint8_t head[2 + DNS_HEADER_LEN];
};

static int dns_header_is_response(const uint8_t *hdr, size_t len)
{
	return len >= DNS_HEADER_LEN && (hdr[2] & DNS_FLAG_QR);
}

static void dns_udp(void *state, const struct packet *pkt, int rev)
{
	struct dns_state *s = state;

	if (rev && pkt->payload &&
	    dns_header_is_response(pkt->payload, pkt->payload_captured))
		s->valid = 1;
}

static void dns_tcp(void *state, const struct packet *pkt, int rev)
{
	struct dns_state *s = state;
	size_t take;

	if (!rev || s->gave_up || s->have == sizeof(s->head))
		return;
	if (pkt->tcp_flags & TCP_SYN) {
		s->stream_started = 1;
		s->next_seq = pkt->tcp_seq + 1;
		return;
	}
	if (pkt->payload_len == 0)
		return;
	if (!s->stream_started) {
		s->stream_started = 1;
		s->next_seq = pkt->tcp_seq;
	}
	if (pkt->tcp_seq != s->next_seq)
		return;
	s->next_seq += pkt->payload_len;

	take = sizeof(s->head) - s->have;
	if (take > pkt->payload_len)
		take = pkt->payload_len;
	/* Bytes the capture did not keep cannot be read, and the next
	 * segment would land at the wrong offset: stop reading. */
	if (!pkt->payload || pkt->payload_captured < take) {
		s->gave_up = 1;
		return;
	}
	memcpy(s->head + s->have, pkt->payload, take);
	s->have += take;
	if (s->have == sizeof(s->head) &&
	    (s->head[0] << 8 | s->head[1]) >= DNS_HEADER_LEN &&
	    dns_header_is_response(s->head + 2, DNS_HEADER_LEN))
		s->valid = 1;
}

static void dns_write(const void *state, struct record_writer *w)
{
	const struct dns_state *s = state;

	record_bool(w, "dns_response_valid", s->valid);
}

const struct chain chain_dns = {
    .name = "dns",
    .description = "DNS response seen over UDP or TCP",
    .state_size = sizeof(struct dns_state),
    .new_flow = chain_ignore_flow,
    .ip = chain_ignore_packet,
    .tcp = dns_tcp,
    .udp = dns_udp,
    .icmp = chain_ignore_packet,
    .write = dns_write,
};
