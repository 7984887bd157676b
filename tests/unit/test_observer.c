/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The observer and its flow table.  Capture files written here with libpcap
 * (Ethernet and raw IP, microsecond and nanosecond timestamps) are read by
 * observer_run_file through the basic, tcp and ecn chains, and every flow
 * record is compared field by field.  The captures hold ECN connections
 * over IPv4 and IPv6, CE and ECT(1) marks, RST endings, a lone RST, ICMP
 * errors joining the flow they quote, a reused tuple with a new ISN, UDP
 * and ICMP flows, many tuples, and more tuples than a small table holds,
 * which must evict without losing a packet.  The flow table is also fed
 * packets directly to check idle expiry, the linger after a close,
 * eviction order and flushing.
 */
#include "harness.h"
#include "chain.h"
#include "flowtable.h"
#include "observer.h"
#include "packet.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct bytes {
	uint8_t data[1600];
	size_t len;
};

static void put_data(struct bytes *b, const void *p, size_t n)
{
	if (b->len + n > sizeof(b->data))
		abort();
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void put_u8(struct bytes *b, uint8_t v)
{
	put_data(b, &v, 1);
}

static void put_be16(struct bytes *b, uint16_t v)
{
	put_u8(b, (uint8_t)(v >> 8));
	put_u8(b, (uint8_t)v);
}

static void put_be32(struct bytes *b, uint32_t v)
{
	put_be16(b, (uint16_t)(v >> 16));
	put_be16(b, (uint16_t)v);
}

static void put_fill(struct bytes *b, uint8_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_u8(b, v);
}

static void put_addr(struct bytes *b, int version, const char *text)
{
	uint8_t addr[16];
	int family = version == 4 ? AF_INET : AF_INET6;

	if (inet_pton(family, text, addr) != 1)
		abort();
	put_data(b, addr, version == 4 ? 4 : 16);
}

/* Appends an IPv4 or IPv6 header with the right length, then payload. */
static void put_ip(struct bytes *b, int version, const char *src,
		   const char *dst, uint8_t tos, uint8_t proto,
		   const struct bytes *payload)
{
	if (version == 4) {
		put_u8(b, 0x45);
		put_u8(b, tos);
		put_be16(b, (uint16_t)(20 + payload->len));
		put_be32(b, 0x00004000); /* identification, DF */
		put_u8(b, 64);
		put_u8(b, proto);
		put_be16(b, 0); /* checksum */
	} else {
		put_be32(b, 6u << 28 | (uint32_t)tos << 20);
		put_be16(b, (uint16_t)payload->len);
		put_u8(b, proto);
		put_u8(b, 64);
	}
	put_addr(b, version, src);
	put_addr(b, version, dst);
	put_data(b, payload->data, payload->len);
}

/* The endpoints of a TCP or UDP conversation, which the client starts. */
struct conv {
	int version;
	const char *client;
	const char *server;
	uint16_t client_port;
	uint16_t server_port;
	uint8_t proto;
};

enum step_kind {
	STEP_SEGMENT,	  /* a TCP segment or UDP datagram of the conv */
	STEP_UNREACHABLE, /* a router's unreachable quoting a client packet */
	STEP_ECHO,	  /* an ICMP echo request, or reply when rev */
	STEP_ECHO_TIME_EXCEEDED, /* a router's time exceeded for an echo */
};

#define FWD 0
#define REV 1

/* One packet of a scenario.  capture_add_steps spaces them 0.25 s apart. */
struct step {
	int rev; /* server to client */
	uint8_t flags;
	uint32_t seq;
	uint16_t payload_len;
	uint8_t tos;
	enum step_kind kind;
};

#define V4_ROUTER "198.51.100.1"
#define V6_ROUTER "2001:db8:1::1"

static void build_segment(struct bytes *b, const struct conv *c,
			  const struct step *s)
{
	struct bytes l4 = {.len = 0};
	uint16_t sport = s->rev ? c->server_port : c->client_port;
	uint16_t dport = s->rev ? c->client_port : c->server_port;

	if (c->proto == IPPROTO_TCP) {
		put_be16(&l4, sport);
		put_be16(&l4, dport);
		put_be32(&l4, s->seq);
		put_be32(&l4, 0); /* ack */
		put_u8(&l4, 5 << 4);
		put_u8(&l4, s->flags);
		put_be16(&l4, 65535);
		put_be32(&l4, 0); /* checksum, urgent pointer */
	} else {
		put_be16(&l4, sport);
		put_be16(&l4, dport);
		put_be16(&l4, (uint16_t)(8 + s->payload_len));
		put_be16(&l4, 0);
	}
	put_fill(&l4, 0x61, s->payload_len);
	put_ip(b, c->version, s->rev ? c->server : c->client,
	       s->rev ? c->client : c->server, s->tos, c->proto, &l4);
}

static void build_echo(struct bytes *b, const struct conv *c,
		       const struct step *s)
{
	uint8_t icmp_proto = c->version == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	struct bytes l4 = {.len = 0};

	if (c->version == 4)
		put_u8(&l4, s->rev ? 0 : 8);
	else
		put_u8(&l4, s->rev ? 129 : 128);
	put_u8(&l4, 0);
	put_be16(&l4, 0x1234);	   /* checksum */
	put_be32(&l4, 0x00010001); /* identifier, sequence */
	put_fill(&l4, 0x62, s->payload_len);
	put_ip(b, c->version, s->rev ? c->server : c->client,
	       s->rev ? c->client : c->server, s->tos, icmp_proto, &l4);
}

/* Appends a router's ICMP error to the client quoting, RFC 792 style, the
 * IP header and first 8 bytes of the client's packet. */
static void build_icmp_error(struct bytes *b, const struct conv *c,
			     uint8_t type, uint8_t code,
			     const struct bytes *quoted, uint8_t tos)
{
	uint8_t icmp_proto = c->version == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	struct bytes l4 = {.len = 0};

	put_u8(&l4, type);
	put_u8(&l4, code);
	put_be16(&l4, 0);
	put_be32(&l4, 0);
	put_data(&l4, quoted->data, (c->version == 4 ? 20 : 40) + 8u);
	put_ip(b, c->version, c->version == 4 ? V4_ROUTER : V6_ROUTER,
	       c->client, tos, icmp_proto, &l4);
}

static void build_step(struct bytes *b, const struct conv *c,
		       const struct step *s)
{
	struct bytes quoted = {.len = 0};
	struct step fwd = *s;

	fwd.rev = FWD;
	switch (s->kind) {
	case STEP_SEGMENT:
		build_segment(b, c, s);
		return;
	case STEP_UNREACHABLE:
		build_segment(&quoted, c, &fwd);
		build_icmp_error(b, c, c->version == 4 ? 3 : 1,
				 c->version == 4 ? 1 : 0, &quoted, s->tos);
		return;
	case STEP_ECHO:
		build_echo(b, c, s);
		return;
	case STEP_ECHO_TIME_EXCEEDED:
		build_echo(&quoted, c, &fwd);
		build_icmp_error(b, c, c->version == 4 ? 11 : 3, 0, &quoted,
				 s->tos);
		return;
	}
}

/* Frames of a capture file, written with pcap_dump. */
struct frame {
	struct bytes bytes;
	size_t caplen; /* 0 for the whole frame */
	long sec;
	long nsec;
};

struct capture {
	int linktype;
	int nano;
	size_t count;
	struct frame frames[128];
};

static struct capture *capture_new(int linktype, int nano)
{
	struct capture *cap = calloc(1, sizeof(*cap));

	if (!cap)
		abort();
	cap->linktype = linktype;
	cap->nano = nano;
	return cap;
}

static void capture_add_frame(struct capture *cap, const struct bytes *frame,
			      size_t caplen, long sec, long nsec)
{
	struct frame *f;

	if (cap->count == COUNT(cap->frames))
		abort();
	f = &cap->frames[cap->count++];
	f->bytes = *frame;
	f->caplen = caplen;
	f->sec = sec;
	f->nsec = nsec;
}

/* Adds an IP packet, behind an Ethernet header padded to 60 bytes if the
 * capture is Ethernet. */
static void capture_add_ip(struct capture *cap, const struct bytes *ip,
			   size_t caplen, long sec, long nsec)
{
	static const uint8_t macs[] = {0x00, 0x00, 0x5e, 0x00, 0x53, 0x02,
				       0x00, 0x00, 0x5e, 0x00, 0x53, 0x01};
	struct bytes frame = {.len = 0};

	if (cap->linktype != DLT_EN10MB) {
		capture_add_frame(cap, ip, caplen, sec, nsec);
		return;
	}
	put_data(&frame, macs, sizeof(macs));
	put_be16(&frame, (ip->data[0] >> 4) == 6 ? 0x86dd : 0x0800);
	put_data(&frame, ip->data, ip->len);
	if (frame.len < 60)
		put_fill(&frame, 0, 60 - frame.len);
	capture_add_frame(cap, &frame, caplen ? caplen + 14 : 0, sec, nsec);
}

#define BASE_SEC 1700000000L

static void capture_add_steps(struct capture *cap, const struct conv *c,
			      const struct step *steps, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		struct bytes ip = {.len = 0};

		build_step(&ip, c, &steps[i]);
		capture_add_ip(cap, &ip, 0, BASE_SEC + (long)i / 4,
			       (long)(i % 4) * 250000000L);
	}
}

