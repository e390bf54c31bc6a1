/* ipt-stat-sink.h: decode statistics (ptxed's --stat and more), optionally in front of another sink. */
#pragma once

#include <stdio.h>
#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

#define IPT_TYPE_STAT_SINK (ipt_stat_sink_get_type ())
G_DECLARE_FINAL_TYPE (IptStatSink, ipt_stat_sink, IPT, STAT_SINK, GObject)

IptStatSink *ipt_stat_sink_new (IptSink *next);
guint64 ipt_stat_sink_get_insns (IptStatSink *self);
guint64 ipt_stat_sink_get_blocks (IptStatSink *self);
guint64 ipt_stat_sink_get_errors (IptStatSink *self);
void ipt_stat_sink_print (IptStatSink *self, FILE *out);

G_END_DECLS
