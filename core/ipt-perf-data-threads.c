/* ipt-perf-data-threads.c: which thread ran when in a perf.data, from its
 * sideband: the threads it names (IptPerfThread), who ran on each CPU
 * (per-CPU timelines from ITRACE_START and SWITCH/SWITCH_CPU_WIDE), and
 * each thread's command name over time (COMM, exec, FORK). The index is
 * built once, at the first question, so that a decoder asking per
 * instruction only pays a binary search. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-perf-data-private.h"

G_DEFINE_BOXED_TYPE (IptPerfThread, ipt_perf_thread, ipt_perf_thread_copy, ipt_perf_thread_free)

/* Slice and CommAt start with their time: one sort and one search serve both. */

/* From @time on, @pid/@tid ran on the CPU (-1/-1: not known). */
typedef struct {
  guint64 time;
  gint64 pid;
  gint64 tid;
} Slice;

typedef struct {
  guint64 time;
  const char *comm;         /* the event's */
} CommAt;

typedef struct {
  gint64 parent;            /* the FORK's parent thread, -1 when none */
  guint64 fork_time;
  GArray *comms;            /* CommAt, by time */
} ThreadInfo;

struct _IptPerfThreadIndex {
  GPtrArray *timelines;     /* by CPU: GArray of Slice by time, or NULL */
  GHashTable *infos;        /* tid -> ThreadInfo */
  GPtrArray *threads;       /* IptPerfThread, by tid */
};

/**
 * ipt_perf_thread_copy:
 * @thread: an #IptPerfThread
 *
 * Copies @thread.
 *
 * Returns: (transfer full): a copy of @thread
 *
 * Since: 0.1
 */
IptPerfThread *
ipt_perf_thread_copy (const IptPerfThread *thread)
{
  IptPerfThread *copy;

  g_return_val_if_fail (thread != NULL, NULL);

  copy = g_memdup2 (thread, sizeof *thread);
  copy->comm = g_strdup (thread->comm);
  return copy;
}

/**
 * ipt_perf_thread_free:
 * @thread: (nullable): an #IptPerfThread
 *
 * Frees @thread.
 *
 * Since: 0.1
 */
void
ipt_perf_thread_free (IptPerfThread *thread)
{
  if (thread == NULL)
    return;
  g_free (thread->comm);
  g_free (thread);
}

static void
thread_info_free (gpointer data)
{
  ThreadInfo *info = data;

  g_array_unref (info->comms);
  g_free (info);
}

void
ipt_perf_thread_index_free (IptPerfThreadIndex *index)
{
  if (index == NULL)
    return;
  g_ptr_array_unref (index->timelines);
  g_hash_table_unref (index->infos);
  g_ptr_array_unref (index->threads);
  g_free (index);
}

static ThreadInfo *
info_for (IptPerfThreadIndex *index, gint64 tid)
{
  ThreadInfo *info = g_hash_table_lookup (index->infos, &tid);

  if (info == NULL)
    {
      gint64 *key = g_memdup2 (&tid, sizeof tid);

      info = g_new0 (ThreadInfo, 1);
      info->parent = -1;
      info->comms = g_array_new (FALSE, FALSE, sizeof (CommAt));
      g_hash_table_insert (index->infos, key, info);
    }
  return info;
}

static void
add_slice (IptPerfThreadIndex *index, gint cpu, guint64 time, gint64 pid, gint64 tid)
{
  Slice slice = { time, pid, tid };

  if (cpu < 0)
    return;
  if ((guint) cpu >= index->timelines->len)
    g_ptr_array_set_size (index->timelines, cpu + 1);
  if (index->timelines->pdata[cpu] == NULL)
    index->timelines->pdata[cpu] = g_array_new (FALSE, FALSE, sizeof (Slice));
  g_array_append_val ((GArray *) index->timelines->pdata[cpu], slice);
}

/* One thread seen at @time: listed, with its pid when known. */
static void
see_thread (GHashTable *seen, gint64 pid, gint64 tid, guint64 time)
{
  IptPerfThread *thread;

  if (tid < 0)
    return;
  thread = g_hash_table_lookup (seen, &tid);
  if (thread == NULL)
    {
      thread = g_new0 (IptPerfThread, 1);
      thread->pid = -1;
      thread->tid = tid;
      thread->first_time = G_MAXUINT64;
      g_hash_table_insert (seen, &thread->tid, thread);
    }
  if (pid >= 0)
    thread->pid = pid;
  thread->first_time = MIN (thread->first_time, time);
  thread->last_time = MAX (thread->last_time, time);
}

