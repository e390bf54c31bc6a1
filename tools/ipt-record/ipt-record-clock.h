/* ipt-record-clock.h: the one clock of a recording, CLOCK_MONOTONIC in
 * nanoseconds: what TSC packets carry, what page versions are stamped
 * with, and what perf's jitdump files use, so that all three compare.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <time.h>

#include <glib.h>

static inline guint64
ipt_record_clock_now (void)
{
  struct timespec now;

  clock_gettime (CLOCK_MONOTONIC, &now);
  return (guint64) now.tv_sec * G_GUINT64_CONSTANT (1000000000) + (guint64) now.tv_nsec;
}
