/* ipt-coverage-table.c: the coverage collector's two hash tables, open
 * addressing with linear probing over flat arrays of the public entry
 * structs, so that counting a block or an edge is a multiply, a probe or
 * two and an increment: no allocation except when a table doubles. */
#include "config.h"

#include <string.h>

#include "ipt-coverage-private.h"

#define INITIAL_CAPACITY 1024

static inline guint
hash3 (guint64 a, guint64 b, guint64 c)
{
  guint64 h = (a * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)) ^ (b + (c << 7));

  h *= G_GUINT64_CONSTANT (0xff51afd7ed558ccd);
  return (guint) (h >> 32);
}

/* ---- blocks ---- */

void
ipt_coverage_block_table_init (IptCoverageBlockTable *table)
{
  table->slots = g_new0 (IptCoverageBlock, INITIAL_CAPACITY);
  table->mask = INITIAL_CAPACITY - 1;
  table->len = 0;
}

void
ipt_coverage_block_table_clear (IptCoverageBlockTable *table)
{
  g_clear_pointer (&table->slots, g_free);
  table->mask = 0;
  table->len = 0;
}

static IptCoverageBlock *
block_slot (IptCoverageBlock *slots, guint mask, guint64 cr3, guint64 start, guint64 end)
{
  guint i = hash3 (start, end, cr3) & mask;

  for (;; i = (i + 1) & mask)
    {
      IptCoverageBlock *slot = &slots[i];

      if (slot->count == 0 ||
          (slot->start == start && slot->end == end && slot->cr3 == cr3))
        return slot;
    }
}

static void
block_table_grow (IptCoverageBlockTable *table)
{
  guint old_capacity = table->mask + 1;
  guint mask = old_capacity * 2 - 1;
  IptCoverageBlock *slots = g_new0 (IptCoverageBlock, old_capacity * 2);

  for (guint i = 0; i < old_capacity; i++)
    if (table->slots[i].count != 0)
      {
        const IptCoverageBlock *old = &table->slots[i];

        *block_slot (slots, mask, old->cr3, old->start, old->end) = *old;
      }
  g_free (table->slots);
  table->slots = slots;
  table->mask = mask;
}

void
ipt_coverage_block_table_add (IptCoverageBlockTable *table, const IptCoverageBlock *block,
                              guint64 count)
{
  IptCoverageBlock *slot;

  if (count == 0)
    return;
  slot = block_slot (table->slots, table->mask, block->cr3, block->start, block->end);
  if (slot->count == 0)
    {
      /* at most half full, so that probes stay short */
      if (G_UNLIKELY (2 * (table->len + 1) > table->mask + 1))
        {
          block_table_grow (table);
          slot = block_slot (table->slots, table->mask, block->cr3, block->start, block->end);
        }
      *slot = *block;
      slot->count = 0;
      table->len++;
    }
  slot->count += count;
}

/* ---- edges ---- */

void
ipt_coverage_edge_table_init (IptCoverageEdgeTable *table)
{
  table->slots = g_new0 (IptCoverageEdge, INITIAL_CAPACITY);
  table->mask = INITIAL_CAPACITY - 1;
  table->len = 0;
}

void
ipt_coverage_edge_table_clear (IptCoverageEdgeTable *table)
{
  g_clear_pointer (&table->slots, g_free);
  table->mask = 0;
  table->len = 0;
}

static IptCoverageEdge *
edge_slot (IptCoverageEdge *slots, guint mask, guint64 cr3, guint64 from, guint64 to,
           guint flags)
{
  guint i = hash3 (from, to, cr3) & mask;

  for (;; i = (i + 1) & mask)
    {
      IptCoverageEdge *slot = &slots[i];

      if (slot->count == 0 ||
          (slot->from == from && slot->to == to && slot->cr3 == cr3 && slot->flags == flags))
        return slot;
    }
}

static void
edge_table_grow (IptCoverageEdgeTable *table)
{
  guint old_capacity = table->mask + 1;
  guint mask = old_capacity * 2 - 1;
  IptCoverageEdge *slots = g_new0 (IptCoverageEdge, old_capacity * 2);

  for (guint i = 0; i < old_capacity; i++)
    if (table->slots[i].count != 0)
      {
        const IptCoverageEdge *old = &table->slots[i];

        *edge_slot (slots, mask, old->cr3, old->from, old->to, old->flags) = *old;
      }
  g_free (table->slots);
  table->slots = slots;
  table->mask = mask;
}

void
ipt_coverage_edge_table_add (IptCoverageEdgeTable *table, guint64 cr3, guint64 from, guint64 to,
                             guint flags, guint64 count)
{
  IptCoverageEdge *slot;

  if (count == 0)
    return;
  slot = edge_slot (table->slots, table->mask, cr3, from, to, flags);
  if (slot->count == 0)
    {
      if (G_UNLIKELY (2 * (table->len + 1) > table->mask + 1))
        {
          edge_table_grow (table);
          slot = edge_slot (table->slots, table->mask, cr3, from, to, flags);
        }
      slot->cr3 = cr3;
      slot->from = from;
      slot->to = to;
      slot->flags = flags;
      table->len++;
    }
  slot->count += count;
}
