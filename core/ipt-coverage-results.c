/* ipt-coverage-results.c: what the coverage analysis gives back: its
 * counted blocks and edges collected, sorted, into the arrays every output
 * writes (with what the flow left open counted in, without closing it, so
 * that a later merge still joins), the public getters over them and the
 * boxed types #IptCoverageBlock and #IptCoverageEdge. */
#include "config.h"

#include <ipt-analyze/ipt-analyze.h>
#include "ipt-coverage-private.h"

G_DEFINE_BOXED_TYPE (IptCoverageBlock, ipt_coverage_block, ipt_coverage_block_copy,
                     ipt_coverage_block_free)
G_DEFINE_BOXED_TYPE (IptCoverageEdge, ipt_coverage_edge, ipt_coverage_edge_copy,
                     ipt_coverage_edge_free)

/* ---- results ---- */

static gint
compare_blocks (gconstpointer a, gconstpointer b)
{
  const IptCoverageBlock *x = a, *y = b;

  if (x->cr3 != y->cr3)
    return x->cr3 < y->cr3 ? -1 : 1;
  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  if (x->end != y->end)
    return x->end < y->end ? -1 : 1;
  return 0;
}

static gint
compare_edges (gconstpointer a, gconstpointer b)
{
  const IptCoverageEdge *x = a, *y = b;

  if (x->cr3 != y->cr3)
    return x->cr3 < y->cr3 ? -1 : 1;
  if (x->from != y->from)
    return x->from < y->from ? -1 : 1;
  if (x->to != y->to)
    return x->to < y->to ? -1 : 1;
  return x->flags < y->flags ? -1 : x->flags > y->flags;
}

GArray *
ipt_coverage_collect_blocks (IptCoverage *self)
{
  IptCoverageTable all;
  GArray *result;

  /* the table with what the flow left open counted in: a copy, so that
   * a later merge still joins */
  ipt_coverage_table_copy (&all, &self->blocks);
  if (self->head_valid)
    ipt_coverage_table_add (&all, &self->head, 1);
  if (self->open)
    ipt_coverage_table_add (&all, &self->cur, 1);

  result = g_array_sized_new (FALSE, FALSE, sizeof (IptCoverageBlock), all.len);
  for (guint i = 0; i <= all.mask; i++)
    if (all.slots[i].count != 0)
      g_array_append_val (result, all.slots[i]);
  ipt_coverage_table_clear (&all);
  g_array_sort (result, compare_blocks);
  return result;
}

GArray *
ipt_coverage_collect_edges (IptCoverage *self)
{
  GArray *result = g_array_sized_new (FALSE, FALSE, sizeof (IptCoverageEdge), self->edges.len);

  for (guint i = 0; i <= self->edges.mask; i++)
    {
      const IptCoverageBlock *slot = &self->edges.slots[i];
      IptCoverageEdge edge = { slot->cr3, slot->start, slot->end, slot->count, slot->n_insns };

      if (slot->count != 0)
        g_array_append_val (result, edge);
    }
  g_array_sort (result, compare_edges);
  return result;
}

gboolean
ipt_coverage_has_cr3 (IptCoverage *self)
{
  return self->has_cr3;
}

/**
 * ipt_coverage_get_n_blocks:
 * @self: an #IptCoverage
 *
 * Counts the distinct blocks (by CR3, start and end) that ran.
 *
 * Returns: the number of blocks
 *
 * Since: 0.1
 */
guint
ipt_coverage_get_n_blocks (IptCoverage *self)
{
  g_autoptr(GArray) blocks = NULL;

  g_return_val_if_fail (IPT_IS_COVERAGE (self), 0);

  blocks = ipt_coverage_collect_blocks (self);
  return blocks->len;
}

/**
 * ipt_coverage_get_n_edges:
 * @self: an #IptCoverage
 *
 * Counts the distinct edges (by CR3, source, destination and flags).
 *
 * Returns: the number of edges
 *
 * Since: 0.1
 */
guint
ipt_coverage_get_n_edges (IptCoverage *self)
{
  g_return_val_if_fail (IPT_IS_COVERAGE (self), 0);

  return self->edges.len;
}

/* The elements of @items one by one, as the boxed types copy and free
 * them (g_memdup2, g_free). */
static GPtrArray *
boxed_copies (GArray *items)
{
  guint size = g_array_get_element_size (items);
  GPtrArray *result = g_ptr_array_new_full (items->len, g_free);

  for (guint i = 0; i < items->len; i++)
    g_ptr_array_add (result, g_memdup2 (items->data + (gsize) i * size, size));
  return result;
}

/**
 * ipt_coverage_get_blocks:
 * @self: an #IptCoverage
 *
 * Lists the blocks that ran, sorted by CR3, start and end.
 *
 * Returns: (transfer full) (element-type IptCoverageBlock): the blocks
 *
 * Since: 0.1
 */
GPtrArray *
ipt_coverage_get_blocks (IptCoverage *self)
{
  g_autoptr(GArray) blocks = NULL;

  g_return_val_if_fail (IPT_IS_COVERAGE (self), NULL);

  blocks = ipt_coverage_collect_blocks (self);
  return boxed_copies (blocks);
}

/**
 * ipt_coverage_get_edges:
 * @self: an #IptCoverage
 *
 * Lists the edges that were taken, sorted by CR3, source and destination.
 *
 * Returns: (transfer full) (element-type IptCoverageEdge): the edges
 *
 * Since: 0.1
 */
GPtrArray *
ipt_coverage_get_edges (IptCoverage *self)
{
  g_autoptr(GArray) edges = NULL;

  g_return_val_if_fail (IPT_IS_COVERAGE (self), NULL);

  edges = ipt_coverage_collect_edges (self);
  return boxed_copies (edges);
}

/**
 * ipt_coverage_block_copy:
 * @block: an #IptCoverageBlock
 *
 * Copies @block.
 *
 * Returns: (transfer full): a copy
 *
 * Since: 0.1
 */
IptCoverageBlock *
ipt_coverage_block_copy (const IptCoverageBlock *block)
{
  g_return_val_if_fail (block != NULL, NULL);

  return g_memdup2 (block, sizeof (*block));
}

/**
 * ipt_coverage_block_free:
 * @block: an #IptCoverageBlock
 *
 * Frees a block from ipt_coverage_block_copy().
 *
 * Since: 0.1
 */
void
ipt_coverage_block_free (IptCoverageBlock *block)
{
  g_free (block);
}

/**
 * ipt_coverage_edge_copy:
 * @edge: an #IptCoverageEdge
 *
 * Copies @edge.
 *
 * Returns: (transfer full): a copy
 *
 * Since: 0.1
 */
IptCoverageEdge *
ipt_coverage_edge_copy (const IptCoverageEdge *edge)
{
  g_return_val_if_fail (edge != NULL, NULL);

  return g_memdup2 (edge, sizeof (*edge));
}

/**
 * ipt_coverage_edge_free:
 * @edge: an #IptCoverageEdge
 *
 * Frees an edge from ipt_coverage_edge_copy().
 *
 * Since: 0.1
 */
void
ipt_coverage_edge_free (IptCoverageEdge *edge)
{
  g_free (edge);
}
