/* ipt-analyze-perf.h: --perf FILE: a perf.data's Intel PT queues decoded
 * over the memory its sideband names, with the decoder set up from its
 * AUXTRACE_INFO and HEADER_CPUID.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-perf-files.h"

G_BEGIN_DECLS

/* Chains a raw provider for each file the recording mapped (user-space
 * MMAP/MMAP2 of a file that @files finds) after the
 * image's providers, so that memory given with --plugin (a core) outranks
 * the files. What cannot be served (anonymous memory, [vdso], a missing
 * file) is one warning each, naming it and its addresses. Returns how many
 * mappings were added. */
guint ipt_analyze_perf_add_mappings (IptPluginRegistry *registry, IptImage *image,
                                     IptPerfData *perf, IptPerfFiles *files);

/* The recording's TSC conversion (perf's time_zero/mult/shift) unless
 * @keep_tsc_conversion, and its cpu (HEADER_CPUID "GenuineIntel,F,M,S",
 * for libipt's errata) unless @keep_cpu. */
gboolean ipt_analyze_perf_configure (IptDecoder *decoder, IptPerfData *perf,
                                     gboolean keep_tsc_conversion, gboolean keep_cpu,
                                     GError **error);

G_END_DECLS
