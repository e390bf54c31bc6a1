/* ipt-perf-data-queues.c: the Intel PT data of a perf.data: AUXTRACE
 * records gathered into queues by their idx, in file order, with the gaps
 * where data was lost (offsets that jump, PERF_RECORD_AUX with the
 * truncated flag), and each queue's bytes made once at the end.
 *
 * Input is untrusted: AUXTRACE data is only referenced (file offsets)
 * while reading, and copied once at the end, from inside the file, so a
 * queue never holds more than the file. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-perf-data-private.h"

static IptPerfQueueBuilder *
get_queue (IptPerfParser *p, guint64 offset, guint32 idx, gint cpu, gint64 tid, GError **error)
{
  IptPerfQueueBuilder *b = g_hash_table_lookup (p->queues, GUINT_TO_POINTER (idx));

  if (b == NULL)
    {
      b = g_new0 (IptPerfQueueBuilder, 1);
      b->queue = g_new0 (IptPerfQueue, 1);
      b->queue->index = idx;
      b->queue->cpu = cpu;
      b->queue->tid = tid;
      b->queue->pid = -1;
      b->chunks = g_array_new (FALSE, FALSE, sizeof (IptPerfChunk));
      b->gaps = g_array_new (FALSE, FALSE, sizeof (IptPerfGap));
      g_hash_table_insert (p->queues, GUINT_TO_POINTER (idx), b);
    }
  else if (b->queue->cpu != cpu || b->queue->tid != tid)
    {
      ipt_perf_set_error (p, error, IPT_ERROR_CORRUPT, offset, "AUXTRACE: queue %u is of cpu %d"
                          " tid %" G_GINT64_FORMAT ", this record says cpu %d tid %" G_GINT64_FORMAT,
                          idx, b->queue->cpu, b->queue->tid, cpu, tid);
      return NULL;
    }
  return b;
}

/* The record at @offset of @size bytes; its data follows, inside @end. */
gboolean
ipt_perf_parse_auxtrace (IptPerfParser *p, guint64 offset, const guint8 *r, guint64 size, guint64 end,
                guint64 *extra, GError **error)
{
  IptPerfQueueBuilder *b;
  IptPerfChunk chunk;
  guint64 data_at = offset + size;

  if (!ipt_perf_check_size (p, offset, size, PERF_AUXTRACE_SIZE, "AUXTRACE", error))
    return FALSE;
  chunk.size = ipt_perf_rd64 (r + 8);
  chunk.aux_offset = ipt_perf_rd64 (r + 16);
  chunk.file_offset = data_at;
  if (chunk.size > p->size - data_at)
    {
      ipt_perf_set_error (p, error, IPT_ERROR_TRUNCATED, offset, "AUXTRACE: 0x%" G_GINT64_MODIFIER
                          "x bytes of data at 0x%" G_GINT64_MODIFIER "x run past the end of the"
                          " file (0x%" G_GSIZE_MODIFIER "x bytes)", chunk.size, data_at, p->size);
      return FALSE;
    }
  if (chunk.size > end - data_at)
    {
      ipt_perf_set_error (p, error, IPT_ERROR_CORRUPT, offset, "AUXTRACE: 0x%" G_GINT64_MODIFIER
                          "x bytes of data at 0x%" G_GINT64_MODIFIER "x run past the end of the"
                          " data section (0x%" G_GINT64_MODIFIER "x)", chunk.size, data_at, end);
      return FALSE;
    }
  b = get_queue (p, offset, ipt_perf_rd32 (r + 32), (gint32) ipt_perf_rd32 (r + 40),
                 (gint32) ipt_perf_rd32 (r + 36), error);
  if (b == NULL)
    return FALSE;
  if (b->chunks->len > 0 && chunk.aux_offset != b->next_aux_offset)
    {
      /* a hole in the AUX stream says how much; an overlap does not */
      IptPerfGap gap = { b->total, chunk.aux_offset > b->next_aux_offset
                                   ? chunk.aux_offset - b->next_aux_offset : 0 };

      g_array_append_val (b->gaps, gap);
    }
  if (chunk.size > 0)
    g_array_append_val (b->chunks, chunk);
  b->total += chunk.size;
  b->next_aux_offset = chunk.aux_offset + chunk.size;
  b->queue->n_records++;
  *extra = chunk.size;
  return TRUE;
}

