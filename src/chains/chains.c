/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The table of observer chains. */
#include "../chain.h"
#include "../log.h"

#include <string.h>

extern const struct chain chain_basic;
extern const struct chain chain_tcp;
extern const struct chain chain_ecn;

const struct chain *const chain_registry[] = {
    &chain_basic,
    &chain_tcp,
    &chain_ecn,
    NULL,
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

int chain_registry_check(void)
{
	for (size_t i = 0; chain_registry[i]; i++) {
		const struct chain *c = chain_registry[i];

		if (!c->new_flow || !c->ip || !c->tcp || !c->udp || !c->icmp ||
		    !c->to_json) {
			log_error("observer",
				  "chain %s leaves a callback empty", c->name);
			return -1;
		}
	}
	return 0;
}
