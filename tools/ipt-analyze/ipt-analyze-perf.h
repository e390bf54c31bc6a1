/* ipt-analyze-perf.h: --perf FILE: a perf.data's Intel PT queues decoded
 * over the memory its sideband names, with the decoder set up from its
 * AUXTRACE_INFO and HEADER_CPUID.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-perf-thread-sink.h"

G_BEGIN_DECLS

/* The recording's TSC conversion (perf's time_zero/mult/shift) unless
 * @keep_tsc_conversion, and its cpu (HEADER_CPUID "GenuineIntel,F,M,S",
 * for libipt's errata) unless @keep_cpu. */
gboolean ipt_analyze_perf_configure (IptDecoder *decoder, IptPerfData *perf,
                                     gboolean keep_tsc_conversion, gboolean keep_cpu,
                                     GError **error);

/* Whether to decode @queue: its CPU in @on_cpus (nullable: any), and a
 * per-thread queue's thread one @threads keeps. */
gboolean ipt_analyze_perf_wants_queue (IptPerfData *perf, const IptPerfQueue *queue,
                                       GArray *on_cpus, IptPerfThreadSink *threads);

/* Decodes @queue into @sink, each piece between its gaps (lost data) on
 * its own, after a "[gap: …]" line unless @quiet: a gap is where the
 * decoder synchronizes afresh, not garbage in the middle of a stream. */
gboolean ipt_analyze_perf_decode_queue (IptDecoder *decoder, const IptPerfQueue *queue,
                                        IptSink *sink, gboolean quiet, GError **error);

/* After the decode: a warning when --on-cpu matched no queue (@n_decoded
 * 0) or --pid/--tid nothing decoded, saying which CPUs and threads the
 * recording has, so that a filter never makes a silent empty listing. */
void ipt_analyze_perf_check_filters (IptPerfData *perf, GArray *pids, GArray *tids,
                                     GArray *on_cpus, guint n_decoded, IptPerfThreadSink *threads);

G_END_DECLS
