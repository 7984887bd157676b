/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * basic: addresses, ports, protocol, and packets and octets each way.
 * Octets count the IP header and payload from the IP length field, as
 * IPFIX octetDeltaCount does (RFC 7012), never link-layer padding.
 */
#include "../chain.h"

#include <arpa/inet.h>
#include <netinet/in.h>

struct basic_state {
	struct ip_addr sip;
	struct ip_addr dip;
	uint16_t sp;
	uint16_t dp;
	int has_ports;
	uint8_t proto;
	uint64_t pkt[2];
	uint64_t oct[2];
	double first;
	double last;
};

static void basic_new_flow(void *state, const struct packet *pkt)
{
	struct basic_state *s = state;

	s->sip = pkt->src;
	s->dip = pkt->dst;
	s->proto = pkt->proto;
	s->has_ports = pkt->has_transport &&
		       (pkt->proto == IPPROTO_TCP || pkt->proto == IPPROTO_UDP);
	if (s->has_ports) {
		s->sp = pkt->sport;
		s->dp = pkt->dport;
	}
	s->first = s->last = pkt->ts;
}

static void basic_ip(void *state, const struct packet *pkt, int rev)
{
	struct basic_state *s = state;

	s->pkt[rev]++;
	s->oct[rev] += pkt->ip_len;
	if (pkt->ts > s->last)
		s->last = pkt->ts;
}

static void basic_write(const void *state, struct record_writer *w)
{
	const struct basic_state *s = state;
	char sip[INET6_ADDRSTRLEN], dip[INET6_ADDRSTRLEN];

	ip_addr_format(&s->sip, sip, sizeof(sip));
	ip_addr_format(&s->dip, dip, sizeof(dip));
	record_string(w, "sip", sip);
	record_string(w, "dip", dip);
	record_int_or_null(w, "sp", s->has_ports, s->sp);
	record_int_or_null(w, "dp", s->has_ports, s->dp);
	record_int(w, "proto", s->proto);
	record_int(w, "pkt_fwd", (long long)s->pkt[0]);
	record_int(w, "pkt_rev", (long long)s->pkt[1]);
	record_int(w, "oct_fwd", (long long)s->oct[0]);
	record_int(w, "oct_rev", (long long)s->oct[1]);
	record_time(w, "first", s->first);
	record_time(w, "last", s->last);
}

const struct chain chain_basic = {
    .name = "basic",
    .description = "addresses, ports, protocol, packets and octets each way",
    .state_size = sizeof(struct basic_state),
    .new_flow = basic_new_flow,
    .ip = basic_ip,
    .tcp = chain_ignore_packet,
    .udp = chain_ignore_packet,
    .icmp = chain_ignore_packet,
    .write = basic_write,
};
