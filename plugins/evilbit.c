/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evilbit: do packets with the reserved IPv4 flag set (RFC 3514's "evil
 * bit") get through, and is it on the answers?  A forged TCP SYN (tcpsyn)
 * or DNS query (dnsudp) is sent twice, A without the flag and B with it;
 * the target connected when a SYN-ACK or a DNS response came back.  IPv4
 * only: IPv6 has no such flag, so IPv6 targets are skipped.
 *
 * Conditions: evilbit.connectivity.* compares A with B;
 * evilbit.mark.seen or not_seen shows whether B's response carried the flag.
 */
#include "plugin.h"

enum {
	EVIL_WORKS,
	EVIL_BROKEN,
	EVIL_TRANSIENT,
	EVIL_OFFLINE,
	EVIL_MARK_SEEN,
	EVIL_MARK_NOT_SEEN,
	EVIL_CONDITION_COUNT,
};

static const char *const evil_conditions[EVIL_CONDITION_COUNT + 1] = {
    [EVIL_WORKS] = "evilbit.connectivity.works",
    [EVIL_BROKEN] = "evilbit.connectivity.broken",
    [EVIL_TRANSIENT] = "evilbit.connectivity.transient",
    [EVIL_OFFLINE] = "evilbit.connectivity.offline",
    [EVIL_MARK_SEEN] = "evilbit.mark.seen",
    [EVIL_MARK_NOT_SEEN] = "evilbit.mark.not_seen",
    [EVIL_CONDITION_COUNT] = NULL,
};

enum { CONFIG_PLAIN, CONFIG_EVIL };

static const char *const evil_configs[] = {"plain", "evil", NULL};
static const char *const evil_chains[] = {"basic", "tcp", "evil", "dns", NULL};

static void evil_prepare(const struct plugin_params *params, size_t config,
			 struct conn_setup *setup)
{
	(void)params;
	setup->forged = 1;
	setup->evil_bit = config == CONFIG_EVIL;
}

static void evil_combine(const struct plugin_params *params,
			 const struct job *job, json_t *conditions)
{
	const struct conn_result *a = &job->results[CONFIG_PLAIN];
	const struct conn_result *b = &job->results[CONFIG_EVIL];
	int b_ok = plugin_forged_answered(b);
	const char *mark = params->connect == CONNECT_DNSUDP
			       ? "evilbit_data_rev"
			       : "evilbit_syn_rev";

	if (a->state == CONN_SKIPPED)
		return;
	plugin_add_connectivity(conditions, &evil_conditions[EVIL_WORKS],
				plugin_forged_answered(a), b_ok);
	if (b_ok)
		json_array_append_new(
		    conditions,
		    json_string(evil_conditions[json_is_true(json_object_get(
						    b->flow, mark))
						    ? EVIL_MARK_SEEN
						    : EVIL_MARK_NOT_SEEN]));
	plugin_add_missed_flows(conditions, job);
}

const struct plugin plugin_evilbit = {
    .name = "evilbit",
    .description = "the reserved IPv4 flag (RFC 3514) on forged packets",
    .kind = PLUGIN_FORGED,
    .chains = evil_chains,
    .configs = evil_configs,
    .connect_modes =
	CONNECT_MASK(CONNECT_TCPSYN) | CONNECT_MASK(CONNECT_DNSUDP),
    .default_connect = CONNECT_TCPSYN,
    .conditions = evil_conditions,
    .config_count = plugin_no_config_count,
    .prepare = evil_prepare,
    .combine = evil_combine,
    .step_begin = plugin_no_step_begin,
    .step_end = plugin_no_step_end,
};
