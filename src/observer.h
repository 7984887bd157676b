/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The observer: captures packets with libpcap from an interface or a
 * capture file, meters them into flow records through the selected chains,
 * and hands each finished flow to a callback.
 *
 * Live captures run in their own thread (observer_start); other threads may
 * ask it to finish the flow of a tuple (observer_request_finish), which the
 * thread does once the request's time has come and the capture buffer has
 * been read, so the flow holds every packet captured until then.
 */
#ifndef PP_OBSERVER_H
#define PP_OBSERVER_H

#include "chain.h"
#include "flowtable.h"

#include <pcap/pcap.h>
#include <pthread.h>
#include <stdatomic.h>

struct observer_stats {
	unsigned long packets;
	unsigned long non_ip;
	unsigned long truncated;
	unsigned long unknown_link;
	unsigned long kernel_dropped;
	unsigned long interface_dropped;
};

/* Called for every finished flow; `key` may be used to match it. */
typedef void (*observer_flow_fn)(json_t *record, const struct flow_key *key,
				 double first, void *ctx);
/* Called instead of observer_flow_fn, with the record as JSON text. */
typedef void (*observer_text_fn)(const char *text, size_t len, void *ctx);
/* Called when a finish request was handled; `found` is 1 if a flow was. */
typedef void (*observer_finished_fn)(void *request_ctx, int found, void *ctx);

struct finish_request {
	struct finish_request *next;
	struct flow_key key;
	double not_before; /* CLOCK_REALTIME seconds */
	void *request_ctx;
};

struct observer_config {
	const char *source;	/* interface name, "any", or a capture file */
	const char *filter;	/* BPF expression, or NULL */
	const char *write_pcap; /* copy of every metered packet, or NULL */
	const struct chain *const *chains;
	size_t chain_count;
	size_t max_flows;
	double idle_timeout;
	int snaplen;
	size_t buffer_bytes; /* kernel capture buffer; 0 for the default */
	observer_flow_fn on_flow;
	observer_text_fn on_flow_text; /* when set, on_flow is not called */
	observer_finished_fn on_finished;
	void *ctx;
};

struct observer {
	struct observer_config cfg;
	pcap_t *pcap;
	pcap_dumper_t *dumper;
	int linktype;
	int is_file;
	double file_clock; /* packet time of the last expiry in a file */
	struct flow_table flows;
	struct record_writer text; /* reused for every text record */
	struct observer_stats stats;
	/* Packets the kernel dropped so far, for other threads to read. */
	atomic_ulong kernel_drops;
	pthread_t thread;
	int thread_started;
	atomic_int stop;
	pthread_mutex_t lock;
	struct finish_request *requests; /* oldest first */
	struct finish_request *requests_tail;
	int wake_pipe[2];
};

/* Opens the capture; returns 0, or -1 after logging why. */
int observer_open(struct observer *obs, const struct observer_config *cfg);

/* Reads a capture file to its end and flushes every flow. */
int observer_run_file(struct observer *obs);

/* Runs a live capture until observer_stop; blocks the calling thread. */
int observer_run_live(struct observer *obs);

int observer_start(struct observer *obs);
/* Stops the live loop, flushes every flow, joins the thread if started. */
void observer_stop(struct observer *obs);
void observer_close(struct observer *obs);

void observer_request_finish(struct observer *obs, const struct flow_key *key,
			     double not_before, void *request_ctx);

/* Logs the summary line: packets, non-IP, truncated, flows, drops. */
void observer_log_summary(const struct observer *obs);

#endif
