/* ipt-view-error-sink.h: a sink that lists a decode's errors, for the
 * errors view.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

/* One decode error. */
#define IPT_VIEW_TYPE_ERROR (ipt_view_error_get_type ())
G_DECLARE_FINAL_TYPE (IptViewError, ipt_view_error, IPT_VIEW, ERROR, GObject)

IptDecodeErrorKind ipt_view_error_get_kind (IptViewError *self);
gint64 ipt_view_error_get_offset (IptViewError *self);   /* -1: libipt could not tell */
guint64 ipt_view_error_get_ip (IptViewError *self);
int ipt_view_error_get_code (IptViewError *self);        /* libipt's, negative */
/* libipt's message for its code ("no memory mapped at this address") */
const char *ipt_view_error_get_message (IptViewError *self);
/* the instructions decoded before it */
guint64 ipt_view_error_get_insns_before (IptViewError *self);

#define IPT_VIEW_TYPE_ERROR_SINK (ipt_view_error_sink_get_type ())
G_DECLARE_FINAL_TYPE (IptViewErrorSink, ipt_view_error_sink, IPT_VIEW, ERROR_SINK, GObject)

IptViewErrorSink *ipt_view_error_sink_new (void);
/* The errors so far (IptViewError items); fill it from one decode at a
 * time and read it after the decode. */
GListModel *ipt_view_error_sink_get_errors (IptViewErrorSink *self);

G_END_DECLS
