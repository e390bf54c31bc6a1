/* ipt-decoder-outcome.c: what one decode (ipt-decoder-run.c) leaves
 * behind for whoever ran it: the calls a segment of a parallel decode
 * recorded, which the merge in ipt-decoder-parallel.c compares and replays
 * into the sink, and the outcome, which becomes the error of how the
 * decode ended. */
#include "config.h"

#include <ipt-analyze/ipt-analyze.h>
#include "ipt-decoder-private.h"

/* Replays a recorded call; the decoder answers with the call's offset and time. */
void
ipt_decode_item_replay (const IptDecodeItem *item, IptDecoder *decoder, IptSink *sink)
{
  IptSinkInterface *iface = IPT_SINK_GET_IFACE (sink);

  decoder->replay = item;
  switch (item->kind)
    {
    case IPT_DECODE_ITEM_INSN:
      iface->insn (sink, &item->u.insn);
      break;
    case IPT_DECODE_ITEM_BLOCK:
      iface->block (sink, &item->u.block);
      break;
    case IPT_DECODE_ITEM_EVENT:
      iface->event (sink, &item->u.event);
      break;
    case IPT_DECODE_ITEM_ERROR:
      iface->error (sink, item->u.error.kind, item->u.error.offset, item->u.error.ip,
                    item->u.error.code);
      break;
    case IPT_DECODE_ITEM_END_OF_TRACE:
      iface->end_of_trace (sink, item->u.eot_offset);
      break;
    }
  decoder->replay = NULL;
}

/* The event fields that libipt sets for every type, and those of the
 * common types; unknown types compare by their common fields only, which
 * is safe: a difference makes the parallel decode re-decode, never wrong. */
static gboolean
event_equal (const struct pt_event *a, const struct pt_event *b)
{
  if (a->type != b->type || a->ip_suppressed != b->ip_suppressed ||
      a->status_update != b->status_update || a->has_tsc != b->has_tsc ||
      a->tsc != b->tsc || a->lost_mtc != b->lost_mtc || a->lost_cyc != b->lost_cyc)
    return FALSE;

  switch (a->type)
    {
    case ptev_enabled:
      return a->variant.enabled.ip == b->variant.enabled.ip &&
             a->variant.enabled.resumed == b->variant.enabled.resumed;
    case ptev_disabled:
      return a->variant.disabled.ip == b->variant.disabled.ip;
    case ptev_async_disabled:
      return a->variant.async_disabled.at == b->variant.async_disabled.at &&
             a->variant.async_disabled.ip == b->variant.async_disabled.ip;
    case ptev_async_branch:
      return a->variant.async_branch.from == b->variant.async_branch.from &&
             a->variant.async_branch.to == b->variant.async_branch.to;
    case ptev_paging:
      return a->variant.paging.cr3 == b->variant.paging.cr3 &&
             a->variant.paging.non_root == b->variant.paging.non_root;
    case ptev_async_paging:
      return a->variant.async_paging.cr3 == b->variant.async_paging.cr3 &&
             a->variant.async_paging.ip == b->variant.async_paging.ip;
    case ptev_overflow:
      return a->variant.overflow.ip == b->variant.overflow.ip;
    case ptev_exec_mode:
      return a->variant.exec_mode.ip == b->variant.exec_mode.ip &&
             a->variant.exec_mode.mode == b->variant.exec_mode.mode;
    case ptev_tsx:
      return a->variant.tsx.ip == b->variant.tsx.ip &&
             a->variant.tsx.speculative == b->variant.tsx.speculative &&
             a->variant.tsx.aborted == b->variant.tsx.aborted;
    case ptev_vmcs:
      return a->variant.vmcs.base == b->variant.vmcs.base;
    case ptev_async_vmcs:
      return a->variant.async_vmcs.base == b->variant.async_vmcs.base &&
             a->variant.async_vmcs.ip == b->variant.async_vmcs.ip;
    case ptev_exstop:
      return a->variant.exstop.ip == b->variant.exstop.ip;
    case ptev_ptwrite:
      return a->variant.ptwrite.ip == b->variant.ptwrite.ip &&
             a->variant.ptwrite.payload == b->variant.ptwrite.payload;
    case ptev_tick:
      return a->variant.tick.ip == b->variant.tick.ip;
    case ptev_cbr:
      return a->variant.cbr.ratio == b->variant.cbr.ratio;
    case ptev_mnt:
      return a->variant.mnt.payload == b->variant.mnt.payload;
    default:
      return TRUE;
    }
}

