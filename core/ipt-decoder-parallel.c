/* ipt-decoder-parallel.c: a decode on several threads. The trace is cut
 * at PSBs into segments; each is decoded by its own libipt decoder over
 * its own pt_image of the one snapshot (ipt-decoder-run.c), into a part
 * of the sink (ipt_sink_split()), and the parts are merged into the sink
 * in trace order. The result must equal the serial decode's call for call,
 * so a boundary is never trusted, it is checked: the decode before it runs
 * on past the cut and records what it would have delivered (its tail), the
 * decode after it records what it delivered first (its head); where the
 * tail ends with the head, the part before gets the rest of its tail and
 * the two join; where not, the two segments are decoded again as one.
 * See docs/parallel-decode.md. Never prints; at most a few segments are in
 * memory beyond the one being merged. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>
#include "ipt-decoder-private.h"

/* Segments per job, so that uneven segments still keep every thread busy. */
#define SEGMENTS_PER_JOB 4
/* The least trace, after a cut, over which the calls of the decode that
 * passed the cut must equal those of the decode that started there: up to
 * the first PSB this far after the cut (a whole PSB interval at least), but
 * no more than MAX_CHECK_WINDOW, which bounds the calls recorded (about a
 * hundred bytes each, ten instructions a byte) where PSBs are rare. */
#define CHECK_WINDOW 256
#define MAX_CHECK_WINDOW (8 * 1024)

typedef struct {
  guint first;                  /* cuts the segment runs between */
  guint last;
  IptDecodeSegment seg;
  IptDecoder *decoder;          /* the segment's own: its libipt decoder, its replays */
  IptSink *sink;                /* the part */
  IptDecodeOutcome outcome;
  GError *error;                /* libipt or the part's begin failed */
  gboolean ok;
  gboolean done;                /* under Parallel.lock */
} Part;

typedef struct {
  IptDecoder *self;
  IptImageSnapshot *snapshot;
  const guint8 *data;
  gsize size;
  const char *name;
  IptSink *sink;
  GCancellable *cancellable;
  GMainContext *progress_context;

  GArray *cuts;                 /* guint64: [0] the trace's start, then PSB offsets */
  GArray *horizons;             /* guint64: where the check after each cut ends */

  GMutex lock;
  GCond cond;
} Parallel;

/* ---- where to cut ---- */

/* Whether the PSB+ that @dec is at (after its PSB) holds a FUP. */
static gboolean
psb_plus_has_fup (struct pt_packet_decoder *dec)
{
  struct pt_packet packet;

  while (pt_pkt_next (dec, &packet, sizeof (packet)) >= 0)
    {
      if (packet.type == ppt_fup)
        return TRUE;
      if (packet.type == ppt_psbend)
        break;
    }
  return FALSE;
}

static GArray *
find_psbs (struct pt_packet_decoder *dec)
{
  GArray *psbs = g_array_new (FALSE, FALSE, sizeof (guint64));
  uint64_t offset;

  while (pt_pkt_sync_forward (dec) >= 0 && pt_pkt_get_sync_offset (dec, &offset) >= 0)
    g_array_append_val (psbs, offset);
  return psbs;
}

/* How well the PSB at psbs[@i] restates the flow, as a cut: 2 for a PSB+
 * with a FUP where tracing is on, 1 for one without where it is off, 0
 * else. A decoder that syncs at a PSB+ without a FUP has no IP until the
 * next TIP.PGE, where the serial decoder goes on from the IP it has
 * (ipt-record writes such PSBs); one that syncs at a PSB+ with a FUP takes
 * tracing as on where the serial decoder knows it was turned off (IP
 * filtering). Either makes the check fail and the segments be decoded
 * again. Tracing is on or off as the packets from the PSB before say (its
 * FUP, then TIP.PGE and TIP.PGD), a guess that packets alone allow. */
static guint
psb_cut_rank (struct pt_packet_decoder *dec, GArray *psbs, guint i)
{
  gboolean has_fup;

  guint64 psb = g_array_index (psbs, guint64, i);
  struct pt_packet packet;
  gboolean on;

  if (i == 0 || pt_pkt_sync_set (dec, g_array_index (psbs, guint64, i - 1)) < 0 ||
      pt_pkt_next (dec, &packet, sizeof (packet)) < 0)
    return 0;
  on = psb_plus_has_fup (dec);
  for (;;)
    {
      uint64_t offset;

      if (pt_pkt_get_offset (dec, &offset) < 0 || offset >= psb ||
          pt_pkt_next (dec, &packet, sizeof (packet)) < 0)
        break;
      if (packet.type == ppt_tip_pge)
        on = TRUE;
      else if (packet.type == ppt_tip_pgd)
        on = FALSE;
    }
  if (pt_pkt_sync_set (dec, psb) < 0 || pt_pkt_next (dec, &packet, sizeof (packet)) < 0)
    return 0;
  has_fup = psb_plus_has_fup (dec);
  return has_fup && on ? 2 : !has_fup && !on ? 1 : 0;
}

