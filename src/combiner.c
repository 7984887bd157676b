/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Matching connections to flows and writing one record per job. */
#include "combiner.h"
#include "log.h"
#include "timeutil.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Messages waiting for the combiner: a flow message carries a record of a
 * few KiB, so this bounds their memory to some tens of MiB. */
#define COMBINER_QUEUE (1 << 11)
/* The combiner drains what the observer (at the same raised priority)
 * produces; behind the workers it would fill its queue and stall capture. */
#define COMBINER_NICE	 (-10)
#define COMBINER_BUCKETS (1 << 16)
/* A flow no job claims within a job's longest life plus this margin is
 * not one of ours (a late packet after its flow was finished). */
#define UNCLAIMED_MARGIN 10.0
/* Clock slack when a flow's first packet is compared to a connection. */
#define MATCH_SLACK 0.1

static const char *const component = "combiner";

enum message_kind {
	MESSAGE_JOB,
	MESSAGE_FLOW,
	MESSAGE_FINISHED,
	MESSAGE_QUIT,
};

struct message {
	enum message_kind kind;
	struct job *job;
	json_t *record;
	struct flow_key key;
	double first;
	struct conn_result *result;
};

struct unclaimed_flow {
	struct unclaimed_flow *hash_next;
	struct unclaimed_flow *newer;
	struct unclaimed_flow *older;
	struct flow_key key;
	json_t *record;
	double first;
	double arrival; /* CLOCK_MONOTONIC */
};

static size_t key_bucket(const struct combiner *cb, const struct flow_key *k)
{
	const unsigned char *p = (const unsigned char *)k;
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < sizeof(*k); i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return (size_t)(h ^ (h >> 29)) & cb->bucket_mask;
}

static void push(struct combiner *cb, struct message *m)
{
	if (queue_push(&cb->inbox, m) != 0) {
		json_decref(m->record);
		free(m);
	}
}

static struct message *message_new(enum message_kind kind)
{
	struct message *m = calloc(1, sizeof(*m));

	if (!m)
		log_error(component, "out of memory");
	else
		m->kind = kind;
	return m;
}

void combiner_on_flow(json_t *record, const struct flow_key *key, double first,
		      void *ctx)
{
	struct message *m = message_new(MESSAGE_FLOW);

	if (!m) {
		json_decref(record);
		return;
	}
	m->record = record;
	m->key = *key;
	m->first = first;
	push(ctx, m);
}

void combiner_on_finished(void *request_ctx, int found, void *ctx)
{
	struct message *m = message_new(MESSAGE_FINISHED);

	(void)found;
	if (!m)
		return;
	m->result = request_ctx;
	push(ctx, m);
}

void combiner_add_job(struct combiner *cb, struct job *job)
{
	struct message *m = message_new(MESSAGE_JOB);

	pthread_mutex_lock(&cb->lock);
	cb->jobs_in++;
	pthread_mutex_unlock(&cb->lock);
	if (!m) {
		job_free(job);
		return;
	}
	m->job = job;
	push(cb, m);
}

static void unclaimed_add(struct combiner *cb, struct message *m)
{
	struct unclaimed_flow *u = calloc(1, sizeof(*u));
	size_t b;

	if (!u) {
		json_decref(m->record);
		return;
	}
	u->key = m->key;
	u->record = m->record;
	u->first = m->first;
	u->arrival = time_now_mono();
	b = key_bucket(cb, &u->key);
	u->hash_next = cb->buckets[b];
	cb->buckets[b] = u;
	u->older = cb->newest;
	if (cb->newest)
		cb->newest->newer = u;
	else
		cb->oldest = u;
	cb->newest = u;
}

/* Takes an entry out of the arrival order and the hash, and frees it. */
static void unclaimed_free(struct combiner *cb, struct unclaimed_flow *u)
{
	struct unclaimed_flow **p = &cb->buckets[key_bucket(cb, &u->key)];

	while (*p && *p != u)
		p = &(*p)->hash_next;
	if (*p)
		*p = u->hash_next;
	if (u->older)
		u->older->newer = u->newer;
	else
		cb->oldest = u->newer;
	if (u->newer)
		u->newer->older = u->older;
	else
		cb->newest = u->older;
	free(u);
}

