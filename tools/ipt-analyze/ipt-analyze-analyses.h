/* ipt-analyze-analyses.h: the analyses of one ipt-analyze decode (--calls,
 * --folded, --chrome-trace, --coverage): their sinks and their output
 * files, opened before the decode and written after it. */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-analyze-options.h"

G_BEGIN_DECLS

typedef struct _IptAnalyzeAnalyses IptAnalyzeAnalyses;

IptAnalyzeAnalyses *ipt_analyze_analyses_new (const IptAnalyzeOptions *options, IptImage *image,
                                              GError **error);
void ipt_analyze_analyses_add_sinks (IptAnalyzeAnalyses *self, GPtrArray *sinks);
gboolean ipt_analyze_analyses_only_afl (const IptAnalyzeOptions *options);
void ipt_analyze_analyses_set_afl_bitmap (IptAnalyzeAnalyses *self, GBytes *bitmap);
gboolean ipt_analyze_analyses_write (IptAnalyzeAnalyses *self, GError **error);
void ipt_analyze_analyses_free (IptAnalyzeAnalyses *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IptAnalyzeAnalyses, ipt_analyze_analyses_free)

G_END_DECLS