/* The first PSB at or after @offset, from psbs[*@from] on, or G_MAXUINT64. */
static guint64
psb_at_or_after (GArray *psbs, guint64 offset, guint *from)
{
  while (*from < psbs->len && g_array_index (psbs, guint64, *from) < offset)
    (*from)++;
  return *from < psbs->len ? g_array_index (psbs, guint64, *from) : G_MAXUINT64;
}

/* How many PSBs after an even position are looked at for the best cut. */
#define MAX_CUT_TRIES 16

/* Cuts at PSBs near @n_segments even byte positions, each at least a check
 * window past the previous one's, so that a segment's head is over before
 * its own cut; among the first PSBs after a position, the first of the
 * best rank. */
static void
choose_cuts (Parallel *par, guint n_segments)
{
  g_autoptr(GArray) psbs = NULL;
  struct pt_packet_decoder *dec;
  struct pt_config config;
  guint64 zero = 0;
  guint64 horizon = 0;
  guint at = 0, at_horizon = 0;

  par->cuts = g_array_new (FALSE, FALSE, sizeof (guint64));
  par->horizons = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_array_append_val (par->cuts, zero);
  g_array_append_val (par->horizons, zero);

  pt_config_init (&config);
  config.begin = (uint8_t *) par->data;
  config.end = (uint8_t *) par->data + par->size;
  dec = pt_pkt_alloc_decoder (&config);
  if (dec == NULL)
    return;
  psbs = find_psbs (dec);

  for (guint i = 1; i < n_segments; i++)
    {
      guint64 target = (guint64) par->size / n_segments * i;
      guint64 cut = psb_at_or_after (psbs, MAX (target, MAX (horizon, 1)), &at);

      if (cut == G_MAXUINT64)
        break;
      {
        guint best = at, best_rank = 0;

        for (guint k = at; k < psbs->len && k < at + MAX_CUT_TRIES && best_rank < 2; k++)
          {
            guint rank = psb_cut_rank (dec, psbs, k);

            if (rank > best_rank)
              {
                best = k;
                best_rank = rank;
              }
          }
        at = best;
        cut = g_array_index (psbs, guint64, best);
      }
      horizon = psb_at_or_after (psbs, cut + CHECK_WINDOW, &at_horizon);
      /* no PSB after it: the end of the trace, a poor place to cut */
      if (horizon == G_MAXUINT64)
        break;
      horizon = MIN (horizon, cut + MAX_CHECK_WINDOW);
      g_array_append_val (par->cuts, cut);
      g_array_append_val (par->horizons, horizon);
    }
  pt_pkt_free_decoder (dec);
}

/* ---- the parts ---- */

/* A new decoder with @self's settings (ipt-decoder-private.h). */
IptDecoder *
ipt_decoder_dup_settings (IptDecoder *self)
{
  IptDecoder *decoder = ipt_decoder_new (self->image, self->kind);

  decoder->cpu = self->cpu;
  decoder->errata = self->errata;
  g_free (decoder->cpu_spec);
  decoder->cpu_spec = g_strdup (self->cpu_spec);
  decoder->stall_limit = self->stall_limit;
  decoder->tsc_zero = self->tsc_zero;
  decoder->tsc_mult = self->tsc_mult;
  decoder->tsc_shift = self->tsc_shift;
  return decoder;
}

/* The part from cut @first to cut @last (the number of cuts: the end). */
static Part *
part_new (Parallel *par, guint first, guint last)
{
  Part *part = g_new0 (Part, 1);
  guint n_cuts = par->cuts->len;

  part->first = first;
  part->last = last;
  part->seg.start = first == 0 ? G_MAXUINT64 : g_array_index (par->cuts, guint64, first);
  part->seg.head_end = first == 0 ? 0 : g_array_index (par->horizons, guint64, first);
  part->seg.cut = last == n_cuts ? G_MAXUINT64 : g_array_index (par->cuts, guint64, last);
  part->seg.tail_end = last == n_cuts ? G_MAXUINT64
                                      : g_array_index (par->horizons, guint64, last);
  part->seg.head = g_array_new (FALSE, TRUE, sizeof (IptDecodeItem));
  part->seg.tail = g_array_new (FALSE, TRUE, sizeof (IptDecodeItem));
  part->decoder = ipt_decoder_dup_settings (par->self);
  part->sink = ipt_sink_split (par->sink);
  return part;
}

