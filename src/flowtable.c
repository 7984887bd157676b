/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The observer's flow table: lookup, chain dispatch, expiry and eviction. */
#include "flowtable.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/*
 * Time a closed flow stays in the table before it is emitted: the last
 * ACKs and late ICMP errors quoting it (seen up to 8 s after a RST in
 * PATHspider's test captures) still count.
 */
#define FLOW_LINGER_SECONDS 10.0
/* A record covers at most this long, for long-lived flows. */
#define FLOW_ACTIVE_SECONDS 1800.0

static size_t round_up(size_t n, size_t align)
{
	return (n + align - 1) / align * align;
}

int flow_table_init(struct flow_table *ft, const struct chain *const *chains,
		    size_t chain_count, size_t max_flows, double idle_timeout,
		    flow_emit_fn emit, void *emit_ctx)
{
	size_t nbuckets = 1024;
	size_t offset = 0;

	memset(ft, 0, sizeof(*ft));
	while (nbuckets < max_flows && nbuckets < ((size_t)1 << 24))
		nbuckets <<= 1;
	ft->buckets = calloc(nbuckets, sizeof(*ft->buckets));
	ft->offsets = calloc(chain_count ? chain_count : 1, sizeof(size_t));
	if (!ft->buckets || !ft->offsets) {
		free(ft->buckets);
		free(ft->offsets);
		return -1;
	}

	for (size_t i = 0; i < chain_count; i++) {
		ft->offsets[i] = offset;
		offset +=
		    round_up(chains[i]->state_size, _Alignof(max_align_t));
	}
	ft->flow_size = sizeof(struct flow) + offset;
	ft->bucket_mask = nbuckets - 1;
	ft->max_flows = max_flows;
	ft->chains = chains;
	ft->chain_count = chain_count;
	ft->idle_timeout = idle_timeout;
	ft->active_timeout = FLOW_ACTIVE_SECONDS;
	ft->linger = FLOW_LINGER_SECONDS;
	ft->emit = emit;
	ft->emit_ctx = emit_ctx;
	return 0;
}

static void list_remove(struct flow_list *l, struct flow *f)
{
	if (f->prev)
		f->prev->next = f->next;
	else
		l->head = f->next;
	if (f->next)
		f->next->prev = f->prev;
	else
		l->tail = f->prev;
	f->prev = f->next = NULL;
}

static void list_append(struct flow_list *l, struct flow *f)
{
	f->next = NULL;
	f->prev = l->tail;
	if (l->tail)
		l->tail->next = f;
	else
		l->head = f;
	l->tail = f;
}

static struct flow_list *flow_list_of(struct flow_table *ft, struct flow *f)
{
	return f->closing ? &ft->closing : &ft->active;
}

void flow_table_destroy(struct flow_table *ft)
{
	struct flow_list *lists[] = {&ft->active, &ft->closing};

	for (size_t i = 0; i < 2; i++) {
		struct flow *f = lists[i]->head;

		while (f) {
			struct flow *next = f->next;

			free(f);
			f = next;
		}
	}
	free(ft->buckets);
	free(ft->offsets);
	memset(ft, 0, sizeof(*ft));
}

/* Compares two endpoints as (address, port); returns <0, 0 or >0. */
static int endpoint_cmp(const struct ip_addr *a, uint16_t pa,
			const struct ip_addr *b, uint16_t pb)
{
	int c = memcmp(a->bytes, b->bytes, sizeof(a->bytes));

	if (c)
		return c;
	return (int)pa - (int)pb;
}

void flow_key_make(struct flow_key *key, uint8_t proto, const struct ip_addr *a,
		   uint16_t port_a, const struct ip_addr *b, uint16_t port_b)
{
	memset(key, 0, sizeof(*key));
	key->family = a->family;
	key->proto = proto;
	if (endpoint_cmp(a, port_a, b, port_b) <= 0) {
		memcpy(key->addr_lo, a->bytes, 16);
		memcpy(key->addr_hi, b->bytes, 16);
		key->port_lo = port_a;
		key->port_hi = port_b;
	} else {
		memcpy(key->addr_lo, b->bytes, 16);
		memcpy(key->addr_hi, a->bytes, 16);
		key->port_lo = port_b;
		key->port_hi = port_a;
	}
}

/* Mixes the key eight bytes at a time; keys are zero-padded, so the
 * hash depends on the tuple only. */
static size_t flow_key_hash(const struct flow_key *key)
{
	uint64_t words[(sizeof(*key) + 7) / 8] = {0};
	uint64_t h = 0x9e3779b97f4a7c15ULL;

	memcpy(words, key, sizeof(*key));
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		h ^= words[i];
		h *= 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 31;
	}
	return (size_t)h;
}

static struct flow **flow_slot(struct flow_table *ft,
			       const struct flow_key *key)
{
	struct flow **slot = &ft->buckets[flow_key_hash(key) & ft->bucket_mask];

	while (*slot && memcmp(&(*slot)->key, key, sizeof(*key)) != 0)
		slot = &(*slot)->hash_next;
	return slot;
}

