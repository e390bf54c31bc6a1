/* ipt-decoder-join.c: where the decode of one segment joins the decode
 * of the segment before it (ipt-decoder-parallel.c). The decode before a
 * cut runs on past it and records the calls it would have made (its
 * tail); the decode that starts at the cut records its first calls (its
 * head). The two join where the head is the rest of the tail: the calls
 * of the tail before that point go to the part before, and the part
 * after goes on from its head.
 *
 * The instruction decoder's calls are the same in any two decodes in the
 * same state, so the head must be the tail's last calls exactly. The
 * block decoder's are not: libipt's block cache lives in the sections and
 * fills as decodes run, and how full it is decides where libipt ends a
 * block, so two decodes of the same instructions may cut them into blocks
 * differently. For blocks the two are compared as streams of
 * instructions instead: every block that starts where one of the other
 * starts starts at the same IP, every block that ends where one of the
 * other ends ends in the same instruction at the same trace offset and
 * time, and every other call (events, errors) comes at the same
 * instruction and is the same call. Offsets pin the join down: a head
 * placed one loop iteration off would end its blocks at other offsets.
 * A sink whose result depended on where libipt cuts blocks would differ
 * between two serial decodes already; none of the library's does.
 *
 * Both records stop at the first call at or past the same trace offset,
 * which for blocks falls at each record's own last block end before that
 * offset: whichever record runs further may end with blocks the other has
 * not reached, and nothing else. */
#include "config.h"

#include <string.h>

#include "ipt-decoder-private.h"

static gboolean
exact_join (GArray *tail, GArray *head, guint *n_before)
{
  guint before;

  if (head->len == 0 || tail->len < head->len)
    return FALSE;
  before = tail->len - head->len;
  for (guint i = 0; i < head->len; i++)
    if (!ipt_decode_item_equal (&g_array_index (tail, IptDecodeItem, before + i),
                                &g_array_index (head, IptDecodeItem, i)))
      return FALSE;
  *n_before = before;
  return TRUE;
}

/* A call that delivers instructions of the stream: a block, or one
 * instruction walked from a block (for sinks that take instructions from
 * the block decoder). */
static inline gboolean
is_flow (const IptDecodeItem *item)
{
  return item->kind == IPT_DECODE_ITEM_BLOCK || (item->kind == IPT_DECODE_ITEM_INSN && item->walked);
}

static inline guint64
flow_ninsn (const IptDecodeItem *item)
{
  return item->kind == IPT_DECODE_ITEM_BLOCK ? item->u.block.ninsn : 1;
}

static inline guint64
flow_ip (const IptDecodeItem *item)
{
  return item->kind == IPT_DECODE_ITEM_BLOCK ? item->u.block.ip : item->u.insn.ip;
}

/* Whether a flow call ends one of libipt's blocks. */
static inline gboolean
flow_ends_block (const IptDecodeItem *item)
{
  return item->kind == IPT_DECODE_ITEM_BLOCK || item->block_end;
}

/* libipt may leave the class of a block's last instruction as ptic_error
 * (intel-pt.h, struct pt_block): unknown, not another class. */
static inline gboolean
same_class (enum pt_insn_class a, enum pt_insn_class b)
{
  return a == b || a == ptic_error || b == ptic_error;
}

static gboolean
same_time (const IptDecodeItem *a, const IptDecodeItem *b)
{
  return a->has_offset == b->has_offset && a->offset == b->offset && a->has_tsc == b->has_tsc &&
         a->tsc == b->tsc;
}

/* Two flow calls that end at the same instruction of the stream: they end
 * in the same instruction and, where both end a block of libipt's, at
 * the same trace offset and time. */
