/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The table of observer chains. */
#include "../chain.h"
#include "../log.h"

#include <netinet/in.h>
#include <string.h>

extern const struct chain chain_basic;
extern const struct chain chain_tcp;
extern const struct chain chain_ecn;
extern const struct chain chain_dscp;
extern const struct chain chain_evil;
extern const struct chain chain_icmp;
extern const struct chain chain_mss;
extern const struct chain chain_tcpopt;
extern const struct chain chain_tfo;
extern const struct chain chain_dns;
extern const struct chain chain_udp;

const struct chain *const chain_registry[] = {
    &chain_basic, &chain_tcp,  &chain_ecn, &chain_dscp,
    &chain_evil,  &chain_icmp, &chain_mss, &chain_tcpopt,
    &chain_tfo,	  &chain_dns,  &chain_udp, NULL,
};

const struct chain *chain_find(const char *name)
{
	for (size_t i = 0; chain_registry[i]; i++)
		if (strcmp(chain_registry[i]->name, name) == 0)
			return chain_registry[i];
	return NULL;
}

void chain_ignore_flow(void *state, const struct packet *pkt)
{
	(void)state;
	(void)pkt;
}

void chain_ignore_packet(void *state, const struct packet *pkt, int rev)
{
	(void)state;
	(void)pkt;
	(void)rev;
}

enum packet_kind chain_packet_kind(const struct packet *pkt)
{
	if (pkt->proto != IPPROTO_TCP)
		return PACKET_KIND_DATA;
	if (!pkt->has_transport)
		return PACKET_KIND_OTHER;
	if (pkt->tcp_flags & TCP_SYN)
		return PACKET_KIND_SYN;
	return pkt->payload_len > 0 ? PACKET_KIND_DATA : PACKET_KIND_OTHER;
}

int chain_registry_check(void)
{
	for (size_t i = 0; chain_registry[i]; i++) {
		const struct chain *c = chain_registry[i];

		if (!c->new_flow || !c->ip || !c->tcp || !c->udp || !c->icmp ||
		    !c->write) {
			log_error("observer",
				  "chain %s leaves a callback empty", c->name);
			return -1;
		}
	}
	return 0;
}