static char tmp_dir[64];
static unsigned file_serial;

/* Writes the capture to a new file in tmp_dir and returns 0, or -1 if
 * libpcap fails. */
static int capture_write(const struct capture *cap, char *path, size_t len)
{
	pcap_t *dead;
	pcap_dumper_t *dumper;

	snprintf(path, len, "%s/%u.pcap", tmp_dir, file_serial++);
	dead = pcap_open_dead_with_tstamp_precision(
	    cap->linktype, 65535,
	    cap->nano ? PCAP_TSTAMP_PRECISION_NANO
		      : PCAP_TSTAMP_PRECISION_MICRO);
	if (!dead)
		return -1;
	dumper = pcap_dump_open(dead, path);
	if (!dumper) {
		pcap_close(dead);
		return -1;
	}
	for (size_t i = 0; i < cap->count; i++) {
		const struct frame *f = &cap->frames[i];
		struct pcap_pkthdr hdr;

		memset(&hdr, 0, sizeof(hdr));
		hdr.ts.tv_sec = f->sec;
		hdr.ts.tv_usec = cap->nano ? f->nsec : f->nsec / 1000;
		hdr.len = (bpf_u_int32)f->bytes.len;
		hdr.caplen =
		    (bpf_u_int32)(f->caplen ? f->caplen : f->bytes.len);
		pcap_dump((u_char *)dumper, &hdr, f->bytes.data);
	}
	pcap_dump_close(dumper);
	pcap_close(dead);
	return 0;
}

/* What one run of the observer over a file produced. */
struct run {
	int open_rc;
	int run_rc;
	json_t *records; /* every flow record, in the order emitted */
	struct observer_stats stats;
	unsigned long flows_total;
	unsigned long flows_evicted;
	unsigned long flows_expired;
	size_t max_in_table;	    /* max flows in the table seen at an emit */
	unsigned long read_at[256]; /* packets read when each flow left */
	const struct observer *obs;
	int bad_callback; /* on_flow got a record that disagrees with it */
};

static void collect_flow(json_t *record, const struct flow_key *key,
			 double first, void *ctx)
{
	struct run *r = ctx;
	/* The table has already removed the flow it emits. */
	size_t in_table = r->obs->flows.count + 1;
	json_t *proto = json_object_get(record, "proto");

	if (in_table > r->max_in_table)
		r->max_in_table = in_table;
	if (json_array_size(r->records) < COUNT(r->read_at))
		r->read_at[json_array_size(r->records)] = r->obs->stats.packets;
	if (json_real_value(json_object_get(record, "first")) != first ||
	    !json_is_integer(proto) || json_integer_value(proto) != key->proto)
		r->bad_callback++;
	json_array_append_new(r->records, record);
}

static void ignore_finished(void *request_ctx, int found, void *ctx)
{
	(void)request_ctx;
	(void)found;
	(void)ctx;
}

static const struct chain *chains[3];

/* An idle timeout no test capture reaches: flows leave at the flush. */
#define LONG_IDLE 3600.0

/* Runs the observer over a capture file written from cap.  The caller
 * releases r->records. */
