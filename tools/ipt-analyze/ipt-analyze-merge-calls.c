/* ipt-analyze-merge-calls.c: `ipt-analyze merge calls-json:OUT IN...`:
 * adds up call trees that --calls-json wrote (format "ipt-analyze-calls",
 * docs/json.md). Nodes are the same where their paths of symbols from the
 * root are: their calls, instructions and times add, children keep the
 * order in which the inputs first have them, and a node keeps the first
 * input's address (a PIE's functions move between runs; their names do
 * not). Times stay only when every input is timed. The output has the
 * layout ipt_calls_write_json() writes, so that merging one file gives
 * that file back (the tests hold both to it). */
#include "config.h"

#include <json-glib/json-glib.h>
#include <ipt-analyze/ipt-analyze.h>

#include "ipt-analyze-merge-calls.h"
#include "ipt-merge-json.h"

typedef struct _CallsNode CallsNode;
struct _CallsNode {
  char *symbol;
  guint64 address;
  guint64 calls, self_insns, total_insns, self_ns, total_ns;
  GPtrArray *children;          /* CallsNode, first seen first */
  GHashTable *by_symbol;        /* symbol -> CallsNode in children */
};

static CallsNode *
calls_node_new (const char *symbol, guint64 address)
{
  CallsNode *node = g_new0 (CallsNode, 1);

  node->symbol = g_strdup (symbol);
  node->address = address;
  return node;
}

static void
calls_node_free (gpointer data)
{
  CallsNode *node = data;

  g_free (node->symbol);
  g_clear_pointer (&node->children, g_ptr_array_unref);
  g_clear_pointer (&node->by_symbol, g_hash_table_unref);
  g_free (node);
}

static CallsNode *
calls_node_child (CallsNode *node, const char *symbol, guint64 address)
{
  CallsNode *child;

  if (node->children == NULL)
    {
      node->children = g_ptr_array_new_with_free_func (calls_node_free);
      node->by_symbol = g_hash_table_new (g_str_hash, g_str_equal);
    }
  child = g_hash_table_lookup (node->by_symbol, symbol);
  if (child == NULL)
    {
      child = calls_node_new (symbol, address);
      g_ptr_array_add (node->children, child);
      g_hash_table_insert (node->by_symbol, child->symbol, child);
    }
  return child;
}

typedef struct {
  const char *path;
  CallsNode root;
  gboolean timed;
  guint64 insns, calls, returns, tail_calls, unwound, unmatched, async, gaps, depth;
} CallsSum;

