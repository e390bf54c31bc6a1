/* ipt-coverage.c: the coverage analysis's collector. A sink that cuts the
 * decoded flow into basic blocks — runs of instructions up to one whose
 * successor only the trace tells — and counts each block and each edge
 * between blocks in open-addressing tables. The same blocks come out of
 * the block decoder (libipt's blocks glued where libipt split a run for
 * its own reasons) and the instruction decoder. Per block it does one or
 * two table probes and never allocates; per instruction (insn decoder) a
 * class test. What it gives back is in ipt-coverage-results.c, the
 * outputs in ipt-coverage-{afl,list,drcov}.c. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>
#include "ipt-coverage-private.h"
#include "ipt-insn-class-private.h"
#include "ipt-sink-lead-private.h"

/**
 * IptCoverage:
 *
 * The coverage analysis: an #IptSink that counts the basic blocks and the
 * edges between them of the decodes it is given to, with both decoders
 * alike (see #IptCoverageBlock for what a block is). Its results:
 * ipt_coverage_get_blocks(), ipt_coverage_get_edges(), the AFL edge bitmap
 * of kAFL/Nyx (ipt_coverage_get_afl_bitmap(), byte for byte libxdc's), a
 * drcov file for Lighthouse (ipt_coverage_write_drcov()) and a block list
 * as text or JSON (ipt_coverage_write_blocks()); docs/coverage.md has the
 * rules and formats.
 *
 * Counts add up over decodes until ipt_coverage_reset(). A trace decoded
 * in pieces (PSB to PSB, each into its own #IptCoverage) gives the same
 * result as decoded whole once the pieces are merged in trace order with
 * ipt_coverage_merge(): each keeps what its ends leave open. A parallel
 * decode (ipt_decoder_set_jobs()) does that by itself: the sink splits.
 *
 * When the trace has PIP packets every block and edge is keyed with the
 * CR3 it ran under, so that the same address in two processes (or a
 * guest's address spaces) stays apart; otherwise the CR3 is
 * %IPT_ASID_NO_CR3.
 *
 * Since: 0.1
 */

static void ipt_coverage_sink_init (IptSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (IptCoverage, ipt_coverage, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IPT_TYPE_SINK, ipt_coverage_sink_init))

/* ---- counting ---- */

static void
forget_memos (IptCoverage *self)
{
  memset (self->block_memo, 0, sizeof (self->block_memo));
  memset (self->edge_memo, 0, sizeof (self->edge_memo));
}

static inline void
count_entry (IptCoverage *self, IptCoverageTable *table, IptCoverageBlock **memo,
             const IptCoverageBlock *key)
{
  guint i = (guint) (key->start ^ (key->start >> 9) ^ (key->end << 2) ^ (key->end >> 7)) &
            (MEMO_SIZE - 1);
  IptCoverageBlock *slot = memo[i];
  IptCoverageBlock *slots;

  if (G_LIKELY (slot != NULL && slot->start == key->start && slot->end == key->end &&
                slot->cr3 == key->cr3 && slot->n_insns == key->n_insns))
    {
      slot->count++;
      return;
    }
  slots = table->slots;
  slot = ipt_coverage_table_lookup_add (table, key, 1);
  if (G_UNLIKELY (table->slots != slots))
    forget_memos (self);
  memo[i] = slot;
}

static inline void
count_block (IptCoverage *self, const IptCoverageBlock *block)
{
  count_entry (self, &self->blocks, self->block_memo, block);
}

static inline void
count_edge (IptCoverage *self, guint64 cr3, guint64 from, guint64 to, guint flags)
{
  IptCoverageBlock key = { cr3, from, to, 0, flags, 0 };

  count_entry (self, &self->edges, self->edge_memo, &key);
}

/* ---- the flow ---- */

static void
store_block (IptCoverage *self, const IptCoverageBlock *block, gboolean is_head)
{
  if (is_head)
    {
      self->head = *block;
      self->head_valid = TRUE;
    }
  else
    count_block (self, block);
}

static inline void
start_block (IptCoverage *self, guint64 ip, enum pt_exec_mode mode)
{
  if (self->pending)
    {
      count_edge (self, self->pending_cr3, self->pending_from, ip, self->pending_flags);
      self->pending = FALSE;
    }
  self->open_is_head = FALSE;
  if (!self->seen_flow)
    {
      /* no enable before: the trace (or this piece of it) began mid-flow */
      self->seen_flow = TRUE;
      self->mid_flow_start = TRUE;
      self->open_is_head = TRUE;
    }
  self->open = TRUE;
  self->cur.cr3 = self->cr3;
  self->cur.start = ip;
  self->cur.end = ip;
  self->cur.count = 0;
  self->cur.n_insns = 0;
  self->cur.mode = (guint8) mode;
}

