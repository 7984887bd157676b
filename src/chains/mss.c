/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mss: the Maximum Segment Size option (RFC 9293 section 3.7.1) of the
 * first SYN each way: its length byte and its value.  A malformed option
 * whose length is not 4 is still reported, its data bytes read as one
 * big-endian number (up to 4 bytes), so a middlebox's damage shows.
 */
#include "../chain.h"
#include "../tcpopt.h"

struct mss_state {
	int syn_seen[2];
	int found[2];
	uint8_t len[2];
	uint32_t value[2];
};

static void mss_tcp(void *state, const struct packet *pkt, int rev)
{
	struct mss_state *s = state;
	struct tcp_option opt;

	if (!(pkt->tcp_flags & TCP_SYN) || s->syn_seen[rev])
		return;
	s->syn_seen[rev] = 1;
	if (!tcp_option_find(pkt->tcp_options, pkt->tcp_options_len, TCPOPT_MSS,
			     &opt))
		return;
	s->found[rev] = 1;
	s->len[rev] = opt.len;
	for (size_t i = 0; i < opt.data_len && i < 4; i++)
		s->value[rev] = s->value[rev] << 8 | opt.data[i];
}

static void mss_write(const void *state, struct record_writer *w)
{
	const struct mss_state *s = state;
	static const char *const len_names[] = {"mss_len_fwd", "mss_len_rev"};
	static const char *const value_names[] = {"mss_value_fwd",
						  "mss_value_rev"};

	for (int d = 0; d < 2; d++) {
		record_int_or_null(w, len_names[d], s->found[d], s->len[d]);
		record_int_or_null(w, value_names[d], s->found[d], s->value[d]);
	}
}

const struct chain chain_mss = {
    .name = "mss",
    .description = "MSS option length and value on the first SYN each way",
    .state_size = sizeof(struct mss_state),
    .new_flow = chain_ignore_flow,
    .ip = chain_ignore_packet,
    .tcp = mss_tcp,
    .udp = chain_ignore_packet,
    .icmp = chain_ignore_packet,
    .write = mss_write,
};
