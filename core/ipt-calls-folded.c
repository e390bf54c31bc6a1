/* ipt-calls-folded.c: the call tree as folded stacks (`a;b;c COUNT`, the
 * input of flamegraph.pl, inferno and speedscope): one line per call path
 * that executed instructions itself, weighted by those instructions.
 * Streams through a buffer. */
#include "config.h"

#include "ipt-calls-private.h"

typedef struct {
  IptCallsOut out;
  GString *path;
} Folded;

/* Folded lines split at ';' and the last space: keep names clear of ';'. */
static void
append_name (GString *path, const char *name)
{
  for (const char *p = name; *p != '\0'; p++)
    g_string_append_c (path, *p == ';' || *p == '\n' ? '_' : *p);
}

static gboolean
write_node (Folded *folded, IptCallNode *node, GError **error)
{
  gsize length = folded->path->len;

  if (length > 0)
    g_string_append_c (folded->path, ';');
  append_name (folded->path, node->symbol);
  if (node->self_insns > 0)
    {
      g_string_append_printf (folded->out.buffer, "%s %" G_GUINT64_FORMAT "\n",
                              folded->path->str, node->self_insns);
      if (!ipt_calls_out_maybe_flush (&folded->out, error))
        return FALSE;
    }
  for (guint i = 0; i < node->children->len; i++)
    if (!write_node (folded, g_ptr_array_index (node->children, i), error))
      return FALSE;
  g_string_truncate (folded->path, length);
  return TRUE;
}

/**
 * ipt_calls_write_folded:
 * @self: an #IptCalls
 * @stream: where the stacks go
 * @error: return location for a #GError
 *
 * Writes the call tree as folded stacks: for each call path whose
 * function executed instructions itself, the functions from the root
 * down joined by `;`, a space and that instruction count. Paths come in
 * tree order (each node's children in the order they were first called).
 * `flamegraph.pl`, `inferno-flamegraph` and speedscope read it.
 *
 * Returns: %TRUE on success, %FALSE with @error set when @stream failed
 *
 * Since: 0.1
 */
gboolean
ipt_calls_write_folded (IptCalls *self, GOutputStream *stream, GError **error)
{
  Folded folded = { 0 };
  GListModel *roots;
  gboolean ok = TRUE;

  g_return_val_if_fail (IPT_IS_CALLS (self), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ipt_calls_out_init (&folded.out, stream);
  folded.path = g_string_new (NULL);
  roots = ipt_calls_get_roots (self);
  for (guint i = 0; ok && i < IPT_CALL_NODE (roots)->children->len; i++)
    ok = write_node (&folded, g_ptr_array_index (IPT_CALL_NODE (roots)->children, i), error);
  g_string_free (folded.path, TRUE);
  return ipt_calls_out_finish (&folded.out, ok, error);
}
