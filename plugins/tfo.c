/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tfo: does TCP Fast Open (RFC 7413) get through?  Three connections, one
 * after another: A without Fast Open; B1 with Fast Open, which requests a
 * cookie from the target; B2 with Fast Open again, which sends its first data
 * on the SYN with the cookie the kernel kept from B1.  The kernel needs
 * client Fast Open on (net.ipv4.tcp_fastopen bit 1, its default), and a
 * target's connections run in order.  Before B1 the kernel's cached
 * cookie for the target is deleted, so B1 always requests a new one.
 *
 * Conditions: tfo.connectivity.* compares A with B2; tfo.cookie.received
 * when B1's SYN-ACK carried a cookie; tfo.syndata.acked when B2's SYN-ACK
 * acknowledged the data on its SYN, not_acked when it acknowledged the SYN
 * only, failed when B2 sent no data on its SYN or did not connect.
 *
 * NOTE: only http is offered.  With c-ares 1.18, a dnstcp query on a
 * socket with TCP_FASTOPEN_CONNECT failed before any packet left (seen on
 * the lab); the cause is not yet known.
 */
#include "plugin.h"

#include "../src/tcpmetrics.h"

enum {
	TFO_WORKS,
	TFO_BROKEN,
	TFO_TRANSIENT,
	TFO_OFFLINE,
	TFO_COOKIE_RECEIVED,
	TFO_COOKIE_NOT_RECEIVED,
	TFO_SYNDATA_ACKED,
	TFO_SYNDATA_NOT_ACKED,
	TFO_SYNDATA_FAILED,
	TFO_CONDITION_COUNT,
};

static const char *const tfo_conditions[TFO_CONDITION_COUNT + 1] = {
    [TFO_WORKS] = "tfo.connectivity.works",
    [TFO_BROKEN] = "tfo.connectivity.broken",
    [TFO_TRANSIENT] = "tfo.connectivity.transient",
    [TFO_OFFLINE] = "tfo.connectivity.offline",
    [TFO_COOKIE_RECEIVED] = "tfo.cookie.received",
    [TFO_COOKIE_NOT_RECEIVED] = "tfo.cookie.not_received",
    [TFO_SYNDATA_ACKED] = "tfo.syndata.acked",
    [TFO_SYNDATA_NOT_ACKED] = "tfo.syndata.not_acked",
    [TFO_SYNDATA_FAILED] = "tfo.syndata.failed",
    [TFO_CONDITION_COUNT] = NULL,
};

enum { CONFIG_PLAIN, CONFIG_COOKIE, CONFIG_DATA };

static const char *const tfo_configs[] = {"plain", "cookie", "syndata", NULL};
static const char *const tfo_chains[] = {"basic", "tcp", "tfo", NULL};

static void tfo_prepare(const struct plugin_params *params, size_t config,
			struct conn_setup *setup)
{
	(void)params;
	setup->fast_open = config != CONFIG_PLAIN;
}

static int tfo_step_begin(const struct job *job, size_t config)
{
	return config == CONFIG_COOKIE ? tcp_metrics_forget(&job->dip) : 0;
}

static void add(json_t *conditions, int which)
{
	json_array_append_new(conditions, json_string(tfo_conditions[which]));
}

static json_int_t field(const json_t *flow, const char *name)
{
	return json_integer_value(json_object_get(flow, name));
}

static void tfo_combine(const struct plugin_params *params,
			const struct job *job, json_t *conditions)
{
	const struct conn_result *a = &job->results[CONFIG_PLAIN];
	const struct conn_result *cookie = &job->results[CONFIG_COOKIE];
	const struct conn_result *data = &job->results[CONFIG_DATA];

	(void)params;
	plugin_add_connectivity(conditions, &tfo_conditions[TFO_WORKS],
				a->state == CONN_OK, data->state == CONN_OK);
	if (cookie->state == CONN_OK && cookie->flow)
		add(conditions, field(cookie->flow, "tfo_ackclen") > 0
				    ? TFO_COOKIE_RECEIVED
				    : TFO_COOKIE_NOT_RECEIVED);
	if (data->state != CONN_OK) {
		add(conditions, TFO_SYNDATA_FAILED);
	} else if (data->flow) {
		json_int_t seq = field(data->flow, "tfo_seq");
		json_int_t dlen = field(data->flow, "tfo_dlen");
		json_int_t ack = field(data->flow, "tfo_ack");

		/* Sequence numbers wrap at 2^32. */
		if (dlen == 0)
			add(conditions, TFO_SYNDATA_FAILED);
		else if (ack == ((seq + 1 + dlen) & 0xffffffff))
			add(conditions, TFO_SYNDATA_ACKED);
		else
			add(conditions, TFO_SYNDATA_NOT_ACKED);
	}
	plugin_add_missed_flows(conditions, job);
}

const struct plugin plugin_tfo = {
    .name = "tfo",
    .description = "TCP Fast Open (RFC 7413) cookies and data on SYN",
    .kind = PLUGIN_SEQUENTIAL,
    .chains = tfo_chains,
    .configs = tfo_configs,
    .connect_modes = CONNECT_MASK(CONNECT_HTTP),
    .default_connect = CONNECT_HTTP,
    .conditions = tfo_conditions,
    .config_count = plugin_no_config_count,
    .prepare = tfo_prepare,
    .combine = tfo_combine,
    .step_begin = tfo_step_begin,
    .step_end = plugin_no_step_end,
};