static void observe(const struct capture *cap, size_t max_flows,
		    double idle_timeout, struct run *r)
{
	struct observer obs;
	struct observer_config cfg;
	char path[128];

	memset(r, 0, sizeof(*r));
	r->records = json_array();
	r->obs = &obs;
	if (capture_write(cap, path, sizeof(path)) != 0) {
		CHECK(0, "cannot write %s", path);
		r->open_rc = -1;
		r->obs = NULL;
		return;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.source = path;
	cfg.chains = chains;
	cfg.chain_count = COUNT(chains);
	cfg.max_flows = max_flows;
	cfg.idle_timeout = idle_timeout;
	cfg.snaplen = 65535;
	cfg.on_flow = collect_flow;
	cfg.on_finished = ignore_finished;
	cfg.ctx = r;

	r->open_rc = observer_open(&obs, &cfg);
	if (r->open_rc == 0) {
		r->run_rc = observer_run_file(&obs);
		r->stats = obs.stats;
		r->flows_total = obs.flows.flows_total;
		r->flows_evicted = obs.flows.flows_evicted;
		r->flows_expired = obs.flows.flows_expired;
		observer_close(&obs);
	}
	r->obs = NULL;
	unlink(path);
}

/* Every field the three chains write, and nothing else. */
static const char *const record_fields[] = {
    "sip",
    "dip",
    "sp",
    "dp",
    "proto",
    "pkt_fwd",
    "pkt_rev",
    "oct_fwd",
    "oct_rev",
    "first",
    "last",
    "tcp_synflags_fwd",
    "tcp_synflags_rev",
    "tcp_fin_fwd",
    "tcp_fin_rev",
    "tcp_rst_fwd",
    "tcp_rst_rev",
    "tcp_connected",
    "ecn_ect0_syn_fwd",
    "ecn_ect0_syn_rev",
    "ecn_ect0_data_fwd",
    "ecn_ect0_data_rev",
    "ecn_ect1_syn_fwd",
    "ecn_ect1_syn_rev",
    "ecn_ect1_data_fwd",
    "ecn_ect1_data_rev",
    "ecn_ce_syn_fwd",
    "ecn_ce_syn_rev",
    "ecn_ce_data_fwd",
    "ecn_ce_data_rev",
};

static void check_field_names(const json_t *record, size_t index)
{
	for (size_t i = 0; i < COUNT(record_fields); i++)
		CHECK(json_object_get(record, record_fields[i]),
		      "flow %zu has no %s", index, record_fields[i]);
	CHECK(json_object_size(record) == COUNT(record_fields),
	      "flow %zu has %zu fields, expected %zu", index,
	      json_object_size(record), COUNT(record_fields));
}

/*
 * Checks the fields listed in expect, "name=value" separated by spaces.  A
 * value that parses as JSON (a number, true, false, null) is compared as
 * such, any other value as a string.
 */
static void check_fields(const json_t *record, size_t index, const char *expect)
{
	char *copy = strdup(expect);
	char *save = NULL;

	if (!copy)
		abort();
	for (char *item = strtok_r(copy, " ", &save); item;
	     item = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(item, '=');
		json_t *want, *got;
		char *got_text;

		if (!eq)
			abort();
		*eq = '\0';
		want = json_loads(eq + 1, JSON_DECODE_ANY, NULL);
		if (!want)
			want = json_string(eq + 1);
		got = json_object_get(record, item);
		got_text = got ? json_dumps(got, JSON_ENCODE_ANY) : NULL;
		CHECK(got, "flow %zu: %s is missing", index, item);
		if (got)
			CHECK(json_equal(got, want),
			      "flow %zu: %s is %s, expected %s", index, item,
			      got_text ? got_text : "?", eq + 1);
		free(got_text);
		json_decref(want);
	}
	free(copy);
}

struct scenario {
	const char *name;
	int linktype;
	int nano;
	const struct conv *conv;
	const struct step *steps;
	size_t step_count;
	size_t max_flows;
	size_t flow_count;
	const char *expect[2]; /* the fields of each flow, in emit order */
};

static const struct conv tcp4 = {4,	"192.0.2.1", "203.0.113.5",
				 49152, 80,	     IPPROTO_TCP};
static const struct conv tcp6 = {6,  "2001:db8::1", "2001:db8:ffff::5", 49152,
				 80, IPPROTO_TCP};
static const struct conv udp4 = {4,	"192.0.2.7", "198.51.100.53",
				 40000, 53,	     IPPROTO_UDP};
static const struct conv udp6 = {6,  "2001:db8::7", "2001:db8:53::53", 40001,
				 53, IPPROTO_UDP};

#define SYN	    TCP_SYN
#define SYN_ACK	    (TCP_SYN | TCP_ACK)
#define ACK	    TCP_ACK
#define PSH_ACK	    (TCP_PSH | TCP_ACK)
#define FIN_ACK	    (TCP_FIN | TCP_ACK)
#define RST_ACK	    (TCP_RST | TCP_ACK)
#define ECN_SYN	    (TCP_SYN | TCP_ECE | TCP_CWR) /* 194 */
#define ECN_SYN_ACK (TCP_SYN | TCP_ACK | TCP_ECE) /* 82 */

static const struct step ecn_steps[] = {
    {FWD, ECN_SYN, 1000, 0, 0, STEP_SEGMENT},
    {REV, ECN_SYN_ACK, 5000, 0, 0, STEP_SEGMENT},
    {FWD, ACK, 1001, 0, 0, STEP_SEGMENT},
    {FWD, PSH_ACK, 1001, 100, IP_ECN_ECT0, STEP_SEGMENT},
    {REV, PSH_ACK, 5001, 200, IP_ECN_ECT0, STEP_SEGMENT},
    {FWD, ACK, 1101, 0, 0, STEP_SEGMENT},
    {FWD, FIN_ACK, 1101, 0, 0, STEP_SEGMENT},
    {REV, FIN_ACK, 5201, 0, 0, STEP_SEGMENT},
    {FWD, ACK, 1102, 0, 0, STEP_SEGMENT},
};

/* The ECN fields, all false but the ECT(0) data marks both ways. */
#define ECN_ECT0_DATA_ONLY                                                     \
	"ecn_ect0_syn_fwd=false ecn_ect0_syn_rev=false "                       \
	"ecn_ect0_data_fwd=true ecn_ect0_data_rev=true "                       \
	"ecn_ect1_syn_fwd=false ecn_ect1_syn_rev=false "                       \
	"ecn_ect1_data_fwd=false ecn_ect1_data_rev=false "                     \
	"ecn_ce_syn_fwd=false ecn_ce_syn_rev=false "                           \
	"ecn_ce_data_fwd=false ecn_ce_data_rev=false"
#define TCP_FULL_CLOSE                                                         \
	"tcp_synflags_fwd=194 tcp_synflags_rev=82 tcp_fin_fwd=true "           \
	"tcp_fin_rev=true tcp_rst_fwd=false tcp_rst_rev=false "                \
	"tcp_connected=true "

static const struct step ce_steps[] = {
    {FWD, ECN_SYN, 1000, 0, 0, STEP_SEGMENT},
    {REV, ECN_SYN_ACK, 5000, 0, 0, STEP_SEGMENT},
    {FWD, ACK, 1001, 0, 0, STEP_SEGMENT},
    {FWD, PSH_ACK, 1001, 50, IP_ECN_ECT0, STEP_SEGMENT},
    {REV, ACK, 5001, 0, IP_ECN_CE, STEP_SEGMENT}, /* no data: not counted */
    {REV, PSH_ACK, 5001, 60, IP_ECN_CE, STEP_SEGMENT},
    {FWD, ACK, 1051, 0, 0, STEP_SEGMENT},
};

static const struct step syn_mark_steps[] = {
    {FWD, SYN, 1000, 0, IP_ECN_ECT1, STEP_SEGMENT},
    {REV, SYN_ACK, 5000, 0, IP_ECN_ECT0, STEP_SEGMENT},
    {FWD, ACK, 1001, 0, IP_ECN_CE, STEP_SEGMENT}, /* no data */
};

static const struct step rst_steps[] = {
    {FWD, SYN, 1000, 0, 0, STEP_SEGMENT},
    {REV, SYN_ACK, 5000, 0, 0, STEP_SEGMENT},
    {FWD, ACK, 1001, 0, 0, STEP_SEGMENT},
    {FWD, PSH_ACK, 1001, 10, 0, STEP_SEGMENT},
    {REV, RST_ACK, 5001, 0, 0, STEP_SEGMENT},
};

static const struct step lone_rst_steps[] = {
    {REV, RST_ACK, 5001, 0, 0, STEP_SEGMENT},
};

static const struct step unreachable_steps[] = {
    {FWD, ECN_SYN, 1000, 0, 0, STEP_SEGMENT},
    {FWD, ECN_SYN, 1000, 0, 0, STEP_UNREACHABLE},
};

static const struct step unreachable_retry_steps[] = {
    {FWD, SYN, 1000, 0, 0, STEP_SEGMENT},
    {FWD, SYN, 1000, 0, 0, STEP_UNREACHABLE},
    {FWD, SYN, 1000, 0, 0, STEP_SEGMENT},
};

static const struct step reuse_steps[] = {
    {FWD, SYN, 1000, 0, 0, STEP_SEGMENT},
    {REV, SYN_ACK, 5000, 0, 0, STEP_SEGMENT},
    {FWD, ACK, 1001, 0, 0, STEP_SEGMENT},
    {FWD, FIN_ACK, 1001, 0, 0, STEP_SEGMENT},
    {REV, FIN_ACK, 5001, 0, 0, STEP_SEGMENT},
    {FWD, ACK, 1002, 0, 0, STEP_SEGMENT},
    {FWD, SYN, 90000, 0, 0, STEP_SEGMENT},
    {REV, SYN_ACK, 70000, 0, 0, STEP_SEGMENT},
    {FWD, ACK, 90001, 0, 0, STEP_SEGMENT},
    {FWD, RST_ACK, 90001, 0, 0, STEP_SEGMENT},
};

static const struct step retransmit_steps[] = {
    {FWD, SYN, 7, 0, 0, STEP_SEGMENT},
    {FWD, SYN, 7, 0, 0, STEP_SEGMENT},
    {REV, SYN_ACK, 500, 0, 0, STEP_SEGMENT},
    {FWD, ACK, 8, 0, 0, STEP_SEGMENT},
};

static const struct step udp_steps[] = {
    {FWD, 0, 0, 20, IP_ECN_ECT0, STEP_SEGMENT},
    {FWD, 0, 0, 20, 0, STEP_SEGMENT},
    {REV, 0, 0, 100, 0, STEP_SEGMENT},
};

static const struct step udp_unreachable_steps[] = {
    {FWD, 0, 0, 10, 0, STEP_SEGMENT},
    {FWD, 0, 0, 10, 0, STEP_UNREACHABLE},
};

static const struct step echo_steps[] = {
    {FWD, 0, 0, 16, 0, STEP_ECHO},
    {REV, 0, 0, 16, 0, STEP_ECHO},
};

static const struct step echo_time_exceeded_steps[] = {
    {FWD, 0, 0, 16, 0, STEP_ECHO},
    {FWD, 0, 0, 16, 0, STEP_ECHO_TIME_EXCEEDED},
};

/* A stray RST leaves a flow with no known ISN; a connection on the same
 * tuple must still get a flow of its own. */
static const struct step syn_after_rst_steps[] = {
    {REV, RST_ACK, 5001, 0, 0, STEP_SEGMENT},
    {FWD, SYN, 1000, 0, 0, STEP_SEGMENT},
    {REV, SYN_ACK, 7000, 0, 0, STEP_SEGMENT},
    {FWD, ACK, 1001, 0, 0, STEP_SEGMENT},
};

static const struct step stray_unreachable_steps[] = {
    {FWD, SYN, 1000, 0, 0, STEP_UNREACHABLE},
};

#define STEPS(a) a, COUNT(a)

static const struct scenario scenarios[] = {
    {"ipv4 ecn connection",
     DLT_EN10MB,
     0,
     &tcp4,
     STEPS(ecn_steps),
     100,
     1,
     {"sip=192.0.2.1 dip=203.0.113.5 sp=49152 dp=80 proto=6 "
      "pkt_fwd=6 pkt_rev=3 oct_fwd=340 oct_rev=320 "
      "first=1700000000.0 last=1700000002.0 " TCP_FULL_CLOSE
	  ECN_ECT0_DATA_ONLY}},
    {"ipv6 ecn connection",
     DLT_RAW,
     1,
     &tcp6,
     STEPS(ecn_steps),
     100,
     1,
     {"sip=2001:db8::1 dip=2001:db8:ffff::5 sp=49152 dp=80 proto=6 "
      "pkt_fwd=6 pkt_rev=3 oct_fwd=460 oct_rev=380 "
      "first=1700000000.0 last=1700000002.0 " TCP_FULL_CLOSE
	  ECN_ECT0_DATA_ONLY}},
    {"ipv6 ecn over ethernet",
     DLT_EN10MB,
     0,
     &tcp6,
     STEPS(ecn_steps),
     100,
     1,
     {"pkt_fwd=6 pkt_rev=3 oct_fwd=460 oct_rev=380 " TCP_FULL_CLOSE
	  ECN_ECT0_DATA_ONLY}},
    {"ce-marked reply",
     DLT_EN10MB,
     0,
     &tcp4,
     STEPS(ce_steps),
     100,
     1,
     {"pkt_fwd=4 pkt_rev=3 oct_fwd=210 oct_rev=180 "
      "tcp_synflags_fwd=194 tcp_synflags_rev=82 tcp_connected=true "
      "tcp_fin_fwd=false tcp_fin_rev=false "
      "ecn_ect0_data_fwd=true ecn_ect0_data_rev=false "
      "ecn_ce_data_fwd=false ecn_ce_data_rev=true "
      "ecn_ce_syn_fwd=false ecn_ce_syn_rev=false "
      "ecn_ect0_syn_fwd=false ecn_ect0_syn_rev=false"}},
    {"ecn marks on syns",
     DLT_RAW,
     0,
     &tcp4,
     STEPS(syn_mark_steps),
     100,
     1,
     {"tcp_synflags_fwd=2 tcp_synflags_rev=18 tcp_connected=true "
      "ecn_ect1_syn_fwd=true ecn_ect1_syn_rev=false "
      "ecn_ect0_syn_fwd=false ecn_ect0_syn_rev=true "
      "ecn_ect1_data_fwd=false ecn_ect0_data_rev=false "
      "ecn_ce_data_fwd=false ecn_ce_syn_fwd=false"}},
    {"rst-ended connection",
     DLT_EN10MB,
     0,
     &tcp4,
     STEPS(rst_steps),
     100,
     1,
     {"pkt_fwd=3 pkt_rev=2 oct_fwd=130 oct_rev=80 "
      "tcp_synflags_fwd=2 tcp_synflags_rev=18 tcp_connected=true "
      "tcp_fin_fwd=false tcp_fin_rev=false "
      "tcp_rst_fwd=false tcp_rst_rev=true"}},
    {"lone rst",
     DLT_EN10MB,
     0,
     &tcp4,
     STEPS(lone_rst_steps),
     100,
     1,
     {"sip=203.0.113.5 dip=192.0.2.1 sp=80 dp=49152 proto=6 "
      "pkt_fwd=1 pkt_rev=0 oct_fwd=40 oct_rev=0 "
      "tcp_synflags_fwd=null tcp_synflags_rev=null "
      "tcp_rst_fwd=true tcp_rst_rev=false tcp_connected=false "
      "first=1700000000.0 last=1700000000.0"}},
    {"syn answered by unreachable",
     DLT_EN10MB,
     0,
     &tcp4,
     STEPS(unreachable_steps),
     100,
     1,
     {"sip=192.0.2.1 dip=203.0.113.5 sp=49152 dp=80 proto=6 "
      "pkt_fwd=1 pkt_rev=1 oct_fwd=40 oct_rev=56 "
      "tcp_synflags_fwd=194 tcp_synflags_rev=null tcp_connected=false "
      "tcp_rst_fwd=false tcp_rst_rev=false last=1700000000.25"}},
    {"ipv6 syn unreachable retry",
     DLT_RAW,
     1,
     &tcp6,
     STEPS(unreachable_retry_steps),
     100,
     1,
     {"sip=2001:db8::1 proto=6 pkt_fwd=2 pkt_rev=1 oct_fwd=120 "
      "oct_rev=96 tcp_synflags_fwd=2 tcp_synflags_rev=null "
      "tcp_connected=false"}},
    {"reused tuple new isn",
     DLT_EN10MB,
     0,
     &tcp4,
     STEPS(reuse_steps),
     100,
     2,
     {"sp=49152 pkt_fwd=4 pkt_rev=2 tcp_synflags_fwd=2 "
      "tcp_synflags_rev=18 tcp_fin_fwd=true tcp_fin_rev=true "
      "tcp_rst_fwd=false tcp_connected=true "
      "first=1700000000.0 last=1700000001.25",
      "sp=49152 pkt_fwd=3 pkt_rev=1 tcp_synflags_fwd=2 "
      "tcp_synflags_rev=18 tcp_fin_fwd=false tcp_fin_rev=false "
      "tcp_rst_fwd=true tcp_connected=true "
      "first=1700000001.5 last=1700000002.25"}},
    {"syn retransmission same isn",
     DLT_EN10MB,
     0,
     &tcp4,
     STEPS(retransmit_steps),
     100,
     1,
     {"pkt_fwd=3 pkt_rev=1 tcp_synflags_fwd=2 tcp_synflags_rev=18 "
      "tcp_connected=true"}},
    {"udp flow",
     DLT_EN10MB,
     0,
     &udp4,
     STEPS(udp_steps),
     100,
     1,
     {"sip=192.0.2.7 dip=198.51.100.53 sp=40000 dp=53 proto=17 "
      "pkt_fwd=2 pkt_rev=1 oct_fwd=96 oct_rev=128 "
      "tcp_synflags_fwd=null tcp_synflags_rev=null tcp_fin_fwd=false "
      "tcp_fin_rev=false tcp_rst_fwd=false tcp_rst_rev=false "
      "tcp_connected=false ecn_ect0_data_fwd=true "
      "ecn_ect0_data_rev=false ecn_ect0_syn_fwd=false"}},
    {"udp port unreachable",
     DLT_RAW,
     0,
     &udp6,
     STEPS(udp_unreachable_steps),
     100,
     1,
     {"sip=2001:db8::7 dip=2001:db8:53::53 sp=40001 dp=53 proto=17 "
      "pkt_fwd=1 pkt_rev=1 oct_fwd=58 oct_rev=96"}},
    {"icmp echo flow",
     DLT_EN10MB,
     0,
     &tcp4,
     STEPS(echo_steps),
     100,
     1,
     {"sip=192.0.2.1 dip=203.0.113.5 sp=null dp=null proto=1 "
      "pkt_fwd=1 pkt_rev=1 oct_fwd=44 oct_rev=44 "
      "tcp_synflags_fwd=null tcp_connected=false"}},
    {"unreachable for unknown flow",
     DLT_EN10MB,
     0,
     &tcp4,
     STEPS(stray_unreachable_steps),
     100,
     1,
     {"sip=198.51.100.1 dip=192.0.2.1 sp=null dp=null proto=1 "
      "pkt_fwd=1 pkt_rev=0 oct_fwd=56"}},
    {"time exceeded quoting echo",
     DLT_EN10MB,
     0,
     &tcp4,
     STEPS(echo_time_exceeded_steps),
     100,
     1,
     {"sip=192.0.2.1 dip=203.0.113.5 proto=1 pkt_fwd=1 pkt_rev=1 "
      "oct_fwd=44 oct_rev=56"}},
    {"syn after stray rst",
     DLT_EN10MB,
     0,
     &tcp4,
     STEPS(syn_after_rst_steps),
     100,
     2,
     {"sip=203.0.113.5 sp=80 pkt_fwd=1 pkt_rev=0 tcp_rst_fwd=true "
      "tcp_synflags_fwd=null tcp_synflags_rev=null",
      "sip=192.0.2.1 sp=49152 pkt_fwd=2 pkt_rev=1 tcp_synflags_fwd=2 "
      "tcp_synflags_rev=18 tcp_rst_fwd=false tcp_rst_rev=false "
      "tcp_connected=true"}},
};

/* Prints the records of a failed case, to show what was emitted instead. */
static void print_records(const json_t *records)
{
	for (size_t i = 0; i < json_array_size(records); i++) {
		char *text = json_dumps(json_array_get(records, i),
					JSON_COMPACT | JSON_PRESERVE_ORDER);

		fprintf(stderr, "  flow %zu: %s\n", i, text ? text : "?");
		free(text);
	}
}

static void check_scenario(const struct scenario *sc)
{
	struct capture *cap = capture_new(sc->linktype, sc->nano);
	struct run r;
	size_t n;

	test_case = sc->name;
	capture_add_steps(cap, sc->conv, sc->steps, sc->step_count);
	observe(cap, sc->max_flows, LONG_IDLE, &r);
	CHECK(r.open_rc == 0, "observer_open returned %d", r.open_rc);
	CHECK(r.run_rc == 0, "observer_run_file returned %d", r.run_rc);
	CHECK(r.stats.packets == sc->step_count, "%lu packets read",
	      r.stats.packets);
	CHECK(r.stats.non_ip == 0, "%lu non-IP", r.stats.non_ip);
	CHECK(r.stats.truncated == 0, "%lu truncated", r.stats.truncated);
	CHECK(r.bad_callback == 0, "%d records disagree with their key",
	      r.bad_callback);
	n = json_array_size(r.records);
	CHECK(n == sc->flow_count, "%zu flows, expected %zu", n,
	      sc->flow_count);
	if (n != sc->flow_count)
		print_records(r.records);
	for (size_t i = 0; i < n && i < sc->flow_count; i++) {
		const json_t *record = json_array_get(r.records, i);

		check_field_names(record, i);
		check_fields(record, i, sc->expect[i]);
	}
	json_decref(r.records);
	free(cap);
}

/* Adds a SYN from each of `tuples` client ports, each followed by its
 * SYN-ACK after `reply_lag` more SYNs. */
static void add_handshakes(struct capture *cap, const struct conv *base,
			   size_t tuples, size_t reply_lag)
{
	size_t t = 0;

	for (size_t i = 0; i < tuples + reply_lag; i++) {
		struct bytes ip = {.len = 0};
		struct conv c = *base;

		if (i < tuples) {
			struct step syn = {FWD, SYN, 100, 0, 0, STEP_SEGMENT};

			c.client_port = (uint16_t)(base->client_port + i);
			build_step(&ip, &c, &syn);
			capture_add_ip(cap, &ip, 0, BASE_SEC + (long)t++, 0);
		}
		if (i >= reply_lag) {
			struct step reply = {REV, SYN_ACK, 900,
					     0,	  0,	   STEP_SEGMENT};

			ip.len = 0;
			c.client_port =
			    (uint16_t)(base->client_port + i - reply_lag);
			build_step(&ip, &c, &reply);
			capture_add_ip(cap, &ip, 0, BASE_SEC + (long)t++, 0);
		}
	}
}

static void test_many_flows(void)
{
	struct capture *cap = capture_new(DLT_EN10MB, 0);
	struct run r;
	size_t n;
	int ordered = 1, counted = 1;

	test_case = "distinct tuples counted";
	add_handshakes(cap, &tcp4, 50, 0);
	observe(cap, 1000, LONG_IDLE, &r);
	n = json_array_size(r.records);
	CHECK(r.run_rc == 0, "observer_run_file returned %d", r.run_rc);
	CHECK(n == 50, "%zu flows, expected 50", n);
	CHECK(r.flows_total == 50, "flows_total %lu", r.flows_total);
	CHECK(r.flows_evicted == 0, "flows_evicted %lu", r.flows_evicted);
	for (size_t i = 0; i < n; i++) {
		const json_t *rec = json_array_get(r.records, i);
		json_int_t sp = json_integer_value(json_object_get(rec, "sp"));

		/* flushed in the order the flows started */
		if (sp != 49152 + (json_int_t)i)
			ordered = 0;
		if (json_integer_value(json_object_get(rec, "pkt_fwd")) != 1 ||
		    json_integer_value(json_object_get(rec, "pkt_rev")) != 1)
			counted = 0;
	}
	CHECK(ordered, "flows not flushed in order of their first packet");
	CHECK(counted, "a flow does not hold its SYN and SYN-ACK");
	json_decref(r.records);
	free(cap);
}

struct bound_case {
	const char *name;
	size_t max_flows;
	size_t tuples;
	size_t reply_lag;
};

static const struct bound_case bound_cases[] = {
    {"table bound replies at once", 4, 30, 0},
    {"table bound replies lag 3", 4, 30, 3},
    {"table bound replies lag 40", 8, 40, 40},
    {"table bound of one", 1, 20, 1},
};

static void check_bound_case(const struct bound_case *tc)
{
	struct capture *cap = capture_new(DLT_RAW, 0);
	json_int_t packets = 0;
	struct run r;
	size_t n;

	test_case = tc->name;
	add_handshakes(cap, &tcp6, tc->tuples, tc->reply_lag);
	observe(cap, tc->max_flows, LONG_IDLE, &r);
	n = json_array_size(r.records);
	CHECK(r.run_rc == 0, "observer_run_file returned %d", r.run_rc);
	CHECK(r.max_in_table <= tc->max_flows,
	      "%zu flows in the table, max %zu", r.max_in_table, tc->max_flows);
	CHECK(n == r.flows_total, "%zu records for %lu flows", n,
	      r.flows_total);
	CHECK(n >= tc->tuples, "%zu records for %zu tuples", n, tc->tuples);
	CHECK(r.flows_evicted > 0, "nothing evicted");
	CHECK(r.flows_evicted + tc->max_flows >= n,
	      "%lu evicted of %zu records", r.flows_evicted, n);
	for (size_t i = 0; i < n; i++) {
		const json_t *rec = json_array_get(r.records, i);

		packets += json_integer_value(json_object_get(rec, "pkt_fwd"));
		packets += json_integer_value(json_object_get(rec, "pkt_rev"));
	}
	CHECK(packets == (json_int_t)cap->count,
	      "%lld packets in records, %zu written", (long long)packets,
	      cap->count);
	json_decref(r.records);
	free(cap);
}

/*
 * Timestamps keep their fraction in microsecond and nanosecond files.
 * Records carry microseconds, so nanoseconds come out rounded to them.
 */
static void test_timestamps(void)
{
	static const struct step steps[] = {
	    {FWD, 0, 0, 4, 0, STEP_SEGMENT},
	    {REV, 0, 0, 4, 0, STEP_SEGMENT},
	};
	static const struct {
		const char *name;
		int nano;
		double first;
		double last;
	} cases[] = {
	    {"microsecond timestamps", 0, 1.123456, 2.987654},
	    {"nanosecond timestamps", 1, 1.123457, 2.987654},
	};

	for (size_t i = 0; i < COUNT(cases); i++) {
		struct capture *cap = capture_new(DLT_RAW, cases[i].nano);
		struct bytes ip = {.len = 0};
		const json_t *rec;
		double first, last;
		struct run r;

		test_case = cases[i].name;
		build_step(&ip, &udp4, &steps[0]);
		capture_add_ip(cap, &ip, 0, 1, 123456789);
		ip.len = 0;
		build_step(&ip, &udp4, &steps[1]);
		capture_add_ip(cap, &ip, 0, 2, 987654321);
		observe(cap, 10, LONG_IDLE, &r);
		CHECK(json_array_size(r.records) == 1, "%zu flows",
		      json_array_size(r.records));
		rec = json_array_get(r.records, 0);
		first = json_real_value(json_object_get(rec, "first"));
		last = json_real_value(json_object_get(rec, "last"));
		CHECK(fabs(first - cases[i].first) < 1e-12, "first %.9f",
		      first);
		CHECK(fabs(last - cases[i].last) < 1e-12, "last %.9f", last);
		json_decref(r.records);
		free(cap);
	}
}

/* Adds one packet of a conv at BASE_SEC + sec. */
static void add_packet(struct capture *cap, const struct conv *c,
		       const struct step *s, long sec)
{
	struct bytes ip = {.len = 0};

	build_step(&ip, c, s);
	capture_add_ip(cap, &ip, 0, BASE_SEC + sec, 0);
}

/* A capture file expires flows by its own packet times while it is read. */
static void test_file_expiry(void)
{
	static const struct step fwd = {FWD, 0, 0, 8, 0, STEP_SEGMENT};
	static const struct step rev = {REV, 0, 0, 8, 0, STEP_SEGMENT};
	static const struct step rst = {REV, RST_ACK, 1, 0, 0, STEP_SEGMENT};
	struct conv other = udp4;
	struct capture *cap = capture_new(DLT_RAW, 0);
	struct run r;

	test_case = "file idle expiry";
	other.client_port++;
	add_packet(cap, &udp4, &fwd, 0);
	add_packet(cap, &udp4, &rev, 1);
	add_packet(cap, &other, &fwd, 100);
	add_packet(cap, &other, &rev, 101);
	observe(cap, 10, 5.0, &r);
	CHECK(json_array_size(r.records) == 2, "%zu flows",
	      json_array_size(r.records));
	CHECK(r.flows_expired == 1, "flows_expired %lu", r.flows_expired);
	CHECK(r.read_at[0] == 3, "idle flow emitted after %lu packets",
	      r.read_at[0]);
	CHECK(r.read_at[1] == 4, "last flow emitted after %lu packets",
	      r.read_at[1]);
	if (json_array_size(r.records) == 2) {
		check_fields(json_array_get(r.records, 0), 0,
			     "sp=40000 pkt_fwd=1 pkt_rev=1");
		check_fields(json_array_get(r.records, 1), 1,
			     "sp=40001 pkt_fwd=1 pkt_rev=1");
	}
	json_decref(r.records);
	free(cap);

	/* A RST-closed flow leaves after its linger, an active one stays. */
	test_case = "file closed flow emitted";
	cap = capture_new(DLT_EN10MB, 0);
	add_packet(cap, &udp4, &fwd, 0);
	add_packet(cap, &tcp4, &rst, 1);
	add_packet(cap, &other, &fwd, 1000);
	add_packet(cap, &other, &rev, 1001);
	observe(cap, 10, LONG_IDLE, &r);
	CHECK(json_array_size(r.records) == 3, "%zu flows",
	      json_array_size(r.records));
	CHECK(r.flows_expired == 0, "flows_expired %lu", r.flows_expired);
	CHECK(r.read_at[0] == 3, "closed flow emitted after %lu packets",
	      r.read_at[0]);
	if (json_array_size(r.records) == 3) {
		check_fields(json_array_get(r.records, 0), 0,
			     "proto=6 tcp_rst_fwd=true pkt_fwd=1");
		check_fields(json_array_get(r.records, 1), 1,
			     "sp=40000 pkt_fwd=1 pkt_rev=0");
		check_fields(json_array_get(r.records, 2), 2,
			     "sp=40001 pkt_fwd=1 pkt_rev=1");
	}
	json_decref(r.records);
	free(cap);
}

/* Non-IP and cut frames are counted, and do not disturb the flows. */
static void test_stats(void)
{
	static const uint8_t arp[42] = {
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x5e, 0x00, 0x53,
	    0x01, 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
	    0x00, 0x00, 0x5e, 0x00, 0x53, 0x01, 192,  0,    2,	  1,	0,
	    0,	  0,	0,    0,    0,	  192,	0,    2,    2};
	struct step syn = {FWD, SYN, 1, 0, 0, STEP_SEGMENT};
	struct capture *cap = capture_new(DLT_EN10MB, 0);
	struct bytes frame = {.len = 0}, ip = {.len = 0};
	json_int_t packets = 0;
	struct run r;
	size_t n;

	test_case = "non-ip and truncated counted";
	put_data(&frame, arp, sizeof(arp));
	capture_add_frame(cap, &frame, 0, BASE_SEC, 0);
	build_step(&ip, &tcp4, &syn);
	capture_add_ip(cap, &ip, 10, BASE_SEC, 1000);	   /* IP header cut */
	capture_add_ip(cap, &ip, 20 + 10, BASE_SEC, 2000); /* TCP header cut */
	capture_add_ip(cap, &ip, 0, BASE_SEC, 3000);
	observe(cap, 10, LONG_IDLE, &r);
	n = json_array_size(r.records);
	CHECK(r.stats.packets == 4, "packets %lu", r.stats.packets);
	CHECK(r.stats.non_ip == 1, "non_ip %lu", r.stats.non_ip);
	CHECK(r.stats.truncated == 2, "truncated %lu", r.stats.truncated);
	CHECK(r.stats.unknown_link == 0, "unknown_link %lu",
	      r.stats.unknown_link);
	CHECK(n >= 1, "no flow");
	for (size_t i = 0; i < n; i++) {
		const json_t *rec = json_array_get(r.records, i);

		packets += json_integer_value(json_object_get(rec, "pkt_fwd"));
		packets += json_integer_value(json_object_get(rec, "pkt_rev"));
		if (json_integer_value(json_object_get(rec, "sp")) == 49152)
			check_fields(rec, i, "dp=80 tcp_synflags_fwd=2");
	}
	CHECK(packets == 2, "%lld IP packets in flows, expected 2",
	      (long long)packets);
	json_decref(r.records);
	free(cap);

	test_case = "unknown link type counted";
	cap = capture_new(DLT_USER0, 0);
	capture_add_frame(cap, &ip, 0, BASE_SEC, 0);
	capture_add_frame(cap, &ip, 0, BASE_SEC, 1000);
	observe(cap, 10, LONG_IDLE, &r);
	CHECK(r.open_rc == 0, "observer_open returned %d", r.open_rc);
	CHECK(r.stats.unknown_link == 2, "unknown_link %lu",
	      r.stats.unknown_link);
	CHECK(json_array_size(r.records) == 0, "%zu flows",
	      json_array_size(r.records));
	json_decref(r.records);
	free(cap);
}

static void test_not_a_capture(void)
{
	struct observer obs;
	struct observer_config cfg;
	char path[128];
	FILE *f;

	test_case = "not a capture file";
	snprintf(path, sizeof(path), "%s/garbage.pcap", tmp_dir);
	f = fopen(path, "w");
	CHECK(f != NULL, "cannot create %s", path);
	if (!f)
		return;
	fputs("this is not a capture file\n", f);
	fclose(f);
	memset(&cfg, 0, sizeof(cfg));
	cfg.source = path;
	cfg.chains = chains;
	cfg.chain_count = COUNT(chains);
	cfg.max_flows = 10;
	cfg.idle_timeout = 30;
	cfg.on_flow = collect_flow;
	cfg.on_finished = ignore_finished;
	CHECK(observer_open(&obs, &cfg) == -1, "garbage opened as a capture");
	unlink(path);
}

/* The flow table fed packets directly, with every emit recorded. */
struct emitted {
	const struct flow_table *ft;
	json_t *records;
	enum flow_end why[64];
	size_t count;
};

static void record_emit(const struct flow *flow, enum flow_end why, void *ctx)
{
	struct emitted *e = ctx;

	if (e->count < COUNT(e->why))
		e->why[e->count] = why;
	e->count++;
	json_array_append_new(e->records, flow_to_json(e->ft, flow));
}

static void table_open(struct flow_table *ft, struct emitted *e,
		       size_t max_flows, double idle_timeout)
{
	memset(e, 0, sizeof(*e));
	e->ft = ft;
	e->records = json_array();
	if (flow_table_init(ft, chains, COUNT(chains), max_flows, idle_timeout,
			    record_emit, e) != 0)
		abort();
}

static void table_close(struct flow_table *ft, struct emitted *e)
{
	flow_table_destroy(ft);
	json_decref(e->records);
}

#define CLIENT_ADDR "192.0.2.10"
#define SERVER_ADDR "203.0.113.10"

/* A TCP packet between CLIENT_ADDR:port and SERVER_ADDR:443. */
static struct packet tcp_pkt(double ts, int rev, uint16_t port, uint8_t flags,
			     uint32_t seq)
{
	struct packet p;
	struct ip_addr client, server;

	memset(&p, 0, sizeof(p));
	ip_addr_parse(CLIENT_ADDR, &client);
	ip_addr_parse(SERVER_ADDR, &server);
	p.ts = ts;
	p.ip_version = 4;
	p.src = rev ? server : client;
	p.dst = rev ? client : server;
	p.ttl = 64;
	p.ip_len = 40;
	p.proto = IPPROTO_TCP;
	p.has_transport = 1;
	p.l4_len = 20;
	p.sport = rev ? 443 : port;
	p.dport = rev ? port : 443;
	p.tcp_seq = seq;
	p.tcp_flags = flags;
	return p;
}

/* An ICMP unreachable from a router quoting a packet of the tuple. */
static struct packet icmp_pkt(double ts, int quote_rev, uint16_t port)
{
	struct packet quoted = tcp_pkt(ts, quote_rev, port, SYN, 0);
	struct packet p;

	memset(&p, 0, sizeof(p));
	p.ts = ts;
	p.ip_version = 4;
	ip_addr_parse(V4_ROUTER, &p.src);
	p.dst = quoted.src;
	p.ip_len = 56;
	p.proto = IPPROTO_ICMP;
	p.has_transport = 1;
	p.icmp_type = 3;
	p.icmp_code = 1;
	p.quote.valid = 1;
	p.quote.src = quoted.src;
	p.quote.dst = quoted.dst;
	p.quote.proto = IPPROTO_TCP;
	p.quote.has_ports = 1;
	p.quote.sport = quoted.sport;
	p.quote.dport = quoted.dport;
	return p;
}

static void feed(struct flow_table *ft, struct packet p)
{
	flow_table_packet(ft, &p);
}

static json_int_t field_int(const json_t *records, size_t i, const char *name)
{
	return json_integer_value(
	    json_object_get(json_array_get(records, i), name));
}

static void test_table_idle(void)
{
	struct flow_table ft;
	struct emitted e;

	test_case = "table idle expiry";
	table_open(&ft, &e, 100, 10);
	feed(&ft, tcp_pkt(100, FWD, 1000, SYN, 1));
	feed(&ft, tcp_pkt(101, REV, 1000, SYN_ACK, 9));
	flow_table_expire(&ft, 110.5);
	CHECK(e.count == 0, "expired %zu flows before the idle timeout",
	      e.count);
	CHECK(ft.count == 1, "table holds %zu flows", ft.count);
	flow_table_expire(&ft, 111);
	CHECK(e.count == 1, "%zu flows expired", e.count);
	CHECK(e.why[0] == FLOW_END_IDLE, "ended by %d", e.why[0]);
	CHECK(ft.count == 0, "table holds %zu flows", ft.count);
	CHECK(ft.flows_expired == 1, "flows_expired %lu", ft.flows_expired);
	if (e.count == 1)
		check_fields(json_array_get(e.records, 0), 0,
			     "pkt_fwd=1 pkt_rev=1 sp=1000 dp=443 "
			     "first=100.0 last=101.0 tcp_connected=false");
	table_close(&ft, &e);
}

static void test_table_linger(void)
{
	struct flow_table ft;
	struct emitted e;
	double linger, t;

	test_case = "table close linger";
	table_open(&ft, &e, 100, 1000);
	linger = ft.linger;
	CHECK(linger > 0, "linger %f", linger);
	feed(&ft, tcp_pkt(1.0, FWD, 1000, SYN, 1));
	feed(&ft, tcp_pkt(1.25, REV, 1000, SYN_ACK, 9));
	feed(&ft, tcp_pkt(1.5, FWD, 1000, ACK, 2));
	feed(&ft, tcp_pkt(2.0, FWD, 1000, FIN_ACK, 2));
	flow_table_expire(&ft, 2.0 + 2 * linger);
	CHECK(e.count == 0, "one FIN closed the flow");
	t = 2.0 + 2 * linger;
	feed(&ft, tcp_pkt(t, REV, 1000, FIN_ACK, 10));
	CHECK(ft.closing.head != NULL, "FIN both ways left the flow active");
	flow_table_expire(&ft, t + linger / 2);
	CHECK(e.count == 0, "emitted before the linger time");
	t += linger / 2;
	feed(&ft, tcp_pkt(t, FWD, 1000, ACK, 3)); /* the last ACK */
	flow_table_expire(&ft, t + linger * 3 / 4);
	CHECK(e.count == 0, "emitted within the linger after the last ACK");
	flow_table_expire(&ft, t + linger);
	CHECK(e.count == 1, "%zu flows emitted after the linger", e.count);
	CHECK(e.why[0] == FLOW_END_CLOSED, "ended by %d", e.why[0]);
	CHECK(ft.flows_expired == 0, "a closed flow counted as idle");
	CHECK(ft.count == 0, "table holds %zu flows", ft.count);
	if (e.count == 1)
		check_fields(json_array_get(e.records, 0), 0,
			     "pkt_fwd=4 pkt_rev=2 oct_fwd=160 "
			     "tcp_fin_fwd=true tcp_fin_rev=true "
			     "tcp_connected=true");
	table_close(&ft, &e);

	/* A late ICMP error quoting a RST-closed flow still joins it. */
	test_case = "table rst linger";
	table_open(&ft, &e, 100, 1000);
	feed(&ft, tcp_pkt(1.0, FWD, 1001, SYN, 1));
	feed(&ft, tcp_pkt(1.25, REV, 1001, RST_ACK, 0));
	flow_table_expire(&ft, 1.25 + linger / 2);
	CHECK(e.count == 0, "emitted before the linger time");
	t = 1.25 + linger * 3 / 4;
	feed(&ft, icmp_pkt(t, FWD, 1001));
	CHECK(ft.count == 1, "table holds %zu flows", ft.count);
	flow_table_expire(&ft, t + linger / 2);
	CHECK(e.count == 0, "emitted within the linger after the ICMP");
	flow_table_expire(&ft, t + linger);
	CHECK(e.count == 1, "%zu flows emitted after the linger", e.count);
	CHECK(e.why[0] == FLOW_END_CLOSED, "ended by %d", e.why[0]);
	if (e.count == 1)
		check_fields(json_array_get(e.records, 0), 0,
			     "pkt_fwd=1 pkt_rev=2 oct_rev=96 "
			     "tcp_rst_rev=true tcp_rst_fwd=false "
			     "tcp_connected=false");
	table_close(&ft, &e);
}

static void test_table_evict(void)
{
	struct flow_table ft;
	struct emitted e;

	test_case = "table evicts longest idle";
	table_open(&ft, &e, 2, 100);
	feed(&ft, tcp_pkt(1, FWD, 1, SYN, 1));
	feed(&ft, tcp_pkt(2, FWD, 2, SYN, 1));
	feed(&ft, tcp_pkt(3, REV, 1, SYN_ACK, 1));
	feed(&ft, tcp_pkt(4, FWD, 3, SYN, 1));
	CHECK(e.count == 1, "%zu flows emitted", e.count);
	CHECK(e.why[0] == FLOW_END_EVICTED, "ended by %d", e.why[0]);
	CHECK(field_int(e.records, 0, "sp") == 2, "evicted port %lld",
	      (long long)field_int(e.records, 0, "sp"));
	CHECK(ft.count == 2, "table holds %zu flows", ft.count);
	CHECK(ft.flows_evicted == 1, "flows_evicted %lu", ft.flows_evicted);

	test_case = "table evicts closed first";
	feed(&ft, tcp_pkt(5, REV, 1, RST_ACK, 0)); /* port 1 closes */
	feed(&ft, tcp_pkt(6, FWD, 4, SYN, 1));
	CHECK(e.count == 2, "%zu flows emitted", e.count);
	CHECK(e.why[1] == FLOW_END_EVICTED, "ended by %d", e.why[1]);
	CHECK(field_int(e.records, 1, "sp") == 1, "evicted port %lld",
	      (long long)field_int(e.records, 1, "sp"));
	CHECK(field_int(e.records, 1, "pkt_rev") == 2, "pkt_rev %lld",
	      (long long)field_int(e.records, 1, "pkt_rev"));
	CHECK(ft.count == 2, "table holds %zu flows", ft.count);
	table_close(&ft, &e);
}

static void test_table_new_syn(void)
{
	struct flow_table ft;
	struct emitted e;

	test_case = "table new isn splits";
	table_open(&ft, &e, 100, 100);
	feed(&ft, tcp_pkt(1, FWD, 7, SYN, 100));
	feed(&ft, tcp_pkt(2, FWD, 7, SYN, 100)); /* retransmission */
	CHECK(e.count == 0, "a retransmitted SYN split the flow");
	feed(&ft, tcp_pkt(3, REV, 7, SYN, 555)); /* simultaneous open */
	CHECK(e.count == 0, "a SYN the other way split the flow");
	feed(&ft, tcp_pkt(4, FWD, 7, SYN, 200));
	CHECK(e.count == 1, "%zu flows emitted", e.count);
	CHECK(e.why[0] == FLOW_END_NEW_SYN, "ended by %d", e.why[0]);
	CHECK(ft.count == 1, "table holds %zu flows", ft.count);
	if (e.count == 1)
		check_fields(json_array_get(e.records, 0), 0,
			     "pkt_fwd=2 pkt_rev=1 first=1.0 last=3.0");
	flow_table_flush(&ft);
	CHECK(e.count == 2, "%zu flows after the flush", e.count);
	CHECK(e.why[1] == FLOW_END_FLUSHED, "ended by %d", e.why[1]);
	if (e.count == 2)
		check_fields(json_array_get(e.records, 1), 1,
			     "pkt_fwd=1 pkt_rev=0 first=4.0 "
			     "tcp_synflags_fwd=2");
	table_close(&ft, &e);
}

static void test_table_icmp(void)
{
	struct flow_table ft;
	struct emitted e;

	test_case = "table icmp error direction";
	table_open(&ft, &e, 100, 100);
	feed(&ft, tcp_pkt(1, FWD, 5, SYN, 1));
	feed(&ft, icmp_pkt(2, FWD, 5)); /* quotes the client's SYN */
	feed(&ft, tcp_pkt(3, FWD, 6, SYN, 1));
	feed(&ft, icmp_pkt(4, REV, 6)); /* quotes a server packet */
	CHECK(ft.count == 2, "table holds %zu flows", ft.count);
	flow_table_flush(&ft);
	CHECK(e.count == 2, "%zu flows", e.count);
	if (e.count == 2) {
		check_fields(json_array_get(e.records, 0), 0,
			     "sp=5 pkt_fwd=1 pkt_rev=1 oct_rev=56 last=2.0");
		check_fields(json_array_get(e.records, 1), 1,
			     "sp=6 pkt_fwd=2 pkt_rev=0 oct_fwd=96");
	}
	table_close(&ft, &e);
}

static void test_table_flush_finish(void)
{
	struct flow_table ft;
	struct emitted e;
	struct packet p = tcp_pkt(2, FWD, 2, SYN, 1);
	struct flow_key key;

	test_case = "table flush and finish";
	table_open(&ft, &e, 100, 100);
	feed(&ft, tcp_pkt(3, FWD, 3, SYN, 1));
	feed(&ft, tcp_pkt(1, FWD, 1, SYN, 1));
	feed(&ft, p);
	feed(&ft, tcp_pkt(4, FWD, 4, SYN, 1));
	/* the key in either direction finds the flow */
	flow_key_make(&key, IPPROTO_TCP, &p.dst, p.dport, &p.src, p.sport);
	CHECK(flow_table_finish(&ft, &key) == 1, "flow not finished");
	CHECK(flow_table_finish(&ft, &key) == 0, "flow finished twice");
	CHECK(e.count == 1, "%zu flows emitted", e.count);
	CHECK(field_int(e.records, 0, "sp") == 2, "finished port %lld",
	      (long long)field_int(e.records, 0, "sp"));
	CHECK(e.why[0] == FLOW_END_FLUSHED, "ended by %d", e.why[0]);
	flow_table_flush(&ft);
	CHECK(e.count == 4, "%zu flows", e.count);
	/* flushed in the order of their first packet, whatever the order
	 * they were created in */
	CHECK(field_int(e.records, 1, "sp") == 1, "second flow is port %lld",
	      (long long)field_int(e.records, 1, "sp"));
	CHECK(field_int(e.records, 2, "sp") == 3, "third flow is port %lld",
	      (long long)field_int(e.records, 2, "sp"));
	CHECK(field_int(e.records, 3, "sp") == 4, "fourth flow is port %lld",
	      (long long)field_int(e.records, 3, "sp"));
	CHECK(ft.count == 0, "table holds %zu flows", ft.count);
	CHECK(ft.flows_total == 4, "flows_total %lu", ft.flows_total);
	table_close(&ft, &e);
}

static void test_table_active(void)
{
	struct flow_table ft;
	struct emitted e;
	double t0 = 1000;

	test_case = "table active timeout";
	table_open(&ft, &e, 100, 3600);
	feed(&ft, tcp_pkt(t0, FWD, 1000, SYN, 1));
	feed(&ft, tcp_pkt(t0 + 1, REV, 1000, SYN_ACK, 9));
	feed(&ft, tcp_pkt(t0 + ft.active_timeout - 1, FWD, 1000, ACK, 2));
	CHECK(e.count == 0, "%zu flows emitted before the active timeout",
	      e.count);
	feed(&ft, tcp_pkt(t0 + ft.active_timeout, REV, 1000, ACK, 10));
	CHECK(e.count == 1, "%zu flows emitted at the active timeout", e.count);
	CHECK(e.why[0] == FLOW_END_ACTIVE, "ended by %d", e.why[0]);
	CHECK(ft.count == 1, "table holds %zu flows", ft.count);
	flow_table_flush(&ft);
	CHECK(e.count == 2, "%zu flows after the flush", e.count);
	if (e.count == 2) {
		CHECK(field_int(e.records, 0, "pkt_fwd") == 2, "first pkt_fwd");
		/* The continuation is oriented by its own first packet. */
		CHECK(field_int(e.records, 1, "pkt_fwd") == 1,
		      "second pkt_fwd");
		CHECK(field_int(e.records, 1, "sp") == 443, "second sp");
	}
	table_close(&ft, &e);
}

void test_observer(void)
{
	static const char *const names[] = {"basic", "tcp", "ecn"};

	test_case = "chains found";
	for (size_t i = 0; i < COUNT(names); i++) {
		chains[i] = chain_find(names[i]);
		CHECK(chains[i] != NULL, "no chain %s", names[i]);
		if (!chains[i])
			return;
	}
	CHECK(chain_find("none") == NULL, "unknown chain found");
	CHECK(chain_registry_check() == 0, "a chain leaves a callback empty");

	snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/pathprobe-unit-XXXXXX");
	test_case = "temporary directory";
	CHECK(mkdtemp(tmp_dir) != NULL, "mkdtemp failed");

	for (size_t i = 0; i < COUNT(scenarios); i++)
		check_scenario(&scenarios[i]);
	test_many_flows();
	for (size_t i = 0; i < COUNT(bound_cases); i++)
		check_bound_case(&bound_cases[i]);
	test_timestamps();
	test_file_expiry();
	test_stats();
	test_not_a_capture();

	test_table_idle();
	test_table_linger();
	test_table_evict();
	test_table_new_syn();
	test_table_icmp();
	test_table_flush_finish();
	test_table_active();

	test_case = "temporary directory";
	CHECK(rmdir(tmp_dir) == 0, "cannot remove %s", tmp_dir);
	test_case = NULL;
}
