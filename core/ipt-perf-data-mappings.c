/* ipt-perf-data-mappings.c: each process's mappings over time, made from a
 * perf.data's sideband (MMAP/MMAP2, COMM exec, FORK, EXIT): perf has no
 * munmap record, so a mapping's end is inferred from what replaces it. */
#include "config.h"

#include <ipt-analyze/ipt-analyze.h>

#include "ipt-perf-data-private.h"

G_DEFINE_BOXED_TYPE (IptPerfMapping, ipt_perf_mapping, ipt_perf_mapping_copy,
                     ipt_perf_mapping_free)

/**
 * ipt_perf_mapping_copy:
 * @mapping: an #IptPerfMapping
 *
 * Copies @mapping.
 *
 * Returns: (transfer full): a copy of @mapping
 *
 * Since: 0.1
 */
IptPerfMapping *
ipt_perf_mapping_copy (const IptPerfMapping *mapping)
{
  IptPerfMapping *copy;

  g_return_val_if_fail (mapping != NULL, NULL);

  copy = g_memdup2 (mapping, sizeof *mapping);
  copy->filename = g_strdup (mapping->filename);
  if (mapping->build_id != NULL)
    copy->build_id = g_bytes_ref (mapping->build_id);
  return copy;
}

/**
 * ipt_perf_mapping_free:
 * @mapping: (nullable): an #IptPerfMapping
 *
 * Frees @mapping.
 *
 * Since: 0.1
 */
void
ipt_perf_mapping_free (IptPerfMapping *mapping)
{
  if (mapping == NULL)
    return;
  g_free (mapping->filename);
  g_clear_pointer (&mapping->build_id, g_bytes_unref);
  g_free (mapping);
}

typedef struct {
  GHashTable *live;     /* pid -> GPtrArray of the IptPerfMapping mapped now */
  GPtrArray *ended;     /* IptPerfMapping, with their valid_to */
} Timeline;

static GPtrArray *
live_of (Timeline *tl, gint64 pid)
{
  GPtrArray *live = g_hash_table_lookup (tl->live, &pid);

  if (live == NULL)
    {
      gint64 *key = g_memdup2 (&pid, sizeof pid);

      live = g_ptr_array_new_with_free_func ((GDestroyNotify) ipt_perf_mapping_free);
      g_hash_table_insert (tl->live, key, live);
    }
  return live;
}

/* A copy of @m narrowed to [@from, @to). */
static IptPerfMapping *
piece (const IptPerfMapping *m, guint64 from, guint64 to)
{
  IptPerfMapping *p = ipt_perf_mapping_copy (m);

  p->offset = m->offset + (from - m->address);
  p->address = from;
  p->length = to - from;
  return p;
}

/* The parts of @pid's mappings inside [@address, @address + @length) stop
 * at @time; the parts outside stay mapped. */
static void
end_range (Timeline *tl, gint64 pid, guint64 address, guint64 length, guint64 time)
{
  GPtrArray *live = live_of (tl, pid);
  guint64 end = address + length;

  for (guint i = 0; i < live->len;)
    {
      IptPerfMapping *m = g_ptr_array_index (live, i);
      guint64 m_end = m->address + m->length;
      IptPerfMapping *gone;

      if (m_end <= address || m->address >= end)
        {
          i++;
          continue;
        }
      gone = piece (m, MAX (m->address, address), MIN (m_end, end));
      gone->valid_to = MAX (time, m->valid_from);
      g_ptr_array_add (tl->ended, gone);
      /* pieces added at the end are past i: checked again, but they no
       * longer overlap */
      if (m->address < address)
        g_ptr_array_add (live, piece (m, m->address, address));
      if (m_end > end)
        g_ptr_array_add (live, piece (m, end, m_end));
      g_ptr_array_remove_index (live, i);
    }
}

static void
end_all (Timeline *tl, gint64 pid, guint64 time)
{
  end_range (tl, pid, 0, G_MAXUINT64, time);
}