static void flow_release(struct flow_table *ft, struct flow *f,
			 enum flow_end why)
{
	struct flow **slot = flow_slot(ft, &f->key);

	if (*slot == f)
		*slot = f->hash_next;
	list_remove(flow_list_of(ft, f), f);
	ft->count--;
	if (why == FLOW_END_IDLE)
		ft->flows_expired++;
	else if (why == FLOW_END_EVICTED)
		ft->flows_evicted++;
	ft->emit(f, why, ft->emit_ctx);
	free(f);
}

static struct flow *flow_create(struct flow_table *ft,
				const struct flow_key *key,
				const struct packet *pkt, int initiator_is_lo)
{
	struct flow **slot;
	struct flow *f;

	if (ft->count >= ft->max_flows) {
		struct flow *victim =
		    ft->closing.head ? ft->closing.head : ft->active.head;

		if (victim)
			flow_release(ft, victim, FLOW_END_EVICTED);
	}
	f = calloc(1, ft->flow_size);
	if (!f)
		return NULL;
	f->key = *key;
	f->initiator_is_lo = (uint8_t)initiator_is_lo;
	f->first = f->last = pkt->ts;
	for (size_t i = 0; i < ft->chain_count; i++)
		ft->chains[i]->new_flow(f->state + ft->offsets[i], pkt);

	slot = flow_slot(ft, key);
	f->hash_next = *slot;
	*slot = f;
	list_append(&ft->active, f);
	ft->count++;
	f->serial = ft->flows_total++;
	return f;
}

static void flow_dispatch(struct flow_table *ft, struct flow *f,
			  const struct packet *pkt, int rev)
{
	for (size_t i = 0; i < ft->chain_count; i++) {
		const struct chain *c = ft->chains[i];
		void *state = f->state + ft->offsets[i];

		c->ip(state, pkt, rev);
		if (!pkt->has_transport)
			continue;
		if (pkt->proto == IPPROTO_TCP)
			c->tcp(state, pkt, rev);
		else if (pkt->proto == IPPROTO_UDP)
			c->udp(state, pkt, rev);
		else if (pkt->proto == IPPROTO_ICMP ||
			 pkt->proto == IPPROTO_ICMPV6)
			c->icmp(state, pkt, rev);
	}
}

static void flow_touch(struct flow_table *ft, struct flow *f, double ts)
{
	struct flow_list *l = flow_list_of(ft, f);

	if (ts > f->last)
		f->last = ts;
	list_remove(l, f);
	list_append(l, f);
}

/* Tracks FIN and RST so a finished connection leaves the table soon. */
static void flow_track_close(struct flow_table *ft, struct flow *f,
			     const struct packet *pkt, int rev)
{
	if (pkt->proto != IPPROTO_TCP || !pkt->has_transport || f->closing)
		return;
	if (pkt->tcp_flags & TCP_FIN) {
		if (rev)
			f->fin_rev = 1;
		else
			f->fin_fwd = 1;
	}
	if ((f->fin_fwd && f->fin_rev) || (pkt->tcp_flags & TCP_RST)) {
		list_remove(&ft->active, f);
		f->closing = 1;
		list_append(&ft->closing, f);
	}
}

/* Attributes an ICMP error to the flow it quotes; returns 1 if it did. */
static int flow_table_icmp_error(struct flow_table *ft,
				 const struct packet *pkt)
{
	const struct icmp_quote *q = &pkt->quote;
	uint16_t sport = 0, dport = 0;
	struct flow_key key;
	struct flow *f;
	int quoted_from_lo;
	int rev;

	if (!q->valid || q->src.family != q->dst.family)
		return 0;
	/* Keyed as flow_table_packet keys flows: ports for TCP and UDP only. */
	if (q->proto == IPPROTO_TCP || q->proto == IPPROTO_UDP) {
		if (!q->has_ports)
			return 0;
		sport = q->sport;
		dport = q->dport;
	}
	flow_key_make(&key, q->proto, &q->src, sport, &q->dst, dport);
	f = *flow_slot(ft, &key);
	if (!f)
		return 0;

	/* The error travels back towards the quoted packet's sender. */
	quoted_from_lo =
	    endpoint_cmp(&q->src, q->sport, &q->dst, q->dport) <= 0;
	rev = quoted_from_lo == f->initiator_is_lo;
	flow_dispatch(ft, f, pkt, rev);
	flow_touch(ft, f, pkt->ts);
	return 1;
}

/*
 * A SYN without ACK starts a new connection on a tuple still in the table
 * when the flow began without a SYN (a stray RST or segment), or when it
 * comes from the flow's initiator with another initial sequence number.
 * A retransmitted SYN keeps its sequence number.  A SYN from the other end
 * of a flow that began with one is a simultaneous open, not a new flow.
 */
