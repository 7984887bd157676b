/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mss: does the path change the Maximum Segment Size option (RFC 9293
 * section 3.7.1)?  One connection per target; the MSS the target's
 * SYN-ACK carried is compared with the one our SYN sent, so a middlebox
 * clamping (deflating), raising or stripping it shows.
 */
#include "plugin.h"

#include <stdio.h>

enum {
	MSS_ONLINE,
	MSS_OFFLINE,
	MSS_LOCAL_VALUE,
	MSS_REMOTE_VALUE,
	MSS_DEFLATED,
	MSS_UNCHANGED,
	MSS_INFLATED,
	MSS_ABSENT,
	MSS_CONDITION_COUNT,
};

static const char *const mss_conditions[MSS_CONDITION_COUNT + 1] = {
    [MSS_ONLINE] = "mss.connectivity.online",
    [MSS_OFFLINE] = "mss.connectivity.offline",
    [MSS_LOCAL_VALUE] = "mss.option.local.value:",
    [MSS_REMOTE_VALUE] = "mss.option.remote.value:",
    [MSS_DEFLATED] = "mss.option.received.deflated",
    [MSS_UNCHANGED] = "mss.option.received.unchanged",
    [MSS_INFLATED] = "mss.option.received.inflated",
    [MSS_ABSENT] = "mss.option.received.absent",
    [MSS_CONDITION_COUNT] = NULL,
};

static const char *const mss_configs[] = {"mss", NULL};
static const char *const mss_chains[] = {"basic", "tcp", "mss", NULL};

static void add(json_t *conditions, int which)
{
	json_array_append_new(conditions, json_string(mss_conditions[which]));
}

static void add_value(json_t *conditions, int which, json_int_t value)
{
	char text[64];

	snprintf(text, sizeof(text), "%s%lld", mss_conditions[which],
		 (long long)value);
	json_array_append_new(conditions, json_string(text));
}

static void mss_combine(const struct plugin_params *params,
			const struct job *job, json_t *conditions)
{
	const struct conn_result *r = &job->results[0];
	json_t *local, *remote;

	(void)params;
	add(conditions, r->state == CONN_OK ? MSS_ONLINE : MSS_OFFLINE);
	if (r->state == CONN_OK && r->flow) {
		local = json_object_get(r->flow, "mss_value_fwd");
		remote = json_object_get(r->flow, "mss_value_rev");
		if (json_is_integer(local))
			add_value(conditions, MSS_LOCAL_VALUE,
				  json_integer_value(local));
		if (!json_is_integer(remote)) {
			add(conditions, MSS_ABSENT);
		} else {
			json_int_t l = json_integer_value(local);
			json_int_t v = json_integer_value(remote);

			add_value(conditions, MSS_REMOTE_VALUE, v);
			add(conditions, v < l	 ? MSS_DEFLATED
					: v == l ? MSS_UNCHANGED
						 : MSS_INFLATED);
		}
	}
	plugin_add_missed_flows(conditions, job);
}

const struct plugin plugin_mss = {
    .name = "mss",
    .description = "TCP Maximum Segment Size option changed on the path",
    .kind = PLUGIN_SINGLE,
    .chains = mss_chains,
    .configs = mss_configs,
    .connect_modes = CONNECT_MASK(CONNECT_TCP) | CONNECT_MASK(CONNECT_HTTP) |
		     CONNECT_MASK(CONNECT_HTTPS),
    .default_connect = CONNECT_TCP,
    .conditions = mss_conditions,
    .config_count = plugin_no_config_count,
    .prepare = plugin_no_prepare,
    .combine = mss_combine,
    .step_begin = plugin_no_step_begin,
    .step_end = plugin_no_step_end,
};
