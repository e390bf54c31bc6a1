/* ipt-listing-index.c: the index of a trace's listing, so that any row can
 * be reached by decoding from a checkpoint shortly before it, and the scan
 * that does that. A checkpoint is a PSB, with the number of serial rows
 * before the rows a decode synced there lists. Such a decode does not in
 * general continue like the serial decode (docs/parallel-decode.md,
 * "The boundary"), so no PSB is trusted:
 *
 * 1. The serial pass decodes the whole trace once, hashing each row into a
 *    running polynomial digest. At a PSB the decode has passed (at least
 *    the model's checkpoint-spacing rows after the last candidate) it keeps a candidate: the
 *    hashes of the rows around that point and the digest before them.
 * 2. Each candidate is decoded from its PSB: its first rows must line up
 *    with the serial rows near its point, and then every row up to the
 *    next kept checkpoint (or the end) must equal the serial decode's (by
 *    the digest of the whole interval). A candidate that fails is dropped,
 *    and the checkpoint before it covers its rows too.
 *
 * So a decode from any checkpoint lists exactly the serial rows up to the
 * next one, checked row by row (up to the 64-bit digests). Costs two
 * decodes of the trace, no formatting, the second on a thread per
 * processor; memory is about 10 KiB per candidate. Never prints. */
#include "config.h"

#include <string.h>

#include "ipt-listing-private.h"

/* Rows kept before and after a candidate's point for the lining up. */
#define RING 128
#define SLACK 1024
/* Rows that must agree to line up, and rows a decode from a PSB may list
 * that the serial decode does not have there (an "[enabled]"). */
#define MATCH 64
#define MAX_SKIP 8
#define CAPTURE (RING + SLACK + MATCH)

/* The digest's multiplier: odd, so that the digest of a row range follows
 * from the digests before and after it. */
#define DIGEST_M G_GUINT64_CONSTANT (0x100000001b3)

#define PROGRESS_INTERVAL_US (100 * 1000)

typedef struct {
  guint64 psb;
  guint64 first;       /* the serial row of hashes[0] */
  guint64 digest;      /* the digest before row first */
  guint n;             /* hashes captured */
  guint64 hashes[CAPTURE];
} Candidate;

typedef struct {
  const IptListingSource *source;
  GArray *psbs;                /* guint64 */
  guint next_psb;
  guint64 n_rows;
  guint64 n_insns;
  guint64 digest;
  guint64 ring_hash[RING];     /* of row r at r % RING */
  guint64 ring_digest[RING];   /* the digest before row r */
  GPtrArray *candidates;       /* Candidate*, by row */
  Candidate *capturing;
  guint64 last_row;            /* of the last candidate */

  IptListingProgressFunc progress;
  gpointer progress_data;
  gint64 last_progress;
  guint calls;
} Pass;

static guint64
power (guint64 base, guint64 exponent)
{
  guint64 result = 1;

  while (exponent > 0)
    {
      if (exponent & 1)
        result *= base;
      base *= base;
      exponent >>= 1;
    }
  return result;
}

static GArray *
find_psbs (const guint8 *data, gsize size)
{
  GArray *psbs = g_array_new (FALSE, FALSE, sizeof (guint64));
  struct pt_packet_decoder *dec;
  struct pt_config config;
  uint64_t offset;

  pt_config_init (&config);
  config.begin = (uint8_t *) data;
  config.end = (uint8_t *) data + size;
  dec = pt_pkt_alloc_decoder (&config);
  if (dec == NULL)
    return psbs;
  while (pt_pkt_sync_forward (dec) >= 0 && pt_pkt_get_sync_offset (dec, &offset) >= 0)
    g_array_append_val (psbs, offset);
  pt_pkt_free_decoder (dec);
  return psbs;
}

static void
report (IptListingProgressFunc progress, gpointer data, gint64 *last, gdouble fraction)
{
  gint64 now = g_get_monotonic_time ();

  if (progress != NULL && now - *last >= PROGRESS_INTERVAL_US)
    {
      *last = now;
      progress (data, fraction);
    }
}

