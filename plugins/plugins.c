/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The table of plugins and what they share. */
#include "plugin.h"

#include "../src/packet.h"

#include <stdio.h>
#include <string.h>

extern const struct plugin plugin_ecn;
extern const struct plugin plugin_dscp;
extern const struct plugin plugin_mss;
extern const struct plugin plugin_tcpopt;
extern const struct plugin plugin_h2;
extern const struct plugin plugin_tfo;
extern const struct plugin plugin_evilbit;
extern const struct plugin plugin_udpzero;
extern const struct plugin plugin_dnsresolv;

const struct plugin *const plugin_registry[] = {
    &plugin_ecn,       &plugin_dscp, &plugin_mss,     &plugin_tcpopt,
    &plugin_h2,	       &plugin_tfo,  &plugin_evilbit, &plugin_udpzero,
    &plugin_dnsresolv, NULL,
};

static const char *const connect_mode_names[CONNECT_MODE_COUNT] = {
    [CONNECT_TCP] = "tcp",	 [CONNECT_HTTP] = "http",
    [CONNECT_HTTPS] = "https",	 [CONNECT_DNSUDP] = "dnsudp",
    [CONNECT_DNSTCP] = "dnstcp", [CONNECT_TCPSYN] = "tcpsyn",
};

const struct plugin *plugin_find(const char *name)
{
	for (size_t i = 0; plugin_registry[i]; i++)
		if (strcmp(plugin_registry[i]->name, name) == 0)
			return plugin_registry[i];
	return NULL;
}

size_t plugin_no_config_count(const struct plugin_params *params)
{
	(void)params;
	return 0;
}

void plugin_no_prepare(const struct plugin_params *params, size_t config,
		       struct conn_setup *setup)
{
	(void)params;
	(void)config;
	(void)setup;
}

int plugin_no_step_begin(const struct job *job, size_t config)
{
	(void)job;
	(void)config;
	return 0;
}

void plugin_no_step_end(const struct job *job, size_t config)
{
	(void)job;
	(void)config;
}

size_t plugin_config_count(const struct plugin *p,
			   const struct plugin_params *params)
{
	size_t n = p->config_count(params);

	if (n)
		return n < JOB_MAX_CONFIGS ? n : JOB_MAX_CONFIGS;
	while (p->configs[n])
		n++;
	return n;
}

const char *plugin_config_name(const struct plugin *p, size_t config)
{
	size_t n = 0;

	while (p->configs[n])
		n++;
	if (n == 0)
		return "";
	/* Configurations past the named ones repeat the last name. */
	if (config >= n)
		config = n - 1;
	return p->configs[config];
}

unsigned int connect_mode_default_port(enum connect_mode mode)
{
	switch (mode) {
	case CONNECT_HTTPS:
		return 443;
	case CONNECT_DNSUDP:
	case CONNECT_DNSTCP:
		return 53;
	default:
		return 80;
	}
}

const char *connect_mode_name(enum connect_mode mode)
{
	return connect_mode_names[mode];
}

int connect_mode_parse(const char *text, enum connect_mode *mode)
{
	for (int m = 0; m < CONNECT_MODE_COUNT; m++)
		if (strcmp(text, connect_mode_names[m]) == 0) {
			*mode = (enum connect_mode)m;
			return 0;
		}
	return -1;
}

void plugin_add_connectivity(json_t *conditions, const char *const names[4],
			     int baseline_ok, int experiment_ok)
{
	/* names are works, broken, transient and offline, in that order */
	int which = baseline_ok ? 0 : 2;

	if (!experiment_ok)
		which++;

	json_array_append_new(conditions, json_string(names[which]));
}

void plugin_add_missed_flows(json_t *conditions, const struct job *job)
{
	char text[64];
	size_t missed = 0;

	for (size_t i = 0; i < job->config_count; i++)
		if (!job->results[i].flow)
			missed++;
	if (!missed)
		return;
	json_array_append_new(conditions,
			      json_string("pathspider.not_observed"));
	snprintf(text, sizeof(text), "pathspider.missed_flows:%zu", missed);
	json_array_append_new(conditions, json_string(text));
}

int plugin_forged_answered(const struct conn_result *r)
{
	json_int_t flags;

	if (r->state != CONN_OK || !r->flow)
		return 0;
	if (json_is_true(json_object_get(r->flow, "dns_response_valid")))
		return 1;
	flags =
	    json_integer_value(json_object_get(r->flow, "tcp_synflags_rev"));
	return (flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK);
}
