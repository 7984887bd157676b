/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecn: which ECN codepoints (RFC 3168 section 5) were seen in the IP header
 * on SYNs and on data each way.  "Data" is a TCP segment with payload (by
 * the IP length) or any non-TCP packet.
 */
#include "../chain.h"

#include <netinet/in.h>
#include <stdio.h>

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

static int ecn_to_json(const void *state, json_t *rec)
{
	static const struct {
		const char *name;
		uint8_t codepoint;
	} marks[] = {
	    {"ect0", IP_ECN_ECT0},
	    {"ect1", IP_ECN_ECT1},
	    {"ce", IP_ECN_CE},
	};
	static const char *const kinds[] = {"syn", "data"};
	static const char *const dirs[] = {"fwd", "rev"};
	const struct ecn_state *s = state;
	char field[32];

	for (size_t m = 0; m < 3; m++)
		for (int k = 0; k < 2; k++)
			for (int d = 0; d < 2; d++) {
				int seen =
				    (s->seen[k][d] >> marks[m].codepoint) & 1;

				snprintf(field, sizeof(field), "ecn_%s_%s_%s",
					 marks[m].name, kinds[k], dirs[d]);
				json_object_set_new(rec, field,
						    json_boolean(seen));
			}
	return 0;
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
    .to_json = ecn_to_json,
};