/* ---- 1: the serial pass ---- */

static gboolean
pass_row (gpointer user_data, const IptListingRecord *record, const char *text, gsize len)
{
  Pass *pass = user_data;
  guint64 h = ipt_listing_record_hash (record, text, len, pass->source->hash_time);
  guint slot = pass->n_rows % RING;

  pass->ring_hash[slot] = h;
  pass->ring_digest[slot] = pass->digest;
  pass->digest = pass->digest * DIGEST_M + h;
  if (pass->capturing != NULL)
    {
      pass->capturing->hashes[pass->capturing->n++] = h;
      if (pass->capturing->n == CAPTURE)
        pass->capturing = NULL;
    }
  pass->n_rows++;
  if (record->kind == IPT_LISTING_RECORD_INSN)
    pass->n_insns++;
  return TRUE;
}

static void
pass_offset (gpointer user_data, guint64 offset)
{
  Pass *pass = user_data;
  guint64 psb = G_MAXUINT64;

  while (pass->next_psb < pass->psbs->len &&
         g_array_index (pass->psbs, guint64, pass->next_psb) <= offset)
    psb = g_array_index (pass->psbs, guint64, pass->next_psb++);

  if (psb != G_MAXUINT64 && pass->capturing == NULL &&
      pass->n_rows - pass->last_row >= pass->source->spacing)
    {
      Candidate *c = g_new (Candidate, 1);
      guint back = (guint) MIN (pass->n_rows, (guint64) RING);

      c->psb = psb;
      c->first = pass->n_rows - back;
      c->digest = back > 0 ? pass->ring_digest[c->first % RING] : pass->digest;
      c->n = back;
      for (guint i = 0; i < back; i++)
        c->hashes[i] = pass->ring_hash[(c->first + i) % RING];
      g_ptr_array_add (pass->candidates, c);
      pass->capturing = c;
      pass->last_row = pass->n_rows;
    }

  if ((++pass->calls & 1023) == 0)
    report (pass->progress, pass->progress_data, &pass->last_progress,
            0.5 * offset / MAX (pass->source->size, 1));
}

/* ---- 2: checking the candidates ---- */

typedef struct {
  const Candidate *c;
  guint64 fresh[MAX_SKIP + MATCH];
  guint n_fresh;
  gboolean aligned;
  gboolean failed;
  guint skip;
  guint64 row;         /* the serial row of fresh row skip */
  guint64 row_digest;  /* the serial digest before it */
  guint64 target;      /* rows to compare */
  guint64 done;
  guint64 digest;      /* of the rows compared */
  gboolean with_time;
  guint64 end_row;
} Check;

/* Lines the first rows of the check's decode up with the candidate's
 * serial rows. Code that loops fits in several places; the decode from a
 * PSB starts where the serial decode was when its offset passed the PSB
 * (libipt reads ahead, so a little after), which the candidate's point
 * knows to OFFSET_LAG rows: the first fit from there on, else the last
 * before. A wrong choice fails the check of the whole interval, which
 * costs a checkpoint, never a wrong row. */
#define OFFSET_LAG 32

static gboolean
check_align (Check *check, guint64 end_row)
{
  const Candidate *c = check->c;
  gboolean found = FALSE;
  guint best_j = 0, best_s = 0;

  for (guint j = 0; j + MATCH <= c->n; j++)
    {
      gboolean fits = FALSE;
      guint s;

      for (s = 0; s <= MAX_SKIP && s + MATCH <= check->n_fresh && !fits; s++)
        fits = check->fresh[s] == c->hashes[j] &&
               memcmp (check->fresh + s, c->hashes + j, MATCH * sizeof (guint64)) == 0;
      if (!fits)
        continue;
      found = TRUE;
      best_j = j;
      best_s = s - 1;
      if (j + OFFSET_LAG >= RING)
        break;
    }
  if (!found || c->first + best_j >= end_row)
    return FALSE;

  check->skip = best_s;
  check->row = c->first + best_j;
  check->row_digest = c->digest;
  for (guint i = 0; i < best_j; i++)
    check->row_digest = check->row_digest * DIGEST_M + c->hashes[i];
  check->target = end_row - check->row;
  check->aligned = TRUE;
  for (guint i = best_s; i < check->n_fresh && check->done < check->target; i++, check->done++)
    check->digest = check->digest * DIGEST_M + check->fresh[i];
  return TRUE;
}

