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

static void tcp_write(const void *state, struct record_writer *w)
{
	const struct tcp_state *s = state;

	record_int_or_null(w, "tcp_synflags_fwd", s->has_synflags[0],
			   s->synflags[0]);
	record_int_or_null(w, "tcp_synflags_rev", s->has_synflags[1],
			   s->synflags[1]);
	record_bool(w, "tcp_fin_fwd", s->fin[0]);
	record_bool(w, "tcp_fin_rev", s->fin[1]);
	record_bool(w, "tcp_rst_fwd", s->rst[0]);
	record_bool(w, "tcp_rst_rev", s->rst[1]);
	record_bool(w, "tcp_connected", s->connected);
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
    .write = tcp_write,
};
