/* ipt-perf-thread-sink.c: sits before --perf's listing and statistics and
 * attributes what the decoder produces to the thread that ran it: the
 * decoder's time looked up in the recording's switch timeline
 * (ipt_perf_data_lookup_thread), the answer kept until the next switch, so
 * that an instruction costs a time check. It drops what --pid/--tid
 * exclude, gives the listing a "[thread: …]" line where the thread changes
 * and the --fields columns before each instruction, and counts each
 * thread in an IptStatistics of its own.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <inttypes.h>

#include "ipt-perf-thread-sink.h"
#include "ipt-stat-print.h"
#include "ipt-stat-json.h"

typedef struct {
  gint64 pid;
  gint64 tid;               /* -1: not known */
  IptStatistics *stats;     /* NULL without per-thread statistics */
  gboolean begun;           /* its statistics began in this decode */
} Thread;

struct _IptPerfThreadSink {
  GObject parent_instance;

  IptPerfData *perf;
  IptSink *downstream;
  IptListingSink *listing;  /* nullable: where lines and columns go */
  IptPerfFields fields;
  gboolean per_thread_stats;
  GArray *pids, *tids;      /* nullable: the filters */
  gint cpu;                 /* the queue's, -1 per thread */
  gint64 queue_tid;

  IptDecoder *decoder;      /* during a decode */
  guint64 tsc_zero;         /* its TSC conversion, for events' time stamps */
  guint32 tsc_mult;
  guint16 tsc_shift;
  IptSinkNeeds down_needs, stats_needs;
  void (*down_insn) (IptSink *, const struct pt_insn *);
  void (*down_block) (IptSink *, const struct pt_block *);
  void (*down_event) (IptSink *, const struct pt_event *);
  void (*down_error) (IptSink *, IptDecodeErrorKind, gint64, guint64, int);
  void (*down_end_of_trace) (IptSink *, gint64);
  /* every thread's IptStatistics', resolved once as the tee does */
  void (*stats_insn) (IptSink *, const struct pt_insn *);
  void (*stats_block) (IptSink *, const struct pt_block *);
  void (*stats_event) (IptSink *, const struct pt_event *);
  void (*stats_error) (IptSink *, IptDecodeErrorKind, gint64, guint64, int);

  /* the thread of [from, until) of the decode's time */
  gboolean stale;           /* the time may have moved since the last look */
  gboolean valid, have_time;
  guint64 from, until;
  Thread *current;
  gboolean keep;
  guint64 prefix_time;
  gboolean prefix_valid;

  GHashTable *threads;      /* tid -> Thread */
  guint64 n_kept;
};

static void ipt_perf_thread_sink_iface_init (IptSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (IptPerfThreadSink, ipt_perf_thread_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IPT_TYPE_SINK,
                                                      ipt_perf_thread_sink_iface_init))

static gboolean
in_list (GArray *list, gint64 value)
{
  for (guint i = 0; i < list->len; i++)
    if (g_array_index (list, gint64, i) == value)
      return TRUE;
  return FALSE;
}

gboolean
ipt_perf_thread_sink_wants_thread (IptPerfThreadSink *self, gint64 pid, gint64 tid)
{
  return (self->pids == NULL || in_list (self->pids, pid)) &&
         (self->tids == NULL || in_list (self->tids, tid));
}

static Thread *
thread_for (IptPerfThreadSink *self, gint64 pid, gint64 tid)
{
  Thread *thread = g_hash_table_lookup (self->threads, &tid);

  if (thread == NULL)
    {
      thread = g_new0 (Thread, 1);
      thread->tid = tid;
      thread->pid = pid;
      if (self->per_thread_stats)
        thread->stats = ipt_statistics_new ();
      g_hash_table_insert (self->threads, &thread->tid, thread);
    }
  if (thread->pid < 0)
    thread->pid = pid;
  if (thread->stats != NULL && !thread->begun && self->decoder != NULL)
    {
      (void) ipt_sink_begin (IPT_SINK (thread->stats), self->decoder, NULL);
      thread->begun = TRUE;
    }
  return thread;
}

static void
thread_free (gpointer data)
{
  Thread *thread = data;

  g_clear_object (&thread->stats);
  g_free (thread);
}