static gboolean
check_run_row (gpointer user_data, const IptListingRecord *record, const char *text, gsize len)
{
  Check *check = user_data;
  guint64 h = ipt_listing_record_hash (record, text, len, check->with_time);

  if (!check->aligned)
    {
      check->fresh[check->n_fresh++] = h;
      if (check->n_fresh < G_N_ELEMENTS (check->fresh))
        return TRUE;
      if (!check_align (check, check->end_row))
        {
          check->failed = TRUE;
          return FALSE;
        }
    }
  else
    {
      check->digest = check->digest * DIGEST_M + h;
      check->done++;
    }
  return check->done < check->target;
}

/* Whether a decode from @c's PSB lists exactly the serial rows from its
 * point to @end_row (whose digest before it is @end_digest); sets
 * *@checkpoint. FALSE with @error set only when the decode failed. */
static gboolean
check_candidate (const IptListingSource *source, const Candidate *c, guint64 end_row,
                 guint64 end_digest, IptListingCheckpoint *checkpoint, gboolean *ok,
                 GCancellable *cancellable, GError **error)
{
  Check check = { 0, };
  IptListingDecodeStatus status;

  check.c = c;
  check.with_time = source->hash_time;
  check.end_row = end_row;
  *ok = FALSE;
  status = ipt_listing_decode (source, c->psb, FALSE, check_run_row, &check, NULL, cancellable,
                               error);
  if (status == IPT_LISTING_DECODE_FAILED)
    return FALSE;
  if (!check.aligned || check.failed || check.done != check.target)
    {
      g_debug ("%s: PSB at 0x%" G_GINT64_MODIFIER "x: a decode from it %s", source->name,
               c->psb, !check.aligned ? "does not line up with the serial rows"
                                          : "lists other rows than the serial decode");
      return TRUE;
    }
  *ok = end_digest - check.row_digest * power (DIGEST_M, check.target) ==
        check.digest;
  if (!*ok)
    g_debug ("%s: PSB at 0x%" G_GINT64_MODIFIER "x: a decode from it lists other rows "
             "than the serial decode before row %" G_GUINT64_FORMAT, source->name, c->psb,
             end_row);
  checkpoint->psb = c->psb;
  checkpoint->row = check.row;
  checkpoint->skip = check.skip;
  return TRUE;
}

static gint
compare_checkpoints (gconstpointer a, gconstpointer b)
{
  const IptListingCheckpoint *x = a, *y = b;

  return x->row < y->row ? -1 : x->row > y->row;
}

/* The serial digest before row @row, which @c's capture holds. */
static guint64
digest_at (const Candidate *c, guint64 row)
{
  guint64 digest = c->digest;

  for (guint64 r = c->first; r < row; r++)
    digest = digest * DIGEST_M + c->hashes[r - c->first];
  return digest;
}

/* One candidate's check, on a thread of the pool. */
typedef struct {
  const IptListingSource *source;
  const Candidate *c;
  guint64 end_row;
  guint64 end_digest;
  GCancellable *cancellable;
  GAsyncQueue *done;
  IptListingCheckpoint checkpoint;
  gboolean ok;
  GError *error;
} CheckTask;

static void
check_task_run (CheckTask *task)
{
  if (!check_candidate (task->source, task->c, task->end_row, task->end_digest,
                        &task->checkpoint, &task->ok, task->cancellable, &task->error))
    task->ok = FALSE;
}

static void
check_thread (gpointer data, gpointer user_data)
{
  CheckTask *task = data;

  check_task_run (task);
  g_async_queue_push (task->done, task);
}

