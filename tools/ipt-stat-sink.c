/* ipt-stat-sink.c: counts instructions, blocks, errors (by kind and libipt
 * code) and events (by type), and forwards everything to an optional next
 * sink (the listing). With the block decoder it counts from the blocks, so
 * `--stat --quiet` never walks instructions. */
#include "config.h"

#include <inttypes.h>

#include "ipt-stat-sink.h"

#define N_EVENT_TYPES 32
#define N_ERROR_CODES 64

struct _IptStatSink {
  GObject parent_instance;

  IptSink *next;                        /* nullable */
  IptSinkInterface *next_iface;
  IptSinkNeeds next_needs;
  gboolean block_kind;

  guint64 insns;
  guint64 blocks;
  guint64 errors;
  guint64 errors_by[3][N_ERROR_CODES];  /* [kind][-code] */
  guint64 events;
  guint64 events_by[N_EVENT_TYPES];
};

static void ipt_stat_sink_iface_init (IptSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (IptStatSink, ipt_stat_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IPT_TYPE_SINK, ipt_stat_sink_iface_init))

static gboolean
ipt_stat_sink_begin (IptSink *sink, IptDecoder *decoder, GError **error)
{
  IptStatSink *self = (IptStatSink *) sink;

  self->block_kind = ipt_decoder_get_kind (decoder) == IPT_DECODER_KIND_BLOCK;
  if (self->next == NULL)
    return TRUE;
  if (!ipt_sink_begin (self->next, decoder, error))
    return FALSE;
  self->next_iface = IPT_SINK_GET_IFACE (self->next);
  self->next_needs = ipt_sink_get_needs (self->next);
  return TRUE;
}

static IptSinkNeeds
ipt_stat_sink_get_needs (IptSink *sink)
{
  IptStatSink *self = (IptStatSink *) sink;

  return (self->block_kind ? IPT_SINK_NEEDS_BLOCKS : IPT_SINK_NEEDS_INSNS) | self->next_needs;
}

static void
ipt_stat_sink_insn (IptSink *sink, const struct pt_insn *insn)
{
  IptStatSink *self = (IptStatSink *) sink;

  if (!self->block_kind)
    self->insns++;
  if (self->next_needs & IPT_SINK_NEEDS_INSNS)
    self->next_iface->insn (self->next, insn);
}

static void
ipt_stat_sink_block (IptSink *sink, const struct pt_block *block)
{
  IptStatSink *self = (IptStatSink *) sink;

  self->insns += block->ninsn;
  self->blocks++;
  if ((self->next_needs & IPT_SINK_NEEDS_BLOCKS) && self->next_iface->block != NULL)
    self->next_iface->block (self->next, block);
}

static void
ipt_stat_sink_event (IptSink *sink, const struct pt_event *event)
{
  IptStatSink *self = (IptStatSink *) sink;

  if (!event->status_update)
    {
      self->events++;
      if ((guint) event->type < N_EVENT_TYPES)
        self->events_by[event->type]++;
    }
  if (self->next_iface != NULL && self->next_iface->event != NULL)
    self->next_iface->event (self->next, event);
}

static void
ipt_stat_sink_error (IptSink *sink, IptDecodeErrorKind kind, gint64 offset, guint64 ip, int code)
{
  IptStatSink *self = (IptStatSink *) sink;

  self->errors++;
  if ((guint) kind < 3 && code < 0 && -code < N_ERROR_CODES)
    self->errors_by[kind][-code]++;
  if (self->next_iface != NULL && self->next_iface->error != NULL)
    self->next_iface->error (self->next, kind, offset, ip, code);
}

static void
ipt_stat_sink_end_of_trace (IptSink *sink, gint64 offset)
{
  IptStatSink *self = (IptStatSink *) sink;

  if (self->next_iface != NULL && self->next_iface->end_of_trace != NULL)
    self->next_iface->end_of_trace (self->next, offset);
}

static gboolean
ipt_stat_sink_end (IptSink *sink, GError **error)
{
  IptStatSink *self = (IptStatSink *) sink;

  if (self->next == NULL)
    return TRUE;
  return ipt_sink_end (self->next, error);
}

