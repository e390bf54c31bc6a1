/* ipt-calls-listing.c: the indented call/return listing of the call
 * analysis (like `perf script --itrace=cr` with callindent): one line per
 * frame that opens and per frame that closes, indented by its depth, with
 * the instruction index and symbol+offset of where it happened. Streams
 * through a buffer; never builds the text in memory. */
#include "config.h"

#include "ipt-calls-private.h"

#define SITE_SIZE 256

typedef struct {
  IptCalls *calls;
  IptCallsOut out;
} Listing;

static void
line_start (Listing *listing, guint64 index, guint depth, const char *word)
{
  g_string_append_printf (listing->out.buffer, "%12" G_GUINT64_FORMAT "  %*s%-7s",
                          index, (int) depth * 2, "", word);
}

static void
append_site (Listing *listing, const char *label, guint64 address)
{
  char site[SITE_SIZE];

  ipt_calls_format_site (listing->calls, address, site, sizeof site);
  g_string_append_printf (listing->out.buffer, "  %s %s", label, site);
}

static gboolean
listing_close (gpointer user_data, const IptCallsEntry *entry, const IptCallsReplayFrame *frame,
               IptCallsClose close, guint depth, GError **error)
{
  Listing *listing = user_data;
  guint64 total = entry->index - frame->start_index;

  line_start (listing, entry->index, depth, ipt_calls_close_word (close));
  g_string_append (listing->out.buffer, frame->node->symbol);
  if (close == IPT_CALLS_CLOSE_RETURN)
    append_site (listing, "to", entry->to);
  g_string_append_printf (listing->out.buffer, "  insns %" G_GUINT64_FORMAT " self %"
                          G_GUINT64_FORMAT "\n", total, total - frame->child_insns);
  return ipt_calls_out_maybe_flush (&listing->out, error);
}

static gboolean
listing_open (gpointer user_data, const IptCallsEntry *entry, const IptCallsReplayFrame *frame,
              guint depth, GError **error)
{
  Listing *listing = user_data;

  line_start (listing, entry->index, depth, ipt_calls_open_word (entry));
  g_string_append (listing->out.buffer, frame->node->symbol);
  switch (entry->type)
    {
    case IPT_CALLS_T_CALL:
    case IPT_CALLS_T_JUMP:
      append_site (listing, "from", entry->from);
      break;
    case IPT_CALLS_T_RET:
      append_site (listing, "at", entry->to);
      break;
    case IPT_CALLS_T_LAND:
      if (entry->open == IPT_CALLS_OPEN_ASYNC)
        append_site (listing, "interrupting", entry->from);
      break;
    default:
      break;
    }
  g_string_append_c (listing->out.buffer, '\n');
  return ipt_calls_out_maybe_flush (&listing->out, error);
}

static gboolean
listing_unmatched (gpointer user_data, const IptCallsEntry *entry, guint depth, GError **error)
{
  Listing *listing = user_data;

  line_start (listing, entry->index, depth, "return");
  g_string_append (listing->out.buffer, "[unmatched]");
  append_site (listing, "from", entry->from);
  append_site (listing, "to", entry->to);
  g_string_append_c (listing->out.buffer, '\n');
  return ipt_calls_out_maybe_flush (&listing->out, error);
}

/**
 * ipt_calls_write_listing:
 * @self: an #IptCalls
 * @stream: where the listing goes
 * @error: return location for a #GError
 *
 * Writes the calls and returns as an indented listing (docs/calls.md):
 * one line per frame that opens (`start`, `call`, `tail`, `async`,
 * `caller`) and per frame that closes (`return`, `unwind`, `tailed`,
 * `resume`, `gap`), each with the instruction index where it happened,
 * indented two spaces per depth; a closing line gives the frame's
 * instructions, in total and in the function itself. Frames still open
 * at the end of the trace get no closing line.
 *
 * Returns: %TRUE on success, %FALSE with @error set when @stream failed
 *
 * Since: 0.1
 */
gboolean
ipt_calls_write_listing (IptCalls *self, GOutputStream *stream, GError **error)
{
  static const IptCallsReplayFuncs funcs = { listing_close, listing_open, listing_unmatched };
  Listing listing = { self };
  gboolean ok;

  g_return_val_if_fail (IPT_IS_CALLS (self), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ipt_calls_out_init (&listing.out, stream);
  ok = ipt_calls_replay (self, &funcs, &listing, NULL, error);
  return ipt_calls_out_finish (&listing.out, ok, error);
}
