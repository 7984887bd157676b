/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecn: does ECN (RFC 3168) get through?  Connection A leaves ECN off
 * (net.ipv4.tcp_ecn=2: answer ECN, never ask); connection B asks for it
 * (tcp_ecn=1).  The sysctl covers IPv6 too.  ECN fallback (RFC 3168
 * section 6.1.1.1) is turned off for the run: with it, the kernel would
 * retransmit a lost ECN-setup SYN without ECN and hide the drop.
 *
 * Conditions, from B's flow: the SYN-ACK's ECE and CWR bits give the
 * negotiation outcome, and the IP ECN field of packets from the target
 * gives the marks seen.
 *
 * With --desync, tcp_ecn stays 2 for the run and B's target gets a host
 * route with the ECN feature for the time of B's connection, so every
 * target runs on its own and no batch waits for its slowest target.
 */
#include "plugin.h"

#include "../src/packet.h"
#include "../src/route.h"

enum {
	ECN_WORKS,
	ECN_BROKEN,
	ECN_TRANSIENT,
	ECN_OFFLINE,
	ECN_NEGOTIATION_SUCCEEDED,
	ECN_NEGOTIATION_FAILED,
	ECN_NEGOTIATION_REFLECTED,
	ECN_ECT0_SEEN,
	ECN_ECT0_NOT_SEEN,
	ECN_ECT1_SEEN,
	ECN_ECT1_NOT_SEEN,
	ECN_CE_SEEN,
	ECN_CE_NOT_SEEN,
	ECN_CONDITION_COUNT,
};

static const char *const ecn_conditions[ECN_CONDITION_COUNT + 1] = {
    [ECN_WORKS] = "ecn.connectivity.works",
    [ECN_BROKEN] = "ecn.connectivity.broken",
    [ECN_TRANSIENT] = "ecn.connectivity.transient",
    [ECN_OFFLINE] = "ecn.connectivity.offline",
    [ECN_NEGOTIATION_SUCCEEDED] = "ecn.negotiation.succeeded",
    [ECN_NEGOTIATION_FAILED] = "ecn.negotiation.failed",
    [ECN_NEGOTIATION_REFLECTED] = "ecn.negotiation.reflected",
    [ECN_ECT0_SEEN] = "ecn.ipmark.ect0.seen",
    [ECN_ECT0_NOT_SEEN] = "ecn.ipmark.ect0.not_seen",
    [ECN_ECT1_SEEN] = "ecn.ipmark.ect1.seen",
    [ECN_ECT1_NOT_SEEN] = "ecn.ipmark.ect1.not_seen",
    [ECN_CE_SEEN] = "ecn.ipmark.ce.seen",
    [ECN_CE_NOT_SEEN] = "ecn.ipmark.ce.not_seen",
    [ECN_CONDITION_COUNT] = NULL,
};

enum { CONFIG_BASELINE, CONFIG_ECN };

static const char *const ecn_configs[] = {"baseline", "ecn", NULL};

static const char *const ecn_chains[] = {"basic", "tcp", "ecn", "dns", NULL};

static const struct plugin_sysctl ecn_sysctls[] = {
    {"net/ipv4/tcp_ecn", {[CONFIG_BASELINE] = "2", [CONFIG_ECN] = "1"}},
    {NULL, {NULL}},
};

static const struct plugin_sysctl ecn_run_sysctls[] = {
    {"net/ipv4/tcp_ecn_fallback", {"0"}},
    {NULL, {NULL}},
};

/* --desync: ECN off host-wide, on per target through a host route. */
static const struct plugin_sysctl ecn_desync_run_sysctls[] = {
    {"net/ipv4/tcp_ecn", {"2"}},
    {"net/ipv4/tcp_ecn_fallback", {"0"}},
    {NULL, {NULL}},
};

static int ecn_step_begin(const struct job *job, size_t config)
{
	return config == CONFIG_ECN ? route_ecn_add(&job->dip) : 0;
}

static void ecn_step_end(const struct job *job, size_t config)
{
	if (config == CONFIG_ECN)
		route_ecn_del(&job->dip);
}

static void add(json_t *conditions, int which)
{
	json_array_append_new(conditions, json_string(ecn_conditions[which]));
}

static int flow_flag(const json_t *flow, const char *field)
{
	return json_is_true(json_object_get(flow, field));
}

/* Adds SEEN or NOT_SEEN for one codepoint on SYN-ACK or data from B. */
static void add_mark(json_t *conditions, const json_t *flow, const char *syn,
		     const char *data, int seen, int not_seen)
{
	int marked = flow_flag(flow, syn) || flow_flag(flow, data);

	add(conditions, marked ? seen : not_seen);
}

static void ecn_add_negotiation(json_t *conditions, const json_t *flow)
{
	json_t *flags = json_object_get(flow, "tcp_synflags_rev");
	json_int_t f = json_is_integer(flags) ? json_integer_value(flags) : 0;

	if ((f & (TCP_ECE | TCP_CWR)) == TCP_ECE)
		add(conditions, ECN_NEGOTIATION_SUCCEEDED);
	else if ((f & (TCP_ECE | TCP_CWR)) == (TCP_ECE | TCP_CWR))
		add(conditions, ECN_NEGOTIATION_REFLECTED);
	else
		add(conditions, ECN_NEGOTIATION_FAILED);
}

static void ecn_combine(const struct plugin_params *params,
			const struct job *job, json_t *conditions)
{
	const struct conn_result *a = &job->results[CONFIG_BASELINE];
	const struct conn_result *b = &job->results[CONFIG_ECN];

	(void)params;
	plugin_add_connectivity(conditions, &ecn_conditions[ECN_WORKS],
				a->state == CONN_OK, b->state == CONN_OK);

	if (b->state == CONN_OK && b->flow) {
		ecn_add_negotiation(conditions, b->flow);
		add_mark(conditions, b->flow, "ecn_ect0_syn_rev",
			 "ecn_ect0_data_rev", ECN_ECT0_SEEN, ECN_ECT0_NOT_SEEN);
		add_mark(conditions, b->flow, "ecn_ect1_syn_rev",
			 "ecn_ect1_data_rev", ECN_ECT1_SEEN, ECN_ECT1_NOT_SEEN);
		add_mark(conditions, b->flow, "ecn_ce_syn_rev",
			 "ecn_ce_data_rev", ECN_CE_SEEN, ECN_CE_NOT_SEEN);
	}
	plugin_add_missed_flows(conditions, job);
}

const struct plugin plugin_ecn = {
    .name = "ecn",
    .description = "Explicit Congestion Notification (RFC 3168)",
    .kind = PLUGIN_SYNCHRONISED,
    .chains = ecn_chains,
    .configs = ecn_configs,
    .connect_modes = CONNECT_MASK(CONNECT_TCP) | CONNECT_MASK(CONNECT_HTTP) |
		     CONNECT_MASK(CONNECT_HTTPS) | CONNECT_MASK(CONNECT_DNSTCP),
    .default_connect = CONNECT_HTTP,
    .sysctls = ecn_sysctls,
    .run_sysctls = ecn_run_sysctls,
    .conditions = ecn_conditions,
    .config_count = plugin_no_config_count,
    .prepare = plugin_no_prepare,
    .combine = ecn_combine,
    .options = PLUGIN_OPTION_DESYNC,
    .desync_run_sysctls = ecn_desync_run_sysctls,
    .step_begin = ecn_step_begin,
    .step_end = ecn_step_end,
};
