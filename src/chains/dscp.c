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

static json_t *mark_json(const struct dscp_state *s, int k, int rev)
{
	return s->seen[k][rev] ? json_integer(s->mark[k][rev]) : json_null();
}

static int dscp_to_json(const void *state, json_t *rec)
{
	const struct dscp_state *s = state;

	json_object_set_new(rec, "dscp_mark_syn_fwd", mark_json(s, 0, 0));
	json_object_set_new(rec, "dscp_mark_syn_rev", mark_json(s, 0, 1));
	json_object_set_new(rec, "dscp_mark_data_fwd", mark_json(s, 1, 0));
	json_object_set_new(rec, "dscp_mark_data_rev", mark_json(s, 1, 1));
	return 0;
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
    .to_json = dscp_to_json,
};
