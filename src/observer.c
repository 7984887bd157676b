/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Packet capture with libpcap feeding the flow table. */
#include "observer.h"
#include "log.h"
#include "timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define OBSERVER_POLL_MS 100
/* Room in the kernel for bursts while the thread is busy: 16 MiB. */
#define OBSERVER_BUFFER_BYTES (16 << 20)

static const char *const component = "observer";

static void observer_emit(const struct flow *flow, enum flow_end why, void *ctx)
{
	struct observer *obs = ctx;
	json_t *record;

	(void)why;
	if (obs->cfg.on_flow_text) {
		if (flow_to_text(&obs->flows, flow, &obs->text) != 0) {
			log_error(component, "out of memory writing a flow "
					     "record");
			return;
		}
		obs->cfg.on_flow_text(obs->text.text, obs->text.len,
				      obs->cfg.ctx);
		return;
	}
	record = flow_to_json(&obs->flows, flow);
	if (!record) {
		log_error(component, "out of memory building a flow record");
		return;
	}
	obs->cfg.on_flow(record, &flow->key, flow->first, obs->cfg.ctx);
}

static void observer_packet(u_char *user, const struct pcap_pkthdr *hdr,
			    const u_char *bytes)
{
	static struct log_ratelimit rl;
	struct observer *obs = (struct observer *)user;
	struct packet pkt;
	double ts;
	enum packet_status st;

	ts = (double)hdr->ts.tv_sec +
	     (double)hdr->ts.tv_usec / (pcap_get_tstamp_precision(obs->pcap) ==
						PCAP_TSTAMP_PRECISION_NANO
					    ? 1e9
					    : 1e6);
	obs->stats.packets++;
	if (obs->dumper)
		pcap_dump((u_char *)obs->dumper, hdr, bytes);

	st = packet_parse(obs->linktype, bytes, hdr->caplen, ts, &pkt);
	switch (st) {
	case PACKET_OK:
		if (pkt.transport_truncated)
			obs->stats.truncated++;
		flow_table_packet(&obs->flows, &pkt);
		/* A capture file has no wall clock: its packets tell the
		 * time, and flows expire by it once a second of it. */
		if (obs->is_file && ts >= obs->file_clock + 1.0) {
			flow_table_expire(&obs->flows, ts);
			obs->file_clock = ts;
		}
		break;
	case PACKET_NOT_IP:
		obs->stats.non_ip++;
		break;
	case PACKET_TRUNCATED:
		obs->stats.truncated++;
		if (log_ratelimit_allow(&rl))
			log_debug(component,
				  "packet %lu: truncated at %u captured bytes",
				  obs->stats.packets, hdr->caplen);
		break;
	case PACKET_UNKNOWN_LINK:
		obs->stats.unknown_link++;
		break;
	}
}

static int observer_open_capture(struct observer *obs)
{
	const struct observer_config *cfg = &obs->cfg;
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct stat st;
	int rc;

	if (stat(cfg->source, &st) == 0 && S_ISREG(st.st_mode)) {
		obs->is_file = 1;
		obs->pcap = pcap_open_offline_with_tstamp_precision(
		    cfg->source, PCAP_TSTAMP_PRECISION_NANO, errbuf);
		if (!obs->pcap) {
			log_error(component, "cannot read capture file %s: %s",
				  cfg->source, errbuf);
			return -1;
		}
		return 0;
	}

	obs->pcap = pcap_create(cfg->source, errbuf);
	if (!obs->pcap) {
		log_error(component, "cannot capture on %s: %s", cfg->source,
			  errbuf);
		return -1;
	}
	pcap_set_snaplen(obs->pcap, cfg->snaplen);
	pcap_set_promisc(obs->pcap, 0);
	pcap_set_immediate_mode(obs->pcap, 1);
	pcap_set_buffer_size(obs->pcap, cfg->buffer_bytes
					    ? (int)cfg->buffer_bytes
					    : OBSERVER_BUFFER_BYTES);
	pcap_set_tstamp_precision(obs->pcap, PCAP_TSTAMP_PRECISION_NANO);
	rc = pcap_activate(obs->pcap);
	if (rc == PCAP_ERROR_PERM_DENIED) {
		log_error(component,
			  "no permission to capture on %s: run as root or give "
			  "the program CAP_NET_RAW and CAP_NET_ADMIN",
			  cfg->source);
		return -1;
	}
	if (rc == PCAP_ERROR_NO_SUCH_DEVICE) {
		log_error(component,
			  "%s is neither an interface nor a capture file "
			  "(%s)",
			  cfg->source, pcap_geterr(obs->pcap));
		return -1;
	}
	if (rc < 0) {
		log_error(component, "cannot capture on %s: %s", cfg->source,
			  pcap_geterr(obs->pcap));
		return -1;
	}
	if (rc > 0)
		log_warn(component, "capture on %s: %s", cfg->source,
			 pcap_geterr(obs->pcap));
	if (pcap_setnonblock(obs->pcap, 1, errbuf) != 0) {
		log_error(component, "cannot make the capture non-blocking: %s",
			  errbuf);
		return -1;
	}
	return 0;
}