static gint
compare_u64 (gconstpointer a, gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

static gint
compare_builders (gconstpointer a, gconstpointer b)
{
  const IptPerfQueueBuilder *x = *(IptPerfQueueBuilder *const *) a;
  const IptPerfQueueBuilder *y = *(IptPerfQueueBuilder *const *) b;

  return x->queue->index < y->queue->index ? -1 : x->queue->index > y->queue->index;
}

/* The first chunk whose AUX data ends after a position is found by
 * binary search over the running maximum of the chunks' ends (which
 * grows even when a file's offsets do not). */
typedef struct {
  GArray *max_end;    /* guint64 per chunk */
  GArray *start;      /* guint64 per chunk: where it begins in the queue's data */
} ChunkIndex;

static void
chunk_index_init (ChunkIndex *index, const IptPerfQueueBuilder *b)
{
  guint64 max_end = 0, at = 0;

  index->max_end = g_array_sized_new (FALSE, FALSE, sizeof (guint64), b->chunks->len);
  index->start = g_array_sized_new (FALSE, FALSE, sizeof (guint64), b->chunks->len);
  for (guint i = 0; i < b->chunks->len; i++)
    {
      const IptPerfChunk *c = &g_array_index (b->chunks, IptPerfChunk, i);
      guint64 end = c->aux_offset > G_MAXUINT64 - c->size ? G_MAXUINT64 : c->aux_offset + c->size;

      max_end = MAX (max_end, end);
      g_array_append_val (index->max_end, max_end);
      g_array_append_val (index->start, at);
      at += c->size;
    }
}

static void
chunk_index_clear (ChunkIndex *index)
{
  g_array_unref (index->max_end);
  g_array_unref (index->start);
}

/* Where in the queue's data the AUX stream position @aux_end falls, if
 * data follows it: a lost-data gap there. That is in the first chunk (in
 * file order) that ends after @aux_end: at its start if it starts there
 * or later, else inside it. */
static void
add_truncation_gap (IptPerfQueueBuilder *b, const ChunkIndex *index, guint64 aux_end)
{
  guint lo = 0, hi = b->chunks->len;
  const IptPerfChunk *c;
  guint64 at;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (index->max_end, guint64, mid) > aux_end)
        hi = mid;
      else
        lo = mid + 1;
    }
  if (lo == b->chunks->len)
    return;
  c = &g_array_index (b->chunks, IptPerfChunk, lo);
  at = g_array_index (index->start, guint64, lo);
  /* the truncated flag does not say how much was lost */
  if (c->aux_offset >= aux_end)
    {
      IptPerfGap gap = { at, 0 };

      if (lo > 0)
        g_array_append_val (b->gaps, gap);
      return;
    }
  {
    IptPerfGap gap = { at + aux_end - c->aux_offset, 0 };

    g_array_append_val (b->gaps, gap);
  }
}

/* The truncations' AUX positions by the key of the queue they hit. */
static void
index_truncations (IptPerfParser *p, GHashTable *by_cpu, GHashTable *by_tid)
{
  for (guint t = 0; t < p->truncations->len; t++)
    {
      IptPerfTruncation *tr = &g_array_index (p->truncations, IptPerfTruncation, t);
      GHashTable *tables[2] = { by_cpu, by_tid };
      gint64 *keys[2] = { &tr->cpu, &tr->tid };

      for (guint k = 0; k < 2; k++)
        {
          GArray *list = g_hash_table_lookup (tables[k], keys[k]);

          if (list == NULL)
            {
              list = g_array_new (FALSE, FALSE, sizeof (guint64));
              g_hash_table_insert (tables[k], keys[k], list);
            }
          g_array_append_val (list, tr->aux_end);
        }
    }
}

