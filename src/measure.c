/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A measurement run: feeder, configurator, workers, observer, combiner. */
#include "measure.h"
#include "combiner.h"
#include "log.h"
#include "observer.h"
#include "output.h"
#include "queue.h"
#include "route.h"
#include "sysctl.h"
#include "target.h"
#include "timeutil.h"
#include "worker.h"

#include <ares.h>
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <malloc.h>
#include <net/if.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define JOB_QUEUE_CAPACITY 4096
/* Time after a job's last connection ends before its flows are taken:
 * enough for the closing FINs to cross any sane path. */
#define SETTLE_SECONDS 1.0
/* Only what the plugins measure: TCP, UDP, and ICMP errors quoting them. */
#define MEASURE_FILTER	  "tcp or udp or icmp or icmp6"
#define MEASURE_SNAPLEN	  256
#define MEASURE_MAX_FLOWS (1 << 18)

static const char *const component = "measure";

/* The signal that stopped the run, or 0. */
static atomic_int stop_requested;

struct run {
	const struct measure_options *opt;
	struct target_reader reader;
	struct queue jobs;
	pthread_t feeder;
	int feeder_started;
	atomic_int feeder_done;
	struct job *first_job;

	struct output out;
	struct observer observer;
	struct combiner combiner;
	struct worker *workers;
	int workers_started;
	const struct chain *chains[16];
	size_t chain_count;

	pthread_mutex_t phase_lock;
	pthread_cond_t phase_done;
	size_t phase_left;

	unsigned long jobs_measured;
	size_t in_flight_limit; /* --max-in-flight, lowered on drops */
	unsigned long drops_seen;
	int output_error;
	pthread_t signal_thread;
	int signal_thread_started;
	unsigned long input_malformed; /* known once the feeder has ended */
	unsigned long input_duplicates;
};

static void on_fatal_signal(int sig)
{
	sysctl_restore_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Signals that end a run; a thread of their own takes them. */
static const int stop_signals[] = {SIGINT,  SIGTERM, SIGHUP, SIGQUIT,
				   SIGUSR1, SIGUSR2, SIGALRM};

static void stop_signal_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]);
	     i++)
		sigaddset(set, stop_signals[i]);
}

/*
 * The first stop signal lets the batch in flight end and closes the job
 * queue, so a configurator waiting for input wakes up; a second one
 * restores the host settings and quits at once.
 */
static void *signal_main(void *arg)
{
	struct run *run = arg;
	sigset_t set;
	int sig;

	stop_signal_set(&set);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (atomic_load(&stop_requested)) {
			if (run->opt->params.desync)
				route_flush_ours();
			sysctl_restore_all();
			_exit(128 + sig);
		}
		log_warn(component,
			 "%s: letting the connections in flight "
			 "end (send it again to quit now)",
			 strsignal(sig));
		atomic_store(&stop_requested, sig);
		queue_close(&run->jobs);
	}
	return NULL;
}

/*
 * Blocks the stop signals in every thread and starts the thread that
 * takes them; fatal signals get a handler that restores the host
 * settings before the process dies.
 */
