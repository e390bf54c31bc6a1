/* ipt-coverage-table.c: the coverage collector's hash table, open
 * addressing with linear probing over a flat array of entries, so that
 * counting a block or an edge is a multiply, a probe or two and an
 * increment: no allocation except when the table doubles. One type serves
 * blocks and edges (ipt-coverage-private.h says how an edge is stored). */
#include "config.h"

#include <string.h>

#include "ipt-coverage-private.h"

#define INITIAL_CAPACITY 1024

static inline guint
hash_key (const IptCoverageBlock *key)
{
  guint64 h = (key->start * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)) ^
              (key->end + (key->cr3 << 7) + key->n_insns);

  h *= G_GUINT64_CONSTANT (0xff51afd7ed558ccd);
  return (guint) (h >> 32);
}

static inline gboolean
same_key (const IptCoverageBlock *a, const IptCoverageBlock *b)
{
  return a->start == b->start && a->end == b->end && a->cr3 == b->cr3 &&
         a->n_insns == b->n_insns;
}

/* Zeroed slots, written now: calloc() leaves a large block's fresh pages
 * unmapped, the first probe maps the shared zero page and the first
 * insert then copies it, a fault whose TLB flush interrupts every other
 * thread of the process (the parts of a parallel decode, each growing its
 * own table, made thousands). Written at once, each page faults once,
 * with nothing to flush. */
static IptCoverageBlock *
slots_new (guint n)
{
  IptCoverageBlock *slots = g_new (IptCoverageBlock, n);

  memset (slots, 0, (gsize) n * sizeof (IptCoverageBlock));
  return slots;
}

void
ipt_coverage_table_init (IptCoverageTable *table)
{
  table->slots = slots_new (INITIAL_CAPACITY);
  table->mask = INITIAL_CAPACITY - 1;
  table->len = 0;
}

void
ipt_coverage_table_clear (IptCoverageTable *table)
{
  g_clear_pointer (&table->slots, g_free);
  table->mask = 0;
  table->len = 0;
}

void
ipt_coverage_table_copy (IptCoverageTable *dest, const IptCoverageTable *src)
{
  dest->mask = src->mask;
  dest->len = src->len;
  dest->slots = g_memdup2 (src->slots, (src->mask + 1) * sizeof (IptCoverageBlock));
}

static IptCoverageBlock *
find_slot (IptCoverageBlock *slots, guint mask, const IptCoverageBlock *key)
{
  for (guint i = hash_key (key) & mask;; i = (i + 1) & mask)
    if (slots[i].count == 0 || same_key (&slots[i], key))
      return &slots[i];
}

static void
grow (IptCoverageTable *table)
{
  guint old_capacity = table->mask + 1;
  guint mask = old_capacity * 2 - 1;
  IptCoverageBlock *slots = slots_new (old_capacity * 2);

  for (guint i = 0; i < old_capacity; i++)
    if (table->slots[i].count != 0)
      *find_slot (slots, mask, &table->slots[i]) = table->slots[i];
  g_free (table->slots);
  table->slots = slots;
  table->mask = mask;
}

IptCoverageBlock *
ipt_coverage_table_lookup_add (IptCoverageTable *table, const IptCoverageBlock *entry,
                               guint64 count)
{
  IptCoverageBlock *slot;

  slot = find_slot (table->slots, table->mask, entry);
  if (slot->count == 0)
    {
      /* at most half full, so that probes stay short */
      if (G_UNLIKELY (2 * (table->len + 1) > table->mask + 1))
        {
          grow (table);
          slot = find_slot (table->slots, table->mask, entry);
        }
      *slot = *entry;
      slot->count = 0;
      table->len++;
    }
  slot->count += count;
  return slot;
}

void
ipt_coverage_table_add (IptCoverageTable *table, const IptCoverageBlock *entry, guint64 count)
{
  if (count != 0)
    ipt_coverage_table_lookup_add (table, entry, count);
}

void
ipt_coverage_table_add_all (IptCoverageTable *table, const IptCoverageTable *other)
{
  for (guint i = 0; i <= other->mask; i++)
    if (other->slots[i].count != 0)
      ipt_coverage_table_add (table, &other->slots[i], other->slots[i].count);
}