static const char *
comm_of (IptPerfThreadSink *self, gint64 tid, guint64 time)
{
  const char *comm = tid >= 0 ? ipt_perf_data_get_comm (self->perf, tid, time) : NULL;

  return comm != NULL ? comm : "-";
}

/* The --fields columns of the current thread at @time. */
static void
set_prefix (IptPerfThreadSink *self, gboolean have_time, guint64 time)
{
  char prefix[160];
  gsize len = 0;
  const Thread *t = self->current;

  if (self->fields & IPT_PERF_FIELD_CPU)
    len += g_snprintf (prefix + len, sizeof prefix - len,
                       self->cpu >= 0 ? "[%03d] " : "[  -] ", self->cpu);
  if (self->fields & IPT_PERF_FIELD_PID)
    len += g_snprintf (prefix + len, sizeof prefix - len, "%7" G_GINT64_FORMAT " ", t->pid);
  if (self->fields & IPT_PERF_FIELD_TID)
    len += g_snprintf (prefix + len, sizeof prefix - len, "%7" G_GINT64_FORMAT " ", t->tid);
  if (self->fields & IPT_PERF_FIELD_COMM)
    len += g_snprintf (prefix + len, sizeof prefix - len, "%-16.16s ",
                       comm_of (self, t->tid, have_time ? time : 0));
  if (self->fields & IPT_PERF_FIELD_TIME)
    {
      if (have_time)
        len += g_snprintf (prefix + len, sizeof prefix - len, "%5" PRIu64 ".%09" PRIu64 " ",
                           time / 1000000000, time % 1000000000);
      else
        len += g_snprintf (prefix + len, sizeof prefix - len, "%15s ", "-");
    }
  ipt_listing_sink_set_prefix (self->listing, prefix, MIN (len, sizeof prefix - 1));
  self->prefix_time = time;
  self->prefix_valid = TRUE;
}

/* The slow path: who runs now, the filter's verdict, the thread's line. */
static void
switch_thread (IptPerfThreadSink *self, gboolean have_time, guint64 time)
{
  gint64 pid = -1, tid = -1;
  guint64 until = G_MAXUINT64;
  Thread *thread;

  if (self->cpu < 0 || have_time)
    (void) ipt_perf_data_lookup_thread (self->perf, self->cpu, self->queue_tid, time, &pid,
                                        &tid, &until);
  self->valid = TRUE;
  self->have_time = have_time;
  self->from = time;
  self->until = until;
  thread = thread_for (self, pid, tid);
  if (thread == self->current)
    return;
  self->current = thread;
  self->keep = ipt_perf_thread_sink_wants_thread (self, thread->pid, thread->tid);
  self->prefix_valid = FALSE;
  if (self->keep && self->listing != NULL)
    {
      g_autofree char *line = NULL;

      if (thread->tid < 0)
        line = g_strdup ("[thread: not known]");
      else
        line = g_strdup_printf ("[thread: pid %" G_GINT64_FORMAT ", tid %" G_GINT64_FORMAT
                                ", comm %s]", thread->pid, thread->tid,
                                comm_of (self, thread->tid, have_time ? time : 0));
      ipt_listing_sink_put_note (self->listing, line);
    }
}

/* Whether to pass on what the decoder delivers at @time. */
static inline gboolean
refresh_at (IptPerfThreadSink *self, gboolean have_time, guint64 time)
{
  if (G_UNLIKELY (!self->valid || have_time != self->have_time ||
                  (have_time && (time < self->from || time >= self->until))))
    switch_thread (self, have_time, time);
  if (self->keep)
    {
      self->n_kept++;
      if (self->fields != 0 && self->listing != NULL &&
          (!self->prefix_valid || time != self->prefix_time))
        set_prefix (self, have_time, time);
    }
  return self->keep;
}

/* ... now: at the decode's time. libipt's time moves only where it reads
 * packets: at a block, an event, an error, after a branch; between them the
 * last answer holds, and a per-thread queue's thread never changes. */
static inline gboolean
refresh (IptPerfThreadSink *self)
{
  guint64 time = 0;
  gboolean have_time;

  if (G_LIKELY (!self->stale))
    return self->keep;
  self->stale = FALSE;
  if (self->cpu < 0 && self->valid && !(self->fields & (IPT_PERF_FIELD_TIME | IPT_PERF_FIELD_COMM)))
    return self->keep;
  have_time = ipt_decoder_get_time (self->decoder, &time);
  return refresh_at (self, have_time, time);
}

