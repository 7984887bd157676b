/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "timeutil.h"

#include <math.h>
#include <stdio.h>
#include <time.h>

static double clock_seconds(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double time_now_real(void)
{
	return clock_seconds(CLOCK_REALTIME);
}

double time_now_mono(void)
{
	return clock_seconds(CLOCK_MONOTONIC);
}

void time_format_utc(double t, char *buf, size_t len)
{
	time_t sec = (time_t)floor(t);
	long usec = lround((t - (double)sec) * 1e6);
	struct tm tm;

	if (usec >= 1000000) {
		sec++;
		usec -= 1000000;
	}
	gmtime_r(&sec, &tm);
	snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d.%06ld",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, usec);
}
