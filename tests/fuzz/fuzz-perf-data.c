/* fuzz-perf-data.c: libFuzzer harness for the perf.data reader
 * (core/ipt-perf-data-*.c), through the real library's public API.
 *
 * The input is the file. A refused one must carry an IPT_ERROR whose
 * message names the file and an offset. A read one is checked against the
 * input: every queue's data fits in it (no byte invented), its gaps are
 * sorted and inside its data, the events' strings are valid UTF-8, every
 * boxed value copies and frees. Seeds: tests/fuzz/corpus/perf-data/,
 * written by tests/fuzz/corpus/make-perf-data-seeds.py. */
#include "config.h"

#include <string.h>

#include <ipt-analyze/ipt-analyze.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
check_queues (IptPerfData *perf, gsize size)
{
  GPtrArray *queues = ipt_perf_data_get_queues (perf);
  guint64 total = 0;

  for (guint i = 0; i < queues->len; i++)
    {
      const IptPerfQueue *q = g_ptr_array_index (queues, i);
      gsize len = g_bytes_get_size (q->data);
      g_autoptr (IptPerfQueue) copy = ipt_perf_queue_copy (q);

      g_assert (i == 0 || ((const IptPerfQueue *) g_ptr_array_index (queues, i - 1))->index < q->index);
      g_assert (q->n_records > 0);
      g_assert (q->n_gaps == q->gap_offsets->len);
      for (guint g = 0; g < q->n_gaps; g++)
        {
          guint64 at = g_array_index (q->gap_offsets, guint64, g);

          g_assert (at > 0 && at < len);
          g_assert (g == 0 || g_array_index (q->gap_offsets, guint64, g - 1) < at);
        }
      total += len;
      g_assert (copy->data == q->data);
    }
  /* each AUXTRACE record's data is used once */
  g_assert (total <= size);
}

static void
check_events (IptPerfData *perf, gsize size)
{
  GPtrArray *events = ipt_perf_data_get_events (perf);

  for (guint i = 0; i < events->len; i++)
    {
      const IptPerfEvent *e = g_ptr_array_index (events, i);
      g_autoptr (IptPerfEvent) copy = ipt_perf_event_copy (e);

      g_assert ((guint) e->kind <= IPT_PERF_EVENT_TEXT_POKE);
      g_assert (e->file_offset < size);
      g_assert (i == 0 || ((const IptPerfEvent *) g_ptr_array_index (events, i - 1))->file_offset < e->file_offset);
      g_assert (e->filename == NULL || g_utf8_validate (e->filename, -1, NULL));
      g_assert (e->build_id == NULL || g_bytes_get_size (e->build_id) <= 20);
      g_assert (e->bytes == NULL || g_bytes_get_size (e->bytes) < size);
      g_assert (g_strcmp0 (copy->filename, e->filename) == 0);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (GBytes) bytes = g_bytes_new (data, size);
  g_autoptr (GError) error = NULL;
  g_autoptr (IptPerfData) perf = ipt_perf_data_new_from_bytes (bytes, "fuzz.data", &error);
  const IptPerfPtInfo *info;
  GHashTableIter iter;
  gpointer key, value;

  if (perf == NULL)
    {
      g_assert (error != NULL && error->domain == IPT_ERROR);
      g_assert (g_str_has_prefix (error->message, "fuzz.data: offset 0x"));
      return 0;
    }
  g_assert (error == NULL);
  check_queues (perf, size);
  check_events (perf, size);
  info = ipt_perf_data_get_pt_info (perf);
  if (info != NULL)
    {
      g_autoptr (IptPerfPtInfo) copy = ipt_perf_pt_info_copy (info);

      g_assert (info->filter == NULL || g_utf8_validate (info->filter, -1, NULL));
      g_assert (g_strcmp0 (copy->filter, info->filter) == 0);
    }
  g_assert (ipt_perf_data_get_cpuid (perf) == NULL
            || g_utf8_validate (ipt_perf_data_get_cpuid (perf), -1, NULL));
  g_hash_table_iter_init (&iter, ipt_perf_data_get_build_ids (perf));
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_assert (g_utf8_validate (key, -1, NULL));
      g_assert (g_bytes_get_size (value) <= 20);
      g_assert (ipt_perf_data_lookup_build_id (perf, key) == value);
    }
  ipt_perf_data_get_time_conv (perf, NULL, NULL, NULL);
  ipt_perf_data_get_pt_attr_config (perf, NULL);
  g_free (ipt_perf_data_get_cpu_spec (perf));
  return 0;
}