/* Drops flows no job claimed in time, and all of them at the end. */
static void unclaimed_expire(struct combiner *cb, double now, int all)
{
	while (cb->oldest &&
	       (all || cb->oldest->arrival + cb->unclaimed_max_age <= now)) {
		json_decref(cb->oldest->record);
		cb->flows_unclaimed++;
		unclaimed_free(cb, cb->oldest);
	}
}

/* Takes the flow of this connection from the unclaimed flows, if any. */
static json_t *unclaimed_claim(struct combiner *cb, const struct conn_result *r)
{
	struct flow_key key;
	struct unclaimed_flow *u;

	flow_key_make(&key, r->proto, &r->sip, r->sp, &r->job->dip, r->job->dp);
	for (u = cb->buckets[key_bucket(cb, &key)]; u; u = u->hash_next) {
		json_t *record;

		if (memcmp(&u->key, &key, sizeof(key)) != 0)
			continue;
		if (u->first < r->start - MATCH_SLACK ||
		    u->first > r->stop + MATCH_SLACK)
			continue;
		record = u->record;
		unclaimed_free(cb, u);
		return record;
	}
	return NULL;
}

static void add_time(json_t *obj, const char *name, double t)
{
	char text[32];

	time_format_utc(t, text, sizeof(text));
	json_object_set_new(obj, name, json_string(text));
}

static json_t *flow_result(const struct plugin *plugin, const struct job *job,
			   size_t i)
{
	const struct conn_result *r = &job->results[i];
	json_t *flow = r->flow ? json_deep_copy(r->flow) : json_object();

	json_object_set_new(flow, "sp", json_integer(r->sp));
	json_object_set_new(flow, "spdr_state", json_integer(r->state));
	add_time(flow, "spdr_start", r->start);
	add_time(flow, "spdr_stop", r->stop);
	json_object_set_new(flow, "observed", json_boolean(r->flow != NULL));
	json_object_set_new(flow, "config", json_integer((json_int_t)i));
	json_object_set_new(flow, "config_name",
			    json_string(plugin_config_name(plugin, i)));
	return flow;
}

json_t *combiner_build_record(const struct plugin *plugin,
			      const struct plugin_params *params,
			      struct job *job, int output_flows)
{
	json_t *rec = json_incref(job->record);
	json_t *conditions = json_array();
	json_t *time_range = json_object();
	const struct ip_addr *sip = NULL;
	double from = 0, to = 0;
	size_t missed = 0;
	char text[64];

	for (size_t i = 0; i < job->config_count; i++) {
		const struct conn_result *r = &job->results[i];

		if (r->sp)
			sip = &r->sip;
		if (!r->flow)
			missed++;
		if (i == 0 || r->start < from)
			from = r->start;
		if (i == 0 || r->stop > to)
			to = r->stop;
	}
	if (sip) {
		ip_addr_format(sip, text, sizeof(text));
		json_object_set_new(rec, "sip", json_string(text));
	} else {
		json_object_set_new(rec, "sip", json_null());
	}
	add_time(time_range, "from", from);
	add_time(time_range, "to", to);
	json_object_set_new(rec, "time", time_range);

	plugin->combine(params, job, conditions);
	json_object_set_new(rec, "conditions", conditions);

	if (output_flows) {
		json_t *flows = json_array();

		for (size_t i = 0; i < job->config_count; i++)
			json_array_append_new(flows,
					      flow_result(plugin, job, i));
		json_object_set_new(rec, "flow_results", flows);
		json_object_set_new(rec, "missed_flows",
				    json_integer((json_int_t)missed));
	}
	return rec;
}

/* Marks a record whose packets may have been lost by the kernel. */
#define CONDITION_DROPPED "pathprobe.observer.dropped"

static void combiner_write(struct combiner *cb, struct job *job)
{
	json_t *rec = combiner_build_record(cb->plugin, cb->params, job,
					    cb->output_flows);

	if (cb->observer &&
	    atomic_load(&cb->observer->kernel_drops) > job->drops_at_start)
		json_array_append_new(json_object_get(rec, "conditions"),
				      json_string(CONDITION_DROPPED));
	output_write(cb->out, rec);
	json_decref(rec);
	job_free(job);
	pthread_mutex_lock(&cb->lock);
	cb->jobs_out++;
	if (cb->jobs_out == cb->jobs_in)
		pthread_cond_broadcast(&cb->all_written);
	pthread_mutex_unlock(&cb->lock);
}

