/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the packet path: link layer, IP, transport, ICMP
 * quotes, the flow table and every chain, and flow records to JSON.
 *
 * Input: one byte selecting the link type, then frames, each with a
 * 2-byte big-endian length prefix, so one input can build and close
 * flows over several packets.
 */
#include "chain.h"
#include "flowtable.h"
#include "packet.h"

#include <pcap/dlt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const int linktypes[] = {
    DLT_EN10MB,	   DLT_RAW,	   DLT_IPV4, DLT_IPV6,
    DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL, DLT_LOOP,
};

#define FUZZ_MAX_FLOWS 64

static struct flow_table table;
static int table_ready;
static double clock_now;

static void emit(const struct flow *flow, enum flow_end why, void *ctx)
{
	json_t *record = flow_to_json(ctx, flow);
	char *text = json_dumps(record, JSON_COMPACT);

	(void)why;
	free(text);
	json_decref(record);
}

static void table_setup(void)
{
	size_t n = 0;

	while (chain_registry[n])
		n++;
	if (chain_registry_check() != 0)
		abort();
	if (flow_table_init(&table, chain_registry, n, FUZZ_MAX_FLOWS, 30.0,
			    emit, &table) != 0)
		abort();
	table_ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor c = {data, size};
	uint8_t selector;
	uint16_t len;
	int linktype;

	if (!table_ready)
		table_setup();
	if (cursor_u8(&c, &selector))
		return 0;
	linktype =
	    linktypes[selector % (sizeof(linktypes) / sizeof(linktypes[0]))];

	while (cursor_be16(&c, &len) == 0) {
		size_t n = len < c.len ? len : c.len;
		uint8_t *frame = malloc(n ? n : 1);
		struct packet pkt;

		/* A copy of exactly the frame's size lets ASan catch reads
		 * past the captured length. */
		memcpy(frame, c.p, n);
		cursor_skip(&c, n);
		clock_now += 0.25;
		if (packet_parse(linktype, frame, n, clock_now, &pkt) ==
		    PACKET_OK)
			flow_table_packet(&table, &pkt);
		free(frame);
	}
	flow_table_expire(&table, clock_now);
	if (selector & 0x80)
		flow_table_flush(&table);
	return 0;
}
