/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ecn plugin's conditions for every class of path the lab emulates,
 * from connection results and flow records built here, and the shape of
 * the output record.
 */
#include "combiner.h"
#include "harness.h"

#include <string.h>

extern const struct plugin plugin_ecn;

static const struct plugin_params params = {
    .connect = CONNECT_HTTP,
    .timeout = 2,
};

#define SA   (TCP_SYN | TCP_ACK)
#define SAE  (TCP_SYN | TCP_ACK | TCP_ECE)
#define SAEW (TCP_SYN | TCP_ACK | TCP_ECE | TCP_CWR)

enum mark { MARK_NONE, MARK_ECT0 = 1, MARK_ECT1 = 2, MARK_CE = 4 };

struct combine_case {
	const char *name;
	enum conn_state a;
	enum conn_state b;
	int a_observed;
	int b_observed;
	int b_synflags_rev; /* -1: no SYN-ACK seen */
	int b_marks_syn_rev;
	int b_marks_data_rev;
	const char *expected; /* conditions joined by spaces */
};

static const struct combine_case cases[] = {
    {"clean ecn server", CONN_OK, CONN_OK, 1, 1, SAE, 0, MARK_ECT0,
     "ecn.connectivity.works ecn.negotiation.succeeded "
     "ecn.ipmark.ect0.seen ecn.ipmark.ect1.not_seen ecn.ipmark.ce.not_seen"},
    {"server without ecn", CONN_OK, CONN_OK, 1, 1, SA, 0, 0,
     "ecn.connectivity.works ecn.negotiation.failed "
     "ecn.ipmark.ect0.not_seen ecn.ipmark.ect1.not_seen "
     "ecn.ipmark.ce.not_seen"},
    {"ecn syn dropped", CONN_OK, CONN_TIMEOUT, 1, 1, -1, 0, 0,
     "ecn.connectivity.broken"},
    {"ecn syn reset", CONN_OK, CONN_FAILED, 1, 1, -1, 0, 0,
     "ecn.connectivity.broken"},
    {"ecn syn unreachable", CONN_OK, CONN_FAILED, 1, 1, -1, 0, 0,
     "ecn.connectivity.broken"},
    {"ect data dropped", CONN_OK, CONN_TIMEOUT, 1, 1, SAE, 0, 0,
     "ecn.connectivity.broken"},
    {"marks bleached", CONN_OK, CONN_OK, 1, 1, SAE, 0, 0,
     "ecn.connectivity.works ecn.negotiation.succeeded "
     "ecn.ipmark.ect0.not_seen ecn.ipmark.ect1.not_seen "
     "ecn.ipmark.ce.not_seen"},
    {"ce marked", CONN_OK, CONN_OK, 1, 1, SAE, 0, MARK_CE,
     "ecn.connectivity.works ecn.negotiation.succeeded "
     "ecn.ipmark.ect0.not_seen ecn.ipmark.ect1.not_seen "
     "ecn.ipmark.ce.seen"},
    {"ect1 on syn-ack", CONN_OK, CONN_OK, 1, 1, SAE, MARK_ECT1, 0,
     "ecn.connectivity.works ecn.negotiation.succeeded "
     "ecn.ipmark.ect0.not_seen ecn.ipmark.ect1.seen "
     "ecn.ipmark.ce.not_seen"},
    {"ece and cwr reflected", CONN_OK, CONN_OK, 1, 1, SAEW, 0, MARK_ECT0,
     "ecn.connectivity.works ecn.negotiation.reflected "
     "ecn.ipmark.ect0.seen ecn.ipmark.ect1.not_seen "
     "ecn.ipmark.ce.not_seen"},
    {"target offline", CONN_TIMEOUT, CONN_TIMEOUT, 1, 1, -1, 0, 0,
     "ecn.connectivity.offline"},
    {"baseline only fails", CONN_TIMEOUT, CONN_OK, 1, 1, SAE, 0, MARK_ECT0,
     "ecn.connectivity.transient ecn.negotiation.succeeded "
     "ecn.ipmark.ect0.seen ecn.ipmark.ect1.not_seen "
     "ecn.ipmark.ce.not_seen"},
    {"experiment not observed", CONN_OK, CONN_OK, 1, 0, -1, 0, 0,
     "ecn.connectivity.works pathspider.not_observed "
     "pathspider.missed_flows:1"},
    {"nothing observed", CONN_FAILED, CONN_FAILED, 0, 0, -1, 0, 0,
     "ecn.connectivity.offline pathspider.not_observed "
     "pathspider.missed_flows:2"},
};

