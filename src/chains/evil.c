/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evil: whether the reserved IPv4 flag (RFC 3514's "evil bit") was set on
 * any SYN or any data packet each way; null until such a packet is seen.
 * IPv6 has no such bit, so its packets read as false.
 */
#include "../chain.h"

struct evil_state {
	int seen[2][2]; /* [syn or data][direction] */
	int set[2][2];
};

static void evil_ip(void *state, const struct packet *pkt, int rev)
{
	struct evil_state *s = state;
	enum packet_kind kind = chain_packet_kind(pkt);
	int k = kind == PACKET_KIND_SYN ? 0 : 1;

	if (kind == PACKET_KIND_OTHER)
		return;
	s->seen[k][rev] = 1;
	if (pkt->ipv4_reserved_flag)
		s->set[k][rev] = 1;
}

static void evil_write_one(struct record_writer *w, const char *name,
			   const struct evil_state *s, int k, int rev)
{
	record_bool_or_null(w, name, s->seen[k][rev], s->set[k][rev]);
}

static void evil_write(const void *state, struct record_writer *w)
{
	const struct evil_state *s = state;

	evil_write_one(w, "evilbit_syn_fwd", s, 0, 0);
	evil_write_one(w, "evilbit_syn_rev", s, 0, 1);
	evil_write_one(w, "evilbit_data_fwd", s, 1, 0);
	evil_write_one(w, "evilbit_data_rev", s, 1, 1);
}

const struct chain chain_evil = {
    .name = "evil",
    .description = "reserved IPv4 flag (evil bit) on SYNs and data each way",
    .state_size = sizeof(struct evil_state),
    .new_flow = chain_ignore_flow,
    .ip = evil_ip,
    .tcp = chain_ignore_packet,
    .udp = chain_ignore_packet,
    .icmp = chain_ignore_packet,
    .write = evil_write,
};