static gboolean
ipt_perf_thread_sink_begin (IptSink *sink, IptDecoder *decoder, GError **error)
{
  IptPerfThreadSink *self = (IptPerfThreadSink *) sink;
  IptSinkInterface *iface;

  if (!ipt_sink_begin (self->downstream, decoder, error))
    return FALSE;
  self->decoder = decoder;
  ipt_decoder_get_tsc_conversion (decoder, &self->tsc_zero, &self->tsc_mult, &self->tsc_shift);
  self->valid = FALSE;
  self->stale = TRUE;
  self->current = NULL;
  self->keep = FALSE;
  iface = IPT_SINK_GET_IFACE (self->downstream);
  self->down_needs = ipt_sink_get_needs (self->downstream);
  self->down_insn = (self->down_needs & IPT_SINK_NEEDS_INSNS) ? iface->insn : NULL;
  self->down_block = (self->down_needs & IPT_SINK_NEEDS_BLOCKS) ? iface->block : NULL;
  self->down_event = iface->event;
  self->down_error = iface->error;
  self->down_end_of_trace = iface->end_of_trace;
  self->stats_needs = IPT_SINK_NEEDS_NONE;
  self->stats_insn = NULL;
  self->stats_block = NULL;
  if (self->per_thread_stats)
    {
      g_autoptr (IptStatistics) probe = ipt_statistics_new ();

      /* every thread's statistics ask what a fresh one asks */
      (void) ipt_sink_begin (IPT_SINK (probe), decoder, NULL);
      self->stats_needs = ipt_sink_get_needs (IPT_SINK (probe));
      iface = IPT_SINK_GET_IFACE (probe);
      self->stats_insn = (self->stats_needs & IPT_SINK_NEEDS_INSNS) ? iface->insn : NULL;
      self->stats_block = (self->stats_needs & IPT_SINK_NEEDS_BLOCKS) ? iface->block : NULL;
      self->stats_event = iface->event;
      self->stats_error = iface->error;
    }
  return TRUE;
}

static IptSinkNeeds
ipt_perf_thread_sink_get_needs (IptSink *sink)
{
  IptPerfThreadSink *self = (IptPerfThreadSink *) sink;

  gboolean follows_time = self->cpu >= 0 ||
                          (self->fields & (IPT_PERF_FIELD_TIME | IPT_PERF_FIELD_COMM));

  /* blocks, where they come, say where the time may move (refresh()) */
  return self->down_needs | self->stats_needs |
         (follows_time && self->decoder != NULL &&
          ipt_decoder_get_kind (self->decoder) == IPT_DECODER_KIND_BLOCK ? IPT_SINK_NEEDS_BLOCKS
                                                                          : 0);
}

static void
ipt_perf_thread_sink_insn (IptSink *sink, const struct pt_insn *insn)
{
  IptPerfThreadSink *self = (IptPerfThreadSink *) sink;
  gboolean keep = refresh (self);

  /* a branch reads the trace: the time may move before the next one (a
   * block's walked instructions but its last have no class) */
  if (insn->iclass != ptic_other && insn->iclass != ptic_error)
    self->stale = TRUE;
  if (!keep)
    return;
  if (self->down_insn != NULL)
    self->down_insn (self->downstream, insn);
  if (self->stats_insn != NULL)
    self->stats_insn ((IptSink *) self->current->stats, insn);
}

static void
ipt_perf_thread_sink_block (IptSink *sink, const struct pt_block *block)
{
  IptPerfThreadSink *self = (IptPerfThreadSink *) sink;

  self->stale = TRUE;
  if (!refresh (self))
    return;
  if (self->down_block != NULL)
    self->down_block (self->downstream, block);
  if (self->stats_block != NULL)
    self->stats_block ((IptSink *) self->current->stats, block);
}