static json_t *make_flow(int synflags_rev, int marks_syn, int marks_data)
{
	static const char *const names[] = {"ect0", "ect1", "ce"};
	json_t *flow = json_object();
	char field[32];

	json_object_set_new(flow, "tcp_synflags_rev",
			    synflags_rev < 0 ? json_null()
					     : json_integer(synflags_rev));
	for (int m = 0; m < 3; m++) {
		snprintf(field, sizeof(field), "ecn_%s_syn_rev", names[m]);
		json_object_set_new(flow, field,
				    json_boolean(marks_syn & (1 << m)));
		snprintf(field, sizeof(field), "ecn_%s_data_rev", names[m]);
		json_object_set_new(flow, field,
				    json_boolean(marks_data & (1 << m)));
	}
	return flow;
}

static struct job *make_job(const struct combine_case *tc)
{
	struct job *job = calloc(1, sizeof(*job));

	job->record = json_pack("{s:s, s:i, s:{s:s}}", "dip", "192.0.2.10",
				"dp", 80, "extra", "kept", "yes");
	ip_addr_parse("192.0.2.10", &job->dip);
	job->dp = 80;
	job->config_count = 2;
	for (int i = 0; i < 2; i++) {
		struct conn_result *r = &job->results[i];

		ip_addr_parse("198.51.100.2", &r->sip);
		r->sp = (uint16_t)(40000 + i);
		r->start = 1000.0 + i;
		r->stop = 1000.5 + i;
	}
	job->results[0].state = tc->a;
	job->results[1].state = tc->b;
	if (tc->a_observed)
		job->results[0].flow = make_flow(SA, 0, 0);
	if (tc->b_observed)
		job->results[1].flow =
		    make_flow(tc->b_synflags_rev, tc->b_marks_syn_rev,
			      tc->b_marks_data_rev);
	return job;
}

static void conditions_text(const json_t *conditions, char *buf, size_t len)
{
	size_t i;
	json_t *c;

	buf[0] = '\0';
	json_array_foreach(conditions, i, c)
	{
		if (i)
			strncat(buf, " ", len - strlen(buf) - 1);
		strncat(buf, json_string_value(c), len - strlen(buf) - 1);
	}
}

static void check_case(const struct combine_case *tc)
{
	struct job *job = make_job(tc);
	json_t *rec = combiner_build_record(&plugin_ecn, &params, job, 0);
	char got[512];

	test_case = tc->name;
	conditions_text(json_object_get(rec, "conditions"), got, sizeof(got));
	CHECK(strcmp(got, tc->expected) == 0, "got \"%s\"", got);
	json_decref(rec);
	job_free(job);
}

static void check_record_shape(void)
{
	struct job *job = make_job(&cases[0]);
	json_t *rec = combiner_build_record(&plugin_ecn, &params, job, 1);
	json_t *time_range = json_object_get(rec, "time");
	json_t *flows = json_object_get(rec, "flow_results");
	json_t *b = json_array_get(flows, 1);
	const char *from =
	    json_string_value(json_object_get(time_range, "from"));

	test_case = "record shape";
	CHECK(strcmp(json_string_value(json_object_get(rec, "dip")),
		     "192.0.2.10") == 0,
	      "dip changed");
	CHECK(json_is_object(json_object_get(rec, "extra")),
	      "nested input field lost");
	CHECK(strcmp(json_string_value(json_object_get(rec, "sip")),
		     "198.51.100.2") == 0,
	      "sip");
	CHECK(from && strcmp(from, "1970-01-01 00:16:40.000000") == 0,
	      "time.from %s", from ? from : "(none)");
	CHECK(json_array_size(flows) == 2, "flow_results size %zu",
	      json_array_size(flows));
	CHECK(json_integer_value(json_object_get(b, "sp")) == 40001, "sp");
	CHECK(json_integer_value(json_object_get(b, "spdr_state")) == CONN_OK,
	      "spdr_state");
	CHECK(json_is_true(json_object_get(b, "observed")), "observed");
	CHECK(json_integer_value(json_object_get(b, "config")) == 1, "config");
	CHECK(json_integer_value(json_object_get(rec, "missed_flows")) == 0,
	      "missed_flows");
	json_decref(rec);
	job_free(job);
}

void test_combine(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
	check_record_shape();
}
