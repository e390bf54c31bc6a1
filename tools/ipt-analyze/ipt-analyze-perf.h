/* ipt-analyze-perf.h: --perf FILE: a perf.data's Intel PT queues decoded
 * over the memory its sideband names, with the decoder set up from its
 * AUXTRACE_INFO and HEADER_CPUID.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

/* The recording's TSC conversion (perf's time_zero/mult/shift) unless
 * @keep_tsc_conversion, and its cpu (HEADER_CPUID "GenuineIntel,F,M,S",
 * for libipt's errata) unless @keep_cpu. */
gboolean ipt_analyze_perf_configure (IptDecoder *decoder, IptPerfData *perf,
                                     gboolean keep_tsc_conversion, gboolean keep_cpu,
                                     GError **error);

G_END_DECLS
