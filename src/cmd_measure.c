/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `pathprobe measure`: command-line options of a measurement run. */
#include "commands.h"
#include "log.h"
#include "measure.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_WORKERS	      20
#define DEFAULT_MAX_IN_FLIGHT 1000
#define DEFAULT_TIMEOUT	      5.0

static void measure_usage(FILE *f)
{
	fprintf(f,
		"usage: pathprobe measure [-i IFACE] [-w WORKERS] [--input "
		"FILE] [--output FILE]\n"
		"                         [--csv-input] [--output-flows] "
		"[--max-in-flight N]\n"
		"                         [--write-pcap FILE] [-v|-q] PLUGIN "
		"[PLUGIN OPTIONS]\n\n"
		"Runs A/B connections to every target of the input and writes "
		"one JSON record\nper target with the conditions found.\n\n"
		"  -i, --interface IFACE  capture interface (default: the one "
		"routing to the\n"
		"                         first target; \"any\" for all)\n"
		"  -w, --workers N        worker threads (default %d)\n"
		"  --max-in-flight N      connections open at once, over all "
		"workers\n"
		"                         (default %d)\n"
		"  --rate N               start at most N jobs a second "
		"(default: no limit)\n"
		"  --input FILE           targets (default: - for standard "
		"input)\n"
		"  --output FILE          records (default: - for standard "
		"output)\n"
		"  --csv-input            input rows are dip,dp,domain[,rank]\n"
		"  --output-flows         add the flow records to each "
		"record\n"
		"  --write-pcap FILE      keep a copy of every metered packet\n"
		"  -v, --verbose          log debug messages\n"
		"  -q, --quiet            log warnings and errors only\n\n"
		"Plugin options:\n"
		"  --connect MODE         tcp, http or https, as the plugin "
		"allows\n"
		"                         (default: the plugin's)\n"
		"  --timeout SECONDS      per connection (default %g)\n"
		"  --codepoint N          dscp: a DSCP to test, 0 to 63; "
		"repeatable\n"
		"                         (default 48)\n"
		"  --desync               ecn: switch ECN per target with a "
		"host route\n"
		"                         instead of the host-wide sysctl, so "
		"targets\n"
		"                         need not wait for each other\n"
		"  --resolver ADDR[:PORT] dnsresolv: the DNS server to ask "
		"(default: the\n"
		"                         system's resolver configuration)\n"
		"  --verify               https: verify certificates (off by "
		"default: the\n"
		"                         target is measured, not trusted)\n\n"
		"Plugins:\n",
		DEFAULT_WORKERS, DEFAULT_MAX_IN_FLIGHT, DEFAULT_TIMEOUT);
	for (size_t i = 0; plugin_registry[i]; i++)
		fprintf(f, "  %-10s %s\n", plugin_registry[i]->name,
			plugin_registry[i]->description);
}