static void
ipt_perf_thread_sink_event (IptSink *sink, const struct pt_event *event)
{
  IptPerfThreadSink *self = (IptPerfThreadSink *) sink;
  gboolean keep;

  /* A disable ends the run of the thread that ran: libipt may deliver it
   * after reading ahead to the next PSB's TSC, and the kernel writes the
   * switch event before the trace stops. Status updates (what libipt
   * learns from a PSB+ on the way) are not the start of anything either.
   * Other events have their own time stamp, which the decode's may not
   * have reached yet. */
  if ((event->status_update || event->type == ptev_disabled ||
       event->type == ptev_async_disabled) && self->current != NULL)
    {
      keep = self->keep;
      self->n_kept += keep;
    }
  else if (event->has_tsc)
    keep = refresh_at (self, TRUE, ipt_tsc_to_time (event->tsc, self->tsc_zero, self->tsc_mult,
                                                    self->tsc_shift));
  else
    {
      self->stale = TRUE;
      keep = refresh (self);
    }
  self->stale = TRUE;
  if (!keep)
    return;
  if (self->down_event != NULL)
    self->down_event (self->downstream, event);
  if (self->current->stats != NULL && self->stats_event != NULL)
    self->stats_event ((IptSink *) self->current->stats, event);
}

static void
ipt_perf_thread_sink_error (IptSink *sink, IptDecodeErrorKind kind, gint64 offset, guint64 ip,
                            int code)
{
  IptPerfThreadSink *self = (IptPerfThreadSink *) sink;

  self->stale = TRUE;
  if (!refresh (self))
    return;
  if (self->down_error != NULL)
    self->down_error (self->downstream, kind, offset, ip, code);
  if (self->current->stats != NULL && self->stats_error != NULL)
    self->stats_error ((IptSink *) self->current->stats, kind, offset, ip, code);
}

static void
ipt_perf_thread_sink_end_of_trace (IptSink *sink, gint64 offset)
{
  IptPerfThreadSink *self = (IptPerfThreadSink *) sink;

  self->stale = TRUE;
  if (refresh (self) && self->down_end_of_trace != NULL)
    self->down_end_of_trace (self->downstream, offset);
}

static gboolean
ipt_perf_thread_sink_end (IptSink *sink, GError **error)
{
  IptPerfThreadSink *self = (IptPerfThreadSink *) sink;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->threads);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Thread *thread = value;

      if (thread->begun)
        (void) ipt_sink_end (IPT_SINK (thread->stats), NULL);
      thread->begun = FALSE;
    }
  self->decoder = NULL;
  self->current = NULL;
  if (self->listing != NULL)
    ipt_listing_sink_set_prefix (self->listing, NULL, 0);
  return ipt_sink_end (self->downstream, error);
}

static void
ipt_perf_thread_sink_iface_init (IptSinkInterface *iface)
{
  iface->get_needs = ipt_perf_thread_sink_get_needs;
  iface->begin = ipt_perf_thread_sink_begin;
  iface->insn = ipt_perf_thread_sink_insn;
  iface->block = ipt_perf_thread_sink_block;
  iface->event = ipt_perf_thread_sink_event;
  iface->error = ipt_perf_thread_sink_error;
  iface->end_of_trace = ipt_perf_thread_sink_end_of_trace;
  iface->end = ipt_perf_thread_sink_end;
}

static void
ipt_perf_thread_sink_dispose (GObject *object)
{
  IptPerfThreadSink *self = IPT_PERF_THREAD_SINK (object);

  g_clear_object (&self->perf);
  g_clear_object (&self->downstream);
  g_clear_object (&self->listing);
  g_clear_pointer (&self->pids, g_array_unref);
  g_clear_pointer (&self->tids, g_array_unref);
  g_clear_pointer (&self->threads, g_hash_table_unref);
  G_OBJECT_CLASS (ipt_perf_thread_sink_parent_class)->dispose (object);
}

static void
ipt_perf_thread_sink_class_init (IptPerfThreadSinkClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ipt_perf_thread_sink_dispose;
}

static void
ipt_perf_thread_sink_init (IptPerfThreadSink *self)
{
  self->threads = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, thread_free);
  self->cpu = -1;
  self->queue_tid = -1;
}

/**
 * ipt_perf_thread_sink_new:
 * @perf: the recording
 * @downstream: where what is kept goes (the listing, total statistics)
 * @listing: (nullable): the listing, for the thread lines and --fields columns
 * @fields: the columns before each listed instruction
 * @per_thread_stats: whether to count each thread
 *
 * Returns: (transfer full): a sink for the queues of @perf
 */
