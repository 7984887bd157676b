/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Measurement plugins.  A plugin is one file ending in one `const struct
 * plugin`: its name, kind, the connections it makes to each target, the
 * chains the observer runs for it, the host settings each connection
 * needs, the conditions it can emit, and how it turns a job's connection
 * results and flow records into conditions.  plugins.c lists them all.
 */
#ifndef PP_PLUGIN_H
#define PP_PLUGIN_H

#include "job.h"

#include <jansson.h>

enum plugin_kind {
	/* Connections differ by a host-wide setting: every connection of
	 * one configuration ends before the setting changes. */
	PLUGIN_SYNCHRONISED,
	/* Connections differ by per-socket options: no global switch. */
	PLUGIN_DESYNCHRONISED,
	/* One connection per target. */
	PLUGIN_SINGLE,
	/* Packets built by hand on raw sockets. */
	PLUGIN_FORGED,
	/* A target's connections one after another, targets independently,
	 * with the step_begin and step_end hooks around each connection. */
	PLUGIN_SEQUENTIAL,
	/* No measurement: turns names into jobs (plugin `run`). */
	PLUGIN_RESOLVER,
};

enum connect_mode {
	CONNECT_TCP,
	CONNECT_HTTP,
	CONNECT_HTTPS,
	CONNECT_DNSUDP,
	CONNECT_DNSTCP,
	CONNECT_TCPSYN, /* a forged SYN, whose SYN-ACK shows the outcome */
	CONNECT_MODE_COUNT,
};

#define PLUGIN_MAX_CODEPOINTS (JOB_MAX_CONFIGS - 1)

/* Run parameters from the command line, parsed by the core. */
struct plugin_params {
	enum connect_mode connect;
	double timeout;
	int verify_certificates;
	int codepoints[PLUGIN_MAX_CODEPOINTS]; /* DSCP values, 0 to 63 */
	size_t codepoint_count;
	const char *resolver; /* a DNS server address, or NULL for the
			       * system's configuration */
	int desync;	      /* switch the feature per target, not host-wide */
};

/* Command-line settings of a resolver plugin's run. */
struct resolver_run {
	const struct plugin_params *params;
	const char *input;
	const char *output;
	int max_in_flight;
};

/* Options of the command line a plugin takes beyond --connect and
 * --timeout. */
#define PLUGIN_OPTION_CODEPOINT 0x1
#define PLUGIN_OPTION_RESOLVER	0x2
#define PLUGIN_OPTION_DESYNC	0x4

#define CONNECT_MASK(mode) (1u << (mode))

/* A sysctl and the value each configuration needs (NULL: leave as is). */
struct plugin_sysctl {
	const char *name;
	const char *values[JOB_MAX_CONFIGS];
};

struct plugin {
	const char *name;
	const char *description;
	enum plugin_kind kind;
	/* NULL-terminated chain names, in the order their fields appear. */
	const char *const *chains;
	/* NULL-terminated names of the configurations; the first is A. */
	const char *const *configs;
	unsigned int connect_modes; /* CONNECT_MASK bits */
	enum connect_mode default_connect;
	/* Settings switched between configurations, NULL-name terminated. */
	const struct plugin_sysctl *sysctls;
	/* Settings held for the whole run (values[0]), NULL-name terminated. */
	const struct plugin_sysctl *run_sysctls;
	/* NULL-terminated list of every condition the plugin emits; a
	 * trailing ":" marks a condition that carries a value, and "N"
	 * stands for a codepoint. */
	const char *const *conditions;
	unsigned int options; /* PLUGIN_OPTION bits */
	/* Returns the number of configurations, when it depends on the
	 * parameters; plugin_no_config_count when `configs` lists them all. */
	size_t (*config_count)(const struct plugin_params *params);
	/* Sets how one configuration's connection is made. */
	void (*prepare)(const struct plugin_params *params, size_t config,
			struct conn_setup *setup);
	/* Appends the job's conditions, as strings, to the array. */
	void (*combine)(const struct plugin_params *params,
			const struct job *job, json_t *conditions);
	/* Runs a PLUGIN_RESOLVER plugin; returns the exit status. */
	int (*run)(const struct resolver_run *run);
	/*
	 * The desynchronised mode (--desync) of a synchronised plugin: the
	 * settings held for the run instead of `sysctls`.  Only with
	 * PLUGIN_OPTION_DESYNC.  In that mode, and for PLUGIN_SEQUENTIAL,
	 * a job's connections run one after another with step_begin and
	 * step_end around each, and jobs run independently.
	 */
	const struct plugin_sysctl *desync_run_sysctls;
	int (*step_begin)(const struct job *job, size_t config);
	void (*step_end)(const struct job *job, size_t config);
};

int plugin_no_step_begin(const struct job *job, size_t config);
void plugin_no_step_end(const struct job *job, size_t config);

/* Defaults for the callbacks a plugin does not need. */
size_t plugin_no_config_count(const struct plugin_params *params);
void plugin_no_prepare(const struct plugin_params *params, size_t config,
		       struct conn_setup *setup);

/* Every plugin, NULL-terminated. */
extern const struct plugin *const plugin_registry[];

const struct plugin *plugin_find(const char *name);
size_t plugin_config_count(const struct plugin *p,
			   const struct plugin_params *params);
/* Returns the name of a configuration (for flow_results). */
const char *plugin_config_name(const struct plugin *p, size_t config);
/* Returns the port of a job without "dp": 80, 443 for https, 53 for DNS. */
unsigned int connect_mode_default_port(enum connect_mode mode);
const char *connect_mode_name(enum connect_mode mode);
int connect_mode_parse(const char *text, enum connect_mode *mode);

/*
 * Appends PREFIX.connectivity.works / broken / transient / offline from
 * whether the baseline and the experiment connected; `names` contains
 * those four conditions in that order.
 */
void plugin_add_connectivity(json_t *conditions, const char *const names[4],
			     int baseline_ok, int experiment_ok);

/* Returns 1 when the target answered a forged packet: the flow shows a
 * SYN-ACK or a DNS response. */
int plugin_forged_answered(const struct conn_result *r);

/* Appends pathspider.not_observed and pathspider.missed_flows:N. */
void plugin_add_missed_flows(json_t *conditions, const struct job *job);

#endif