/* The open block ends; @flags: its last instruction's successor comes
 * from the trace (IPT_COVERAGE_EDGE_NONE or _CONDITIONAL), or -1 when the
 * flow broke off. */
static inline void
close_block (IptCoverage *self, int flags)
{
  store_block (self, &self->cur, self->open_is_head);
  self->open = FALSE;
  self->open_is_head = FALSE;
  if (flags >= 0)
    {
      self->pending = TRUE;
      self->pending_cr3 = self->cur.cr3;
      self->pending_from = self->cur.end;
      self->pending_flags = (guint) flags;
    }
}

static void
break_flow (IptCoverage *self)
{
  if (self->open)
    close_block (self, -1);
  self->pending = FALSE;
}

/* Moves what the last decode left open into the tables: a new decode is
 * another trace, whose flow does not continue this one's. */
static void
settle (IptCoverage *self)
{
  break_flow (self);
  if (self->head_valid)
    count_block (self, &self->head);
  self->head_valid = FALSE;
  self->seen_flow = FALSE;
  self->mid_flow_start = FALSE;
  self->cr3 = IPT_ASID_NO_CR3;
  self->cr3_known = FALSE;
  self->flow_without_cr3 = FALSE;
}

/* A call or jump is direct (E8, E9, EB after prefixes) or needs the trace. */
/* The instruction a block of the block decoder ends in, read from the
 * image: its class (libipt may leave a block's as ptic_error) and whether
 * it is a direct call or jump (which libipt follows without ending the
 * block when its block cache is cold, and the coverage never ends a
 * block at). Unreadable here although libipt read it: ptic_error, and the
 * trace decides. */
static const BlockEndEntry *
block_end (IptCoverage *self, guint64 ip, enum pt_exec_mode mode)
{
  BlockEndEntry *entry = &self->end_cache[(ip ^ (ip >> 10)) & (END_CACHE_SIZE - 1)];
  IptAsid asid = { self->cr3, IPT_ASID_NO_VMCS };
  guint8 raw[15];
  gssize n;

  if (entry->valid && entry->ip == ip && entry->cr3 == self->cr3 && entry->mode == mode)
    return entry;

  n = self->image != NULL ? ipt_image_read (self->image, raw, sizeof (raw), &asid, ip, NULL) : -1;
  entry->ip = ip;
  entry->cr3 = self->cr3;
  entry->mode = mode;
  entry->valid = TRUE;
  entry->iclass = n > 0 ? ipt_insn_class_of (raw, (gsize) n, mode) : ptic_error;
  entry->direct = n > 0 && ipt_insn_is_direct_branch (raw, (gsize) n, mode);
  return entry;
}

/* ---- the sink ---- */

static gboolean
ipt_coverage_begin (IptSink *sink, IptDecoder *decoder, GError **error)
{
  IptCoverage *self = (IptCoverage *) sink;

  settle (self);
  ipt_sink_lead_clear (&self->lead);
  self->block_path = decoder != NULL &&
                     ipt_decoder_get_kind (decoder) == IPT_DECODER_KIND_BLOCK;
  g_clear_object (&self->image);
  if (decoder != NULL)
    self->image = g_object_ref (ipt_decoder_get_image (decoder));
  if (self->end_cache == NULL)
    self->end_cache = g_new0 (BlockEndEntry, END_CACHE_SIZE);
  else
    memset (self->end_cache, 0, END_CACHE_SIZE * sizeof (BlockEndEntry));
  return TRUE;
}

static IptSinkNeeds
ipt_coverage_get_needs (IptSink *sink)
{
  IptCoverage *self = (IptCoverage *) sink;

  return self->block_path ? IPT_SINK_NEEDS_BLOCKS : IPT_SINK_NEEDS_INSNS;
}

