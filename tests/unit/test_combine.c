/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ecn plugin's conditions for every class of path the lab emulates,
 * the other plugins' conditions for the cases they tell apart, from
 * connection results and flow records built here, and the shape of the
 * output record.
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

static void test_combine_plugins(void);

void test_combine(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
	check_record_shape();
	test_combine_plugins();
}

/* A job of `n` connections with the given states and flow fields. */
struct plugin_case {
	const char *name;
	const struct plugin *plugin;
	struct plugin_params params;
	size_t configs;
	enum conn_state states[4];
	int http_versions[4];
	const char *flows[4]; /* JSON of each flow, NULL when not observed */
	const char *expected;
};

extern const struct plugin plugin_mss;
extern const struct plugin plugin_dscp;
extern const struct plugin plugin_tcpopt;
extern const struct plugin plugin_h2;
extern const struct plugin plugin_tfo;
extern const struct plugin plugin_evilbit;
extern const struct plugin plugin_udpzero;

static const struct plugin_case plugin_cases[] = {
    {"mss unchanged",
     &plugin_mss,
     {0},
     1,
     {CONN_OK},
     {0},
     {"{\"mss_value_fwd\":1460,\"mss_value_rev\":1460}"},
     "mss.connectivity.online mss.option.local.value:1460 "
     "mss.option.remote.value:1460 mss.option.received.unchanged"},
    {"mss clamped",
     &plugin_mss,
     {0},
     1,
     {CONN_OK},
     {0},
     {"{\"mss_value_fwd\":1460,\"mss_value_rev\":536}"},
     "mss.connectivity.online mss.option.local.value:1460 "
     "mss.option.remote.value:536 mss.option.received.deflated"},
    {"mss inflated",
     &plugin_mss,
     {0},
     1,
     {CONN_OK},
     {0},
     {"{\"mss_value_fwd\":1440,\"mss_value_rev\":8940}"},
     "mss.connectivity.online mss.option.local.value:1440 "
     "mss.option.remote.value:8940 mss.option.received.inflated"},
    {"mss stripped",
     &plugin_mss,
     {0},
     1,
     {CONN_OK},
     {0},
     {"{\"mss_value_fwd\":1460,\"mss_value_rev\":null}"},
     "mss.connectivity.online mss.option.local.value:1460 "
     "mss.option.received.absent"},
    {"mss offline",
     &plugin_mss,
     {0},
     1,
     {CONN_TIMEOUT},
     {0},
     {"{\"mss_value_fwd\":1460,\"mss_value_rev\":null}"},
     "mss.connectivity.offline"},
    {"dscp two codepoints",
     &plugin_dscp,
     {.codepoints = {48, 8}, .codepoint_count = 2},
     3,
     {CONN_OK, CONN_FAILED, CONN_OK},
     {0},
     {"{\"dscp_mark_syn_rev\":0}", "{\"dscp_mark_syn_rev\":null}",
      "{\"dscp_mark_syn_rev\":null,\"dscp_mark_data_rev\":8}"},
     "dscp.48.connectivity.broken dscp.8.connectivity.works "
     "dscp.0.replymark:0 dscp.8.replymark:8"},
    {"dscp not observed",
     &plugin_dscp,
     {.codepoints = {48}, .codepoint_count = 1},
     2,
     {CONN_OK, CONN_OK},
     {0},
     {"{\"dscp_mark_syn_rev\":12}", NULL},
     "dscp.48.connectivity.works dscp.0.replymark:12 "
     "pathspider.not_observed pathspider.missed_flows:1"},
    {"tcpopt ts stripped",
     &plugin_tcpopt,
     {0},
     4,
     {CONN_OK, CONN_OK, CONN_OK, CONN_TIMEOUT},
     {0},
     {"{\"tcpopt_ts\":false,\"tcpopt_ws\":false,\"tcpopt_sack\":false}",
      "{\"tcpopt_ts\":false}", "{\"tcpopt_ws\":true}", "{}"},
     "tsopt.connectivity.works tsopt.negotiation.failed "
     "tsopt.unsolicited.not_seen wsopt.connectivity.works "
     "wsopt.negotiation.succeeded wsopt.unsolicited.not_seen "
     "sack.connectivity.broken sack.unsolicited.not_seen"},
    {"tcpopt unsolicited",
     &plugin_tcpopt,
     {0},
     4,
     {CONN_OK, CONN_OK, CONN_OK, CONN_OK},
     {0},
     {"{\"tcpopt_ts\":true,\"tcpopt_ws\":false,\"tcpopt_sack\":false}",
      "{\"tcpopt_ts\":true}", "{\"tcpopt_ws\":true}", "{\"tcpopt_sack\":true}"},
     "tsopt.connectivity.works tsopt.negotiation.succeeded "
     "tsopt.unsolicited.seen wsopt.connectivity.works "
     "wsopt.negotiation.succeeded wsopt.unsolicited.not_seen "
     "sack.connectivity.works sack.negotiation.succeeded "
     "sack.unsolicited.not_seen"},
    {"h2 upgraded",
     &plugin_h2,
     {0},
     2,
     {CONN_OK, CONN_OK},
     {1, 2},
     {"{}", "{}"},
     "h2.connectivity.works h2.upgrade.success"},
    {"h2 stays http1",
     &plugin_h2,
     {0},
     2,
     {CONN_OK, CONN_OK},
     {1, 1},
     {"{}", "{}"},
     "h2.connectivity.works h2.upgrade.failed"},
    {"h2 breaks",
     &plugin_h2,
     {0},
     2,
     {CONN_OK, CONN_FAILED},
     {1, 0},
     {"{}", "{}"},
     "h2.connectivity.broken"},
    {"tfo cookie and data acked",
     &plugin_tfo,
     {0},
     3,
     {CONN_OK, CONN_OK, CONN_OK},
     {0},
     {"{}", "{\"tfo_ackclen\":8}",
      "{\"tfo_seq\":4294967290,\"tfo_dlen\":10,\"tfo_ack\":5}"},
     "tfo.connectivity.works tfo.cookie.received tfo.syndata.acked"},
    {"tfo data not acked",
     &plugin_tfo,
     {0},
     3,
     {CONN_OK, CONN_OK, CONN_OK},
     {0},
     {"{}", "{\"tfo_ackclen\":8}",
      "{\"tfo_seq\":100,\"tfo_dlen\":10,\"tfo_ack\":101}"},
     "tfo.connectivity.works tfo.cookie.received tfo.syndata.not_acked"},
    {"tfo no cookie",
     &plugin_tfo,
     {0},
     3,
     {CONN_OK, CONN_OK, CONN_OK},
     {0},
     {"{}", "{\"tfo_ackclen\":0}",
      "{\"tfo_seq\":100,\"tfo_dlen\":0,\"tfo_ack\":101}"},
     "tfo.connectivity.works tfo.cookie.not_received tfo.syndata.failed"},
    {"tfo syn data dropped",
     &plugin_tfo,
     {0},
     3,
     {CONN_OK, CONN_OK, CONN_TIMEOUT},
     {0},
     {"{}", "{\"tfo_ackclen\":8}", "{}"},
     "tfo.connectivity.broken tfo.cookie.received tfo.syndata.failed"},
    {"evilbit syn answered",
     &plugin_evilbit,
     {.connect = CONNECT_TCPSYN},
     2,
     {CONN_OK, CONN_OK},
     {0},
     {"{\"tcp_synflags_rev\":18}",
      "{\"tcp_synflags_rev\":18,\"evilbit_syn_rev\":true}"},
     "evilbit.connectivity.works evilbit.mark.seen"},
    {"evilbit syn dropped",
     &plugin_evilbit,
     {.connect = CONNECT_TCPSYN},
     2,
     {CONN_OK, CONN_OK},
     {0},
     {"{\"tcp_synflags_rev\":18}", "{\"tcp_synflags_rev\":null}"},
     "evilbit.connectivity.broken"},
    {"evilbit dns reply bleached",
     &plugin_evilbit,
     {.connect = CONNECT_DNSUDP},
     2,
     {CONN_OK, CONN_OK},
     {0},
     {"{\"dns_response_valid\":true}",
      "{\"dns_response_valid\":true,\"evilbit_data_rev\":false}"},
     "evilbit.connectivity.works evilbit.mark.not_seen"},
    {"evilbit ipv6 skipped",
     &plugin_evilbit,
     {.connect = CONNECT_TCPSYN},
     2,
     {CONN_SKIPPED, CONN_SKIPPED},
     {0},
     {NULL, NULL},
     ""},
    {"udpzero dropped",
     &plugin_udpzero,
     {.connect = CONNECT_DNSUDP},
     2,
     {CONN_OK, CONN_OK},
     {0},
     {"{\"dns_response_valid\":true}", "{\"dns_response_valid\":false}"},
     "udpzero.connectivity.broken"},
    {"udpzero no answers",
     &plugin_udpzero,
     {.connect = CONNECT_DNSUDP},
     2,
     {CONN_OK, CONN_OK},
     {0},
     {"{\"dns_response_valid\":false}", "{\"dns_response_valid\":false}"},
     "udpzero.connectivity.offline"},
};

