/* ipt-record-mappings.c: the executable mappings over the run (see
 * ipt-record-mappings.h). A mapping is known by its range, file offset
 * and name: one that changes any of these is a new mapping.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "ipt-record-mappings.h"

struct _IptRecordMappings {
  GArray *seen;       /* IptRecordVma, executable ones, in order of appearance */
  GArray *times;      /* guint64 for each of @seen: 0 = the start */
  GArray *last;       /* IptRecordVma: the mappings at the last update (not owned copies) */
};

static GArray *
new_vma_array (void)
{
  GArray *vmas = g_array_new (FALSE, TRUE, sizeof (IptRecordVma));

  g_array_set_clear_func (vmas, (GDestroyNotify) ipt_record_vma_clear);
  return vmas;
}

static gboolean
same (const IptRecordVma *a, const IptRecordVma *b)
{
  return a->start == b->start && a->end == b->end && a->offset == b->offset &&
         g_strcmp0 (a->name, b->name) == 0 && g_strcmp0 (a->file_path, b->file_path) == 0;
}

static gboolean
contains (GArray *vmas, const IptRecordVma *vma)
{
  for (guint i = 0; vmas != NULL && i < vmas->len; i++)
    if (same (&g_array_index (vmas, IptRecordVma, i), vma))
      return TRUE;
  return FALSE;
}

static void
append (GArray *to, GArray *times, const IptRecordVma *vma, guint64 time)
{
  IptRecordVma copy = *vma;

  copy.name = g_strdup (vma->name);
  copy.file_path = g_strdup (vma->file_path);
  g_array_append_val (to, copy);
  g_array_append_val (times, time);
}

/* The executable mappings of @vmas not in @known, with @time. */
static void
add_new (IptRecordMappings *self, GArray *vmas, GArray *known, guint64 time)
{
  for (guint i = 0; vmas != NULL && i < vmas->len; i++)
    {
      const IptRecordVma *vma = &g_array_index (vmas, IptRecordVma, i);

      if (vma->exec && !contains (known, vma))
        append (self->seen, self->times, vma, time);
    }
}

IptRecordMappings *
ipt_record_mappings_new (GArray *at_start)
{
  IptRecordMappings *self = g_new0 (IptRecordMappings, 1);

  self->seen = new_vma_array ();
  self->times = g_array_new (FALSE, FALSE, sizeof (guint64));
  add_new (self, at_start, NULL, 0);
  self->last = g_array_ref (self->seen);
  return self;
}

void
ipt_record_mappings_update (IptRecordMappings *self, GArray *now, guint64 time)
{
  if (now == NULL)
    return;
  add_new (self, now, self->last, time);
  g_array_unref (self->last);
  self->last = g_array_ref (now);
}

GArray *
ipt_record_mappings_finish (IptRecordMappings *self, GArray *at_end, GArray **times)
{
  GArray *all = new_vma_array ();
  GArray *all_times = g_array_new (FALSE, FALSE, sizeof (guint64));
  guint i;

  /* those of the start, then those of the end that no update saw */
  for (i = 0; i < self->seen->len && g_array_index (self->times, guint64, i) == 0; i++)
    append (all, all_times, &g_array_index (self->seen, IptRecordVma, i), 0);
  for (guint j = 0; at_end != NULL && j < at_end->len; j++)
    {
      const IptRecordVma *vma = &g_array_index (at_end, IptRecordVma, j);

      if (vma->exec && !contains (self->seen, vma))
        append (all, all_times, vma, 0);
    }
  for (; i < self->seen->len; i++)
    append (all, all_times, &g_array_index (self->seen, IptRecordVma, i),
            g_array_index (self->times, guint64, i));
  *times = all_times;
  return all;
}

void
ipt_record_mappings_free (IptRecordMappings *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->seen);
  g_array_unref (self->times);
  g_array_unref (self->last);
  g_free (self);
}