IptPerfThreadSink *
ipt_perf_thread_sink_new (IptPerfData *perf, IptSink *downstream, IptListingSink *listing,
                          IptPerfFields fields, gboolean per_thread_stats)
{
  IptPerfThreadSink *self = g_object_new (IPT_TYPE_PERF_THREAD_SINK, NULL);

  self->perf = g_object_ref (perf);
  self->downstream = g_object_ref (downstream);
  self->listing = listing != NULL ? g_object_ref (listing) : NULL;
  self->fields = fields;
  self->per_thread_stats = per_thread_stats;
  return self;
}

/* Only the threads of @pids and of @tids (each nullable: any) are kept. */
void
ipt_perf_thread_sink_set_filter (IptPerfThreadSink *self, GArray *pids, GArray *tids)
{
  g_clear_pointer (&self->pids, g_array_unref);
  g_clear_pointer (&self->tids, g_array_unref);
  self->pids = pids != NULL ? g_array_ref (pids) : NULL;
  self->tids = tids != NULL ? g_array_ref (tids) : NULL;
}

/* The queue the next decodes are of: its CPU, or its thread. */
void
ipt_perf_thread_sink_set_queue (IptPerfThreadSink *self, const IptPerfQueue *queue)
{
  self->cpu = queue->cpu;
  self->queue_tid = queue->cpu >= 0 ? -1 : queue->tid;
  self->valid = FALSE;
  self->stale = TRUE;
}

/* How many items (instructions, blocks, events, errors) were kept. */
guint64
ipt_perf_thread_sink_get_n_kept (IptPerfThreadSink *self)
{
  return self->n_kept;
}

static gint
compare_tids (gconstpointer a, gconstpointer b)
{
  const Thread *x = *(Thread * const *) a, *y = *(Thread * const *) b;

  return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* The kept threads that statistics were counted for, by tid (a thread
 * that only status updates were attributed to has none). */
static GPtrArray *
counted_threads (IptPerfThreadSink *self)
{
  GPtrArray *threads = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->threads);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Thread *thread = value;

      if (thread->stats != NULL && ipt_perf_thread_sink_wants_thread (self, thread->pid, thread->tid) &&
          (ipt_statistics_get_n_insns (thread->stats) > 0 ||
           ipt_statistics_get_n_errors (thread->stats) > 0 ||
           ipt_statistics_get_n_events (thread->stats) > 0))
        g_ptr_array_add (threads, thread);
    }
  g_ptr_array_sort (threads, compare_tids);
  return threads;
}

/* Each kept thread's statistics, by tid, after a "[thread: …]" line. */
void
ipt_perf_thread_sink_print_stats (IptPerfThreadSink *self, IptDecoderKind kind, FILE *out)
{
  g_autoptr (GPtrArray) threads = counted_threads (self);

  for (guint i = 0; i < threads->len; i++)
    {
      const Thread *thread = g_ptr_array_index (threads, i);

      if (thread->tid < 0)
        fprintf (out, "[thread: not known]\n");
      else
        fprintf (out, "[thread: pid %" G_GINT64_FORMAT ", tid %" G_GINT64_FORMAT ", comm %s]\n",
                 thread->pid, thread->tid, comm_of (self, thread->tid, G_MAXUINT64));
      ipt_stat_print (thread->stats, kind, out);
    }
}

/* The same as a "threads" member of the object @builder is in: an array
 * of objects, each "pid", "tid" (null when not known), "comm" and the
 * thread's counts. */
void
ipt_perf_thread_sink_add_stats_json (IptPerfThreadSink *self, IptDecoderKind kind,
                                     JsonBuilder *builder)
{
  g_autoptr (GPtrArray) threads = counted_threads (self);

  json_builder_set_member_name (builder, "threads");
  json_builder_begin_array (builder);
  for (guint i = 0; i < threads->len; i++)
    {
      const Thread *thread = g_ptr_array_index (threads, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "pid");
      if (thread->tid < 0)
        json_builder_add_null_value (builder);
      else
        json_builder_add_int_value (builder, thread->pid);
      json_builder_set_member_name (builder, "tid");
      if (thread->tid < 0)
        json_builder_add_null_value (builder);
      else
        json_builder_add_int_value (builder, thread->tid);
      json_builder_set_member_name (builder, "comm");
      if (thread->tid < 0)
        json_builder_add_null_value (builder);
      else
        json_builder_add_string_value (builder, comm_of (self, thread->tid, G_MAXUINT64));
      ipt_stat_json_add_counts (builder, thread->stats, kind);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}
