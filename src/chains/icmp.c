/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * icmp: whether an ICMP destination unreachable (RFC 792 type 3) or an
 * ICMPv6 destination unreachable (RFC 4443 type 1) quoting this flow came
 * back.  An ICMP message that quotes no known flow makes a flow of its own
 * and does not count as an unreachable for it.
 */
#include "../chain.h"

struct icmp_state {
	int started_by_error;
	int unreachable;
};

static void icmp_new_flow(void *state, const struct packet *pkt)
{
	struct icmp_state *s = state;

	s->started_by_error = packet_is_icmp_error(pkt);
}

static void icmp_packet(void *state, const struct packet *pkt, int rev)
{
	struct icmp_state *s = state;

	(void)rev;
	/* An error that started its own flow quotes no flow of ours. */
	if (!s->started_by_error && packet_is_icmp_unreachable(pkt))
		s->unreachable = 1;
}

static void icmp_write(const void *state, struct record_writer *w)
{
	const struct icmp_state *s = state;

	record_bool(w, "icmp_unreachable", s->unreachable);
}

const struct chain chain_icmp = {
    .name = "icmp",
    .description = "ICMP or ICMPv6 unreachable received for the flow",
    .state_size = sizeof(struct icmp_state),
    .new_flow = icmp_new_flow,
    .ip = chain_ignore_packet,
    .tcp = chain_ignore_packet,
    .udp = chain_ignore_packet,
    .icmp = icmp_packet,
    .write = icmp_write,
};
