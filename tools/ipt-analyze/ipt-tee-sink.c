/* ipt-tee-sink.c: hands everything a decoder produces to several sinks
 * (the analyses of one decode: statistics, coverage, calls, the listing),
 * in order, each only what it asked for: with `--stat` and a listing on the
 * block decoder the statistics get the blocks and the listing the walked
 * instructions. The vfuncs are resolved once per decode in begin, as the
 * decoder does, so the tee adds one indirect call per item and sink and no
 * lookup. It splits and merges branch by branch, when every branch can
 * (ipt_tee_sink_can_split()). */
#include "config.h"

#include "ipt-tee-sink.h"

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

  Branch *branches;
  guint n_branches;
};

static void ipt_tee_sink_iface_init (IptSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (IptTeeSink, ipt_tee_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IPT_TYPE_SINK, ipt_tee_sink_iface_init))

static gboolean
ipt_tee_sink_begin (IptSink *sink, IptDecoder *decoder, GError **error)
{
  IptTeeSink *self = (IptTeeSink *) sink;

  for (guint i = 0; i < self->n_branches; i++)
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

  for (guint i = 0; i < self->n_branches; i++)
    needs |= self->branches[i].needs;
  return needs;
}

static void
ipt_tee_sink_insn (IptSink *sink, const struct pt_insn *insn)
{
  IptTeeSink *self = (IptTeeSink *) sink;

  for (guint i = 0; i < self->n_branches; i++)
    if (self->branches[i].insn != NULL)
      self->branches[i].insn (self->branches[i].sink, insn);
}

static void
ipt_tee_sink_block (IptSink *sink, const struct pt_block *block)
{
  IptTeeSink *self = (IptTeeSink *) sink;

  for (guint i = 0; i < self->n_branches; i++)
    if (self->branches[i].block != NULL)
      self->branches[i].block (self->branches[i].sink, block);
}

static void
ipt_tee_sink_event (IptSink *sink, const struct pt_event *event)
{
  IptTeeSink *self = (IptTeeSink *) sink;

  for (guint i = 0; i < self->n_branches; i++)
    if (self->branches[i].event != NULL)
      self->branches[i].event (self->branches[i].sink, event);
}

static void
ipt_tee_sink_error (IptSink *sink, IptDecodeErrorKind kind, gint64 offset, guint64 ip, int code)
{
  IptTeeSink *self = (IptTeeSink *) sink;

  for (guint i = 0; i < self->n_branches; i++)
    if (self->branches[i].error != NULL)
      self->branches[i].error (self->branches[i].sink, kind, offset, ip, code);
}

static void
ipt_tee_sink_end_of_trace (IptSink *sink, gint64 offset)
{
  IptTeeSink *self = (IptTeeSink *) sink;

  for (guint i = 0; i < self->n_branches; i++)
    if (self->branches[i].end_of_trace != NULL)
      self->branches[i].end_of_trace (self->branches[i].sink, offset);
}

/* Every sink is ended, also after one failed; the first error wins. */
static gboolean
ipt_tee_sink_end (IptSink *sink, GError **error)
{
  IptTeeSink *self = (IptTeeSink *) sink;
  g_autoptr(GError) first_error = NULL;

  for (guint i = 0; i < self->n_branches; i++)
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

static IptTeeSink *tee_new (guint n);

/* NULL unless every branch splits: the CLI then decodes with one job. */
static IptSink *
ipt_tee_sink_split (IptSink *sink)
{
  IptTeeSink *self = (IptTeeSink *) sink;
  g_autoptr(IptTeeSink) part = NULL;

  if (!ipt_tee_sink_can_split (self))
    return NULL;
  part = tee_new (self->n_branches);
  for (guint i = 0; i < self->n_branches; i++)
    if ((part->branches[i].sink = ipt_sink_split (self->branches[i].sink)) == NULL)
      return NULL;
  return IPT_SINK (g_steal_pointer (&part));
}

static gboolean
ipt_tee_sink_merge (IptSink *sink, IptSink *part_sink, GError **error)
{
  IptTeeSink *self = (IptTeeSink *) sink;
  IptTeeSink *part = (IptTeeSink *) part_sink;

  if (!IPT_IS_TEE_SINK (part_sink) || part->n_branches != self->n_branches)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "a tee of %u sinks cannot merge a %s", self->n_branches,
                   G_OBJECT_TYPE_NAME (part_sink));
      return FALSE;
    }
  for (guint i = 0; i < self->n_branches; i++)
    if (!ipt_sink_merge (self->branches[i].sink, part->branches[i].sink, error))
      return FALSE;
  return TRUE;
}

static void
ipt_tee_sink_iface_init (IptSinkInterface *iface)
{
  iface->split = ipt_tee_sink_split;
  iface->merge = ipt_tee_sink_merge;
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

  for (guint i = 0; i < self->n_branches; i++)
    g_clear_object (&self->branches[i].sink);
  g_clear_pointer (&self->branches, g_free);
  self->n_branches = 0;

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

static IptTeeSink *
tee_new (guint n)
{
  IptTeeSink *self = g_object_new (IPT_TYPE_TEE_SINK, NULL);

  self->branches = g_new0 (Branch, n);
  self->n_branches = n;
  return self;
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
  IptSink *sinks[] = { first, second };

  return ipt_tee_sink_new_for (sinks, G_N_ELEMENTS (sinks));
}

/**
 * ipt_tee_sink_new_for:
 * @sinks: (array length=n): the sinks, in the order they get each item
 * @n: how many, at least one
 *
 * Returns: (transfer full): a sink that feeds each of @sinks
 */
IptTeeSink *
ipt_tee_sink_new_for (IptSink * const *sinks, guint n)
{
  IptTeeSink *self;

  g_return_val_if_fail (n > 0, NULL);
  for (guint i = 0; i < n; i++)
    g_return_val_if_fail (IPT_IS_SINK (sinks[i]), NULL);

  self = tee_new (n);
  for (guint i = 0; i < n; i++)
    self->branches[i].sink = g_object_ref (sinks[i]);
  return self;
}

/**
 * ipt_tee_sink_can_split:
 * @self: an #IptTeeSink
 *
 * Returns: whether every sink of @self splits, so that a decode into @self
 *   can run on several jobs (otherwise give the decoder one job)
 */
gboolean
ipt_tee_sink_can_split (IptTeeSink *self)
{
  g_return_val_if_fail (IPT_IS_TEE_SINK (self), FALSE);

  for (guint i = 0; i < self->n_branches; i++)
    if (!ipt_sink_can_split (self->branches[i].sink))
      return FALSE;
  return TRUE;
}
