/* ipt-perf-data-types.c: the boxed types a perf.data reading hands out
 * (IptPerfPtInfo, IptPerfQueue, IptPerfEvent): their copies and frees. */
#include "config.h"

#include <ipt-analyze/ipt-analyze.h>

G_DEFINE_BOXED_TYPE (IptPerfPtInfo, ipt_perf_pt_info, ipt_perf_pt_info_copy, ipt_perf_pt_info_free)
G_DEFINE_BOXED_TYPE (IptPerfQueue, ipt_perf_queue, ipt_perf_queue_copy, ipt_perf_queue_free)
G_DEFINE_BOXED_TYPE (IptPerfEvent, ipt_perf_event, ipt_perf_event_copy, ipt_perf_event_free)

/**
 * ipt_perf_pt_info_copy:
 * @info: an #IptPerfPtInfo
 *
 * Copies @info.
 *
 * Returns: (transfer full): a copy of @info
 *
 * Since: 0.1
 */
IptPerfPtInfo *
ipt_perf_pt_info_copy (const IptPerfPtInfo *info)
{
  IptPerfPtInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);

  copy = g_memdup2 (info, sizeof *info);
  copy->filter = g_strdup (info->filter);
  return copy;
}

/**
 * ipt_perf_pt_info_free:
 * @info: (nullable): an #IptPerfPtInfo
 *
 * Frees @info.
 *
 * Since: 0.1
 */
void
ipt_perf_pt_info_free (IptPerfPtInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->filter);
  g_free (info);
}

/**
 * ipt_perf_queue_copy:
 * @queue: an #IptPerfQueue
 *
 * Copies @queue; the copy shares its data.
 *
 * Returns: (transfer full): a copy of @queue
 *
 * Since: 0.1
 */
IptPerfQueue *
ipt_perf_queue_copy (const IptPerfQueue *queue)
{
  IptPerfQueue *copy;

  g_return_val_if_fail (queue != NULL, NULL);

  copy = g_memdup2 (queue, sizeof *queue);
  if (queue->data != NULL)
    copy->data = g_bytes_ref (queue->data);
  if (queue->gap_offsets != NULL)
    copy->gap_offsets = g_array_ref (queue->gap_offsets);
  if (queue->gap_lost != NULL)
    copy->gap_lost = g_array_ref (queue->gap_lost);
  return copy;
}

/**
 * ipt_perf_queue_free:
 * @queue: (nullable): an #IptPerfQueue
 *
 * Frees @queue.
 *
 * Since: 0.1
 */
void
ipt_perf_queue_free (IptPerfQueue *queue)
{
  if (queue == NULL)
    return;
  g_clear_pointer (&queue->data, g_bytes_unref);
  g_clear_pointer (&queue->gap_offsets, g_array_unref);
  g_clear_pointer (&queue->gap_lost, g_array_unref);
  g_free (queue);
}

/**
 * ipt_perf_event_copy:
 * @event: an #IptPerfEvent
 *
 * Copies @event.
 *
 * Returns: (transfer full): a copy of @event
 *
 * Since: 0.1
 */
IptPerfEvent *
ipt_perf_event_copy (const IptPerfEvent *event)
{
  IptPerfEvent *copy;

  g_return_val_if_fail (event != NULL, NULL);

  copy = g_memdup2 (event, sizeof *event);
  copy->filename = g_strdup (event->filename);
  if (event->build_id != NULL)
    copy->build_id = g_bytes_ref (event->build_id);
  if (event->bytes != NULL)
    copy->bytes = g_bytes_ref (event->bytes);
  return copy;
}

/**
 * ipt_perf_event_free:
 * @event: (nullable): an #IptPerfEvent
 *
 * Frees @event.
 *
 * Since: 0.1
 */
void
ipt_perf_event_free (IptPerfEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->filename);
  g_clear_pointer (&event->build_id, g_bytes_unref);
  g_clear_pointer (&event->bytes, g_bytes_unref);
  g_free (event);
}
