/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "tcpopt.h"

void tcp_option_iter_init(struct tcp_option_iter *it, const uint8_t *options,
			  size_t len)
{
	it->p = options;
	it->left = options ? len : 0;
}

int tcp_option_next(struct tcp_option_iter *it, struct tcp_option *opt)
{
	while (it->left > 0) {
		uint8_t kind = it->p[0];
		uint8_t len;

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			it->p++;
			it->left--;
			continue;
		}
		if (it->left < 2)
			break;
		len = it->p[1];
		if (len < 2 || len > it->left)
			break;
		opt->kind = kind;
		opt->len = len;
		opt->data = it->p + 2;
		opt->data_len = (size_t)len - 2;
		it->p += len;
		it->left -= len;
		return 1;
	}
	it->left = 0;
	return 0;
}

int tcp_option_find(const uint8_t *options, size_t len, uint8_t kind,
		    struct tcp_option *opt)
{
	struct tcp_option_iter it;

	tcp_option_iter_init(&it, options, len);
	while (tcp_option_next(&it, opt))
		if (opt->kind == kind)
			return 1;
	return 0;
}
