/* ipt-tee-sink.c: hands everything a decoder produces to two sinks, in
 * order, each only what it asked for: with `--stat` and a listing on the
 * block decoder the statistics get the blocks and the listing the walked
 * instructions. The vfuncs are resolved once per decode in begin, as the
 * decoder does, so the tee adds one indirect call per item and no lookup. */
#include "config.h"

#include "ipt-tee-sink.h"

#define N_SINKS 2

typedef struct {
  IptSink *sink;
  IptSinkNeeds needs;
  void (*insn) (IptSink *, const struct pt_insn *);
  void (*block) (IptSink *, const struct pt_block *);
  void (*event) (IptSink *, const struct pt_event *);
  void (*error) (IptSink *, IptDecodeErrorKind, gint64, guint64, int);
  void (*end_of_trace) (IptSink *, gint64);
} Branch;

struct _IptTeeSink {
  GObject parent_instance;

  Branch branches[N_SINKS];
};

static void ipt_tee_sink_iface_init (IptSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (IptTeeSink, ipt_tee_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IPT_TYPE_SINK, ipt_tee_sink_iface_init))

static gboolean
ipt_tee_sink_begin (IptSink *sink, IptDecoder *decoder, GError **error)
{
  IptTeeSink *self = (IptTeeSink *) sink;

  for (guint i = 0; i < N_SINKS; i++)
    {
      Branch *b = &self->branches[i];
      IptSinkInterface *iface;

      if (!ipt_sink_begin (b->sink, decoder, error))
        {
          /* The decoder ends nothing that did not begin: end the ones
           * that did (e.g. flush a listing), keeping this error. */
          for (guint j = 0; j < i; j++)
            (void) ipt_sink_end (self->branches[j].sink, NULL);
          return FALSE;
        }
      /* A sink's needs may depend on the decoder it was begun with. */
      iface = IPT_SINK_GET_IFACE (b->sink);
      b->needs = ipt_sink_get_needs (b->sink);
      b->insn = (b->needs & IPT_SINK_NEEDS_INSNS) ? iface->insn : NULL;
      b->block = (b->needs & IPT_SINK_NEEDS_BLOCKS) ? iface->block : NULL;
      b->event = iface->event;
      b->error = iface->error;
      b->end_of_trace = iface->end_of_trace;
    }
  return TRUE;
}

static IptSinkNeeds
ipt_tee_sink_get_needs (IptSink *sink)
{
  IptTeeSink *self = (IptTeeSink *) sink;
  IptSinkNeeds needs = IPT_SINK_NEEDS_NONE;

  for (guint i = 0; i < N_SINKS; i++)
    needs |= self->branches[i].needs;
  return needs;
}

static void
ipt_tee_sink_insn (IptSink *sink, const struct pt_insn *insn)
{
  IptTeeSink *self = (IptTeeSink *) sink;

  for (guint i = 0; i < N_SINKS; i++)
    if (self->branches[i].insn != NULL)
      self->branches[i].insn (self->branches[i].sink, insn);
}

static void
ipt_tee_sink_block (IptSink *sink, const struct pt_block *block)
{
  IptTeeSink *self = (IptTeeSink *) sink;

  for (guint i = 0; i < N_SINKS; i++)
    if (self->branches[i].block != NULL)
      self->branches[i].block (self->branches[i].sink, block);
}

static void
ipt_tee_sink_event (IptSink *sink, const struct pt_event *event)
{
  IptTeeSink *self = (IptTeeSink *) sink;

  for (guint i = 0; i < N_SINKS; i++)
    if (self->branches[i].event != NULL)
      self->branches[i].event (self->branches[i].sink, event);
}

static void
ipt_tee_sink_error (IptSink *sink, IptDecodeErrorKind kind, gint64 offset, guint64 ip, int code)
{
  IptTeeSink *self = (IptTeeSink *) sink;

  for (guint i = 0; i < N_SINKS; i++)
    if (self->branches[i].error != NULL)
      self->branches[i].error (self->branches[i].sink, kind, offset, ip, code);
}

static void
ipt_tee_sink_end_of_trace (IptSink *sink, gint64 offset)
{
  IptTeeSink *self = (IptTeeSink *) sink;

  for (guint i = 0; i < N_SINKS; i++)
    if (self->branches[i].end_of_trace != NULL)
      self->branches[i].end_of_trace (self->branches[i].sink, offset);
}

/* Every sink is ended, also after one failed; the first error wins. */
static gboolean
ipt_tee_sink_end (IptSink *sink, GError **error)
{
  IptTeeSink *self = (IptTeeSink *) sink;
  g_autoptr(GError) first_error = NULL;

  for (guint i = 0; i < N_SINKS; i++)
    {
      g_autoptr(GError) sink_error = NULL;

      if (!ipt_sink_end (self->branches[i].sink, &sink_error) && first_error == NULL)
        first_error = g_steal_pointer (&sink_error);
    }
  if (first_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
      return FALSE;
    }
  return TRUE;
}

static void
ipt_tee_sink_iface_init (IptSinkInterface *iface)
{
  iface->get_needs = ipt_tee_sink_get_needs;
  iface->begin = ipt_tee_sink_begin;
  iface->insn = ipt_tee_sink_insn;
  iface->block = ipt_tee_sink_block;
  iface->event = ipt_tee_sink_event;
  iface->error = ipt_tee_sink_error;
  iface->end_of_trace = ipt_tee_sink_end_of_trace;
  iface->end = ipt_tee_sink_end;
}

static void
ipt_tee_sink_dispose (GObject *object)
{
  IptTeeSink *self = IPT_TEE_SINK (object);

  for (guint i = 0; i < N_SINKS; i++)
    g_clear_object (&self->branches[i].sink);

  G_OBJECT_CLASS (ipt_tee_sink_parent_class)->dispose (object);
}

static void
ipt_tee_sink_class_init (IptTeeSinkClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ipt_tee_sink_dispose;
}

static void
ipt_tee_sink_init (IptTeeSink *self)
{
}

/**
 * ipt_tee_sink_new:
 * @first: the sink that gets everything first
 * @second: the sink that gets it next
 *
 * Returns: (transfer full): a sink that feeds @first and @second
 */
IptTeeSink *
ipt_tee_sink_new (IptSink *first, IptSink *second)
{
  IptTeeSink *self;

  g_return_val_if_fail (IPT_IS_SINK (first), NULL);
  g_return_val_if_fail (IPT_IS_SINK (second), NULL);

  self = g_object_new (IPT_TYPE_TEE_SINK, NULL);
  self->branches[0].sink = g_object_ref (first);
  self->branches[1].sink = g_object_ref (second);
  return self;
}