static void
add_mapping (Timeline *tl, IptPerfData *perf, const IptPerfEvent *ev, guint64 time)
{
  IptPerfMapping *m = g_new0 (IptPerfMapping, 1);

  m->pid = ev->is_kernel ? -1 : ev->pid;
  m->address = ev->address;
  m->length = MIN (ev->length, G_MAXUINT64 - ev->address);
  m->offset = ev->offset;
  m->prot = ev->prot;
  m->is_kernel = ev->is_kernel;
  m->filename = g_strdup (ev->filename != NULL ? ev->filename : "");
  if (ev->build_id != NULL)
    m->build_id = g_bytes_ref (ev->build_id);
  else if (ev->filename != NULL && ipt_perf_data_lookup_build_id (perf, ev->filename) != NULL)
    m->build_id = g_bytes_ref (ipt_perf_data_lookup_build_id (perf, ev->filename));
  m->valid_from = time;
  m->valid_to = IPT_TIME_END;
  end_range (tl, m->pid, m->address, m->length, time);
  g_ptr_array_add (live_of (tl, m->pid), m);
}

static void
fork_mappings (Timeline *tl, gint64 parent, gint64 child, guint64 time)
{
  GPtrArray *from = live_of (tl, parent);
  GPtrArray *to;

  end_all (tl, child, time);
  to = live_of (tl, child);
  for (guint i = 0; i < from->len; i++)
    {
      IptPerfMapping *m = ipt_perf_mapping_copy (g_ptr_array_index (from, i));

      m->pid = child;
      m->valid_from = time;
      g_ptr_array_add (to, m);
    }
}

static gint
by_time (gconstpointer a, gconstpointer b)
{
  const IptPerfEvent *x = *(const IptPerfEvent *const *) a;
  const IptPerfEvent *y = *(const IptPerfEvent *const *) b;

  return x->time < y->time ? -1 : x->time > y->time;
}

static gint
by_pid_time_address (gconstpointer a, gconstpointer b)
{
  const IptPerfMapping *x = *(const IptPerfMapping *const *) a;
  const IptPerfMapping *y = *(const IptPerfMapping *const *) b;

  if (x->pid != y->pid)
    return x->pid < y->pid ? -1 : 1;
  if (x->valid_from != y->valid_from)
    return x->valid_from < y->valid_from ? -1 : 1;
  if (x->address != y->address)
    return x->address < y->address ? -1 : 1;
  return x->valid_to < y->valid_to ? -1 : x->valid_to > y->valid_to;
}

/**
 * ipt_perf_data_list_mappings:
 * @self: an #IptPerfData
 * @pid: a process, or -1 for every process's and the kernel's mappings
 *
 * The mappings the sideband describes, each with the interval of time
 * it was mapped. perf records no munmap, so a mapping's end is inferred:
 *
 * - a later MMAP/MMAP2 of the same process that overlaps it ends the
 *   overlapped part only (the mapping is split: the parts outside stay);
 * - the process's exec (a COMM with is_exec) and its EXIT (of its main
 *   thread, tid = pid) end all of its mappings;
 * - a FORKed child (a new process, pid ≠ ppid) inherits the mappings its
 *   parent had at the fork's time, valid from then on.
 *
 * Kernel mappings (pid -1) end only when a later kernel mapping overlaps
 * them. In a timed recording (ipt_perf_data_has_time()) the events are
 * taken in time order. In an untimed one their file order stands in for
 * time: the same rules apply in that order, except that EXIT ends
 * nothing (the trace cannot be placed before it), and every time is 0,
 * so a mapping that ended has the empty interval [0, 0) and one still
 * mapped at the end [0, %IPT_TIME_END); which of two mappings of one
 * address ran when is then not known.
 *
 * Returns: (transfer container) (element-type IptPerfMapping): the
 *   mappings of @pid (all for -1), by pid, then time, then address
 *
 * Since: 0.1
 */