static void
part_free (Part *part)
{
  g_array_unref (part->seg.head);
  g_array_unref (part->seg.tail);
  g_clear_object (&part->decoder);
  g_clear_object (&part->sink);
  ipt_decode_outcome_clear (&part->outcome);
  g_clear_error (&part->error);
  g_free (part);
}

static void
part_decode (Parallel *par, Part *part)
{
  if (part->sink == NULL)
    g_set_error (&part->error, IPT_ERROR, IPT_ERROR_FAILED, "%s: %s did not split",
                 par->name, G_OBJECT_TYPE_NAME (par->sink));
  else
    part->ok = ipt_decoder_run_segment (part->decoder, par->snapshot, par->data, par->size,
                                        par->name, part->sink, &part->seg, par->cancellable,
                                        NULL, &part->outcome, &part->error);
}

static void
part_thread (gpointer data, gpointer user_data)
{
  Part *part = data;
  Parallel *par = user_data;

  part_decode (par, part);
  g_mutex_lock (&par->lock);
  part->done = TRUE;
  g_cond_broadcast (&par->cond);
  g_mutex_unlock (&par->lock);
}

static void
part_wait (Parallel *par, Part *part)
{
  g_mutex_lock (&par->lock);
  while (!part->done)
    g_cond_wait (&par->cond, &par->lock);
  g_mutex_unlock (&par->lock);
}

/* Whether the decode of @part ended before its cut (cancelled, stalled, a
 * vanished file): then the serial decode ends there too. */
static gboolean
part_ended_early (const Part *part)
{
  return part->outcome.cancelled || part->outcome.stalled || part->outcome.fault != NULL;
}

/* Whether @prev's tail ends with @next's head, so that @next continues
 * exactly where @prev's calls up to the join leave off: *@n_before is
 * the number of @prev's tail calls before the join. */
static gboolean
parts_join (Parallel *par, const Part *prev, const Part *next, guint *n_before)
{
  GArray *tail = prev->seg.tail, *head = next->seg.head;

  if (!next->ok || part_ended_early (prev) || head->len == 0 || tail->len < head->len)
    {
      g_debug ("%s: cut at 0x%" G_GINT64_MODIFIER "x: %u calls after it from the decode that "
               "passed it, %u from the one that started there", par->name, next->seg.start,
               tail->len, head->len);
      return FALSE;
    }
  *n_before = tail->len - head->len;
  for (guint i = 0; i < head->len; i++)
    if (!ipt_decode_item_equal (&g_array_index (tail, IptDecodeItem, *n_before + i),
                                &g_array_index (head, IptDecodeItem, i)))
      {
        const IptDecodeItem *item = &g_array_index (head, IptDecodeItem, i);

        g_debug ("%s: cut at 0x%" G_GINT64_MODIFIER "x: call %u of %u (kind %d, at 0x%"
                 G_GINT64_MODIFIER "x) differs", par->name, next->seg.start, i, head->len,
                 item->kind, item->offset);
        return FALSE;
      }
  return TRUE;
}

/* Gives @part the calls of its tail before the join, and merges it. */
static gboolean
part_merge (Parallel *par, Part *part, guint n_tail, GError **error)
{
  for (guint i = 0; i < n_tail; i++)
    ipt_decode_item_replay (&g_array_index (part->seg.tail, IptDecodeItem, i), part->decoder,
                            part->sink);
  return ipt_sink_merge (par->sink, part->sink, error);
}

/* ---- the decode ---- */