static void combiner_job(struct combiner *cb, struct job *job)
{
	double settle_until = 0;

	job->flows_pending = 0;
	for (size_t i = 0; i < job->config_count; i++) {
		struct conn_result *r = &job->results[i];

		r->job = job;
		if (r->sp)
			job->flows_pending++;
		if (r->stop > settle_until)
			settle_until = r->stop;
	}
	if (job->flows_pending == 0) {
		combiner_write(cb, job);
		return;
	}
	for (size_t i = 0; i < job->config_count; i++) {
		struct conn_result *r = &job->results[i];
		struct flow_key key;

		if (!r->sp)
			continue;
		flow_key_make(&key, r->proto, &r->sip, r->sp, &job->dip,
			      job->dp);
		observer_request_finish(cb->observer, &key,
					settle_until + cb->settle, r);
	}
}

static void combiner_finished(struct combiner *cb, struct conn_result *r)
{
	struct job *job = r->job;

	r->flow = unclaimed_claim(cb, r);
	if (--job->flows_pending == 0)
		combiner_write(cb, job);
}

static void *combiner_main(void *arg)
{
	struct combiner *cb = arg;
	pid_t tid = (pid_t)syscall(SYS_gettid);

	if (setpriority(PRIO_PROCESS, (id_t)tid, COMBINER_NICE) != 0)
		log_debug(component, "cannot raise the combiner's priority: %s",
			  strerror(errno));

	for (;;) {
		struct message *m = queue_pop(&cb->inbox);
		enum message_kind kind;

		if (!m)
			break;
		kind = m->kind;
		switch (kind) {
		case MESSAGE_JOB:
			combiner_job(cb, m->job);
			break;
		case MESSAGE_FLOW:
			unclaimed_add(cb, m);
			break;
		case MESSAGE_FINISHED:
			combiner_finished(cb, m->result);
			break;
		case MESSAGE_QUIT:
			break;
		}
		free(m);
		if (kind == MESSAGE_QUIT)
			break;
		unclaimed_expire(cb, time_now_mono(), 0);
	}
	unclaimed_expire(cb, 0, 1);
	return NULL;
}

int combiner_start(struct combiner *cb, const struct plugin *plugin,
		   const struct plugin_params *params, struct output *out,
		   int output_flows, double settle)
{
	memset(cb, 0, sizeof(*cb));
	cb->plugin = plugin;
	cb->params = params;
	/* A job's connections run one after another at the longest. */
	cb->unclaimed_max_age =
	    (double)plugin_config_count(plugin, params) * params->timeout +
	    settle + UNCLAIMED_MARGIN;
	cb->out = out;
	cb->output_flows = output_flows;
	cb->settle = settle;
	cb->buckets = calloc(COMBINER_BUCKETS, sizeof(*cb->buckets));
	if (!cb->buckets || queue_init(&cb->inbox, COMBINER_QUEUE) != 0) {
		free(cb->buckets);
		log_error(component, "out of memory");
		return -1;
	}
	cb->bucket_mask = COMBINER_BUCKETS - 1;
	pthread_mutex_init(&cb->lock, NULL);
	pthread_cond_init(&cb->all_written, NULL);
	if (pthread_create(&cb->thread, NULL, combiner_main, cb) != 0) {
		log_error(component, "cannot start the combiner thread");
		return -1;
	}
	cb->started = 1;
	return 0;
}

void combiner_set_observer(struct combiner *cb, struct observer *obs)
{
	cb->observer = obs;
}

void combiner_wait_written(struct combiner *cb)
{
	pthread_mutex_lock(&cb->lock);
	while (cb->jobs_out != cb->jobs_in)
		pthread_cond_wait(&cb->all_written, &cb->lock);
	pthread_mutex_unlock(&cb->lock);
}

void combiner_stop(struct combiner *cb)
{
	struct message *m;

	if (cb->started) {
		m = message_new(MESSAGE_QUIT);
		if (m)
			push(cb, m);
		else
			queue_close(&cb->inbox);
		pthread_join(cb->thread, NULL);
		cb->started = 0;
	}
	while ((m = queue_try_pop(&cb->inbox))) {
		json_decref(m->record);
		job_free(m->job);
		free(m);
	}
	if (cb->flows_unclaimed)
		log_debug(component, "%lu flows were not ours and were dropped",
			  cb->flows_unclaimed);
	queue_destroy(&cb->inbox);
	free(cb->buckets);
	pthread_cond_destroy(&cb->all_written);
	pthread_mutex_destroy(&cb->lock);
}
