/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tcpopt: which of the timestamp (RFC 7323), window scale (RFC 7323) and
 * SACK-permitted (RFC 2018) options the first SYN-ACK (the reverse SYN)
 * carried, each only when its length is the one its RFC sets.
 */
#include "../chain.h"
#include "../tcpopt.h"

struct tcpopt_state {
	int synack_seen;
	int ts;
	int ws;
	int sack;
};

static void tcpopt_tcp(void *state, const struct packet *pkt, int rev)
{
	struct tcpopt_state *s = state;
	struct tcp_option_iter it;
	struct tcp_option opt;

	if (!rev || !(pkt->tcp_flags & TCP_SYN) || s->synack_seen)
		return;
	s->synack_seen = 1;
	tcp_option_iter_init(&it, pkt->tcp_options, pkt->tcp_options_len);
	while (tcp_option_next(&it, &opt)) {
		if (opt.kind == TCPOPT_TIMESTAMP && opt.len == 10)
			s->ts = 1;
		else if (opt.kind == TCPOPT_WSCALE && opt.len == 3)
			s->ws = 1;
		else if (opt.kind == TCPOPT_SACK_PERM && opt.len == 2)
			s->sack = 1;
	}
}

static void tcpopt_write(const void *state, struct record_writer *w)
{
	const struct tcpopt_state *s = state;

	record_bool(w, "tcpopt_ts", s->ts);
	record_bool(w, "tcpopt_ws", s->ws);
	record_bool(w, "tcpopt_sack", s->sack);
}

const struct chain chain_tcpopt = {
    .name = "tcpopt",
    .description = "timestamp, window scale and SACK options on the SYN-ACK",
    .state_size = sizeof(struct tcpopt_state),
    .new_flow = chain_ignore_flow,
    .ip = chain_ignore_packet,
    .tcp = tcpopt_tcp,
    .udp = chain_ignore_packet,
    .icmp = chain_ignore_packet,
    .write = tcpopt_write,
};
