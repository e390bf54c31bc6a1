/* ipt-tee-sink.h: one sink in front of two, e.g. the listing and the statistics. */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

#define IPT_TYPE_TEE_SINK (ipt_tee_sink_get_type ())
G_DECLARE_FINAL_TYPE (IptTeeSink, ipt_tee_sink, IPT, TEE_SINK, GObject)

IptTeeSink *ipt_tee_sink_new (IptSink *first, IptSink *second);

G_END_DECLS
