/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging to stderr with timestamps, levels and rate limits. */
#include "log.h"
#include "timeutil.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum log_level log_max_level = LOG_INFO;

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {
    [LOG_ERROR] = "error",
    [LOG_WARN] = "warning",
    [LOG_INFO] = "info",
    [LOG_DEBUG] = "debug",
};

void log_msg(enum log_level level, const char *component, const char *fmt, ...)
{
	int saved_errno = errno;
	char text[1024];
	char stamp[32];
	va_list ap;

	if (level > log_max_level) {
		errno = saved_errno;
		return;
	}

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);

	/* A message is one line, and text from input must not drive the
	 * terminal: control characters become spaces or '?'. */
	for (char *p = text; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
		else if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';

	time_format_utc(time_now_real(), stamp, sizeof(stamp));
	pthread_mutex_lock(&log_lock);
	fprintf(stderr, "%s %s %s: %s\n", stamp, level_names[level], component,
		text);
	pthread_mutex_unlock(&log_lock);
	errno = saved_errno;
}

#define RATELIMIT_BURST 5

int log_ratelimit_allow(struct log_ratelimit *rl)
{
	double now = time_now_mono();

	if (now - rl->window_start >= 1.0) {
		rl->window_start = now;
		rl->in_window = 0;
	}
	if (rl->in_window < RATELIMIT_BURST) {
		rl->in_window++;
		return 1;
	}
	rl->suppressed++;
	return 0;
}
