/* ipt-tee-sink.h: one sink in front of several: the listing and the analyses of one decode. */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

#define IPT_TYPE_TEE_SINK (ipt_tee_sink_get_type ())
G_DECLARE_FINAL_TYPE (IptTeeSink, ipt_tee_sink, IPT, TEE_SINK, GObject)

IptTeeSink *ipt_tee_sink_new (IptSink *first, IptSink *second);
IptTeeSink *ipt_tee_sink_new_for (IptSink * const *sinks, guint n);
gboolean ipt_tee_sink_can_split (IptTeeSink *self);

G_END_DECLS
