/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dscp: the first DiffServ codepoint (RFC 2474: the upper six bits of the
 * IPv4 TOS or IPv6 traffic class) seen on SYNs and on data each way; null
 * until such a packet is seen.
 */
#include "../chain.h"

struct dscp_state {
	int seen[2][2]; /* [syn or data][direction] */
	uint8_t mark[2][2];
};

static void dscp_ip(void *state, const struct packet *pkt, int rev)
{
	struct dscp_state *s = state;
	enum packet_kind kind = chain_packet_kind(pkt);
	int k = kind == PACKET_KIND_SYN ? 0 : 1;

	if (kind == PACKET_KIND_OTHER || s->seen[k][rev])
		return;
	s->seen[k][rev] = 1;
	s->mark[k][rev] = pkt->tos >> 2;
}

static void mark_write(struct record_writer *w, const char *name,
		       const struct dscp_state *s, int k, int rev)
{
	record_int_or_null(w, name, s->seen[k][rev], s->mark[k][rev]);
}

static void dscp_write(const void *state, struct record_writer *w)
{
	const struct dscp_state *s = state;

	mark_write(w, "dscp_mark_syn_fwd", s, 0, 0);
	mark_write(w, "dscp_mark_syn_rev", s, 0, 1);
	mark_write(w, "dscp_mark_data_fwd", s, 1, 0);
	mark_write(w, "dscp_mark_data_rev", s, 1, 1);
}

const struct chain chain_dscp = {
    .name = "dscp",
    .description = "first DSCP seen on SYNs and on data each way",
    .state_size = sizeof(struct dscp_state),
    .new_flow = chain_ignore_flow,
    .ip = dscp_ip,
    .tcp = chain_ignore_packet,
    .udp = chain_ignore_packet,
    .icmp = chain_ignore_packet,
    .write = dscp_write,
};
