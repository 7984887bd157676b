/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The measurement chains dscp, evil, icmp, mss, tcpopt, tfo, dns and udp,
 * checked only through the JSON flow records that observer_run_file hands
 * to on_flow.  Each case writes a short conversation, once over IPv4 and
 * once over IPv6, to an Ethernet capture file with libpcap, runs every
 * registered chain over it, and compares the named fields by JSON type and
 * value.  The same TCP handshake is also written to pcap files as
 * Ethernet (untagged, 802.1Q and QinQ), raw IP, Linux cooked (v1 and v2)
 * and BSD loopback (DLT_NULL and DLT_LOOP), and to pcapng files built byte
 * by byte.  Each of them must give the same record.  A capture of an
 * unsupported link type must be counted and give no flow.
 */
#include "harness.h"
#include "chain.h"
#include "observer.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#define BASE_SEC 1700000000L

struct bytes {
	uint8_t data[1600];
	size_t len;
};

static void put_data(struct bytes *b, const void *p, size_t n)
{
	if (b->len + n > sizeof(b->data))
		abort();
	if (n)
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

static void put_le16(struct bytes *b, uint16_t v)
{
	put_u8(b, (uint8_t)v);
	put_u8(b, (uint8_t)(v >> 8));
}

static void put_le32(struct bytes *b, uint32_t v)
{
	put_le16(b, (uint16_t)v);
	put_le16(b, (uint16_t)(v >> 16));
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

/* The hosts of a conversation for one IP version. */
struct hosts {
	int version;
	const char *client;
	const char *server;
	const char *router; /* sends the ICMP errors */
};

static const struct hosts hosts_v4 = {4, "192.0.2.1", "203.0.113.5",
				      "198.51.100.1"};
static const struct hosts hosts_v6 = {6, "2001:db8::1", "2001:db8:ffff::5",
				      "2001:db8:1::1"};

static size_t ip_header_len(int version)
{
	return version == 4 ? 20 : 40;
}

/* IPv4 flags and fragment offset: DF, plus RFC 3514's reserved flag. */
#define IPV4_DF	      0x4000
#define IPV4_RESERVED 0x8000

/* Appends an IPv4 or IPv6 header with the right length, then payload. */
static void put_ip(struct bytes *b, const struct hosts *h, const char *src,
		   const char *dst, uint8_t tos, int evil, uint8_t proto,
		   const struct bytes *payload)
{
	if (h->version == 4) {
		put_u8(b, 0x45);
		put_u8(b, tos);
		put_be16(b, (uint16_t)(20 + payload->len));
		put_be16(b, 0x1234); /* identification */
		put_be16(b, IPV4_DF | (evil ? IPV4_RESERVED : 0));
		put_u8(b, 64);
		put_u8(b, proto);
		put_be16(b, 0); /* checksum */
	} else {
		put_be32(b, 6u << 28 | (uint32_t)tos << 20);
		put_be16(b, (uint16_t)payload->len);
		put_u8(b, proto);
		put_u8(b, 64);
	}
	put_addr(b, h->version, src);
	put_addr(b, h->version, dst);
	put_data(b, payload->data, payload->len);
}

/* The transport and ports of a conversation, which the client starts. */
struct conv {
	uint8_t proto;
	uint16_t client_port;
	uint16_t server_port;
};

static const struct conv tcp_conv = {IPPROTO_TCP, 49152, 80};
static const struct conv dns_tcp_conv = {IPPROTO_TCP, 49153, 53};
static const struct conv udp_conv = {IPPROTO_UDP, 40000, 53};

enum step_kind {
	STEP_SEGMENT,		/* a TCP segment or UDP datagram of the conv */
	STEP_UNREACHABLE,	/* a router's unreachable quoting the segment */
	STEP_UNREACHABLE_STRAY, /* the same for another server port */
	STEP_TIME_EXCEEDED,	/* a router's time exceeded quoting it */
	STEP_ECHO,		/* an echo request, or an echo reply when rev */
	STEP_ECHO_UNREACHABLE,	/* a router's unreachable quoting an echo */
};

#define FWD 0
#define REV 1

#define SYN	TCP_SYN
#define SYN_ACK (TCP_SYN | TCP_ACK)
#define ACK	TCP_ACK
#define PSH_ACK (TCP_PSH | TCP_ACK)
#define FIN_ACK (TCP_FIN | TCP_ACK)
#define RST_ACK (TCP_RST | TCP_ACK)

/*
 * One packet of a case.  An ICMP error quotes the forward packet that the
 * same fields describe.
 */
struct step {
	enum step_kind kind;
	int rev; /* server to client */
	uint8_t flags;
	uint32_t seq;
	uint32_t ack;
	uint8_t tos;
	int evil;	   /* set the IPv4 reserved flag */
	int zero_checksum; /* UDP checksum 0 instead of a nonzero one */
	const uint8_t *options;
	size_t options_len; /* padded with EOL to a multiple of 4 */
	const uint8_t *data;
	size_t data_len;
	uint16_t fill;	    /* bytes of filler payload after data */
	size_t captured_l4; /* transport bytes captured, or 0 for all */
};

/* A string literal's bytes without its terminating NUL. */
#define OPTIONS(s) .options = (const uint8_t *)(s), .options_len = sizeof(s) - 1
#define DATA(s)	   .data = (const uint8_t *)(s), .data_len = sizeof(s) - 1

static void build_segment(struct bytes *b, const struct hosts *h,
			  const struct conv *c, const struct step *s,
			  uint16_t server_port)
{
	struct bytes l4 = {.len = 0};
	uint16_t sport = s->rev ? server_port : c->client_port;
	uint16_t dport = s->rev ? c->client_port : server_port;

	if (c->proto == IPPROTO_TCP) {
		size_t padded = (s->options_len + 3) / 4 * 4;

		if (padded > 40)
			abort();
		put_be16(&l4, sport);
		put_be16(&l4, dport);
		put_be32(&l4, s->seq);
		put_be32(&l4, s->ack);
		put_u8(&l4, (uint8_t)((20 + padded) / 4 << 4));
		put_u8(&l4, s->flags);
		put_be16(&l4, 65535); /* window */
		put_be32(&l4, 0);     /* checksum, urgent pointer */
		put_data(&l4, s->options, s->options_len);
		put_fill(&l4, 0, padded - s->options_len);
	} else {
		put_be16(&l4, sport);
		put_be16(&l4, dport);
		put_be16(&l4, (uint16_t)(8 + s->data_len + s->fill));
		put_be16(&l4, s->zero_checksum ? 0 : 0x5a5a);
	}
	put_data(&l4, s->data, s->data_len);
	put_fill(&l4, 0x61, s->fill);
	put_ip(b, h, s->rev ? h->server : h->client,
	       s->rev ? h->client : h->server, s->tos, s->evil, c->proto, &l4);
}

static void build_echo(struct bytes *b, const struct hosts *h,
		       const struct step *s)
{
	struct bytes l4 = {.len = 0};

	if (h->version == 4)
		put_u8(&l4, s->rev ? 0 : 8);
	else
		put_u8(&l4, s->rev ? 129 : 128);
	put_u8(&l4, 0);
	put_be16(&l4, 0);	   /* checksum */
	put_be32(&l4, 0x00010001); /* identifier, sequence */
	put_fill(&l4, 0x62, s->fill);
	put_ip(b, h, s->rev ? h->server : h->client,
	       s->rev ? h->client : h->server, s->tos, s->evil,
	       h->version == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6, &l4);
}

/* Appends a router's ICMP error to the client.  It quotes the IP header
 * and first 8 bytes of the quoted packet, the minimum RFC 792 sets. */
static void build_icmp_error(struct bytes *b, const struct hosts *h,
			     uint8_t type, uint8_t code,
			     const struct bytes *quoted, uint8_t tos)
{
	struct bytes l4 = {.len = 0};

	put_u8(&l4, type);
	put_u8(&l4, code);
	put_be16(&l4, 0); /* checksum */
	put_be32(&l4, 0); /* unused */
	put_data(&l4, quoted->data, ip_header_len(h->version) + 8);
	put_ip(b, h, h->router, h->client, tos, 0,
	       h->version == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6, &l4);
}

static void build_step(struct bytes *b, const struct hosts *h,
		       const struct conv *c, const struct step *s)
{
	struct bytes quoted = {.len = 0};
	struct step fwd = *s;
	int v4 = h->version == 4;

	fwd.rev = FWD;
	switch (s->kind) {
	case STEP_SEGMENT:
		build_segment(b, h, c, s, c->server_port);
		return;
	case STEP_UNREACHABLE:
		/* port unreachable: ICMP type 3 code 3, ICMPv6 type 1 code 4 */
		build_segment(&quoted, h, c, &fwd, c->server_port);
		build_icmp_error(b, h, v4 ? 3 : 1, v4 ? 3 : 4, &quoted, s->tos);
		return;
	case STEP_UNREACHABLE_STRAY:
		build_segment(&quoted, h, c, &fwd,
			      (uint16_t)(c->server_port + 1));
		build_icmp_error(b, h, v4 ? 3 : 1, v4 ? 3 : 4, &quoted, s->tos);
		return;
	case STEP_TIME_EXCEEDED:
		/* ICMP type 11 code 0, ICMPv6 type 3 code 0 */
		build_segment(&quoted, h, c, &fwd, c->server_port);
		build_icmp_error(b, h, v4 ? 11 : 3, 0, &quoted, s->tos);
		return;
	case STEP_ECHO:
		build_echo(b, h, s);
		return;
	case STEP_ECHO_UNREACHABLE:
		/* ICMP host unreachable (type 3 code 1), ICMPv6 address
		 * unreachable (type 1 code 3) */
		build_echo(&quoted, h, &fwd);
		build_icmp_error(b, h, v4 ? 3 : 1, v4 ? 1 : 3, &quoted, s->tos);
		return;
	}
}

/* Frames of a capture file, written with pcap_dump. */
struct frame {
	struct bytes bytes;
	size_t caplen; /* 0 for the whole frame */
	long sec;
	long usec;
};

struct capture {
	int linktype;
	size_t count;
	struct frame frames[32];
};

static struct capture *capture_new(int linktype)
{
	struct capture *cap = calloc(1, sizeof(*cap));

	if (!cap)
		abort();
	cap->linktype = linktype;
	return cap;
}

static void capture_add_frame(struct capture *cap, const struct bytes *frame,
			      size_t caplen, long sec, long usec)
{
	struct frame *f;

	if (cap->count == COUNT(cap->frames))
		abort();
	f = &cap->frames[cap->count++];
	f->bytes = *frame;
	f->caplen = caplen;
	f->sec = sec;
	f->usec = usec;
}

/* Documentation MAC addresses (RFC 7042): destination, then source. */
static const uint8_t macs[12] = {0x00, 0x00, 0x5e, 0x00, 0x53, 0x01,
				 0x00, 0x00, 0x5e, 0x00, 0x53, 0x02};

static uint16_t ethertype_of(const struct bytes *ip)
{
	return (ip->data[0] >> 4) == 6 ? 0x86dd : 0x0800;
}

/* Adds an IP packet behind an Ethernet header, padded to the 60-byte
 * minimum frame so that lengths must come from the IP header. */
static void capture_add_ethernet(struct capture *cap, const struct bytes *ip,
				 size_t caplen, long sec, long usec)
{
	struct bytes frame = {.len = 0};

	put_data(&frame, macs, sizeof(macs));
	put_be16(&frame, ethertype_of(ip));
	put_data(&frame, ip->data, ip->len);
	if (frame.len < 60)
		put_fill(&frame, 0, 60 - frame.len);
	capture_add_frame(cap, &frame, caplen ? caplen + 14 : 0, sec, usec);
}

/* Adds the steps behind Ethernet headers, 0.25 s apart, after the frames
 * already in the capture. */
static void capture_add_steps(struct capture *cap, const struct hosts *h,
			      const struct conv *c, const struct step *steps,
			      size_t count)
{
	for (size_t i = 0; i < count; i++) {
		struct bytes ip = {.len = 0};
		size_t caplen = 0;
		long t = (long)cap->count;

		build_step(&ip, h, c, &steps[i]);
		if (steps[i].captured_l4)
			caplen =
			    ip_header_len(h->version) + steps[i].captured_l4;
		capture_add_ethernet(cap, &ip, caplen, BASE_SEC + t / 4,
				     t % 4 * 250000L);
	}
}

static char tmp_dir[64];
static unsigned file_serial;

static void temp_path(char *path, size_t len, const char *suffix)
{
	snprintf(path, len, "%s/%u.%s", tmp_dir, file_serial++, suffix);
}

/* Writes the capture as a pcap file and returns 0, or -1 if libpcap fails. */
static int capture_write(const struct capture *cap, char *path, size_t len)
{
	pcap_t *dead;
	pcap_dumper_t *dumper;

	temp_path(path, len, "pcap");
	dead = pcap_open_dead(cap->linktype, 65535);
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
		hdr.ts.tv_usec = f->usec;
		hdr.len = (bpf_u_int32)f->bytes.len;
		hdr.caplen =
		    (bpf_u_int32)(f->caplen ? f->caplen : f->bytes.len);
		pcap_dump((u_char *)dumper, &hdr, f->bytes.data);
	}
	pcap_dump_close(dumper);
	pcap_close(dead);
	return 0;
}

/* pcapng (draft-ietf-opsawg-pcapng) block types and option codes. */
#define PCAPNG_SHB		 0x0A0D0D0Au
#define PCAPNG_IDB		 0x00000001u
#define PCAPNG_EPB		 0x00000006u
#define PCAPNG_BYTE_ORDER	 0x1A2B3C4Du
#define PCAPNG_OPT_END		 0
#define PCAPNG_OPT_IF_TSRESOL	 9
#define PCAPNG_LINKTYPE_ETHERNET 1

/* Writes one block: type, total length, body, total length again. */
static int pcapng_block(FILE *f, uint32_t type, const struct bytes *body)
{
	struct bytes block = {.len = 0};
	uint32_t total = (uint32_t)(12 + body->len);

	if (body->len % 4)
		abort();
	put_le32(&block, type);
	put_le32(&block, total);
	put_data(&block, body->data, body->len);
	put_le32(&block, total);
	return fwrite(block.data, 1, block.len, f) == block.len ? 0 : -1;
}

/*
 * Writes the capture's Ethernet frames as a little-endian pcapng file
 * whose interface has nanosecond timestamps (if_tsresol 9).  Returns 0, or
 * -1 if the file cannot be written.
 */
static int capture_write_pcapng(const struct capture *cap, char *path,
				size_t len)
{
	struct bytes body = {.len = 0};
	FILE *f;
	int rc = 0;

	if (cap->linktype != DLT_EN10MB)
		abort();
	temp_path(path, len, "pcapng");
	f = fopen(path, "wb");
	if (!f)
		return -1;

	/* Section Header Block: version 1.0, section length unknown (-1). */
	put_le32(&body, PCAPNG_BYTE_ORDER);
	put_le16(&body, 1);
	put_le16(&body, 0);
	put_le32(&body, 0xffffffffu);
	put_le32(&body, 0xffffffffu);
	rc |= pcapng_block(f, PCAPNG_SHB, &body);

	/* Interface Description Block with if_tsresol = 10^-9 s. */
	body.len = 0;
	put_le16(&body, PCAPNG_LINKTYPE_ETHERNET);
	put_le16(&body, 0); /* reserved */
	put_le32(&body, 65535);
	put_le16(&body, PCAPNG_OPT_IF_TSRESOL);
	put_le16(&body, 1);
	put_u8(&body, 9);
	put_fill(&body, 0, 3);
	put_le16(&body, PCAPNG_OPT_END);
	put_le16(&body, 0);
	rc |= pcapng_block(f, PCAPNG_IDB, &body);

	for (size_t i = 0; i < cap->count; i++) {
		const struct frame *fr = &cap->frames[i];
		uint64_t ns = (uint64_t)fr->sec * 1000000000u +
			      (uint64_t)fr->usec * 1000u;
		size_t caplen = fr->caplen ? fr->caplen : fr->bytes.len;

		/* Enhanced Packet Block on interface 0. */
		body.len = 0;
		put_le32(&body, 0);
		put_le32(&body, (uint32_t)(ns >> 32));
		put_le32(&body, (uint32_t)ns);
		put_le32(&body, (uint32_t)caplen);
		put_le32(&body, (uint32_t)fr->bytes.len);
		put_data(&body, fr->bytes.data, caplen);
		put_fill(&body, 0, (4 - caplen % 4) % 4);
		rc |= pcapng_block(f, PCAPNG_EPB, &body);
	}
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

/* What one run of the observer over a capture file produced. */
struct run {
	int open_rc;
	int run_rc;
	json_t *records; /* every flow record, in the order emitted */
	struct observer_stats stats;
};

static void collect_flow(json_t *record, const struct flow_key *key,
			 double first, void *ctx)
{
	struct run *r = ctx;

	(void)key;
	(void)first;
	json_array_append_new(r->records, record);
}

static void ignore_finished(void *request_ctx, int found, void *ctx)
{
	(void)request_ctx;
	(void)found;
	(void)ctx;
}

/* An idle timeout no test capture reaches: flows leave at the flush. */
#define LONG_IDLE 3600.0

/* Runs every registered chain over the file at path, then removes it.  The
 * caller releases r->records. */
static void observe_file(const char *path, struct run *r)
{
	struct observer obs;
	struct observer_config cfg;
	size_t chain_count = 0;

	while (chain_registry[chain_count])
		chain_count++;
	memset(&cfg, 0, sizeof(cfg));
	cfg.source = path;
	cfg.chains = chain_registry;
	cfg.chain_count = chain_count;
	cfg.max_flows = 100;
	cfg.idle_timeout = LONG_IDLE;
	cfg.snaplen = 65535;
	cfg.on_flow = collect_flow;
	cfg.on_finished = ignore_finished;
	cfg.ctx = r;

	r->open_rc = observer_open(&obs, &cfg);
	if (r->open_rc == 0) {
		r->run_rc = observer_run_file(&obs);
		r->stats = obs.stats;
		observer_close(&obs);
	}
	unlink(path);
}

static void observe(const struct capture *cap, int pcapng, struct run *r)
{
	char path[128];
	int rc;

	memset(r, 0, sizeof(*r));
	r->records = json_array();
	rc = pcapng ? capture_write_pcapng(cap, path, sizeof(path))
		    : capture_write(cap, path, sizeof(path));
	if (rc != 0) {
		CHECK(0, "cannot write %s", path);
		unlink(path);
		r->open_rc = -1;
		return;
	}
	observe_file(path, r);
}

/*
 * Checks the fields listed in expect, "name=value" separated by spaces.  A
 * value that parses as JSON (a number, true, false, null) must match in
 * type and value.  Any other value is compared as a string.
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

/* Every field the chains under test write, in every flow record. */
static const char *const chain_fields[] = {
    "dscp_mark_syn_fwd",
    "dscp_mark_syn_rev",
    "dscp_mark_data_fwd",
    "dscp_mark_data_rev",
    "evilbit_syn_fwd",
    "evilbit_syn_rev",
    "evilbit_data_fwd",
    "evilbit_data_rev",
    "icmp_unreachable",
    "mss_len_fwd",
    "mss_len_rev",
    "mss_value_fwd",
    "mss_value_rev",
    "tcpopt_ts",
    "tcpopt_ws",
    "tcpopt_sack",
    "tfo_synkind",
    "tfo_ackkind",
    "tfo_synclen",
    "tfo_ackclen",
    "tfo_seq",
    "tfo_dlen",
    "tfo_ack",
    "dns_response_valid",
    "udp_zero_checksum_fwd",
    "udp_zero_checksum_rev",
};

static void check_field_names(const json_t *record, size_t index)
{
	for (size_t i = 0; i < COUNT(chain_fields); i++)
		CHECK(json_object_get(record, chain_fields[i]),
		      "flow %zu has no %s", index, chain_fields[i]);
}

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

/*
 * A case: its packets, and the fields of each flow record in emit order
 * (the order of the flows' first packets).  expect_v6 replaces an entry of
 * expect on IPv6 where it is set.
 */
struct chain_case {
	const char *name;
	const struct conv *conv;
	const struct step *before; /* shared opening steps, or NULL */
	size_t before_count;
	const struct step *steps;
	size_t step_count;
	const char *expect[2];
	const char *expect_v6[2];
	unsigned long truncated; /* packets counted as truncated */
};

#define STEPS(a)  .steps = a, .step_count = COUNT(a)
#define BEFORE(a) .before = a, .before_count = COUNT(a)

/* DSCP values as TOS bytes (DSCP << 2 | ECN). */
#define TOS_AF11 0x28 /* 10 */
#define TOS_AF21 0x48 /* 18 */
#define TOS_CS1	 0x20 /* 8 */
#define TOS_CS3	 0x60 /* 24 */
#define TOS_AF41 0x88 /* 34 */
#define TOS_CS6	 0xc0 /* 48 */
#define TOS_EF	 0xb8 /* 46 */
#define TOS_ECT0 0x02
#define TOS_CE	 0x03

static const struct step dscp_steps[] = {
    {.flags = SYN, .seq = 1000, .tos = TOS_AF11 | TOS_ECT0},
    {.rev = REV, .flags = SYN_ACK, .seq = 5000, .ack = 1001, .tos = TOS_EF},
    /* a bare ACK is neither a SYN nor data */
    {.flags = ACK, .seq = 1001, .ack = 5001, .tos = TOS_CS1},
    {.flags = PSH_ACK, .seq = 1001, .ack = 5001, .tos = TOS_AF21, .fill = 10},
    {.rev = REV,
     .flags = PSH_ACK,
     .seq = 5001,
     .ack = 1011,
     .tos = TOS_CS3 | TOS_CE,
     .fill = 20},
    /* later marks do not replace the first */
    {.flags = PSH_ACK, .seq = 1011, .ack = 5021, .tos = TOS_AF41, .fill = 10},
    {.rev = REV, .flags = PSH_ACK, .seq = 5021, .ack = 1021, .fill = 5},
    {.flags = SYN, .seq = 1000, .tos = TOS_EF},
};

static const struct step dscp_later_syn_steps[] = {
    {.flags = SYN, .seq = 1000},
    {.flags = SYN, .seq = 1000, .tos = TOS_EF},
    {.rev = REV, .flags = SYN_ACK, .seq = 5000, .ack = 1001, .tos = TOS_CS1},
    {.rev = REV, .flags = SYN_ACK, .seq = 5000, .ack = 1001, .tos = TOS_EF},
};

static const struct step dscp_no_syn_or_data_steps[] = {
    {.flags = ACK, .seq = 1001, .ack = 5001, .tos = TOS_AF11},
    {.rev = REV, .flags = ACK, .seq = 5001, .ack = 1001, .tos = TOS_AF11},
    {.flags = FIN_ACK, .seq = 1001, .ack = 5001, .tos = TOS_AF11},
    {.rev = REV, .flags = RST_ACK, .seq = 5001, .ack = 1002, .tos = TOS_EF},
};

static const struct step dscp_syn_payload_steps[] = {
    {.flags = SYN, .seq = 1000, .tos = TOS_AF11, .fill = 20},
    {.flags = PSH_ACK, .seq = 1021, .ack = 5001, .tos = TOS_EF, .fill = 20},
};

static const struct step dscp_udp_steps[] = {
    /* an empty datagram is data too */
    {.tos = TOS_AF11},
    {.rev = REV, .tos = TOS_EF, .fill = 30},
    {.tos = TOS_CS6, .fill = 10},
};

static const struct step dscp_icmp_steps[] = {
    {.flags = SYN, .seq = 1000, .tos = TOS_AF11},
    {.kind = STEP_UNREACHABLE, .flags = SYN, .seq = 1000, .tos = TOS_CS6},
};

#define EVIL_ALL_FALSE                                                         \
	"evilbit_syn_fwd=false evilbit_syn_rev=false "                         \
	"evilbit_data_fwd=false evilbit_data_rev=false"

static const struct step evil_steps[] = {
    {.flags = SYN, .seq = 1000, .evil = 1},
    {.rev = REV, .flags = SYN_ACK, .seq = 5000, .ack = 1001},
    /* a bare ACK with the flag is neither a SYN nor data */
    {.flags = ACK, .seq = 1001, .ack = 5001, .evil = 1},
    {.flags = PSH_ACK, .seq = 1001, .ack = 5001, .fill = 10},
    {.rev = REV, .flags = PSH_ACK, .seq = 5001, .ack = 1011, .fill = 10},
    {.rev = REV,
     .flags = PSH_ACK,
     .seq = 5011,
     .ack = 1011,
     .fill = 10,
     .evil = 1},
};

static const struct step evil_syn_only_steps[] = {
    {.flags = SYN, .seq = 1000},
};

static const struct step evil_later_syn_steps[] = {
    {.flags = SYN, .seq = 1000},
    {.flags = SYN, .seq = 1000, .evil = 1},
};

static const struct step evil_bare_ack_steps[] = {
    {.flags = ACK, .seq = 1001, .ack = 5001, .evil = 1},
    {.rev = REV, .flags = ACK, .seq = 5001, .ack = 1001, .evil = 1},
};

static const struct step evil_udp_steps[] = {
    {.fill = 8, .evil = 1},
    {.rev = REV, .fill = 8},
};

static const struct step icmp_unreachable_steps[] = {
    {.flags = SYN, .seq = 1000},
    {.kind = STEP_UNREACHABLE, .flags = SYN, .seq = 1000},
};

static const struct step icmp_time_exceeded_steps[] = {
    {.flags = SYN, .seq = 1000},
    {.kind = STEP_TIME_EXCEEDED, .flags = SYN, .seq = 1000},
};

static const struct step icmp_stray_steps[] = {
    {.flags = SYN, .seq = 1000},
    {.kind = STEP_UNREACHABLE_STRAY, .flags = SYN, .seq = 1000},
};

static const struct step icmp_udp_steps[] = {
    {.fill = 10},
    {.kind = STEP_UNREACHABLE, .fill = 10},
};

static const struct step icmp_echo_steps[] = {
    {.kind = STEP_ECHO, .fill = 16},
    {.kind = STEP_ECHO_UNREACHABLE, .fill = 16},
};

/* MSS 1460 and 1380 (0x05b4, 0x0564) as whole options. */
#define MSS_1460 "\x02\x04\x05\xb4"
#define MSS_1380 "\x02\x04\x05\x64"

#define MSS_ALL_NULL                                                           \
	"mss_len_fwd=null mss_value_fwd=null "                                 \
	"mss_len_rev=null mss_value_rev=null"

static const struct step mss_steps[] = {
    {.flags = SYN, .seq = 1000, OPTIONS(MSS_1460)},
    {.rev = REV, .flags = SYN_ACK, .seq = 5000, .ack = 1001, OPTIONS(MSS_1380)},
    {.flags = ACK, .seq = 1001, .ack = 5001},
};

static const struct step mss_absent_steps[] = {
    {.flags = SYN, .seq = 1000},
    /* NOP, window scale 7 */
    {.rev = REV,
     .flags = SYN_ACK,
     .seq = 5000,
     .ack = 1001,
     OPTIONS("\x01\x03\x03\x07")},
};

static const struct step mss_malformed_steps[] = {
    /* length 3: one data byte 0x05, then NOP */
    {.flags = SYN, .seq = 1000, OPTIONS("\x02\x03\x05\x01")},
    /* length 5: data bytes 05 b4 07, then NOPs */
    {.rev = REV,
     .flags = SYN_ACK,
     .seq = 5000,
     .ack = 1001,
     OPTIONS("\x02\x05\x05\xb4\x07\x01\x01\x01")},
};

static const struct step mss_long_steps[] = {
    /* length 6: four data bytes */
    {.flags = SYN, .seq = 1000, OPTIONS("\x02\x06\x12\x34\x56\x78\x01\x01")},
    /* length 8: six data bytes, of which the first four are read */
    {.rev = REV,
     .flags = SYN_ACK,
     .seq = 5000,
     .ack = 1001,
     OPTIONS("\x02\x08\xff\xff\xff\xff\x00\x01")},
};

static const struct step mss_after_nops_steps[] = {
    {.flags = SYN, .seq = 1000, OPTIONS("\x01\x01" MSS_1460 "\x01\x01")},
};

static const struct step mss_after_eol_steps[] = {
    /* NOP, EOL, then an MSS option after the end of the list */
    {.flags = SYN, .seq = 1000, OPTIONS("\x01\x00" MSS_1460 "\x00\x00")},
};

static const struct step mss_past_header_steps[] = {
    /* length 8 where 6 bytes of options are left */
    {.flags = SYN, .seq = 1000, OPTIONS("\x01\x01\x02\x08\x05\xb4\x00\x00")},
    /* window scale of length 9 in 8 bytes of options hides the MSS */
    {.rev = REV,
     .flags = SYN_ACK,
     .seq = 5000,
     .ack = 1001,
     OPTIONS("\x03\x09\x07\x01" MSS_1380)},
};

static const struct step mss_length0_steps[] = {
    /* timestamp kind with length 0, then an MSS */
    {.flags = SYN, .seq = 1000, OPTIONS("\x08\x00" MSS_1460 "\x01\x01")},
    {.rev = REV,
     .flags = SYN_ACK,
     .seq = 5000,
     .ack = 1001,
     OPTIONS("\x02\x00\x05\x64")},
};

static const struct step mss_length1_steps[] = {
    {.flags = SYN, .seq = 1000, OPTIONS("\x08\x01" MSS_1460 "\x01\x01")},
    {.rev = REV,
     .flags = SYN_ACK,
     .seq = 5000,
     .ack = 1001,
     OPTIONS("\x02\x01\x05\x64")},
};

static const struct step mss_repeated_steps[] = {
    /* MSS 1460 then MSS 536 */
    {.flags = SYN, .seq = 1000, OPTIONS(MSS_1460 "\x02\x04\x02\x18")},
};

static const struct step mss_first_syn_steps[] = {
    {.flags = SYN, .seq = 1000, OPTIONS(MSS_1460)},
    {.flags = SYN, .seq = 1000, OPTIONS("\x02\x04\x02\x18")},
    {.rev = REV, .flags = SYN_ACK, .seq = 5000, .ack = 1001},
    {.rev = REV, .flags = SYN_ACK, .seq = 5000, .ack = 1001, OPTIONS(MSS_1380)},
};

static const struct step mss_cut_nops_steps[] = {
    /* cut after the two NOPs */
    {.flags = SYN,
     .seq = 1000,
     OPTIONS("\x01\x01" MSS_1460 "\x01\x01"),
     .captured_l4 = 22},
    {.rev = REV, .flags = SYN_ACK, .seq = 5000, .ack = 1001, OPTIONS(MSS_1380)},
};

static const struct step mss_cut_kind_steps[] = {
    /* cut after the MSS kind byte */
    {.flags = SYN,
     .seq = 1000,
     OPTIONS("\x01\x01" MSS_1460 "\x01\x01"),
     .captured_l4 = 23},
    {.rev = REV, .flags = SYN_ACK, .seq = 5000, .ack = 1001, OPTIONS(MSS_1380)},
};

static const struct step mss_cut_value_steps[] = {
    /* cut after the first byte of the MSS value */
    {.flags = SYN,
     .seq = 1000,
     OPTIONS("\x01\x01" MSS_1460 "\x01\x01"),
     .captured_l4 = 25},
    {.rev = REV, .flags = SYN_ACK, .seq = 5000, .ack = 1001, OPTIONS(MSS_1380)},
};

static const struct step mss_cut_header_steps[] = {
    /* cut inside the fixed TCP header */
    {.flags = SYN,
     .seq = 1000,
     OPTIONS("\x01\x01" MSS_1460 "\x01\x01"),
     .captured_l4 = 10},
    {.rev = REV, .flags = SYN_ACK, .seq = 5000, .ack = 1001, OPTIONS(MSS_1380)},
};

/* Timestamps option: kind 8, length 10, TSval 1, TSecr 0. */
#define OPT_TS	 "\x08\x0a\x00\x00\x00\x01\x00\x00\x00\x00"
#define OPT_WS	 "\x03\x03\x07"
#define OPT_SACK "\x04\x02"
/* MSS, SACK-permitted, timestamps, NOP, window scale: 20 bytes. */
#define OPT_ALL MSS_1460 OPT_SACK OPT_TS "\x01" OPT_WS

#define TCPOPT_NONE "tcpopt_ts=false tcpopt_ws=false tcpopt_sack=false"

static const struct step tcpopt_all_steps[] = {
    {.flags = SYN, .seq = 1000, OPTIONS(MSS_1460)},
    {.rev = REV, .flags = SYN_ACK, .seq = 5000, .ack = 1001, OPTIONS(OPT_ALL)},
};

static const struct step tcpopt_none_steps[] = {
    {.flags = SYN, .seq = 1000, OPTIONS(OPT_ALL)},
    {.rev = REV, .flags = SYN_ACK, .seq = 5000, .ack = 1001},
};

static const struct step tcpopt_ts_steps[] = {
    {.flags = SYN, .seq = 1000},
    {.rev = REV,
     .flags = SYN_ACK,
     .seq = 5000,
     .ack = 1001,
     OPTIONS("\x01\x01" OPT_TS)},
};

static const struct step tcpopt_ws_steps[] = {
    {.flags = SYN, .seq = 1000},
    {.rev = REV, .flags = SYN_ACK, .seq = 5000, .ack = 1001, OPTIONS(OPT_WS)},
};

static const struct step tcpopt_sack_steps[] = {
    {.flags = SYN, .seq = 1000},
    {.rev = REV,
     .flags = SYN_ACK,
     .seq = 5000,
     .ack = 1001,
     OPTIONS("\x01\x01" OPT_SACK)},
};

static const struct step tcpopt_wrong_length_steps[] = {
    {.flags = SYN, .seq = 1000},
    /* timestamps of length 8, window scale of 4, SACK-permitted of 3 */
    {.rev = REV,
     .flags = SYN_ACK,
     .seq = 5000,
     .ack = 1001,
     OPTIONS("\x08\x08\x00\x00\x00\x01\x00\x00"
	     "\x03\x04\x07\x00"
	     "\x04\x03\x00\x01")},
};

static const struct step tcpopt_after_eol_steps[] = {
    {.flags = SYN, .seq = 1000},
    {.rev = REV,
     .flags = SYN_ACK,
     .seq = 5000,
     .ack = 1001,
     OPTIONS("\x00" OPT_WS "\x01\x01" OPT_SACK)},
};

static const struct step tcpopt_first_synack_steps[] = {
    {.flags = SYN, .seq = 1000},
    {.rev = REV, .flags = SYN_ACK, .seq = 5000, .ack = 1001},
    {.rev = REV, .flags = SYN_ACK, .seq = 5000, .ack = 1001, OPTIONS(OPT_ALL)},
};

/* An 8-byte Fast Open cookie. */
#define COOKIE "\x01\x02\x03\x04\x05\x06\x07\x08"

#define TFO_NONE "tfo_synkind=0 tfo_ackkind=0 tfo_synclen=0 tfo_ackclen=0 "

static const struct step tfo_steps[] = {
    {.flags = SYN,
     .seq = 1000,
     OPTIONS(MSS_1460 "\x22\x0a" COOKIE "\x01\x01"),
     .fill = 100},
    /* the SYN's data was accepted: ack = seq + 1 + 100 */
    {.rev = REV,
     .flags = SYN_ACK,
     .seq = 5000,
     .ack = 1101,
     OPTIONS("\x22\x0a" COOKIE "\x01\x01")},
};

static const struct step tfo_cookie_request_steps[] = {
    {.flags = SYN, .seq = 4000000000u, OPTIONS("\x22\x02\x01\x01")},
    {.rev = REV,
     .flags = SYN_ACK,
     .seq = 5000,
     .ack = 4000000001u,
     OPTIONS("\x22\x06\xaa\xbb\xcc\xdd\x01\x01")},
};

static const struct step tfo_exp254_steps[] = {
    {.flags = SYN, .seq = 1000, OPTIONS("\xfe\x0c\xf9\x89" COOKIE), .fill = 50},
    /* the SYN's data was not accepted: ack = seq + 1 */
    {.rev = REV,
     .flags = SYN_ACK,
     .seq = 5000,
     .ack = 1001,
     OPTIONS("\xfe\x0c\xf9\x89" COOKIE)},
};

static const struct step tfo_exp255_steps[] = {
    {.flags = SYN, .seq = 77, OPTIONS("\xff\x08\xf9\x89\x0a\x0b\x0c\x0d")},
    {.rev = REV, .flags = SYN_ACK, .seq = 5000, .ack = 78},
};

static const struct step tfo_other_exid_steps[] = {
    {.flags = SYN, .seq = 1000, OPTIONS("\xfe\x0c\x12\x34" COOKIE), .fill = 20},
    /* ExID with one byte only */
    {.rev = REV,
     .flags = SYN_ACK,
     .seq = 5000,
     .ack = 1001,
     OPTIONS("\xfe\x03\xf9\x01")},
};

static const struct step tfo_after_other_exid_steps[] = {
    {.flags = SYN, .seq = 1000, OPTIONS("\xfe\x06\x12\x34\x00\x00\x22\x02")},
};

static const struct step tfo_plain_steps[] = {
    /* two bytes of data: the IPv4 frame is padded to 60 bytes */
    {.flags = SYN, .seq = 7, .fill = 2},
    {.rev = REV, .flags = SYN_ACK, .seq = 900, .ack = 8},
    {.flags = ACK, .seq = 8, .ack = 901},
};

static const struct step tfo_first_syn_steps[] = {
    {.flags = SYN, .seq = 1000, OPTIONS("\x22\x02\x01\x01")},
    {.flags = SYN, .seq = 1000, .fill = 30},
    {.rev = REV, .flags = SYN_ACK, .seq = 5000, .ack = 1001},
    {.rev = REV,
     .flags = SYN_ACK,
     .seq = 5000,
     .ack = 1031,
     OPTIONS("\x22\x06\xaa\xbb\xcc\xdd\x01\x01")},
};

/* DNS messages for example.com IN A: 12-byte header, 17-byte question. */
#define DNS_QUESTION                                                           \
	"\x07"                                                                 \
	"example"                                                              \
	"\x03"                                                                 \
	"com"                                                                  \
	"\x00\x00\x01\x00\x01"
#define DNS_QUERY                                                              \
	"\xbe\xef\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00" DNS_QUESTION
#define DNS_RESPONSE                                                           \
	"\xbe\xef\x81\x80\x00\x01\x00\x00\x00\x00\x00\x00" DNS_QUESTION
#define DNS_QR_CLEAR                                                           \
	"\xbe\xef\x01\x80\x00\x01\x00\x00\x00\x00\x00\x00" DNS_QUESTION
#define DNS_SHORT   "\xbe\xef\x81\x80\x00\x01\x00\x00\x00\x00\x00"
#define DNS_TCP_LEN "\x00\x1d" /* 29 */

static const struct step dns_udp_steps[] = {
    {DATA(DNS_QUERY)},
    {.rev = REV, DATA(DNS_RESPONSE)},
};

static const struct step dns_udp_query_steps[] = {
    {DATA(DNS_QUERY)},
};

static const struct step dns_udp_forward_response_steps[] = {
    {DATA(DNS_RESPONSE)},
};

static const struct step dns_udp_qr_clear_steps[] = {
    {DATA(DNS_QUERY)},
    {.rev = REV, DATA(DNS_QR_CLEAR)},
};

static const struct step dns_udp_short_steps[] = {
    {DATA(DNS_QUERY)},
    {.rev = REV, DATA(DNS_SHORT)},
};

/* The handshake and the query that the DNS over TCP cases start with. */
static const struct step dns_tcp_open_steps[] = {
    {.flags = SYN, .seq = 1000},
    {.rev = REV, .flags = SYN_ACK, .seq = 5000, .ack = 1001},
    {.flags = ACK, .seq = 1001, .ack = 5001},
    {.flags = PSH_ACK, .seq = 1001, .ack = 5001, DATA(DNS_TCP_LEN DNS_QUERY)},
};

static const struct step dns_tcp_steps[] = {
    {.rev = REV,
     .flags = PSH_ACK,
     .seq = 5001,
     .ack = 1032,
     DATA(DNS_TCP_LEN DNS_RESPONSE)},
};

static const struct step dns_tcp_query_steps[] = {
    {.rev = REV, .flags = ACK, .seq = 5001, .ack = 1032},
};

/* The response's 31 bytes split 8 + 23. */
#define DNS_TCP_PART1 DNS_TCP_LEN "\xbe\xef\x81\x80\x00\x01"
#define DNS_TCP_PART2 "\x00\x00\x00\x00\x00\x00" DNS_QUESTION

static const struct step dns_tcp_split2_steps[] = {
    {.rev = REV, .flags = ACK, .seq = 5001, .ack = 1032, DATA(DNS_TCP_PART1)},
    {.rev = REV,
     .flags = PSH_ACK,
     .seq = 5009,
     .ack = 1032,
     DATA(DNS_TCP_PART2)},
};

/* Split 1 + 6 + 24, the first cut inside the length prefix. */
static const struct step dns_tcp_split3_steps[] = {
    {.rev = REV, .flags = ACK, .seq = 5001, .ack = 1032, DATA("\x00")},
    {.rev = REV,
     .flags = ACK,
     .seq = 5002,
     .ack = 1032,
     DATA("\x1d\xbe\xef\x81\x80\x00")},
    {.rev = REV,
     .flags = PSH_ACK,
     .seq = 5008,
     .ack = 1032,
     DATA("\x01\x00\x00\x00\x00\x00\x00" DNS_QUESTION)},
};

static const struct step dns_tcp_retransmitted_steps[] = {
    {.rev = REV, .flags = ACK, .seq = 5001, .ack = 1032, DATA(DNS_TCP_PART1)},
    {.rev = REV, .flags = ACK, .seq = 5001, .ack = 1032, DATA(DNS_TCP_PART1)},
    {.rev = REV,
     .flags = PSH_ACK,
     .seq = 5009,
     .ack = 1032,
     DATA(DNS_TCP_PART2)},
};

static const struct step dns_tcp_reordered_steps[] = {
    {.rev = REV,
     .flags = PSH_ACK,
     .seq = 5009,
     .ack = 1032,
     DATA(DNS_TCP_PART2)},
    {.rev = REV, .flags = ACK, .seq = 5001, .ack = 1032, DATA(DNS_TCP_PART1)},
};

static const struct step dns_tcp_qr_clear_steps[] = {
    {.rev = REV,
     .flags = PSH_ACK,
     .seq = 5001,
     .ack = 1032,
     DATA(DNS_TCP_LEN DNS_QR_CLEAR)},
};

/* A length prefix of 11 cannot hold the 12-byte header that follows. */
static const struct step dns_tcp_short_length_steps[] = {
    {.rev = REV,
     .flags = PSH_ACK,
     .seq = 5001,
     .ack = 1032,
     DATA("\x00\x0b" DNS_RESPONSE)},
};

/* The capture starts after the handshake. */
static const struct step dns_tcp_midstream_steps[] = {
    {.flags = PSH_ACK, .seq = 1001, .ack = 5001, DATA(DNS_TCP_LEN DNS_QUERY)},
    {.rev = REV,
     .flags = PSH_ACK,
     .seq = 5001,
     .ack = 1032,
     DATA(DNS_TCP_LEN DNS_RESPONSE)},
};

/* The response segment captured without its payload, or with 5 bytes. */
static const struct step dns_tcp_cut_payload_steps[] = {
    {.rev = REV,
     .flags = PSH_ACK,
     .seq = 5001,
     .ack = 1032,
     DATA(DNS_TCP_LEN DNS_RESPONSE),
     .captured_l4 = 20},
};

static const struct step dns_tcp_cut_short_steps[] = {
    {.rev = REV,
     .flags = PSH_ACK,
     .seq = 5001,
     .ack = 1032,
     DATA(DNS_TCP_LEN DNS_RESPONSE),
     .captured_l4 = 25},
};

static const struct step udp_zero_fwd_steps[] = {
    {.fill = 8, .zero_checksum = 1},
    {.rev = REV, .fill = 8},
};

static const struct step udp_zero_rev_steps[] = {
    {.fill = 8},
    {.rev = REV, .fill = 8, .zero_checksum = 1},
};

static const struct step udp_nonzero_steps[] = {
    {.fill = 8},
    {.rev = REV, .fill = 8},
};

static const struct step udp_zero_later_steps[] = {
    {.fill = 8},
    {.rev = REV, .fill = 8},
    {.fill = 8, .zero_checksum = 1},
};

static const struct step udp_tcp_flow_steps[] = {
    {.flags = SYN, .seq = 1000},
    {.rev = REV, .flags = SYN_ACK, .seq = 5000, .ack = 1001},
};

static const struct chain_case chain_cases[] = {
    /* dscp */
    {.name = "dscp first marks",
     .conv = &tcp_conv,
     STEPS(dscp_steps),
     .expect = {"dscp_mark_syn_fwd=10 dscp_mark_syn_rev=46 "
		"dscp_mark_data_fwd=18 dscp_mark_data_rev=24"}},
    {.name = "dscp later syn ignored",
     .conv = &tcp_conv,
     STEPS(dscp_later_syn_steps),
     .expect = {"dscp_mark_syn_fwd=0 dscp_mark_syn_rev=8 "
		"dscp_mark_data_fwd=null dscp_mark_data_rev=null"}},
    {.name = "dscp bare ack fin rst",
     .conv = &tcp_conv,
     STEPS(dscp_no_syn_or_data_steps),
     .expect = {"dscp_mark_syn_fwd=null dscp_mark_syn_rev=null "
		"dscp_mark_data_fwd=null dscp_mark_data_rev=null"}},
    {.name = "dscp syn payload is syn",
     .conv = &tcp_conv,
     STEPS(dscp_syn_payload_steps),
     .expect = {"dscp_mark_syn_fwd=10 dscp_mark_syn_rev=null "
		"dscp_mark_data_fwd=46 dscp_mark_data_rev=null"}},
    {.name = "dscp udp flow",
     .conv = &udp_conv,
     STEPS(dscp_udp_steps),
     .expect = {"dscp_mark_syn_fwd=null dscp_mark_syn_rev=null "
		"dscp_mark_data_fwd=10 dscp_mark_data_rev=46"}},
    {.name = "dscp icmp error is data",
     .conv = &tcp_conv,
     STEPS(dscp_icmp_steps),
     .expect = {"pkt_rev=1 dscp_mark_syn_fwd=10 dscp_mark_syn_rev=null "
		"dscp_mark_data_fwd=null dscp_mark_data_rev=48"}},

    /* evil */
    {.name = "evil bit syn and data",
     .conv = &tcp_conv,
     STEPS(evil_steps),
     .expect = {"evilbit_syn_fwd=true evilbit_syn_rev=false "
		"evilbit_data_fwd=false evilbit_data_rev=true"},
     .expect_v6 = {EVIL_ALL_FALSE}},
    {.name = "evil bit null until seen",
     .conv = &tcp_conv,
     STEPS(evil_syn_only_steps),
     .expect = {"evilbit_syn_fwd=false evilbit_syn_rev=null "
		"evilbit_data_fwd=null evilbit_data_rev=null"}},
    {.name = "evil bit on later syn",
     .conv = &tcp_conv,
     STEPS(evil_later_syn_steps),
     .expect = {"evilbit_syn_fwd=true evilbit_syn_rev=null "
		"evilbit_data_fwd=null evilbit_data_rev=null"},
     .expect_v6 = {"evilbit_syn_fwd=false evilbit_syn_rev=null "
		   "evilbit_data_fwd=null evilbit_data_rev=null"}},
    {.name = "evil bit on bare ack",
     .conv = &tcp_conv,
     STEPS(evil_bare_ack_steps),
     .expect = {"evilbit_syn_fwd=null evilbit_syn_rev=null "
		"evilbit_data_fwd=null evilbit_data_rev=null"}},
    {.name = "evil bit udp",
     .conv = &udp_conv,
     STEPS(evil_udp_steps),
     .expect = {"evilbit_syn_fwd=null evilbit_syn_rev=null "
		"evilbit_data_fwd=true evilbit_data_rev=false"},
     .expect_v6 = {"evilbit_syn_fwd=null evilbit_syn_rev=null "
		   "evilbit_data_fwd=false evilbit_data_rev=false"}},

    /* icmp */
    {.name = "icmp unreachable joins flow",
     .conv = &tcp_conv,
     STEPS(icmp_unreachable_steps),
     .expect = {"proto=6 pkt_fwd=1 pkt_rev=1 icmp_unreachable=true"}},
    {.name = "icmp time exceeded",
     .conv = &tcp_conv,
     STEPS(icmp_time_exceeded_steps),
     .expect = {"proto=6 pkt_fwd=1 pkt_rev=1 icmp_unreachable=false"}},
    {.name = "icmp unreachable unknown flow",
     .conv = &tcp_conv,
     STEPS(icmp_stray_steps),
     .expect = {"proto=6 pkt_fwd=1 pkt_rev=0 icmp_unreachable=false",
		"sip=198.51.100.1 proto=1 pkt_fwd=1 icmp_unreachable=false"},
     .expect_v6 = {NULL, "sip=2001:db8:1::1 proto=58 pkt_fwd=1 "
			 "icmp_unreachable=false"}},
    {.name = "icmp udp port unreachable",
     .conv = &udp_conv,
     STEPS(icmp_udp_steps),
     .expect = {"proto=17 pkt_fwd=1 pkt_rev=1 icmp_unreachable=true"}},
    {.name = "icmp unreachable for echo",
     .conv = &tcp_conv,
     STEPS(icmp_echo_steps),
     .expect = {"proto=1 pkt_fwd=1 pkt_rev=1 icmp_unreachable=true"},
     .expect_v6 = {"proto=58 pkt_fwd=1 pkt_rev=1 icmp_unreachable=true"}},

    /* mss */
    {.name = "mss both ways",
     .conv = &tcp_conv,
     STEPS(mss_steps),
     .expect = {"mss_len_fwd=4 mss_value_fwd=1460 "
		"mss_len_rev=4 mss_value_rev=1380"}},
    {.name = "mss absent",
     .conv = &tcp_conv,
     STEPS(mss_absent_steps),
     .expect = {MSS_ALL_NULL}},
    {.name = "mss length 3 and 5",
     .conv = &tcp_conv,
     STEPS(mss_malformed_steps),
     .expect = {"mss_len_fwd=3 mss_value_fwd=5 "
		"mss_len_rev=5 mss_value_rev=373767"}},
    {.name = "mss length 6 and 8",
     .conv = &tcp_conv,
     STEPS(mss_long_steps),
     .expect = {"mss_len_fwd=6 mss_value_fwd=305419896 "
		"mss_len_rev=8 mss_value_rev=4294967295"}},
    {.name = "mss after nops",
     .conv = &tcp_conv,
     STEPS(mss_after_nops_steps),
     .expect = {"mss_len_fwd=4 mss_value_fwd=1460 "
		"mss_len_rev=null mss_value_rev=null"}},
    {.name = "mss after eol",
     .conv = &tcp_conv,
     STEPS(mss_after_eol_steps),
     .expect = {MSS_ALL_NULL}},
    {.name = "mss length past header",
     .conv = &tcp_conv,
     STEPS(mss_past_header_steps),
     .expect = {MSS_ALL_NULL}},
    {.name = "mss length 0 stops walk",
     .conv = &tcp_conv,
     STEPS(mss_length0_steps),
     .expect = {MSS_ALL_NULL}},
    {.name = "mss length 1 stops walk",
     .conv = &tcp_conv,
     STEPS(mss_length1_steps),
     .expect = {MSS_ALL_NULL}},
    {.name = "mss repeated first wins",
     .conv = &tcp_conv,
     STEPS(mss_repeated_steps),
     .expect = {"mss_len_fwd=4 mss_value_fwd=1460"}},
    {.name = "mss of first syn",
     .conv = &tcp_conv,
     STEPS(mss_first_syn_steps),
     .expect = {"mss_len_fwd=4 mss_value_fwd=1460 "
		"mss_len_rev=null mss_value_rev=null"}},
    {.name = "mss cut after nops",
     .conv = &tcp_conv,
     STEPS(mss_cut_nops_steps),
     .expect = {"mss_len_fwd=null mss_value_fwd=null "
		"mss_len_rev=4 mss_value_rev=1380"}},
    {.name = "mss cut after kind",
     .conv = &tcp_conv,
     STEPS(mss_cut_kind_steps),
     .expect = {"mss_len_fwd=null mss_value_fwd=null "
		"mss_len_rev=4 mss_value_rev=1380"}},
    {.name = "mss cut in value",
     .conv = &tcp_conv,
     STEPS(mss_cut_value_steps),
     .expect = {"mss_len_fwd=null mss_value_fwd=null "
		"mss_len_rev=4 mss_value_rev=1380"}},
    {.name = "mss cut in tcp header",
     .conv = &tcp_conv,
     STEPS(mss_cut_header_steps),
     /* without a TCP header the SYN has no ports, so it makes a flow of
      * its own, and the SYN-ACK starts another */
     .expect = {"sp=null pkt_fwd=1 pkt_rev=0 mss_len_fwd=null "
		"mss_value_fwd=null mss_len_rev=null mss_value_rev=null",
		"sp=80 pkt_fwd=1 pkt_rev=0 mss_len_fwd=4 mss_value_fwd=1380 "
		"mss_len_rev=null mss_value_rev=null"},
     .truncated = 1},

    /* tcpopt */
    {.name = "tcpopt all on syn-ack",
     .conv = &tcp_conv,
     STEPS(tcpopt_all_steps),
     .expect = {"tcpopt_ts=true tcpopt_ws=true tcpopt_sack=true"}},
    {.name = "tcpopt on syn ignored",
     .conv = &tcp_conv,
     STEPS(tcpopt_none_steps),
     .expect = {TCPOPT_NONE}},
    {.name = "tcpopt timestamps only",
     .conv = &tcp_conv,
     STEPS(tcpopt_ts_steps),
     .expect = {"tcpopt_ts=true tcpopt_ws=false tcpopt_sack=false"}},
    {.name = "tcpopt window scale only",
     .conv = &tcp_conv,
     STEPS(tcpopt_ws_steps),
     .expect = {"tcpopt_ts=false tcpopt_ws=true tcpopt_sack=false"}},
    {.name = "tcpopt sack-permitted only",
     .conv = &tcp_conv,
     STEPS(tcpopt_sack_steps),
     .expect = {"tcpopt_ts=false tcpopt_ws=false tcpopt_sack=true"}},
    {.name = "tcpopt wrong lengths",
     .conv = &tcp_conv,
     STEPS(tcpopt_wrong_length_steps),
     .expect = {TCPOPT_NONE}},
    {.name = "tcpopt after eol",
     .conv = &tcp_conv,
     STEPS(tcpopt_after_eol_steps),
     .expect = {TCPOPT_NONE}},
    {.name = "tcpopt first syn-ack only",
     .conv = &tcp_conv,
     STEPS(tcpopt_first_synack_steps),
     .expect = {TCPOPT_NONE}},

    /* tfo */
    {.name = "tfo kind 34 with data",
     .conv = &tcp_conv,
     STEPS(tfo_steps),
     .expect = {"tfo_synkind=34 tfo_ackkind=34 tfo_synclen=8 "
		"tfo_ackclen=8 tfo_seq=1000 tfo_dlen=100 tfo_ack=1101"}},
    {.name = "tfo cookie request",
     .conv = &tcp_conv,
     STEPS(tfo_cookie_request_steps),
     .expect = {"tfo_synkind=34 tfo_ackkind=34 tfo_synclen=0 "
		"tfo_ackclen=4 tfo_seq=4000000000 tfo_dlen=0 "
		"tfo_ack=4000000001"}},
    {.name = "tfo kind 254 exid",
     .conv = &tcp_conv,
     STEPS(tfo_exp254_steps),
     .expect = {"tfo_synkind=254 tfo_ackkind=254 tfo_synclen=8 "
		"tfo_ackclen=8 tfo_seq=1000 tfo_dlen=50 tfo_ack=1001"}},
    {.name = "tfo kind 255 exid",
     .conv = &tcp_conv,
     STEPS(tfo_exp255_steps),
     .expect = {"tfo_synkind=255 tfo_ackkind=0 tfo_synclen=4 "
		"tfo_ackclen=0 tfo_seq=77 tfo_dlen=0 tfo_ack=78"}},
    {.name = "tfo 254 other exid",
     .conv = &tcp_conv,
     STEPS(tfo_other_exid_steps),
     .expect = {TFO_NONE "tfo_seq=1000 tfo_dlen=20 tfo_ack=1001"}},
    {.name = "tfo 34 after other exid",
     .conv = &tcp_conv,
     STEPS(tfo_after_other_exid_steps),
     .expect = {"tfo_synkind=34 tfo_synclen=0 tfo_ackkind=0 "
		"tfo_ack=0 tfo_seq=1000"}},
    {.name = "tfo none padded frame",
     .conv = &tcp_conv,
     STEPS(tfo_plain_steps),
     .expect = {TFO_NONE "tfo_seq=7 tfo_dlen=2 tfo_ack=8"}},
    {.name = "tfo first syn each way",
     .conv = &tcp_conv,
     STEPS(tfo_first_syn_steps),
     .expect = {"tfo_synkind=34 tfo_ackkind=0 tfo_synclen=0 "
		"tfo_ackclen=0 tfo_seq=1000 tfo_dlen=0 tfo_ack=1001"}},

    /* dns */
    {.name = "dns udp response",
     .conv = &udp_conv,
     STEPS(dns_udp_steps),
     .expect = {"dns_response_valid=true"}},
    {.name = "dns udp query only",
     .conv = &udp_conv,
     STEPS(dns_udp_query_steps),
     .expect = {"dns_response_valid=false"}},
    {.name = "dns udp response forward",
     .conv = &udp_conv,
     STEPS(dns_udp_forward_response_steps),
     .expect = {"dns_response_valid=false"}},
    {.name = "dns udp qr clear",
     .conv = &udp_conv,
     STEPS(dns_udp_qr_clear_steps),
     .expect = {"dns_response_valid=false"}},
    {.name = "dns udp short header",
     .conv = &udp_conv,
     STEPS(dns_udp_short_steps),
     .expect = {"dns_response_valid=false"}},
    {.name = "dns tcp response",
     .conv = &dns_tcp_conv,
     BEFORE(dns_tcp_open_steps),
     STEPS(dns_tcp_steps),
     .expect = {"dns_response_valid=true"}},
    {.name = "dns tcp query only",
     .conv = &dns_tcp_conv,
     BEFORE(dns_tcp_open_steps),
     STEPS(dns_tcp_query_steps),
     .expect = {"dns_response_valid=false"}},
    {.name = "dns tcp two segments",
     .conv = &dns_tcp_conv,
     BEFORE(dns_tcp_open_steps),
     STEPS(dns_tcp_split2_steps),
     .expect = {"dns_response_valid=true"}},
    {.name = "dns tcp split length prefix",
     .conv = &dns_tcp_conv,
     BEFORE(dns_tcp_open_steps),
     STEPS(dns_tcp_split3_steps),
     .expect = {"dns_response_valid=true"}},
    {.name = "dns tcp first part retransmitted",
     .conv = &dns_tcp_conv,
     BEFORE(dns_tcp_open_steps),
     STEPS(dns_tcp_retransmitted_steps),
     .expect = {"dns_response_valid=true"}},
    {.name = "dns tcp reordered",
     .conv = &dns_tcp_conv,
     BEFORE(dns_tcp_open_steps),
     STEPS(dns_tcp_reordered_steps),
     .expect = {"dns_response_valid=false"}},
    {.name = "dns tcp qr clear",
     .conv = &dns_tcp_conv,
     BEFORE(dns_tcp_open_steps),
     STEPS(dns_tcp_qr_clear_steps),
     .expect = {"dns_response_valid=false"}},
    {.name = "dns tcp length below header",
     .conv = &dns_tcp_conv,
     BEFORE(dns_tcp_open_steps),
     STEPS(dns_tcp_short_length_steps),
     .expect = {"dns_response_valid=false"}},
    {.name = "dns tcp without handshake",
     .conv = &dns_tcp_conv,
     STEPS(dns_tcp_midstream_steps),
     .expect = {"dns_response_valid=true"}},
    {.name = "dns tcp payload cut short",
     .conv = &dns_tcp_conv,
     BEFORE(dns_tcp_open_steps),
     STEPS(dns_tcp_cut_short_steps),
     .expect = {"pkt_rev=2 dns_response_valid=false"}},

    /* udp */
    {.name = "udp zero checksum fwd",
     .conv = &udp_conv,
     STEPS(udp_zero_fwd_steps),
     .expect = {"udp_zero_checksum_fwd=true udp_zero_checksum_rev=false "
		"mss_len_fwd=null tcpopt_ts=false " TFO_NONE
		"dns_response_valid=false"}},
    {.name = "udp zero checksum rev",
     .conv = &udp_conv,
     STEPS(udp_zero_rev_steps),
     .expect = {"udp_zero_checksum_fwd=false udp_zero_checksum_rev=true"}},
    {.name = "udp nonzero checksums",
     .conv = &udp_conv,
     STEPS(udp_nonzero_steps),
     .expect = {"udp_zero_checksum_fwd=false udp_zero_checksum_rev=false"}},
    {.name = "udp zero checksum later",
     .conv = &udp_conv,
     STEPS(udp_zero_later_steps),
     .expect = {"udp_zero_checksum_fwd=true udp_zero_checksum_rev=false"}},
    {.name = "udp fields on tcp flow",
     .conv = &tcp_conv,
     STEPS(udp_tcp_flow_steps),
     .expect = {"udp_zero_checksum_fwd=false udp_zero_checksum_rev=false"}},
    /* NOTE: kept last because dns_tcp passes this segment's NULL payload
     * to memcpy, which stops a UBSan build here.  The cases before it
     * still run. */
    {.name = "dns tcp payload not captured",
     .conv = &dns_tcp_conv,
     BEFORE(dns_tcp_open_steps),
     STEPS(dns_tcp_cut_payload_steps),
     .expect = {"pkt_rev=2 dns_response_valid=false"}},
};

static char case_name[128];

static void set_case(const char *name, int version)
{
	snprintf(case_name, sizeof(case_name), "%s, ipv%d", name, version);
	test_case = case_name;
}

static void check_chain_case(const struct chain_case *tc, const struct hosts *h)
{
	struct capture *cap = capture_new(DLT_EN10MB);
	unsigned long failed_before = test_failed;
	size_t flows = tc->expect[1] ? 2 : 1;
	struct run r;
	size_t n;

	set_case(tc->name, h->version);
	capture_add_steps(cap, h, tc->conv, tc->before, tc->before_count);
	capture_add_steps(cap, h, tc->conv, tc->steps, tc->step_count);
	observe(cap, 0, &r);
	CHECK(r.open_rc == 0, "observer_open returned %d", r.open_rc);
	CHECK(r.run_rc == 0, "observer_run_file returned %d", r.run_rc);
	CHECK(r.stats.packets == cap->count, "%lu packets read, %zu written",
	      r.stats.packets, cap->count);
	CHECK(r.stats.non_ip == 0, "%lu non-IP", r.stats.non_ip);
	CHECK(r.stats.truncated == tc->truncated, "%lu truncated, expected %lu",
	      r.stats.truncated, tc->truncated);
	n = json_array_size(r.records);
	CHECK(n == flows, "%zu flows, expected %zu", n, flows);
	for (size_t i = 0; i < n && i < flows; i++) {
		const json_t *record = json_array_get(r.records, i);
		const char *expect = tc->expect[i];

		if (h->version == 6 && tc->expect_v6[i])
			expect = tc->expect_v6[i];
		check_field_names(record, i);
		check_fields(record, i, expect);
	}
	if (test_failed != failed_before)
		print_records(r.records);
	json_decref(r.records);
	free(cap);
}

/* How the link-layer test frames an IP packet. */
enum framing {
	FRAME_ETHERNET,
	FRAME_8021Q,
	FRAME_QINQ,
	FRAME_RAW,
	FRAME_SLL,
	FRAME_SLL2,
	FRAME_NULL,
	FRAME_LOOP,
};

struct link_case {
	const char *name;
	int linktype;
	enum framing framing;
	int pcapng;
};

static const struct link_case link_cases[] = {
    {"raw ip", DLT_RAW, FRAME_RAW, 0},
    {"ethernet", DLT_EN10MB, FRAME_ETHERNET, 0},
    {"ethernet 802.1q", DLT_EN10MB, FRAME_8021Q, 0},
    {"ethernet qinq", DLT_EN10MB, FRAME_QINQ, 0},
    {"linux sll", DLT_LINUX_SLL, FRAME_SLL, 0},
    {"linux sll2", DLT_LINUX_SLL2, FRAME_SLL2, 0},
    {"bsd null", DLT_NULL, FRAME_NULL, 0},
    {"bsd loop", DLT_LOOP, FRAME_LOOP, 0},
    {"pcapng ethernet", DLT_EN10MB, FRAME_ETHERNET, 1},
    {"pcapng qinq", DLT_EN10MB, FRAME_QINQ, 1},
};

/* BSD address families: AF_INET is 2 everywhere, AF_INET6 is 24 on
 * OpenBSD and NetBSD and 30 on macOS. */
#define BSD_AF_INET	  2
#define BSD_AF_INET6_OPEN 24
#define BSD_AF_INET6_MAC  30

/* Frames an IP packet sent by the client (or the server when rev). */
static void frame_ip(struct bytes *frame, enum framing framing,
		     const struct bytes *ip, int rev)
{
	uint16_t ethertype = ethertype_of(ip);
	int v6 = ethertype == 0x86dd;

	switch (framing) {
	case FRAME_ETHERNET:
	case FRAME_8021Q:
	case FRAME_QINQ:
		put_data(frame, macs, sizeof(macs));
		if (framing == FRAME_QINQ) {
			put_be16(frame, 0x88a8);
			put_be16(frame, 200); /* service VLAN */
		}
		if (framing != FRAME_ETHERNET) {
			put_be16(frame, 0x8100);
			put_be16(frame, 100); /* customer VLAN */
		}
		put_be16(frame, ethertype);
		put_data(frame, ip->data, ip->len);
		if (frame->len < 60)
			put_fill(frame, 0, 60 - frame->len);
		return;
	case FRAME_RAW:
		break;
	case FRAME_SLL:
		/* packet type (0 to us, 4 sent by us), ARPHRD_ETHER, address
		 * length, address padded to 8 bytes, protocol */
		put_be16(frame, rev ? 0 : 4);
		put_be16(frame, 1);
		put_be16(frame, 6);
		put_data(frame, macs + 6, 6);
		put_be16(frame, 0);
		put_be16(frame, ethertype);
		break;
	case FRAME_SLL2:
		/* protocol, reserved, interface index, ARPHRD_ETHER, packet
		 * type, address length, address padded to 8 bytes */
		put_be16(frame, ethertype);
		put_be16(frame, 0);
		put_be32(frame, 2);
		put_be16(frame, 1);
		put_u8(frame, rev ? 0 : 4);
		put_u8(frame, 6);
		put_data(frame, macs + 6, 6);
		put_be16(frame, 0);
		break;
	case FRAME_NULL: {
		/* the address family in the writer's byte order */
		uint32_t family = v6 ? BSD_AF_INET6_MAC : BSD_AF_INET;

		put_data(frame, &family, sizeof(family));
		break;
	}
	case FRAME_LOOP:
		put_be32(frame, v6 ? BSD_AF_INET6_OPEN : BSD_AF_INET);
		break;
	}
	put_data(frame, ip->data, ip->len);
}

/* SYN with MSS 1460, SYN-ACK, ACK. */
static const struct step handshake_steps[] = {
    {.flags = SYN, .seq = 1000, OPTIONS(MSS_1460)},
    {.rev = REV, .flags = SYN_ACK, .seq = 5000, .ack = 1001},
    {.flags = ACK, .seq = 1001, .ack = 5001},
};

static void add_handshake(struct capture *cap, const struct hosts *h,
			  enum framing framing)
{
	for (size_t i = 0; i < COUNT(handshake_steps); i++) {
		struct bytes ip = {.len = 0}, frame = {.len = 0};

		build_step(&ip, h, &tcp_conv, &handshake_steps[i]);
		frame_ip(&frame, framing, &ip, handshake_steps[i].rev);
		capture_add_frame(cap, &frame, 0, BASE_SEC, (long)i * 250000L);
	}
}

static void check_link_types(const struct hosts *h)
{
	char expect[512];
	json_t *reference = NULL;
	size_t syn_len = ip_header_len(h->version) + 24;
	size_t ack_len = ip_header_len(h->version) + 20;

	snprintf(expect, sizeof(expect),
		 "sip=%s dip=%s sp=49152 dp=80 proto=6 pkt_fwd=2 pkt_rev=1 "
		 "oct_fwd=%zu oct_rev=%zu first=1700000000.0 "
		 "last=1700000000.5 tcp_synflags_fwd=2 tcp_synflags_rev=18 "
		 "tcp_connected=true tcp_rst_fwd=false tcp_fin_rev=false "
		 "mss_len_fwd=4 mss_value_fwd=1460 mss_len_rev=null",
		 h->client, h->server, syn_len + ack_len, ack_len);

	for (size_t i = 0; i < COUNT(link_cases); i++) {
		const struct link_case *lc = &link_cases[i];
		struct capture *cap = capture_new(lc->linktype);
		unsigned long failed_before = test_failed;
		struct run r;
		size_t n;

		set_case(lc->name, h->version);
		add_handshake(cap, h, lc->framing);
		observe(cap, lc->pcapng, &r);
		CHECK(r.open_rc == 0, "observer_open returned %d", r.open_rc);
		CHECK(r.run_rc == 0, "observer_run_file returned %d", r.run_rc);
		CHECK(r.stats.packets == 3, "%lu packets read",
		      r.stats.packets);
		CHECK(r.stats.non_ip == 0, "%lu non-IP", r.stats.non_ip);
		CHECK(r.stats.truncated == 0, "%lu truncated",
		      r.stats.truncated);
		CHECK(r.stats.unknown_link == 0, "%lu of unknown link type",
		      r.stats.unknown_link);
		n = json_array_size(r.records);
		CHECK(n == 1, "%zu flows, expected 1", n);
		if (n == 1) {
			json_t *record = json_array_get(r.records, 0);

			check_fields(record, 0, expect);
			check_field_names(record, 0);
			/* Every chain's field must match the first link
			 * type's record, not only those listed above. */
			if (!reference)
				reference = json_incref(record);
			else
				CHECK(json_equal(record, reference),
				      "record differs from the %s one",
				      link_cases[0].name);
		}
		if (test_failed != failed_before)
			print_records(r.records);
		json_decref(r.records);
		free(cap);
	}
	json_decref(reference);
}

/* An 802.11 capture is counted packet by packet and read no further. */
static void check_unknown_link(void)
{
	struct capture *cap = capture_new(DLT_IEEE802_11);
	struct run r;

	test_case = "unsupported link type";
	for (size_t i = 0; i < COUNT(handshake_steps); i++) {
		struct bytes ip = {.len = 0}, frame = {.len = 0};

		build_step(&ip, &hosts_v4, &tcp_conv, &handshake_steps[i]);
		/* data frame to the AP, duration, three addresses, sequence
		 * control, then LLC/SNAP with the IPv4 ethertype */
		put_be16(&frame, 0x0801);
		put_be16(&frame, 0);
		put_data(&frame, macs, 6);
		put_data(&frame, macs + 6, 6);
		put_data(&frame, macs, 6);
		put_be16(&frame, (uint16_t)(i << 4));
		put_be32(&frame, 0xaaaa0300);
		put_be32(&frame, 0x00000800);
		put_data(&frame, ip.data, ip.len);
		capture_add_frame(cap, &frame, 0, BASE_SEC, (long)i * 250000L);
	}
	observe(cap, 0, &r);
	CHECK(r.open_rc == 0, "observer_open returned %d", r.open_rc);
	CHECK(r.run_rc == 0, "observer_run_file returned %d", r.run_rc);
	CHECK(r.stats.packets == 3, "%lu packets read", r.stats.packets);
	CHECK(r.stats.unknown_link == 3, "%lu of unknown link type",
	      r.stats.unknown_link);
	CHECK(r.stats.non_ip == 0, "%lu non-IP", r.stats.non_ip);
	CHECK(json_array_size(r.records) == 0, "%zu flows",
	      json_array_size(r.records));
	json_decref(r.records);
	free(cap);
}

void test_chains(void)
{
	static const struct hosts *const versions[] = {&hosts_v4, &hosts_v6};

	snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/pathprobe-chains-XXXXXX");
	test_case = "temporary directory";
	CHECK(mkdtemp(tmp_dir) != NULL, "mkdtemp failed");

	for (size_t v = 0; v < COUNT(versions); v++)
		check_link_types(versions[v]);
	check_unknown_link();
	for (size_t i = 0; i < COUNT(chain_cases); i++)
		for (size_t v = 0; v < COUNT(versions); v++)
			check_chain_case(&chain_cases[i], versions[v]);

	test_case = "temporary directory";
	CHECK(rmdir(tmp_dir) == 0, "cannot remove %s", tmp_dir);
	test_case = NULL;
}
