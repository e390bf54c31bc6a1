/* ipt-analyze-decode.h: the decodes ipt-analyze runs (--pt, --perf), and
 * the one way its parts report a failure.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-analyze-options.h"
#include "ipt-perf-memory.h"

G_BEGIN_DECLS

#define PROGRAM "ipt-analyze"

/* Prints "ipt-analyze: error: MESSAGE"; returns @status (ipt-analyze.c). */
int ipt_analyze_fail (int status, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* --pt FILE over @image. */
int ipt_analyze_decode_pt (IptImage *image, const IptAnalyzeOptions *options);

/* --perf: each queue over its memory in @memory (@image: the first's). */
int ipt_analyze_decode_perf (IptImage *image, IptPerfMemory *memory, IptPerfData *perf,
                             const IptAnalyzeOptions *options);

G_END_DECLS
