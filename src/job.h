/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A job: one target and the connections made to it, one per configuration
 * of the plugin (baseline A first, then the experiments).
 */
#ifndef PP_JOB_H
#define PP_JOB_H

#include "packet.h"

#include <jansson.h>
#include <stdint.h>

#define JOB_MAX_CONFIGS 8

/* Connection states, numbered as PATHspider's spdr_state field. */
enum conn_state {
	CONN_OK = 0,
	CONN_FAILED = 1,
	CONN_TIMEOUT = 2,
	CONN_SKIPPED = 3,
	CONN_DISCARD = 4,
};

/* How one connection is made, beyond its target and mode. */
struct conn_setup {
	int tos;	   /* IP_TOS / IPV6_TCLASS byte, or -1 to leave it */
	int http_version;  /* 0: libcurl's default, 1: HTTP/1.1, 2: HTTP/2 */
	int fast_open;	   /* TCP Fast Open (RFC 7413) on the connect */
	int forged;	   /* built by hand and sent on a raw socket */
	int evil_bit;	   /* forged: set the reserved IPv4 flag (RFC 3514) */
	int zero_checksum; /* forged UDP: send checksum 0 (RFC 768) */
};

struct conn_result {
	enum conn_state state;
	struct ip_addr sip; /* local address, when the socket got one */
	uint16_t sp;	    /* local port, 0 when none was bound */
	uint8_t proto;	    /* IPPROTO_TCP or IPPROTO_UDP */
	double start;	    /* CLOCK_REALTIME seconds */
	double stop;
	int error;	  /* errno or libcurl code behind a failure */
	int http_version; /* 1 or 2 when an HTTP response came, else 0 */
	/* filled by the combiner */
	struct job *job;
	json_t *flow;
};

struct job {
	json_t *record; /* the input fields, passed through */
	unsigned long line;
	struct ip_addr dip;
	uint16_t dp;
	const char *domain; /* owned by record; NULL when absent */
	size_t config_count;
	struct conn_result results[JOB_MAX_CONFIGS];
	int flows_pending; /* used by the combiner */
	/* The observer's kernel drop count when the job started. */
	unsigned long drops_at_start;
};

void job_free(struct job *job);

#endif