static int tcp_starts_new_connection(const struct flow *f,
				     const struct packet *pkt, int rev)
{
	if (pkt->proto != IPPROTO_TCP || !pkt->has_transport ||
	    (pkt->tcp_flags & (TCP_SYN | TCP_ACK)) != TCP_SYN)
		return 0;
	if (!f->has_isn)
		return 1;
	return !rev && pkt->tcp_seq != f->isn;
}

void flow_table_packet(struct flow_table *ft, const struct packet *pkt)
{
	uint16_t sport = 0, dport = 0;
	struct flow_key key;
	struct flow *f;
	int src_is_lo;
	int rev;

	if (packet_is_icmp_error(pkt) && flow_table_icmp_error(ft, pkt))
		return;

	if (pkt->has_transport &&
	    (pkt->proto == IPPROTO_TCP || pkt->proto == IPPROTO_UDP)) {
		sport = pkt->sport;
		dport = pkt->dport;
	}
	flow_key_make(&key, pkt->proto, &pkt->src, sport, &pkt->dst, dport);
	src_is_lo = endpoint_cmp(&pkt->src, sport, &pkt->dst, dport) <= 0;

	f = *flow_slot(ft, &key);
	if (f && pkt->ts - f->first >= ft->active_timeout) {
		flow_release(ft, f, FLOW_END_ACTIVE);
		f = NULL;
	}
	if (f && tcp_starts_new_connection(f, pkt,
					   src_is_lo != f->initiator_is_lo)) {
		flow_release(ft, f, FLOW_END_NEW_SYN);
		f = NULL;
	}
	if (!f) {
		f = flow_create(ft, &key, pkt, src_is_lo);
		if (!f)
			return;
	}

	rev = src_is_lo != f->initiator_is_lo;
	if (!f->has_isn && !rev && pkt->proto == IPPROTO_TCP &&
	    pkt->has_transport && (pkt->tcp_flags & TCP_SYN)) {
		f->has_isn = 1;
		f->isn = pkt->tcp_seq;
	}
	flow_dispatch(ft, f, pkt, rev);
	flow_track_close(ft, f, pkt, rev);
	flow_touch(ft, f, pkt->ts);
}

void flow_table_expire(struct flow_table *ft, double now)
{
	while (ft->closing.head && ft->closing.head->last + ft->linger <= now)
		flow_release(ft, ft->closing.head, FLOW_END_CLOSED);
	while (ft->active.head &&
	       ft->active.head->last + ft->idle_timeout <= now)
		flow_release(ft, ft->active.head, FLOW_END_IDLE);
}

static int flow_cmp_first(const void *a, const void *b)
{
	const struct flow *fa = *(const struct flow *const *)a;
	const struct flow *fb = *(const struct flow *const *)b;

	if (fa->first != fb->first)
		return fa->first > fb->first ? 1 : -1;
	return (fa->serial > fb->serial) - (fa->serial < fb->serial);
}

void flow_table_flush(struct flow_table *ft)
{
	struct flow_list *lists[] = {&ft->active, &ft->closing};
	struct flow **all = malloc(ft->count * sizeof(*all) + 1);
	size_t n = 0;

	/* Without memory to sort, emit in list order rather than lose flows. */
	if (!all) {
		while (ft->active.head)
			flow_release(ft, ft->active.head, FLOW_END_FLUSHED);
		while (ft->closing.head)
			flow_release(ft, ft->closing.head, FLOW_END_FLUSHED);
		return;
	}
	for (size_t i = 0; i < 2; i++)
		for (struct flow *f = lists[i]->head; f; f = f->next)
			all[n++] = f;
	qsort(all, n, sizeof(*all), flow_cmp_first);
	for (size_t i = 0; i < n; i++)
		flow_release(ft, all[i], FLOW_END_FLUSHED);
	free(all);
}

int flow_table_closed(struct flow_table *ft, const struct flow_key *key,
		      double quiet_since)
{
	const struct flow *f = *flow_slot(ft, key);

	return f && f->closing && f->last <= quiet_since;
}

int flow_table_finish(struct flow_table *ft, const struct flow_key *key)
{
	struct flow *f = *flow_slot(ft, key);

	if (!f)
		return 0;
	flow_release(ft, f, FLOW_END_FLUSHED);
	return 1;
}

static void flow_write(const struct flow_table *ft, const struct flow *flow,
		       struct record_writer *w)
{
	for (size_t i = 0; i < ft->chain_count; i++)
		ft->chains[i]->write(flow->state + ft->offsets[i], w);
}

json_t *flow_to_json(const struct flow_table *ft, const struct flow *flow)
{
	struct record_writer w;

	if (record_begin_json(&w) != 0)
		return NULL;
	flow_write(ft, flow, &w);
	return w.object;
}

int flow_to_text(const struct flow_table *ft, const struct flow *flow,
		 struct record_writer *w)
{
	record_begin_text(w);
	flow_write(ft, flow, w);
	return record_end_text(w);
}
