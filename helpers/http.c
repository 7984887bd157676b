/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * HTTP helper: GET http://dip:dp/ (or https://) with the job's domain as
 * Host, through libcurl's multi interface.  Over https the certificate is
 * not verified unless asked: the target is measured, not trusted.  Any complete
 * HTTP response counts as a working connection, whatever its status.  The body
 * is read up to a limit and then the transfer is cut, so an endless response
 * cannot hold a connection slot.  Proxies from the environment are ignored:
 * traffic goes to the target and nowhere else.
 */
#include "conn.h"
#include "timeutil.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Bytes of response body read before the transfer is cut. */
#define HTTP_BODY_LIMIT (64 * 1024)

static size_t http_body(char *data, size_t size, size_t nmemb, void *userp)
{
	struct conn *c = userp;
	size_t n = size * nmemb;

	(void)data;
	c->body_bytes += n;
	if (c->body_bytes > c->body_limit) {
		c->body_capped = 1;
		return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
	}
	return n;
}

/* libcurl passes the socket here before it closes it: the last chance to
 * read the local port of a connection that failed. */
static int http_close_socket(void *clientp, curl_socket_t fd)
{
	conn_note_local(clientp, fd);
	return close(fd);
}

/* Sets the socket marks before libcurl connects. */
static int http_socket_options(void *clientp, curl_socket_t fd,
			       curlsocktype purpose)
{
	(void)purpose;
	return conn_apply_marks(clientp, fd) == 0 ? CURL_SOCKOPT_OK
						  : CURL_SOCKOPT_ERROR;
}

static int http_url(const struct conn *c, char *url, size_t len)
{
	const char *scheme = c->mode == CONNECT_HTTPS ? "https" : "http";
	char addr[64];
	int n;

	ip_addr_format(&c->job->dip, addr, sizeof(addr));
	if (c->job->dip.family == AF_INET6)
		n = snprintf(url, len, "%s://[%s]:%u/", scheme, addr,
			     c->job->dp);
	else
		n = snprintf(url, len, "%s://%s:%u/", scheme, addr, c->job->dp);
	return n > 0 && (size_t)n < len ? 0 : -1;
}

CURL *http_conn_create(struct conn *c)
{
	char url[112];
	char host[300];
	CURL *easy;

	c->source = EVENT_CURL;
	c->result->proto = IPPROTO_TCP;
	c->body_limit = HTTP_BODY_LIMIT;
	c->result->start = time_now_real();
	if (http_url(c, url, sizeof(url)) != 0)
		return NULL;
	easy = curl_easy_init();
	if (!easy)
		return NULL;

	if (c->job->domain && *c->job->domain &&
	    strlen(c->job->domain) < sizeof(host) - 8) {
		snprintf(host, sizeof(host), "Host: %s", c->job->domain);
		c->headers = curl_slist_append(NULL, host);
	}
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, c->headers);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, c);
	curl_easy_setopt(easy, CURLOPT_PROXY, "");
	curl_easy_setopt(easy, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER,
			 c->verify_certificates ? 1L : 0L);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST,
			 c->verify_certificates ? 2L : 0L);
	curl_easy_setopt(easy, CURLOPT_SOCKOPTFUNCTION, http_socket_options);
	curl_easy_setopt(easy, CURLOPT_SOCKOPTDATA, c);
	if (c->setup.http_version == 1)
		curl_easy_setopt(easy, CURLOPT_HTTP_VERSION,
				 (long)CURL_HTTP_VERSION_1_1);
	else if (c->setup.http_version == 2)
		curl_easy_setopt(easy, CURLOPT_HTTP_VERSION,
				 (long)CURL_HTTP_VERSION_2_0);
	curl_easy_setopt(easy, CURLOPT_USERAGENT,
			 "pathprobe (path transparency measurement)");
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)(c->timeout * 1000));
	/* A small receive buffer: thousands of transfers are in flight. */
	curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, 4096L);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, http_body);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, http_close_socket);
	curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, c);
	c->easy = easy;
	return easy;
}

void http_conn_complete(struct conn *c, CURLcode code)
{
	struct conn_result *r = c->result;

	r->stop = time_now_real();
	r->error = (int)code;
	if (c->easy) {
		long version = 0;

		curl_easy_getinfo(c->easy, CURLINFO_HTTP_VERSION, &version);
		r->http_version = version == CURL_HTTP_VERSION_2_0   ? 2
				  : version == CURL_HTTP_VERSION_1_1 ? 1
				  : version == CURL_HTTP_VERSION_1_0 ? 1
								     : 0;
	}
	if (code == CURLE_OK || (code == CURLE_WRITE_ERROR && c->body_capped))
		r->state = CONN_OK;
	else if (code == CURLE_OPERATION_TIMEDOUT)
		r->state = CONN_TIMEOUT;
	else
		r->state = CONN_FAILED;
	curl_slist_free_all(c->headers);
	c->headers = NULL;
}
