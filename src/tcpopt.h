/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Walking TCP options (RFC 9293 section 3.2) the way Linux does: EOL ends
 * the list, NOP is one byte, every other option needs a length of at
 * least 2 that fits in what is left, or the walk stops there.  Checking a
 * known option's exact length is left to its reader.
 */
#ifndef PP_TCPOPT_H
#define PP_TCPOPT_H

#include <stddef.h>
#include <stdint.h>

#define TCPOPT_EOL	 0
#define TCPOPT_NOP	 1
#define TCPOPT_MSS	 2   /* RFC 9293 */
#define TCPOPT_WSCALE	 3   /* RFC 7323 */
#define TCPOPT_SACK_PERM 4   /* RFC 2018 */
#define TCPOPT_TIMESTAMP 8   /* RFC 7323 */
#define TCPOPT_FASTOPEN	 34  /* RFC 7413 */
#define TCPOPT_EXP1	 253 /* RFC 6994 experiments */
#define TCPOPT_EXP2	 254
#define TCPOPT_EXP3	 255
/* RFC 7413's experiment identifier, used before kind 34 was assigned. */
#define TCPOPT_FASTOPEN_EXID 0xF989

struct tcp_option {
	uint8_t kind;
	uint8_t len; /* the length byte: kind and length included */
	const uint8_t *data;
	size_t data_len;
};

struct tcp_option_iter {
	const uint8_t *p;
	size_t left;
};

void tcp_option_iter_init(struct tcp_option_iter *it, const uint8_t *options,
			  size_t len);

/* Returns 1 with the next option, 0 at the end or at a malformed option. */
int tcp_option_next(struct tcp_option_iter *it, struct tcp_option *opt);

/* Finds the first option of a kind; returns 1 if there is one. */
int tcp_option_find(const uint8_t *options, size_t len, uint8_t kind,
		    struct tcp_option *opt);

#endif
