/* ipt-view-trace.h: what ipt-view shows, as one object: the image built
 * from the command line and the dialog, and the trace decoded over it
 * (the call analysis, the errors, the lazy listing).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-analyze-options.h"

G_BEGIN_DECLS

#define IPT_VIEW_TYPE_TRACE (ipt_view_trace_get_type ())
G_DECLARE_FINAL_TYPE (IptViewTrace, ipt_view_trace, IPT_VIEW, TRACE, GObject)

/* @options (not copied: it outlives the trace) gives the trace file and
 * the decoder's settings; @image its memory. */
IptViewTrace *ipt_view_trace_new (IptPluginRegistry *registry, IptImage *image,
                                  const IptAnalyzeOptions *options);

IptPluginRegistry *ipt_view_trace_get_registry (IptViewTrace *self);
IptImage *ipt_view_trace_get_image (IptViewTrace *self);
/* The --pt file, NULL when none was given. */
const char *ipt_view_trace_get_path (IptViewTrace *self);

/* Decodes the trace: the call analysis and the errors in one pass, the
 * listing's index beside it (of --pt's range). Progress is the "progress" property (0 to 1). */
void ipt_view_trace_load_async (IptViewTrace *self, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
gboolean ipt_view_trace_load_finish (IptViewTrace *self, GAsyncResult *result, GError **error);
double ipt_view_trace_get_progress (IptViewTrace *self);

/* After a load; NULL before. Signal "listing-ready" (IptListingModel *)
 * when a load's listing has its rows, before the load ends. */
IptCalls *ipt_view_trace_get_calls (IptViewTrace *self);
IptListingModel *ipt_view_trace_get_listing (IptViewTrace *self);
GListModel *ipt_view_trace_get_errors (IptViewTrace *self);

G_END_DECLS
