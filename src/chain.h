/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Observer chains: each chain keeps its own state in every flow record and
 * turns what it saw into named fields of the flow's JSON record.  A chain
 * is one file ending in one `const struct chain`, listed in chains.c.
 *
 * Direction: `rev` is 0 for packets that travel the way the flow's first
 * packet did ("fwd"), 1 for the other way.
 */
#ifndef PP_CHAIN_H
#define PP_CHAIN_H

#include "packet.h"
#include "record.h"

#include <jansson.h>
#include <stddef.h>

struct chain {
	const char *name;
	const char *description;
	/* Bytes of per-flow state, zeroed before new_flow runs. */
	size_t state_size;
	/* Sets initial values; the packet is the flow's first one. */
	void (*new_flow)(void *state, const struct packet *pkt);
	/* Sees the IP header of every packet of the flow, including ICMP
	 * errors that quote the flow. */
	void (*ip)(void *state, const struct packet *pkt, int rev);
	/* Sees packets with a complete TCP, UDP or ICMP header. */
	void (*tcp)(void *state, const struct packet *pkt, int rev);
	void (*udp)(void *state, const struct packet *pkt, int rev);
	void (*icmp)(void *state, const struct packet *pkt, int rev);
	/* Writes the chain's fields into a flow record. */
	void (*write)(const void *state, struct record_writer *w);
};

/*
 * What ecn, dscp and evil count a packet as: a TCP SYN, "data" (a TCP
 * segment with payload by the IP length, or any non-TCP packet), or
 * neither (a bare TCP ACK, FIN or RST, or a cut TCP header).
 */
enum packet_kind {
	PACKET_KIND_SYN,
	PACKET_KIND_DATA,
	PACKET_KIND_OTHER,
};

enum packet_kind chain_packet_kind(const struct packet *pkt);

/* Every chain, NULL-terminated, in the order their fields are written. */
extern const struct chain *const chain_registry[];

const struct chain *chain_find(const char *name);

/* Shared no-op callbacks for the slots a chain does not need. */
void chain_ignore_flow(void *state, const struct packet *pkt);
void chain_ignore_packet(void *state, const struct packet *pkt, int rev);

/*
 * Returns 0 when every registered chain fills every callback, so the packet
 * path can call them without NULL tests; -1 (with a log line) otherwise.
 */
int chain_registry_check(void);

#endif
