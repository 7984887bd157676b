/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dscp: do DiffServ codepoints (RFC 2474) get through, and what comes
 * back?  Connection A is unmarked; one connection B per codepoint N
 * (--codepoint, default 48) carries N in the IP header, set on its socket
 * (IP_TOS, IPV6_TCLASS), so no host-wide setting changes and all the
 * connections of a target run at once.
 *
 * Conditions: dscp.N.connectivity.* compares A with the B of N, and for
 * every connection that connected and was observed, dscp.M.replymark:R
 * gives the first DSCP R seen from the target (on the SYN-ACK, else on
 * data) when M was sent (0 for A).
 */
#include "plugin.h"

#include <stdio.h>

enum {
	DSCP_WORKS,
	DSCP_BROKEN,
	DSCP_TRANSIENT,
	DSCP_OFFLINE,
	DSCP_REPLYMARK,
	DSCP_CONDITION_COUNT,
};

/* N stands for the codepoint sent; the reply mark follows the colon. */
#define DSCP_PREFIX "dscp.N."

static const char *const dscp_conditions[DSCP_CONDITION_COUNT + 1] = {
    [DSCP_WORKS] = DSCP_PREFIX "connectivity.works",
    [DSCP_BROKEN] = DSCP_PREFIX "connectivity.broken",
    [DSCP_TRANSIENT] = DSCP_PREFIX "connectivity.transient",
    [DSCP_OFFLINE] = DSCP_PREFIX "connectivity.offline",
    [DSCP_REPLYMARK] = DSCP_PREFIX "replymark:",
    [DSCP_CONDITION_COUNT] = NULL,
};

static const char *const dscp_configs[] = {"baseline", "dscp", NULL};
static const char *const dscp_chains[] = {"basic", "tcp", "dscp", "dns", NULL};

static size_t dscp_config_count(const struct plugin_params *params)
{
	return 1 + params->codepoint_count;
}

static void dscp_prepare(const struct plugin_params *params, size_t config,
			 struct conn_setup *setup)
{
	/* The ECN bits stay 0: the kernel owns them. */
	setup->tos = config == 0 ? 0 : params->codepoints[config - 1] << 2;
}

static void add_connectivity(json_t *conditions, int codepoint, int a_ok,
			     int b_ok)
{
	int which = a_ok ? (b_ok ? DSCP_WORKS : DSCP_BROKEN)
			 : (b_ok ? DSCP_TRANSIENT : DSCP_OFFLINE);
	char text[64];

	snprintf(text, sizeof(text), "dscp.%d.%s", codepoint,
		 dscp_conditions[which] + sizeof(DSCP_PREFIX) - 1);
	json_array_append_new(conditions, json_string(text));
}

/* Adds dscp.M.replymark:R when the connection shows a reply mark. */
static void add_replymark(json_t *conditions, int sent,
			  const struct conn_result *r)
{
	json_t *mark;
	char text[64];

	if (r->state != CONN_OK || !r->flow)
		return;
	mark = json_object_get(r->flow, "dscp_mark_syn_rev");
	if (!json_is_integer(mark))
		mark = json_object_get(r->flow, "dscp_mark_data_rev");
	if (!json_is_integer(mark))
		return;
	snprintf(text, sizeof(text), "dscp.%d.%s%d", sent,
		 dscp_conditions[DSCP_REPLYMARK] + sizeof(DSCP_PREFIX) - 1,
		 (int)json_integer_value(mark));
	json_array_append_new(conditions, json_string(text));
}

static void dscp_combine(const struct plugin_params *params,
			 const struct job *job, json_t *conditions)
{
	const struct conn_result *a = &job->results[0];

	for (size_t i = 0; i < params->codepoint_count; i++)
		add_connectivity(conditions, params->codepoints[i],
				 a->state == CONN_OK,
				 job->results[i + 1].state == CONN_OK);
	add_replymark(conditions, 0, a);
	for (size_t i = 0; i < params->codepoint_count; i++)
		add_replymark(conditions, params->codepoints[i],
			      &job->results[i + 1]);
	plugin_add_missed_flows(conditions, job);
}

const struct plugin plugin_dscp = {
    .name = "dscp",
    .description = "DiffServ codepoints (RFC 2474) on the path",
    .kind = PLUGIN_DESYNCHRONISED,
    .chains = dscp_chains,
    .configs = dscp_configs,
    .connect_modes = CONNECT_MASK(CONNECT_TCP) | CONNECT_MASK(CONNECT_HTTP) |
		     CONNECT_MASK(CONNECT_HTTPS) |
		     CONNECT_MASK(CONNECT_DNSTCP) |
		     CONNECT_MASK(CONNECT_DNSUDP),
    .default_connect = CONNECT_HTTP,
    .conditions = dscp_conditions,
    .options = PLUGIN_OPTION_CODEPOINT,
    .config_count = dscp_config_count,
    .prepare = dscp_prepare,
    .combine = dscp_combine,
    .step_begin = plugin_no_step_begin,
    .step_end = plugin_no_step_end,
};
