/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tfo: TCP Fast Open (RFC 7413) on the first SYN and SYN-ACK: the option
 * kind used (34, or 254/255 with the experiment identifier 0xF989, or 0
 * for none), the cookie length, the SYN's sequence number and payload
 * length, and the SYN-ACK's acknowledgement number, which tells whether
 * the data on the SYN was accepted.
 */
#include "../chain.h"
#include "../tcpopt.h"

struct tfo_state {
	int seen[2];
	uint8_t kind[2];
	uint32_t cookie_len[2];
	uint32_t seq;
	uint32_t dlen;
	uint32_t ack;
};

/* Finds a Fast Open option; returns its kind and cookie length. */
static int tfo_option(const struct packet *pkt, uint8_t *kind,
		      uint32_t *cookie_len)
{
	struct tcp_option_iter it;
	struct tcp_option opt;

	tcp_option_iter_init(&it, pkt->tcp_options, pkt->tcp_options_len);
	while (tcp_option_next(&it, &opt)) {
		if (opt.kind == TCPOPT_FASTOPEN) {
			*kind = opt.kind;
			*cookie_len = (uint32_t)opt.data_len;
			return 1;
		}
		if ((opt.kind == TCPOPT_EXP2 || opt.kind == TCPOPT_EXP3) &&
		    opt.data_len >= 2 &&
		    (opt.data[0] << 8 | opt.data[1]) == TCPOPT_FASTOPEN_EXID) {
			*kind = opt.kind;
			*cookie_len = (uint32_t)opt.data_len - 2;
			return 1;
		}
	}
	return 0;
}

static void tfo_tcp(void *state, const struct packet *pkt, int rev)
{
	struct tfo_state *s = state;

	if (!(pkt->tcp_flags & TCP_SYN) || s->seen[rev])
		return;
	s->seen[rev] = 1;
	tfo_option(pkt, &s->kind[rev], &s->cookie_len[rev]);
	if (rev) {
		s->ack = pkt->tcp_ack;
	} else {
		s->seq = pkt->tcp_seq;
		s->dlen = pkt->payload_len;
	}
}

static void tfo_write(const void *state, struct record_writer *w)
{
	const struct tfo_state *s = state;

	record_int(w, "tfo_synkind", s->kind[0]);
	record_int(w, "tfo_ackkind", s->kind[1]);
	record_int(w, "tfo_synclen", s->cookie_len[0]);
	record_int(w, "tfo_ackclen", s->cookie_len[1]);
	record_int(w, "tfo_seq", s->seq);
	record_int(w, "tfo_dlen", s->dlen);
	record_int(w, "tfo_ack", s->ack);
}

const struct chain chain_tfo = {
    .name = "tfo",
    .description = "TCP Fast Open option, cookie and SYN data",
    .state_size = sizeof(struct tfo_state),
    .new_flow = chain_ignore_flow,
    .ip = chain_ignore_packet,
    .tcp = tfo_tcp,
    .udp = chain_ignore_packet,
    .icmp = chain_ignore_packet,
    .write = tfo_write,
};
