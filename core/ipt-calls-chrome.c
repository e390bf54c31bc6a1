/* ipt-calls-chrome.c: the calls as a Chrome Trace Event file (the JSON
 * Perfetto's UI, chrome://tracing and speedscope open): a "B" event where
 * a frame opens, an "E" event where it closes, on one thread; frames still
 * open at the end close there. Timestamps are microseconds of trace time
 * when the trace is timed, else the instruction index. Streamed: never a
 * JSON tree in memory. */
#include "config.h"

#include "ipt-calls-private.h"

typedef struct {
  IptCalls *calls;
  IptCallsOut out;
  gboolean timed;
  guint64 time;             /* the last known time (timed traces) */
  gboolean first;
} Chrome;

static void
append_ts (Chrome *chrome, const IptCallsEntry *entry, guint64 index)
{
  if (!chrome->timed)
    {
      g_string_append_printf (chrome->out.buffer, "%" G_GUINT64_FORMAT, index);
      return;
    }
  if (entry != NULL && entry->time != IPT_CALLS_NO_TIME)
    chrome->time = entry->time;
  g_string_append_printf (chrome->out.buffer, "%" G_GUINT64_FORMAT ".%03u",
                          chrome->time / 1000, (guint) (chrome->time % 1000));
}

static void
event_start (Chrome *chrome, const char *phase, const char *name)
{
  g_string_append (chrome->out.buffer, chrome->first ? "\n" : ",\n");
  chrome->first = FALSE;
  g_string_append (chrome->out.buffer, "{\"name\":");
  ipt_calls_append_json_string (chrome->out.buffer, name);
  g_string_append_printf (chrome->out.buffer, ",\"ph\":\"%s\",\"pid\":1,\"tid\":1,\"ts\":", phase);
}

static gboolean
chrome_close (gpointer user_data, const IptCallsEntry *entry, const IptCallsReplayFrame *frame,
              IptCallsClose close, guint depth, GError **error)
{
  Chrome *chrome = user_data;
  guint64 total = entry != NULL ? entry->index - frame->start_index : 0;

  event_start (chrome, "E", frame->node->symbol);
  append_ts (chrome, entry, entry != NULL ? entry->index : ipt_calls_get_n_insns (chrome->calls));
  if (entry != NULL)
    g_string_append_printf (chrome->out.buffer,
                            ",\"args\":{\"end\":\"%s\",\"insns\":%" G_GUINT64_FORMAT
                            ",\"self\":%" G_GUINT64_FORMAT "}}",
                            ipt_calls_close_word (close), total, total - frame->child_insns);
  else
    g_string_append (chrome->out.buffer, ",\"args\":{\"end\":\"end of trace\"}}");
  return ipt_calls_out_maybe_flush (&chrome->out, error);
}

static gboolean
chrome_open (gpointer user_data, const IptCallsEntry *entry, const IptCallsReplayFrame *frame,
             guint depth, GError **error)
{
  Chrome *chrome = user_data;
  char site[256];

  event_start (chrome, "B", frame->node->symbol);
  append_ts (chrome, entry, entry->index);
  ipt_calls_format_site (chrome->calls, entry->from, site, sizeof site);
  g_string_append_printf (chrome->out.buffer, ",\"args\":{\"kind\":\"%s\"",
                          ipt_calls_open_word (entry));
  if (entry->type == IPT_CALLS_T_CALL || entry->type == IPT_CALLS_T_JUMP)
    {
      g_string_append (chrome->out.buffer, ",\"from\":");
      ipt_calls_append_json_string (chrome->out.buffer, site);
    }
  g_string_append_printf (chrome->out.buffer, ",\"index\":%" G_GUINT64_FORMAT "}}", entry->index);
  return ipt_calls_out_maybe_flush (&chrome->out, error);
}

/**
 * ipt_calls_write_chrome_trace:
 * @self: an #IptCalls
 * @stream: where the JSON goes
 * @error: return location for a #GError
 *
 * Writes the calls in the Trace Event format (a JSON object with
 * `traceEvents`): a "B" (begin) event for each frame that opens and an
 * "E" (end) event for each that closes, all on pid 1, tid 1, so that they
 * nest; the frames still open at the end of the trace end there. `ts` is
 * in microseconds of trace time when the trace is timed, else the
 * instruction index (then read "µs" as instructions). `args` say how a
 * frame began and ended, with its instruction counts. Perfetto's UI,
 * chrome://tracing and speedscope open it.
 *
 * Returns: %TRUE on success, %FALSE with @error set when @stream failed
 *
 * Since: 0.1
 */
gboolean
ipt_calls_write_chrome_trace (IptCalls *self, GOutputStream *stream, GError **error)
{
  static const IptCallsReplayFuncs funcs = { chrome_close, chrome_open, NULL };
  Chrome chrome = { self };
  g_autoptr(GArray) open_frames = NULL;
  const IptCallsEntry *entries;
  guint n_entries;
  gboolean ok;

  g_return_val_if_fail (IPT_IS_CALLS (self), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Before the trace's first time: that time. */
  chrome.timed = ipt_calls_is_timed (self);
  chrome.first = TRUE;
  entries = ipt_calls_get_entries (self, &n_entries);
  for (guint i = 0; i < n_entries; i++)
    if (entries[i].time != IPT_CALLS_NO_TIME)
      {
        chrome.time = entries[i].time;
        break;
      }

  ipt_calls_out_init (&chrome.out, stream);
  g_string_append (chrome.out.buffer, "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"clock\":");
  g_string_append (chrome.out.buffer, chrome.timed ? "\"trace time\"" : "\"instructions\"");
  g_string_append (chrome.out.buffer, "},\"traceEvents\":[");
  ok = ipt_calls_replay (self, &funcs, &chrome, &open_frames, error);
  for (guint i = open_frames != NULL ? open_frames->len : 0; ok && i-- > 0;)
    ok = chrome_close (&chrome, NULL, &g_array_index (open_frames, IptCallsReplayFrame, i),
                       IPT_CALLS_CLOSE_RETURN, i, error);
  if (ok)
    g_string_append (chrome.out.buffer, "\n]}\n");
  return ipt_calls_out_finish (&chrome.out, ok, error);
}
