/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Clocks in seconds as doubles, and PATHspider's UTC time format. */
#ifndef PP_TIMEUTIL_H
#define PP_TIMEUTIL_H

#include <stddef.h>

/* Seconds since the epoch (CLOCK_REALTIME). */
double time_now_real(void);

/* Seconds on CLOCK_MONOTONIC, for deadlines and durations. */
double time_now_mono(void);

/* Writes "YYYY-MM-DD HH:MM:SS.ffffff" in UTC; buf needs 27 bytes. */
void time_format_utc(double t, char *buf, size_t len);

#endif