static void
ipt_coverage_insn (IptSink *sink, const struct pt_insn *insn)
{
  IptCoverage *self = (IptCoverage *) sink;

  if (self->block_path)
    return;
  if (!self->open)
    start_block (self, insn->ip, insn->mode);
  self->cur.n_insns++;
  self->cur.end = insn->ip;

  switch (insn->iclass)
    {
    case ptic_other:
    case ptic_ptwrite:
      break;
    case ptic_cond_jump:
      close_block (self, IPT_COVERAGE_EDGE_CONDITIONAL);
      break;
    case ptic_call:
    case ptic_jump:
      if (!ipt_insn_is_direct_branch (insn->raw, MIN (insn->size, sizeof insn->raw), insn->mode))
        close_block (self, IPT_COVERAGE_EDGE_NONE);
      break;
    default:
      close_block (self, IPT_COVERAGE_EDGE_NONE);
      break;
    }
}

static void
ipt_coverage_block (IptSink *sink, const struct pt_block *block)
{
  IptCoverage *self = (IptCoverage *) sink;
  enum pt_insn_class iclass;

  if (block->ninsn == 0)
    return;
  /* libipt ends blocks where it must (events, sections) too: such a
   * block's run goes on in the next one */
  if (!self->open)
    start_block (self, block->ip, block->mode);
  self->cur.n_insns += block->ninsn;
  self->cur.end = block->end_ip;

  iclass = block->iclass;
  if (iclass == ptic_error)
    iclass = block_end (self, block->end_ip, block->mode)->iclass;
  switch (iclass)
    {
    case ptic_other:
    case ptic_ptwrite:
      break;
    case ptic_cond_jump:
      close_block (self, IPT_COVERAGE_EDGE_CONDITIONAL);
      break;
    case ptic_call:
    case ptic_jump:
      if (!block_end (self, block->end_ip, block->mode)->direct)
        close_block (self, IPT_COVERAGE_EDGE_NONE);
      break;
    default:
      close_block (self, IPT_COVERAGE_EDGE_NONE);
      break;
    }
}

static void
set_cr3 (IptCoverage *self, guint64 cr3)
{
  /* events are rare: the blocks' path needs no test for this */
  if (!self->cr3_known)
    self->flow_without_cr3 = self->seen_flow;
  self->cr3_known = TRUE;
  self->cr3 = cr3;
  if (cr3 != IPT_ASID_NO_CR3)
    self->has_cr3 = TRUE;
}

static void
ipt_coverage_event (IptSink *sink, const struct pt_event *event)
{
  IptCoverage *self = (IptCoverage *) sink;

  if (G_UNLIKELY (self->is_part && !self->seen_flow) && !event->status_update)
    {
      ipt_sink_lead_add_event (&self->lead, event);
      /* the part's own blocks run under it too */
      if (event->type != ptev_paging && event->type != ptev_async_paging)
        return;
    }

  switch (event->type)
    {
    case ptev_paging:
      set_cr3 (self, event->variant.paging.cr3);
      return;
    case ptev_async_paging:
      set_cr3 (self, event->variant.async_paging.cr3);
      return;
    default:
      break;
    }
  /* a PSB's restatement of the state: the flow goes on */
  if (event->status_update)
    return;

  switch (event->type)
    {
    case ptev_enabled:
      break_flow (self);
      self->seen_flow = TRUE;
      break;
    case ptev_disabled:
      if (self->open)
        close_block (self, -1);
      /* a branch out of the traced range: its target is the edge's end */
      if (self->pending && !event->ip_suppressed)
        count_edge (self, self->pending_cr3, self->pending_from, event->variant.disabled.ip,
                    self->pending_flags | IPT_COVERAGE_EDGE_EXIT);
      self->pending = FALSE;
      break;
    case ptev_async_disabled:
      /* an interrupt right after a branch (tracing resumes there later):
       * the instruction it interrupted is the branch's successor, as for
       * libxdc */
      if (self->pending)
        count_edge (self, self->pending_cr3, self->pending_from,
                    event->variant.async_disabled.at, self->pending_flags);
      break_flow (self);
      break;
    case ptev_async_branch:
    case ptev_overflow:
    case ptev_stop:
      break_flow (self);
      break;
    case ptev_tsx:
      if (event->variant.tsx.aborted)
        break_flow (self);
      break;
    default:
      break;
    }
}

static void
ipt_coverage_error (IptSink *sink, IptDecodeErrorKind kind, gint64 offset, guint64 ip, int code)
{
  IptCoverage *self = (IptCoverage *) sink;

  if (G_UNLIKELY (self->is_part && !self->seen_flow))
    {
      ipt_sink_lead_add_error (&self->lead, kind, offset, ip, code);
      return;
    }
  /* libipt resynchronizes at the next PSB: nothing joins across */
  break_flow (self);
}