/* Where @c's check may end: the last row the next candidate's capture
 * holds (the next checkpoint's row is before it), or the end. */
static void
check_end (GPtrArray *candidates, guint k, const Pass *pass, guint64 *row, guint64 *digest)
{
  if (k + 1 < candidates->len)
    {
      const Candidate *next = candidates->pdata[k + 1];

      *row = next->first + next->n;
      *digest = digest_at (next, *row);
    }
  else
    {
      *row = pass->n_rows;
      *digest = pass->digest;
    }
}

/* 2: each candidate checked up to the end of the next one's capture (the
 * next one's row is before it), on a thread per processor; then, last to
 * first, a candidate after a dropped one is checked again up to the next
 * kept one (rare: a dropped candidate). */
static gboolean
check_candidates (const IptListingSource *source, GPtrArray *candidates, const Pass *pass,
                  GArray *checkpoints, IptListingProgressFunc progress, gpointer user_data,
                  GCancellable *cancellable, GError **error)
{
  g_autofree CheckTask *tasks = g_new0 (CheckTask, candidates->len);
  g_autoptr(GAsyncQueue) done = g_async_queue_new ();
  guint n_threads = CLAMP (g_get_num_processors (), 1, 8);
  gint64 last_progress = g_get_monotonic_time ();
  GThreadPool *pool = g_thread_pool_new (check_thread, NULL, (gint) n_threads, FALSE, NULL);
  gboolean ok = TRUE;
  guint64 end_row = G_MAXUINT64;
  guint kept = G_MAXUINT;

  for (guint k = 0; k < candidates->len; k++)
    {
      CheckTask *task = &tasks[k];

      task->source = source;
      task->c = candidates->pdata[k];
      task->cancellable = cancellable;
      task->done = done;
      check_end (candidates, k, pass, &task->end_row, &task->end_digest);
      g_thread_pool_push (pool, task, NULL);
    }
  for (guint i = 0; i < candidates->len; i++)
    {
      g_async_queue_pop (done);
      report (progress, user_data, &last_progress, 0.5 + 0.5 * (i + 1) / candidates->len);
    }
  g_thread_pool_free (pool, FALSE, TRUE);

  for (guint k = candidates->len; k-- > 0;)
    {
      CheckTask *task = &tasks[k];
      guint64 need_row, need_digest;

      /* it must reach the next kept checkpoint (or the end) */
      if (kept == G_MAXUINT)
        {
          need_row = pass->n_rows;
          need_digest = pass->digest;
        }
      else
        {
          const Candidate *next = candidates->pdata[kept];

          need_row = next->first + next->n;
          need_digest = digest_at (next, need_row);
        }
      if (task->error == NULL && task->ok && task->end_row != need_row)
        {
          g_debug ("%s: PSB at 0x%" G_GINT64_MODIFIER "x: checked again up to row %"
                   G_GUINT64_FORMAT ", the next candidate was dropped", source->name,
                   task->c->psb, need_row);
          task->end_row = need_row;
          task->end_digest = need_digest;
          check_task_run (task);
        }
      if (task->error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&task->error));
          ok = FALSE;
          break;
        }
      if (task->ok && task->checkpoint.row < end_row)
        {
          g_array_append_val (checkpoints, task->checkpoint);
          end_row = task->checkpoint.row;
          kept = k;
        }
    }
  for (guint k = 0; k < candidates->len; k++)
    g_clear_error (&tasks[k].error);
  return ok;
}