static void
ipt_stat_sink_iface_init (IptSinkInterface *iface)
{
  iface->get_needs = ipt_stat_sink_get_needs;
  iface->begin = ipt_stat_sink_begin;
  iface->insn = ipt_stat_sink_insn;
  iface->block = ipt_stat_sink_block;
  iface->event = ipt_stat_sink_event;
  iface->error = ipt_stat_sink_error;
  iface->end_of_trace = ipt_stat_sink_end_of_trace;
  iface->end = ipt_stat_sink_end;
}

static void
ipt_stat_sink_dispose (GObject *object)
{
  IptStatSink *self = IPT_STAT_SINK (object);

  g_clear_object (&self->next);
  self->next_iface = NULL;

  G_OBJECT_CLASS (ipt_stat_sink_parent_class)->dispose (object);
}

static void
ipt_stat_sink_class_init (IptStatSinkClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ipt_stat_sink_dispose;
}

static void
ipt_stat_sink_init (IptStatSink *self)
{
}

/**
 * ipt_stat_sink_new:
 * @next: (nullable): a sink to forward everything to
 *
 * Returns: (transfer full): a new statistics sink
 */
IptStatSink *
ipt_stat_sink_new (IptSink *next)
{
  IptStatSink *self = g_object_new (IPT_TYPE_STAT_SINK, NULL);

  self->next = next != NULL ? g_object_ref (next) : NULL;
  return self;
}

guint64
ipt_stat_sink_get_insns (IptStatSink *self)
{
  return self->insns;
}

guint64
ipt_stat_sink_get_blocks (IptStatSink *self)
{
  return self->blocks;
}

guint64
ipt_stat_sink_get_errors (IptStatSink *self)
{
  return self->errors;
}

static const char *
event_name (enum pt_event_type type)
{
  switch (type)
    {
    case ptev_enabled: return "enabled";
    case ptev_disabled: return "disabled";
    case ptev_async_disabled: return "async disabled";
    case ptev_async_branch: return "interrupt";
    case ptev_paging: return "paging";
    case ptev_async_paging: return "async paging";
    case ptev_overflow: return "overflow";
    case ptev_exec_mode: return "exec mode";
    case ptev_tsx: return "tsx";
    case ptev_stop: return "stopped";
    case ptev_vmcs: return "vmcs";
    case ptev_async_vmcs: return "async vmcs";
    case ptev_exstop: return "exstop";
    case ptev_mwait: return "mwait";
    case ptev_pwre: return "pwre";
    case ptev_pwrx: return "pwrx";
    case ptev_ptwrite: return "ptwrite";
    case ptev_tick: return "tick";
    case ptev_cbr: return "cbr";
    case ptev_mnt: return "mnt";
    default: return NULL;
    }
}

/**
 * ipt_stat_sink_print:
 * @self: an #IptStatSink
 * @out: where to print
 *
 * Prints "insn: N." exactly as ptxed does, "blocks:\tN." for the block
 * decoder (ptxed's --stat:blocks line), then "errors: N." with one indented
 * line per error kind and libipt message, and "events: N." with one
 * indented line per event type.
 */
void
ipt_stat_sink_print (IptStatSink *self, FILE *out)
{
  fprintf (out, "insn: %" PRIu64 ".\n", self->insns);
  if (self->block_kind)
    fprintf (out, "blocks:\t%" PRIu64 ".\n", self->blocks);

  fprintf (out, "errors: %" PRIu64 ".\n", self->errors);
  for (guint kind = 0; kind < 3; kind++)
    for (guint code = 0; code < N_ERROR_CODES; code++)
      if (self->errors_by[kind][code] > 0)
        fprintf (out, "  %s: %s: %" PRIu64 ".\n",
                 ipt_decode_error_kind_get_label ((IptDecodeErrorKind) kind),
                 pt_errstr ((enum pt_error_code) code), self->errors_by[kind][code]);

  fprintf (out, "events: %" PRIu64 ".\n", self->events);
  for (guint type = 0; type < N_EVENT_TYPES; type++)
    if (self->events_by[type] > 0)
      {
        const char *name = event_name ((enum pt_event_type) type);

        if (name != NULL)
          fprintf (out, "  %s: %" PRIu64 ".\n", name, self->events_by[type]);
        else
          fprintf (out, "  event %u: %" PRIu64 ".\n", type, self->events_by[type]);
      }
}
