/* ipt-sink-lead.c: the leading events and errors of a parallel decode's
 * part, kept for its merge (see ipt-sink-lead-private.h). */
#include "config.h"

#include "ipt-sink-lead-private.h"

typedef struct {
  gboolean is_error;
  struct pt_event event;
  IptDecodeErrorKind kind;
  gint64 offset;
  guint64 ip;
  int code;
} IptSinkLeadItem;

static IptSinkLeadItem *
add_item (IptSinkLead *lead)
{
  if (lead->items == NULL)
    lead->items = g_array_new (FALSE, TRUE, sizeof (IptSinkLeadItem));
  g_array_set_size (lead->items, lead->items->len + 1);
  return &g_array_index (lead->items, IptSinkLeadItem, lead->items->len - 1);
}

void
ipt_sink_lead_add_event (IptSinkLead *lead, const struct pt_event *event)
{
  add_item (lead)->event = *event;
}

void
ipt_sink_lead_add_error (IptSinkLead *lead, IptDecodeErrorKind kind, gint64 offset,
                         guint64 ip, int code)
{
  IptSinkLeadItem *item = add_item (lead);

  item->is_error = TRUE;
  item->kind = kind;
  item->offset = offset;
  item->ip = ip;
  item->code = code;
}

void
ipt_sink_lead_replay (const IptSinkLead *lead, IptSink *sink)
{
  if (lead->items == NULL)
    return;
  for (guint i = 0; i < lead->items->len; i++)
    {
      const IptSinkLeadItem *item = &g_array_index (lead->items, IptSinkLeadItem, i);

      if (item->is_error)
        ipt_sink_error (sink, item->kind, item->offset, item->ip, item->code);
      else
        ipt_sink_event (sink, &item->event);
    }
}

void
ipt_sink_lead_clear (IptSinkLead *lead)
{
  g_clear_pointer (&lead->items, g_array_unref);
}