static gint
compare_times (gconstpointer a, gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

/* How many elements of @array (sorted by their leading time) are at or
 * before @time: the one that holds then is the last of them. */
static guint
n_at_or_before (GArray *array, guint64 time)
{
  guint size = g_array_get_element_size (array);
  guint lo = 0, hi = array->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (*(const guint64 *) (array->data + (gsize) mid * size) <= time)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static gint
compare_threads (gconstpointer a, gconstpointer b)
{
  const IptPerfThread *x = *(IptPerfThread * const *) a, *y = *(IptPerfThread * const *) b;

  return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static IptPerfThreadIndex *
build_index (IptPerfContents *contents)
{
  IptPerfThreadIndex *index = g_new0 (IptPerfThreadIndex, 1);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  GHashTableIter iter;
  gpointer value;

  index->timelines = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  index->infos = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, thread_info_free);
  index->threads = g_ptr_array_new_with_free_func ((GDestroyNotify) ipt_perf_thread_free);

  for (guint i = 0; i < contents->events->len; i++)
    {
      const IptPerfEvent *e = g_ptr_array_index (contents->events, i);

      switch (e->kind)
        {
        case IPT_PERF_EVENT_COMM:
          {
            CommAt at = { e->time, e->filename };

            see_thread (seen, e->pid, e->tid, e->time);
            if (e->tid >= 0 && e->filename != NULL)
              g_array_append_val (info_for (index, e->tid)->comms, at);
          }
          break;
        case IPT_PERF_EVENT_FORK:
          see_thread (seen, e->pid, e->tid, e->time);
          see_thread (seen, e->ppid, e->ptid, e->time);
          if (e->tid >= 0 && e->ptid >= 0 && e->tid != e->ptid)
            {
              ThreadInfo *info = info_for (index, e->tid);

              info->parent = e->ptid;
              info->fork_time = e->time;
            }
          break;
        case IPT_PERF_EVENT_EXIT:
          see_thread (seen, e->pid, e->tid, e->time);
          break;
        case IPT_PERF_EVENT_ITRACE_START:
          see_thread (seen, e->pid, e->tid, e->time);
          add_slice (index, e->cpu, e->time, e->pid, e->tid);
          break;
        case IPT_PERF_EVENT_SWITCH:
          see_thread (seen, e->pid, e->tid, e->time);
          see_thread (seen, e->ppid, e->ptid, e->time);
          /* in: the thread itself from now on; out: the next thread
           * (CPU-wide switches say which; a plain SWITCH does not) */
          if (e->is_out)
            add_slice (index, e->cpu, e->time, e->ppid, e->ptid);
          else
            add_slice (index, e->cpu, e->time, e->pid, e->tid);
          break;
        default:
          break;
        }
    }
  for (guint i = 0; i < contents->queues->len; i++)
    {
      const IptPerfQueue *q = g_ptr_array_index (contents->queues, i);

      if (q->tid >= 0)
        {
          IptPerfThread *thread = g_hash_table_lookup (seen, &q->tid);

          if (thread == NULL)
            see_thread (seen, q->pid, q->tid, 0);
          else if (thread->pid < 0)
            thread->pid = q->pid;
        }
    }

  /* stable sorts: of events at the same time, the later in the file wins */
  for (guint cpu = 0; cpu < index->timelines->len; cpu++)
    if (index->timelines->pdata[cpu] != NULL)
      g_array_sort (index->timelines->pdata[cpu], compare_times);
  g_hash_table_iter_init (&iter, index->infos);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_array_sort (((ThreadInfo *) value)->comms, compare_times);

  g_hash_table_iter_init (&iter, seen);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      IptPerfThread *thread = value;
      ThreadInfo *info = g_hash_table_lookup (index->infos, &thread->tid);

      if (info != NULL && info->comms->len > 0)
        thread->comm = g_strdup (g_array_index (info->comms, CommAt, info->comms->len - 1).comm);
      g_ptr_array_add (index->threads, thread);
    }
  g_ptr_array_sort (index->threads, compare_threads);
  return index;
}

static IptPerfThreadIndex *
get_index (IptPerfData *self)
{
  IptPerfContents *contents = ipt_perf_data_get_contents (self);

  if (g_once_init_enter (&contents->threads))
    g_once_init_leave (&contents->threads, build_index (contents));
  return contents->threads;
}

/**
 * ipt_perf_data_list_threads:
 * @self: an #IptPerfData
 *
 * Every thread the recording names: in COMM, FORK (child and parent),
 * EXIT, ITRACE_START and SWITCH events (for CPU-wide switches, the other
 * thread too), and the threads of per-thread queues. The idle task of
 * CPU-wide switches is pid/tid 0.
 *
 * Returns: (transfer container) (element-type IptPerfThread): the
 *   threads, by tid
 *
 * Since: 0.1
 */
GPtrArray *
ipt_perf_data_list_threads (IptPerfData *self)
{
  GPtrArray *threads;

  g_return_val_if_fail (IPT_IS_PERF_DATA (self), NULL);

  /* the copy would free the elements, which stay ours */
  threads = g_ptr_array_copy (get_index (self)->threads, NULL, NULL);
  g_ptr_array_set_free_func (threads, NULL);
  return threads;
}

static gint64
pid_of (IptPerfThreadIndex *index, gint64 tid)
{
  for (guint lo = 0, hi = index->threads->len; lo < hi;)
    {
      guint mid = lo + (hi - lo) / 2;
      const IptPerfThread *thread = g_ptr_array_index (index->threads, mid);

      if (thread->tid == tid)
        return thread->pid;
      if (thread->tid < tid)
        lo = mid + 1;
      else
        hi = mid;
    }
  return -1;
}

/**
 * ipt_perf_data_lookup_thread:
 * @self: an #IptPerfData
 * @cpu: the CPU of a per-CPU queue, or -1 for a per-thread queue
 * @queue_tid: the thread of a per-thread queue (ignored for a per-CPU one)
 * @time: the time, in perf's clock (ns), e.g. ipt_decoder_get_time()'s
 *   with the recording's TSC conversion
 * @pid: (out) (optional): the process that ran
 * @tid: (out) (optional): the thread that ran
 * @until: (out) (optional): the time from which the answer may differ
 *   (the next switch on @cpu), %G_MAXUINT64 when it holds to the end: a
 *   caller may keep the answer until then
 *
 * Who ran at @time on @cpu: for a per-CPU queue, the thread that the
 * latest ITRACE_START or context switch on @cpu at or before @time names
 * (a switch in names itself, a CPU-wide switch out the next thread);
 * for a per-thread queue, @queue_tid. Lookups do not allocate (the
 * timelines are built at the first call) and are safe from several
 * threads.
 *
 * Returns: %FALSE when it is not known (before the CPU's first event, after
 *   a switch out that does not say to whom, no such CPU); @until is set
 *   then too
 *
 * Since: 0.1
 */
gboolean
ipt_perf_data_lookup_thread (IptPerfData *self, gint cpu, gint64 queue_tid, guint64 time,
                             gint64 *pid, gint64 *tid, guint64 *until)
{
  IptPerfThreadIndex *index;
  GArray *slices;
  const Slice *at;
  guint lo;

  g_return_val_if_fail (IPT_IS_PERF_DATA (self), FALSE);

  index = get_index (self);
  if (until != NULL)
    *until = G_MAXUINT64;
  if (pid != NULL)
    *pid = -1;
  if (tid != NULL)
    *tid = -1;
  if (cpu < 0)
    {
      if (queue_tid < 0)
        return FALSE;
      if (pid != NULL)
        *pid = pid_of (index, queue_tid);
      if (tid != NULL)
        *tid = queue_tid;
      return TRUE;
    }
  if ((guint) cpu >= index->timelines->len || (slices = index->timelines->pdata[cpu]) == NULL)
    return FALSE;

  /* lo: the first slice after @time */
  lo = n_at_or_before (slices, time);
  if (until != NULL && lo < slices->len)
    *until = g_array_index (slices, Slice, lo).time;
  if (lo == 0)
    return FALSE;
  at = &g_array_index (slices, Slice, lo - 1);
  if (at->tid < 0)
    return FALSE;
  if (pid != NULL)
    *pid = at->pid;
  if (tid != NULL)
    *tid = at->tid;
  return TRUE;
}

/* The latest name of @tid at or before @time; before its first COMM, its
 * parent's at the fork (a forked child runs under its parent's name until
 * it execs). */
static const char *
comm_at (IptPerfThreadIndex *index, gint64 tid, guint64 time, guint depth)
{
  ThreadInfo *info = g_hash_table_lookup (index->infos, &tid);
  guint lo;

  if (info == NULL)
    return NULL;
  lo = n_at_or_before (info->comms, time);
  if (lo > 0)
    return g_array_index (info->comms, CommAt, lo - 1).comm;
  if (info->parent >= 0 && depth < 16)
    return comm_at (index, info->parent, info->fork_time, depth + 1);
  return NULL;
}

/**
 * ipt_perf_data_get_comm:
 * @self: an #IptPerfData
 * @tid: a thread
 * @time: the time, in perf's clock (ns)
 *
 * The command name of @tid at @time: the latest COMM at or before @time
 * (an exec changes it), or before its first COMM the name its parent had
 * when it forked it.
 *
 * Returns: (nullable): the name, valid as long as @self, or %NULL when
 *   the recording does not say
 *
 * Since: 0.1
 */
const char *
ipt_perf_data_get_comm (IptPerfData *self, gint64 tid, guint64 time)
{
  g_return_val_if_fail (IPT_IS_PERF_DATA (self), NULL);

  return comm_at (get_index (self), tid, time, 0);
}