IptListingIndex *
ipt_listing_index_build (const IptListingSource *model_source, IptListingProgressFunc progress,
                         gpointer user_data, GCancellable *cancellable, GError **error)
{
  /* the index compares times only when the names depend on them: then
   * only does it ask for them */
  IptListingSource index_source = *model_source;
  const IptListingSource *source = &index_source;
  g_autoptr(IptListingIndex) index = g_new0 (IptListingIndex, 1);
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) psbs = find_psbs (source->data, source->size);
  IptListingCheckpoint start = { G_MAXUINT64, 0, 0 };
  Pass pass = { 0, };
  gint64 started = g_get_monotonic_time (), checking;

  index_source.want_time = index_source.hash_time;
  pass.source = source;
  pass.psbs = psbs;
  pass.candidates = candidates;
  pass.progress = progress;
  pass.progress_data = user_data;
  pass.last_progress = g_get_monotonic_time ();
  if (ipt_listing_decode (source, G_MAXUINT64, TRUE, pass_row, &pass, pass_offset, cancellable,
                          error) == IPT_LISTING_DECODE_FAILED)
    return NULL;
  /* the last candidates may be too near the end to have their capture */
  while (candidates->len > 0 &&
         ((Candidate *) candidates->pdata[candidates->len - 1])->n < CAPTURE)
    g_ptr_array_remove_index (candidates, candidates->len - 1);

  checking = g_get_monotonic_time ();
  index->n_rows = pass.n_rows;
  index->n_insns = pass.n_insns;
  index->n_candidates = candidates->len;
  index->checkpoints = g_array_new (FALSE, FALSE, sizeof (IptListingCheckpoint));
  g_array_append_val (index->checkpoints, start);
  if (!check_candidates (source, candidates, &pass, index->checkpoints, progress, user_data,
                         cancellable, error))
    return NULL;
  g_array_sort (index->checkpoints, compare_checkpoints);
  g_debug ("%s: %" G_GUINT64_FORMAT " rows, %u checkpoints (of %u PSBs, %u tried); "
           "serial pass %.3f s, checks %.3f s", source->name, index->n_rows,
           index->checkpoints->len, psbs->len, candidates->len, (checking - started) / 1e6,
           (g_get_monotonic_time () - checking) / 1e6);
  return g_steal_pointer (&index);
}

void
ipt_listing_index_free (IptListingIndex *index)
{
  if (index == NULL)
    return;
  if (index->checkpoints != NULL)
    g_array_unref (index->checkpoints);
  g_free (index);
}

guint
ipt_listing_index_lookup (const IptListingIndex *index, guint64 row)
{
  guint lo = 0, hi = index->checkpoints->len;

  /* the last with .row <= row; [0] has row 0 */
  while (hi - lo > 1)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (index->checkpoints, IptListingCheckpoint, mid).row <= row)
        lo = mid;
      else
        hi = mid;
    }
  return lo;
}

/* ---- decoding from a checkpoint ---- */

typedef struct {
  const IptListingCheckpoint *checkpoint;
  guint64 n_rows;
  guint64 first;
  guint64 seen;        /* rows the decode listed */
  IptListingScanFunc func;
  gpointer user_data;
} Scan;

static gboolean
scan_row (gpointer user_data, const IptListingRecord *record, const char *text, gsize len)
{
  Scan *scan = user_data;
  guint64 row;

  if (scan->seen++ < scan->checkpoint->skip)
    return TRUE;
  row = scan->checkpoint->row + (scan->seen - 1 - scan->checkpoint->skip);
  if (row >= scan->n_rows)
    return FALSE;   /* past a stall: the serial listing ended there */
  if (row < scan->first)
    return TRUE;
  return scan->func (scan->user_data, row, record, text, len);
}

gboolean
ipt_listing_index_scan (const IptListingIndex *index, const IptListingSource *source,
                        guint64 first, IptListingScanFunc func, gpointer user_data,
                        GCancellable *cancellable, GError **error)
{
  Scan scan = { 0, };

  if (first >= index->n_rows)
    return TRUE;
  scan.checkpoint = &g_array_index (index->checkpoints, IptListingCheckpoint,
                                    ipt_listing_index_lookup (index, first));
  scan.n_rows = index->n_rows;
  scan.first = first;
  scan.func = func;
  scan.user_data = user_data;
  return ipt_listing_decode (source, scan.checkpoint->psb, FALSE, scan_row, &scan, NULL,
                             cancellable, error) != IPT_LISTING_DECODE_FAILED;
}