GPtrArray *
ipt_perf_data_list_mappings (IptPerfData *self, gint64 pid)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GHashTable) live = NULL;
  GPtrArray *result;
  Timeline tl;
  gboolean timed;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (IPT_IS_PERF_DATA (self), NULL);

  timed = ipt_perf_data_has_time (self);
  /* not g_ptr_array_copy(): the copy would free the events */
  events = g_ptr_array_new ();
  g_ptr_array_extend (events, ipt_perf_data_get_events (self), NULL, NULL);
  if (timed)
    g_ptr_array_sort (events, by_time);   /* stable: file order within one time */
  live = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                (GDestroyNotify) g_ptr_array_unref);
  tl.live = live;
  tl.ended = g_ptr_array_new_with_free_func ((GDestroyNotify) ipt_perf_mapping_free);

  for (guint i = 0; i < events->len; i++)
    {
      const IptPerfEvent *ev = g_ptr_array_index (events, i);
      guint64 time = timed ? ev->time : 0;

      switch (ev->kind)
        {
        case IPT_PERF_EVENT_MMAP:
          if (ev->length > 0)
            add_mapping (&tl, self, ev, time);
          break;
        case IPT_PERF_EVENT_COMM:
          if (ev->is_exec)
            end_all (&tl, ev->pid, time);
          break;
        case IPT_PERF_EVENT_EXIT:
          /* untimed, an exit would leave nothing valid: the trace that
           * ran before it has no time to be placed against it */
          if (ev->pid == ev->tid && timed)
            end_all (&tl, ev->pid, time);
          break;
        case IPT_PERF_EVENT_FORK:
          if (ev->pid != ev->ppid)
            fork_mappings (&tl, ev->ppid, ev->pid, time);
          break;
        default:
          break;
        }
    }

  result = g_ptr_array_new_with_free_func ((GDestroyNotify) ipt_perf_mapping_free);
  g_hash_table_iter_init (&iter, live);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GPtrArray *still = value;

      while (still->len > 0)
        g_ptr_array_add (tl.ended, g_ptr_array_steal_index_fast (still, still->len - 1));
    }
  for (guint i = 0; i < tl.ended->len; i++)
    {
      IptPerfMapping *m = g_ptr_array_index (tl.ended, i);

      if (pid == -1 || m->pid == pid)
        g_ptr_array_add (result, g_steal_pointer (&tl.ended->pdata[i]));
    }
  g_ptr_array_unref (tl.ended);
  g_ptr_array_sort (result, by_pid_time_address);
  return result;
}

static gint
compare_pids (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/**
 * ipt_perf_data_list_processes:
 * @self: an #IptPerfData
 *
 * The processes the recording names: in COMM, FORK (child and parent) and
 * user-space MMAP/MMAP2 records, and as the process of a queue.
 *
 * Returns: (transfer full) (element-type gint64): their pids, ascending,
 *   each once
 *
 * Since: 0.1
 */
GArray *
ipt_perf_data_list_processes (IptPerfData *self)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  GPtrArray *events, *queues;
  GHashTableIter iter;
  gpointer key;
  GArray *pids;

  g_return_val_if_fail (IPT_IS_PERF_DATA (self), NULL);

#define SEE(p) G_STMT_START { gint64 p_ = (p); if (p_ >= 0) \
    g_hash_table_add (seen, g_memdup2 (&p_, sizeof p_)); } G_STMT_END
  events = ipt_perf_data_get_events (self);
  for (guint i = 0; i < events->len; i++)
    {
      const IptPerfEvent *ev = g_ptr_array_index (events, i);

      if (ev->kind == IPT_PERF_EVENT_COMM || (ev->kind == IPT_PERF_EVENT_MMAP && !ev->is_kernel))
        SEE (ev->pid);
      else if (ev->kind == IPT_PERF_EVENT_FORK)
        {
          SEE (ev->pid);
          SEE (ev->ppid);
        }
    }
  queues = ipt_perf_data_get_queues (self);
  for (guint i = 0; queues != NULL && i < queues->len; i++)
    SEE (((const IptPerfQueue *) g_ptr_array_index (queues, i))->pid);
#undef SEE

  pids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), g_hash_table_size (seen));
  g_hash_table_iter_init (&iter, seen);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_array_append_val (pids, *(gint64 *) key);
  g_array_sort (pids, compare_pids);
  return pids;
}