static int parse_positive(const char *text, const char *what, long max,
			  int *out)
{
	char *end;
	long v = strtol(text, &end, 10);

	if (*text == '\0' || *end != '\0' || v < 1 || v > max) {
		log_error("measure",
			  "invalid %s \"%s\": give an integer from "
			  "1 to %ld",
			  what, text, max);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* Lists the connect modes a plugin takes, as "tcp, http or https". */
static const char *connect_modes_text(const struct plugin *p)
{
	static char text[64];
	size_t len = 0;
	int count = 0, seen = 0;

	for (int m = 0; m < CONNECT_MODE_COUNT; m++)
		count += (p->connect_modes & CONNECT_MASK(m)) != 0;
	text[0] = '\0';
	for (int m = 0; m < CONNECT_MODE_COUNT; m++) {
		if (!(p->connect_modes & CONNECT_MASK(m)))
			continue;
		seen++;
		len +=
		    (size_t)snprintf(text + len, sizeof(text) - len, "%s%s",
				     seen == 1	     ? ""
				     : seen == count ? " or "
						     : ", ",
				     connect_mode_name((enum connect_mode)m));
	}
	return text;
}

static int parse_codepoint(const char *text, struct measure_options *opt)
{
	struct plugin_params *params = &opt->params;
	char *end;
	long v = strtol(text, &end, 0);

	if (!(opt->plugin->options & PLUGIN_OPTION_CODEPOINT)) {
		log_error("measure", "--codepoint is not an option of %s",
			  opt->plugin->name);
		return -1;
	}
	if (*text == '\0' || *end != '\0' || v < 0 || v > 63) {
		log_error("measure",
			  "invalid --codepoint \"%s\": a DSCP is "
			  "an integer from 0 to 63",
			  text);
		return -1;
	}
	if (params->codepoint_count == PLUGIN_MAX_CODEPOINTS) {
		log_error("measure", "at most %d codepoints per run",
			  PLUGIN_MAX_CODEPOINTS);
		return -1;
	}
	params->codepoints[params->codepoint_count++] = (int)v;
	return 0;
}

static int parse_plugin_options(int argc, char **argv,
				struct measure_options *opt)
{
	static const struct option options[] = {
	    {"connect", required_argument, NULL, 'c'},
	    {"timeout", required_argument, NULL, 't'},
	    {"codepoint", required_argument, NULL, 'd'},
	    {"verify", no_argument, NULL, 'V'},
	    {"resolver", required_argument, NULL, 'r'},
	    {"desync", no_argument, NULL, 'D'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		char *end;

		switch (o) {
		case 'c':
			if (connect_mode_parse(optarg, &opt->params.connect) !=
				0 ||
			    !(opt->plugin->connect_modes &
			      CONNECT_MASK(opt->params.connect))) {
				log_error("measure",
					  "invalid --connect \"%s\" "
					  "for %s: use %s",
					  optarg, opt->plugin->name,
					  connect_modes_text(opt->plugin));
				return -1;
			}
			break;
		case 't':
			opt->params.timeout = strtod(optarg, &end);
			if (*optarg == '\0' || *end != '\0' ||
			    !(opt->params.timeout >= 0.01 &&
			      opt->params.timeout <= 600)) {
				log_error("measure",
					  "invalid --timeout \"%s\": "
					  "give seconds, from 0.01 to "
					  "600",
					  optarg);
				return -1;
			}
			break;
		case 'd':
			if (parse_codepoint(optarg, opt) != 0)
				return -1;
			break;
		case 'V':
			opt->params.verify_certificates = 1;
			break;
		case 'D':
			if (!(opt->plugin->options & PLUGIN_OPTION_DESYNC)) {
				log_error("measure",
					  "--desync is not an option "
					  "of %s",
					  opt->plugin->name);
				return -1;
			}
			opt->params.desync = 1;
			break;
		case 'r':
			if (!(opt->plugin->options & PLUGIN_OPTION_RESOLVER)) {
				log_error("measure",
					  "--resolver is not an "
					  "option of %s",
					  opt->plugin->name);
				return -1;
			}
			opt->params.resolver = optarg;
			break;
		case 'h':
			measure_usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if (optind < argc) {
		log_error("measure", "unexpected argument \"%s\"",
			  argv[optind]);
		return -1;
	}
	return 0;
}

/* Returns 1 when both paths name one existing file. */
static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (strcmp(a, "-") == 0 || strcmp(b, "-") == 0)
		return 0;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int cmd_measure(int argc, char **argv)
{
	static const struct option options[] = {
	    {"interface", required_argument, NULL, 'i'},
	    {"workers", required_argument, NULL, 'w'},
	    {"input", required_argument, NULL, 'I'},
	    {"output", required_argument, NULL, 'O'},
	    {"csv-input", no_argument, NULL, 'C'},
	    {"output-flows", no_argument, NULL, 'F'},
	    {"max-in-flight", required_argument, NULL, 'M'},
	    {"rate", required_argument, NULL, 'R'},
	    {"write-pcap", required_argument, NULL, 'P'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct measure_options opt = {
	    .input = "-",
	    .output = "-",
	    .workers = DEFAULT_WORKERS,
	    .max_in_flight = DEFAULT_MAX_IN_FLIGHT,
	    .params.timeout = DEFAULT_TIMEOUT,
	};
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "+i:w:vqh", options, NULL)) != -1) {
		switch (o) {
		case 'i':
			opt.interface = optarg;
			break;
		case 'w':
			if (parse_positive(optarg, "-w", 1024, &opt.workers))
				return 2;
			break;
		case 'I':
			opt.input = optarg;
			break;
		case 'O':
			opt.output = optarg;
			break;
		case 'C':
			opt.csv_input = 1;
			break;
		case 'F':
			opt.output_flows = 1;
			break;
		case 'M':
			if (parse_positive(optarg, "--max-in-flight", 1000000,
					   &opt.max_in_flight))
				return 2;
			break;
		case 'R': {
			char *end;

			opt.rate = strtod(optarg, &end);
			if (*optarg == '\0' || *end != '\0' ||
			    !(opt.rate > 0 && opt.rate <= 1e6)) {
				log_error("measure",
					  "invalid --rate \"%s\": "
					  "give jobs per second, above 0",
					  optarg);
				return 2;
			}
			break;
		}
		case 'P':
			opt.write_pcap = optarg;
			break;
		case 'v':
			log_max_level = LOG_DEBUG;
			break;
		case 'q':
			log_max_level = LOG_WARN;
			break;
		case 'h':
			measure_usage(stdout);
			return 0;
		default:
			measure_usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		log_error("measure", "missing the plugin name (see "
				     "'pathprobe measure --help')");
		return 2;
	}
	opt.plugin = plugin_find(argv[optind]);
	if (!opt.plugin) {
		log_error("measure",
			  "unknown plugin \"%s\" (see 'pathprobe "
			  "measure --help')",
			  argv[optind]);
		return 2;
	}
	opt.params.connect = opt.plugin->default_connect;
	if (parse_plugin_options(argc - optind, argv + optind, &opt) != 0)
		return 2;
	if ((opt.plugin->options & PLUGIN_OPTION_CODEPOINT) &&
	    opt.params.codepoint_count == 0) {
		/* CS6, as PATHspider's dscp plugin tests by default. */
		opt.params.codepoints[0] = 48;
		opt.params.codepoint_count = 1;
	}
	if (same_file(opt.input, opt.output)) {
		log_error("measure",
			  "--output %s is the input file: the run "
			  "would overwrite its own targets",
			  opt.output);
		return 2;
	}
	if (opt.plugin->kind == PLUGIN_RESOLVER) {
		struct resolver_run run = {
		    .params = &opt.params,
		    .input = opt.input,
		    .output = opt.output,
		    .max_in_flight = opt.max_in_flight,
		};

		return opt.plugin->run(&run);
	}
	return measure_run(&opt);
}
