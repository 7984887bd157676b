/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * udp: whether a UDP datagram with checksum zero ("no checksum", allowed
 * over IPv4 by RFC 768, not over IPv6 by RFC 8200) was seen each way.
 */
#include "../chain.h"

struct udp_state {
	int zero[2];
};

static void udp_packet(void *state, const struct packet *pkt, int rev)
{
	struct udp_state *s = state;

	if (pkt->udp_checksum == 0)
		s->zero[rev] = 1;
}

static void udp_write(const void *state, struct record_writer *w)
{
	const struct udp_state *s = state;

	record_bool(w, "udp_zero_checksum_fwd", s->zero[0]);
	record_bool(w, "udp_zero_checksum_rev", s->zero[1]);
}

const struct chain chain_udp = {
    .name = "udp",
    .description = "UDP checksum zero seen each way",
    .state_size = sizeof(struct udp_state),
    .new_flow = chain_ignore_flow,
    .ip = chain_ignore_packet,
    .tcp = chain_ignore_packet,
    .udp = udp_packet,
    .icmp = chain_ignore_packet,
    .write = udp_write,
};