static gboolean
same_flow_end (const IptDecodeItem *a, const IptDecodeItem *b)
{
  if (a->kind != b->kind)
    return FALSE;
  if (a->kind == IPT_DECODE_ITEM_INSN)
    {
      /* The instruction itself; its class (the walk knows only the
       * class of a block's last instruction, ipt-insn-walker.c), the
       * offset and the time only where both blocks end. */
      if (a->u.insn.ip != b->u.insn.ip || a->u.insn.size != b->u.insn.size ||
          a->u.insn.mode != b->u.insn.mode || a->u.insn.isid != b->u.insn.isid ||
          a->u.insn.speculative != b->u.insn.speculative ||
          a->u.insn.truncated != b->u.insn.truncated ||
          memcmp (a->u.insn.raw, b->u.insn.raw, MIN (a->u.insn.size, sizeof (a->u.insn.raw))))
        return FALSE;
      return !(a->block_end && b->block_end) ||
             (same_class (a->u.insn.iclass, b->u.insn.iclass) && same_time (a, b));
    }
  return a->u.block.end_ip == b->u.block.end_ip &&
         same_class (a->u.block.iclass, b->u.block.iclass) &&
         a->u.block.mode == b->u.block.mode && a->u.block.isid == b->u.block.isid &&
         a->u.block.speculative == b->u.block.speculative &&
         a->u.block.truncated == b->u.block.truncated && same_time (a, b);
}

/* Whether what is left of @items from @i on is flow only. */
static gboolean
only_flow_from (GArray *items, guint i)
{
  for (; i < items->len; i++)
    if (!is_flow (&g_array_index (items, IptDecodeItem, i)))
      return FALSE;
  return TRUE;
}

/* Whether @head is, as a stream of instructions, the rest of @tail from
 * tail[@from] on (see the top of the file). */
static gboolean
flow_matches_from (GArray *tail, guint from, GArray *head)
{
  guint i = from, k = 0;
  guint64 pt = 0, ph = 0;       /* instructions before tail[i], head[k] */

  while (i < tail->len && k < head->len)
    {
      const IptDecodeItem *t = &g_array_index (tail, IptDecodeItem, i);
      const IptDecodeItem *h = &g_array_index (head, IptDecodeItem, k);
      gboolean t_flow = is_flow (t), h_flow = is_flow (h);

      if (t_flow && h_flow)
        {
          guint64 t_end = pt + flow_ninsn (t), h_end = ph + flow_ninsn (h);

          if (pt == ph && flow_ip (t) != flow_ip (h))
            return FALSE;
          if (t_end == h_end)
            {
              if (!same_flow_end (t, h))
                return FALSE;
              i++, k++;
              pt = t_end, ph = h_end;
            }
          else if (t_end < h_end)
            i++, pt = t_end;
          else
            k++, ph = h_end;
        }
      else if (t_flow)
        {
          /* @h comes after ph instructions: @t must end by then */
          if (pt + flow_ninsn (t) > ph)
            return FALSE;
          i++, pt += flow_ninsn (t);
        }
      else if (h_flow)
        {
          if (ph + flow_ninsn (h) > pt)
            return FALSE;
          k++, ph += flow_ninsn (h);
        }
      else
        {
          if (pt != ph || !ipt_decode_item_equal (t, h))
            return FALSE;
          i++, k++;
        }
    }
  return only_flow_from (tail, i) && only_flow_from (head, k);
}

static gboolean
flow_join (GArray *tail, GArray *head, guint *n_before)
{
  const IptDecodeItem *first;

  if (head->len == 0)
    return FALSE;
  first = &g_array_index (head, IptDecodeItem, 0);
  for (guint a = 0; a < tail->len; a++)
    {
      const IptDecodeItem *t = &g_array_index (tail, IptDecodeItem, a);
      gboolean candidate = is_flow (first) ? is_flow (t) && flow_ip (t) == flow_ip (first)
                                           : ipt_decode_item_equal (t, first);

      if (candidate && flow_matches_from (tail, a, head))
        {
          *n_before = a;
          return TRUE;
        }
    }
  return FALSE;
}

/* Whether @head (the first calls of the decode that started at a cut)
 * continues @tail (the calls of the decode before it, past the cut);
 * *@n_before: the number of @tail's calls before the join. */
gboolean
ipt_decode_join (GArray *tail, GArray *head, guint *n_before)
{
  for (guint i = 0; i < head->len; i++)
    if (is_flow (&g_array_index (head, IptDecodeItem, i)))
      return flow_join (tail, head, n_before);
  return exact_join (tail, head, n_before);
}
