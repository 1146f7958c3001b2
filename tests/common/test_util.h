/* SPDX-License-Identifier: MIT */
/*
 * tests/common/test_util.h - shared test vocabulary (on top of cmocka).
 *
 * report capture: tu_reports_capture() installs a handler that records every report; tests
 * assert the exact count and subsystem/message substrings with tu_expect_report().
 * leak checks: tu_snapshot()/tu_assert_no_leak() compare free pages and live metadata.
 */
#ifndef MINALIGN_TEST_UTIL_H
#define MINALIGN_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <minalign/minalign.h>

#define TU_MAX_REPORTS 256

struct tu_report {
	char subsystem[32];
	char device[64];
	char message[256];
	uint64_t addr;
	size_t size;
};

/* Start capturing reports (clears the log).  Thread-safe. */
void tu_reports_capture(void);
/* Stop capturing: restore the default handler. */
void tu_reports_release(void);
/* Number of reports captured since tu_reports_capture() or the last tu_reports_clear(). */
unsigned int tu_reports_count(void);
const struct tu_report *tu_report_get(unsigned int i);
void tu_reports_clear(void);
/* Print the captured reports to stderr (for failing tests). */
void tu_reports_dump(void);

/*
 * Assert exactly one report was captured since the last clear, from @subsys, whose message
 * contains @needle; then clear the log.
 */
#define tu_expect_report(subsys, needle) tu_expect_report_(subsys, needle, __FILE__, __LINE__)
void tu_expect_report_(const char *subsys, const char *needle, const char *file, int line);
/* Assert no report was captured since the last clear. */
#define tu_expect_no_report() tu_expect_no_report_(__FILE__, __LINE__)
void tu_expect_no_report_(const char *file, int line);

/* Leak accounting over the library's statistics. */
struct tu_snapshot {
	uint64_t pages_free;
	uint64_t meta_live;
	uint64_t slab_objects;
};
void tu_snapshot(struct tu_snapshot *s);
#define tu_assert_no_leak(s) tu_assert_no_leak_(s, __FILE__, __LINE__)
void tu_assert_no_leak_(const struct tu_snapshot *s, const char *file, int line);

/* minalign_init() with defaults overridden by the caller's edits; asserts success. */
void tu_init(const struct minalign_config *cfg);
/* A small default machine for tests: 64 MiB RAM, everything else default. */
void tu_config_small(struct minalign_config *cfg);

/* Deterministic PRNG (xorshift64*) for tests. */
static inline uint64_t tu_rand(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

#endif /* MINALIGN_TEST_UTIL_H */