static int observer_set_filter(struct observer *obs)
{
	struct bpf_program prog;

	if (!obs->cfg.filter || !*obs->cfg.filter)
		return 0;
	if (pcap_compile(obs->pcap, &prog, obs->cfg.filter, 1,
			 PCAP_NETMASK_UNKNOWN) != 0) {
		log_error(component, "invalid filter \"%s\": %s",
			  obs->cfg.filter, pcap_geterr(obs->pcap));
		return -1;
	}
	if (pcap_setfilter(obs->pcap, &prog) != 0) {
		log_error(component, "cannot set filter \"%s\": %s",
			  obs->cfg.filter, pcap_geterr(obs->pcap));
		pcap_freecode(&prog);
		return -1;
	}
	pcap_freecode(&prog);
	return 0;
}

int observer_open(struct observer *obs, const struct observer_config *cfg)
{
	memset(obs, 0, sizeof(*obs));
	obs->cfg = *cfg;
	obs->wake_pipe[0] = obs->wake_pipe[1] = -1;
	pthread_mutex_init(&obs->lock, NULL);

	if (observer_open_capture(obs) || observer_set_filter(obs))
		goto fail;

	obs->linktype = pcap_datalink(obs->pcap);
	if (!packet_linktype_supported(obs->linktype)) {
		const char *name = pcap_datalink_val_to_name(obs->linktype);

		if (!obs->is_file) {
			log_error(component,
				  "link type %s (%d) of %s is not "
				  "supported",
				  name ? name : "unknown", obs->linktype,
				  cfg->source);
			goto fail;
		}
		log_warn(component,
			 "link type %s (%d) of %s is not "
			 "supported: its packets are counted, not read",
			 name ? name : "unknown", obs->linktype, cfg->source);
	}
	if (cfg->write_pcap) {
		obs->dumper = pcap_dump_open(obs->pcap, cfg->write_pcap);
		if (!obs->dumper) {
			log_error(component, "cannot write %s: %s",
				  cfg->write_pcap, pcap_geterr(obs->pcap));
			goto fail;
		}
	}
	if (pipe2(obs->wake_pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
		log_error(component, "cannot create a pipe: %s",
			  strerror(errno));
		goto fail;
	}
	if (flow_table_init(&obs->flows, cfg->chains, cfg->chain_count,
			    cfg->max_flows, cfg->idle_timeout, observer_emit,
			    obs) != 0) {
		log_error(component, "out of memory for the flow table");
		goto fail;
	}
	return 0;

fail:
	observer_close(obs);
	return -1;
}

int observer_run_file(struct observer *obs)
{
	int rc = pcap_loop(obs->pcap, -1, observer_packet, (u_char *)obs);

	if (rc == PCAP_ERROR) {
		log_error(component, "reading %s failed: %s", obs->cfg.source,
			  pcap_geterr(obs->pcap));
	}
	flow_table_flush(&obs->flows);
	return rc == PCAP_ERROR ? -1 : 0;
}

/* Requests looked at in one pass, so a long queue cannot stall capture. */
#define REQUEST_SCAN_LIMIT 4096
/* A closed flow is taken once quiet this long: the ACK of the last FIN
 * leaves the vantage point right after that FIN arrives. */
#define CLOSED_QUIET_SECONDS 0.05

/*
 * Takes, in one pass over the queue, every request that is ready: its
 * time has come, or its flow has already closed (FIN both ways or RST),
 * so waiting longer would add nothing; all of them at stop.  The
 * combiner only appends, so the list before the tail is this thread's to
 * change.  Returns the taken requests, oldest first.
 */
static struct finish_request *observer_take_ready(struct observer *obs,
						  double now, int all)
{
	struct finish_request *ready = NULL, **ready_tail = &ready;
	struct finish_request *req, *prev = NULL, *next;
	int scanned = 0;

	pthread_mutex_lock(&obs->lock);
	for (req = obs->requests; req && (all || scanned < REQUEST_SCAN_LIMIT);
	     req = next, scanned++) {
		next = req->next;
		if (!all && req->not_before > now &&
		    !flow_table_closed(&obs->flows, &req->key,
				       now - CLOSED_QUIET_SECONDS)) {
			prev = req;
			continue;
		}
		if (prev)
			prev->next = next;
		else
			obs->requests = next;
		if (obs->requests_tail == req)
			obs->requests_tail = prev;
		req->next = NULL;
		*ready_tail = req;
		ready_tail = &req->next;
	}
	pthread_mutex_unlock(&obs->lock);
	return ready;
}

/* Handles the finish requests that are ready; all of them at stop. */
static void observer_handle_requests(struct observer *obs, double now, int all)
{
	struct finish_request *req = observer_take_ready(obs, now, all);

	while (req) {
		struct finish_request *next = req->next;
		int found = flow_table_finish(&obs->flows, &req->key);

		obs->cfg.on_finished(req->request_ctx, found, obs->cfg.ctx);
		free(req);
		req = next;
	}
}

static void observer_drain(struct observer *obs)
{
	int rc;

	do {
		rc = pcap_dispatch(obs->pcap, -1, observer_packet,
				   (u_char *)obs);
	} while (rc > 0);
	if (rc == PCAP_ERROR) {
		static struct log_ratelimit rl;

		if (log_ratelimit_allow(&rl))
			log_error(component, "capture failed: %s",
				  pcap_geterr(obs->pcap));
	}
}

static void observer_count_drops(struct observer *obs)
{
	struct pcap_stat ps;

	if (pcap_stats(obs->pcap, &ps) == 0)
		atomic_store(&obs->kernel_drops, ps.ps_drop);
}

int observer_run_live(struct observer *obs)
{
	struct pollfd fds[2];

	fds[0].fd = pcap_get_selectable_fd(obs->pcap);
	fds[0].events = POLLIN;
	fds[1].fd = obs->wake_pipe[0];
	fds[1].events = POLLIN;

	while (!atomic_load(&obs->stop)) {
		char sink[64];

		if (poll(fds, 2, OBSERVER_POLL_MS) < 0 && errno != EINTR) {
			log_error(component, "poll failed: %s",
				  strerror(errno));
			break;
		}
		while (read(obs->wake_pipe[0], sink, sizeof(sink)) > 0)
			;
		observer_drain(obs);
		observer_count_drops(obs);
		flow_table_expire(&obs->flows, time_now_real());
		observer_handle_requests(obs, time_now_real(), 0);
	}

	observer_drain(obs);
	observer_handle_requests(obs, 0, 1);
	flow_table_flush(&obs->flows);
	return 0;
}

/*
 * The observer must keep up with the packets the workers cause, on the
 * same cores.  A higher priority than theirs (a lower nice value, which
 * root may set) keeps it from being starved when the machine is busy.
 */
#define OBSERVER_NICE (-10)

static void *observer_thread(void *arg)
{
	pid_t tid = (pid_t)syscall(SYS_gettid);

	if (setpriority(PRIO_PROCESS, (id_t)tid, OBSERVER_NICE) != 0)
		log_debug(component, "cannot raise the observer's priority: %s",
			  strerror(errno));
	observer_run_live(arg);
	return NULL;
}

int observer_start(struct observer *obs)
{
	if (pthread_create(&obs->thread, NULL, observer_thread, obs) != 0) {
		log_error(component, "cannot start the observer thread");
		return -1;
	}
	obs->thread_started = 1;
	return 0;
}

void observer_stop(struct observer *obs)
{
	atomic_store(&obs->stop, 1);
	if (obs->wake_pipe[1] >= 0 && write(obs->wake_pipe[1], "x", 1) < 0)
		log_debug(component, "wake-up write failed: %s",
			  strerror(errno));
	if (obs->thread_started) {
		pthread_join(obs->thread, NULL);
		obs->thread_started = 0;
	}
}

void observer_request_finish(struct observer *obs, const struct flow_key *key,
			     double not_before, void *request_ctx)
{
	struct finish_request *req = malloc(sizeof(*req));

	if (!req) {
		obs->cfg.on_finished(request_ctx, 0, obs->cfg.ctx);
		return;
	}
	req->next = NULL;
	req->key = *key;
	req->not_before = not_before;
	req->request_ctx = request_ctx;
	pthread_mutex_lock(&obs->lock);
	if (obs->requests_tail)
		obs->requests_tail->next = req;
	else
		obs->requests = req;
	obs->requests_tail = req;
	pthread_mutex_unlock(&obs->lock);
}

void observer_log_summary(const struct observer *obs)
{
	struct pcap_stat ps;
	unsigned long dropped = 0, if_dropped = 0;

	if (!obs->is_file && obs->pcap && pcap_stats(obs->pcap, &ps) == 0) {
		dropped = ps.ps_drop;
		if_dropped = ps.ps_ifdrop;
	}
	log_info(component,
		 "%lu packets, %lu non-IP, %lu truncated, %lu of unknown link "
		 "type; %lu flows, %lu expired idle, %lu evicted; %lu dropped "
		 "by the kernel, %lu by the interface",
		 obs->stats.packets, obs->stats.non_ip, obs->stats.truncated,
		 obs->stats.unknown_link, obs->flows.flows_total,
		 obs->flows.flows_expired, obs->flows.flows_evicted, dropped,
		 if_dropped);
}

void observer_close(struct observer *obs)
{
	struct finish_request *req = obs->requests;

	while (req) {
		struct finish_request *next = req->next;

		free(req);
		req = next;
	}
	obs->requests = obs->requests_tail = NULL;
	if (obs->flows.buckets)
		flow_table_destroy(&obs->flows);
	record_free_text(&obs->text);
	if (obs->dumper) {
		pcap_dump_close(obs->dumper);
		obs->dumper = NULL;
	}
	if (obs->pcap) {
		pcap_close(obs->pcap);
		obs->pcap = NULL;
	}
	for (int i = 0; i < 2; i++)
		if (obs->wake_pipe[i] >= 0) {
			close(obs->wake_pipe[i]);
			obs->wake_pipe[i] = -1;
		}
	pthread_mutex_destroy(&obs->lock);
}