static int install_signal_handlers(struct run *run)
{
	static const int fatal[] = {SIGSEGV,   SIGBUS,	SIGFPE, SIGILL,
				    SIGABRT,   SIGTRAP, SIGSYS, SIGXCPU,
				    SIGVTALRM, SIGPROF};
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
	/* Broken pipes and oversized files become write errors. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);

	stop_signal_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (pthread_create(&run->signal_thread, NULL, signal_main, run) != 0) {
		log_error(component, "cannot start the signal thread");
		return -1;
	}
	run->signal_thread_started = 1;
	return 0;
}

static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			log_warn(component,
				 "cannot raise the open file limit: "
				 "%s",
				 strerror(errno));
	}
}

/*
 * Finds the interface whose address the kernel would use to reach the
 * target.  Connecting a UDP socket sends nothing; it only picks a route.
 */
static int route_interface(const struct ip_addr *dip, char *name, size_t len)
{
	struct sockaddr_storage dst = {0}, src;
	socklen_t slen = sizeof(src);
	struct ifaddrs *ifas, *ifa;
	int fd, found = -1;

	dst.ss_family = dip->family;
	if (dip->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&dst;

		memcpy(&sin->sin_addr, dip->bytes, 4);
		sin->sin_port = htons(9);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&dst;

		memcpy(&sin6->sin6_addr, dip->bytes, 16);
		sin6->sin6_port = htons(9);
	}
	fd = socket(dip->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&src, &slen) != 0) {
		close(fd);
		return -1;
	}
	close(fd);
	if (getifaddrs(&ifas) != 0)
		return -1;
	for (ifa = ifas; ifa && found < 0; ifa = ifa->ifa_next) {
		const void *a, *b;
		size_t n;

		if (!ifa->ifa_addr || ifa->ifa_addr->sa_family != src.ss_family)
			continue;
		if (src.ss_family == AF_INET) {
			a = &((struct sockaddr_in *)ifa->ifa_addr)->sin_addr;
			b = &((struct sockaddr_in *)&src)->sin_addr;
			n = 4;
		} else {
			a = &((struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr;
			b = &((struct sockaddr_in6 *)&src)->sin6_addr;
			n = 16;
		}
		if (memcmp(a, b, n) == 0) {
			snprintf(name, len, "%s", ifa->ifa_name);
			found = 0;
		}
	}
	freeifaddrs(ifas);
	return found;
}

static void *feeder_main(void *arg)
{
	struct run *run = arg;
	struct job *job;
	int rc;

	if (run->first_job && queue_push(&run->jobs, run->first_job) != 0)
		job_free(run->first_job);
	run->first_job = NULL;
	while (!atomic_load(&stop_requested) &&
	       (rc = target_read(&run->reader, &job)) == 1) {
		if (queue_push(&run->jobs, job) != 0) {
			job_free(job);
			break;
		}
	}
	if (ferror(run->reader.file))
		log_error("input", "reading %s failed: %s", run->reader.name,
			  strerror(errno));
	queue_close(&run->jobs);
	atomic_store(&run->feeder_done, 1);
	return NULL;
}

static void pipeline_conn_done(struct run *run, struct conn *c);

/* Whether each job runs on its own, its connections one after another. */
static int run_in_pipeline(const struct measure_options *opt)
{
	return opt->params.desync || opt->plugin->kind == PLUGIN_SEQUENTIAL;
}

static void on_conn_done(struct conn *c, void *ctx)
{
	struct run *run = ctx;

	if (run_in_pipeline(run->opt)) {
		pipeline_conn_done(run, c);
		return;
	}
	pthread_mutex_lock(&run->phase_lock);
	if (--run->phase_left == 0)
		pthread_cond_signal(&run->phase_done);
	pthread_mutex_unlock(&run->phase_lock);
}

static int configure(const struct plugin *p, const struct plugin_sysctl *list,
		     size_t config)
{
	for (size_t i = 0; list && list[i].name; i++) {
		const char *value = list[i].values[config];

		if (value && sysctl_write(list[i].name, value) != 0)
			return -1;
	}
	(void)p;
	return 0;
}

/*
 * Runs configurations [first, first + count) of every job of the batch
 * at once and returns when all those connections have ended.
 */
static void run_phase(struct run *run, struct job **batch, size_t n,
		      size_t first, size_t count, struct conn *conns)
{
	const struct measure_options *opt = run->opt;
	size_t k = 0;

	pthread_mutex_lock(&run->phase_lock);
	run->phase_left = n * count;
	pthread_mutex_unlock(&run->phase_lock);

	for (size_t config = first; config < first + count; config++) {
		for (size_t i = 0; i < n; i++, k++) {
			struct conn *c = &conns[k];

			memset(c, 0, sizeof(*c));
			c->fd = -1;
			c->job = batch[i];
			c->config = config;
			c->mode = opt->params.connect;
			c->timeout = opt->params.timeout;
			c->setup.tos = -1;
			c->verify_certificates =
			    opt->params.verify_certificates;
			opt->plugin->prepare(&opt->params, config, &c->setup);
			c->result = &batch[i]->results[config];
			worker_submit(&run->workers[k % (size_t)opt->workers],
				      c);
		}
	}

	pthread_mutex_lock(&run->phase_lock);
	while (run->phase_left > 0)
		pthread_cond_wait(&run->phase_done, &run->phase_lock);
	pthread_mutex_unlock(&run->phase_lock);
}

/*
 * Measures one batch.  A synchronised plugin switches the host settings
 * between configurations, so each configuration is a phase of its own;
 * other plugins run all configurations of the batch at once.
 */
static int measure_batch(struct run *run, struct job **batch, size_t n,
			 size_t configs, struct conn *conns)
{
	const struct plugin *p = run->opt->plugin;

	unsigned long drops = atomic_load(&run->observer.kernel_drops);

	for (size_t i = 0; i < n; i++) {
		batch[i]->config_count = configs;
		batch[i]->drops_at_start = drops;
	}
	if (p->kind != PLUGIN_SYNCHRONISED) {
		run_phase(run, batch, n, 0, configs, conns);
		return 0;
	}
	for (size_t config = 0; config < configs; config++) {
		if (configure(p, p->sysctls, config) != 0)
			return -1;
		run_phase(run, batch, n, config, 1, conns);
	}
	return 0;
}

/* Takes up to max jobs: waits for the first, then takes what is queued. */
static size_t take_batch(struct run *run, struct job **batch, size_t max)
{
	size_t n = 0;
	struct job *job = queue_pop(&run->jobs);

	if (!job)
		return 0;
	batch[n++] = job;
	while (n < max && (job = queue_try_pop(&run->jobs)))
		batch[n++] = job;
	return n;
}

/*
 * Halves the connections in flight when the kernel dropped captured
 * packets since the last call, so that the observer can keep up and the
 * records stay exact.  While nothing drops, the limit grows again by a
 * twentieth of --max-in-flight per call, up to it.
 */
static size_t adapt_in_flight(struct run *run)
{
	size_t max = (size_t)run->opt->max_in_flight;
	size_t floor = max < 16 ? max : 16;
	unsigned long drops = atomic_load(&run->observer.kernel_drops);

	if (drops > run->drops_seen) {
		run->in_flight_limit = run->in_flight_limit / 2 > floor
					   ? run->in_flight_limit / 2
					   : floor;
		log_warn(component,
			 "the kernel dropped %lu captured packets: "
			 "%zu connections in flight from now on",
			 drops - run->drops_seen, run->in_flight_limit);
	} else if (run->in_flight_limit < max) {
		run->in_flight_limit += max / 20 + 1;
		if (run->in_flight_limit > max)
			run->in_flight_limit = max;
	}
	run->drops_seen = drops;
	return run->in_flight_limit;
}

/*
 * Holds the configurator back so that jobs start at no more than --rate
 * a second on average, and caps the next batch at one second's worth.
 * Waiting here is pacing, not waiting for work.
 */
static size_t pace_batch(struct run *run, size_t batch_max, double started,
			 unsigned long jobs_started)
{
	double rate = run->opt->rate;
	double due, now;
	struct timespec ts;

	if (rate <= 0)
		return batch_max;
	due = started + (double)jobs_started / rate;
	now = time_now_mono();
	if (due > now && !atomic_load(&stop_requested)) {
		double wait = due - now;

		ts.tv_sec = (time_t)wait;
		ts.tv_nsec = (long)((wait - (double)ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
	}
	if (rate < (double)batch_max)
		batch_max = rate < 1 ? 1 : (size_t)rate;
	return batch_max;
}

/* The batch size allowed now, with the in-flight limit adapted. */
static size_t batch_limit(struct run *run, size_t batch_max, size_t configs)
{
	size_t limit = adapt_in_flight(run);

	if (run->opt->plugin->kind != PLUGIN_SYNCHRONISED)
		limit /= configs;
	if (limit == 0)
		limit = 1;
	return limit < batch_max ? limit : batch_max;
}

static int configurator(struct run *run)
{
	const struct plugin *p = run->opt->plugin;
	size_t configs = plugin_config_count(p, &run->opt->params);
	size_t max = (size_t)run->opt->max_in_flight;
	/* Without phases, a batch has all its configurations in flight. */
	size_t batch_max = p->kind == PLUGIN_SYNCHRONISED ? max : max / configs;
	struct job **batch = calloc(max, sizeof(*batch));
	/* A batch of one job still makes all its connections at once. */
	struct conn *conns = calloc(max + configs, sizeof(*conns));
	size_t n;
	int rc = 0;

	if (!batch || !conns) {
		log_error(component, "out of memory for %zu connections", max);
		free(batch);
		free(conns);
		return -1;
	}
	if (batch_max == 0)
		batch_max = 1;
	double started = time_now_mono();
	unsigned long jobs_started = 0;

	while (rc == 0 && !atomic_load(&stop_requested) &&
	       !output_failed(&run->out) &&
	       (n = take_batch(run, batch,
			       pace_batch(run,
					  batch_limit(run, batch_max, configs),
					  started, jobs_started))) > 0) {
		jobs_started += n;
		rc = measure_batch(run, batch, n, configs, conns);
		for (size_t i = 0; i < n; i++) {
			if (rc == 0)
				combiner_add_job(&run->combiner, batch[i]);
			else
				job_free(batch[i]);
		}
		if (rc == 0)
			run->jobs_measured += n;
	}
	free(batch);
	free(conns);
	return rc;
}

/*
 * Desynchronised runs: each job's configurations run one after another
 * on one worker, with the plugin's begin and end steps around each, and
 * up to --max-in-flight jobs are under way at once, each on its own.
 */
static void pipeline_start(struct run *run, struct conn *c, struct job *job,
			   size_t config)
{
	const struct measure_options *opt = run->opt;
	int worker_index = c->worker_index;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->worker_index = worker_index;
	c->job = job;
	c->config = config;
	c->mode = opt->params.connect;
	c->timeout = opt->params.timeout;
	c->setup.tos = -1;
	c->verify_certificates = opt->params.verify_certificates;
	opt->plugin->prepare(&opt->params, config, &c->setup);
	c->result = &job->results[config];
	if (opt->plugin->step_begin(job, config) != 0) {
		static struct log_ratelimit rl;
		char addr[64];

		c->result->state = CONN_FAILED;
		c->result->error = errno;
		c->result->start = c->result->stop = time_now_real();
		ip_addr_format(&job->dip, addr, sizeof(addr));
		if (log_ratelimit_allow(&rl))
			log_error(component,
				  "%s: cannot set the connection "
				  "up: %s",
				  addr, strerror(errno));
		pipeline_conn_done(run, c);
		return;
	}
	worker_submit(&run->workers[worker_index], c);
}

static void pipeline_conn_done(struct run *run, struct conn *c)
{
	struct job *job = c->job;

	run->opt->plugin->step_end(job, c->config);
	if (c->config + 1 < job->config_count) {
		pipeline_start(run, c, job, c->config + 1);
		return;
	}
	combiner_add_job(&run->combiner, job);
	free(c);
	pthread_mutex_lock(&run->phase_lock);
	run->jobs_measured++;
	--run->phase_left;
	pthread_cond_signal(&run->phase_done);
	pthread_mutex_unlock(&run->phase_lock);
}

/* How often a desynchronised run adapts its connections in flight. */
#define ADAPT_INTERVAL 0.5

static int configurator_pipeline(struct run *run)
{
	const struct plugin *p = run->opt->plugin;
	size_t configs = plugin_config_count(p, &run->opt->params);
	size_t max = (size_t)run->opt->max_in_flight;
	double started = time_now_mono();
	double next_adapt = started + ADAPT_INTERVAL;
	unsigned long jobs_started = 0;
	size_t limit = max;
	int next_worker = 0;

	while (!atomic_load(&stop_requested) && !output_failed(&run->out)) {
		struct job *job;
		struct conn *c;

		pthread_mutex_lock(&run->phase_lock);
		if (time_now_mono() >= next_adapt) {
			limit = adapt_in_flight(run);
			next_adapt = time_now_mono() + ADAPT_INTERVAL;
		}
		while (run->phase_left >= limit &&
		       !atomic_load(&stop_requested))
			pthread_cond_wait(&run->phase_done, &run->phase_lock);
		pthread_mutex_unlock(&run->phase_lock);
		pace_batch(run, 1, started, jobs_started);

		job = queue_pop(&run->jobs);
		c = job ? calloc(1, sizeof(*c)) : NULL;
		if (!c) {
			job_free(job);
			break;
		}
		jobs_started++;
		job->config_count = configs;
		job->drops_at_start = atomic_load(&run->observer.kernel_drops);
		c->worker_index = next_worker;
		next_worker = (next_worker + 1) % run->opt->workers;
		pthread_mutex_lock(&run->phase_lock);
		run->phase_left++;
		pthread_mutex_unlock(&run->phase_lock);
		pipeline_start(run, c, job, 0);
	}

	pthread_mutex_lock(&run->phase_lock);
	while (run->phase_left > 0)
		pthread_cond_wait(&run->phase_done, &run->phase_lock);
	pthread_mutex_unlock(&run->phase_lock);
	return 0;
}

static const struct plugin_sysctl *run_sysctls(const struct measure_options *o)
{
	return o->params.desync ? o->plugin->desync_run_sysctls
				: o->plugin->run_sysctls;
}

static int save_host_state(const struct measure_options *opt)
{
	const struct plugin *p = opt->plugin;
	const struct plugin_sysctl *lists[] = {
	    opt->params.desync ? NULL : p->sysctls, run_sysctls(opt)};

	for (size_t l = 0; l < 2; l++)
		for (size_t i = 0; lists[l] && lists[l][i].name; i++)
			if (sysctl_save(lists[l][i].name) != 0)
				return -1;
	return 0;
}

static int resolve_chains(struct run *run)
{
	const struct plugin *p = run->opt->plugin;

	for (size_t i = 0; p->chains[i]; i++) {
		const struct chain *c = chain_find(p->chains[i]);

		if (!c || run->chain_count == 16) {
			log_error(component,
				  "plugin %s needs chain %s, which "
				  "is not built in",
				  p->name, p->chains[i]);
			return -1;
		}
		run->chains[run->chain_count++] = c;
	}
	return chain_registry_check();
}

/*
 * Sizes the capture buffer by the connections in flight, 8 KiB each, from
 * 8 MiB to 256 MiB.  On the lab, 8 MiB for 1,000 connections in flight
 * (about 90,000 packets a second) dropped nothing with the observer at a
 * raised priority.
 */
static size_t capture_buffer_bytes(int max_in_flight)
{
	size_t bytes = (size_t)max_in_flight * 8192;

	if (bytes < ((size_t)8 << 20))
		return (size_t)8 << 20;
	return bytes > ((size_t)256 << 20) ? (size_t)256 << 20 : bytes;
}

static int start_observer(struct run *run, const char *iface)
{
	struct observer_config cfg = {
	    .source = iface,
	    .filter = MEASURE_FILTER,
	    .write_pcap = run->opt->write_pcap,
	    .chains = run->chains,
	    .chain_count = run->chain_count,
	    .max_flows = MEASURE_MAX_FLOWS,
	    .idle_timeout = 2 * run->opt->params.timeout + 10,
	    .snaplen = MEASURE_SNAPLEN,
	    .buffer_bytes = capture_buffer_bytes(run->opt->max_in_flight),
	    .on_flow = combiner_on_flow,
	    .on_finished = combiner_on_finished,
	    .ctx = &run->combiner,
	};

	if (observer_open(&run->observer, &cfg) != 0)
		return -1;
	if (run->observer.is_file) {
		log_error(component,
			  "%s is a file: measure captures live on an "
			  "interface",
			  iface);
		return -1;
	}
	combiner_set_observer(&run->combiner, &run->observer);
	return observer_start(&run->observer);
}

static int start_workers(struct run *run)
{
	run->workers = calloc((size_t)run->opt->workers, sizeof(*run->workers));
	if (!run->workers)
		return -1;
	for (int i = 0; i < run->opt->workers; i++) {
		if (worker_start(&run->workers[i], i, on_conn_done, run) != 0)
			return -1;
		run->workers_started++;
	}
	return 0;
}

/* Reads the first job now: it picks the capture interface. */
static int read_first_job(struct run *run)
{
	int rc = target_read(&run->reader, &run->first_job);

	if (rc < 0)
		log_error("input", "reading %s failed: %s", run->reader.name,
			  strerror(errno));
	return rc;
}

static const char *pick_interface(struct run *run, char *buf, size_t len)
{
	char addr[64];

	if (run->opt->interface)
		return run->opt->interface;
	if (!run->first_job)
		return "any";
	if (route_interface(&run->first_job->dip, buf, len) == 0) {
		log_info(component,
			 "capturing on %s, the interface routing to "
			 "the first target",
			 buf);
		return buf;
	}
	ip_addr_format(&run->first_job->dip, addr, sizeof(addr));
	log_error(component,
		  "no route to the first target %s: give the "
		  "capture interface with -i",
		  addr);
	return NULL;
}

static void teardown(struct run *run)
{
	if (run->observer.thread_started)
		observer_stop(&run->observer);
	if (run->combiner.started)
		combiner_stop(&run->combiner);
	for (int i = 0; i < run->workers_started; i++)
		worker_stop(&run->workers[i]);
	free(run->workers);
	if (run->observer.pcap) {
		observer_log_summary(&run->observer);
		if (run->observer.kernel_drops)
			log_warn(
			    component,
			    "the kernel dropped %lu packets: "
			    "records marked pathprobe.observer.dropped may "
			    "miss packets; lower --max-in-flight",
			    (unsigned long)run->observer.kernel_drops);
		observer_close(&run->observer);
	}
	if (run->out.buf && output_close(&run->out) != 0)
		run->output_error = 1;
	job_free(run->first_job);
}

static int measure_prepare(struct run *run, char *iface_buf, size_t len)
{
	const struct measure_options *opt = run->opt;
	const char *iface;

	if (resolve_chains(run) != 0)
		return -1;
	if (target_reader_open(
		&run->reader, opt->input, opt->csv_input,
		connect_mode_default_port(opt->params.connect)) != 0)
		return -1;
	if (read_first_job(run) < 0)
		return -1;
	iface = pick_interface(run, iface_buf, len);
	if (!iface)
		return -1;
	if (save_host_state(opt) != 0)
		return -1;
	if (opt->params.desync && route_flush_ours() > 0)
		log_warn(component,
			 "removed ECN routes left by an earlier run");
	if (queue_init(&run->jobs, JOB_QUEUE_CAPACITY) != 0 ||
	    install_signal_handlers(run) != 0)
		return -1;
	if (configure(opt->plugin, run_sysctls(opt), 0) != 0)
		return -1;
	if (output_open(&run->out, opt->output, 1) != 0)
		return -1;
	if (combiner_start(&run->combiner, opt->plugin, &opt->params, &run->out,
			   opt->output_flows, SETTLE_SECONDS) != 0)
		return -1;
	/* The feeder starts first so the queue fills while the rest is set
	 * up, and the first batch is a full one. */
	if (pthread_create(&run->feeder, NULL, feeder_main, run) != 0)
		return -1;
	run->feeder_started = 1;
	if (start_observer(run, iface) != 0 || start_workers(run) != 0)
		return -1;
	return 0;
}

/*
 * Ends the feeder.  A feeder still blocked reading its input (a terminal,
 * a pipe) is left to the process exit, because joining it could wait
 * forever.  Its input buffer stays allocated until then.
 */
static void stop_feeder(struct run *run)
{
	struct job *job;

	if (!run->feeder_started) {
		run->input_malformed = run->reader.malformed;
		run->input_duplicates = run->reader.duplicates;
		target_reader_close(&run->reader);
		return;
	}
	queue_close(&run->jobs);
	if (!atomic_load(&run->feeder_done)) {
		pthread_detach(run->feeder);
		return;
	}
	pthread_join(run->feeder, NULL);
	run->input_malformed = run->reader.malformed;
	run->input_duplicates = run->reader.duplicates;
	while ((job = queue_try_pop(&run->jobs)))
		job_free(job);
	queue_destroy(&run->jobs);
	target_reader_close(&run->reader);
}

int measure_run(const struct measure_options *opt)
{
	struct run run;
	char iface[IF_NAMESIZE + 1];
	double started = time_now_mono();
	int rc;

	memset(&run, 0, sizeof(run));
	run.opt = opt;
	run.in_flight_limit = (size_t)opt->max_in_flight;
	pthread_mutex_init(&run.phase_lock, NULL);
	pthread_cond_init(&run.phase_done, NULL);
	raise_fd_limit();
	/* Records are built in one thread and freed in another; a few malloc
	 * arenas keep freed memory reusable instead of one arena a thread. */
	mallopt(M_ARENA_MAX, 2);
	if (opt->max_in_flight < opt->workers)
		log_warn(component,
			 "--max-in-flight %d is below the %d "
			 "workers: some workers stay idle",
			 opt->max_in_flight, opt->workers);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	ares_library_init(ARES_LIB_INIT_ALL);

	rc = measure_prepare(&run, iface, sizeof(iface));
	if (rc == 0) {
		log_info(component,
			 "%s: %zu configurations per target, %d "
			 "workers, at most %d connections in flight, %s, "
			 "timeout %g s",
			 opt->plugin->name,
			 plugin_config_count(opt->plugin, &opt->params),
			 opt->workers, opt->max_in_flight,
			 connect_mode_name(opt->params.connect),
			 opt->params.timeout);
		rc = run_in_pipeline(opt) ? configurator_pipeline(&run)
					  : configurator(&run);
		combiner_wait_written(&run.combiner);
	}
	teardown(&run);
	if (opt->params.desync && route_flush_ours() > 0)
		log_warn(component, "removed ECN routes still in place");
	sysctl_restore_all();
	sysctl_report_restored();
	if (run.signal_thread_started) {
		pthread_cancel(run.signal_thread);
		pthread_join(run.signal_thread, NULL);
	}

	stop_feeder(&run);
	log_info(component,
		 "%lu targets measured in %.1f s; %lu input lines "
		 "malformed, %lu duplicates skipped%s",
		 run.jobs_measured, time_now_mono() - started,
		 run.input_malformed, run.input_duplicates,
		 atomic_load(&stop_requested) ? "; stopped by a signal" : "");
	ares_library_cleanup();
	curl_global_cleanup();
	if (rc != 0 || run.output_error)
		return 1;
	return atomic_load(&stop_requested) ? 128 + atomic_load(&stop_requested)
					    : 0;
}