static gboolean
run_parts (Parallel *par, guint jobs, IptDecodeOutcome *outcome, GError **error)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();   /* Part*, by segment; NULL once freed */
  guint n_parts = par->cuts->len;
  guint max_ahead = jobs + 2;    /* decoded or decoding beyond the one being merged */
  guint pushed = 0;
  GThreadPool *pool;
  Part *pending = NULL;          /* decoded, its boundary with the next not yet checked */
  gboolean ok = TRUE;
  guint n_joined = 0;
  guint n_merged = 0;

  pool = g_thread_pool_new (part_thread, par, (gint) jobs, FALSE, NULL);
  g_ptr_array_set_size (parts, n_parts);

  for (guint i = 0; i < n_parts && ok; i++)
    {
      Part *part;
      guint n_before = 0;

      for (; pushed < n_parts && pushed < i + max_ahead; pushed++)
        {
          parts->pdata[pushed] = part_new (par, pushed, pushed + 1);
          g_thread_pool_push (pool, parts->pdata[pushed], NULL);
        }
      part = parts->pdata[i];
      part_wait (par, part);
      parts->pdata[i] = NULL;
      /* short segments may never reach their decode's own check */
      if (par->cancellable != NULL && g_cancellable_is_cancelled (par->cancellable))
        {
          part_free (part);
          outcome->cancelled = TRUE;
          break;
        }

      if (pending == NULL)
        pending = part;
      else if (parts_join (par, pending, part, &n_before))
        {
          ok = part_merge (par, pending, n_before, error);
          n_merged++;
          outcome->saw_time |= pending->outcome.saw_time;
          if (ipt_decoder_has_progress_handler (par->self))
            ipt_decoder_report_progress (par->self, par->progress_context, pending->seg.cut,
                                         par->size);
          part_free (pending);
          pending = part;
        }
      else
        {
          /* Decoded apart, the two differ: decode them again as one. */
          Part *joined = part_new (par, pending->first, part->last);

          part_free (part);
          part_free (pending);
          part_decode (par, joined);
          pending = joined;
          n_joined++;
        }

      if (ok && !pending->ok)
        {
          g_propagate_error (error, g_steal_pointer (&pending->error));
          ok = FALSE;
        }
      /* the serial decode ends there too: no later part counts */
      if (ok && part_ended_early (pending))
        break;
    }

  if (ok && !outcome->cancelled)
    {
      /* the last part, or one that ended the decode early */
      ok = ipt_sink_merge (par->sink, pending->sink, error);
      n_merged++;
      outcome->saw_time |= pending->outcome.saw_time;
      outcome->cancelled = pending->outcome.cancelled;
      outcome->stalled = pending->outcome.stalled;
      outcome->stall_offset = pending->outcome.stall_offset;
      outcome->stall_insns = pending->outcome.stall_insns;
      outcome->stall_ip = pending->outcome.stall_ip;
      outcome->fault = g_steal_pointer (&pending->outcome.fault);
      outcome->fault_offset = pending->outcome.fault_offset;
    }

  /* the parts still decoding finish before their memory goes; those not
   * started never start */
  g_thread_pool_free (pool, TRUE, TRUE);
  g_clear_pointer (&pending, part_free);
  for (guint i = 0; i < parts->len; i++)
    if (parts->pdata[i] != NULL)
      part_free (parts->pdata[i]);

  par->self->n_segments = MAX (n_merged, 1);
  if (n_joined > 0)
    g_debug ("%s: %u of %u segment boundaries decoded again across", par->name, n_joined,
             n_parts - 1);
  return ok;
}

gboolean
ipt_decoder_run_parallel (IptDecoder *self, IptImageSnapshot *snapshot, const guint8 *data,
                          gsize size, const char *name, IptSink *sink,
                          GCancellable *cancellable, GMainContext *progress_context,
                          gboolean *fell_back, GError **error)
{
  IptDecodeOutcome outcome = { 0, };
  Parallel par = { 0, };
  guint jobs = self->jobs != 0 ? self->jobs : (guint) g_get_num_processors ();
  gboolean ok;

  *fell_back = TRUE;
  if (jobs <= 1)
    return FALSE;

  par.self = self;
  par.snapshot = snapshot;
  par.data = data;
  par.size = size;
  par.name = name;
  par.sink = sink;
  par.cancellable = cancellable;
  par.progress_context = progress_context;
  choose_cuts (&par, jobs * SEGMENTS_PER_JOB);
  if (par.cuts->len < 2)
    {
      g_array_unref (par.cuts);
      g_array_unref (par.horizons);
      return FALSE;
    }
  *fell_back = FALSE;
  g_mutex_init (&par.lock);
  g_cond_init (&par.cond);

  ok = ipt_sink_begin (sink, self, error);
  if (ok)
    {
      g_autoptr(GError) local = NULL;

      if (!run_parts (&par, jobs, &outcome, &local))
        {
          /* the sink still ends, as after any decode that began it */
          (void) ipt_sink_end (sink, NULL);
          g_propagate_error (error, g_steal_pointer (&local));
          ok = FALSE;
        }
      else
        ok = ipt_decode_outcome_check (&outcome, self, snapshot, name, sink, error);
      if (ok && ipt_decoder_has_progress_handler (self))
        ipt_decoder_report_progress (self, progress_context, size, size);
    }

  ipt_decode_outcome_clear (&outcome);
  g_mutex_clear (&par.lock);
  g_cond_clear (&par.cond);
  g_array_unref (par.cuts);
  g_array_unref (par.horizons);
  return ok;
}
