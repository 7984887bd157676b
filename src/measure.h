/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A measurement run: a feeder thread streams jobs from the input into a
 * bounded queue; the configurator (the calling thread) takes them in
 * batches and, for each configuration of the plugin in turn, sets the
 * host up for it and hands one connection per job to the workers, waiting
 * for all of them to end before the next configuration; the observer
 * meters the packets; the combiner writes one record per job.
 */
#ifndef PP_MEASURE_H
#define PP_MEASURE_H

#include "../plugins/plugin.h"

struct measure_options {
	const char *interface; /* NULL: the one routing to the first target */
	const char *input;
	const char *output;
	const char *write_pcap;
	int workers;
	int max_in_flight;
	double rate; /* jobs started per second at most; 0 for no limit */
	int csv_input;
	int output_flows;
	const struct plugin *plugin;
	struct plugin_params params;
};

/* Runs the measurement; returns the process exit status. */
int measure_run(const struct measure_options *opt);

#endif
