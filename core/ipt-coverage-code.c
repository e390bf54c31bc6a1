/* ipt-coverage-code.c: the instructions of a coverage block, read back
 * through the image, for the outputs that need more than a block's start
 * and end (drcov's contiguous ranges, lcov's lines). Runs once per
 * distinct block when an output is written, never during the decode. */
#include "config.h"

#include <string.h>

#include "ipt-coverage-private.h"
#include "ipt-image-private.h"
#include "ipt-insn-walker-private.h"

struct _IptCoverageCode {
  IptImage *image;
  IptImageSnapshot *snapshot;
  IptInsnWalker walker;
};

IptCoverageCode *
ipt_coverage_code_new (IptImage *image)
{
  IptCoverageCode *code = g_new0 (IptCoverageCode, 1);

  code->image = g_object_ref (image);
  code->snapshot = ipt_image_acquire_snapshot (image);
  ipt_insn_walker_init (&code->walker, ipt_image_snapshot_get_view (code->snapshot, IPT_TIME_END));
  return code;
}

void
ipt_coverage_code_free (IptCoverageCode *code)
{
  if (code == NULL)
    return;
  ipt_insn_walker_clear (&code->walker);
  ipt_image_release_snapshot (code->image, code->snapshot);
  g_object_unref (code->image);
  g_free (code);
}

typedef struct {
  IptCoverageInsnFunc func;
  gpointer user_data;
} WalkData;

static void
walk_one (const struct pt_insn *insn, gpointer user_data)
{
  WalkData *data = user_data;

  data->func (insn->ip, insn->size, data->user_data);
}

int
ipt_coverage_code_walk (IptCoverageCode *code, const IptCoverageBlock *block,
                        IptCoverageInsnFunc func, gpointer user_data)
{
  IptAsid asid = { block->cr3, IPT_ASID_NO_VMCS };
  WalkData data = { func, user_data };
  struct pt_block pt;
  guint64 error_ip = 0;

  /* the walker takes libipt's blocks, of up to 0xffff instructions; a run
   * without a branch that needs trace is never that long in real code */
  if (block->n_insns > 0xffff)
    return -pte_invalid;
  memset (&pt, 0, sizeof (pt));
  pt.ip = block->start;
  pt.end_ip = block->end;
  pt.ninsn = (uint16_t) block->n_insns;
  pt.mode = block->mode;
  return ipt_insn_walker_walk (&code->walker, &pt, &asid, walk_one, &data, &error_ip);
}

typedef struct {
  GArray *ranges;
  guint64 cr3;
  guint64 start;
  guint64 next;
  gboolean open;
} RangeCollector;

static void
range_flush (RangeCollector *c)
{
  if (c->open)
    {
      IptCoverageRange range = { c->cr3, c->start, c->next - c->start };

      g_array_append_val (c->ranges, range);
    }
  c->open = FALSE;
}

static void
range_insn (guint64 ip, guint size, gpointer user_data)
{
  RangeCollector *c = user_data;

  if (c->open && ip == c->next)
    {
      c->next += size;
      return;
    }
  range_flush (c);
  c->open = TRUE;
  c->start = ip;
  c->next = ip + size;
}

static gint
compare_ranges (gconstpointer a, gconstpointer b)
{
  const IptCoverageRange *x = a, *y = b;

  if (x->cr3 != y->cr3)
    return x->cr3 < y->cr3 ? -1 : 1;
  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  return x->size < y->size ? -1 : x->size > y->size;
}

GArray *
ipt_coverage_code_ranges (IptCoverageCode *code, GArray *blocks, guint *n_failed)
{
  RangeCollector c = { g_array_new (FALSE, FALSE, sizeof (IptCoverageRange)), 0, 0, 0, FALSE };
  guint out = 0;

  *n_failed = 0;
  for (guint i = 0; i < blocks->len; i++)
    {
      const IptCoverageBlock *block = &g_array_index (blocks, IptCoverageBlock, i);
      guint before = c.ranges->len;

      c.cr3 = block->cr3;
      c.open = FALSE;
      if (ipt_coverage_code_walk (code, block, range_insn, &c) < 0)
        {
          g_array_set_size (c.ranges, before);
          c.open = FALSE;
          (*n_failed)++;
          continue;
        }
      range_flush (&c);
    }

  g_array_sort (c.ranges, compare_ranges);
  for (guint i = 0; i < c.ranges->len; i++)
    {
      const IptCoverageRange *r = &g_array_index (c.ranges, IptCoverageRange, i);

      if (out > 0 && compare_ranges (r, &g_array_index (c.ranges, IptCoverageRange, out - 1)) == 0)
        continue;
      g_array_index (c.ranges, IptCoverageRange, out++) = *r;
    }
  g_array_set_size (c.ranges, out);
  return c.ranges;
}