static gboolean
ipt_coverage_end (IptSink *sink, GError **error)
{
  IptCoverage *self = (IptCoverage *) sink;

  g_clear_object (&self->image);
  return TRUE;
}

static IptSink *
ipt_coverage_split (IptSink *sink)
{
  IptCoverage *part = ipt_coverage_new ();

  part->is_part = TRUE;
  return IPT_SINK (part);
}

/* Gives @table's entries without a CR3 @cr3. */
static void
rekey_table (IptCoverageTable *table, guint64 cr3)
{
  IptCoverageTable old = *table;

  ipt_coverage_table_init (table);
  for (guint i = 0; i <= old.mask; i++)
    if (old.slots[i].count != 0)
      {
        IptCoverageBlock entry = old.slots[i];

        if (entry.cr3 == IPT_ASID_NO_CR3)
          entry.cr3 = cr3;
        ipt_coverage_table_add (table, &entry, entry.count);
      }
  ipt_coverage_table_clear (&old);
}

/* A part knows the CR3 only from its first PIP on (a PSB+ restates it
 * where tracing is on); what ran before ran under ours. */
static void
inherit_cr3 (IptCoverage *part, guint64 cr3)
{
  if (!(part->flow_without_cr3 || (!part->cr3_known && part->seen_flow)) ||
      cr3 == IPT_ASID_NO_CR3)
    return;
  rekey_table (&part->blocks, cr3);
  rekey_table (&part->edges, cr3);
  if (part->head.cr3 == IPT_ASID_NO_CR3)
    part->head.cr3 = cr3;
  if (part->cur.cr3 == IPT_ASID_NO_CR3)
    part->cur.cr3 = cr3;
  if (part->pending_cr3 == IPT_ASID_NO_CR3)
    part->pending_cr3 = cr3;
  if (part->cr3 == IPT_ASID_NO_CR3)
    part->cr3 = cr3;
  part->flow_without_cr3 = FALSE;
  part->cr3_known = TRUE;
  forget_memos (part);
}

/* The part's leading events and errors act on our flow first, as they
 * did in the serial decode; then its blocks join ours. */
static gboolean
ipt_coverage_merge_part (IptSink *sink, IptSink *part_sink, GError **error)
{
  IptCoverage *self = (IptCoverage *) sink;
  IptCoverage *part;

  if (!IPT_IS_COVERAGE (part_sink) || part_sink == sink)
    {
      g_set_error (error, IPT_ERROR, IPT_ERROR_INVALID_ARGUMENT,
                   "IptCoverage cannot merge a %s", G_OBJECT_TYPE_NAME (part_sink));
      return FALSE;
    }
  part = (IptCoverage *) part_sink;
  ipt_sink_lead_replay (&part->lead, sink);
  inherit_cr3 (part, self->cr3);
  ipt_coverage_merge (self, part);
  return TRUE;
}

static void
ipt_coverage_sink_init (IptSinkInterface *iface)
{
  iface->get_needs = ipt_coverage_get_needs;
  iface->begin = ipt_coverage_begin;
  iface->insn = ipt_coverage_insn;
  iface->block = ipt_coverage_block;
  iface->event = ipt_coverage_event;
  iface->error = ipt_coverage_error;
  iface->end = ipt_coverage_end;
  iface->split = ipt_coverage_split;
  iface->merge = ipt_coverage_merge_part;
}

/* ---- the object ---- */

static void
ipt_coverage_finalize (GObject *object)
{
  IptCoverage *self = IPT_COVERAGE (object);

  ipt_coverage_table_clear (&self->blocks);
  ipt_coverage_table_clear (&self->edges);
  g_clear_object (&self->image);
  g_free (self->end_cache);
  ipt_sink_lead_clear (&self->lead);

  G_OBJECT_CLASS (ipt_coverage_parent_class)->finalize (object);
}

static void
ipt_coverage_class_init (IptCoverageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ipt_coverage_finalize;
}

static void
ipt_coverage_init (IptCoverage *self)
{
  ipt_coverage_table_init (&self->blocks);
  ipt_coverage_table_init (&self->edges);
  self->cr3 = IPT_ASID_NO_CR3;
}

/**
 * ipt_coverage_new:
 *
 * Creates an empty coverage. Give it to ipt_decoder_decode_file() or
 * another decode as the sink.
 *
 * Returns: (transfer full): a new #IptCoverage
 *
 * Since: 0.1
 */
IptCoverage *
ipt_coverage_new (void)
{
  return g_object_new (IPT_TYPE_COVERAGE, NULL);
}

