/* ipt-calls-json.c: the call tree as JSON (format "ipt-analyze-calls",
 * docs/json.md): the totals, then each node with its function, counts,
 * instructions, time and children, in tree order. Streamed through a
 * buffer: never a JSON tree in memory; the recursion follows the tree's
 * depth, as the folded writer's does. */
#include "config.h"

#include "ipt-calls-private.h"

static void
put_count (GString *buffer, const char *name, guint64 value)
{
  g_string_append_printf (buffer, "\"%s\":%" G_GUINT64_FORMAT ",", name, value);
}

static gboolean
write_node (IptCallsOut *out, IptCallNode *node, gboolean timed, guint depth, GError **error)
{
  GString *buffer = out->buffer;

  g_string_append_printf (buffer, "%*s{\"symbol\":", (int) MIN (depth, 64u) * 2, "");
  ipt_calls_append_json_string (buffer, node->symbol);
  g_string_append_printf (buffer, ",\"address\":\"0x%" G_GINT64_MODIFIER "x\",", node->address);
  put_count (buffer, "calls", node->calls);
  put_count (buffer, "self_insns", node->self_insns);
  put_count (buffer, "total_insns", node->total_insns);
  if (timed)
    {
      put_count (buffer, "self_ns", node->self_time);
      put_count (buffer, "total_ns", node->time);
    }
  g_string_append (buffer, "\"children\":[");
  if (node->children->len > 0)
    g_string_append_c (buffer, '\n');
  if (!ipt_calls_out_maybe_flush (out, error))
    return FALSE;
  for (guint i = 0; i < node->children->len; i++)
    {
      if (!write_node (out, g_ptr_array_index (node->children, i), timed, depth + 1, error))
        return FALSE;
      g_string_append (out->buffer, i + 1 < node->children->len ? ",\n" : "\n");
    }
  if (node->children->len > 0)
    g_string_append_printf (out->buffer, "%*s", (int) MIN (depth, 64u) * 2, "");
  g_string_append (out->buffer, "]}");
  return TRUE;
}

/**
 * ipt_calls_write_json:
 * @self: an #IptCalls
 * @stream: where the JSON goes
 * @error: return location for a #GError
 *
 * Writes the call tree as one JSON object: `"format": "ipt-analyze-calls"`,
 * `"version": 1`, `"timed"`, the totals of #IptCalls (`insns`, `calls`,
 * `returns`, `tail_calls`, `unwound`, `unmatched_returns`, `async`,
 * `gaps`, `depth`), and `roots`: the tree's top nodes, each with its
 * `symbol`, `address` (a hex string: addresses do not fit a JSON
 * number's exact range), `calls`, `self_insns`, `total_insns`, on a timed
 * trace `self_ns` and `total_ns`, and `children`, in the order they were
 * first entered. The schema is in docs/json.md; `ipt-analyze merge
 * calls-json:OUT IN…` adds such files up.
 *
 * Returns: %TRUE on success, %FALSE with @error set when @stream failed
 *
 * Since: 0.1
 */
gboolean
ipt_calls_write_json (IptCalls *self, GOutputStream *stream, GError **error)
{
  IptCallsOut out;
  IptCallNode *root;
  gboolean ok = TRUE;

  g_return_val_if_fail (IPT_IS_CALLS (self), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  root = IPT_CALL_NODE (ipt_calls_get_roots (self));
  ipt_calls_out_init (&out, stream);
  g_string_append_printf (out.buffer, "{\"format\":\"ipt-analyze-calls\",\"version\":1,"
                          "\"timed\":%s,", self->timed ? "true" : "false");
  put_count (out.buffer, "insns", self->n_insns);
  put_count (out.buffer, "calls", self->n_calls);
  put_count (out.buffer, "returns", self->n_returns);
  put_count (out.buffer, "tail_calls", self->n_tail_calls);
  put_count (out.buffer, "unwound", self->n_unwound);
  put_count (out.buffer, "unmatched_returns", self->n_unmatched);
  put_count (out.buffer, "async", self->n_async);
  put_count (out.buffer, "gaps", self->n_gaps);
  put_count (out.buffer, "depth", ipt_calls_get_depth (self));
  g_string_append (out.buffer, "\"roots\":[\n");
  for (guint i = 0; ok && i < root->children->len; i++)
    {
      ok = write_node (&out, g_ptr_array_index (root->children, i), self->timed, 1, error);
      g_string_append (out.buffer, i + 1 < root->children->len ? ",\n" : "\n");
    }
  if (ok)
    g_string_append (out.buffer, "]}\n");
  return ipt_calls_out_finish (&out, ok, error);
}
