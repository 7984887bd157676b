/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A minimal table-driven test harness: each CHECK counts one assertion,
 * and a failure prints where it happened and the case it belongs to.
 */
#ifndef PP_TEST_HARNESS_H
#define PP_TEST_HARNESS_H

#include <stdio.h>

extern unsigned long test_passed;
extern unsigned long test_failed;
extern const char *test_case; /* name of the case being checked */

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (cond) {                                                    \
			test_passed++;                                         \
		} else {                                                       \
			test_failed++;                                         \
			fprintf(stderr, "FAIL %s:%d [%s] %s: ", __FILE__,      \
				__LINE__, test_case ? test_case : "-", #cond); \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
		}                                                              \
	} while (0)

/* Each test file exposes one entry point, listed in run-unit.c. */
void test_target(void);
void test_packet(void);
void test_observer(void);
void test_combine(void);
void test_record(void);
void test_chains(void);

#endif
