/* ipt-analyze-perf.c: what --perf adds to a decode (see ipt-analyze-perf.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "ipt-analyze-perf.h"

#include <stdio.h>

#include "ipt-tool-log.h"


gboolean
ipt_analyze_perf_configure (IptDecoder *decoder, IptPerfData *perf, gboolean keep_tsc_conversion,
                            gboolean keep_cpu, GError **error)
{
  const IptPerfPtInfo *info = ipt_perf_data_get_pt_info (perf);
  g_autofree char *spec = NULL;

  if (info != NULL && !keep_tsc_conversion && info->cap_user_time_zero)
    ipt_decoder_set_tsc_conversion (decoder, info->time_zero, (guint32) info->time_mult,
                                    (guint) info->time_shift);
  if (!keep_cpu && (spec = ipt_perf_data_get_cpu_spec (perf)) != NULL &&
      !ipt_decoder_set_cpu (decoder, spec, error))
    return FALSE;
  return TRUE;
}

gboolean
ipt_analyze_perf_wants_queue (IptPerfData *perf, const IptPerfQueue *queue, GArray *on_cpus,
                              IptPerfThreadSink *threads)
{
  gint64 pid, tid;
  gboolean listed = FALSE;

  if (on_cpus != NULL)
    {
      for (guint i = 0; i < on_cpus->len && !listed; i++)
        listed = queue->cpu >= 0 && g_array_index (on_cpus, gint64, i) == queue->cpu;
      if (!listed)
        return FALSE;
    }
  /* a per-CPU queue may hold any thread: decoded, and filtered then */
  if (queue->cpu >= 0 || !ipt_perf_data_lookup_thread (perf, -1, queue->tid, 0, &pid, &tid, NULL))
    return TRUE;
  return ipt_perf_thread_sink_wants_thread (threads, pid, tid);
}

gboolean
ipt_analyze_perf_decode_queue (IptDecoder *decoder, const IptPerfQueue *queue, IptSink *sink,
                               gboolean quiet, GError **error)
{
  gsize size = g_bytes_get_size (queue->data);
  guint64 from = 0;

  for (guint g = 0; g <= queue->n_gaps; g++)
    {
      guint64 to = g < queue->n_gaps ? g_array_index (queue->gap_offsets, guint64, g) : size;
      g_autoptr (GBytes) piece = NULL;

      /* the listing flushed at the end of the last piece's decode */
      if (g > 0 && !quiet)
        {
          guint64 lost = queue->gap_lost != NULL ? g_array_index (queue->gap_lost, guint64, g - 1)
                                                 : 0;

          if (lost > 0)
            printf ("[gap: %" G_GUINT64_FORMAT " bytes lost at offset 0x%" G_GINT64_MODIFIER
                    "x of the queue]\n", lost, from);
          else
            printf ("[gap: data lost at offset 0x%" G_GINT64_MODIFIER "x of the queue]\n", from);
        }
      if (to > from)
        {
          piece = g_bytes_new_from_bytes (queue->data, from, to - from);
          if (!ipt_decoder_decode_bytes (decoder, piece, sink, NULL, error))
            return FALSE;
        }
      from = to;
    }
  return TRUE;
}

/* "0, 3" / "3174/3174 (echo), 1760/1760": what a filter could have named */
static char *
describe_cpus (IptPerfData *perf)
{
  GPtrArray *queues = ipt_perf_data_get_queues (perf);
  g_autoptr (GString) text = g_string_new (NULL);

  for (guint i = 0; i < queues->len; i++)
    {
      const IptPerfQueue *queue = g_ptr_array_index (queues, i);

      if (queue->cpu >= 0)
        g_string_append_printf (text, "%s%d", text->len > 0 ? ", " : "", queue->cpu);
    }
  if (text->len == 0)
    return g_strdup ("none: its queues are per thread");
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
describe_threads (IptPerfData *perf)
{
  g_autoptr (GPtrArray) threads = ipt_perf_data_list_threads (perf);
  g_autoptr (GString) text = g_string_new (NULL);
  const guint most = 20;

  for (guint i = 0; i < threads->len && i < most; i++)
    {
      const IptPerfThread *t = g_ptr_array_index (threads, i);

      g_string_append_printf (text, "%s%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT, i > 0 ? ", " : "",
                              t->pid, t->tid);
      if (t->comm != NULL)
        g_string_append_printf (text, " (%s)", t->comm);
    }
  if (threads->len > most)
    g_string_append_printf (text, " and %u more", threads->len - most);
  if (text->len == 0)
    return g_strdup ("none");
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
join_numbers (GArray *list)
{
  g_autoptr (GString) text = g_string_new (NULL);

  for (guint i = 0; i < list->len; i++)
    g_string_append_printf (text, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
                            g_array_index (list, gint64, i));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

void
ipt_analyze_perf_check_filters (IptPerfData *perf, GArray *pids, GArray *tids, GArray *on_cpus,
                                guint n_decoded, IptPerfThreadSink *threads)
{
  const char *name = ipt_perf_data_get_name (perf);

  if (on_cpus != NULL && n_decoded == 0)
    {
      g_autofree char *asked = join_numbers (on_cpus);
      g_autofree char *cpus = describe_cpus (perf);

      ipt_tool_warning ("%s: --on-cpu %s: no queue of these CPUs; the recording's CPUs: %s",
                        name, asked, cpus);
      return;
    }
  if ((pids != NULL || tids != NULL) && ipt_perf_thread_sink_get_n_kept (threads) == 0)
    {
      g_autofree char *asked_pids = pids != NULL ? join_numbers (pids) : NULL;
      g_autofree char *asked_tids = tids != NULL ? join_numbers (tids) : NULL;
      g_autofree char *known = describe_threads (perf);

      ipt_tool_warning ("%s:%s%s%s%s: nothing these threads ran was decoded; the recording's "
                        "threads (pid/tid): %s", name,
                        pids != NULL ? " --pid " : "", pids != NULL ? asked_pids : "",
                        tids != NULL ? " --tid " : "", tids != NULL ? asked_tids : "", known);
    }
}
