/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bidirectional flow records keyed by the 5-tuple, fed packet by packet
 * and run through the selected chains.
 *
 * A flow is active until it closes (FIN seen both ways, or a RST), then it
 * lingers briefly so the last ACKs still count, then it is emitted.  Flows
 * idle for longer than the idle timeout are emitted too.  When the table is
 * full, the longest-idle flow is emitted early to make room, so memory is
 * bounded by max_flows whatever the traffic.  A flow open for longer than
 * the active timeout is emitted at its next packet, which starts a new
 * record of the same tuple (oriented by that packet), as NetFlow and
 * IPFIX meters do.
 *
 * ICMP and ICMPv6 errors that quote a known flow (even with only the first
 * 8 bytes of the transport header) count as a packet of that flow in the
 * reverse direction of the quoted packet.  A TCP SYN that starts a new
 * sequence on a tuple still in the table ends the old flow first, so a
 * reused source port never merges two connections.
 */
#ifndef PP_FLOWTABLE_H
#define PP_FLOWTABLE_H

#include "chain.h"
#include "packet.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* A canonical tuple: the lower endpoint first, so both ways find it. */
struct flow_key {
	uint8_t family;
	uint8_t proto;
	uint16_t port_lo;
	uint16_t port_hi;
	uint8_t addr_lo[16];
	uint8_t addr_hi[16];
};

enum flow_end {
	FLOW_END_CLOSED,  /* FIN both ways or RST, after the linger time */
	FLOW_END_IDLE,	  /* no packet for the idle timeout */
	FLOW_END_EVICTED, /* the table was full */
	FLOW_END_FLUSHED, /* end of capture or a request to finish it */
	FLOW_END_NEW_SYN, /* the tuple was reused by a new connection */
	FLOW_END_ACTIVE,  /* open for longer than the active timeout */
};

struct flow {
	struct flow *hash_next;
	struct flow *prev;
	struct flow *next;
	struct flow_key key;
	/* The flow's first packet came from the key's lower endpoint. */
	uint8_t initiator_is_lo;
	uint8_t closing;
	uint8_t fin_fwd;
	uint8_t fin_rev;
	uint8_t has_isn;
	uint32_t isn;
	unsigned long serial; /* creation order */
	double first;
	double last;
	/* Chain states follow, at the table's offsets. */
	_Alignas(max_align_t) unsigned char state[];
};

struct flow_list {
	struct flow *head; /* the longest idle */
	struct flow *tail;
};

typedef void (*flow_emit_fn)(const struct flow *flow, enum flow_end why,
			     void *ctx);

struct flow_table {
	struct flow **buckets;
	size_t bucket_mask;
	size_t count;
	size_t max_flows;
	struct flow_list active;
	struct flow_list closing;
	const struct chain *const *chains;
	size_t chain_count;
	size_t *offsets;
	size_t flow_size;
	double idle_timeout;
	double active_timeout;
	double linger;
	flow_emit_fn emit;
	void *emit_ctx;

	/* counters for the summary */
	unsigned long flows_total;
	unsigned long flows_expired;
	unsigned long flows_evicted;
};

int flow_table_init(struct flow_table *ft, const struct chain *const *chains,
		    size_t chain_count, size_t max_flows, double idle_timeout,
		    flow_emit_fn emit, void *emit_ctx);
void flow_table_destroy(struct flow_table *ft);

/* Accounts one parsed packet to its flow, creating the flow if needed. */
void flow_table_packet(struct flow_table *ft, const struct packet *pkt);

/* Emits every flow whose idle or linger time has passed at `now`. */
void flow_table_expire(struct flow_table *ft, double now);

/* Emits every flow. */
void flow_table_flush(struct flow_table *ft);

/*
 * Returns 1 when the flow of this tuple has closed (FIN both ways, or a
 * RST) and saw no packet after `quiet_since`.
 */
int flow_table_closed(struct flow_table *ft, const struct flow_key *key,
		      double quiet_since);

/*
 * Emits the flow of this tuple now, if one is in the table; returns 1 when
 * a flow was emitted.
 */
int flow_table_finish(struct flow_table *ft, const struct flow_key *key);

void flow_key_make(struct flow_key *key, uint8_t proto, const struct ip_addr *a,
		   uint16_t port_a, const struct ip_addr *b, uint16_t port_b);

/* Builds the JSON flow record from every chain of the table. */
json_t *flow_to_json(const struct flow_table *ft, const struct flow *flow);

/*
 * Writes the same record as JSON text into the writer's buffer, which is
 * kept between calls; returns 0, or -1 when out of memory.
 */
int flow_to_text(const struct flow_table *ft, const struct flow *flow,
		 struct record_writer *w);

#endif