static void check_plugin_case(const struct plugin_case *tc)
{
	struct job *job = calloc(1, sizeof(*job));
	json_t *rec;
	char got[512];

	test_case = tc->name;
	job->record = json_pack("{s:s}", "dip", "192.0.2.20");
	ip_addr_parse("192.0.2.20", &job->dip);
	job->dp = 80;
	job->config_count = tc->configs;
	for (size_t i = 0; i < tc->configs; i++) {
		struct conn_result *r = &job->results[i];

		r->state = tc->states[i];
		r->http_version = tc->http_versions[i];
		r->sp = (uint16_t)(41000 + i);
		ip_addr_parse("198.51.100.2", &r->sip);
		r->start = 2000.0;
		r->stop = 2000.5;
		if (tc->flows[i])
			r->flow = json_loads(tc->flows[i], 0, NULL);
	}
	CHECK(plugin_config_count(tc->plugin, &tc->params) == tc->configs,
	      "%zu configurations",
	      plugin_config_count(tc->plugin, &tc->params));
	rec = combiner_build_record(tc->plugin, &tc->params, job, 0);
	conditions_text(json_object_get(rec, "conditions"), got, sizeof(got));
	CHECK(strcmp(got, tc->expected) == 0, "got \"%s\"", got);
	json_decref(rec);
	job_free(job);
}

static void test_combine_plugins(void)
{
	for (size_t i = 0; i < sizeof(plugin_cases) / sizeof(plugin_cases[0]);
	     i++)
		check_plugin_case(&plugin_cases[i]);
}
