/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tcp: the flags of the first SYN each way, FIN and RST each way, and
 * whether the three-way handshake (RFC 9293 section 3.5) completed: a SYN
 * forward, a SYN-ACK back, then an ACK forward.
 */
#include "../chain.h"

struct tcp_state {
	int has_synflags[2];
	uint8_t synflags[2];
	int fin[2];
	int rst[2];
	int connected;
};

static void tcp_packet(void *state, const struct packet *pkt, int rev)
{
	struct tcp_state *s = state;
	uint8_t flags = pkt->tcp_flags;

	if ((flags & TCP_SYN) && !s->has_synflags[rev]) {
		s->has_synflags[rev] = 1;
		s->synflags[rev] = flags;
	}
	if (flags & TCP_FIN)
		s->fin[rev] = 1;
	if (flags & TCP_RST)
		s->rst[rev] = 1;
	if (!rev && (flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_ACK &&
	    s->has_synflags[0] && s->has_synflags[1] &&
	    (s->synflags[1] & TCP_ACK))
		s->connected = 1;
}

static json_t *synflags_json(const struct tcp_state *s, int rev)
{
	return s->has_synflags[rev] ? json_integer(s->synflags[rev])
				    : json_null();
}

static int tcp_to_json(const void *state, json_t *rec)
{
	const struct tcp_state *s = state;

	json_object_set_new(rec, "tcp_synflags_fwd", synflags_json(s, 0));
	json_object_set_new(rec, "tcp_synflags_rev", synflags_json(s, 1));
	json_object_set_new(rec, "tcp_fin_fwd", json_boolean(s->fin[0]));
	json_object_set_new(rec, "tcp_fin_rev", json_boolean(s->fin[1]));
	json_object_set_new(rec, "tcp_rst_fwd", json_boolean(s->rst[0]));
	json_object_set_new(rec, "tcp_rst_rev", json_boolean(s->rst[1]));
	json_object_set_new(rec, "tcp_connected", json_boolean(s->connected));
	return 0;
}

const struct chain chain_tcp = {
    .name = "tcp",
    .description = "SYN flags, FIN and RST each way, handshake completed",
    .state_size = sizeof(struct tcp_state),
    .new_flow = chain_ignore_flow,
    .ip = chain_ignore_packet,
    .tcp = tcp_packet,
    .udp = chain_ignore_packet,
    .icmp = chain_ignore_packet,
    .to_json = tcp_to_json,
};
