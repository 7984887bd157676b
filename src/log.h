/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging to stderr: one line per message with a UTC timestamp, a level and
 * the component that wrote it.  Standard output carries records only.
 */
#ifndef PP_LOG_H
#define PP_LOG_H

enum log_level {
	LOG_ERROR,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
};

/* Messages above this level are dropped; -q lowers it, -v raises it. */
extern enum log_level log_max_level;

void log_msg(enum log_level level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Logs at most a few messages a second for one call site, then a count of
 * what was suppressed, so a flood of odd packets cannot flood stderr.
 */
struct log_ratelimit {
	double window_start;
	unsigned int in_window;
	unsigned long suppressed;
};

int log_ratelimit_allow(struct log_ratelimit *rl);

#define log_error(comp, ...) log_msg(LOG_ERROR, comp, __VA_ARGS__)
#define log_warn(comp, ...)  log_msg(LOG_WARN, comp, __VA_ARGS__)
#define log_info(comp, ...)  log_msg(LOG_INFO, comp, __VA_ARGS__)
#define log_debug(comp, ...)                                                   \
	do {                                                                   \
		if (log_max_level >= LOG_DEBUG)                                \
			log_msg(LOG_DEBUG, comp, __VA_ARGS__);                 \
	} while (0)

#endif
