/* record-perf.h: checks an ipt-record recording's DIR/perf.data with
 * Debian's perf, whose Intel PT decoder is not libipt.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void record_perf_assert_decodes     (const char *dir, gboolean timed);
void record_perf_assert_jit_decodes (const char *dir);
void record_perf_assert_thread_filters (const char *dir);

G_END_DECLS
