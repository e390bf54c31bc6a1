/* ipt-sink.c: the analysis-sink interface. The public wrappers check and
 * dispatch; the decoder itself resolves the vfuncs once per decode and never
 * goes through these wrappers per instruction. */
#include "config.h"

#include <ipt-analyze/ipt-analyze.h>

/**
 * IptSink:
 *
 * Something that consumes what a decoder produces: instructions, blocks,
 * events and errors. The listing and the statistics of `ipt-analyze` are
 * sinks; so is anything a GUI or an analysis wants to build.
 *
 * Since: 0.1
 */
G_DEFINE_INTERFACE (IptSink, ipt_sink, G_TYPE_OBJECT)

static void
ipt_sink_default_init (IptSinkInterface *iface)
{
}

/**
 * ipt_decode_error_kind_get_label:
 * @kind: an #IptDecodeErrorKind
 *
 * Returns the words ptxed uses for @kind in its `[offset, ip: KIND: message]`
 * lines: "sync error", "error" or "reconstruct error".
 *
 * Returns: (transfer none): a static string
 *
 * Since: 0.1
 */
const char *
ipt_decode_error_kind_get_label (IptDecodeErrorKind kind)
{
  switch (kind)
    {
    case IPT_DECODE_ERROR_SYNC:
      return "sync error";
    case IPT_DECODE_ERROR_DECODE:
      return "error";
    case IPT_DECODE_ERROR_RECONSTRUCT:
      return "reconstruct error";
    default:
      return "unknown error";
    }
}

/**
 * ipt_sink_get_needs:
 * @self: an #IptSink
 *
 * Asks what @self wants the decoder to deliver.
 *
 * Returns: the sink's needs; when the sink does not implement `get_needs`,
 *   derived from the vfuncs it implements
 *
 * Since: 0.1
 */
IptSinkNeeds
ipt_sink_get_needs (IptSink *self)
{
  IptSinkInterface *iface;
  IptSinkNeeds needs = IPT_SINK_NEEDS_NONE;

  g_return_val_if_fail (IPT_IS_SINK (self), IPT_SINK_NEEDS_NONE);

  iface = IPT_SINK_GET_IFACE (self);
  if (iface->get_needs != NULL)
    return iface->get_needs (self);

  if (iface->insn != NULL)
    needs |= IPT_SINK_NEEDS_INSNS;
  if (iface->block != NULL)
    needs |= IPT_SINK_NEEDS_BLOCKS;
  return needs;
}

/**
 * ipt_sink_begin:
 * @self: an #IptSink
 * @decoder: the decoder that is about to run
 * @error: return location for a #GError
 *
 * Tells @self that a decode starts.
 *
 * Returns: %TRUE to go on, %FALSE with @error set to abort the decode
 *
 * Since: 0.1
 */
