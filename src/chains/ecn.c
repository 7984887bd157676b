/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecn: which ECN codepoints (RFC 3168 section 5) were seen in the IP header
 * on SYNs and on data each way.  "Data" is a TCP segment with payload (by
 * the IP length) or any non-TCP packet.
 */
#include "../chain.h"

#include <netinet/in.h>

enum { ECN_SYN, ECN_DATA };

struct ecn_state {
	/* seen[kind][direction] holds a bit per codepoint */
	uint8_t seen[2][2];
};

static void ecn_ip(void *state, const struct packet *pkt, int rev)
{
	struct ecn_state *s = state;
	uint8_t codepoint = pkt->tos & IP_ECN_MASK;
	enum packet_kind kind = chain_packet_kind(pkt);

	if (kind == PACKET_KIND_OTHER || !codepoint)
		return;
	s->seen[kind == PACKET_KIND_SYN ? ECN_SYN : ECN_DATA][rev] |=
	    (uint8_t)(1u << codepoint);
}

static void ecn_write(const void *state, struct record_writer *w)
{
	/* [codepoint][syn or data][direction] */
	static const char *const names[4][2][2] = {
	    [IP_ECN_ECT0] = {{"ecn_ect0_syn_fwd", "ecn_ect0_syn_rev"},
			     {"ecn_ect0_data_fwd", "ecn_ect0_data_rev"}},
	    [IP_ECN_ECT1] = {{"ecn_ect1_syn_fwd", "ecn_ect1_syn_rev"},
			     {"ecn_ect1_data_fwd", "ecn_ect1_data_rev"}},
	    [IP_ECN_CE] = {{"ecn_ce_syn_fwd", "ecn_ce_syn_rev"},
			   {"ecn_ce_data_fwd", "ecn_ce_data_rev"}},
	};
	static const uint8_t order[] = {IP_ECN_ECT0, IP_ECN_ECT1, IP_ECN_CE};
	const struct ecn_state *s = state;

	for (size_t m = 0; m < sizeof(order); m++)
		for (int k = 0; k < 2; k++)
			for (int d = 0; d < 2; d++)
				record_bool(w, names[order[m]][k][d],
					    (s->seen[k][d] >> order[m]) & 1);
}

const struct chain chain_ecn = {
    .name = "ecn",
    .description = "ECT(0), ECT(1) and CE seen on SYNs and data each way",
    .state_size = sizeof(struct ecn_state),
    .new_flow = chain_ignore_flow,
    .ip = ecn_ip,
    .tcp = chain_ignore_packet,
    .udp = chain_ignore_packet,
    .icmp = chain_ignore_packet,
    .write = ecn_write,
};
