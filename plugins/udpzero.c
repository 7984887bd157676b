/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * udpzero: do UDP datagrams with checksum zero ("no checksum", RFC 768)
 * get through?  A DNS query is forged twice, A with its checksum and B
 * with zero; the target connected when a DNS response came back.  IPv4
 * only: over IPv6 a zero checksum is invalid (RFC 8200 section 8.1), so
 * IPv6 targets are skipped.
 */
#include "plugin.h"

enum {
	UDPZERO_WORKS,
	UDPZERO_BROKEN,
	UDPZERO_TRANSIENT,
	UDPZERO_OFFLINE,
	UDPZERO_CONDITION_COUNT,
};

static const char *const udpzero_conditions[UDPZERO_CONDITION_COUNT + 1] = {
    [UDPZERO_WORKS] = "udpzero.connectivity.works",
    [UDPZERO_BROKEN] = "udpzero.connectivity.broken",
    [UDPZERO_TRANSIENT] = "udpzero.connectivity.transient",
    [UDPZERO_OFFLINE] = "udpzero.connectivity.offline",
    [UDPZERO_CONDITION_COUNT] = NULL,
};

enum { CONFIG_CHECKSUM, CONFIG_ZERO };

static const char *const udpzero_configs[] = {"checksum", "zero", NULL};
static const char *const udpzero_chains[] = {"basic", "udp", "dns", NULL};

static void udpzero_prepare(const struct plugin_params *params, size_t config,
			    struct conn_setup *setup)
{
	(void)params;
	setup->forged = 1;
	setup->zero_checksum = config == CONFIG_ZERO;
}

static void udpzero_combine(const struct plugin_params *params,
			    const struct job *job, json_t *conditions)
{
	const struct conn_result *a = &job->results[CONFIG_CHECKSUM];
	const struct conn_result *b = &job->results[CONFIG_ZERO];

	(void)params;
	if (a->state == CONN_SKIPPED)
		return;
	plugin_add_connectivity(conditions, &udpzero_conditions[UDPZERO_WORKS],
				plugin_forged_answered(a),
				plugin_forged_answered(b));
	plugin_add_missed_flows(conditions, job);
}

const struct plugin plugin_udpzero = {
    .name = "udpzero",
    .description = "UDP with checksum zero, on forged DNS queries",
    .kind = PLUGIN_FORGED,
    .chains = udpzero_chains,
    .configs = udpzero_configs,
    .connect_modes = CONNECT_MASK(CONNECT_DNSUDP),
    .default_connect = CONNECT_DNSUDP,
    .conditions = udpzero_conditions,
    .config_count = plugin_no_config_count,
    .prepare = udpzero_prepare,
    .combine = udpzero_combine,
    .step_begin = plugin_no_step_begin,
    .step_end = plugin_no_step_end,
};