/**
 * ipt_coverage_reset:
 * @self: an #IptCoverage
 *
 * Forgets every block and edge. Must not be called during a decode that
 * feeds @self.
 *
 * Since: 0.1
 */
void
ipt_coverage_reset (IptCoverage *self)
{
  g_return_if_fail (IPT_IS_COVERAGE (self));

  settle (self);
  ipt_coverage_table_clear (&self->blocks);
  ipt_coverage_table_clear (&self->edges);
  ipt_coverage_table_init (&self->blocks);
  ipt_coverage_table_init (&self->edges);
  forget_memos (self);
  self->has_cr3 = FALSE;
}

/**
 * ipt_coverage_merge:
 * @self: an #IptCoverage
 * @next: the coverage of the piece of the trace that follows @self's
 *
 * Adds @next's blocks and edges to @self. When @next is the decode of the
 * piece of one trace that follows @self's (a decode from one PSB to the
 * next, say), the block that runs across the boundary is joined from
 * @self's last, unfinished block and @next's first, and an edge that
 * @self's last branch left open is ended at @next's first block: merging
 * the pieces in trace order gives what a decode of the whole trace gives.
 * For that, decode each piece from its PSB through the next piece's PSB+
 * (to its PSBEND), so that libipt reaches where the next piece takes over
 * (docs/coverage.md, "How to split a trace into pieces"). Merging a
 * coverage whose decode began with tracing enabled (a separate trace)
 * simply adds the counts. @next is not changed.
 *
 * Must not be called during a decode that feeds either.
 *
 * Since: 0.1
 */
void
ipt_coverage_merge (IptCoverage *self, IptCoverage *next)
{
  const IptCoverageBlock *first = NULL;
  IptCoverageBlock joined;
  gboolean first_is_open = FALSE, joined_is_head = FALSE;

  g_return_if_fail (IPT_IS_COVERAGE (self));
  g_return_if_fail (IPT_IS_COVERAGE (next));
  g_return_if_fail (self != next);

  ipt_coverage_table_add_all (&self->blocks, &next->blocks);
  ipt_coverage_table_add_all (&self->edges, &next->edges);
  forget_memos (self);
  self->has_cr3 |= next->has_cr3;

  if (!next->seen_flow)
    return;
  if (!self->seen_flow)
    {
      self->seen_flow = TRUE;
      self->mid_flow_start = next->mid_flow_start;
      self->head_valid = next->head_valid;
      self->head = next->head;
      self->open = next->open;
      self->open_is_head = next->open_is_head;
      self->cur = next->cur;
      self->pending = next->pending;
      self->pending_cr3 = next->pending_cr3;
      self->pending_from = next->pending_from;
      self->pending_flags = next->pending_flags;
      self->cr3 = next->cr3;
      return;
    }

  if (next->mid_flow_start)
    {
      if (next->head_valid)
        first = &next->head;
      else if (next->open && next->open_is_head)
        {
          first = &next->cur;
          first_is_open = TRUE;
        }
    }

  if (first == NULL)
    /* @next's flow began with an enable: ours ended before */
    break_flow (self);
  else
    {
      joined = *first;
      if (self->open)
        {
          /* One run of instructions across the boundary. Our decode ran
           * on past the next piece's start, into instructions that need
           * no trace, up to the branch that does: both end at the same
           * instruction, ours with the whole run's count. Or it stopped
           * where the next piece takes over: the counts add. */
          joined.cr3 = self->cur.cr3;
          joined.start = self->cur.start;
          if (self->cur.end == first->end)
            joined.n_insns = self->cur.n_insns;
          else
            joined.n_insns = self->cur.n_insns + first->n_insns;
          joined_is_head = self->open_is_head;
          self->open = FALSE;
        }
      else if (self->pending)
        count_edge (self, self->pending_cr3, self->pending_from, first->start,
                    self->pending_flags);
      self->pending = FALSE;

      if (first_is_open)
        {
          self->open = TRUE;
          self->open_is_head = joined_is_head;
          self->cur = joined;
          self->cr3 = next->cr3;
          return;
        }
      store_block (self, &joined, joined_is_head);
    }

  self->open = next->open;
  self->open_is_head = FALSE;
  self->cur = next->cur;
  self->pending = next->pending;
  self->pending_cr3 = next->pending_cr3;
  self->pending_from = next->pending_from;
  self->pending_flags = next->pending_flags;
  self->cr3 = next->cr3;
}
