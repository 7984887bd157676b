/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The combiner: matches each connection of a finished job to the flow the
 * observer metered for it, by (local address, local port, target address,
 * target port) and by time, then lets the plugin derive the conditions
 * and writes the job's record.
 *
 * When a job's connections have all ended, the combiner asks the observer
 * to finish their flows once a settle time has passed (so the closing
 * FINs are in).  The observer hands over every flow it ends, whether
 * asked or not; flows nobody claims are dropped after a while.  A job
 * whose flow was not seen is still written, marked not observed.
 */
#ifndef PP_COMBINER_H
#define PP_COMBINER_H

#include "../plugins/plugin.h"
#include "job.h"
#include "observer.h"
#include "output.h"
#include "queue.h"

#include <pthread.h>

struct unclaimed_flow;

struct combiner {
	const struct plugin *plugin;
	const struct plugin_params *params;
	struct output *out;
	struct observer *observer;
	int output_flows;
	double settle; /* seconds after a job's end before its flows finish */
	double unclaimed_max_age;

	struct queue inbox;
	pthread_t thread;
	int started;

	struct unclaimed_flow **buckets;
	size_t bucket_mask;
	struct unclaimed_flow *oldest; /* arrival order, for expiry */
	struct unclaimed_flow *newest;

	pthread_mutex_t lock;
	pthread_cond_t all_written;
	unsigned long jobs_in;
	unsigned long jobs_out;
	unsigned long flows_unclaimed;
};

int combiner_start(struct combiner *cb, const struct plugin *plugin,
		   const struct plugin_params *params, struct output *out,
		   int output_flows, double settle);
void combiner_set_observer(struct combiner *cb, struct observer *obs);

/* Hands over a job whose connections have all ended. */
void combiner_add_job(struct combiner *cb, struct job *job);

/* The observer's callbacks; ctx is the combiner. */
void combiner_on_flow(json_t *record, const struct flow_key *key, double first,
		      void *ctx);
void combiner_on_finished(void *request_ctx, int found, void *ctx);

/* Blocks until every job handed over has been written. */
void combiner_wait_written(struct combiner *cb);

/* Stops the thread and frees what is left. */
void combiner_stop(struct combiner *cb);

/* Builds the output record of a job whose flows are matched; for tests. */
json_t *combiner_build_record(const struct plugin *plugin,
			      const struct plugin_params *params,
			      struct job *job, int output_flows);

#endif