/* Whether two recorded calls are the same call at the same place and time. */
gboolean
ipt_decode_item_equal (const IptDecodeItem *a, const IptDecodeItem *b)
{
  if (a->kind != b->kind || a->has_offset != b->has_offset || a->offset != b->offset ||
      a->has_tsc != b->has_tsc || a->tsc != b->tsc)
    return FALSE;

  switch (a->kind)
    {
    case IPT_DECODE_ITEM_INSN:
      return a->u.insn.ip == b->u.insn.ip && a->u.insn.size == b->u.insn.size &&
             a->u.insn.iclass == b->u.insn.iclass && a->u.insn.mode == b->u.insn.mode &&
             a->u.insn.isid == b->u.insn.isid &&
             a->u.insn.speculative == b->u.insn.speculative &&
             a->u.insn.truncated == b->u.insn.truncated;
    case IPT_DECODE_ITEM_BLOCK:
      return a->u.block.ip == b->u.block.ip && a->u.block.end_ip == b->u.block.end_ip &&
             a->u.block.ninsn == b->u.block.ninsn && a->u.block.mode == b->u.block.mode &&
             a->u.block.iclass == b->u.block.iclass && a->u.block.isid == b->u.block.isid &&
             a->u.block.speculative == b->u.block.speculative &&
             a->u.block.truncated == b->u.block.truncated;
    case IPT_DECODE_ITEM_EVENT:
      return event_equal (&a->u.event, &b->u.event);
    case IPT_DECODE_ITEM_ERROR:
      return a->u.error.kind == b->u.error.kind && a->u.error.offset == b->u.error.offset &&
             a->u.error.ip == b->u.error.ip && a->u.error.code == b->u.error.code;
    case IPT_DECODE_ITEM_END_OF_TRACE:
      return a->u.eot_offset == b->u.eot_offset;
    default:
      return FALSE;
    }
}

void
ipt_decode_outcome_clear (IptDecodeOutcome *outcome)
{
  g_clear_error (&outcome->fault);
}

/* Ends a decode that ran: the sink's end, then the error of how it ended. */
gboolean
ipt_decode_outcome_check (IptDecodeOutcome *outcome, IptDecoder *self,
                          IptImageSnapshot *snapshot, const char *name, IptSink *sink,
                          GError **error)
{
  g_autoptr(GError) sink_error = NULL;
  gboolean ok = TRUE;

  if (ipt_image_snapshot_is_timed (snapshot) && !outcome->saw_time)
    g_warning ("%s: the trace has no timing packets: memory that changes over time "
               "(%u time boundar%s in image '%s') was read as it was last",
               name, ipt_image_snapshot_get_n_boundaries (snapshot),
               ipt_image_snapshot_get_n_boundaries (snapshot) == 1 ? "y" : "ies",
               ipt_image_get_name (self->image));

  if (!ipt_sink_end (sink, &sink_error) && !outcome->cancelled)
    {
      g_propagate_error (error, g_steal_pointer (&sink_error));
      ok = FALSE;
    }
  if (outcome->fault != NULL)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_IO, "%s: the decode stopped at offset 0x%"
                   G_GINT64_MODIFIER "x: %s", name, outcome->fault_offset,
                   outcome->fault->message);
      ok = FALSE;
    }
  else if (outcome->cancelled)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s: decoding was cancelled", name);
      ok = FALSE;
    }
  else if (outcome->stalled && ok)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_DECODE,
                   "%s: offset 0x%" G_GINT64_MODIFIER "x: %" G_GUINT64_FORMAT " instructions "
                   "decoded up to 0x%" G_GINT64_MODIFIER "x without reading any trace, in a loop "
                   "of direct branches the trace never leaves: the memory probably does not "
                   "match the trace (or the program was stopped in such a loop); stopped at the "
                   "stall limit", name, outcome->stall_offset, outcome->stall_insns,
                   outcome->stall_ip);
      ok = FALSE;
    }
  return ok;
}