static GBytes *
queue_bytes (IptPerfParser *p, IptPerfQueueBuilder *b)
{
  guint8 *data;
  guint64 total = b->total, at = 0;

  if (b->chunks->len == 1)
    {
      const IptPerfChunk *c = &g_array_index (b->chunks, IptPerfChunk, 0);

      return g_bytes_new_from_bytes (p->bytes, c->file_offset, c->size);
    }
  /* every chunk lies inside the file: the total is bounded by its size */
  data = g_malloc (total);
  for (guint i = 0; i < b->chunks->len; i++)
    {
      const IptPerfChunk *c = &g_array_index (b->chunks, IptPerfChunk, i);

      memcpy (data + at, p->data + c->file_offset, c->size);
      at += c->size;
    }
  return g_bytes_new_take (data, total);
}

void
ipt_perf_finish_queues (IptPerfParser *p)
{
  g_autoptr (GPtrArray) builders = g_ptr_array_new ();
  g_autoptr (GHashTable) pid_of = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr (GHashTable) by_cpu = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                                         (GDestroyNotify) g_array_unref);
  g_autoptr (GHashTable) by_tid = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                                         (GDestroyNotify) g_array_unref);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, p->queues);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (builders, value);

  for (guint i = 0; i < p->out->events->len; i++)
    {
      IptPerfEvent *e = g_ptr_array_index (p->out->events, i);

      if (e->tid >= 0 && e->pid >= 0 && !g_hash_table_contains (pid_of, &e->tid))
        g_hash_table_insert (pid_of, &e->tid, &e->pid);
    }
  index_truncations (p, by_cpu, by_tid);
  g_ptr_array_sort (builders, compare_builders);
  for (guint i = 0; i < builders->len; i++)
    {
      IptPerfQueueBuilder *b = g_ptr_array_index (builders, i);
      IptPerfQueue *q = b->queue;
      guint64 total = b->total;
      GArray *gaps, *lost;

      gint64 key = q->cpu >= 0 ? q->cpu : q->tid;
      GArray *truncated = key >= 0 ? g_hash_table_lookup (q->cpu >= 0 ? by_cpu : by_tid, &key)
                                   : NULL;

      if (truncated != NULL)
        {
          ChunkIndex index;

          chunk_index_init (&index, b);
          for (guint t = 0; t < truncated->len; t++)
            add_truncation_gap (b, &index, g_array_index (truncated, guint64, t));
          chunk_index_clear (&index);
        }
      /* IptPerfGap starts with its offset */
      g_array_sort (b->gaps, compare_u64);
      gaps = g_array_new (FALSE, FALSE, sizeof (guint64));
      lost = g_array_new (FALSE, FALSE, sizeof (guint64));
      for (guint g = 0; g < b->gaps->len; g++)
        {
          const IptPerfGap *gap = &g_array_index (b->gaps, IptPerfGap, g);

          if (gap->at == 0 || gap->at >= total)
            continue;
          if (gaps->len > 0 && g_array_index (gaps, guint64, gaps->len - 1) == gap->at)
            {
              guint64 *known = &g_array_index (lost, guint64, lost->len - 1);

              *known = MAX (*known, gap->lost);
              continue;
            }
          g_array_append_val (gaps, gap->at);
          g_array_append_val (lost, gap->lost);
        }
      q->gap_offsets = gaps;
      q->gap_lost = lost;
      q->n_gaps = gaps->len;
      q->data = queue_bytes (p, b);
      if (q->tid >= 0 && g_hash_table_contains (pid_of, &q->tid))
        q->pid = *(gint64 *) g_hash_table_lookup (pid_of, &q->tid);
      g_ptr_array_add (p->out->queues, g_steal_pointer (&b->queue));
    }
}
