/* ipt-sink-lead-private.h: the events and errors a segment's part of a
 * parallel decode gets before its first instruction, kept to be replayed
 * into the sink it merges into. At a segment's start the flow's state (an
 * open block, a pending call or edge, tracing on or off) is the previous
 * segment's, which the part does not know: what a leading disable or
 * error does to that state only the merge can do. Used by the analyses
 * that split (IptCoverage, IptCalls). */
#pragma once

#include <ipt-analyze/ipt-analyze.h>

G_BEGIN_DECLS

typedef struct {
  GArray *items;                /* IptSinkLeadItem; NULL until the first */
} IptSinkLead;

G_GNUC_INTERNAL
void ipt_sink_lead_add_event (IptSinkLead *lead, const struct pt_event *event);
G_GNUC_INTERNAL
void ipt_sink_lead_add_error (IptSinkLead *lead, IptDecodeErrorKind kind, gint64 offset,
                              guint64 ip, int code);
/* Hands the kept calls to @sink, in their order. */
G_GNUC_INTERNAL
void ipt_sink_lead_replay (const IptSinkLead *lead, IptSink *sink);
G_GNUC_INTERNAL
void ipt_sink_lead_clear (IptSinkLead *lead);

G_END_DECLS
