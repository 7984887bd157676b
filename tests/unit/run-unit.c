/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Runs every unit test and prints "unit: N passed, N failed". */
#include "harness.h"
#include "log.h"

unsigned long test_passed;
unsigned long test_failed;
const char *test_case;

static const struct {
	const char *name;
	void (*run)(void);
} suites[] = {
    {"target", test_target},	 {"packet", test_packet},
    {"observer", test_observer}, {"combine", test_combine},
    {"record", test_record},	 {"chains", test_chains},
};

int main(void)
{
	log_max_level = LOG_ERROR;
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		unsigned long failed_before = test_failed;

		test_case = NULL;
		suites[i].run();
		fprintf(stderr, "%s %s\n",
			test_failed == failed_before ? "ok  " : "FAIL",
			suites[i].name);
	}
	printf("unit: %lu passed, %lu failed\n", test_passed, test_failed);
	return test_failed ? 1 : 0;
}
