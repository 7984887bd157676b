/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `pathprobe observe`: flow records from live traffic or a capture file. */
#include "commands.h"
#include "log.h"
#include "observer.h"
#include "output.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Flows idle this long end; the same as PATHspider's observer default. */
#define OBSERVE_IDLE_SECONDS 30.0
#define OBSERVE_MAX_FLOWS    (1 << 20)

static struct observer *volatile running_observer;

static void observe_on_signal(int sig)
{
	struct observer *obs = running_observer;

	(void)sig;
	if (!obs)
		return;
	atomic_store(&obs->stop, 1);
	if (obs->is_file)
		pcap_breakloop(obs->pcap);
}

static void observe_on_flow(const char *text, size_t len, void *ctx)
{
	/* Once records cannot be written, metering more is pointless. */
	if (output_write_text(ctx, text, len) != 0)
		observe_on_signal(SIGPIPE);
}

static void observe_on_finished(void *request_ctx, int found, void *ctx)
{
	(void)request_ctx;
	(void)found;
	(void)ctx;
}

static void observe_usage(FILE *f)
{
	fprintf(f,
		"usage: pathprobe observe [-i IFACE|FILE] [--output FILE] "
		"[--filter EXPR]\n"
		"                         [--write-pcap FILE] [--list-chains] "
		"CHAIN...\n\n"
		"Meters packets into bidirectional flow records and writes "
		"one JSON record\nper flow as it ends.\n\n"
		"  -i, --interface SRC  interface to capture on (\"any\" for "
		"all), or a pcap\n"
		"                       or pcapng file to read\n"
		"  --output FILE        where records go (default: - for "
		"standard output)\n"
		"  --filter EXPR        BPF expression selecting the packets "
		"to meter\n"
		"  --write-pcap FILE    keep a copy of every metered packet\n"
		"  --list-chains        list the chains and exit\n");
}

static void observe_list_chains(void)
{
	for (size_t i = 0; chain_registry[i]; i++)
		printf("%-8s %s\n", chain_registry[i]->name,
		       chain_registry[i]->description);
}

static int observe_has_chain(const struct chain *const *chains, size_t n,
			     const struct chain *c)
{
	for (size_t i = 0; i < n; i++)
		if (chains[i] == c)
			return 1;
	return 0;
}

int cmd_observe(int argc, char **argv)
{
	static const struct option options[] = {
	    {"interface", required_argument, NULL, 'i'},
	    {"output", required_argument, NULL, 'o'},
	    {"filter", required_argument, NULL, 'f'},
	    {"write-pcap", required_argument, NULL, 'w'},
	    {"list-chains", no_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const struct chain *chains[32];
	struct observer_config cfg = {
	    .max_flows = OBSERVE_MAX_FLOWS,
	    .idle_timeout = OBSERVE_IDLE_SECONDS,
	    .snaplen = 65535,
	    .on_flow_text = observe_on_flow,
	    .on_finished = observe_on_finished,
	};
	const char *output_path = "-";
	struct observer obs;
	struct output out;
	size_t nchains = 0;
	int opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+i:h", options, NULL)) != -1) {
		switch (opt) {
		case 'i':
			cfg.source = optarg;
			break;
		case 'o':
			output_path = optarg;
			break;
		case 'f':
			cfg.filter = optarg;
			break;
		case 'w':
			cfg.write_pcap = optarg;
			break;
		case 'l':
			observe_list_chains();
			return 0;
		case 'h':
			observe_usage(stdout);
			return 0;
		default:
			observe_usage(stderr);
			return 2;
		}
	}
	if (!cfg.source) {
		log_error("observe", "missing -i: give an interface or a "
				     "capture file");
		return 2;
	}
	for (int i = optind; i < argc; i++) {
		const struct chain *c = chain_find(argv[i]);

		if (!c) {
			log_error("observe",
				  "unknown chain \"%s\" (see "
				  "--list-chains)",
				  argv[i]);
			return 2;
		}
		if (observe_has_chain(chains, nchains, c)) {
			log_warn("observe",
				 "chain %s given twice; using it "
				 "once",
				 c->name);
			continue;
		}
		chains[nchains++] = c;
	}
	if (chain_registry_check() != 0)
		return 1;
	cfg.chains = chains;
	cfg.chain_count = nchains;

	if (output_open(&out, output_path, 0) != 0)
		return 1;
	cfg.ctx = &out;
	if (observer_open(&obs, &cfg) != 0) {
		output_close(&out);
		return 1;
	}
	out.flush_each = !obs.is_file;

	running_observer = &obs;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, observe_on_signal);
	signal(SIGTERM, observe_on_signal);
	rc = obs.is_file ? observer_run_file(&obs) : observer_run_live(&obs);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	running_observer = NULL;

	observer_log_summary(&obs);
	observer_close(&obs);
	if (output_close(&out) != 0)
		rc = -1;
	return rc == 0 ? 0 : 1;
}
