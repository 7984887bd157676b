/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tcpopt: do the timestamp and window scale options (RFC 7323) and SACK
 * (RFC 2018) get through?  Connection A offers none of them; B1, B2 and
 * B3 offer one each.  The offers are host-wide sysctls (which cover IPv6
 * too), so the configurations run one after another.
 *
 * Conditions per option X: X.connectivity.* compares A with X's B;
 * X.negotiation.succeeded or failed shows whether X's SYN-ACK carried the
 * option; X.unsolicited.seen or not_seen whether A's SYN-ACK carried it
 * although A offered none.
 */
#include "plugin.h"

enum {
	TS_WORKS,
	TS_BROKEN,
	TS_TRANSIENT,
	TS_OFFLINE,
	TS_SUCCEEDED,
	TS_FAILED,
	TS_UNSOLICITED_SEEN,
	TS_UNSOLICITED_NOT_SEEN,
	WS_WORKS,
	WS_BROKEN,
	WS_TRANSIENT,
	WS_OFFLINE,
	WS_SUCCEEDED,
	WS_FAILED,
	WS_UNSOLICITED_SEEN,
	WS_UNSOLICITED_NOT_SEEN,
	SACK_WORKS,
	SACK_BROKEN,
	SACK_TRANSIENT,
	SACK_OFFLINE,
	SACK_SUCCEEDED,
	SACK_FAILED,
	SACK_UNSOLICITED_SEEN,
	SACK_UNSOLICITED_NOT_SEEN,
	TCPOPT_CONDITION_COUNT,
};

/* Each option's block of conditions, in the order of the enum above. */
#define TCPOPT_BLOCK (WS_WORKS - TS_WORKS)

static const char *const tcpopt_conditions[TCPOPT_CONDITION_COUNT + 1] = {
    [TS_WORKS] = "tsopt.connectivity.works",
    [TS_BROKEN] = "tsopt.connectivity.broken",
    [TS_TRANSIENT] = "tsopt.connectivity.transient",
    [TS_OFFLINE] = "tsopt.connectivity.offline",
    [TS_SUCCEEDED] = "tsopt.negotiation.succeeded",
    [TS_FAILED] = "tsopt.negotiation.failed",
    [TS_UNSOLICITED_SEEN] = "tsopt.unsolicited.seen",
    [TS_UNSOLICITED_NOT_SEEN] = "tsopt.unsolicited.not_seen",
    [WS_WORKS] = "wsopt.connectivity.works",
    [WS_BROKEN] = "wsopt.connectivity.broken",
    [WS_TRANSIENT] = "wsopt.connectivity.transient",
    [WS_OFFLINE] = "wsopt.connectivity.offline",
    [WS_SUCCEEDED] = "wsopt.negotiation.succeeded",
    [WS_FAILED] = "wsopt.negotiation.failed",
    [WS_UNSOLICITED_SEEN] = "wsopt.unsolicited.seen",
    [WS_UNSOLICITED_NOT_SEEN] = "wsopt.unsolicited.not_seen",
    [SACK_WORKS] = "sack.connectivity.works",
    [SACK_BROKEN] = "sack.connectivity.broken",
    [SACK_TRANSIENT] = "sack.connectivity.transient",
    [SACK_OFFLINE] = "sack.connectivity.offline",
    [SACK_SUCCEEDED] = "sack.negotiation.succeeded",
    [SACK_FAILED] = "sack.negotiation.failed",
    [SACK_UNSOLICITED_SEEN] = "sack.unsolicited.seen",
    [SACK_UNSOLICITED_NOT_SEEN] = "sack.unsolicited.not_seen",
    [TCPOPT_CONDITION_COUNT] = NULL,
};

enum { CONFIG_NONE, CONFIG_TS, CONFIG_WS, CONFIG_SACK };

static const char *const tcpopt_configs[] = {"none", "tsopt", "wsopt", "sack",
					     NULL};
static const char *const tcpopt_chains[] = {"basic", "tcp", "tcpopt", NULL};

static const struct plugin_sysctl tcpopt_sysctls[] = {
    {"net/ipv4/tcp_timestamps", {"0", "1", "0", "0"}},
    {"net/ipv4/tcp_window_scaling", {"0", "0", "1", "0"}},
    {"net/ipv4/tcp_sack", {"0", "0", "0", "1"}},
    {NULL, {NULL}},
};

/* The chain field telling whether the SYN-ACK carried each option. */
static const char *const tcpopt_fields[] = {"tcpopt_ts", "tcpopt_ws",
					    "tcpopt_sack"};

static void add(json_t *conditions, int which)
{
	json_array_append_new(conditions,
			      json_string(tcpopt_conditions[which]));
}

static void tcpopt_combine(const struct plugin_params *params,
			   const struct job *job, json_t *conditions)
{
	const struct conn_result *a = &job->results[CONFIG_NONE];

	(void)params;
	for (int opt = 0; opt < 3; opt++) {
		const struct conn_result *b = &job->results[CONFIG_TS + opt];
		const char *field = tcpopt_fields[opt];
		int base = opt * TCPOPT_BLOCK;

		plugin_add_connectivity(
		    conditions, &tcpopt_conditions[base + TS_WORKS],
		    a->state == CONN_OK, b->state == CONN_OK);
		if (b->state == CONN_OK && b->flow)
			add(conditions,
			    base +
				(json_is_true(json_object_get(b->flow, field))
				     ? TS_SUCCEEDED
				     : TS_FAILED));
		if (a->state == CONN_OK && a->flow)
			add(conditions,
			    base +
				(json_is_true(json_object_get(a->flow, field))
				     ? TS_UNSOLICITED_SEEN
				     : TS_UNSOLICITED_NOT_SEEN));
	}
	plugin_add_missed_flows(conditions, job);
}

const struct plugin plugin_tcpopt = {
    .name = "tcpopt",
    .description = "TCP timestamp, window scale and SACK options",
    .kind = PLUGIN_SYNCHRONISED,
    .chains = tcpopt_chains,
    .configs = tcpopt_configs,
    .connect_modes = CONNECT_MASK(CONNECT_TCP) | CONNECT_MASK(CONNECT_HTTP) |
		     CONNECT_MASK(CONNECT_HTTPS),
    .default_connect = CONNECT_TCP,
    .sysctls = tcpopt_sysctls,
    .conditions = tcpopt_conditions,
    .config_count = plugin_no_config_count,
    .prepare = plugin_no_prepare,
    .combine = tcpopt_combine,
    .step_begin = plugin_no_step_begin,
    .step_end = plugin_no_step_end,
};
