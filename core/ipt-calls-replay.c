/* ipt-calls-replay.c: what the call analysis's writers share: a replay of
 * its log from an empty stack, frame by frame (which frames open and close,
 * at what depth, with their instruction counts), and a buffered writer over
 * a GOutputStream. The replay reads the log only; it never changes the
 * analysis. */
#include "config.h"

#include "ipt-calls-private.h"

#define OUT_FLUSH_SIZE (64 * 1024)

const char *
ipt_calls_open_word (const IptCallsEntry *entry)
{
  if (entry->flags & IPT_CALLS_FLAG_UPWARD)
    return "caller";
  switch ((IptCallsOpen) entry->open)
    {
    case IPT_CALLS_OPEN_ROOT: return "start";
    case IPT_CALLS_OPEN_CALL: return "call";
    case IPT_CALLS_OPEN_TAIL: return "tail";
    case IPT_CALLS_OPEN_ASYNC: return "async";
    default: return "?";
    }
}

const char *
ipt_calls_close_word (IptCallsClose close)
{
  switch (close)
    {
    case IPT_CALLS_CLOSE_RETURN: return "return";
    case IPT_CALLS_CLOSE_UNWIND: return "unwind";
    case IPT_CALLS_CLOSE_TAILED: return "tailed";
    case IPT_CALLS_CLOSE_RESUME: return "resume";
    case IPT_CALLS_CLOSE_GAP: return "gap";
    default: return "?";
    }
}

gboolean
ipt_calls_replay (IptCalls *calls, const IptCallsReplayFuncs *funcs, gpointer user_data,
                  GArray **open_frames, GError **error)
{
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (IptCallsReplayFrame));
  const IptCallsEntry *entries;
  guint n_entries;

  entries = ipt_calls_get_entries (calls, &n_entries);
  for (guint i = 0; i < n_entries; i++)
    {
      const IptCallsEntry *entry = &entries[i];
      IptCallsReplayFrame popped = { 0 };

      g_assert (entry->n_pop <= stack->len);
      for (guint k = 0; k < entry->n_pop; k++)
        {
          IptCallsClose close = k + 1 == entry->n_pop ? entry->close
                                : entry->close == IPT_CALLS_CLOSE_GAP ? IPT_CALLS_CLOSE_GAP
                                : IPT_CALLS_CLOSE_UNWIND;
          guint depth = stack->len - 1;

          popped = g_array_index (stack, IptCallsReplayFrame, depth);
          if (funcs->close != NULL &&
              !funcs->close (user_data, entry, &popped, close, depth, error))
            return FALSE;
          g_array_set_size (stack, depth);
          if (depth > 0)
            g_array_index (stack, IptCallsReplayFrame, depth - 1).child_insns +=
              entry->index - popped.start_index;
        }

      if (entry->node != NULL)
        {
          IptCallsReplayFrame frame = { entry->node, entry->open, entry->index, entry->time, 0 };

          /* The caller of the old root began before it, and holds it. */
          if (entry->flags & IPT_CALLS_FLAG_UPWARD)
            {
              frame.start_index = popped.start_index;
              frame.start_time = popped.start_time;
              frame.child_insns = entry->index - popped.start_index;
            }
          g_array_append_val (stack, frame);
          if (funcs->open != NULL &&
              !funcs->open (user_data, entry, &frame, stack->len - 1, error))
            return FALSE;
        }

      if ((entry->flags & IPT_CALLS_FLAG_UNMATCHED) && funcs->unmatched != NULL &&
          !funcs->unmatched (user_data, entry, stack->len, error))
        return FALSE;
    }

  if (open_frames != NULL)
    *open_frames = g_steal_pointer (&stack);
  return TRUE;
}

/* Appends @text as a JSON string, quoted and escaped. A symbol that is
 * not UTF-8 (names are bytes in ELF) has its bytes from 0x80 up escaped
 * as the code points of the same value, so the JSON stays valid. */
void
ipt_calls_append_json_string (GString *buffer, const char *text)
{
  gboolean utf8 = g_utf8_validate (text, -1, NULL);

  g_string_append_c (buffer, '"');
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        {
          g_string_append_c (buffer, '\\');
          g_string_append_c (buffer, (char) *p);
        }
      else if (*p < 0x20 || *p == 0x7f || (*p >= 0x80 && !utf8))
        g_string_append_printf (buffer, "\\u%04x", *p);
      else
        g_string_append_c (buffer, (char) *p);
    }
  g_string_append_c (buffer, '"');
}

void
ipt_calls_out_init (IptCallsOut *out, GOutputStream *stream)
{
  out->stream = stream;
  out->buffer = g_string_sized_new (OUT_FLUSH_SIZE + 4096);
}

static gboolean
out_flush (IptCallsOut *out, GError **error)
{
  gboolean ok = g_output_stream_write_all (out->stream, out->buffer->str, out->buffer->len,
                                           NULL, NULL, error);

  g_string_truncate (out->buffer, 0);
  return ok;
}

gboolean
ipt_calls_out_maybe_flush (IptCallsOut *out, GError **error)
{
  return out->buffer->len < OUT_FLUSH_SIZE || out_flush (out, error);
}

/* Frees the buffer; when the writing went @ok, writes what is left first. */
gboolean
ipt_calls_out_finish (IptCallsOut *out, gboolean ok, GError **error)
{
  if (ok && out->buffer->len > 0)
    ok = out_flush (out, error);
  g_string_free (out->buffer, TRUE);
  out->buffer = NULL;
  return ok;
}
