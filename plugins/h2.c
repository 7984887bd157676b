/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * h2: does HTTP/2 (RFC 9113) get through?  Connection A requests
 * HTTP/1.1, connection B HTTP/2: over http by the HTTP/1.1 Upgrade
 * to h2c, over https by TLS ALPN.  The upgrade succeeded when B's
 * response came over HTTP/2.
 */
#include "plugin.h"

enum {
	H2_WORKS,
	H2_BROKEN,
	H2_TRANSIENT,
	H2_OFFLINE,
	H2_UPGRADE_SUCCESS,
	H2_UPGRADE_FAILED,
	H2_CONDITION_COUNT,
};

static const char *const h2_conditions[H2_CONDITION_COUNT + 1] = {
    [H2_WORKS] = "h2.connectivity.works",
    [H2_BROKEN] = "h2.connectivity.broken",
    [H2_TRANSIENT] = "h2.connectivity.transient",
    [H2_OFFLINE] = "h2.connectivity.offline",
    [H2_UPGRADE_SUCCESS] = "h2.upgrade.success",
    [H2_UPGRADE_FAILED] = "h2.upgrade.failed",
    [H2_CONDITION_COUNT] = NULL,
};

enum { CONFIG_HTTP1, CONFIG_HTTP2 };

static const char *const h2_configs[] = {"http1", "http2", NULL};
static const char *const h2_chains[] = {"basic", "tcp", NULL};

static void h2_prepare(const struct plugin_params *params, size_t config,
		       struct conn_setup *setup)
{
	(void)params;
	setup->http_version = config == CONFIG_HTTP2 ? 2 : 1;
}

static void h2_combine(const struct plugin_params *params,
		       const struct job *job, json_t *conditions)
{
	const struct conn_result *a = &job->results[CONFIG_HTTP1];
	const struct conn_result *b = &job->results[CONFIG_HTTP2];

	(void)params;
	plugin_add_connectivity(conditions, &h2_conditions[H2_WORKS],
				a->state == CONN_OK, b->state == CONN_OK);
	if (b->state == CONN_OK)
		json_array_append_new(
		    conditions,
		    json_string(h2_conditions[b->http_version == 2
						  ? H2_UPGRADE_SUCCESS
						  : H2_UPGRADE_FAILED]));
	plugin_add_missed_flows(conditions, job);
}

const struct plugin plugin_h2 = {
    .name = "h2",
    .description = "HTTP/2 by h2c upgrade or TLS ALPN",
    .kind = PLUGIN_DESYNCHRONISED,
    .chains = h2_chains,
    .configs = h2_configs,
    .connect_modes = CONNECT_MASK(CONNECT_HTTP) | CONNECT_MASK(CONNECT_HTTPS),
    .default_connect = CONNECT_HTTP,
    .conditions = h2_conditions,
    .config_count = plugin_no_config_count,
    .prepare = h2_prepare,
    .combine = h2_combine,
    .step_begin = plugin_no_step_begin,
    .step_end = plugin_no_step_end,
};
