/* ipt-perf-thread-sink.h: --perf's threads: each decoded item attributed
 * to the thread that ran it, filtered by --pid/--tid, with --fields
 * columns, a line where the thread changes, and statistics per thread.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdio.h>
#include <json-glib/json-glib.h>
#include <ipt-analyze/ipt-analyze.h>

#include "ipt-listing-sink.h"

G_BEGIN_DECLS

/* The --fields columns, in the order they are printed. */
typedef enum {
  IPT_PERF_FIELD_CPU = 1 << 0,
  IPT_PERF_FIELD_PID = 1 << 1,
  IPT_PERF_FIELD_TID = 1 << 2,
  IPT_PERF_FIELD_COMM = 1 << 3,
  IPT_PERF_FIELD_TIME = 1 << 4,
} IptPerfFields;

#define IPT_TYPE_PERF_THREAD_SINK (ipt_perf_thread_sink_get_type ())
G_DECLARE_FINAL_TYPE (IptPerfThreadSink, ipt_perf_thread_sink, IPT, PERF_THREAD_SINK, GObject)

IptPerfThreadSink *ipt_perf_thread_sink_new (IptPerfData *perf, IptSink *downstream,
                                             IptListingSink *listing, IptPerfFields fields,
                                             gboolean per_thread_stats);
void ipt_perf_thread_sink_set_filter (IptPerfThreadSink *self, GArray *pids, GArray *tids);
gboolean ipt_perf_thread_sink_wants_thread (IptPerfThreadSink *self, gint64 pid, gint64 tid);
void ipt_perf_thread_sink_set_queue (IptPerfThreadSink *self, const IptPerfQueue *queue);
guint64 ipt_perf_thread_sink_get_n_kept (IptPerfThreadSink *self);
void ipt_perf_thread_sink_print_stats (IptPerfThreadSink *self, IptDecoderKind kind, FILE *out);
void ipt_perf_thread_sink_add_stats_json (IptPerfThreadSink *self, IptDecoderKind kind,
                                          JsonBuilder *builder);

G_END_DECLS