/* Adds the nodes of @array (a "roots" or "children" array) under @into. */
static gboolean
add_nodes (CallsSum *sum, CallsNode *into, JsonArray *array, gboolean timed, GError **error)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      const char *symbol = o != NULL ? json_object_get_string_member_with_default (o, "symbol", NULL)
                                     : NULL;
      const char *address = o != NULL ? json_object_get_string_member_with_default (o, "address",
                                                                                    NULL)
                                      : NULL;
      JsonNode *children = o != NULL ? json_object_get_member (o, "children") : NULL;
      guint64 value = 0;
      CallsNode *node;

      if (symbol == NULL || address == NULL || !g_str_has_prefix (address, "0x") ||
          !g_ascii_string_to_unsigned (address + 2, 16, 0, G_MAXUINT64, &value, NULL) ||
          children == NULL || !JSON_NODE_HOLDS_ARRAY (children))
        return ipt_merge_bad_json (error, sum->path, "a node without \"symbol\", a hex \"address\" or "
                                            "\"children\"");
      node = calls_node_child (into, symbol, value);
      if (!ipt_merge_add_count (o, "calls", &node->calls, sum->path, error) ||
          !ipt_merge_add_count (o, "self_insns", &node->self_insns, sum->path, error) ||
          !ipt_merge_add_count (o, "total_insns", &node->total_insns, sum->path, error) ||
          (timed && (!ipt_merge_add_count (o, "self_ns", &node->self_ns, sum->path, error) ||
                     !ipt_merge_add_count (o, "total_ns", &node->total_ns, sum->path, error))) ||
          !add_nodes (sum, node, json_node_get_array (children), timed, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
add_calls_file (CallsSum *sum, const char *path, gboolean first, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *top;
  JsonNode *roots;
  guint64 depth = 0;
  gboolean timed;

  sum->path = path;
  top = ipt_merge_load_object (parser, path, "ipt-analyze-calls", error);
  if (top == NULL)
    return FALSE;
  timed = json_object_get_boolean_member_with_default (top, "timed", FALSE);
  sum->timed = first ? timed : sum->timed && timed;
  roots = json_object_get_member (top, "roots");
  if (roots == NULL || !JSON_NODE_HOLDS_ARRAY (roots))
    return ipt_merge_bad_json (error, path, "no \"roots\" array");
  if (!ipt_merge_add_count (top, "insns", &sum->insns, path, error) ||
      !ipt_merge_add_count (top, "calls", &sum->calls, path, error) ||
      !ipt_merge_add_count (top, "returns", &sum->returns, path, error) ||
      !ipt_merge_add_count (top, "tail_calls", &sum->tail_calls, path, error) ||
      !ipt_merge_add_count (top, "unwound", &sum->unwound, path, error) ||
      !ipt_merge_add_count (top, "unmatched_returns", &sum->unmatched, path, error) ||
      !ipt_merge_add_count (top, "async", &sum->async, path, error) ||
      !ipt_merge_add_count (top, "gaps", &sum->gaps, path, error) || !ipt_merge_add_count (top, "depth", &depth, path, error))
    return FALSE;
  sum->depth = MAX (sum->depth, depth);
  return add_nodes (sum, &sum->root, json_node_get_array (roots), timed, error);
}

/* ---- writing, in ipt_calls_write_json()'s layout ---- */

static void
put_count (GString *out, const char *name, guint64 value)
{
  g_string_append_printf (out, "\"%s\":%" G_GUINT64_FORMAT ",", name, value);
}

static void
put_node (GString *out, const CallsNode *node, gboolean timed, guint depth)
{
  guint n = node->children != NULL ? node->children->len : 0;
  g_autoptr(JsonNode) symbol = json_node_init_string (json_node_alloc (), node->symbol);
  g_autofree char *quoted = json_to_string (symbol, FALSE);

  g_string_append_printf (out, "%*s{\"symbol\":%s", (int) MIN (depth, 64u) * 2, "", quoted);
  g_string_append_printf (out, ",\"address\":\"0x%" G_GINT64_MODIFIER "x\",", node->address);
  put_count (out, "calls", node->calls);
  put_count (out, "self_insns", node->self_insns);
  put_count (out, "total_insns", node->total_insns);
  if (timed)
    {
      put_count (out, "self_ns", node->self_ns);
      put_count (out, "total_ns", node->total_ns);
    }
  g_string_append (out, n > 0 ? "\"children\":[\n" : "\"children\":[");
  for (guint i = 0; i < n; i++)
    {
      put_node (out, g_ptr_array_index (node->children, i), timed, depth + 1);
      g_string_append (out, i + 1 < n ? ",\n" : "\n");
    }
  if (n > 0)
    g_string_append_printf (out, "%*s", (int) MIN (depth, 64u) * 2, "");
  g_string_append (out, "]}");
}

/**
 * ipt_analyze_merge_calls_json:
 * @inputs: (array zero-terminated=1): --calls-json files
 * @out: where the merged file's text goes
 * @error: names the input and what is wrong with it
 *
 * Returns: %TRUE when every input was a call tree
 */
gboolean
ipt_analyze_merge_calls_json (char **inputs, GString *out, GError **error)
{
  CallsSum sum = { 0, };
  gboolean ok = TRUE;
  guint n_roots;

  for (guint i = 0; inputs[i] != NULL && ok; i++)
    ok = add_calls_file (&sum, inputs[i], i == 0, error);
  if (ok)
    {
      g_string_append_printf (out, "{\"format\":\"ipt-analyze-calls\",\"version\":1,"
                              "\"timed\":%s,", sum.timed ? "true" : "false");
      put_count (out, "insns", sum.insns);
      put_count (out, "calls", sum.calls);
      put_count (out, "returns", sum.returns);
      put_count (out, "tail_calls", sum.tail_calls);
      put_count (out, "unwound", sum.unwound);
      put_count (out, "unmatched_returns", sum.unmatched);
      put_count (out, "async", sum.async);
      put_count (out, "gaps", sum.gaps);
      put_count (out, "depth", sum.depth);
      g_string_append (out, "\"roots\":[\n");
      n_roots = sum.root.children != NULL ? sum.root.children->len : 0;
      for (guint i = 0; i < n_roots; i++)
        {
          put_node (out, g_ptr_array_index (sum.root.children, i), sum.timed, 1);
          g_string_append (out, i + 1 < n_roots ? ",\n" : "\n");
        }
      g_string_append (out, "]}\n");
    }
  g_clear_pointer (&sum.root.children, g_ptr_array_unref);
  g_clear_pointer (&sum.root.by_symbol, g_hash_table_unref);
  return ok;
}