gboolean
ipt_sink_begin (IptSink *self, IptDecoder *decoder, GError **error)
{
  IptSinkInterface *iface;

  g_return_val_if_fail (IPT_IS_SINK (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = IPT_SINK_GET_IFACE (self);
  if (iface->begin == NULL)
    return TRUE;
  return iface->begin (self, decoder, error);
}

/**
 * ipt_sink_insn: (skip)
 * @self: an #IptSink
 * @insn: a libipt instruction
 *
 * Hands one instruction to @self.
 *
 * Since: 0.1
 */
void
ipt_sink_insn (IptSink *self, const struct pt_insn *insn)
{
  IptSinkInterface *iface;

  g_return_if_fail (IPT_IS_SINK (self));
  g_return_if_fail (insn != NULL);

  iface = IPT_SINK_GET_IFACE (self);
  if (iface->insn != NULL)
    iface->insn (self, insn);
}

/**
 * ipt_sink_block: (skip)
 * @self: an #IptSink
 * @block: a libipt block
 *
 * Hands one block to @self.
 *
 * Since: 0.1
 */
void
ipt_sink_block (IptSink *self, const struct pt_block *block)
{
  IptSinkInterface *iface;

  g_return_if_fail (IPT_IS_SINK (self));
  g_return_if_fail (block != NULL);

  iface = IPT_SINK_GET_IFACE (self);
  if (iface->block != NULL)
    iface->block (self, block);
}

/**
 * ipt_sink_event: (skip)
 * @self: an #IptSink
 * @event: a libipt event
 *
 * Hands one event to @self.
 *
 * Since: 0.1
 */
void
ipt_sink_event (IptSink *self, const struct pt_event *event)
{
  IptSinkInterface *iface;

  g_return_if_fail (IPT_IS_SINK (self));
  g_return_if_fail (event != NULL);

  iface = IPT_SINK_GET_IFACE (self);
  if (iface->event != NULL)
    iface->event (self, event);
}

/**
 * ipt_sink_error:
 * @self: an #IptSink
 * @kind: the kind of error
 * @offset: the trace offset, or -1 when unknown
 * @ip: the instruction pointer the error refers to
 * @code: libipt's negative error code
 *
 * Tells @self about one decode error.
 *
 * Since: 0.1
 */
void
ipt_sink_error (IptSink *self, IptDecodeErrorKind kind, gint64 offset, guint64 ip, int code)
{
  IptSinkInterface *iface;

  g_return_if_fail (IPT_IS_SINK (self));

  iface = IPT_SINK_GET_IFACE (self);
  if (iface->error != NULL)
    iface->error (self, kind, offset, ip, code);
}

/**
 * ipt_sink_end_of_trace:
 * @self: an #IptSink
 * @offset: the trace offset
 *
 * Tells @self that the trace ended with a known IP.
 *
 * Since: 0.1
 */
void
ipt_sink_end_of_trace (IptSink *self, gint64 offset)
{
  IptSinkInterface *iface;

  g_return_if_fail (IPT_IS_SINK (self));

  iface = IPT_SINK_GET_IFACE (self);
  if (iface->end_of_trace != NULL)
    iface->end_of_trace (self, offset);
}

/**
 * ipt_sink_end:
 * @self: an #IptSink
 * @error: return location for a #GError
 *
 * Tells @self that the decode is over.
 *
 * Returns: %TRUE on success, %FALSE with @error set when the sink failed
 *
 * Since: 0.1
 */
gboolean
ipt_sink_end (IptSink *self, GError **error)
{
  IptSinkInterface *iface;

  g_return_val_if_fail (IPT_IS_SINK (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = IPT_SINK_GET_IFACE (self);
  if (iface->end == NULL)
    return TRUE;
  return iface->end (self, error);
}

/**
 * ipt_sink_can_split:
 * @self: an #IptSink
 *
 * Whether @self implements `split` and `merge`, so that a decode can cut
 * the trace into segments and decode them in parallel
 * (ipt_decoder_set_jobs()).
 *
 * Returns: %TRUE when @self can be split
 *
 * Since: 0.1
 */
gboolean
ipt_sink_can_split (IptSink *self)
{
  IptSinkInterface *iface;

  g_return_val_if_fail (IPT_IS_SINK (self), FALSE);

  iface = IPT_SINK_GET_IFACE (self);
  return iface->split != NULL && iface->merge != NULL;
}

/**
 * ipt_sink_split:
 * @self: an #IptSink that can be split (ipt_sink_can_split())
 *
 * Makes a new, empty sink of the same configuration as @self, for one
 * segment of a parallel decode.
 *
 * Returns: (transfer full) (nullable): the new sink, or %NULL when @self
 *   cannot be split
 *
 * Since: 0.1
 */
IptSink *
ipt_sink_split (IptSink *self)
{
  g_return_val_if_fail (IPT_IS_SINK (self), NULL);

  if (!ipt_sink_can_split (self))
    return NULL;
  return IPT_SINK_GET_IFACE (self)->split (self);
}

/**
 * ipt_sink_merge:
 * @self: an #IptSink
 * @part: a sink ipt_sink_split() made of @self (or of a sink of the same
 *   type), fed with the segment of the trace that follows what @self has
 *   seen
 * @error: return location for a #GError
 *
 * Folds @part's results into @self. Parts are merged in trace order, so
 * that the merge of all parts equals what @self gets from a serial decode.
 *
 * Returns: %TRUE on success; %FALSE with @error set when the sink failed,
 *   or with %IPT_ERROR_INVALID_ARGUMENT when @self cannot be split
 *
 * Since: 0.1
 */
gboolean
ipt_sink_merge (IptSink *self, IptSink *part, GError **error)
{
  g_return_val_if_fail (IPT_IS_SINK (self), FALSE);
  g_return_val_if_fail (IPT_IS_SINK (part), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!ipt_sink_can_split (self))
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "%s cannot merge partial results", G_OBJECT_TYPE_NAME (self));
      return FALSE;
    }
  return IPT_SINK_GET_IFACE (self)->merge (self, part, error);
}
